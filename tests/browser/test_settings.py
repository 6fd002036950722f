"""A shop owner sets up the workflow in a real browser: colours with live preview, modules."""

import re

from playwright.sync_api import expect

from kantoor.returns.services import add_return_option
from tests.browser.test_backoffice import log_in, menu_link


def test_owner_colours_a_status_and_switches_a_module_off(
    page, screenshot, transactional_db, shop, owner, products, make_order
):
    make_order(shop, products[2:])
    for nl, en in [("Beschadigd", "Damaged"), ("Past niet", "Does not fit")]:
        add_return_option(shop=shop, user=owner, list_name="reasons", label_nl=nl, label_en=en)
    add_return_option(
        shop=shop, user=owner, list_name="actions", label_nl="Ruilen", label_en="Exchange"
    )
    log_in(page, owner.email)

    menu_link(page, "settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Settings")
    screenshot("settings-landing-1280")
    page.get_by_role("link", name=re.compile("Workflow")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Workflow")
    expect(page.get_by_text("The statuses are fixed so that reports")).to_be_visible()

    row = page.locator('[data-status-row="order__new"]')
    badge = row.locator("[data-preview]")
    warning = row.locator("[data-contrast-warning]")
    expect(warning).to_be_hidden()
    row.get_by_label("Background colour of New").fill("#fef08a")
    row.get_by_label("Text colour of New").fill("#fde047")
    expect(badge).to_have_css("background-color", "rgb(254, 240, 138)")
    expect(badge).to_have_css("color", "rgb(253, 224, 71)")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Hard to read")
    screenshot("settings-statuses-warning-1280")

    row.get_by_label("Text colour of New").fill("#713f12")
    expect(warning).to_be_hidden()
    shipped = page.locator('[data-status-row="order__shipped"]')
    shipped.get_by_label("Label of Shipped (English)").fill("On its way")
    expect(shipped.locator("[data-preview]")).to_have_text("On its way")
    page.get_by_role("button", name="Save status colours").click()
    expect(page.get_by_text("Status colours saved.")).to_be_visible()
    expect(page.locator(".kt-change").first).to_contain_text("Changed by")
    screenshot("settings-statuses-1280")

    menu_link(page, "overview").click()
    overview_badge = page.locator("tbody tr").first.locator(".status-badge")
    expect(overview_badge).to_have_text("New")
    expect(overview_badge).to_have_css("background-color", "rgb(254, 240, 138)")
    expect(overview_badge).to_have_css("color", "rgb(113, 63, 18)")

    page.goto(f"/backoffice/{shop.slug}/settings/workflow/?tab=numbers")
    prefix = page.get_by_label("Prefix of Order numbers")
    prefix.fill("WEB{year}-")
    expect(page.locator('[data-series="order"] [data-next-number]')).to_contain_text(
        re.compile(r"^WEB\d{4}-0002$")
    )
    prefix.fill("WEB{day}-")
    page.get_by_role("button", name="Save numbering").click()
    expect(page.get_by_role("alert")).to_contain_text("Unknown placeholder {day}")
    screenshot("settings-numbers-error-1280")
    page.get_by_label("Prefix of Order numbers").fill("WEB{year}-")
    page.get_by_role("button", name="Save numbering").click()
    expect(page.get_by_text("Numbering saved.")).to_be_visible()
    screenshot("settings-numbers-1280")

    page.get_by_role("link", name="Returns", exact=True).last.click()
    expect(page).to_have_url(re.compile(r"tab=returns"))
    page.locator("#add-reasons").get_by_label("Label in Dutch").fill("Verkeerd artikel")
    page.locator("#add-reasons").get_by_role("button", name="Add reason").click()
    expect(page.locator("#add-reasons").get_by_role("alert")).to_contain_text(
        "Enter the label in English."
    )
    page.locator("#add-reasons").get_by_label("Label in English").fill("Wrong item")
    page.locator("#add-reasons").get_by_role("button", name="Add reason").click()
    expect(page.locator('[data-option="Wrong item"]')).to_be_visible()
    page.get_by_role("button", name="Move Wrong item up").click()
    page.locator('[data-option="Does not fit"]').get_by_role("button", name="Deactivate").click()
    expect(page.locator('[data-option="Does not fit"]')).to_contain_text("Inactive")
    screenshot("settings-returns-1280")

    page.goto(f"/backoffice/{shop.slug}/settings/workflow/?tab=modules")
    expect(menu_link(page, "quotes")).to_be_visible()
    page.get_by_label("Quotes").uncheck()
    page.get_by_role("button", name="Save modules").click()
    expect(page.get_by_text("Modules saved.")).to_be_visible()
    expect(menu_link(page, "quotes")).to_have_count(0)
    expect(menu_link(page, "returns")).to_be_visible()
    screenshot("settings-modules-1280")

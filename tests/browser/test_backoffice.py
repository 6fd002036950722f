"""A shop owner's first steps in the back office, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from kantoor.backoffice.menu import all_entries
from tests.conftest import PASSWORD

COMING_SOON = [entry for entry in all_entries() if not entry.available]


@pytest.fixture
def shop_with_orders(transactional_db, shop, products, make_order):
    bel, boek, bon = products
    make_order(shop, [bel, boek], quantities=[2, 1])
    make_order(shop, [bon], email="piet@example.test")
    make_order(shop, [boek])
    return shop


def log_in(page, email, password=PASSWORD):
    page.goto("/backoffice/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def menu_link(page, key):
    return page.locator(f'nav[aria-label="Main menu"] a[data-menu-key="{key}"]')


def test_owner_logs_in_walks_the_menu_and_logs_out(page, screenshot, shop_with_orders, owner):
    shop = shop_with_orders
    page.goto(f"/backoffice/{shop.slug}/")
    expect(page).to_have_url(re.compile(r"/backoffice/login/\?next="))
    screenshot("backoffice-login-1280")

    log_in(page, owner.email, "not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("do not match an account")
    screenshot("backoffice-login-error-1280")

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(rf"/backoffice/{shop.slug}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Overview")
    expect(page.locator("tbody tr")).to_have_count(3)
    expect(page.locator('[data-figure="orders-new"] .kt-figure-value')).to_have_text("3")
    expect(menu_link(page, "overview")).to_have_attribute("aria-current", "page")
    screenshot("backoffice-overview-1280")

    for entry in COMING_SOON:
        menu_link(page, entry.key).click()
        expect(page).to_have_url(re.compile(rf"/backoffice/{shop.slug}/{entry.path}/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(str(entry.label))
        expect(page.get_by_text("Coming soon")).to_be_visible()
        expect(menu_link(page, entry.key)).to_have_attribute("aria-current", "page")
        if entry.key == "orders":
            screenshot("backoffice-coming-soon-1280")

    page.get_by_role("button", name=re.compile("Account menu")).click()
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/backoffice/login/$"))
    page.goto(f"/backoffice/{shop.slug}/")
    expect(page).to_have_url(re.compile(r"/backoffice/login/\?next="))


def test_owner_of_two_shops_switches_between_them(
    page, screenshot, transactional_db, shop, other_shop, make_staff
):
    user = make_staff(other_shop, email="owner@fietsen.test")
    log_in(page, user.email)

    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a shop")
    screenshot_links = page.locator(".kt-shop-link")
    expect(screenshot_links).to_have_count(2)
    screenshot("backoffice-choose-shop-1280")
    page.get_by_role("link", name="Fietsen Jansen").click()
    expect(page).to_have_url(re.compile(rf"/backoffice/{shop.slug}/$"))

    page.locator("#shop-switcher").click()
    screenshot("backoffice-shop-switcher-open-1280")
    page.get_by_role("link", name="Andere Winkel").click()
    expect(page).to_have_url(re.compile(rf"/backoffice/{other_shop.slug}/$"))
    expect(page.locator("#shop-switcher")).to_contain_text("Andere Winkel")
    expect(page.locator("#orders-empty")).to_contain_text("No orders yet")


def test_tablet_menu_opens_behind_a_toggle(page, screenshot, shop_with_orders, owner):
    shop = shop_with_orders
    page.set_viewport_size({"width": 820, "height": 1100})
    page.goto("/backoffice/login/")
    screenshot("backoffice-login-820")
    log_in(page, owner.email)
    expect(page).to_have_url(re.compile(rf"/backoffice/{shop.slug}/$"))
    expect(menu_link(page, "orders")).to_be_hidden()
    screenshot("backoffice-overview-820")

    page.get_by_role("button", name="Open the menu").click()
    expect(menu_link(page, "returns")).to_be_visible()
    page.wait_for_selector("#kt-sidebar.show:not(.showing)")
    page.wait_for_timeout(400)  # let the slide-in finish before the picture
    screenshot("backoffice-menu-open-820")
    menu_link(page, "returns").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Returns")
    expect(menu_link(page, "orders")).to_be_hidden()
    screenshot("backoffice-coming-soon-820")


def test_language_switcher_switches_to_dutch(page, screenshot, shop_with_orders, owner):
    log_in(page, owner.email)
    page.get_by_role("button", name=re.compile("Account menu")).click()
    screenshot("backoffice-user-menu-open-1280")
    page.get_by_role("button", name=re.compile("Nederlands")).click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")

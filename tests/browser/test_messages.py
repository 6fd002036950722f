"""E-mails in a real browser: a shop owner edits a template (an error is refused, the preview
follows the text) and reads and resends an order's e-mail from its Sent messages tab."""

import re

import pytest
from playwright.sync_api import expect

from kantoor.messaging.models import Message, MessageKind, MessageState, MessageTemplate
from tests.browser.test_backoffice import log_in


@pytest.fixture
def shop_with_an_order(transactional_db, shop, products, make_order):
    bel, boek, _bon = products
    order = make_order(shop, [bel, boek], quantities=[2, 1])  # confirmation sent after commit
    return shop, order


def test_owner_edits_the_order_confirmation_with_a_preview(
    page, screenshot, shop_with_an_order, owner
):
    shop, order = shop_with_an_order
    log_in(page, owner.email)
    page.goto(f"/backoffice/{shop.slug}/settings/emails/")
    expect(page.get_by_role("heading", level=1)).to_have_text("E-mails")
    expect(page.locator("tr[data-kind]")).to_have_count(len(MessageKind.values))
    screenshot("backoffice-emails-1280")

    page.locator('[data-template="order_confirmation-nl"]').click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Order confirmation")
    expect(page.locator("[data-preview-subject]")).to_have_text(
        f"Je bestelling {order.number} bij Fietsen Jansen"
    )
    body = page.get_by_label("Text")
    body.fill("Hoi {{ first_name }}, bedankt! {% if note %}")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem; nothing was saved")
    expect(page.get_by_role("alert")).to_contain_text("This template has an error")
    expect(body).to_have_value("Hoi {{ first_name }}, bedankt! {% if note %}")  # nothing lost
    assert not MessageTemplate.objects.exists()
    screenshot("backoffice-email-template-error-1280")

    body.fill("Hoi {{ first_name }}, bedankt voor bestelling {{ order_number }}!")
    page.locator("[data-preview-button]").click()
    expect(page.locator("[data-preview-body]")).to_have_text(
        f"Hoi Jan, bedankt voor bestelling {order.number}!"
    )
    screenshot("backoffice-email-template-preview-1280")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(rf"/backoffice/{shop.slug}/settings/emails/$"))
    expect(page.locator('[data-template="order_confirmation-nl"]')).to_contain_text("Your text")
    assert MessageTemplate.objects.get().body.startswith("Hoi {{ first_name }}")

    page.get_by_label("Shipped").check()
    page.locator("form[action$='status-changes/'] button[type=submit]").click()
    expect(page.get_by_label("Shipped")).to_be_checked()


def test_owner_reads_and_resends_an_orders_e_mail(page, screenshot, shop_with_an_order, owner):
    shop, order = shop_with_an_order
    message = Message.objects.get(order=order)
    assert message.state == MessageState.SENT
    log_in(page, owner.email)
    page.goto(f"/backoffice/{shop.slug}/orders/{order.number}/?tab=messages")
    rows = page.locator("tr[data-message]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Sent")
    expect(rows.first).to_contain_text(message.subject)
    screenshot("backoffice-order-messages-1280")

    rows.first.get_by_role("link", name=message.subject).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(message.subject)
    expect(page.locator("[data-message-body]")).to_contain_text("Bedankt voor je bestelling")
    screenshot("backoffice-order-message-1280")

    page.get_by_role("button", name="Send again").click()
    expect(page).to_have_url(re.compile(r"\?tab=messages$"))
    expect(page.locator("tr[data-message]")).to_have_count(2)
    expect(page.locator('tr[data-state="sent"]')).to_have_count(2)
    page.goto(f"/backoffice/{shop.slug}/orders/{order.number}/?tab=history")
    expect(page.get_by_text(f"Order confirmation sent to {order.email}").first).to_be_visible()
    screenshot("backoffice-order-history-messages-1280")

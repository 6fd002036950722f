"""Issue 10 in a real browser: an order whose total an edit raised shows what is due (back
office and account page), a credit of lines of two invoices is proposed as two credit invoices,
a payment note reads in the staff's language, and a consumer is not offered the UBL."""

from decimal import Decimal

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from kantoor.core.actors import Actor
from kantoor.customers.services import sign_up_customer
from kantoor.invoices.models import Invoice
from kantoor.invoices.services import issue_correction, mark_invoice_paid
from kantoor.orders.services import LineEdit
from kantoor.payments.providers.demo import choose_outcome
from kantoor.payments.services import handle_webhook, start_payment
from tests.browser.test_backoffice import log_in
from tests.conftest import PASSWORD
from tests.invoices.helpers import edit, line_edits

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def edited_order(transactional_db, shop, products, make_order, owner):
    customer = sign_up_customer(
        shop=shop,
        email="piet@example.test",
        password=PASSWORD,
        first_name="Piet",
        last_name="Pieters",
        language="en",
    )
    order = make_order(
        shop, products[:2], quantities=[2, 1], email=customer.email, account=customer
    )
    order.shop = shop
    staff = Actor.staff(owner)
    invoice = Invoice.objects.get(order=order)
    with translation.override("nl"):  # the payer pays in Dutch
        payment = start_payment(shop=shop, invoice=invoice, redirect_url="http://testserver/")
        choose_outcome(transaction_id=payment.provider_payment_id, outcome="paid", method="ideal")
        handle_webhook(provider_name="demo", provider_payment_id=payment.provider_payment_id)
    order.refresh_from_db()
    gift = LineEdit(quantity=1, unit_price=None, product_id=products[2].pk)
    edit(order, staff, lines=[*line_edits(order), gift])
    extra = issue_correction(shop=shop, order=order, actor=staff)
    mark_invoice_paid(shop=shop, invoice=extra, paid_on=timezone.localdate(), note="", actor=staff)
    edit(order, staff, lines=line_edits(order, BEL_01=(3, Decimal("12.99"))))
    order.refresh_from_db()
    return order


def test_what_is_due_and_a_split_credit(page, screenshot, edited_order, owner, shop):
    order = edited_order
    log_in(page, owner.email)
    page.goto(f"/backoffice/{shop.slug}/orders/{order.number}/")
    expect(page.locator("#order-payment")).to_contain_text("€12.99 due")
    expect(page.locator("#order-paid")).to_contain_text("Not paid")
    screenshot("h10d-order-due-1280")
    page.goto(f"/backoffice/{shop.slug}/orders/{order.number}/?tab=invoices")
    expect(page.locator(".kt-inv").first).to_contain_text("Paid via Demo (test mode)")
    screenshot("h10d-invoices-tab-1280")
    page.goto(f"/backoffice/{shop.slug}/orders/{order.number}/?tab=history")
    expect(page.locator(".kt-timeline")).to_contain_text("Paid via Demo (test mode)")
    expect(page.locator(".kt-timeline")).not_to_contain_text("Betaald via")
    # Take the book (first invoice) and the gift card (second invoice) off.
    edit(order, Actor.staff(owner), lines=line_edits(order, BOEK_01=None, BON_25=None))
    page.goto(f"/backoffice/{shop.slug}/orders/{order.number}/invoices/new/")
    # A credit invoice for each invoice, and the extra bell on an invoice of its own.
    parts = page.locator("#proposal-parts li")
    expect(parts).to_have_count(3)
    expect(parts.last).to_contain_text("an invoice for what is newly charged")
    screenshot("h10d-new-invoice-parts-1280")
    page.set_viewport_size(PHONE)
    screenshot("h10d-new-invoice-parts-390")
    page.goto(f"/backoffice/{shop.slug}/orders/{order.number}/")
    screenshot("h10d-order-due-390")


def test_the_account_page_shows_what_is_due_and_no_ubl(page, screenshot, edited_order, shop):
    page.goto(f"/shop/{shop.slug}/account/login/")
    page.get_by_label("E-mail address").fill("piet@example.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="My account")).to_be_visible()
    expect(page.locator(".sf-order-paid")).to_have_text("€12.99 due")
    expect(page.locator('[data-download="ubl"]')).to_have_count(0)
    screenshot("h10d-account-1280")
    page.set_viewport_size(PHONE)
    screenshot("h10d-account-390")

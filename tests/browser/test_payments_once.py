"""The demo provider's page once its payment can no longer be paid (expired; the shop switched to
a real provider), at desktop and phone width."""

import datetime

from django.utils import timezone
from playwright.sync_api import expect

from kantoor.invoices.models import InvoiceKind
from kantoor.invoices.models import PaymentState as InvoiceState
from kantoor.payments.models import DemoTransaction, PaymentSettings
from kantoor.payments.services import start_payment


def _payment(shop, make_order, products):
    order = make_order(shop, products[:1])
    invoice = order.invoices.get(kind=InvoiceKind.DEBIT)
    return invoice, start_payment(shop=shop, invoice=invoice, redirect_url="http://x.test/")


def test_an_expired_demo_payment_says_so_and_cannot_be_paid(
    page, screenshot, transactional_db, shop, products, make_order
):
    invoice, payment = _payment(shop, make_order, products)
    DemoTransaction.objects.filter(pk=payment.provider_payment_id).update(
        created_at=timezone.now() - datetime.timedelta(hours=2)
    )
    page.goto(payment.checkout_url)
    expect(page.get_by_test_id("demo-expired")).to_be_visible()
    expect(page.get_by_role("button", name="Paid")).to_have_count(0)
    screenshot("demo-expired-1280")
    page.set_viewport_size({"width": 390, "height": 800})
    screenshot("demo-expired-390")
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.UNPAID


def test_an_old_demo_page_after_the_switch_to_mollie_cannot_be_paid(
    page, screenshot, transactional_db, shop, products, make_order
):
    invoice, payment = _payment(shop, make_order, products)
    PaymentSettings.objects.create(shop=shop, provider="mollie", updated_at=timezone.now())
    page.goto(payment.checkout_url)
    expect(page.get_by_test_id("demo-retired")).to_be_visible()
    expect(page.get_by_text("has not set up a real payment provider")).to_have_count(0)
    expect(page.get_by_role("button", name="Paid")).to_have_count(0)
    screenshot("demo-retired-1280")
    page.set_viewport_size({"width": 390, "height": 800})
    screenshot("demo-retired-390")
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.UNPAID

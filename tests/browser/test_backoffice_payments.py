"""Payments in the back office, in a real browser: staff record a bank transfer in two parts and
see the order paid; send a payment link; the Payments page lists and filters; the settings."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kantoor.core.actors import Actor
from kantoor.invoices.models import Invoice, PaymentState
from kantoor.orders.events import OrderEventKind
from kantoor.orders.models import OrderEvent
from kantoor.payments.models import Payment, Provider
from kantoor.payments.providers.demo import choose_outcome
from kantoor.payments.services import handle_webhook, record_bank_transfer, start_payment
from tests.browser.test_backoffice import log_in


@pytest.fixture
def order(transactional_db, shop, products, make_order):
    bel, boek, _ = products
    return make_order(shop, [bel, boek], quantities=[2, 1])


def demo_payment(shop, invoice, outcome):
    payment = start_payment(shop=shop, invoice=invoice, redirect_url="https://shop.test/back")
    choose_outcome(transaction_id=payment.provider_payment_id, outcome=outcome, method="ideal")
    return handle_webhook(provider_name="demo", provider_payment_id=payment.provider_payment_id)


def test_staff_record_a_bank_transfer_in_two_parts_and_see_the_order_paid(
    page, screenshot, shop, order, owner
):
    invoice = Invoice.objects.get(order=order)
    total = invoice.total_gross
    log_in(page, owner.email)
    page.goto(f"/backoffice/{shop.slug}/orders/{order.number}/?tab=invoices")
    card = page.locator(f'[data-invoice="{invoice.number}"]')
    expect(card.locator("[data-payment-link] input")).to_have_value(re.compile(r"/pay/"))
    screenshot("payments-invoices-tab-unpaid-1280")

    # The first part: 20.00 of the total.
    card.locator('[data-action="mark-paid"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Record a bank transfer on invoice {invoice.number}"
    )
    expect(page.get_by_label("Amount received")).to_have_value(f"{total}")
    page.get_by_label("Amount received").fill("20.00")
    page.get_by_label("Note").fill("ING statement 14")
    screenshot("payments-record-bank-transfer-1280")
    page.get_by_role("button", name="Mark paid").click()
    expect(page.get_by_role("status").first).to_contain_text(
        f"€20.00 received on invoice {invoice.number}"
    )
    rest = total - Decimal("20.00")
    expect(card.locator("[data-partly-paid]")).to_contain_text(f"Partly paid: €20.00 of €{total}")
    expect(card.locator("[data-payments] tbody tr")).to_have_count(1)
    expect(page.locator("#order-paid")).to_have_text("Not paid")
    screenshot("payments-invoices-tab-partly-paid-1280")

    # The rest: the amount field now proposes what is still due.
    card.locator('[data-action="mark-paid"]').click()
    expect(page.get_by_label("Amount received")).to_have_value(f"{rest}")
    page.get_by_role("button", name="Mark paid").click()
    expect(page.get_by_role("status").first).to_contain_text(
        f"Invoice {invoice.number} marked paid"
    )
    expect(card.locator(".kt-inv-heading .status-badge")).to_have_text("Paid")
    expect(card.locator("[data-payments] tbody tr")).to_have_count(2)
    expect(card.locator("[data-payment-link]")).to_have_count(0)
    expect(page.locator("#order-paid")).to_have_text("Paid")
    screenshot("payments-invoices-tab-paid-1280")

    # The history tells the story.
    page.locator('[data-tab="history"]').click()
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Order paid")
    expect(timeline).to_contain_text(f"Bank transfer of €20.00 on invoice {invoice.number}")
    screenshot("payments-history-1280")
    assert Invoice.objects.get(pk=invoice.pk).state == PaymentState.PAID
    assert OrderEvent.objects.filter(order=order, kind=OrderEventKind.ORDER_PAID).count() == 1

    # The order list shows it paid, and the Not paid tab leaves it out.
    page.goto(f"/backoffice/{shop.slug}/orders/")
    expect(page.locator(f'tr[data-order="{order.number}"] [data-paid]')).to_have_text("Paid")
    page.locator('.kt-tabs [data-view="unpaid"]').click()
    expect(page).to_have_url(re.compile(r"\?paid=no$"))
    expect(page.locator("#orders-no-match")).to_be_visible()
    screenshot("payments-order-list-not-paid-1280")


def test_staff_send_a_payment_link(page, screenshot, shop, order, owner):
    invoice = Invoice.objects.get(order=order)
    log_in(page, owner.email)
    page.goto(f"/backoffice/{shop.slug}/orders/{order.number}/?tab=invoices")
    card = page.locator(f'[data-invoice="{invoice.number}"]')
    card.locator('[data-action="send-link"]').click()
    expect(page.get_by_role("status").first).to_contain_text(
        f"Invoice {invoice.number} with its payment link is being e-mailed to jan@example.test"
    )
    assert OrderEvent.objects.filter(order=order, kind=OrderEventKind.PAYMENT_LINK_SENT).exists()
    # The copy button copies the link and says so.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    card.locator("[data-copy]").click()
    expect(card.locator("[data-copy]")).to_contain_text("Copied")
    page.locator('[data-tab="history"]').click()
    expect(page.locator("#timeline")).to_contain_text(
        f"Payment link for invoice {invoice.number} sent to jan@example.test"
    )
    screenshot("payments-link-sent-history-1280")


def test_the_payments_page_lists_and_filters(
    page, screenshot, shop, order, owner, products, make_order
):
    bel, boek, bon = products
    second = make_order(shop, [bon], email="piet@example.test")
    third = make_order(shop, [boek], email="kees@example.test")
    record_bank_transfer(
        shop=shop,
        invoice=Invoice.objects.get(order=order),
        paid_on=timezone.localdate(),
        amount=Decimal("10.00"),
        note="Part one",
        actor=Actor.staff(owner),
    )
    demo_payment(shop, Invoice.objects.get(order=second), "failed")
    demo_payment(shop, Invoice.objects.get(order=second), "paid")
    demo_payment(shop, Invoice.objects.get(order=third), "paid")
    assert Payment.objects.count() == 4

    log_in(page, owner.email)
    page.locator('nav[aria-label="Main menu"] a[data-menu-key="payments"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Payments")
    rows = page.locator("#payment-list tbody tr")
    expect(rows).to_have_count(4)
    expect(page.locator("#payment-count")).to_have_text("4 payments")
    screenshot("payments-list-1280")

    # Filter: failed payments only.
    page.locator("#payment-filter-button").click()
    page.get_by_label("Failed").check()
    page.locator("#payment-filter-apply").click()
    expect(page).to_have_url(re.compile(r"state=failed"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-state", "failed")
    expect(page.locator(".kt-ol-chip")).to_contain_text("State: Failed")
    screenshot("payments-list-failed-1280")
    page.locator(".kt-ol-chip").click()
    expect(rows).to_have_count(4)

    # Filter by provider, then search an order number.
    page.locator("#payment-filter-button").click()
    page.get_by_label("Recorded by hand").check()
    page.locator("#payment-filter-apply").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Bank transfer")
    page.goto(f"/backoffice/{shop.slug}/payments/")
    page.locator("#payment-search").fill(third.number)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(third.number)

    # The invoice opens highlighted on its order's Invoices tab.
    invoice = Invoice.objects.get(order=third)
    rows.first.locator("[data-invoice-link]").click()
    expect(page.locator(".kt-inv-highlight")).to_have_attribute("data-invoice", invoice.number)

    page.set_viewport_size({"width": 820, "height": 1100})
    page.goto(f"/backoffice/{shop.slug}/payments/")
    screenshot("payments-list-820")
    page.goto(f"/backoffice/{shop.slug}/payments/?q=NOTHING")
    expect(page.locator("#payments-no-match")).to_be_visible()


def test_payment_settings_pages(page, screenshot, transactional_db, shop, owner):
    log_in(page, owner.email)
    page.goto(f"/backoffice/{shop.slug}/settings/")
    page.locator(f'main a[href="/backoffice/{shop.slug}/settings/payments/"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Payments")
    expect(page.locator("#payment-provider-form")).to_contain_text("Test mode")
    screenshot("payments-settings-demo-1280")
    page.locator('input[name="provider"][value="mollie"]').check()
    page.get_by_label("Mollie API key").fill("live_" + "k" * 26 + "1234")
    page.get_by_role("button", name="Save payment settings").click()
    expect(page.get_by_role("status").first).to_contain_text("Payment settings saved.")
    expect(page.locator("#saved-key")).to_contain_text("A key ending in …1234 is saved")
    expect(page.get_by_label("Mollie API key")).to_have_value("")
    screenshot("payments-settings-mollie-1280")
    assert Provider.MOLLIE == "mollie"

    page.goto(f"/backoffice/{shop.slug}/settings/workflow/?tab=payments")
    page.get_by_label("When an order awaiting payment is paid, move it to").select_option(
        label="In process"
    )
    page.get_by_role("button", name="Save payment workflow").click()
    expect(page.get_by_role("status").first).to_contain_text("Payment workflow saved.")
    screenshot("payments-workflow-tab-1280")


def test_staff_refund_a_credit_invoice_through_the_demo_provider(
    page, screenshot, shop, order, owner
):
    from kantoor.invoices.services import credit_invoice

    invoice = Invoice.objects.get(order=order)
    demo_payment(shop, invoice, "paid")
    bell = invoice.lines.get(sku="BEL-01")
    credit = credit_invoice(
        shop=shop, invoice=invoice, actor=Actor.staff(owner), line_ids=[bell.pk]
    )
    log_in(page, owner.email)
    page.goto(f"/backoffice/{shop.slug}/orders/{order.number}/?tab=invoices")
    page.locator(f'[data-invoice="{credit.number}"] [data-action="refund"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Refund credit invoice {credit.number}"
    )
    expect(page.locator("[data-refund-sources]")).to_contain_text("Demo (test mode)")
    screenshot("payments-refund-1280")
    page.locator("#refund").click()
    expect(page.get_by_role("status").first).to_contain_text(
        f"Credit invoice {credit.number} refunded"
    )
    expect(
        page.locator(f'[data-invoice="{credit.number}"] .kt-inv-heading .status-badge')
    ).to_have_text("Refunded")
    expect(page.locator(f'[data-invoice="{invoice.number}"] [data-payments]')).to_contain_text(
        "refunded"
    )
    screenshot("payments-invoices-tab-refunded-1280")

"""Paying in a real browser: the payment link with the demo provider, and checkout's pay now."""

import re
from dataclasses import replace

import pytest
from playwright.sync_api import expect

from kantoor.customers.services import sign_up_customer
from kantoor.invoices.models import Invoice
from kantoor.invoices.models import PaymentState as InvoiceState
from kantoor.orders.models import Order
from kantoor.payments.models import Payment
from tests.conftest import PASSWORD

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def customer_with_order(transactional_db, shop, products, make_order):
    shop.iban = "NL91ABNA0417164300"
    shop.save(update_fields=["iban"])
    customer = sign_up_customer(
        shop=shop,
        email="piet@example.test",
        password=PASSWORD,
        first_name="Piet",
        last_name="Pieters",
        language="en",
    )
    order = make_order(shop, products[:2], email=customer.email, account=customer)
    return customer, order


def log_in(page, shop, customer):
    page.goto(f"/shop/{shop.slug}/account/login/")
    page.get_by_label("E-mail address").fill(customer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="My account")).to_be_visible()


def test_customer_pays_an_invoice_with_the_demo_provider_and_sees_it_paid(
    page, screenshot, shop, customer_with_order
):
    customer, order = customer_with_order
    invoice = Invoice.objects.get(order=order)
    log_in(page, shop, customer)
    row = page.locator(f"tr[data-invoice='{invoice.number}']")
    expect(row).to_contain_text("Unpaid")
    screenshot("payments-account-invoices-unpaid-1280")
    row.get_by_role("link", name=re.compile("Pay")).click()

    # The payment link's page: what is being paid, before choosing a method.
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Invoice {invoice.number}")
    expect(page.get_by_test_id("amount-due")).to_have_text(f"€{invoice.total_gross}")
    expect(page.get_by_text("Fietsbel")).to_be_visible()
    screenshot("payments-pay-page-1280")
    page.set_viewport_size(PHONE)
    screenshot("payments-pay-page-390")
    page.get_by_test_id("pay-now").click()

    # The demo provider: clearly TEST MODE.
    expect(page.get_by_test_id("test-mode-banner")).to_contain_text("TEST MODE")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"€{invoice.total_gross}")
    page.get_by_label("iDEAL").check()
    screenshot("payments-demo-page-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot("payments-demo-page-1280")
    page.get_by_role("button", name="Paid").click()

    expect(page.get_by_test_id("payment-outcome")).to_have_attribute("data-outcome", "paid")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, your payment is received")
    screenshot("payments-return-paid-1280")
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.PAID
    assert Payment.objects.get(invoice=invoice).method == "ideal"

    page.get_by_role("link", name="Your invoices").click()
    row = page.locator(f"tr[data-invoice='{invoice.number}']")
    expect(row).to_contain_text("Paid")
    expect(row.get_by_role("link", name=re.compile("^Pay"))).to_have_count(0)
    screenshot("payments-account-invoices-paid-1280")

    # The payment link itself now says it is paid.
    page.goto(page.url.split("/shop/")[0] + f"/pay/{_token(invoice)}/")
    expect(page.get_by_test_id("pay-state")).to_contain_text("thank you")
    screenshot("payments-pay-page-paid-1280")


def _token(invoice):
    from kantoor.payments.links import payment_link_token

    return payment_link_token(shop_id=invoice.shop_id, invoice_id=invoice.pk)


def test_checkout_with_pay_now_reaches_the_demo_page(
    page, screenshot, transactional_db, shop, products
):
    page.goto(f"/shop/{shop.slug}/")
    card = page.locator(".sf-product-card", has_text="Fietsbel")
    card.get_by_role("button", name="Add to cart: Fietsbel").click()
    page.goto(f"/shop/{shop.slug}/checkout/")
    page.get_by_label("E-mail address").fill("anna@example.test")
    page.get_by_label("First name").fill("Anna")
    page.get_by_label("Last name").fill("de Vries")
    page.get_by_label("Street and house number").first.fill("Kerkstraat 12")
    page.get_by_label("Postcode").first.fill("1017 GP")
    page.get_by_label("City").first.fill("Amsterdam")
    page.get_by_label(re.compile("Pay now, online")).check()
    page.locator("#id_payment").scroll_into_view_if_needed()
    screenshot("payments-checkout-choice-1280")
    page.get_by_role("button", name="Place order").click()

    expect(page.get_by_test_id("test-mode-banner")).to_be_visible()
    order = Order.objects.get(shop=shop)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"€{order.total_gross}")
    page.get_by_role("button", name="Failed").click()
    expect(page.get_by_test_id("payment-outcome")).to_have_attribute("data-outcome", "failed")
    screenshot("payments-return-failed-1280")
    page.get_by_test_id("try-again").click()
    expect(page.get_by_test_id("test-mode-banner")).to_be_visible()
    page.get_by_role("button", name="Paid").click()
    expect(page.get_by_test_id("payment-outcome")).to_have_attribute("data-outcome", "paid")
    assert Invoice.objects.get(order=order).state == InvoiceState.PAID
    assert Payment.objects.filter(order=order).count() == 2


def test_pay_later_confirmation_shows_the_link_and_the_transfer_details(
    page, screenshot, transactional_db, shop, products
):
    shop.iban = "NL91ABNA0417164300"
    shop.save(update_fields=["iban"])
    page.goto(f"/shop/{shop.slug}/")
    page.locator(".sf-product-card", has_text="Fietsbel").get_by_role(
        "button", name="Add to cart: Fietsbel"
    ).click()
    page.goto(f"/shop/{shop.slug}/checkout/")
    page.get_by_label("E-mail address").fill("anna@example.test")
    page.get_by_label("First name").fill("Anna")
    page.get_by_label("Last name").fill("de Vries")
    page.get_by_label("Street and house number").first.fill("Kerkstraat 12")
    page.get_by_label("Postcode").first.fill("1017 GP")
    page.get_by_label("City").first.fill("Amsterdam")
    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("heading", name="Thank you for your order")).to_be_visible()
    invoice = Invoice.objects.get(shop=shop)
    expect(page.get_by_test_id("iban")).to_have_text("NL91ABNA0417164300")
    expect(page.get_by_test_id("transfer-reference")).to_have_text(invoice.number)
    screenshot("payments-confirmation-pay-later-1280")
    page.get_by_test_id("payment-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Invoice {invoice.number}")


def test_a_forged_link_and_too_many_of_them(page, screenshot, transactional_db, monkeypatch):
    from django.core.cache import cache

    from kantoor.storefront.views import pay as pay_views

    cache.clear()
    monkeypatch.setattr(pay_views, "BAD_TOKENS", replace(pay_views.BAD_TOKENS, limit=2))
    response = page.goto("/pay/forged-token/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("This payment link does not work")
    screenshot("payments-link-not-found-1280")
    page.goto("/pay/another-forged-token/")
    response = page.goto("/pay/forged-token/")
    assert response.status == 429
    expect(page.get_by_role("heading", level=1)).to_have_text("Too many attempts")
    screenshot("payments-link-too-many-1280")
    cache.clear()

"""Checkout's payment choice: pay now (to the provider) or later (payment link and IBAN); the
account page's invoices with their Pay links."""

import re
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from kantoor.core.actors import Actor
from kantoor.invoices.models import Invoice
from kantoor.orders.models import Order
from kantoor.payments.links import invoice_from_token, payment_link_path
from kantoor.payments.models import Payment, PaymentSettings
from kantoor.payments.services import record_bank_transfer
from tests.storefront.conftest import post_checkout, url


def fill_cart(client, shop, product, quantity=1):
    client.post(url(shop, "cart_add"), {"product_id": product.pk, "quantity": quantity})


def test_checkout_offers_pay_now_and_pay_later(client, shop, products):
    fill_cart(client, shop, products[0])
    html = client.get(url(shop, "checkout")).content.decode()
    assert "How do you want to pay?" in html
    assert 'value="now"' in html and 'value="later"' in html


def test_the_order_button_says_that_ordering_means_paying_for_the_chosen_way(
    client, shop, products, checkout_data
):
    fill_cart(client, shop, products[0])
    html = client.get(url(shop, "checkout")).content.decode()  # pay later is the default
    assert "<span data-place-order-label>Place order with obligation to pay</span>" in html
    assert 'data-label-now="Place order and pay"' in html
    assert "/static/kantoor/checkout.js" in html
    # A form sent back with "pay now" chosen (an error in it) keeps the pay-now label.
    again = client.post(url(shop, "checkout"), {**checkout_data, "email": "", "payment": "now"})
    assert "<span data-place-order-label>Place order and pay</span>" in again.content.decode()


def test_pay_now_places_the_order_and_goes_to_the_provider(client, shop, products, checkout_data):
    fill_cart(client, shop, products[0], 2)
    response = post_checkout(client, shop, {**checkout_data, "payment": "now"})
    order = Order.objects.get(shop=shop)
    payment = Payment.objects.get(order=order)
    assert response.status_code == 302
    assert response["Location"] == payment.checkout_url
    assert payment.amount == order.total_gross
    assert payment.invoice.order_id == order.pk
    # The demo page, and back to the return page after paying.
    back = client.post(payment.checkout_url, {"method": "ideal", "outcome": "paid"})
    assert back.status_code == 302
    assert back["Location"].endswith("/return/")
    page = client.get(back["Location"])
    assert page.context["outcome"] == "paid"


@pytest.mark.parametrize("outcome", ["paid", "failed"])
def test_after_paying_at_checkout_the_page_shows_the_order_number_and_links_to_the_order(
    client, shop, products, checkout_data, outcome
):
    fill_cart(client, shop, products[0])
    response = post_checkout(client, shop, {**checkout_data, "payment": "now"})
    order = Order.objects.get(shop=shop)
    back = client.post(response["Location"], {"method": "ideal", "outcome": outcome})
    html = client.get(back["Location"]).content.decode()
    assert f"Your order number is <strong>{order.number}</strong>." in html
    confirmation = re.search(r'href="(/shop/[^"]+/order/[^"]+/)">View your order', html)
    assert confirmation, html
    assert order.number in client.get(confirmation.group(1)).content.decode()


def test_pay_later_goes_to_the_confirmation_with_link_and_iban(
    client, make_shop, make_product, checkout_data
):
    shop = make_shop(iban="NL91ABNA0417164300")
    product = make_product(shop)
    fill_cart(client, shop, product)
    response = post_checkout(client, shop, {**checkout_data, "payment": "later"})
    assert response.status_code == 302
    assert "/order/" in response["Location"]
    assert not Payment.objects.exists()
    html = client.get(response["Location"]).content.decode()
    invoice = Invoice.objects.get(shop=shop)
    assert payment_link_path(shop_id=shop.pk, invoice_id=invoice.pk) in html
    assert "NL91ABNA0417164300" in html
    assert invoice.number in html


def test_no_choice_means_pay_later(client, shop, products, checkout_data):
    fill_cart(client, shop, products[0])
    response = post_checkout(client, shop, checkout_data)
    assert "/order/" in response["Location"]
    assert not Payment.objects.exists()


def test_a_bad_choice_is_a_form_error_and_places_nothing(client, shop, products, checkout_data):
    fill_cart(client, shop, products[0])
    response = post_checkout(client, shop, {**checkout_data, "payment": "bitcoin"})
    assert response.status_code == 200
    assert "payment" in response.context["form"].errors
    assert not Order.objects.exists()


def test_a_failing_provider_keeps_the_order_and_shows_the_link(
    client, shop, products, checkout_data
):
    PaymentSettings.objects.create(shop=shop, provider="mollie", updated_at=timezone.now())
    fill_cart(client, shop, products[0])
    response = post_checkout(client, shop, {**checkout_data, "payment": "now"}, follow=True)
    order = Order.objects.get(shop=shop)
    invoice = Invoice.objects.get(order=order)
    html = response.content.decode()
    assert order.number in html
    assert "Your order is placed." in html
    # the link opens this invoice (its signature carries a timestamp: compare what it opens)
    link = re.search(r'href="/pay/([^"/]+)/" data-testid="payment-link"', html).group(1)
    assert invoice_from_token(link) == (shop.pk, invoice.pk)
    assert payment_link_path(shop_id=shop.pk, invoice_id=invoice.pk).startswith("/pay/")


def test_an_unexpected_provider_crash_keeps_the_order(client, shop, products, checkout_data):
    fill_cart(client, shop, products[0])
    with mock.patch(
        "kantoor.payments.providers.demo.DemoProvider.create_payment",
        side_effect=ConnectionError("boom"),
    ):
        response = post_checkout(client, shop, {**checkout_data, "payment": "now"}, follow=True)
    assert response.status_code == 200
    assert Order.objects.filter(shop=shop).count() == 1
    assert "Your order is placed." in response.content.decode()


def test_confirmation_of_a_paid_order_says_paid(client, shop, owner, products, checkout_data):
    fill_cart(client, shop, products[0])
    location = post_checkout(client, shop, checkout_data)["Location"]
    invoice = Invoice.objects.get(shop=shop)
    record_bank_transfer(
        shop=shop, invoice=invoice, paid_on=timezone.localdate(), actor=Actor.staff(owner)
    )
    html = client.get(location).content.decode()
    assert "is paid. Thank you!" in html


# --- Account page: invoices with a Pay link -----------------------------------------------------


@pytest.fixture
def account_orders(shop, products, make_order, customer):
    mine = make_order(shop, products[:1], email=customer.email, account=customer)
    paid = make_order(shop, products[1:2], email=customer.email, account=customer)
    theirs = make_order(shop, products[:1], email="someone@example.test")
    return mine, paid, theirs


def test_account_lists_my_invoices_with_pay_links_for_unpaid_ones(
    customer_client, shop, owner, account_orders
):
    mine, paid, theirs = account_orders
    paid_invoice = paid.invoices.get()
    record_bank_transfer(
        shop=shop, invoice=paid_invoice, paid_on=timezone.localdate(), actor=Actor.staff(owner)
    )
    html = customer_client.get(url(shop, "account")).content.decode()
    mine_invoice = mine.invoices.get()
    their_invoice = theirs.invoices.get()
    assert mine_invoice.number in html and paid_invoice.number in html
    assert their_invoice.number not in html
    assert payment_link_path(shop_id=shop.pk, invoice_id=mine_invoice.pk) in html
    assert payment_link_path(shop_id=shop.pk, invoice_id=paid_invoice.pk) not in html
    assert payment_link_path(shop_id=shop.pk, invoice_id=their_invoice.pk) not in html


def test_another_customers_invoice_download_is_404(customer_client, shop, account_orders):
    _mine, _paid, theirs = account_orders
    number = theirs.invoices.get().number
    response = customer_client.get(
        reverse(
            "storefront:invoice_download",
            kwargs={"shop_slug": shop.slug, "number": number, "fmt": "pdf"},
        )
    )
    assert response.status_code == 404

"""The customer's invoices on the account page and order page; downloads of their own only."""

import pytest
from django.test import Client

from kantoor.checkout.services import OrderItem, place_order
from kantoor.core.actors import Actor
from kantoor.invoices.models import Invoice
from tests.conftest import details_for
from tests.storefront.conftest import url


@pytest.fixture
def own_order(shop, products, make_order, customer):
    return make_order(shop, products[:2], email=customer.email, account=customer)


@pytest.fixture
def own_invoice(own_order):
    return Invoice.objects.get(order=own_order)


@pytest.fixture
def business_invoice(shop, products, customer):
    """An invoice of the customer's order for their company (a business customer)."""
    order = place_order(
        shop=shop,
        details=details_for(email=customer.email, company="Velo BV"),
        items=[OrderItem(products[0].pk, 1)],
        shipping_method="delivery",
        actor=Actor.customer(customer.email),
        account=customer,
    )
    return Invoice.objects.get(order=order)


@pytest.fixture
def someone_elses_invoice(shop, products, make_order, make_customer):
    other = make_customer(shop, email="klaas@example.test", first_name="Klaas")
    order = make_order(shop, products[:1], email=other.email, account=other)
    return Invoice.objects.get(order=order)


def download(shop, number, fmt="pdf"):
    return url(shop, "invoice_download", number=number, fmt=fmt)


def test_the_account_page_lists_the_customers_own_invoices(
    customer_client, shop, own_invoice, someone_elses_invoice
):
    html = customer_client.get(url(shop, "account")).content.decode()
    assert 'id="invoices"' in html
    assert f'data-invoice="{own_invoice.number}"' in html
    assert download(shop, own_invoice.number) in html
    assert someone_elses_invoice.number not in html


def test_an_account_without_invoices_says_so(customer_client, shop):
    assert "No invoices yet" in customer_client.get(url(shop, "account")).content.decode()


def test_the_order_page_lists_its_invoices(customer_client, shop, own_order, own_invoice):
    html = customer_client.get(url(shop, "order", number=own_order.number)).content.decode()
    assert f'data-invoice="{own_invoice.number}"' in html
    assert download(shop, own_invoice.number, "pdf") in html


def test_a_customer_downloads_their_own_invoice(customer_client, shop, own_invoice):
    pdf = customer_client.get(download(shop, own_invoice.number))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'attachment; filename="{own_invoice.number}.pdf"'
    assert pdf.content.startswith(b"%PDF")


def test_ubl_is_offered_to_business_customers_only(
    customer_client, shop, own_order, own_invoice, business_invoice
):
    """Issue 10: the UBL download was offered to consumers. An invoice to a company or with a
    VAT number offers it; a consumer's invoice does not, and its UBL answers 404."""
    for page in (url(shop, "account"), url(shop, "order", number=own_order.number)):
        html = customer_client.get(page).content.decode()
        assert download(shop, own_invoice.number, "ubl") not in html
    assert customer_client.get(download(shop, own_invoice.number, "ubl")).status_code == 404
    html = customer_client.get(url(shop, "account")).content.decode()
    assert download(shop, business_invoice.number, "ubl") in html
    ubl = customer_client.get(download(shop, business_invoice.number, "ubl"))
    assert ubl["Content-Disposition"] == f'attachment; filename="{business_invoice.number}.xml"'
    assert b"<Invoice" in ubl.content


def test_anyone_elses_invoice_is_404(
    customer_client, shop, other_shop, own_invoice, someone_elses_invoice
):
    for fmt in ("pdf", "ubl"):
        assert (
            customer_client.get(download(shop, someone_elses_invoice.number, fmt)).status_code
            == 404
        )
    assert customer_client.get(download(shop, "INV9999-0001")).status_code == 404
    assert customer_client.get(download(shop, own_invoice.number, "nlcius")).status_code == 404
    # The customer's own invoice number at another shop: no session there, so log in first;
    # and at the other shop the number is nobody's.
    response = customer_client.get(download(other_shop, own_invoice.number))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_guest_is_sent_to_log_in(shop, own_invoice):
    response = Client().get(download(shop, own_invoice.number))
    assert response.status_code == 302
    assert response["Location"].startswith(url(shop, "login"))

import pytest
from django.test import Client
from django.urls import reverse

from kantoor.customers.services import sign_up_customer
from tests.conftest import PASSWORD


def url(shop, name, **kwargs):
    return reverse(f"storefront:{name}", kwargs={"shop_slug": shop.slug, **kwargs})


@pytest.fixture
def make_customer(db):
    def make(shop, email="piet@example.test", first_name="Piet", last_name="Pieters"):
        return sign_up_customer(
            shop=shop,
            email=email,
            password=PASSWORD,
            first_name=first_name,
            last_name=last_name,
            language="en",
        )

    return make


@pytest.fixture
def customer(shop, make_customer):
    return make_customer(shop)


@pytest.fixture
def customer_client(shop, customer):
    """A client logged in as ``customer`` at ``shop`` through the log-in page."""
    client = Client()
    response = client.post(url(shop, "login"), {"email": customer.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


CHECKOUT = {
    "email": "anna@example.test",
    "first_name": "Anna",
    "last_name": "de Vries",
    "street": "Kerkstraat 12",
    "postcode": "1017 GP",
    "city": "Amsterdam",
    "country": "NL",
    "shipping_method": "delivery",
    "note": "",
}


@pytest.fixture
def checkout_data():
    return dict(CHECKOUT)


def checkout_token(client, shop) -> str:
    """Open the checkout page as a browser does (it hands out the form's one-time token) and
    return that token ("" when the cart is empty and the page sends the client away)."""
    client.get(url(shop, "checkout"))
    return (client.session.get(f"checkout:{shop.pk}") or {}).get("token", "")


def post_checkout(client, shop, data, **kwargs):
    """Send the checkout form as the page renders it: with its one-time token."""
    token = checkout_token(client, shop)
    return client.post(url(shop, "checkout"), {"checkout_token": token, **data}, **kwargs)

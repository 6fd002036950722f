"""A checkout form places one order, however often it is sent (kantoor.storefront.checkout_tokens).

The concurrent case (four POSTs at once) is tests/storefront/test_checkout_concurrency.py.
"""

from django.test import Client

from kantoor.catalog.models import StockMovement
from kantoor.invoices.models import Invoice
from kantoor.orders.models import Order
from kantoor.storefront.tokens import order_id_from_token
from tests.storefront.conftest import checkout_token, url
from tests.storefront.test_checkout import fill_cart


def confirmed_order(shop, response) -> int | None:
    """The order whose confirmation page a response sends the browser to."""
    prefix = url(shop, "confirmation", token="T").removesuffix("T/")
    if response.status_code != 302 or not response.url.startswith(prefix):
        return None
    return order_id_from_token(response.url.removeprefix(prefix).rstrip("/"), shop=shop)


def test_the_checkout_form_carries_a_one_time_token_kept_in_the_session(client, shop, products):
    fill_cart(client, shop, (products[0], 1))
    token = checkout_token(client, shop)
    assert len(token) >= 32
    html = client.get(url(shop, "checkout")).content.decode()
    assert f'name="checkout_token" value="{token}"' in html  # the same token until it is used


def test_the_same_form_sent_again_shows_the_first_order_and_places_no_other(
    client, shop, products, checkout_data
):
    fill_cart(client, shop, (products[0], 1))
    form = {**checkout_data, "checkout_token": checkout_token(client, shop)}
    first = client.post(url(shop, "checkout"), form)
    order = Order.objects.get(shop=shop)
    assert confirmed_order(shop, first) == order.pk

    # a second tab, the back button, a retry: the cart is full again, the form is the same
    fill_cart(client, shop, (products[0], 1))
    again = client.post(url(shop, "checkout"), form)
    assert confirmed_order(shop, again) == order.pk
    assert Order.objects.filter(shop=shop).count() == 1
    assert Invoice.objects.filter(shop=shop).count() == 1
    # the next checkout page gets a new token, and places the next order
    token = checkout_token(client, shop)
    assert token and token != form["checkout_token"]
    client.post(url(shop, "checkout"), {**checkout_data, "checkout_token": token})
    assert Order.objects.filter(shop=shop).count() == 2


def test_a_form_without_the_token_the_page_handed_out_places_nothing(
    client, shop, products, checkout_data
):
    fill_cart(client, shop, (products[0], 1))
    token = checkout_token(client, shop)
    for sent in ({}, {"checkout_token": ""}, {"checkout_token": "made-up-" + "x" * 30}):
        response = client.post(url(shop, "checkout"), {**checkout_data, **sent})
        html = response.content.decode()
        assert response.status_code == 200
        assert "This checkout page has expired" in html
        assert 'value="Anna"' in html  # what was typed stays
        assert f'name="checkout_token" value="{token}"' in html  # sending again works
    assert Order.objects.count() == 0
    assert client.post(url(shop, "checkout"), {**checkout_data, "checkout_token": token})
    assert Order.objects.count() == 1


def test_a_token_is_per_shop_and_per_session(client, shop, other_shop, products, checkout_data):
    fill_cart(client, shop, (products[0], 1))
    token = checkout_token(client, shop)
    # another visitor cannot use it (their session did not hand it out)
    stranger = Client()
    fill_cart(stranger, shop, (products[0], 1))
    stranger.get(url(shop, "checkout"))
    response = stranger.post(url(shop, "checkout"), {**checkout_data, "checkout_token": token})
    assert "This checkout page has expired" in response.content.decode()
    assert Order.objects.count() == 0
    assert StockMovement.objects.filter(shop=shop, reason="sale").count() == 0

"""One rule for postcodes: a Dutch one is written "1234 AB" wherever it is typed."""

import pytest
from django.urls import reverse

from kantoor.customers.countries import normalize_postcode, postcode_error
from kantoor.customers.services import AddressData
from kantoor.orders.models import Order
from tests.backoffice.test_order_detail import edit_data
from tests.storefront.conftest import CHECKOUT, post_checkout, url


@pytest.mark.parametrize("typed", ["1234AB", "1234ab", " 1234  ab ", "1234 AB", "1234 aB"])
def test_dutch_postcodes_are_written_with_a_space_and_capitals(typed):
    assert normalize_postcode(typed, "NL") == "1234 AB"
    assert postcode_error(typed, "NL") is None
    assert AddressData(name="J", street="S 1", postcode=typed, city="U").postcode == "1234 AB"


@pytest.mark.parametrize("typed", ["0123 AB", "123 AB", "12345", "1234 A", "1234 ABC", "AB 1234"])
def test_what_is_no_dutch_postcode_is_refused_with_a_clear_message(typed):
    assert "1234 AB" in postcode_error(typed, "NL")


def test_other_countries_keep_their_own_postcodes():
    assert normalize_postcode(" 10115 ", "DE") == "10115"
    assert normalize_postcode("sw1a  1aa", "GB") == "SW1A 1AA"
    assert postcode_error("1000", "BE") is None


def fill_cart(client, shop, product):
    client.post(url(shop, "cart_add"), {"product_id": product.pk, "quantity": 1})


def test_checkout_normalises_both_postcodes(client, shop, products):
    fill_cart(client, shop, products[0])
    response = post_checkout(
        client,
        shop,
        {
            **CHECKOUT,
            "postcode": "1017gp",
            "other_delivery": "on",
            "delivery_name": "Piet",
            "delivery_street": "Dorpsstraat 1",
            "delivery_postcode": "3511aa",
            "delivery_city": "Utrecht",
            "delivery_country": "NL",
        },
    )
    assert response.status_code == 302
    order = Order.objects.get(shop=shop)
    assert (order.billing_postcode, order.delivery_postcode) == ("1017 GP", "3511 AA")


def test_checkout_refuses_a_dutch_postcode_that_is_none(client, shop, products):
    fill_cart(client, shop, products[0])
    response = post_checkout(client, shop, {**CHECKOUT, "postcode": "0123 XY"})
    assert response.status_code == 200
    assert "Enter a Dutch postcode as 4 digits and 2 letters, like 1234 AB." in response.text
    assert not Order.objects.exists()


def test_the_back_office_order_edit_normalises_and_checks_postcodes(
    client, shop, products, make_order, make_staff
):
    order = make_order(shop, products[:1])
    client.force_login(make_staff(shop))
    edit = reverse("backoffice:order_edit", kwargs={"shop_slug": shop.slug, "number": order.number})
    bad = client.post(edit, edit_data(order, **{"billing-postcode": "99999"}))
    assert bad.status_code in (200, 400)
    assert "Enter a Dutch postcode" in bad.text
    client.post(edit, edit_data(order, **{"delivery-postcode": "3511ab"}))
    order.refresh_from_db()
    assert order.delivery_postcode == "3511 AB"

import pytest
from django.test import Client

from kantoor.orders.models import Order
from tests.storefront.conftest import post_checkout, url


def cart_of(client, shop):
    return client.session.get(f"cart:{shop.pk}", {})


def add(client, shop, product_id, quantity="1", **extra):
    return client.post(
        url(shop, "cart_add"), {"product_id": product_id, "quantity": quantity, **extra}
    )


def test_add_update_remove(client, shop, products):
    bel, boek, _bon = products
    response = add(client, shop, bel.pk, "2")
    assert response.status_code == 302
    add(client, shop, bel.pk, "1")
    add(client, shop, boek.pk, "1")
    assert cart_of(client, shop) == {str(bel.pk): 3, str(boek.pk): 1}

    page = client.get(url(shop, "cart"))
    html = page.content.decode()
    assert "Fietsbel" in html and "Fietsrouteboek" in html
    # 3 x 12.99 + 9.95 + shipping 6.95 = 55.87
    assert "€55.87" in html

    client.post(url(shop, "cart_update"), {"product_id": bel.pk, "quantity": "1"})
    assert cart_of(client, shop)[str(bel.pk)] == 1
    client.post(url(shop, "cart_remove"), {"product_id": boek.pk})
    assert cart_of(client, shop) == {str(bel.pk): 1}


def test_header_shows_cart_count(client, shop, products):
    add(client, shop, products[0].pk, "3")
    html = client.get(url(shop, "home")).content.decode()
    assert "3 items" in html


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("-1", "at least 1"),
        ("0", "at least 1"),
        ("abc", "whole number"),
        ("", "whole number"),
        ("1000", "at most 999"),
        ("2.5", "whole number"),
    ],
)
def test_bad_quantity_gives_a_message_and_changes_nothing(
    client, shop, products, quantity, message
):
    add(client, shop, products[0].pk, "1")
    response = add(client, shop, products[0].pk, quantity)
    assert cart_of(client, shop) == {str(products[0].pk): 1}
    page = client.get(response.url)
    assert message in page.content.decode()

    response = client.post(
        url(shop, "cart_update"), {"product_id": products[0].pk, "quantity": quantity}
    )
    assert cart_of(client, shop) == {str(products[0].pk): 1}
    assert message in client.get(response.url).content.decode()


def test_unknown_or_other_shop_product_is_refused(client, shop, other_shop, products, make_product):
    foreign = make_product(other_shop, sku="X-1", name="Vreemd")
    inactive = make_product(shop, sku="OUD", name="Oud", active=False)
    for product_id in (foreign.pk, inactive.pk, 999999, "abc", ""):
        response = add(client, shop, product_id)
        assert "not for sale" in client.get(response.url).content.decode()
    assert cart_of(client, shop) == {}


def test_more_than_in_stock_or_out_of_stock_is_refused(client, shop, make_product):
    few = make_product(shop, sku="FEW", name="Weinig", stock=2)
    none = make_product(shop, sku="NONE", name="Niets", stock=0)
    response = add(client, shop, few.pk, "3")
    assert "Only 2 of Weinig in stock" in client.get(response.url).content.decode()
    response = add(client, shop, none.pk, "1")
    assert "out of stock" in client.get(response.url).content.decode()
    assert cart_of(client, shop) == {}


def test_tampered_price_is_ignored(client, shop, products, checkout_data):
    add(client, shop, products[0].pk, "1", price="0.01", unit_price="0.01")
    post_checkout(client, shop, {**checkout_data, "price": "0.01", "total": "0.01"})
    order = Order.objects.get(shop=shop)
    assert order.lines.get().unit_price == products[0].price


def test_post_without_csrf_token_is_refused(shop, products):
    client = Client(enforce_csrf_checks=True)
    response = client.post(url(shop, "cart_add"), {"product_id": products[0].pk, "quantity": 1})
    assert response.status_code == 403
    assert client.session.get(f"cart:{shop.pk}") is None


def test_carts_are_per_shop(client, shop, other_shop, products, make_product):
    add(client, shop, products[0].pk, "1")
    assert cart_of(client, other_shop) == {}
    html = client.get(url(other_shop, "cart")).content.decode()
    assert "Your cart is empty" in html


def test_product_no_longer_for_sale_leaves_the_cart(client, shop, products):
    add(client, shop, products[0].pk, "1")
    products[0].active = False
    products[0].save()
    html = client.get(url(shop, "cart")).content.decode()
    assert "no longer for sale" in html
    assert cart_of(client, shop) == {}

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from kantoor.core.money import format_money as money
from tests.storefront.conftest import url


def test_product_list_shows_products_with_price_vat_note_and_stock(client, shop, products):
    response = client.get(url(shop, "home"))
    assert response.status_code == 200
    html = response.content.decode()
    for product in products:
        assert product.name in html
    assert "€12.99" in html
    assert "incl. VAT" in html
    assert "In stock" in html


def test_shop_with_prices_excluding_vat_says_so(client, make_shop, make_product):
    shop = make_shop(slug="zakelijk", name="Zakelijk", prices_include_vat=False)
    make_product(shop)
    assert "excl. VAT" in client.get(url(shop, "home")).content.decode()


def test_unknown_shop_is_404(client, db):
    assert client.get("/shop/no-such-shop/").status_code == 404


def test_product_page(client, shop, products):
    response = client.get(url(shop, "product", sku="BEL-01"))
    assert response.status_code == 200
    assert "Fietsbel" in response.content.decode()


def test_product_of_another_shop_or_inactive_is_404(client, shop, other_shop, make_product):
    make_product(other_shop, sku="ANDER-1", name="Ander ding")
    make_product(shop, sku="OUD-1", name="Oud ding", active=False)
    assert client.get(url(shop, "product", sku="ANDER-1")).status_code == 404
    assert client.get(url(shop, "product", sku="OUD-1")).status_code == 404


def test_out_of_stock_product_cannot_be_added(client, shop, make_product):
    make_product(shop, sku="OP-1", name="Uitverkocht", stock=0)
    html = client.get(url(shop, "home")).content.decode()
    assert "Out of stock" in html
    assert 'name="product_id"' not in html


def test_pages_in_dutch_use_dutch_number_format(shop, products):
    client = Client(headers={"accept-language": "nl"})
    html = client.get(url(shop, "home")).content.decode()
    assert "€\u00a012,99" in html
    assert "incl. btw" in html or "incl. VAT" in html  # until the .po files are translated


@pytest.mark.parametrize(
    ("language", "amount", "expected"),
    [
        ("en", Decimal("1234.5"), "€1,234.50"),
        ("nl", Decimal("1234.5"), "€\u00a01.234,50"),
        ("en", Decimal("-5"), "-€5.00"),
        ("en", Decimal("0"), "€0.00"),
    ],
)
def test_money_filter(language, amount, expected):
    with translation.override(language):
        assert money(amount, "EUR") == expected

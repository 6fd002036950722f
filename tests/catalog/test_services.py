import pytest
from django.db import IntegrityError

from kantoor.catalog.models import MovementReason, Product, StockMovement
from kantoor.catalog.selectors import product_for_sale, products_for_sale, stock_level_from_ledger
from kantoor.catalog.services import (
    InsufficientStock,
    StockChange,
    book_stock_movements,
    correct_stock,
    lock_products,
)


def test_stock_level_is_the_ledger_sum(shop, make_product):
    product = make_product(shop, stock=5)
    correct_stock(shop=shop, product=product, quantity=-2, note="counted")
    correct_stock(shop=shop, product=product, quantity=7)
    product.refresh_from_db()
    assert product.stock_level == 10 == stock_level_from_ledger(product=product)
    assert list(
        StockMovement.objects.filter(product=product)
        .order_by("pk")
        .values_list("quantity", flat=True)
    ) == [5, -2, 7]


def test_a_sale_below_zero_is_refused_and_writes_nothing(shop, make_product):
    product = make_product(shop, stock=2)
    locked = lock_products(shop=shop, product_ids=[product.pk])[product.pk]
    with pytest.raises(InsufficientStock, match="Fietsbel"):
        book_stock_movements(
            shop=shop,
            changes=[StockChange(product=locked, quantity=-3)],
            reason=MovementReason.SALE,
        )
    product.refresh_from_db()
    assert product.stock_level == 2
    assert StockMovement.objects.filter(reason=MovementReason.SALE).count() == 0


def test_untracked_products_have_no_ledger(shop, make_product):
    product = make_product(shop, track_stock=False)
    book_stock_movements(
        shop=shop, changes=[StockChange(product=product, quantity=-50)], reason=MovementReason.SALE
    )
    assert not StockMovement.objects.filter(product=product).exists()


def test_sku_is_unique_per_shop_only(shop, other_shop, make_product):
    make_product(shop, sku="SAME")
    make_product(other_shop, sku="SAME")
    with pytest.raises(IntegrityError):
        make_product(shop, sku="SAME")


def test_selectors_are_scoped_to_the_shop(shop, other_shop, make_product):
    mine = make_product(shop, sku="MINE")
    make_product(other_shop, sku="THEIRS")
    make_product(shop, sku="OFF", active=False)
    assert list(products_for_sale(shop=shop)) == [mine]
    from django.http import Http404

    with pytest.raises(Http404):
        product_for_sale(shop=shop, sku="THEIRS")
    with pytest.raises(Http404):
        product_for_sale(shop=shop, sku="OFF")
    assert Product.objects.count() == 3

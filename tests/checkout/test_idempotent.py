"""place_order with a checkout token places one order per token and shop (SQLite and PostgreSQL)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kantoor.catalog.models import MovementReason, StockMovement
from kantoor.checkout.services import OrderItem, place_order
from kantoor.core.actors import Actor
from kantoor.invoices.models import Invoice
from kantoor.messaging.models import Message
from kantoor.orders.errors import OrderAlreadyPlaced, OrderError
from kantoor.orders.models import Order
from tests.conftest import details_for


def _place(shop, product, token, quantity=1):
    return place_order(
        shop=shop,
        details=details_for(),
        items=[OrderItem(product.pk, quantity)],
        shipping_method="delivery",
        actor=Actor.customer("jan@example.test"),
        checkout_token=token,
    )


def test_a_second_placing_with_the_same_token_names_the_first_order_and_writes_nothing(
    shop, products
):
    first = _place(shop, products[0], "token-1")
    stock = StockMovement.objects.filter(shop=shop, reason=MovementReason.SALE).count()
    messages = Message.objects.count()
    with pytest.raises(OrderAlreadyPlaced) as refused:
        _place(shop, products[0], "token-1", quantity=2)
    assert isinstance(refused.value, OrderError)  # views show it like any refusal
    assert refused.value.order == first
    assert refused.value.code == "order_already_placed"
    assert Order.objects.filter(shop=shop).count() == 1
    assert Invoice.objects.filter(shop=shop).count() == 1
    assert StockMovement.objects.filter(shop=shop, reason=MovementReason.SALE).count() == stock
    assert Message.objects.count() == messages
    products[0].refresh_from_db()
    assert products[0].stock_level == 9


def test_tokens_are_per_shop_and_orders_without_one_are_not_limited(
    shop, other_shop, products, make_product
):
    _place(shop, products[0], "token-1")
    _place(other_shop, make_product(other_shop, sku="A-1"), "token-1")
    _place(shop, products[0], "")
    _place(shop, products[0], "")
    assert Order.objects.filter(shop=shop).count() == 3
    assert Order.objects.filter(shop=other_shop).count() == 1


def test_the_token_costs_no_statement(shop, products):
    """The unique index does the check: a returning guest's order takes as many statements
    with a token as without (14 on PostgreSQL, benchmarks/place_order.py)."""
    _place(shop, products[0], "")
    with CaptureQueriesContext(connection) as without:
        _place(shop, products[0], "")
    with CaptureQueriesContext(connection) as with_token:
        _place(shop, products[0], "token-2")
    assert len(with_token.captured_queries) == len(without.captured_queries)


def test_an_order_whose_total_no_column_holds_is_refused_and_nothing_is_written(shop, make_product):
    castle = make_product(shop, sku="KASTEEL", price="9999999999.99", stock=0, track_stock=False)
    with pytest.raises(OrderError, match="is too large") as refused:
        place_order(
            shop=shop,
            details=details_for(),
            items=[OrderItem(castle.pk, 999)],
            shipping_method="delivery",
            actor=Actor.customer("jan@example.test"),
        )
    assert refused.value.code == "amount_too_large"
    assert not Order.objects.exists() and not Invoice.objects.exists()
    assert not Message.objects.exists()

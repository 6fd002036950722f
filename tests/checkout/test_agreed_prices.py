"""place_order with what the shop agreed instead of the catalogue: an agreed unit price, a free
line without a product, an agreed shipping fee (a quote's, a replacement's)."""

from decimal import Decimal

import pytest

from kantoor.catalog.models import StockMovement
from kantoor.checkout.services import OrderItem, place_order
from kantoor.core.actors import Actor
from kantoor.orders.errors import OrderError
from kantoor.orders.models import Order
from tests.conftest import details_for


def place(shop, items, **kw):
    return place_order(
        shop=shop,
        details=details_for(),
        items=items,
        shipping_method="delivery",
        actor=Actor.customer("jan@example.test"),
        **kw,
    )


def test_agreed_prices_free_lines_and_an_agreed_shipping_fee(shop, products):
    bell = products[0]
    order = place(
        shop,
        [
            OrderItem(bell.pk, 2, agreed_price=Decimal("10.00")),
            OrderItem(
                None, 1, agreed_price=Decimal("45.00"), description="Montage", vat_rate=Decimal(21)
            ),
        ],
        shipping_fee=Decimal("2.50"),
    )
    lines = [
        (line.name, line.quantity, line.unit_price, line.product_id) for line in order.lines.all()
    ]
    assert lines == [
        ("Fietsbel", 2, Decimal("10.00"), bell.pk),
        ("Montage", 1, Decimal("45.00"), None),
    ]
    assert order.shipping_cost == Decimal("2.50")
    assert order.total_gross == Decimal("67.50")  # the shop's prices include VAT
    [invoice] = order.invoices.all()
    assert invoice.total_gross == order.total_gross
    # Stock is booked for the product only.
    assert StockMovement.objects.filter(reference=order.number).count() == 1


@pytest.mark.parametrize(
    "item",
    [
        OrderItem(None, 1, agreed_price=Decimal("5.00"), vat_rate=Decimal(21)),  # no description
        OrderItem(None, 1, description="Iets", vat_rate=Decimal(21)),  # no price
        OrderItem(None, 1, agreed_price=Decimal("5.00"), description="Iets"),  # no VAT rate
    ],
)
def test_a_free_line_needs_a_description_a_price_and_a_vat_rate(shop, item):
    with pytest.raises(OrderError):
        place(shop, [item])
    assert not Order.objects.exists()


def test_an_agreed_price_cannot_be_negative(shop, products):
    with pytest.raises(OrderError):
        place(shop, [OrderItem(products[0].pk, 1, agreed_price=Decimal("-1.00"))])
    assert not Order.objects.exists()

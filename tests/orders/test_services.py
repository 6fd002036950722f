"""place_order and change_order_status: the shop owner's story, given / when / then."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from kantoor.catalog.models import MovementReason, StockMovement
from kantoor.catalog.selectors import stock_level_from_ledger
from kantoor.checkout.services import OrderItem, place_order
from kantoor.core.actors import Actor
from kantoor.core.money import PriceLine, compute_totals
from kantoor.core.statuses import OrderStatus, allowed_next_statuses
from kantoor.customers.models import Customer
from kantoor.orders.events import OrderEventKind
from kantoor.orders.models import Order, OrderEvent
from kantoor.orders.services import OrderError, change_order_status
from tests.conftest import details_for


def test_place_order_writes_everything_in_one_go(shop, products, make_order):
    bell, book, voucher = products
    order = make_order(shop, products, quantities=[2, 1, 1])

    assert order.number.startswith("ORD") and order.number.endswith("-0001")
    assert order.status == OrderStatus.NEW
    lines = list(order.lines.all())
    assert [(line.sku, line.quantity, line.unit_price) for line in lines] == [
        ("BEL-01", 2, Decimal("12.99")),
        ("BOEK-01", 1, Decimal("9.95")),
        ("BON-25", 1, Decimal("25.00")),
    ]
    expected = compute_totals(
        [
            PriceLine(Decimal("12.99"), 2, Decimal("21")),
            PriceLine(Decimal("9.95"), 1, Decimal("9")),
            PriceLine(Decimal("25.00"), 1, Decimal("0")),
            PriceLine(shop.shipping_fee, 1, shop.shipping_vat_rate),
        ],
        prices_include_vat=shop.prices_include_vat,
    )
    assert (order.total_net, order.total_vat, order.total_gross) == (
        expected.net,
        expected.vat,
        expected.gross,
    )
    assert order.item_count == 4
    bell.refresh_from_db()
    voucher.refresh_from_db()
    assert bell.stock_level == 8 == stock_level_from_ledger(product=bell)
    assert voucher.stock_level == 0  # not tracked: no ledger rows
    assert not StockMovement.objects.filter(product=voucher).exists()
    sale = StockMovement.objects.get(product=bell, reason=MovementReason.SALE)
    assert (sale.quantity, sale.reference) == (-2, order.number)
    event = OrderEvent.objects.get(order=order)
    assert event.kind == OrderEventKind.PLACED
    assert event.data["total"] == str(order.total_gross)


def test_prices_come_from_the_catalogue_at_the_time(shop, products, make_order):
    order = make_order(shop, products[:1])
    products[0].price = Decimal("99.00")
    products[0].name = "Renamed"
    products[0].save()
    line = order.lines.get()
    assert (line.unit_price, line.name) == (Decimal("12.99"), "Fietsbel")


def test_same_product_twice_is_one_line(shop, products):
    order = place_order(
        shop=shop,
        details=details_for(),
        items=[OrderItem(products[0].pk, 1), OrderItem(products[0].pk, 2)],
        shipping_method="pickup",
        actor=Actor.system(),
    )
    assert [(line.quantity) for line in order.lines.all()] == [3]
    assert order.shipping_cost == Decimal("0.00")


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (lambda p: [], "empty"),
        (lambda p: [OrderItem(p[0].pk, 0)], "quantity"),
        (lambda p: [OrderItem(p[0].pk, -1)], "quantity"),
        (lambda p: [OrderItem(p[0].pk, 1000)], "quantity"),
        (lambda p: [OrderItem(999_999, 1)], "no longer for sale"),
        (lambda p: [OrderItem(p[0].pk, 11)], "Not enough in stock"),
    ],
)
def test_bad_orders_are_refused_and_write_nothing(shop, products, items, message):
    with pytest.raises(OrderError, match=message):
        place_order(
            shop=shop,
            details=details_for(),
            items=items(products),
            shipping_method="delivery",
            actor=Actor.system(),
        )
    assert Order.objects.count() == 0
    assert Customer.objects.count() == 0
    assert StockMovement.objects.exclude(reason=MovementReason.CORRECTION).count() == 0
    products[0].refresh_from_db()
    assert products[0].stock_level == 10


def test_another_shops_product_cannot_be_ordered(shop, other_shop, make_product):
    foreign = make_product(other_shop, sku="X")
    with pytest.raises(OrderError):
        place_order(
            shop=shop,
            details=details_for(),
            items=[OrderItem(foreign.pk, 1)],
            shipping_method="delivery",
            actor=Actor.system(),
        )
    assert Order.objects.count() == 0


def test_inactive_product_and_unknown_shipping_are_refused(shop, products):
    with pytest.raises(OrderError, match="shipping"):
        place_order(
            shop=shop,
            details=details_for(),
            items=[OrderItem(products[0].pk, 1)],
            shipping_method="drone",
            actor=Actor.system(),
        )
    products[0].active = False
    products[0].save()
    with pytest.raises(OrderError, match="no longer for sale"):
        place_order(
            shop=shop,
            details=details_for(),
            items=[OrderItem(products[0].pk, 1)],
            shipping_method="delivery",
            actor=Actor.system(),
        )


def test_a_failure_after_placing_rolls_the_whole_order_back(shop, products):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        place_order(
            shop=shop,
            details=details_for(),
            items=[OrderItem(products[0].pk, 2)],
            shipping_method="delivery",
            actor=Actor.system(),
        )
        raise Boom
    products[0].refresh_from_db()
    assert products[0].stock_level == 10
    assert Order.objects.count() == 0
    order = place_order(
        shop=shop,
        details=details_for(),
        items=[OrderItem(products[0].pk, 1)],
        shipping_method="delivery",
        actor=Actor.system(),
    )
    assert order.number.endswith("-0001")  # the rolled-back number was given back


def test_guest_orders_attach_to_one_customer_per_email(shop, other_shop, make_product, products):
    a = place_order(
        shop=shop,
        details=details_for(email="Piet@Example.test"),
        items=[OrderItem(products[2].pk, 1)],
        shipping_method="delivery",
        actor=Actor.system(),
    )
    b = place_order(
        shop=shop,
        details=details_for(email="piet@example.test", first_name="Pieter"),
        items=[OrderItem(products[2].pk, 1)],
        shipping_method="delivery",
        actor=Actor.system(),
    )
    assert a.customer_id == b.customer_id
    assert Customer.objects.get(pk=a.customer_id).first_name == "Pieter"
    c = place_order(
        shop=other_shop,
        details=details_for(email="piet@example.test"),
        items=[OrderItem(make_product(other_shop, sku="Y").pk, 1)],
        shipping_method="delivery",
        actor=Actor.system(),
    )
    assert c.customer_id != a.customer_id


def test_a_guest_cannot_change_an_account_holders_details(shop, products):
    account = Customer.objects.create(shop=shop, email="anna@example.test", first_name="Anna")
    account.set_password("a-long-secret")
    account.save()
    order = place_order(
        shop=shop,
        details=details_for(email="anna@example.test", first_name="Mallory"),
        items=[OrderItem(products[2].pk, 1)],
        shipping_method="delivery",
        actor=Actor.system(),
    )
    account.refresh_from_db()
    assert account.first_name == "Anna"
    assert order.first_name == "Mallory"  # the order keeps what was typed


def test_change_status_records_the_event(shop, products, make_order, owner):
    order = make_order(shop, products[:1])
    change_order_status(
        shop=shop, order=order, status=OrderStatus.SHIPPED, actor=Actor.staff(owner)
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    event = OrderEvent.objects.get(order=order, kind=OrderEventKind.STATUS_CHANGED)
    assert event.data == {"before": 1, "after": 5}
    assert event.actor == owner


def test_cancelling_books_stock_back_once_and_closes_the_order(shop, products, make_order):
    order = make_order(shop, products, quantities=[3, 1, 1])
    change_order_status(shop=shop, order=order, status=OrderStatus.CANCELLED, actor=Actor.system())
    change_order_status(shop=shop, order=order, status=OrderStatus.CANCELLED, actor=Actor.system())
    bell = products[0]
    bell.refresh_from_db()
    assert bell.stock_level == 10 == stock_level_from_ledger(product=bell)
    assert StockMovement.objects.filter(reason=MovementReason.CANCELLATION).count() == 2
    with pytest.raises(OrderError):
        change_order_status(
            shop=shop, order=order, status=OrderStatus.IN_PROCESS, actor=Actor.system()
        )
    assert OrderEvent.objects.filter(order=order, kind=OrderEventKind.STATUS_CHANGED).count() == 1


def test_no_way_back_to_new(shop, products, make_order):
    order = make_order(shop, products[:1])
    change_order_status(shop=shop, order=order, status=OrderStatus.IN_PROCESS, actor=Actor.system())
    assert OrderStatus.NEW not in allowed_next_statuses(OrderStatus.IN_PROCESS)
    with pytest.raises(OrderError):
        change_order_status(shop=shop, order=order, status=OrderStatus.NEW, actor=Actor.system())


def test_status_change_is_scoped_to_the_shop(shop, other_shop, products, make_order):
    order = make_order(shop, products[:1])
    with pytest.raises(Order.DoesNotExist):
        change_order_status(
            shop=other_shop, order=order, status=OrderStatus.SHIPPED, actor=Actor.system()
        )
    order.refresh_from_db()
    assert order.status == OrderStatus.NEW


def test_the_fixed_status_list():
    assert [(s.value, s.code) for s in OrderStatus] == [
        (1, "new"),
        (2, "in_process"),
        (3, "awaiting_manufacturer"),
        (4, "awaiting_payment"),
        (5, "shipped"),
        (6, "delivered"),
        (7, "completed"),
        (8, "cancelled"),
        (9, "awaiting_supplier"),
        (10, "being_packed"),
        (11, "ready_for_pickup"),
        (12, "being_assembled"),
        (13, "backorder"),
        (14, "reserved"),
    ]


def test_events_are_append_only(shop, products, make_order):
    event = OrderEvent.objects.get(order=make_order(shop, products[:1]))
    event.actor_label = "someone else"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()

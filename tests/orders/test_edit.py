"""edit_order and add_order_note: the shop owner corrects an order, given / when / then."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from kantoor.catalog.models import MovementReason, StockMovement
from kantoor.catalog.selectors import stock_level_from_ledger
from kantoor.core.actors import Actor
from kantoor.core.money import PriceLine, compute_totals
from kantoor.core.statuses import OrderStatus
from kantoor.customers.services import AddressData
from kantoor.orders.events import OrderEventKind
from kantoor.orders.models import Order, OrderEvent, OrderLine
from kantoor.orders.services import (
    LineEdit,
    OrderError,
    add_order_note,
    change_order_status,
    edit_order,
)

DELIVERY = AddressData(name="Jan Jansen", street="Oudegracht 1", postcode="3511 AA", city="Utrecht")


def current_lines(order):
    return [
        LineEdit(line_id=line.pk, quantity=line.quantity, unit_price=line.unit_price)
        for line in order.lines.order_by("position")
    ]


def billing_of(order):
    return AddressData(
        name=order.billing_name,
        company=order.billing_company,
        street=order.billing_street,
        postcode=order.billing_postcode,
        city=order.billing_city,
        country=order.billing_country,
    )


def edit(order, actor, **changes):
    order.refresh_from_db()
    arguments = {
        "lines": current_lines(order),
        "shipping_cost": order.shipping_cost,
        "billing": billing_of(order),
        "delivery": DELIVERY,
        "expected_version": order.version,
    }
    arguments.update(changes)
    return edit_order(shop=order.shop, order=order, actor=actor, **arguments)


@pytest.fixture
def staff(owner):
    return Actor.staff(owner)


@pytest.fixture
def order(shop, products, make_order):
    bell, book, _voucher = products
    return make_order(shop, [bell, book], quantities=[2, 1])


def assert_ledger_right(*products):
    for product in products:
        product.refresh_from_db()
        assert product.stock_level == stock_level_from_ledger(product=product), product.sku


def test_changing_quantities_and_prices_recomputes_totals_and_books_the_stock_difference(
    shop, products, order, staff
):
    bell, book, voucher = products
    bell_line, book_line = order.lines.order_by("position")

    edited = edit(
        order,
        staff,
        lines=[
            LineEdit(line_id=bell_line.pk, quantity=5, unit_price=Decimal("11.50")),
            # the book is removed; a voucher is added at the catalogue price
            LineEdit(line_id=None, product_id=voucher.pk, quantity=2, unit_price=None),
        ],
        shipping_cost=Decimal("4.95"),
    )

    expected = compute_totals(
        [
            PriceLine(Decimal("11.50"), 5, Decimal("21")),
            PriceLine(Decimal("25.00"), 2, Decimal("0")),
            PriceLine(Decimal("4.95"), 1, shop.shipping_vat_rate),
        ],
        prices_include_vat=shop.prices_include_vat,
    )
    edited.refresh_from_db()
    assert (edited.total_net, edited.total_vat, edited.total_gross) == (
        expected.net,
        expected.vat,
        expected.gross,
    )
    assert edited.item_count == 7
    assert edited.shipping_cost == Decimal("4.95")
    assert edited.version == 2
    lines = list(edited.lines.order_by("position"))
    assert [(line.sku, line.quantity, line.unit_price) for line in lines] == [
        ("BEL-01", 5, Decimal("11.50")),
        ("BON-25", 2, Decimal("25.00")),
    ]
    assert [line.total_gross for line in lines] == [a.gross for a in expected.lines[:2]]

    # Stock: 3 more bells sold, the book back on the shelf; the voucher is not tracked.
    bell.refresh_from_db()
    book.refresh_from_db()
    assert bell.stock_level == 10 - 5
    assert book.stock_level == 10
    assert_ledger_right(bell, book, voucher)
    extra_sale = StockMovement.objects.get(product=bell, note="Order edited")
    assert (extra_sale.quantity, extra_sale.reason, extra_sale.reference) == (
        -3,
        MovementReason.SALE,
        order.number,
    )
    back = StockMovement.objects.get(product=book, note="Order edited")
    assert (back.quantity, back.reason) == (1, MovementReason.CANCELLATION)
    assert not StockMovement.objects.filter(product=voucher).exists()


def test_an_edit_is_one_event_with_every_change_before_and_after(products, order, staff, owner):
    bell, book, voucher = products
    bell_line, book_line = order.lines.order_by("position")
    total_before = order.total_gross
    new_billing = AddressData(
        name="Jan Jansen", company="Jansen BV", street="Neude 5", postcode="3512 AD", city="Utrecht"
    )

    edited = edit(
        order,
        staff,
        lines=[
            LineEdit(line_id=bell_line.pk, quantity=3, unit_price=Decimal("10.00")),
            LineEdit(line_id=None, product_id=voucher.pk, quantity=1, unit_price=Decimal("20")),
        ],
        shipping_cost=Decimal("0.00"),
        billing=new_billing,
    )

    event = OrderEvent.objects.get(order=order, kind=OrderEventKind.EDITED)
    assert event.actor == owner
    assert event.data["total"] == [str(total_before), str(edited.total_gross)]
    assert event.data["changes"] == [
        {"what": "quantity", "name": "Fietsbel", "sku": "BEL-01", "before": 2, "after": 3},
        {
            "what": "unit_price",
            "name": "Fietsbel",
            "sku": "BEL-01",
            "before": "12.99",
            "after": "10.00",
        },
        {
            "what": "line_removed",
            "name": "Fietsrouteboek",
            "sku": "BOEK-01",
            "quantity": 1,
            "unit_price": "9.95",
        },
        {
            "what": "line_added",
            "name": "Cadeaubon",
            "sku": "BON-25",
            "quantity": 1,
            "unit_price": "20.00",
        },
        {"what": "shipping_cost", "before": "6.95", "after": "0.00"},
        {
            "what": "billing_address",
            "before": "Jan Jansen, Oudegracht 1, 3511 AA Utrecht, NL",
            "after": "Jan Jansen, Jansen BV, Neude 5, 3512 AD Utrecht, NL",
        },
    ]


def test_an_edit_that_changes_nothing_writes_nothing(order, staff):
    edited = edit(order, staff)
    assert edited.version == 1
    assert not OrderEvent.objects.filter(order=order, kind=OrderEventKind.EDITED).exists()


@pytest.mark.parametrize("status", [OrderStatus.COMPLETED, OrderStatus.CANCELLED])
def test_completed_and_cancelled_orders_cannot_be_edited(shop, products, order, staff, status):
    change_order_status(shop=shop, order=order, status=status, actor=staff)
    order.refresh_from_db()
    before = list(OrderLine.objects.filter(order=order).values_list("quantity", flat=True))

    with pytest.raises(OrderError, match="cannot be edited"):
        edit(
            order,
            staff,
            lines=[LineEdit(line_id=current_lines(order)[0].line_id, quantity=9, unit_price=None)],
        )

    assert list(OrderLine.objects.filter(order=order).values_list("quantity", flat=True)) == before
    assert not OrderEvent.objects.filter(order=order, kind=OrderEventKind.EDITED).exists()
    assert_ledger_right(*products)


def test_a_stale_version_is_refused_and_nothing_is_written(shop, products, order, staff):
    bell = products[0]
    seen_version = order.version
    # Someone else moves the order on in the meantime.
    change_order_status(shop=shop, order=order, status=OrderStatus.IN_PROCESS, actor=staff)
    movements = StockMovement.objects.count()

    with pytest.raises(OrderError, match="Someone else changed this order"):
        edit(
            order,
            staff,
            lines=[LineEdit(line_id=current_lines(order)[0].line_id, quantity=9, unit_price=None)],
            expected_version=seen_version,
        )

    order.refresh_from_db()
    assert order.version == seen_version + 1
    assert order.lines.count() == 2
    assert StockMovement.objects.count() == movements
    bell.refresh_from_db()
    assert bell.stock_level == 8
    assert not OrderEvent.objects.filter(order=order, kind=OrderEventKind.EDITED).exists()


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([], "at least one line"),
        ([LineEdit(line_id=None, product_id=None, quantity=1, unit_price=None)], "catalogue"),
        ([LineEdit(line_id=None, product_id=999999, quantity=1, unit_price=None)], "catalogue"),
        ("qty0", "between 1 and 999"),
        ("qty1000", "between 1 and 999"),
        ("negative", "cannot be negative"),
        ("foreign", "has changed"),
    ],
)
def test_bad_edits_are_refused_and_write_nothing(
    shop, other_shop, make_product, make_order, products, order, staff, lines, message
):
    first = order.lines.order_by("position").first()
    if lines == "qty0":
        lines = [LineEdit(line_id=first.pk, quantity=0, unit_price=None)]
    elif lines == "qty1000":
        lines = [LineEdit(line_id=first.pk, quantity=1000, unit_price=None)]
    elif lines == "negative":
        lines = [LineEdit(line_id=first.pk, quantity=1, unit_price=Decimal("-1"))]
    elif lines == "foreign":
        stranger = make_order(other_shop, [make_product(other_shop)])
        lines = [LineEdit(line_id=stranger.lines.first().pk, quantity=1, unit_price=None)]

    with pytest.raises(OrderError, match=message):
        edit(order, staff, lines=lines)

    order.refresh_from_db()
    assert order.version == 1
    assert order.lines.count() == 2
    assert_ledger_right(*products)


def test_another_shops_product_cannot_be_added(other_shop, make_product, order, staff):
    foreign = make_product(other_shop, sku="X-1")
    with pytest.raises(OrderError, match="catalogue"):
        edit(
            order,
            staff,
            lines=[
                *current_lines(order),
                LineEdit(product_id=foreign.pk, quantity=1, unit_price=None),
            ],
        )
    foreign.refresh_from_db()
    assert foreign.stock_level == 10


def test_selling_more_than_in_stock_is_refused_with_the_product_name(products, order, staff):
    bell_line = order.lines.order_by("position").first()
    with pytest.raises(OrderError, match="Not enough in stock: Fietsbel"):
        edit(order, staff, lines=[LineEdit(line_id=bell_line.pk, quantity=11, unit_price=None)])
    assert_ledger_right(*products)
    assert Order.objects.get(pk=order.pk).version == 1


def test_another_shops_order_cannot_be_edited(other_shop, order, staff):
    with pytest.raises(Order.DoesNotExist):
        edit_order(
            shop=other_shop,
            order=order,
            lines=current_lines(order),
            shipping_cost=Decimal("0"),
            billing=billing_of(order),
            delivery=DELIVERY,
            expected_version=order.version,
            actor=staff,
        )


def test_cancelling_an_edited_order_books_the_edited_quantities_back(shop, products, order, staff):
    bell, book, _ = products
    bell_line = order.lines.order_by("position").first()
    edit(order, staff, lines=[LineEdit(line_id=bell_line.pk, quantity=4, unit_price=None)])

    change_order_status(shop=shop, order=order, status=OrderStatus.CANCELLED, actor=staff)

    bell.refresh_from_db()
    book.refresh_from_db()
    assert (bell.stock_level, book.stock_level) == (10, 10)
    assert_ledger_right(bell, book)


def test_a_note_becomes_an_event_and_leaves_the_order_alone(shop, order, staff, owner):
    event = add_order_note(shop=shop, order=order, text="  Klant belt terug  ", actor=staff)

    assert event.kind == OrderEventKind.NOTE_ADDED
    assert event.data == {"text": "Klant belt terug"}
    assert event.actor == owner
    order.refresh_from_db()
    assert order.version == 1  # an open edit form stays valid


@pytest.mark.parametrize(("text", "message"), [("   ", "Write a note"), ("x" * 2001, "at most")])
def test_an_empty_or_too_long_note_is_refused(shop, order, staff, text, message):
    with pytest.raises(OrderError, match=message):
        add_order_note(shop=shop, order=order, text=text, actor=staff)
    assert not OrderEvent.objects.filter(order=order, kind=OrderEventKind.NOTE_ADDED).exists()


def test_a_note_on_another_shops_order_is_refused(other_shop, order, staff):
    with pytest.raises(Order.DoesNotExist):
        add_order_note(shop=other_shop, order=order, text="hello", actor=staff)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_editing_at_once_cannot_lose_each_others_change(
    shop, products, make_order, owner, make_staff
):
    """Both read version 1 and submit at once: one wins, the other gets the clear message."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent row locks are a PostgreSQL test; SQLite serialises writers")
    bell, book, _ = products
    order = make_order(shop, [bell, book], quantities=[1, 1])
    bell_line, book_line = order.lines.order_by("position")
    actors = [Actor.staff(owner), Actor.staff(make_staff(shop))]
    wanted = [5, 7]  # each wants a different bell quantity
    results: dict[int, str] = {}
    start = threading.Barrier(2)

    def worker(index: int) -> None:
        try:
            stale = Order.objects.get(pk=order.pk)  # both see version 1
            start.wait()
            edit_order(
                shop=shop,
                order=stale,
                lines=[
                    LineEdit(line_id=bell_line.pk, quantity=wanted[index], unit_price=None),
                    LineEdit(line_id=book_line.pk, quantity=1, unit_price=None),
                ],
                shipping_cost=stale.shipping_cost,
                billing=billing_of(stale),
                delivery=DELIVERY,
                expected_version=1,
                actor=actors[index],
            )
            results[index] = "won"
        except OrderError as error:
            results[index] = str(error)
        except Exception as error:  # pragma: no cover - reported below
            results[index] = f"unexpected {error!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [0, 1]
    winners = [i for i, result in results.items() if result == "won"]
    assert len(winners) == 1, results
    loser = 1 - winners[0]
    assert "Someone else changed this order" in results[loser]
    order.refresh_from_db()
    assert order.version == 2
    assert order.lines.get(pk=bell_line.pk).quantity == wanted[winners[0]]
    events = OrderEvent.objects.filter(order=order, kind=OrderEventKind.EDITED)
    assert events.count() == 1
    assert events.get().actor_label == actors[winners[0]].label
    bell.refresh_from_db()
    assert bell.stock_level == 10 - wanted[winners[0]] == stock_level_from_ledger(product=bell)


@pytest.mark.parametrize(
    ("unit_price", "quantity", "shipping_cost"),
    [
        (Decimal("9999999999.99"), 999, None),  # the line total overflows its column
        (Decimal("10000000000.00"), 1, None),  # the unit price overflows its column
        (None, 1, Decimal("10000000000.00")),  # the shipping cost overflows its column
    ],
)
def test_an_edit_with_amounts_larger_than_the_columns_is_refused_and_writes_nothing(
    products, order, staff, unit_price, quantity, shipping_cost
):
    first = order.lines.order_by("position").first()
    lines = [LineEdit(line_id=first.pk, quantity=quantity, unit_price=unit_price)]
    changes = {"lines": lines}
    if shipping_cost is not None:
        changes["shipping_cost"] = shipping_cost
    with pytest.raises(OrderError, match="is too large") as refused:
        edit(order, staff, **changes)
    assert refused.value.code == "amount_too_large"

    order.refresh_from_db()
    assert order.version == 1 and order.lines.count() == 2
    assert OrderLine.objects.get(pk=first.pk).quantity == first.quantity
    assert not OrderEvent.objects.filter(order=order, kind=OrderEventKind.EDITED).exists()
    assert_ledger_right(*products)


def test_the_largest_amounts_the_columns_hold_are_accepted(products, order, staff):
    first = order.lines.order_by("position").first()
    edited = edit(
        order,
        staff,
        lines=[LineEdit(line_id=first.pk, quantity=10, unit_price=Decimal("9999999999.99"))],
    )
    edited.refresh_from_db()  # and it reads back (SQLite stored larger ones it could not read)
    line = edited.lines.get()
    assert (line.unit_price, line.total_gross) == (
        Decimal("9999999999.99"),
        Decimal("99999999999.90"),
    )

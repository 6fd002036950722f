"""The bulk path (place_orders_in_bulk) keeps every invariant of place_order."""

import datetime
import random
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.utils import timezone

from kantoor.catalog.models import MovementReason, Product, StockMovement
from kantoor.catalog.selectors import stock_level_from_ledger
from kantoor.catalog.services import correct_stock
from kantoor.checkout.services import (
    BulkOrderRequest,
    OrderItem,
    StatusChange,
    place_order,
    place_orders_in_bulk,
)
from kantoor.core.actors import Actor
from kantoor.core.money import PriceLine, compute_totals
from kantoor.core.statuses import OrderStatus
from kantoor.invoices.models import Invoice, InvoiceLine
from kantoor.orders.events import OrderEventKind
from kantoor.orders.models import Order, OrderEvent
from kantoor.orders.services import OrderError, change_order_status
from tests.conftest import details_for

S = OrderStatus
ORDER_FIELDS_NOT_COMPARED = {"id", "number", "created_at", "updated_at"}
INVOICE_FIELDS_NOT_COMPARED = {"id", "order", "created_at", "issued_on"}


def snapshot(order: Order) -> dict:
    """Everything an order is, minus its identity and timestamps (own number shown as '#')."""
    order.refresh_from_db()
    invoice_numbers = set(order.invoices.values_list("number", flat=True))

    def own(value):
        if isinstance(value, str) and value in invoice_numbers:
            return "#invoice"
        return "#" if value == order.number else value

    fields = {
        f.attname: getattr(order, f.attname)
        for f in Order._meta.concrete_fields
        if f.name not in ORDER_FIELDS_NOT_COMPARED
    }
    lines = [
        {
            k: v
            for k, v in line.__dict__.items()
            if not k.startswith("_") and k not in {"id", "order_id"}
        }
        for line in order.lines.order_by("position")
    ]
    events = [
        (
            e.kind,
            e.actor_id,
            e.actor_label,
            {k: own(v) for k, v in e.data.items()},
        )
        for e in order.events.order_by("created_at", "pk")
    ]
    movements = sorted(
        (m.product_id, m.quantity, m.reason, own(m.reference), m.note)
        for m in StockMovement.objects.filter(shop=order.shop, reference=order.number)
    )
    invoices = [
        {
            "invoice": {
                f.attname: own(getattr(invoice, f.attname))
                for f in Invoice._meta.concrete_fields
                if f.name not in INVOICE_FIELDS_NOT_COMPARED
            },
            "lines": [
                {
                    f.attname: getattr(line, f.attname)
                    for f in InvoiceLine._meta.concrete_fields
                    if f.name not in {"id", "invoice", "order_line"}
                }
                | {"order_line": order_line_positions.get(line.order_line_id)}
                for line in invoice.lines.order_by("position")
            ],
        }
        for invoice in order.invoices.order_by("pk")
        for order_line_positions in [dict(order.lines.values_list("id", "position"))]
    ]
    return {
        "order": fields,
        "lines": lines,
        "events": events,
        "movements": movements,
        "invoices": invoices,
    }


@pytest.mark.parametrize(
    ("path", "shipping_method", "quantities"),
    [
        ([], "delivery", [2, 1, 1]),
        (
            [S.IN_PROCESS, S.BEING_PACKED, S.SHIPPED, S.DELIVERED, S.COMPLETED],
            "delivery",
            [1, 3, 2],
        ),
        ([S.IN_PROCESS, S.CANCELLED], "pickup", [3, 1, 1]),
        ([S.RESERVED], "pickup", [1, 1, 4]),
    ],
)
def test_a_bulk_order_equals_one_placed_by_place_order(
    shop, products, owner, path, shipping_method, quantities
):
    # Given an order placed at checkout and moved through its statuses by staff
    staff = Actor.staff(owner)
    items = [OrderItem(p.pk, q) for p, q in zip(products, quantities, strict=True)]
    # a repeated product is merged in both paths
    items.append(OrderItem(products[0].pk, 1))
    details = details_for(email="Piet@Example.test", first_name="Piet", company="Piet BV")
    placed = place_order(
        shop=shop,
        details=details,
        items=items,
        shipping_method=shipping_method,
        actor=Actor.customer(details.email),
        note="  Graag na 17:00 bezorgen ",
    )
    for status in path:
        change_order_status(shop=shop, order=placed, status=status, actor=staff)

    # When the same input goes through the bulk path
    at = timezone.now()
    [number] = place_orders_in_bulk(
        shop=shop,
        requests=[
            BulkOrderRequest(
                customer=placed.customer,
                details=details,
                items=items,
                shipping_method=shipping_method,
                created_at=at,
                actor=Actor.customer(details.email),
                status_changes=tuple(
                    StatusChange(status=s, at=at + datetime.timedelta(hours=i + 1), actor=staff)
                    for i, s in enumerate(path)
                ),
                note="  Graag na 17:00 bezorgen ",
            )
        ],
    )

    # Then the two orders are the same, field by field, and the numbers follow each other
    bulk = Order.objects.get(shop=shop, number=number)
    assert snapshot(bulk) == snapshot(placed)
    assert int(bulk.number[-4:]) == int(placed.number[-4:]) + 1
    assert bulk.created_at == at
    assert bulk.updated_at == (at + datetime.timedelta(hours=len(path)) if path else at)
    for product in Product.objects.filter(shop=shop):
        assert product.stock_level == stock_level_from_ledger(product=product)


def _requests(shop, products, customers, actor, *, n, seed, start, days):
    rng = random.Random(seed)
    paths = [
        [],
        [S.IN_PROCESS],
        [S.AWAITING_PAYMENT],
        [S.IN_PROCESS, S.BEING_PACKED, S.SHIPPED, S.DELIVERED, S.COMPLETED],
        [S.CANCELLED],
        [S.IN_PROCESS, S.BACKORDER, S.CANCELLED],
        [S.RESERVED, S.READY_FOR_PICKUP],
    ]
    requests = []
    for _ in range(n):
        created = start + datetime.timedelta(seconds=rng.randrange(days * 86400))
        chosen = rng.sample(products, rng.randint(1, len(products)))
        customer = rng.choice(customers)
        path = rng.choice(paths)
        requests.append(
            BulkOrderRequest(
                customer=customer,
                details=details_for(email=customer.email),
                items=[OrderItem(p.pk, rng.randint(1, 3)) for p in chosen],
                shipping_method=rng.choice(["delivery", "pickup"]),
                created_at=created,
                actor=Actor.customer(customer.email),
                status_changes=tuple(
                    StatusChange(status=s, at=created + datetime.timedelta(days=i + 1), actor=actor)
                    for i, s in enumerate(path)
                ),
            )
        )
    return requests


def test_bulk_seeding_keeps_numbers_totals_stock_and_events_right(
    shop, products, owner, make_order
):
    # Given stock for many orders, and one order already placed through checkout
    for product in products[:2]:
        correct_stock(shop=shop, product=product, quantity=5000)
    first = make_order(shop, products)
    customers = [first.customer]
    # When 400 orders over 14 months (across a new year) are placed in chunks of 37
    tz = timezone.get_current_timezone()
    start = datetime.datetime(2025, 6, 1, tzinfo=tz)
    requests = _requests(
        shop, products, customers, Actor.staff(owner), n=400, seed=7, start=start, days=425
    )
    numbers = place_orders_in_bulk(shop=shop, requests=requests, chunk_size=37)

    # Then numbers are unique and gapless per year, and grow with time
    assert len(numbers) == len(set(numbers)) == 400
    by_year = defaultdict(list)
    for order in Order.objects.filter(shop=shop).order_by("created_at", "pk"):
        by_year[timezone.localdate(order.created_at).year].append(order.number)
    assert set(by_year) >= {2025, 2026}
    for year, year_numbers in by_year.items():
        assert all(n.startswith(f"ORD{year}-") for n in year_numbers)
        counters = sorted(int(n.rsplit("-", 1)[1]) for n in year_numbers)
        assert counters == list(range(1, len(counters) + 1)), year
    bulk_orders = Order.objects.filter(number__in=numbers).order_by("created_at", "pk")
    assert [o.number for o in bulk_orders] == numbers
    for earlier, later in zip(bulk_orders, bulk_orders[1:], strict=False):
        if earlier.number[:7] == later.number[:7]:
            assert earlier.number < later.number

    # And every order has one invoice for its total, numbered gapless per year in date order,
    # dated the order's day, and named by its placed event
    invoices = list(Invoice.objects.filter(shop=shop).select_related("order").order_by("pk"))
    assert len(invoices) == 401
    assert all(i.total_gross == i.order.total_gross and i.kind == "debit" for i in invoices)
    assert all(i.issued_on == timezone.localdate(i.order.created_at) for i in invoices)
    invoices_by_year = defaultdict(list)
    for invoice in sorted(invoices, key=lambda i: (i.order.created_at, i.pk)):
        invoices_by_year[invoice.issued_on.year].append(invoice.number)
    for year, year_numbers in invoices_by_year.items():
        counters = [int(n.rsplit("-", 1)[1]) for n in year_numbers]
        assert all(n.startswith(f"INV{year}-") for n in year_numbers)
        assert sorted(counters) == list(range(1, len(counters) + 1)), year
    placed_invoice = dict(
        OrderEvent.objects.filter(shop=shop, kind=OrderEventKind.PLACED).values_list(
            "order_id", "data__invoice"
        )
    )
    assert placed_invoice == {i.order_id: i.number for i in invoices}
    for invoice in invoices:
        lines = list(invoice.lines.all())
        totals = compute_totals(
            [PriceLine(ln.unit_price, ln.quantity, ln.vat_rate) for ln in lines],
            prices_include_vat=invoice.prices_include_vat,
        )
        assert (invoice.total_net, invoice.total_vat) == (totals.net, totals.vat)

    # And every order's stored totals are compute_totals over its lines + shipping
    for order in Order.objects.filter(shop=shop).prefetch_related("lines"):
        lines = [PriceLine(ln.unit_price, ln.quantity, ln.vat_rate) for ln in order.lines.all()]
        if order.shipping_cost:
            lines.append(PriceLine(order.shipping_cost, 1, order.shipping_vat_rate))
        totals = compute_totals(lines, prices_include_vat=order.prices_include_vat)
        assert (order.total_net, order.total_vat, order.total_gross) == (
            totals.net,
            totals.vat,
            totals.gross,
        ), order.number
        assert order.item_count == sum(ln.quantity for ln in order.lines.all())

    # And each product's stock level is its ledger, with one sale row per order and product
    for product in Product.objects.filter(shop=shop):
        assert product.stock_level == stock_level_from_ledger(product=product)
    tracked_lines = sum(
        1 for r in requests for i in r.items if i.product_id in {products[0].pk, products[1].pk}
    )
    assert StockMovement.objects.filter(shop=shop, reason=MovementReason.SALE).count() == (
        tracked_lines + 2  # the checkout order's two tracked lines
    )

    # And every order has exactly one placed event and one event per status change
    placed = Counter(
        OrderEvent.objects.filter(shop=shop, kind=OrderEventKind.PLACED).values_list(
            "order_id", flat=True
        )
    )
    assert set(placed.values()) == {1}
    assert len(placed) == Order.objects.filter(shop=shop).count() == 401
    assert OrderEvent.objects.filter(shop=shop, kind=OrderEventKind.STATUS_CHANGED).count() == sum(
        len(r.status_changes) for r in requests
    )
    final = {r.created_at: r.status for r in requests}
    for order in Order.objects.filter(shop=shop, number__in=numbers):
        assert order.status == final[order.created_at]


def test_bulk_refuses_a_sale_beyond_stock_and_writes_nothing(shop, products, owner):
    # Given 10 fiets bells in stock
    bell = products[0]
    customer_order_count = Order.objects.count()
    at = timezone.now()
    requests = [
        BulkOrderRequest(
            customer=None,
            details=details_for(),
            items=[OrderItem(bell.pk, 4)],
            shipping_method="delivery",
            created_at=at + datetime.timedelta(minutes=i),
            actor=Actor.system(),
            # a cancellation gives stock back only after all sales were checked
            status_changes=(StatusChange(S.CANCELLED, at, Actor.staff(owner)),) if i == 0 else (),
        )
        for i in range(3)
    ]
    # When 3 orders of 4 are placed in bulk, Then it is refused and nothing is written
    with pytest.raises(OrderError):
        place_orders_in_bulk(shop=shop, requests=requests, chunk_size=2)
    assert Order.objects.count() == customer_order_count
    bell.refresh_from_db()
    assert bell.stock_level == 10 == stock_level_from_ledger(product=bell)
    assert not StockMovement.objects.filter(reason=MovementReason.SALE).exists()


def test_bulk_refuses_a_status_change_change_order_status_refuses(shop, products, owner):
    at = timezone.now()
    staff = Actor.staff(owner)
    request = BulkOrderRequest(
        customer=None,
        details=details_for(),
        items=[OrderItem(products[2].pk, 1)],
        shipping_method="delivery",
        created_at=at,
        actor=staff,
        status_changes=(
            StatusChange(S.CANCELLED, at, staff),
            StatusChange(S.IN_PROCESS, at, staff),
        ),
    )
    with pytest.raises(OrderError, match="cannot become"):
        place_orders_in_bulk(shop=shop, requests=[request])
    assert not Order.objects.exists()


def test_bulk_with_no_requests_does_nothing(shop):
    assert place_orders_in_bulk(shop=shop, requests=[]) == []


def test_bulk_prices_come_from_the_catalogue(shop, products):
    products[0].price = Decimal("15.00")
    products[0].save()
    [number] = place_orders_in_bulk(
        shop=shop,
        requests=[
            BulkOrderRequest(
                customer=None,
                details=details_for(),
                items=[OrderItem(products[0].pk, 2)],
                shipping_method="pickup",
                created_at=timezone.now(),
                actor=Actor.system(),
            )
        ],
    )
    order = Order.objects.get(number=number)
    assert order.total_gross == Decimal("30.00")
    assert order.lines.get().unit_price == Decimal("15.00")

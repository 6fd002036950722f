"""The order timeline has one writer (kantoor/orders/events.py) and a sentence for every kind."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import timezone

from kantoor.backoffice.orders import tabs
from kantoor.orders import events
from kantoor.orders.events import OrderEventKind
from kantoor.orders.models import Order, OrderEvent

PACKAGE = Path(__file__).resolve().parents[2] / "kantoor"
WRITER = PACKAGE / "orders" / "events.py"
MAKES_AN_EVENT = re.compile(
    r"(?<!class )\bOrderEvent\(|OrderEvent\.objects\.(create|bulk_create|get_or_create)\b"
)


def test_only_orders_events_makes_order_events():
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{number}"
        for path in PACKAGE.rglob("*.py")
        if path != WRITER and "migrations" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if MAKES_AN_EVENT.search(line)
    ]
    assert offenders == [], "OrderEvent is made outside kantoor/orders/events.py"


def test_the_check_finds_an_event_made_elsewhere():
    assert MAKES_AN_EVENT.search("    OrderEvent(shop_id=1)")
    assert MAKES_AN_EVENT.search("OrderEvent.objects.create(kind='x')")
    assert not MAKES_AN_EVENT.search("OrderEvent.objects.filter(order=order)")


def test_every_kind_of_event_has_a_sentence_on_the_timeline():
    order = Order(number="ORD-1", currency="EUR")
    fallback = tabs.timeline_entry(
        OrderEvent(kind="kind_nobody_knows", data={}, actor_label="Ann", created_at=timezone.now()),
        order=order,
    )
    for kind in OrderEventKind:
        event = OrderEvent(kind=kind, data={}, actor_label="Ann", created_at=timezone.now())
        entry = tabs.timeline_entry(event, order=order)
        assert entry.icon != fallback.icon, f"{kind} has no sentence on the timeline"
        assert entry.title, kind


def test_an_unknown_kind_still_reads_as_a_sentence():
    assert events.kind_label("kind_nobody_knows") == "kind_nobody_knows"
    assert events.kind_label(OrderEventKind.PLACED) == "Order placed"


def test_every_kind_has_a_typed_payload_that_reads_back_what_was_written():
    assert set(events.PAYLOADS) == set(OrderEventKind)
    payment = events.PaymentRecorded(
        invoice="INV-1", amount="9.99", currency="EUR", provider="demo", state="paid", booked="part"
    )
    assert payment.to_data()["booked"] == "part"
    assert "refund" not in payment.to_data()  # optional and empty: left out, as always
    assert events.PaymentRecorded.from_data(payment.to_data()) == payment
    edited = events.Edited(
        changes=({"what": "quantity", "before": 1, "after": 2},), total=("1", "2")
    )
    assert edited.to_data() == {
        "changes": [{"what": "quantity", "before": 1, "after": 2}],
        "total": ["1", "2"],
    }
    assert events.Edited.from_data(edited.to_data()) == edited


def test_reading_an_odd_payload_gives_defaults_not_errors():
    assert events.Placed.from_data(None) == events.Placed()
    assert events.InvoicePaid.from_data({"settled": "not a list", "x": 1}).settled == ()


def test_a_builder_refuses_the_wrong_payload_for_its_kind():
    with pytest.raises(TypeError):
        events._event(
            OrderEventKind.PLACED,
            shop_id=1,
            order_id=1,
            actor=events.Actor.system(),
            at=timezone.now(),
            payload=events.NoteAdded(text="x"),
        )

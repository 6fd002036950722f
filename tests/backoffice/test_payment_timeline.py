"""The order timeline tells invoice and payment events as sentences, and never breaks on an
event whose details are missing or odd (events are kept for ever, written by older code too)."""

import pytest
from django.utils import timezone

from kantoor.backoffice.orders.tabs import INVOICE_AND_PAYMENT_KINDS, timeline_entry
from kantoor.orders.events import OrderEventKind
from kantoor.orders.models import Order, OrderEvent

K = OrderEventKind


def event(kind, data, actor="Mollie"):
    return OrderEvent(kind=kind, data=data, actor_label=actor, created_at=timezone.now())


ORDER = Order(currency="EUR")

PAYMENT = {
    "invoice": "INV2026-0007",
    "amount": "42.88",
    "currency": "EUR",
    "provider": "mollie",
    "reference": "tr_WDqYK6vllg",
    "method": "ideal",
    "state": "paid",
}


@pytest.mark.parametrize(
    ("kind", "data", "actor", "title", "details"),
    [
        (
            K.PAYMENT_RECEIVED,
            {**PAYMENT, "booked": "paid"},
            "Mollie",
            "Payment of €42.88 received on invoice INV2026-0007 via Mollie, iDEAL",
            ["The invoice is paid.", "Reference tr_WDqYK6vllg"],
        ),
        (
            K.PAYMENT_RECEIVED,
            {**PAYMENT, "provider": "manual", "method": "banktransfer", "booked": "part"},
            "Anna",
            "Bank transfer of €42.88 on invoice INV2026-0007 recorded by Anna",
            ["Part payment: the invoice is not fully paid yet."],
        ),
        (
            K.PAYMENT_FAILED,
            {**PAYMENT, "provider": "demo", "state": "canceled"},
            "Demo (test mode)",
            "Payment of €42.88 on invoice INV2026-0007 via Demo (test mode), iDEAL not completed",
            ["The provider reports: cancelled"],
        ),
        (
            K.PAYMENT_LINK_SENT,
            {"invoice": "INV2026-0007", "to": "jan@example.test", "amount": "42.88"},
            "Anna",
            "Payment link for invoice INV2026-0007 sent to jan@example.test by Anna",
            ["Amount to pay €42.88"],
        ),
        (
            K.PAYMENT_REFUNDED,
            {**PAYMENT, "refunded": "12.99", "credit_invoice": "CRE2026-0002", "refund": "re_1"},
            "Anna",
            "Refunded €12.99 via Mollie for credit invoice CRE2026-0002 by Anna",
            ["Reference re_1"],
        ),
        (K.ORDER_PAID, {"number": "ORD2026-0001"}, "Mollie", "Order paid", None),
        (
            K.INVOICE_PAID,
            {"number": "INV2026-0007", "amount": "42.88", "note": "ING", "settled": []},
            "Anna",
            "Invoice INV2026-0007 marked paid by Anna",
            ["Amount €42.88"],
        ),
        (
            K.INVOICE_PAID,
            {"number": "CRE2026-0002", "amount": "-12.99", "note": "", "settled": []},
            "Anna",
            "Credit invoice CRE2026-0002 marked refunded by Anna",
            ["Amount -€12.99"],
        ),
        (
            K.CREDIT_INVOICE_ISSUED,
            {"number": "CRE2026-0002", "total": "-12.99", "corrects": "INV2026-0007"},
            "Anna",
            "Credit invoice CRE2026-0002 issued by Anna",
            ["Total -€12.99", "Corrects invoice INV2026-0007"],
        ),
    ],
)
def test_events_read_as_sentences(kind, data, actor, title, details):
    entry = timeline_entry(event(kind, data, actor), order=ORDER)
    assert entry.title.replace("\xa0", " ") == title.replace("\xa0", " ")
    if details is not None:
        assert [d.replace("\xa0", " ") for d in entry.details] == details


@pytest.mark.parametrize("kind", sorted(INVOICE_AND_PAYMENT_KINDS))
@pytest.mark.parametrize(
    "data", [{}, {"amount": "not a number", "provider": "paypal", "state": "??", "booked": 3}]
)
def test_odd_or_missing_details_never_break_the_timeline(kind, data):
    entry = timeline_entry(event(kind, data), order=ORDER)
    assert entry.title and entry.icon

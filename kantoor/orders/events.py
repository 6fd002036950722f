"""The order timeline's one writer: every OrderEvent is made here (DESIGN.md, Saleor's
``order/events.py``).

One builder per kind of event, with keyword arguments that say what the event records; each
returns the unsaved event, so the bulk paths (``place_orders_in_bulk``, ``seed_demo``) insert
many at once with ``record_many`` and the services save one with ``record``. The payload
(``OrderEvent.data``) is plain JSON: codes, numbers and amounts as strings, never text in one
language, so the timeline renders it in the reader's language.

A new kind of event is a new ``OrderEventKind`` member and a builder here, and a sentence on the
timeline (``kantoor/backoffice/orders/timeline.py``; a test fails when one is missing). The kind
column has no database choices, so a new kind needs no migration.

Apps below orders (messaging) cannot import this module: they report through a registry
(``kantoor.messaging.registry``), and ``orders.notifications`` writes their events here.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import MISSING, dataclass, field, fields

from django.db import models
from django.utils.translation import gettext_lazy as _

from kantoor.core.actors import Actor
from kantoor.orders.models import Order, OrderEvent


class OrderEventKind(models.TextChoices):
    PLACED = "placed", _("Order placed")
    STATUS_CHANGED = "status_changed", _("Status changed")
    NOTE_ADDED = "note_added", _("Note added")
    EDITED = "edited", _("Order edited")
    MESSAGE_QUEUED = "message_queued", _("E-mail queued")
    MESSAGE_SENT = "message_sent", _("E-mail sent")
    MESSAGE_FAILED = "message_failed", _("E-mail not delivered")
    INVOICE_ISSUED = "invoice_issued", _("Invoice issued")
    CREDIT_INVOICE_ISSUED = "credit_invoice_issued", _("Credit invoice issued")
    INVOICE_PAID = "invoice_paid", _("Invoice marked paid")
    INVOICE_SENT = "invoice_sent", _("Invoice e-mailed")
    PAYMENT_LINK_SENT = "payment_link_sent", _("Payment link sent")
    PAYMENT_RECEIVED = "payment_received", _("Payment received")
    PAYMENT_FAILED = "payment_failed", _("Payment not completed")
    PAYMENT_REFUNDED = "payment_refunded", _("Payment refunded")
    ORDER_PAID = "order_paid", _("Order paid")
    RETURN_REQUESTED = "return_requested", _("Return requested")
    RETURN_STATUS_CHANGED = "return_status_changed", _("Return status changed")
    RETURN_RECEIVED = "return_received", _("Return received")


MESSAGE_KINDS = frozenset(
    {OrderEventKind.MESSAGE_QUEUED, OrderEventKind.MESSAGE_SENT, OrderEventKind.MESSAGE_FAILED}
)
PAYMENT_KINDS = frozenset(
    {
        OrderEventKind.PAYMENT_RECEIVED,
        OrderEventKind.PAYMENT_FAILED,
        OrderEventKind.PAYMENT_REFUNDED,
    }
)


# --- Payloads: what each kind of event records (OrderEvent.data), typed ----------------------
# Writers build one of these; the timeline reads it back with ``payload_of``. Reading is lenient:
# events are kept for ever and may come from older code, so a missing or odd value becomes the
# field's default and unknown keys are ignored. Fields marked OPTIONAL are left out of the data
# when empty (as the events have always been written).

OPTIONAL = {"optional": True}


@dataclass(frozen=True)
class Payload:
    def to_data(self) -> dict:
        data = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.metadata.get("optional") and value in ("", None, [], ()):
                continue
            data[f.name] = list(value) if isinstance(value, tuple) else value
        return data

    @classmethod
    def from_data(cls, data) -> Payload:
        data = data if isinstance(data, dict) else {}
        values = {}
        for f in fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            default = f.default if f.default is not MISSING else f.default_factory()
            if isinstance(default, tuple):
                value = tuple(value) if isinstance(value, list | tuple) else default
            values[f.name] = value
        return cls(**values)


@dataclass(frozen=True)
class Placed(Payload):
    number: str = ""
    total: str = ""
    items: int | str = ""
    invoice: str = field(default="", metadata=OPTIONAL)


@dataclass(frozen=True)
class StatusChanged(Payload):
    before: int | None = None
    after: int | None = None


@dataclass(frozen=True)
class Edited(Payload):
    changes: tuple = ()  # dicts: {"what": "quantity" | "unit_price" | …, and its values}
    total: tuple = ()  # (before, after) as strings


@dataclass(frozen=True)
class NoteAdded(Payload):
    text: str = ""


@dataclass(frozen=True)
class MessageRecorded(Payload):
    message: int | None = None
    kind: str = ""  # a MessageKind code
    to: str = ""
    subject: str = ""
    error: str = field(default="", metadata=OPTIONAL)


@dataclass(frozen=True)
class InvoiceIssued(Payload):
    number: str = ""
    total: str = ""
    corrects: str = field(default="", metadata=OPTIONAL)


@dataclass(frozen=True)
class InvoicePaid(Payload):
    number: str = ""
    paid_on: str = ""
    amount: str = ""
    note: str = field(default="", metadata=OPTIONAL)  # as a person typed it
    settled: tuple = ()
    # How it was paid, as a code (an invoices PaidNote: paid_online, refunded_online,
    # bank_transfer) with the provider code and its reference: the timeline puts it into words.
    # Older events have only ``note`` (text in the language of whoever caused them).
    note_code: str = field(default="", metadata=OPTIONAL)
    provider: str = field(default="", metadata=OPTIONAL)
    reference: str = field(default="", metadata=OPTIONAL)


@dataclass(frozen=True)
class InvoiceSent(Payload):
    number: str = ""
    to: str = ""


@dataclass(frozen=True)
class PaymentLinkSent(Payload):
    invoice: str = ""
    to: str = ""
    amount: str = ""


@dataclass(frozen=True)
class PaymentRecorded(Payload):
    invoice: str = ""
    amount: str = ""
    currency: str = ""
    provider: str = ""  # a payments Provider code
    reference: str = ""
    method: str = ""
    state: str = ""  # a payments PaymentState code
    booked: str = field(default="", metadata=OPTIONAL)  # paid, part, overpaid, …
    refunded: str = field(default="", metadata=OPTIONAL)
    credit_invoice: str = field(default="", metadata=OPTIONAL)
    refund: str = field(default="", metadata=OPTIONAL)


@dataclass(frozen=True)
class OrderPaid(Payload):
    number: str = ""


@dataclass(frozen=True)
class ReturnRecorded(Payload):
    """A return requested, moved to another status, or received. ``lines``: dicts with
    ``name`` and ``quantity`` (and ``restocked`` when received)."""

    number: str = ""
    before: str = field(default="", metadata=OPTIONAL)  # a ReturnStatus code
    after: str = field(default="", metadata=OPTIONAL)
    lines: tuple = ()
    note: str = field(default="", metadata=OPTIONAL)
    replacement: str = field(default="", metadata=OPTIONAL)  # an exchange's new order number


PAYLOADS: dict[str, type[Payload]] = {
    OrderEventKind.PLACED: Placed,
    OrderEventKind.STATUS_CHANGED: StatusChanged,
    OrderEventKind.NOTE_ADDED: NoteAdded,
    OrderEventKind.EDITED: Edited,
    OrderEventKind.MESSAGE_QUEUED: MessageRecorded,
    OrderEventKind.MESSAGE_SENT: MessageRecorded,
    OrderEventKind.MESSAGE_FAILED: MessageRecorded,
    OrderEventKind.INVOICE_ISSUED: InvoiceIssued,
    OrderEventKind.CREDIT_INVOICE_ISSUED: InvoiceIssued,
    OrderEventKind.INVOICE_PAID: InvoicePaid,
    OrderEventKind.INVOICE_SENT: InvoiceSent,
    OrderEventKind.PAYMENT_LINK_SENT: PaymentLinkSent,
    OrderEventKind.PAYMENT_RECEIVED: PaymentRecorded,
    OrderEventKind.PAYMENT_FAILED: PaymentRecorded,
    OrderEventKind.PAYMENT_REFUNDED: PaymentRecorded,
    OrderEventKind.ORDER_PAID: OrderPaid,
    OrderEventKind.RETURN_REQUESTED: ReturnRecorded,
    OrderEventKind.RETURN_STATUS_CHANGED: ReturnRecorded,
    OrderEventKind.RETURN_RECEIVED: ReturnRecorded,
}


def payload_of(event: OrderEvent) -> Payload | None:
    """What ``event`` records, typed (None for a kind this version does not know)."""
    payload = PAYLOADS.get(event.kind)
    return payload.from_data(event.data) if payload else None


def kind_label(kind: str) -> str:
    """What a kind of event is called ("Order placed"), or the code of a kind we do not know."""
    try:
        return str(OrderEventKind(kind).label)
    except ValueError:
        return str(kind)


def _event(
    kind: OrderEventKind,
    *,
    shop_id: int,
    order: Order | None = None,
    order_id: int | None = None,
    actor: Actor,
    at: datetime.datetime,
    payload: Payload,
) -> OrderEvent:
    if not isinstance(payload, PAYLOADS[kind]):
        raise TypeError(f"{kind} records a {PAYLOADS[kind].__name__}")
    event = OrderEvent(
        shop_id=shop_id,
        kind=kind,
        actor=actor.user,
        actor_label=actor.label,
        data=payload.to_data(),
        created_at=at,
    )
    if order is not None:
        event.order = order  # an unsaved order (bulk): its id is read when it is inserted
    else:
        event.order_id = order_id
    return event


def record(event: OrderEvent) -> OrderEvent:
    """Save one event (an INSERT; events are append-only)."""
    event.save(force_insert=True)
    return event


def record_many(events: Sequence[OrderEvent]) -> list[OrderEvent]:
    """Insert many events at once (the bulk paths)."""
    return OrderEvent.objects.bulk_create(events, batch_size=1000)


# --- The order itself -------------------------------------------------------------------------


def order_placed(*, order: Order, actor: Actor, invoice_number: str = "") -> OrderEvent:
    """The order was placed (at its own date), with the invoice issued with it."""
    return _event(
        OrderEventKind.PLACED,
        shop_id=order.shop_id,
        order=order,
        actor=actor,
        at=order.created_at,
        payload=Placed(
            number=order.number,
            total=str(order.total_gross),
            items=order.item_count,
            invoice=invoice_number,
        ),
    )


def status_changed(
    *, order: Order, new_status: int, actor: Actor, at: datetime.datetime
) -> OrderEvent:
    """The order moves from its status now (``order.status``) to ``new_status``."""
    return _event(
        OrderEventKind.STATUS_CHANGED,
        shop_id=order.shop_id,
        order=order,
        actor=actor,
        at=at,
        payload=StatusChanged(before=int(order.status), after=int(new_status)),
    )


def order_edited(
    *,
    order: Order,
    changes: list[dict],
    total_before,
    actor: Actor,
    at: datetime.datetime,
) -> OrderEvent:
    """An edit of lines, shipping or addresses: ``changes`` as ``edit_order`` describes them."""
    return _event(
        OrderEventKind.EDITED,
        shop_id=order.shop_id,
        order=order,
        actor=actor,
        at=at,
        payload=Edited(changes=tuple(changes), total=(str(total_before), str(order.total_gross))),
    )


def note_added(
    *, shop_id: int, order_id: int, text: str, actor: Actor, at: datetime.datetime
) -> OrderEvent:
    """An internal note (staff only)."""
    return _event(
        OrderEventKind.NOTE_ADDED,
        shop_id=shop_id,
        order_id=order_id,
        actor=actor,
        at=at,
        payload=NoteAdded(text=text),
    )


def order_paid(
    *, shop_id: int, order_id: int, number: str, actor: Actor, at: datetime.datetime
) -> OrderEvent:
    """Every invoice of the order is settled."""
    return _event(
        OrderEventKind.ORDER_PAID,
        shop_id=shop_id,
        order_id=order_id,
        actor=actor,
        at=at,
        payload=OrderPaid(number=number),
    )


# --- Messages ---------------------------------------------------------------------------------


def message_event(
    kind: OrderEventKind,
    *,
    shop_id: int,
    order_id: int,
    message_id: int,
    message_kind: str,
    to: str,
    subject: str,
    actor: Actor,
    at: datetime.datetime,
    error: str = "",
) -> OrderEvent:
    """An e-mail to the customer was queued again (resent), sent, or could not be delivered."""
    if kind not in MESSAGE_KINDS:
        raise ValueError(f"{kind} is not a message event")
    payload = MessageRecorded(
        message=message_id, kind=message_kind, to=to, subject=subject, error=error
    )
    return _event(kind, shop_id=shop_id, order_id=order_id, actor=actor, at=at, payload=payload)


# --- Invoices ---------------------------------------------------------------------------------


def invoice_issued(
    *,
    shop_id: int,
    order_id: int,
    number: str,
    total,
    credit: bool,
    corrects: str = "",
    actor: Actor,
    at: datetime.datetime,
) -> OrderEvent:
    """A debit or credit invoice was issued (``corrects``: the invoice a credit refers to)."""
    return _event(
        OrderEventKind.CREDIT_INVOICE_ISSUED if credit else OrderEventKind.INVOICE_ISSUED,
        shop_id=shop_id,
        order_id=order_id,
        actor=actor,
        at=at,
        payload=InvoiceIssued(number=number, total=str(total), corrects=corrects),
    )


def invoice_paid(
    *,
    shop_id: int,
    order_id: int,
    number: str,
    paid_on: datetime.date,
    amount,
    note: str = "",
    settled: Iterable[str],
    actor: Actor,
    at: datetime.datetime,
    note_code: str = "",
    provider: str = "",
    reference: str = "",
) -> OrderEvent:
    """An invoice was marked paid (or a credit refunded), settling the credits in ``settled``.
    ``note`` is what a person typed; ``note_code`` (with ``provider`` and ``reference``) what
    the system says about it, as a code."""
    return _event(
        OrderEventKind.INVOICE_PAID,
        shop_id=shop_id,
        order_id=order_id,
        actor=actor,
        at=at,
        payload=InvoicePaid(
            number=number,
            paid_on=paid_on.isoformat(),
            amount=str(amount),
            note=note,
            settled=tuple(settled),
            note_code=note_code,
            provider=provider,
            reference=reference,
        ),
    )


def invoice_sent(
    *, shop_id: int, order_id: int, number: str, to: str, actor: Actor, at: datetime.datetime
) -> OrderEvent:
    """Staff e-mailed an invoice to the customer."""
    return _event(
        OrderEventKind.INVOICE_SENT,
        shop_id=shop_id,
        order_id=order_id,
        actor=actor,
        at=at,
        payload=InvoiceSent(number=number, to=to),
    )


# --- Payments ---------------------------------------------------------------------------------


def payment_link_sent(
    *,
    shop_id: int,
    order_id: int,
    invoice: str,
    to: str,
    amount,
    actor: Actor,
    at: datetime.datetime,
) -> OrderEvent:
    """The invoice's payment link was e-mailed."""
    return _event(
        OrderEventKind.PAYMENT_LINK_SENT,
        shop_id=shop_id,
        order_id=order_id,
        actor=actor,
        at=at,
        payload=PaymentLinkSent(invoice=invoice, to=to, amount=str(amount)),
    )


def payment_event(
    kind: OrderEventKind,
    *,
    shop_id: int,
    order_id: int,
    invoice: str,
    amount,
    currency: str,
    provider: str,
    reference: str,
    method: str,
    state: str,
    actor: Actor,
    at: datetime.datetime,
    **outcome: str,
) -> OrderEvent:
    """A payment was received, did not complete, or was refunded.

    ``outcome`` holds codes only: ``booked`` (paid, part, overpaid, invoice_already_settled,
    provider_not_live) for a received payment; ``refunded``, ``credit_invoice`` and ``refund``
    for a refund.
    """
    if kind not in PAYMENT_KINDS:
        raise ValueError(f"{kind} is not a payment event")
    return _event(
        kind,
        shop_id=shop_id,
        order_id=order_id,
        actor=actor,
        at=at,
        payload=PaymentRecorded(
            invoice=invoice,
            amount=str(amount),
            currency=currency,
            provider=provider,
            reference=reference,
            method=method,
            state=state,
            **outcome,
        ),
    )


# --- Returns ----------------------------------------------------------------------------------


def return_event(
    kind: OrderEventKind,
    *,
    shop_id: int,
    order_id: int,
    number: str,
    actor: Actor,
    at: datetime.datetime,
    lines: Sequence[dict] = (),
    before: str = "",
    after: str = "",
    note: str = "",
    replacement: str = "",
) -> OrderEvent:
    """A return of the order requested (RETURN_REQUESTED, with its lines), moved from status
    ``before`` to ``after`` (RETURN_STATUS_CHANGED, with the message to the customer and, for
    an exchange, the number of the replacement order) or received (RETURN_RECEIVED, with what
    arrived and whether it went back into stock)."""
    if kind not in (
        OrderEventKind.RETURN_REQUESTED,
        OrderEventKind.RETURN_STATUS_CHANGED,
        OrderEventKind.RETURN_RECEIVED,
    ):
        raise ValueError(kind)
    return _event(
        kind,
        shop_id=shop_id,
        order_id=order_id,
        actor=actor,
        at=at,
        payload=ReturnRecorded(
            number=number,
            before=before,
            after=after,
            lines=tuple(lines),
            note=note,
            replacement=replacement,
        ),
    )

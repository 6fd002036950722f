"""Payments of the past in bulk: ``record_payments_in_bulk`` (seeded or imported history).

Each payment is the whole amount still due on an unpaid debit invoice, received at a moment in
the past (``at``): a bank transfer staff entered (as ``record_bank_transfer`` books it) or a
payment online through the demo provider (as ``start_payment``, the payer's choice on the demo
provider's page and ``handle_webhook`` book it). The rows are the ones those paths write, field
for field (tests/payments/test_bulk.py compares them): the Payment, the demo provider's
DemoTransaction, the invoice's payment columns with its open credit invoices settled, and the
events "payment received", "invoice marked paid" and, when the order's last invoice is settled,
"order paid", in that order at the payment's moment. They are written with bulk inserts and one
UPDATE per group of invoices alike, for seeding a demo of a million orders.

Two things the one-at-a-time paths do are left out on purpose. No "payment received" e-mail is
queued: these payments are history, not news for the customer (``place_orders_in_bulk`` sends
no order confirmation either). And an order awaiting payment is not moved to the shop's
"when paid" status; a payment that would move one is refused instead, so the bulk path never
writes less than the normal one without saying so.

All or nothing, in one transaction; locks as the services take them: the orders (by id), then
their invoices. Refusals are PaymentError: the normal paths' own messages where they have one.
"""

from __future__ import annotations

import datetime
import secrets
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kantoor.core.actors import Actor
from kantoor.core.money import ZERO
from kantoor.core.statuses import OrderStatus
from kantoor.invoices.models import Invoice, InvoiceKind, PaidNote
from kantoor.invoices.models import PaymentState as InvoiceState
from kantoor.orders import events
from kantoor.orders.events import OrderEventKind
from kantoor.orders.models import Order, OrderEvent
from kantoor.payments.links import absolute_url, payment_link_token
from kantoor.payments.models import DemoTransaction, Payment, PaymentState, Provider
from kantoor.payments.providers.demo import DEMO_METHODS
from kantoor.payments.services import MAX_NOTE, PaymentError, provider_actor, webhook_url
from kantoor.shops.models import Shop
from kantoor.shops.selectors import workflow_settings_for

BANK_TRANSFER = "banktransfer"  # the method record_bank_transfer writes
BULK_CHUNK = 5000  # payments read, locked and written per round
_LINK = "link-placeholder"  # where the payment-link token goes in the payer's return address


@dataclass(frozen=True)
class BulkPayment:
    """One payment of the past: the whole amount still due on invoice ``invoice_id``.

    ``provider`` is ``Provider.MANUAL`` (a bank transfer ``actor``, a member of staff, entered
    at ``at``, received on ``paid_on``, the day of ``at`` by default, with ``note``) or
    ``Provider.DEMO`` (paid online at ``at`` with ``method``, as the demo provider reports it;
    no note, no date of its own, no actor: the provider books it).
    """

    invoice_id: int
    at: datetime.datetime
    provider: str = Provider.MANUAL
    method: str = BANK_TRANSFER
    paid_on: datetime.date | None = None
    note: str = ""
    actor: Actor | None = None


@dataclass
class _Invoice:
    """An invoice's row as this path reads and changes it."""

    pk: int
    order_id: int
    kind: str
    state: str
    number: str
    total_gross: Decimal
    amount_paid: Decimal
    currency: str
    issued_on: datetime.date
    created_at: datetime.datetime
    corrects_id: int | None
    credits: list[_Invoice] = field(default_factory=list)  # open credits referring to it


def record_payments_in_bulk(
    *, shop: Shop, payments: Sequence[BulkPayment], chunk_size: int = BULK_CHUNK
) -> int:
    """Book ``payments`` (oldest first, or in any order: each is dated by its ``at``) with the
    rows record_bank_transfer and the demo provider's online path write. Returns how many."""
    now = timezone.now()
    for payment in payments:
        _check_request(payment, now=now)
    if not payments:
        return 0
    demo_actor = provider_actor(Provider.DEMO)
    moves_when_paid = workflow_settings_for(shop=shop).status_when_paid
    # Built once: the addresses every row of this call shares.
    return_path = reverse("pay:return", kwargs={"token": _LINK})
    demo_webhook = webhook_url(Provider.DEMO)
    with transaction.atomic():
        for start in range(0, len(payments), chunk_size):
            _book_chunk(
                shop=shop,
                chunk=payments[start : start + chunk_size],
                demo_actor=demo_actor,
                moves_when_paid=moves_when_paid,
                return_path=return_path,
                demo_webhook=demo_webhook,
            )
    return len(payments)


def _check_request(payment: BulkPayment, *, now: datetime.datetime) -> None:
    """What can be refused before reading an invoice."""
    if payment.at > now:
        raise PaymentError(_("The payment date cannot be in the future."))
    if payment.provider == Provider.MANUAL:
        if payment.actor is None:
            raise PaymentError("A bank transfer needs the member of staff who entered it.")
        if len(payment.note.strip()) > MAX_NOTE:
            raise PaymentError(
                _("A note can be at most %(max)d characters long.") % {"max": MAX_NOTE}
            )
        if payment.method != BANK_TRANSFER:
            raise PaymentError(f"A bank transfer has the method {BANK_TRANSFER!r}.")
    elif payment.provider == Provider.DEMO:
        if payment.method not in dict(DEMO_METHODS):
            raise PaymentError(f"The demo provider has no method {payment.method!r}.")
        if payment.note or payment.paid_on is not None or payment.actor is not None:
            raise PaymentError(
                "An online payment has no note, date or actor of its own: the provider books it."
            )
    else:
        raise PaymentError("Payments in bulk are bank transfers or demo payments.")


def _book_chunk(
    *,
    shop: Shop,
    chunk: Sequence[BulkPayment],
    demo_actor: Actor,
    moves_when_paid: int | None,
    return_path: str,
    demo_webhook: str,
) -> None:
    orders, invoices, by_order = _lock(shop=shop, invoice_ids=[p.invoice_id for p in chunk])
    rows: list[Payment] = []
    transactions: list[DemoTransaction] = []
    timeline: list[OrderEvent] = []
    # Invoice columns to write, grouped so that one UPDATE writes a whole group.
    paid: dict[tuple, list[int]] = defaultdict(list)
    credited: dict[datetime.date, list[int]] = defaultdict(list)
    note_values: dict[int, dict[str, str]] = {}
    for request in chunk:
        invoice = invoices.get(request.invoice_id)
        if invoice is None:
            raise PaymentError(_("Choose one of this shop's invoices."))
        online = request.provider == Provider.DEMO
        due, amount = _payable(invoice, online=online)
        if request.at < invoice.created_at:
            raise PaymentError(
                f"Invoice {invoice.number} was issued at {invoice.created_at.isoformat()}: "
                "no payment came in before that."
            )
        today = timezone.localdate(request.at)
        if online:
            paid_on = max(today, invoice.issued_on)
            reference = "demo_" + secrets.token_urlsafe(18)  # as the demo provider makes it
            note = ""
            actor = demo_actor
        else:
            paid_on = request.paid_on or today
            if paid_on > today:
                raise PaymentError(_("The payment date cannot be in the future."))
            if paid_on < invoice.issued_on:
                raise PaymentError(_("The payment date cannot be before the invoice date."))
            reference = f"manual_{uuid.uuid4().hex}"
            note = request.note.strip()
            actor = request.actor
        if online:
            transactions.append(
                DemoTransaction(
                    id=reference,
                    shop_id=shop.pk,
                    amount=amount,
                    currency=invoice.currency,
                    description=(
                        _("Invoice %(number)s, %(shop)s")
                        % {"number": invoice.number, "shop": shop.name}
                    )[:200],
                    status=PaymentState.PAID,
                    method=request.method,
                    redirect_url=absolute_url(
                        return_path.replace(
                            _LINK,
                            payment_link_token(shop_id=shop.pk, invoice_id=invoice.pk),
                        )
                    ),
                    webhook_url=demo_webhook,
                    created_at=request.at,
                    updated_at=request.at,
                )
            )
        rows.append(
            Payment(
                shop_id=shop.pk,
                invoice_id=invoice.pk,
                order_id=invoice.order_id,
                provider=request.provider,
                provider_payment_id=reference,
                method=request.method,
                amount=amount,
                currency=invoice.currency,
                state=PaymentState.PAID,
                note=note,
                created_at=request.at,
                updated_at=request.at,
                paid_at=request.at,
                applied_at=request.at,
                created_by=None if online else actor.user,
            )
        )
        # The invoice as mark_invoice_paid leaves it (due > 0, so it becomes paid): what a person
        # typed as the note, how it was paid as a code, and for an online payment its provider
        # and reference (each invoice its own, written after the grouped UPDATE).
        note_code = PaidNote.PAID_ONLINE if online else PaidNote.BANK_TRANSFER
        if online:
            note_values[invoice.pk] = {"provider": request.provider, "reference": reference}
        settled = [credit for credit in invoice.credits if credit.state == InvoiceState.UNPAID]
        invoice.state = InvoiceState.PAID
        invoice.amount_paid = due
        paid[(paid_on, note, note_code, None if due == invoice.total_gross else due)].append(
            invoice.pk
        )
        for credit in settled:
            credit.state = InvoiceState.CREDITED
            credited[paid_on].append(credit.pk)
        # The timeline, in the order the services write it.
        timeline.append(
            events.payment_event(
                OrderEventKind.PAYMENT_RECEIVED,
                shop_id=shop.pk,
                order_id=invoice.order_id,
                invoice=invoice.number,
                amount=amount,
                currency=invoice.currency,
                provider=request.provider,
                reference=reference,
                method=request.method,
                state=PaymentState.PAID,
                actor=actor,
                at=request.at,
                booked="paid",
            )
        )
        timeline.append(
            events.invoice_paid(
                shop_id=shop.pk,
                order_id=invoice.order_id,
                number=invoice.number,
                paid_on=paid_on,
                amount=due,
                note=note,
                note_code=note_code,
                provider=request.provider if online else "",
                reference=reference if online else "",
                settled=[credit.number for credit in settled],
                actor=actor,
                at=request.at,
            )
        )
        number, status, total = orders[invoice.order_id]
        if _settled(
            by_order[invoice.order_id], owed=ZERO if status == OrderStatus.CANCELLED else total
        ):
            if status == OrderStatus.AWAITING_PAYMENT and moves_when_paid:
                raise PaymentError(
                    f"Order {number} awaits payment and the shop moves a paid order on: "
                    "book this payment with record_bank_transfer or the webhook."
                )
            timeline.append(
                events.order_paid(
                    shop_id=shop.pk,
                    order_id=invoice.order_id,
                    number=number,
                    actor=actor,
                    at=request.at,
                )
            )

    DemoTransaction.objects.bulk_create(transactions, batch_size=1000)
    Payment.objects.bulk_create(rows, batch_size=1000)
    for (paid_on, note, note_code, amount), ids in paid.items():
        Invoice.objects.filter(pk__in=ids).update(
            state=InvoiceState.PAID,
            paid_on=paid_on,
            paid_note=note,
            paid_note_code=note_code,
            amount_paid=F("total_gross") if amount is None else amount,
        )
    if note_values:
        Invoice.objects.bulk_update(
            [Invoice(pk=pk, paid_note_values=values) for pk, values in note_values.items()],
            ["paid_note_values"],
            batch_size=1000,
        )
    for paid_on, ids in credited.items():
        Invoice.objects.filter(pk__in=ids).update(state=InvoiceState.CREDITED, paid_on=paid_on)
    events.record_many(timeline)


def _lock(
    *, shop: Shop, invoice_ids: list[int]
) -> tuple[dict[int, tuple[str, int, Decimal]], dict[int, _Invoice], dict[int, list[_Invoice]]]:
    """The orders of these invoices (number, status) and all their invoices, locked in the
    order the services lock them: the orders first (by id), then their invoices (by id)."""
    order_ids = set(
        Invoice.objects.filter(shop=shop, pk__in=invoice_ids).values_list("order_id", flat=True)
    )
    orders = {
        pk: (number, status, total)
        for pk, number, status, total in Order.objects.select_for_update()
        .filter(shop=shop, pk__in=order_ids)
        .order_by("pk")
        .values_list("pk", "number", "status", "total_gross")
    }
    invoices: dict[int, _Invoice] = {}
    by_order: dict[int, list[_Invoice]] = defaultdict(list)
    for row in (
        Invoice.objects.select_for_update()
        .filter(shop=shop, order_id__in=order_ids)
        .order_by("pk")
        .values_list(
            "pk",
            "order_id",
            "kind",
            "state",
            "number",
            "total_gross",
            "amount_paid",
            "currency",
            "issued_on",
            "created_at",
            "corrects_id",
        )
    ):
        invoice = _Invoice(*row)
        invoices[invoice.pk] = invoice
        by_order[invoice.order_id].append(invoice)
    for invoice in invoices.values():
        corrected = invoices.get(invoice.corrects_id)
        if invoice.kind == InvoiceKind.CREDIT and corrected is not None:
            corrected.credits.append(invoice)  # in id order, as mark_invoice_paid finds them
    return orders, invoices, by_order


def _payable(invoice: _Invoice, *, online: bool) -> tuple[Decimal, Decimal]:
    """(what settles the invoice, what is still to pay), refused as the services refuse."""
    if invoice.kind == InvoiceKind.CREDIT:
        if online:
            raise PaymentError(_("This is a credit invoice: there is nothing to pay."))
        raise PaymentError(_("A credit invoice is paid back, not paid: mark it refunded instead."))
    if invoice.state == InvoiceState.PAID:
        raise PaymentError(_("Invoice %(number)s is already paid.") % {"number": invoice.number})
    if invoice.state != InvoiceState.UNPAID:
        raise PaymentError(
            _("Invoice %(number)s has been credited: there is nothing to pay.")
            % {"number": invoice.number}
        )
    open_credits = sum(
        (c.total_gross for c in invoice.credits if c.state == InvoiceState.UNPAID), ZERO
    )
    due = max(invoice.total_gross + open_credits, ZERO)
    amount = max(due - invoice.amount_paid, ZERO)
    if amount <= ZERO:
        raise PaymentError(
            _("There is nothing left to pay on invoice %(number)s.") % {"number": invoice.number}
        )
    return due, amount


def _settled(invoices: list[_Invoice], *, owed: Decimal) -> bool:
    """order_is_paid over the rows in hand: every debit paid or credited, every credit
    refunded or credited, and together they cover what the order comes to now (``owed``)."""
    return sum((invoice.total_gross for invoice in invoices), Decimal("0.00")) >= owed and all(
        invoice.state
        in (
            (InvoiceState.REFUNDED, InvoiceState.CREDITED)
            if invoice.kind == InvoiceKind.CREDIT
            else (InvoiceState.PAID, InvoiceState.CREDITED)
        )
        for invoice in invoices
    )

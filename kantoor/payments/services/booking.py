"""Booking a payment on its invoice (once), what an invoice still asks, the timeline events of
payments, and the order becoming paid: what the online, manual and refund paths share."""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from kantoor.core.actors import Actor
from kantoor.core.money import ZERO
from kantoor.core.statuses import OrderStatus
from kantoor.invoices.models import Invoice, InvoiceKind, PaidNote
from kantoor.invoices.models import PaymentState as InvoiceState
from kantoor.invoices.selectors import amount_due, order_is_paid
from kantoor.invoices.services import mark_invoice_paid
from kantoor.orders import events
from kantoor.orders.events import OrderEventKind
from kantoor.orders.services import OrderError, change_order_status
from kantoor.payments.errors import PaymentError
from kantoor.payments.models import (
    Payment,
    Provider,
)
from kantoor.payments.notifications import queue_payment_received_message
from kantoor.shops.models import Shop
from kantoor.shops.selectors import workflow_settings_for

logger = logging.getLogger(__name__)


CENT = Decimal("0.01")


MAX_NOTE = 500


def provider_actor(provider: str) -> Actor:
    """Who the timeline names for what a provider reported ("Mollie")."""
    return Actor(label=str(Provider(provider).label))


def amount_to_pay(*, shop: Shop, invoice: Invoice) -> Decimal:
    """What the payer still has to pay on a debit invoice: its amount due minus what part
    payments already brought in (0 when paid, credited, or for a credit invoice)."""
    if invoice.kind != InvoiceKind.DEBIT or invoice.state != InvoiceState.UNPAID:
        return ZERO
    return max(amount_due(shop=shop, invoice=invoice) - invoice.amount_paid, ZERO)


def check_payable(*, shop: Shop, invoice: Invoice) -> Decimal:
    if invoice.kind != InvoiceKind.DEBIT:
        raise PaymentError(_("This is a credit invoice: there is nothing to pay."))
    if invoice.state == InvoiceState.PAID:
        raise PaymentError(_("Invoice %(number)s is already paid.") % {"number": invoice.number})
    if invoice.state != InvoiceState.UNPAID:
        raise PaymentError(
            _("Invoice %(number)s has been credited: there is nothing to pay.")
            % {"number": invoice.number}
        )
    due = amount_to_pay(shop=shop, invoice=invoice)
    if due <= ZERO:
        raise PaymentError(
            _("There is nothing left to pay on invoice %(number)s.") % {"number": invoice.number}
        )
    return due


def payment_event(
    *, payment: Payment, kind: str, at: datetime.datetime, actor: Actor | None = None, **outcome
) -> None:
    events.record(
        events.payment_event(
            kind,
            shop_id=payment.shop_id,
            order_id=payment.order_id,
            invoice=payment.invoice.number,
            amount=payment.amount,
            currency=payment.currency,
            provider=payment.provider,
            reference=payment.provider_payment_id,
            method=payment.method,
            state=payment.state,
            actor=actor or provider_actor(payment.provider),
            at=at,
            **outcome,
        )
    )


def apply_payment(
    *,
    payment: Payment,
    order,
    paid_on: datetime.date,
    note: str = "",
    actor: Actor,
    at: datetime.datetime,
    note_code: str = "",
    notify_customer: bool = True,
) -> None:
    """Book a paid payment on its invoice (once): the whole amount due marks the invoice paid
    (settling its open credits); less is a part payment. The order's row is locked already.
    ``note`` is what staff typed; ``note_code`` how it was paid (the payment's provider and
    reference go with it). ``notify_customer=False`` queues no "payment received" e-mail
    (history written afterwards, e.g. the demo's)."""
    shop = payment.shop
    invoice = Invoice.objects.select_for_update().get(shop=shop, pk=payment.invoice_id)
    payment.invoice = invoice
    was_paid = order_is_paid(shop=shop, order=order)
    outcome = "part"
    if invoice.kind != InvoiceKind.DEBIT or invoice.state != InvoiceState.UNPAID:
        outcome = "invoice_already_settled"  # e.g. paid by bank transfer meanwhile: refund it
    else:
        due = amount_due(shop=shop, invoice=invoice)
        if invoice.amount_paid + payment.amount >= due:
            mark_invoice_paid(
                shop=shop,
                invoice=invoice,
                paid_on=max(paid_on, invoice.issued_on),
                note=note[:MAX_NOTE],
                note_code=note_code,
                note_values={
                    "provider": payment.provider,
                    "reference": payment.provider_payment_id,
                }
                if note_code == PaidNote.PAID_ONLINE
                else {},
                actor=actor,
            )
            outcome = "paid"
            if invoice.amount_paid + payment.amount > due:
                outcome = "overpaid"
        else:
            invoice.amount_paid += payment.amount
            invoice.save(update_fields=["amount_paid"])
    payment.applied_at = at
    payment.save(update_fields=["applied_at"])
    payment_event(
        payment=payment, kind=OrderEventKind.PAYMENT_RECEIVED, at=at, actor=actor, booked=outcome
    )
    if notify_customer and outcome in ("paid", "part", "overpaid"):
        queue_payment_received_message(payment=payment, at=at)
    if not was_paid and order_is_paid(shop=shop, order=order):
        # Now, not ``at``: after the invoice's own "marked paid" event on the timeline.
        _order_paid(shop=shop, order=order, actor=actor, at=timezone.now())


def _order_paid(*, shop: Shop, order, actor: Actor, at: datetime.datetime) -> None:
    events.record(
        events.order_paid(
            shop_id=shop.pk, order_id=order.pk, number=order.number, actor=actor, at=at
        )
    )
    target = workflow_settings_for(shop=shop).status_when_paid
    if order.status == OrderStatus.AWAITING_PAYMENT and target:
        try:
            change_order_status(shop=shop, order=order, status=target, actor=actor)
        except (OrderError, ValueError) as error:
            logger.warning("Order %s paid, status not moved: %s", order.number, error)

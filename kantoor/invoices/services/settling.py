"""Settling an invoice by hand: a payment by bank transfer (or a credit paid back)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kantoor.core.actors import Actor
from kantoor.core.money import (
    ZERO,
)
from kantoor.invoices import hooks
from kantoor.invoices.errors import InvoiceError
from kantoor.invoices.models import Invoice, InvoiceKind, PaidNote, PaymentState
from kantoor.orders import events
from kantoor.shops.models import Shop

MAX_PAYMENT_NOTE = 500


def mark_invoice_paid(
    *,
    shop: Shop,
    invoice: Invoice | int,
    paid_on: datetime.date,
    note: str = "",
    actor: Actor,
    note_code: str = "",
    note_values: dict[str, str] | None = None,
) -> Invoice:
    """Record that an invoice was paid by bank transfer (debit) or paid back (credit).

    A debit invoice's open credit invoices (those referring to it) are settled with it: the
    amount paid is the invoice minus those credits. A credit invoice becomes "refunded".
    ``note`` is what a person typed (kept as typed); what the system says about the payment is
    ``note_code`` (a ``PaidNote``) with ``note_values`` (the provider code and its reference),
    stored as such and put into words in the reader's language.
    Refused for an invoice that is not unpaid, a date in the future, or a note that is too long.
    """
    invoice_id = invoice.pk if isinstance(invoice, Invoice) else invoice
    if note_code not in PaidNote.values:
        raise InvoiceError(_("Choose how the invoice was paid."))
    note_values = {str(k): str(v)[:100] for k, v in (note_values or {}).items()}
    note = (note or "").strip()
    if len(note) > MAX_PAYMENT_NOTE:
        raise InvoiceError(
            _("A note can be at most %(max)d characters long.") % {"max": MAX_PAYMENT_NOTE}
        )
    if paid_on is None:
        raise InvoiceError(_("Enter the date the payment was received."))
    if paid_on > timezone.localdate():
        raise InvoiceError(_("The payment date cannot be in the future."))
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().filter(shop=shop, pk=invoice_id).first()
        if locked is None:
            raise InvoiceError(_("Choose one of this shop's invoices."))
        if locked.state != PaymentState.UNPAID:
            raise InvoiceError(
                _("Invoice %(number)s is already %(state)s.")
                % {"number": locked.number, "state": locked.get_state_display().lower()}
            )
        if paid_on < locked.issued_on:
            raise InvoiceError(_("The payment date cannot be before the invoice date."))
        settled: list[Invoice] = []
        if locked.kind == InvoiceKind.DEBIT:
            settled = list(
                Invoice.objects.select_for_update().filter(
                    corrects=locked, kind=InvoiceKind.CREDIT, state=PaymentState.UNPAID
                )
            )
            amount = locked.total_gross + sum((c.total_gross for c in settled), ZERO)
            locked.state = PaymentState.PAID if amount > 0 else PaymentState.CREDITED
        else:
            amount = locked.total_gross
            locked.state = PaymentState.REFUNDED
        locked.paid_on = paid_on
        locked.paid_note = note
        locked.paid_note_code = note_code
        locked.paid_note_values = note_values
        locked.amount_paid = max(amount, ZERO) if locked.kind == InvoiceKind.DEBIT else amount
        locked.save(
            update_fields=[
                "state",
                "paid_on",
                "paid_note",
                "paid_note_code",
                "paid_note_values",
                "amount_paid",
            ]
        )
        for credit in settled:
            credit.state = PaymentState.CREDITED
            credit.paid_on = paid_on
            credit.save(update_fields=["state", "paid_on"])
        hooks.invoice_paid(shop=shop, invoice=locked)
        events.record(
            events.invoice_paid(
                shop_id=shop.pk,
                order_id=locked.order_id,
                number=locked.number,
                paid_on=paid_on,
                amount=locked.amount_paid,
                note=note,
                note_code=note_code,
                provider=note_values.get("provider", ""),
                reference=note_values.get("reference", ""),
                settled=[credit.number for credit in settled],
                actor=actor,
                at=timezone.now(),
            )
        )
    return locked

"""Money received or paid back by hand: a bank transfer, whole or in part, on a debit invoice;
a credit invoice paid back by bank (``record_payment_by_hand`` decides which)."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kantoor.core.actors import Actor
from kantoor.core.money import ZERO, format_money
from kantoor.invoices.models import Invoice, InvoiceKind, PaidNote
from kantoor.invoices.services import mark_invoice_paid
from kantoor.orders.locks import lock_order
from kantoor.payments.errors import PaymentError
from kantoor.payments.models import (
    Payment,
    PaymentState,
    Provider,
)
from kantoor.payments.services.booking import (
    CENT,
    MAX_NOTE,
    apply_payment,
    check_payable,
)
from kantoor.shops.models import Shop


def record_bank_transfer(
    *,
    shop: Shop,
    invoice: Invoice | int,
    paid_on: datetime.date,
    amount: Decimal | None = None,
    note: str = "",
    actor: Actor,
    notify_customer: bool = True,
) -> Payment:
    """Record money received by bank transfer on a debit invoice: the whole amount due
    (default) marks it paid, less is a part payment. The Payments page lists it.
    ``notify_customer=False``: no "payment received" e-mail (history, not news)."""
    invoice_id = invoice.pk if isinstance(invoice, Invoice) else invoice
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise PaymentError(_("A note can be at most %(max)d characters long.") % {"max": MAX_NOTE})
    if paid_on is None:
        raise PaymentError(_("Enter the date the payment was received."))
    if paid_on > timezone.localdate():
        raise PaymentError(_("The payment date cannot be in the future."))
    current = Invoice.objects.filter(shop=shop, pk=invoice_id).first()
    if current is None:
        raise PaymentError(_("Choose one of this shop's invoices."))
    now = timezone.now()
    with transaction.atomic():
        order = lock_order(shop=shop, order_id=current.order_id)
        locked = Invoice.objects.select_for_update().get(shop=shop, pk=invoice_id)
        if locked.kind == InvoiceKind.CREDIT:
            raise PaymentError(
                _("A credit invoice is paid back, not paid: mark it refunded instead.")
            )
        due = check_payable(shop=shop, invoice=locked)
        amount = due if amount is None else Decimal(amount)
        if amount != amount.quantize(CENT) or amount <= ZERO:
            raise PaymentError(_("Enter an amount above zero, in cents at most."))
        if amount > due:
            raise PaymentError(
                _("The amount is more than the %(due)s still due.")
                % {"due": format_money(due, locked.currency)}
            )
        if paid_on < locked.issued_on:
            raise PaymentError(_("The payment date cannot be before the invoice date."))
        payment = Payment.objects.create(
            shop=shop,
            invoice=locked,
            order=order,
            provider=Provider.MANUAL,
            provider_payment_id=f"manual_{uuid.uuid4().hex}",
            method="banktransfer",
            amount=amount,
            currency=locked.currency,
            state=PaymentState.PAID,
            note=note,
            created_at=now,
            updated_at=now,
            paid_at=now,
            created_by=actor.user,
        )
        payment.shop = shop
        apply_payment(
            payment=payment,
            order=order,
            paid_on=paid_on,
            note=note,
            note_code=PaidNote.BANK_TRANSFER,
            actor=actor,
            at=now,
            notify_customer=notify_customer,
        )
    return payment


@dataclass(frozen=True)
class PaidByHand:
    """What ``record_payment_by_hand`` did: the invoice as it is now, and the payment booked on
    it (None for a credit invoice paid back: that is not a payment received)."""

    invoice: Invoice
    payment: Payment | None


def record_payment_by_hand(
    *,
    shop: Shop,
    invoice: Invoice,
    paid_on: datetime.date,
    amount: Decimal | None,
    note: str,
    actor: Actor,
) -> PaidByHand:
    """Staff record money that moved by bank: received on a debit invoice (whole or part, as
    ``record_bank_transfer``), or paid back on a credit invoice (it becomes refunded)."""
    if invoice.kind == InvoiceKind.DEBIT:
        payment = record_bank_transfer(
            shop=shop, invoice=invoice, paid_on=paid_on, amount=amount, note=note, actor=actor
        )
        return PaidByHand(invoice=Invoice.objects.get(shop=shop, pk=invoice.pk), payment=payment)
    paid = mark_invoice_paid(shop=shop, invoice=invoice, paid_on=paid_on, note=note, actor=actor)
    return PaidByHand(invoice=paid, payment=None)

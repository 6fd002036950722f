"""Paying a credit invoice back through the provider the order was paid with."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kantoor.core.actors import Actor
from kantoor.core.money import ZERO, format_money
from kantoor.invoices.models import Invoice, InvoiceKind, PaidNote
from kantoor.invoices.models import PaymentState as InvoiceState
from kantoor.invoices.selectors import amount_due
from kantoor.invoices.services import InvoiceError, mark_invoice_paid
from kantoor.orders.events import OrderEventKind
from kantoor.orders.locks import lock_order
from kantoor.payments.errors import PaymentError
from kantoor.payments.models import (
    Payment,
    PaymentState,
    Provider,
    RefundReservation,
)
from kantoor.payments.providers import (
    ONLINE_PROVIDERS,
    ProviderError,
    provider_named,
)
from kantoor.payments.services.booking import (
    payment_event,
)
from kantoor.shops.models import Shop

logger = logging.getLogger(__name__)


# A reservation younger than this belongs to a refund still talking to its provider.
RESERVATION_IN_FLIGHT = datetime.timedelta(minutes=2)


def refund_payment(*, shop: Shop, credit_invoice: Invoice, actor: Actor) -> Payment:
    """Pay an unpaid credit invoice back through the provider of the order's paid online
    payment, then mark the credit invoice refunded. Returns the payment refunded from.

    The amount is reserved on the source payment under its row lock first (the refundable
    amount is checked again there), then the provider is asked with no lock held, then one
    short transaction books it. Two refunds at once never pay back more than was paid."""
    credit = Invoice.objects.filter(shop=shop, pk=credit_invoice.pk).first()
    if credit is None:
        raise PaymentError(_("Choose one of this shop's invoices."))
    _check_refundable(credit)
    amount = -amount_due(shop=shop, invoice=credit)
    if amount <= ZERO:
        raise PaymentError(_("There is nothing to refund on this credit invoice."))
    reservation = _reserve(shop=shop, credit=credit, amount=amount)
    source = reservation.payment
    try:
        provider = provider_named(shop, source.provider)
        refund = provider.create_refund(
            payment_id=source.provider_payment_id,
            amount=amount,
            currency=credit.currency,
            description=_("Credit invoice %(number)s") % {"number": credit.number},
            key=f"kantoor-refund-{shop.pk}-{credit.pk}",
        )
    except ProviderError as error:
        logger.warning("Refund of %s failed: %s", credit.number, error)
        _release(shop=shop, reservation=reservation)
        raise PaymentError(
            _("%(provider)s did not accept the refund: %(reason)s")
            % {"provider": Provider(source.provider).label, "reason": error}
        ) from error
    now = timezone.now()
    with transaction.atomic():
        lock_order(shop=shop, order_id=credit.order_id)
        locked = Payment.objects.select_for_update().select_related("invoice").get(pk=source.pk)
        try:
            mark_invoice_paid(
                shop=shop,
                invoice=credit,
                paid_on=max(timezone.localdate(), credit.issued_on),
                note_code=PaidNote.REFUNDED_ONLINE,
                note_values={"provider": locked.provider, "reference": refund.id},
                actor=actor,
            )
        except InvoiceError as error:
            # e.g. marked refunded by hand meanwhile: the provider did pay back, so the
            # reserved amount stays counted and the refund is on the timeline.
            logger.warning(
                "Refund %s of %s booked, invoice not: %s", refund.id, credit.number, error
            )
        RefundReservation.objects.filter(pk=reservation.pk).delete()
        locked.updated_at = now
        locked.save(update_fields=["updated_at"])
        payment_event(
            payment=locked,
            kind=OrderEventKind.PAYMENT_REFUNDED,
            at=now,
            actor=actor,
            refunded=str(amount),
            credit_invoice=credit.number,
            refund=refund.id,
        )
    return locked


def _check_refundable(credit: Invoice) -> None:
    if credit.kind != InvoiceKind.CREDIT:
        raise PaymentError(_("Only a credit invoice can be refunded."))
    if credit.state != InvoiceState.UNPAID:
        raise PaymentError(
            _("Credit invoice %(number)s is already %(state)s.")
            % {"number": credit.number, "state": credit.get_state_display().lower()}
        )


def _reserve(*, shop: Shop, credit: Invoice, amount) -> RefundReservation:
    """Under the locks (order, payments, credit invoice): check again what can be refunded
    and count the amount as refunded before the provider is asked."""
    now = timezone.now()
    with transaction.atomic():
        lock_order(shop=shop, order_id=credit.order_id)
        candidates = list(
            Payment.objects.select_for_update()
            .filter(
                shop=shop,
                order_id=credit.order_id,
                provider__in=ONLINE_PROVIDERS,
                state=PaymentState.PAID,
                currency=credit.currency,
            )
            .order_by("id")
        )
        credit = Invoice.objects.select_for_update().get(shop=shop, pk=credit.pk)
        _check_refundable(credit)
        existing = (
            RefundReservation.objects.select_related("payment")
            .filter(credit_invoice=credit)
            .first()
        )
        if existing is not None:
            if existing.created_at > now - RESERVATION_IN_FLIGHT:
                raise PaymentError(
                    _("Credit invoice %(number)s is being refunded already.")
                    % {"number": credit.number}
                )
            return existing  # left by a crash: retried with the same idempotency key
        candidates.sort(
            key=lambda p: (p.invoice_id != credit.corrects_id, -p.paid_at.timestamp(), -p.pk)
        )
        source = next(
            (p for p in candidates if p.amount - p.amount_refunded >= amount),
            None,
        )
        if source is None:
            raise PaymentError(
                _(
                    "This order has no online payment to refund %(amount)s from. Pay it back by "
                    "bank transfer and mark the credit invoice refunded."
                )
                % {"amount": format_money(amount, credit.currency)}
            )
        source.amount_refunded += amount
        source.updated_at = now
        source.save(update_fields=["amount_refunded", "updated_at"])
        return RefundReservation.objects.create(
            payment=source, credit_invoice=credit, amount=amount, created_at=now
        )


def _release(*, shop: Shop, reservation: RefundReservation) -> None:
    """The provider refused: the reserved amount is refundable again."""
    with transaction.atomic():
        lock_order(shop=shop, order_id=reservation.payment.order_id)
        locked = Payment.objects.select_for_update().get(pk=reservation.payment_id)
        locked.amount_refunded -= reservation.amount
        locked.updated_at = timezone.now()
        locked.save(update_fields=["amount_refunded", "updated_at"])
        RefundReservation.objects.filter(pk=reservation.pk).delete()

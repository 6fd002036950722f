"""Paying a credit invoice back through the provider the order was paid with."""

from __future__ import annotations

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


def refund_payment(*, shop: Shop, credit_invoice: Invoice, actor: Actor) -> Payment:
    """Pay an unpaid credit invoice back through the provider of the order's paid online
    payment, then mark the credit invoice refunded. Returns the payment refunded from."""
    credit = Invoice.objects.filter(shop=shop, pk=credit_invoice.pk).first()
    if credit is None:
        raise PaymentError(_("Choose one of this shop's invoices."))
    if credit.kind != InvoiceKind.CREDIT:
        raise PaymentError(_("Only a credit invoice can be refunded."))
    if credit.state != InvoiceState.UNPAID:
        raise PaymentError(
            _("Credit invoice %(number)s is already %(state)s.")
            % {"number": credit.number, "state": credit.get_state_display().lower()}
        )
    amount = -amount_due(shop=shop, invoice=credit)
    if amount <= ZERO:
        raise PaymentError(_("There is nothing to refund on this credit invoice."))
    candidates = Payment.objects.filter(
        shop=shop,
        order_id=credit.order_id,
        provider__in=ONLINE_PROVIDERS,
        state=PaymentState.PAID,
        currency=credit.currency,
    ).order_by("-paid_at", "-id")
    source = next(
        (
            payment
            for payment in sorted(candidates, key=lambda p: p.invoice_id != credit.corrects_id)
            if payment.amount - payment.amount_refunded >= amount
        ),
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
            raise PaymentError(str(error)) from error
        locked.amount_refunded += amount
        locked.updated_at = now
        locked.save(update_fields=["amount_refunded", "updated_at"])
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

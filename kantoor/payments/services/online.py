"""Paying online: the payer clicks "Pay now" (``start_payment``), the provider reports back
(``handle_webhook``: ask the provider, follow its state, book a paid payment once), and the
payment link by e-mail (``send_payment_link``)."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kantoor.core.actors import Actor
from kantoor.invoices.models import Invoice, PaidNote
from kantoor.invoices.notifications import queue_invoice_message
from kantoor.orders import events
from kantoor.orders.events import OrderEventKind
from kantoor.orders.locks import lock_order
from kantoor.payments.errors import PaymentError
from kantoor.payments.links import absolute_url
from kantoor.payments.models import (
    FINAL_STATES,
    Payment,
    PaymentState,
)
from kantoor.payments.providers import (
    ONLINE_PROVIDERS,
    ProviderError,
    ProviderPayment,
    provider_for,
    provider_named,
)
from kantoor.payments.services.booking import (
    amount_to_pay,
    apply_payment,
    check_payable,
    payment_event,
    provider_actor,
)
from kantoor.shops.models import Shop

logger = logging.getLogger(__name__)


# An open payment of the same amount younger than this is offered again instead of a new one.
REUSE_OPEN_PAYMENT_FOR = datetime.timedelta(minutes=10)


FAILED_STATES = frozenset({PaymentState.FAILED, PaymentState.CANCELED, PaymentState.EXPIRED})


def webhook_url(provider: str) -> str:
    return absolute_url(reverse("payments:webhook", kwargs={"provider": provider}))


def start_payment(*, shop: Shop, invoice: Invoice, redirect_url: str) -> Payment:
    """Start paying what is due on an unpaid debit invoice at the shop's provider.

    The payer then goes to ``payment.checkout_url``; the provider sends them back to
    ``redirect_url``. An open payment of the same amount started minutes ago is returned again
    instead of a second one. Raises PaymentError (a message for the payer).
    """
    invoice = Invoice.objects.get(shop=shop, pk=invoice.pk)
    due = check_payable(shop=shop, invoice=invoice)
    try:
        provider = provider_for(shop)
    except ProviderError as error:
        logger.warning("Shop %s: no usable payment provider: %s", shop.pk, error)
        raise PaymentError(_("Paying online is not possible right now.")) from error
    recent = (
        Payment.objects.filter(
            shop=shop,
            invoice_id=invoice.pk,
            provider=provider.name,
            state=PaymentState.OPEN,
            amount=due,
            created_at__gte=timezone.now() - REUSE_OPEN_PAYMENT_FOR,
        )
        .exclude(checkout_url="")
        .order_by("-created_at")
        .first()
    )
    if recent is not None:
        return recent
    # The provider is called outside any transaction: no lock is held while it answers.
    try:
        remote = provider.create_payment(
            amount=due,
            currency=invoice.currency,
            description=_("Invoice %(number)s, %(shop)s")
            % {"number": invoice.number, "shop": shop.name},
            redirect_url=redirect_url,
            webhook_url=webhook_url(provider.name),
            metadata={"shop": shop.pk, "invoice": invoice.pk, "invoice_number": invoice.number},
        )
    except ProviderError as error:
        logger.warning("Shop %s: provider %s refused a payment: %s", shop.pk, provider.name, error)
        raise PaymentError(_("The payment could not be started. Try again in a moment.")) from error
    now = timezone.now()
    with transaction.atomic():
        payment = Payment.objects.create(
            shop=shop,
            invoice=invoice,
            order_id=invoice.order_id,
            provider=provider.name,
            provider_payment_id=remote.id,
            method=remote.method,
            amount=due,
            currency=invoice.currency,
            state=remote.status if remote.status in PaymentState.values else PaymentState.OPEN,
            checkout_url=remote.checkout_url,
            created_at=now,
            updated_at=now,
        )
    return payment


def handle_webhook(*, provider_name: str, provider_payment_id: str) -> Payment | None:
    """A provider says one of its payments changed: ask it, and follow what it answers.

    Returns our Payment (changed or not), or None when the id is not one of ours at that
    provider. Nothing is believed from the request: the state comes from ``fetch_payment``.
    A paid payment is booked on its invoice once (``applied_at``), whatever the number of calls.
    Raises ProviderError when the provider cannot be asked (the caller answers "try later").
    """
    if provider_name not in ONLINE_PROVIDERS or not provider_payment_id:
        return None
    if len(provider_payment_id) > 64:
        return None
    payment = (
        Payment.objects.select_related("shop")
        .filter(provider=provider_name, provider_payment_id=provider_payment_id)
        .first()
    )
    if payment is None:
        return None
    provider = provider_named(payment.shop, provider_name)
    remote = provider.fetch_payment(provider_payment_id)
    if remote is None:
        logger.warning("%s does not know payment %s", provider_name, provider_payment_id)
        return payment
    return _follow(payment=payment, remote=remote)


def _follow(*, payment: Payment, remote: ProviderPayment) -> Payment:
    shop = payment.shop
    if remote.amount != payment.amount or (remote.currency and remote.currency != payment.currency):
        logger.error(
            "Payment %s: the provider reports %s %s, we asked %s %s; not booked.",
            payment.provider_payment_id,
            remote.currency,
            remote.amount,
            payment.currency,
            payment.amount,
        )
        return payment
    with transaction.atomic():
        order = lock_order(shop=shop, order_id=payment.order_id)
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        locked.shop = shop
        _move(payment=locked, order=order, state=remote.status, method=remote.method)
    return locked


def _move(*, payment: Payment, order, state: str, method: str) -> None:
    """Follow the provider's state (a final state is never left); book it when paid."""
    if state not in PaymentState.values:
        return
    now = timezone.now()
    changed = []
    if state != payment.state and payment.state not in FINAL_STATES:
        payment.state = state
        changed.append("state")
        if state == PaymentState.PAID:
            payment.paid_at = now
            changed.append("paid_at")
        if state == PaymentState.PAID or state in FAILED_STATES:
            payment.checkout_url = ""
            changed.append("checkout_url")
    if method and method != payment.method:
        payment.method = method[:40]
        changed.append("method")
    if changed:
        payment.updated_at = now
        payment.save(update_fields=[*changed, "updated_at"])
    if "state" in changed and state in FAILED_STATES:
        payment_event(payment=payment, kind=OrderEventKind.PAYMENT_FAILED, at=now)
    if payment.state == PaymentState.PAID and payment.applied_at is None:
        apply_payment(
            payment=payment,
            order=order,
            paid_on=timezone.localdate(),
            # A code, not text: the payer's language is not the reader's (docs/payments.md).
            note_code=PaidNote.PAID_ONLINE,
            actor=provider_actor(payment.provider),
            at=now,
        )


def send_payment_link(*, shop: Shop, invoice: Invoice, actor: Actor):
    """E-mail the invoice (PDF attached) with its payment link to the customer, and note it on
    the order's timeline. Refused for a paid, credited or credit invoice. Returns the Message."""
    with transaction.atomic():
        order = lock_order(shop=shop, order_id=invoice.order_id)
        locked = Invoice.objects.select_for_update().get(shop=shop, pk=invoice.pk)
        check_payable(shop=shop, invoice=locked)
        message = queue_invoice_message(invoice=locked)
        events.record(
            events.payment_link_sent(
                shop_id=shop.pk,
                order_id=order.pk,
                invoice=locked.number,
                to=locked.customer_email,
                amount=amount_to_pay(shop=shop, invoice=locked),
                actor=actor,
                at=timezone.now(),
            )
        )
    return message

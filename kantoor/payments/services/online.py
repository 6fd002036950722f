"""Paying online: the payer clicks "Pay now" (``start_payment``), the provider reports back
(``handle_webhook``: ask the provider, follow its state, book a paid payment once), and the
payment link by e-mail (``send_payment_link``)."""

from __future__ import annotations

import datetime
import logging
import time
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kantoor.core.actors import Actor
from kantoor.core.links import absolute_url
from kantoor.invoices.models import Invoice, PaidNote
from kantoor.invoices.notifications import queue_invoice_message
from kantoor.orders import events
from kantoor.orders.events import OrderEventKind
from kantoor.orders.locks import lock_order
from kantoor.payments.errors import PaymentError
from kantoor.payments.models import (
    FINAL_STATES,
    LIVE_STATES,
    Payment,
    PaymentState,
)
from kantoor.payments.providers import (
    ONLINE_PROVIDERS,
    ProviderError,
    ProviderPayment,
    live_provider_name,
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
# A STARTING payment older than this lost its request (the provider's timeouts are 3 + 10 s).
STARTING_TIMEOUT = datetime.timedelta(seconds=30)
# How long a second "Pay now" waits for the payment a first one is starting.
WAIT_FOR_START = datetime.timedelta(seconds=15)


FAILED_STATES = frozenset({PaymentState.FAILED, PaymentState.CANCELED, PaymentState.EXPIRED})


def webhook_url(provider: str) -> str:
    return absolute_url(reverse("payments:webhook", kwargs={"provider": provider}))


@dataclass(frozen=True)
class _Claim:
    """What start_payment decided under the invoice's lock: reuse the open payment, wait for
    the one another request is starting, end stale ones first, or ask the provider (the new
    payment is written already, as STARTING)."""

    reuse: Payment | None = None
    wait_for: Payment | None = None
    stale: tuple[Payment, ...] = ()
    started: Payment | None = None


def start_payment(*, shop: Shop, invoice: Invoice, redirect_url: str) -> Payment:
    """Start paying what is due on an unpaid debit invoice at the shop's provider.

    The payer then goes to ``payment.checkout_url``; the provider sends them back to
    ``redirect_url``. An invoice has at most one open online payment: the check and the write
    happen under the invoice's row lock, and the provider is asked only after that lock is
    released (a STARTING payment holds the place meanwhile). So the open payment of the same
    amount started minutes ago is offered again, a request that comes while another one is
    starting waits for it, and a stale open payment (too old, another amount, a provider the
    shop no longer uses) is cancelled at its provider before a new one is made.
    Raises PaymentError (a message for the payer).
    """
    try:
        provider = provider_for(shop)
    except ProviderError as error:
        logger.warning("Shop %s: no usable payment provider: %s", shop.pk, error)
        raise PaymentError(_("Paying online is not possible right now.")) from error
    kept_open: set[int] = set()  # stale payments their provider would not cancel
    for _round in range(3):
        claim = _claim(shop=shop, invoice_id=invoice.pk, provider=provider.name, ignore=kept_open)
        if claim.reuse is not None:
            return claim.reuse
        if claim.wait_for is not None:
            return _wait_for_checkout(claim.wait_for)
        if claim.started is not None:
            return _create_at_provider(
                shop=shop, payment=claim.started, provider=provider, redirect_url=redirect_url
            )
        for stale in claim.stale:
            if not _cancel_stale(shop=shop, payment=stale):
                kept_open.add(stale.pk)
    raise PaymentError(_("The payment could not be started. Try again in a moment."))


def _claim(*, shop: Shop, invoice_id: int, provider: str, ignore: set[int]) -> _Claim:
    """One short transaction under the invoice's row lock (no provider is called here)."""
    now = timezone.now()
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(shop=shop, pk=invoice_id)
        due = check_payable(shop=shop, invoice=invoice)
        live = Payment.objects.filter(
            shop=shop, invoice_id=invoice.pk, provider__in=ONLINE_PROVIDERS, state__in=LIVE_STATES
        ).order_by("-created_at", "-id")
        stale = []
        for payment in live:
            if payment.state == PaymentState.PENDING:
                raise PaymentError(
                    _(
                        "A payment of invoice %(number)s is being processed. You will hear "
                        "from us when it is complete."
                    )
                    % {"number": invoice.number}
                )
            if payment.state == PaymentState.STARTING:
                if payment.created_at > now - STARTING_TIMEOUT:
                    return _Claim(wait_for=payment)
                # Its request ended before the provider answered: the payer never saw it.
                payment.delete()
                continue
            if (
                payment.provider == provider
                and payment.amount == due
                and payment.checkout_url
                and payment.created_at >= now - REUSE_OPEN_PAYMENT_FOR
            ):
                return _Claim(reuse=payment)
            if payment.pk not in ignore:
                stale.append(payment)
        if stale:
            return _Claim(stale=tuple(stale))
        started = Payment.objects.create(
            shop=shop,
            invoice=invoice,
            order_id=invoice.order_id,
            provider=provider,
            provider_payment_id=f"starting_{uuid.uuid4().hex}",
            amount=due,
            currency=invoice.currency,
            state=PaymentState.STARTING,
            created_at=now,
            updated_at=now,
        )
    return _Claim(started=started)


def _create_at_provider(*, shop: Shop, payment: Payment, provider, redirect_url: str) -> Payment:
    """Ask the provider for the payment the claim wrote, then fill in what it answered."""
    invoice = payment.invoice
    try:
        remote = provider.create_payment(
            amount=payment.amount,
            currency=payment.currency,
            description=_("Invoice %(number)s, %(shop)s")
            % {"number": invoice.number, "shop": shop.name},
            redirect_url=redirect_url,
            webhook_url=webhook_url(provider.name),
            metadata={"shop": shop.pk, "invoice": invoice.pk, "invoice_number": invoice.number},
        )
    except BaseException as error:
        # Nothing exists at the provider: the place is free again for the next "Pay now".
        Payment.objects.filter(pk=payment.pk, state=PaymentState.STARTING).delete()
        if isinstance(error, ProviderError):
            logger.warning("Shop %s: %s refused a payment: %s", shop.pk, provider.name, error)
            raise PaymentError(
                _("The payment could not be started. Try again in a moment.")
            ) from error
        raise
    state = remote.status if remote.status in PaymentState.values else PaymentState.OPEN
    if state == PaymentState.STARTING:
        state = PaymentState.OPEN
    filled = Payment.objects.filter(pk=payment.pk, state=PaymentState.STARTING).update(
        provider_payment_id=remote.id,
        method=remote.method[:40],
        state=state,
        checkout_url=remote.checkout_url,
        updated_at=timezone.now(),
    )
    if not filled:  # pragma: no cover - only after STARTING_TIMEOUT of provider silence
        logger.error("Payment %s was given up while %s answered", payment.pk, provider.name)
        raise PaymentError(_("The payment could not be started. Try again in a moment."))
    payment.refresh_from_db()
    return payment


def _wait_for_checkout(payment: Payment) -> Payment:
    """Another request is starting this invoice's payment: wait for its checkout address (a
    double click lands on the same payment page, never on a second payment)."""
    deadline = time.monotonic() + WAIT_FOR_START.total_seconds()
    while True:
        current = Payment.objects.filter(pk=payment.pk).first()
        if current is None or (current.state != PaymentState.STARTING and not current.checkout_url):
            raise PaymentError(_("The payment could not be started. Try again in a moment."))
        if current.state != PaymentState.STARTING:
            return current
        if time.monotonic() >= deadline:
            raise PaymentError(_("The payment is being started. Try again in a moment."))
        time.sleep(0.1)


def _cancel_stale(*, shop: Shop, payment: Payment) -> bool:
    """End an open payment a newer one replaces, at its provider (outside any lock), and follow
    what the provider answers. False when it stays open there (it could still be paid)."""
    try:
        remote = provider_named(shop, payment.provider).cancel_payment(payment.provider_payment_id)
    except ProviderError as error:
        logger.warning("Payment %s could not be cancelled: %s", payment.provider_payment_id, error)
        return False
    if remote is None:
        return False
    payment.shop = shop
    followed = _follow(payment=payment, remote=remote)
    return followed.state not in LIVE_STATES


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
        if payment.provider != live_provider_name(shop=payment.shop):
            # Settled only through the provider that made it while the shop still uses it: an
            # old demo (test) payment moved no money, and a real one is for staff to refund.
            payment.applied_at = now
            payment.save(update_fields=["applied_at"])
            payment_event(
                payment=payment,
                kind=OrderEventKind.PAYMENT_RECEIVED,
                at=now,
                booked="provider_not_live",
            )
            return
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

"""Payments: what a shop owner and a payer do with them (docs/payments.md).

- ``configure_payment_provider``: choose the demo provider or Mollie, save the keys (encrypted).
- ``start_payment``: the payer clicks "Pay now" on an invoice: a payment at the shop's provider.
- ``handle_webhook``: a provider says "payment X changed": ask the provider, follow its state,
  and book a paid payment on its invoice exactly once.
- ``record_bank_transfer``: staff record money received by bank transfer (whole or part).
- ``refund_payment``: pay a credit invoice back through the provider the order was paid with.
- ``send_payment_link``: e-mail the invoice with its payment link.

A provider is never called inside a database transaction or while a row is locked: the call comes
first, then one short transaction writes what it answered. Locks are taken in one order: the
order, then the payment, then the invoice.
"""

from __future__ import annotations

import datetime
import logging
import re
import uuid
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kantoor.core.actors import Actor
from kantoor.core.crypto import (
    CredentialsError,
    decrypt_credentials,
    encrypt_credentials,
    masked,
)
from kantoor.core.errors import KantoorError
from kantoor.core.money import ZERO, format_money
from kantoor.core.statuses import OrderStatus
from kantoor.invoices.models import Invoice, InvoiceKind
from kantoor.invoices.models import PaymentState as InvoiceState
from kantoor.invoices.notifications import queue_invoice_message
from kantoor.invoices.selectors import amount_due, order_is_paid
from kantoor.invoices.services import InvoiceError, mark_invoice_paid
from kantoor.orders import events
from kantoor.orders.events import OrderEventKind
from kantoor.orders.locks import lock_order
from kantoor.orders.services import OrderError, change_order_status
from kantoor.payments.links import absolute_url
from kantoor.payments.models import (
    FINAL_STATES,
    Payment,
    PaymentSettings,
    PaymentState,
    Provider,
)
from kantoor.payments.notifications import queue_payment_received_message
from kantoor.payments.providers import (
    ONLINE_PROVIDERS,
    ProviderError,
    ProviderPayment,
    provider_for,
    provider_named,
)
from kantoor.shops.audit import record_changes
from kantoor.shops.models import Shop
from kantoor.shops.selectors import workflow_settings_for

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
# An open payment of the same amount younger than this is offered again instead of a new one.
REUSE_OPEN_PAYMENT_FOR = datetime.timedelta(minutes=10)
MOLLIE_KEY = re.compile(r"^(test|live)_[A-Za-z0-9]{30}$")
MAX_NOTE = 500
# The section of the shop's settings change log (kantoor.shops.audit) for the provider.
SETTINGS_LOG_SECTION = "payment_provider"
FAILED_STATES = frozenset({PaymentState.FAILED, PaymentState.CANCELED, PaymentState.EXPIRED})


class PaymentError(KantoorError):
    """A payment request that cannot be honoured; the message is for the person who asked."""

    code = "payment_refused"


def provider_actor(provider: str) -> Actor:
    """Who the timeline names for what a provider reported ("Mollie")."""
    return Actor(label=str(Provider(provider).label))


# --- Settings ---------------------------------------------------------------------------------


def configure_payment_provider(
    *, shop: Shop, provider: str, credentials: dict, actor: Actor
) -> PaymentSettings:
    """Choose the shop's payment provider and save its keys (encrypted), recorded in the
    shop's settings change log (the key masked, never in full).

    Mollie needs an API key (``test_…`` or ``live_…``, 35 characters); an empty key keeps the
    one saved before. Keys of another provider stay saved, so switching back needs no re-entry.
    """
    if provider not in ONLINE_PROVIDERS:
        raise PaymentError(_("Choose the demo provider or Mollie."))
    with transaction.atomic():
        before = _audited(provider_settings(shop=shop))
        saved = PaymentSettings.objects.select_for_update().filter(shop_id=shop.pk).first()
        try:
            keys = decrypt_credentials(saved.credentials_encrypted) if saved else {}
        except CredentialsError:
            keys = {}  # unreadable: replaced by what is entered now
        if provider == Provider.MOLLIE:
            api_key = str((credentials or {}).get("api_key") or "").strip()
            if api_key:
                if not MOLLIE_KEY.match(api_key):
                    raise PaymentError(
                        _(
                            "A Mollie API key starts with test_ or live_ followed by 30 letters "
                            "and digits. Copy it from Mollie's dashboard (Developers, API keys)."
                        )
                    )
                keys[Provider.MOLLIE] = {"api_key": api_key}
            elif not (keys.get(Provider.MOLLIE) or {}).get("api_key"):
                raise PaymentError(_("Enter the Mollie API key."))
        settings = saved or PaymentSettings(shop=shop)
        settings.provider = provider
        settings.credentials_encrypted = encrypt_credentials(keys) if keys else ""
        settings.updated_at = timezone.now()
        settings.updated_by = actor.user
        settings.save()
        record_changes(
            shop=shop,
            user=actor.user,
            section=SETTINGS_LOG_SECTION,
            before=before,
            after=_audited(provider_settings(shop=shop)),
        )
    return settings


def _audited(settings: dict) -> dict:
    """What the settings change log records: the provider and the key only in masked form."""
    return {"provider": settings["provider"], "mollie_api_key": settings["mollie_api_key"]}


def provider_settings(*, shop: Shop) -> dict:
    """The shop's provider and its keys as they may be shown back (masked), for the settings
    page: {"provider": "mollie", "mollie_api_key": "live_…wxyz", "keys_readable": True}."""
    saved = PaymentSettings.objects.filter(shop_id=shop.pk).first()
    result = {"provider": saved.provider if saved else Provider.DEMO, "mollie_api_key": ""}
    result["keys_readable"] = True
    if saved and saved.credentials_encrypted:
        try:
            keys = decrypt_credentials(saved.credentials_encrypted)
        except CredentialsError:
            result["keys_readable"] = False
        else:
            result["mollie_api_key"] = masked((keys.get(Provider.MOLLIE) or {}).get("api_key", ""))
    return result


# --- Paying an invoice online -----------------------------------------------------------------


def amount_to_pay(*, shop: Shop, invoice: Invoice) -> Decimal:
    """What the payer still has to pay on a debit invoice: its amount due minus what part
    payments already brought in (0 when paid, credited, or for a credit invoice)."""
    if invoice.kind != InvoiceKind.DEBIT or invoice.state != InvoiceState.UNPAID:
        return ZERO
    return max(amount_due(shop=shop, invoice=invoice) - invoice.amount_paid, ZERO)


def _check_payable(*, shop: Shop, invoice: Invoice) -> Decimal:
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


def webhook_url(provider: str) -> str:
    return absolute_url(reverse("payments:webhook", kwargs={"provider": provider}))


def start_payment(*, shop: Shop, invoice: Invoice, redirect_url: str) -> Payment:
    """Start paying what is due on an unpaid debit invoice at the shop's provider.

    The payer then goes to ``payment.checkout_url``; the provider sends them back to
    ``redirect_url``. An open payment of the same amount started minutes ago is returned again
    instead of a second one. Raises PaymentError (a message for the payer).
    """
    invoice = Invoice.objects.get(shop=shop, pk=invoice.pk)
    due = _check_payable(shop=shop, invoice=invoice)
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
        _payment_event(payment=payment, kind=OrderEventKind.PAYMENT_FAILED, at=now)
    if payment.state == PaymentState.PAID and payment.applied_at is None:
        _apply(
            payment=payment,
            order=order,
            paid_on=timezone.localdate(),
            note=_("Paid via %(provider)s (%(reference)s)")
            % {
                "provider": Provider(payment.provider).label,
                "reference": payment.provider_payment_id,
            },
            actor=provider_actor(payment.provider),
            at=now,
        )


def _payment_event(
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


def _apply(
    *,
    payment: Payment,
    order,
    paid_on: datetime.date,
    note: str,
    actor: Actor,
    at: datetime.datetime,
) -> None:
    """Book a paid payment on its invoice (once): the whole amount due marks the invoice paid
    (settling its open credits); less is a part payment. The order's row is locked already."""
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
    _payment_event(
        payment=payment, kind=OrderEventKind.PAYMENT_RECEIVED, at=at, actor=actor, booked=outcome
    )
    if outcome in ("paid", "part", "overpaid"):
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


# --- Payments by hand -------------------------------------------------------------------------


def record_bank_transfer(
    *,
    shop: Shop,
    invoice: Invoice | int,
    paid_on: datetime.date,
    amount: Decimal | None = None,
    note: str = "",
    actor: Actor,
) -> Payment:
    """Record money received by bank transfer on a debit invoice: the whole amount due
    (default) marks it paid, less is a part payment. The Payments page lists it."""
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
        due = _check_payable(shop=shop, invoice=locked)
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
        _apply(
            payment=payment,
            order=order,
            paid_on=paid_on,
            note=note or _("Bank transfer"),
            actor=actor,
            at=now,
        )
    return payment


# --- Refunds ----------------------------------------------------------------------------------


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
                note=_("Refunded via %(provider)s (%(reference)s)")
                % {"provider": Provider(locked.provider).label, "reference": refund.id},
                actor=actor,
            )
        except InvoiceError as error:
            raise PaymentError(str(error)) from error
        locked.amount_refunded += amount
        locked.updated_at = now
        locked.save(update_fields=["amount_refunded", "updated_at"])
        _payment_event(
            payment=locked,
            kind=OrderEventKind.PAYMENT_REFUNDED,
            at=now,
            actor=actor,
            refunded=str(amount),
            credit_invoice=credit.number,
            refund=refund.id,
        )
    return locked


# --- The payment link by e-mail ---------------------------------------------------------------


def send_payment_link(*, shop: Shop, invoice: Invoice, actor: Actor):
    """E-mail the invoice (PDF attached) with its payment link to the customer, and note it on
    the order's timeline. Refused for a paid, credited or credit invoice. Returns the Message."""
    with transaction.atomic():
        order = lock_order(shop=shop, order_id=invoice.order_id)
        locked = Invoice.objects.select_for_update().get(shop=shop, pk=invoice.pk)
        _check_payable(shop=shop, invoice=locked)
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

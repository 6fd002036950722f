"""The built-in demo provider (the default, TEST MODE, no real money).

Its "checkout" is a page of Kantoor itself (kantoor.payments.views.demo_checkout) where the payer
chooses a method and the outcome: paid, failed or cancelled. That choice changes the
DemoTransaction (the provider's side), and then goes through the same webhook handling as Mollie:
kantoor.payments.services.handle_webhook asks this provider for the state before believing it.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kantoor.payments.models import DemoTransaction, PaymentState, Provider
from kantoor.payments.providers.base import (
    PaymentProvider,
    ProviderError,
    ProviderPayment,
    ProviderRefund,
)
from kantoor.shops.models import Shop

DEMO_METHODS = (
    ("ideal", "iDEAL"),
    ("creditcard", "Credit card"),
    ("bancontact", "Bancontact"),
)
# What the payer may choose on the test page, as the demo "provider" then reports it.
DEMO_OUTCOMES = (PaymentState.PAID, PaymentState.FAILED, PaymentState.CANCELED)
# A test payment not answered within this time expires (as a real provider's does): its page
# says so and it can no longer be paid.
DEMO_EXPIRES_AFTER = datetime.timedelta(hours=1)


def is_expired(demo: DemoTransaction, *, now: datetime.datetime | None = None) -> bool:
    return demo.created_at + DEMO_EXPIRES_AFTER <= (now or timezone.now())


def _expire(demo: DemoTransaction) -> DemoTransaction:
    """An open test payment past its time becomes expired (the provider's side)."""
    if demo.status == PaymentState.OPEN and is_expired(demo):
        now = timezone.now()
        DemoTransaction.objects.filter(pk=demo.pk, status=PaymentState.OPEN).update(
            status=PaymentState.EXPIRED, updated_at=now
        )
        demo.status, demo.updated_at = PaymentState.EXPIRED, now
    return demo


def demo_checkout_path(transaction_id: str) -> str:
    return reverse("payments:demo_checkout", kwargs={"transaction_id": transaction_id})


def _as_payment(demo: DemoTransaction) -> ProviderPayment:
    return ProviderPayment(
        id=demo.id,
        status=demo.status,
        method=demo.method,
        amount=demo.amount,
        currency=demo.currency,
        checkout_url=demo_checkout_path(demo.id) if demo.status == PaymentState.OPEN else "",
    )


class DemoProvider(PaymentProvider):
    name = Provider.DEMO

    def __init__(self, *, shop: Shop) -> None:
        self.shop = shop

    def create_payment(
        self, *, amount, currency, description, redirect_url, webhook_url, metadata
    ) -> ProviderPayment:
        now = timezone.now()
        demo = DemoTransaction.objects.create(
            id="demo_" + secrets.token_urlsafe(18),
            shop=self.shop,
            amount=amount,
            currency=currency,
            description=description[:200],
            redirect_url=redirect_url,
            webhook_url=webhook_url,
            created_at=now,
            updated_at=now,
        )
        return _as_payment(demo)

    def fetch_payment(self, payment_id: str) -> ProviderPayment | None:
        demo = DemoTransaction.objects.filter(shop=self.shop, pk=payment_id).first()
        return _as_payment(_expire(demo)) if demo else None

    def cancel_payment(self, payment_id: str) -> ProviderPayment | None:
        DemoTransaction.objects.filter(
            shop=self.shop, pk=payment_id, status=PaymentState.OPEN
        ).update(status=PaymentState.CANCELED, updated_at=timezone.now())
        return self.fetch_payment(payment_id)

    def create_refund(self, *, payment_id, amount, currency, description, key) -> ProviderRefund:
        demo = DemoTransaction.objects.filter(shop=self.shop, pk=payment_id).first()
        if demo is None or demo.status != PaymentState.PAID:
            raise ProviderError(f"The demo provider has no paid payment {payment_id}.")
        if amount > demo.amount:
            raise ProviderError("A refund cannot be more than the payment.")
        refund_id = "demo_re_" + hashlib.sha256(f"{payment_id}:{key}".encode()).hexdigest()[:20]
        return ProviderRefund(id=refund_id, amount=Decimal(amount), status="refunded")


def choose_outcome(*, transaction_id: str, outcome: str, method: str) -> DemoTransaction | None:
    """The payer's choice on the test page: the demo provider's payment becomes paid, failed or
    cancelled (only once: an answered payment keeps its state; an expired one stays expired).
    None for an unknown id."""
    if outcome not in DEMO_OUTCOMES:
        raise ValueError(outcome)
    if method not in dict(DEMO_METHODS):
        raise ValueError(method)
    with transaction.atomic():
        demo = DemoTransaction.objects.select_for_update().filter(pk=transaction_id).first()
        if demo is None:
            return None
        if demo.status == PaymentState.OPEN and is_expired(demo):
            demo.status = PaymentState.EXPIRED
            demo.updated_at = timezone.now()
            demo.save(update_fields=["status", "updated_at"])
        elif demo.status == PaymentState.OPEN:
            demo.status = outcome
            demo.method = method
            demo.updated_at = timezone.now()
            demo.save(update_fields=["status", "method", "updated_at"])
    return demo

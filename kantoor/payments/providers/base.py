"""The payment-provider interface.

A provider creates a payment (the payer goes to its ``checkout_url``), tells its current state
when asked (``fetch_payment``) and refunds. Its webhook only says *which* payment changed
(``payment_id_from_webhook``): Kantoor then asks the provider for the state, never believing the
request itself.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpRequest

from kantoor.core.errors import KantoorError


class ProviderError(KantoorError):
    """The provider could not be reached, refused the request or is not set up."""

    code = "provider_error"


@dataclass(frozen=True)
class ProviderPayment:
    id: str
    status: str  # a kantoor.payments.models.PaymentState value
    method: str
    amount: Decimal
    currency: str
    checkout_url: str


@dataclass(frozen=True)
class ProviderRefund:
    id: str
    amount: Decimal
    status: str


class PaymentProvider(ABC):
    name: str = ""

    @abstractmethod
    def create_payment(
        self,
        *,
        amount: Decimal,
        currency: str,
        description: str,
        redirect_url: str,
        webhook_url: str,
        metadata: dict,
    ) -> ProviderPayment:
        """Create a payment at the provider; the payer pays it at ``checkout_url``."""

    @abstractmethod
    def fetch_payment(self, payment_id: str) -> ProviderPayment | None:
        """The payment as the provider sees it now; None when the provider does not know it."""

    @abstractmethod
    def cancel_payment(self, payment_id: str) -> ProviderPayment | None:
        """Cancel an open payment so it can no longer be paid (a newer one replaces it). Returns
        the payment as it is then (it may have been paid or be not cancellable: then it is
        unchanged); None when the provider does not know it. Raises ProviderError."""

    @abstractmethod
    def create_refund(
        self, *, payment_id: str, amount: Decimal, currency: str, description: str, key: str
    ) -> ProviderRefund:
        """Pay ``amount`` of a paid payment back. ``key`` makes the request idempotent: the same
        key twice refunds once."""

    @staticmethod
    def payment_id_from_webhook(request: HttpRequest) -> str | None:
        """The payment a webhook request names (form field ``id``), or None."""
        value = request.POST.get("id", "")
        value = value.strip() if isinstance(value, str) else ""
        return value if value and len(value) <= 64 else None

"""Mollie (https://www.mollie.com) through the official client, mollie-api-python.

Mollie calls the webhook with the form field ``id=tr_…`` only; the state is always fetched from
Mollie's API (``GET /v2/payments/tr_…``) with the shop's API key.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from mollie.api.client import Client
from mollie.api.error import Error as MollieError
from mollie.api.error import IdentifierError, NotFoundError
from mollie.api.objects.payment import Payment as MolliePayment

from kantoor.payments.models import PaymentState, Provider
from kantoor.payments.providers.base import (
    PaymentProvider,
    ProviderError,
    ProviderPayment,
    ProviderRefund,
)

# Mollie's payment statuses -> ours ("authorized" is money promised, not yet captured).
STATUSES = {
    "open": PaymentState.OPEN,
    "pending": PaymentState.PENDING,
    "authorized": PaymentState.PENDING,
    "paid": PaymentState.PAID,
    "failed": PaymentState.FAILED,
    "canceled": PaymentState.CANCELED,
    "expired": PaymentState.EXPIRED,
}
TIMEOUT = (3, 10)  # connect, read (seconds)


def _money(amount: Decimal, currency: str) -> dict:
    return {"currency": currency, "value": f"{Decimal(amount):.2f}"}


def _amount(value: dict | None) -> Decimal:
    try:
        return Decimal((value or {}).get("value", "0")).quantize(Decimal("0.01"))
    except (InvalidOperation, AttributeError):
        return Decimal("0.00")


def _is_local(url: str) -> bool:
    """Mollie refuses a webhook address it cannot reach (localhost, 127.0.0.1, …)."""
    host = (urlsplit(url).hostname or "").lower()
    return host in {"localhost", "127.0.0.1", "::1", "0.0.0.0"} or host.endswith(".localhost")  # noqa: S104


class MollieProvider(PaymentProvider):
    name = Provider.MOLLIE

    def __init__(self, *, api_key: str) -> None:
        self.client = Client(timeout=TIMEOUT)
        try:
            self.client.set_api_key(api_key)
        except MollieError as error:
            raise ProviderError("The saved Mollie API key is not valid.") from error

    def _payment(self, data: MolliePayment) -> ProviderPayment:
        return ProviderPayment(
            id=data.id,
            status=STATUSES.get(data.status, PaymentState.OPEN),
            method=data.method or "",
            amount=_amount(data.amount),
            currency=(data.amount or {}).get("currency", ""),
            checkout_url=data.checkout_url or "",
        )

    def create_payment(
        self, *, amount, currency, description, redirect_url, webhook_url, metadata
    ) -> ProviderPayment:
        data = {
            "amount": _money(amount, currency),
            "description": description[:255],
            "redirectUrl": redirect_url,
            "metadata": metadata,
        }
        if webhook_url and not _is_local(webhook_url):
            data["webhookUrl"] = webhook_url
        try:
            return self._payment(self.client.payments.create(data))
        except MollieError as error:
            raise ProviderError(f"Mollie refused the payment: {error}") from error

    def fetch_payment(self, payment_id: str) -> ProviderPayment | None:
        try:
            return self._payment(self.client.payments.get(payment_id))
        except (NotFoundError, IdentifierError):
            return None
        except MollieError as error:
            raise ProviderError(f"Mollie could not be asked about {payment_id}: {error}") from error

    def cancel_payment(self, payment_id: str) -> ProviderPayment | None:
        """``DELETE /v2/payments/tr_…``: Mollie cancels a payment that is still cancellable
        (``isCancelable``); one that is not (e.g. the payer is at the bank) is left as it is."""
        try:
            return self._payment(self.client.payments.delete(payment_id))
        except (NotFoundError, IdentifierError):
            return None
        except MollieError as error:
            current = self.fetch_payment(payment_id)
            if current is not None and current.status != PaymentState.OPEN:
                return current
            raise ProviderError(f"Mollie did not cancel {payment_id}: {error}") from error

    def create_refund(self, *, payment_id, amount, currency, description, key) -> ProviderRefund:
        payment = MolliePayment({"id": payment_id}, self.client)
        try:
            refund = payment.refunds.create(
                {"amount": _money(amount, currency), "description": description[:255]},
                idempotency_key=key,
            )
        except MollieError as error:
            raise ProviderError(f"Mollie refused the refund: {error}") from error
        return ProviderRefund(id=refund.id, amount=_amount(refund.amount), status=refund.status)

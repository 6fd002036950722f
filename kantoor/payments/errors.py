"""The refusal of a payment service."""

from __future__ import annotations

from kantoor.core.errors import KantoorError


class PaymentError(KantoorError):
    """A payment request that cannot be honoured; the message is for the person who asked."""

    code = "payment_refused"

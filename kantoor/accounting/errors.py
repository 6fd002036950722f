"""The refusals of the accounting links: every connector failure is a ConnectorError."""

from __future__ import annotations

from kantoor.core.errors import KantoorError


class ConnectorError(KantoorError):
    """The package refused the request or could not be reached; ``message`` says what the
    package said. ``retryable``: trying again later may work (a timeout, a 5xx)."""

    code = "accounting_error"

    def __init__(self, message: object = "", code: str | None = None, *, retryable: bool = False):
        super().__init__(message, code)
        self.retryable = retryable


class NeedsReconnection(ConnectorError):
    """The package no longer accepts the shop's authorisation (a revoked or expired refresh
    token, a changed password): the shop owner connects again; nothing is pushed until then."""

    code = "accounting_reconnect"


class RateLimited(ConnectorError):
    """The package's rate limit is reached; try again after ``retry_after`` seconds."""

    code = "accounting_rate_limited"

    def __init__(self, message: object = "", *, retry_after: float = 60.0):
        super().__init__(message, retryable=True)
        self.retry_after = retry_after


class InvalidMapping(KantoorError):
    """A mapping the package cannot book with (a missing G/L account, an unknown VAT code)."""

    code = "accounting_mapping"

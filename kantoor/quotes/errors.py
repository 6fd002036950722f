"""The refusal of a quotes service."""

from __future__ import annotations

from kantoor.core.errors import KantoorError


class QuoteError(KantoorError):
    """A quote step the shop or the customer cannot take; the message says why. ``field``
    names the form field the message belongs next to (empty: the whole form)."""

    code = "quote_refused"

    def __init__(self, message: object = "", code: str | None = None, field: str = ""):
        super().__init__(message, code)
        self.field = field

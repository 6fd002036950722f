"""The refusal of a returns service."""

from __future__ import annotations

from kantoor.core.errors import KantoorError


class ReturnError(KantoorError):
    """A return the shop cannot accept or a step it cannot take; the message says why.
    ``field`` names the form field the message belongs next to (empty: the whole form)."""

    code = "return_refused"

    def __init__(self, message: object = "", code: str | None = None, field: str = ""):
        super().__init__(message, code)
        self.field = field

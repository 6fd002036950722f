"""The refusal of an order service."""

from __future__ import annotations

from kantoor.core.errors import KantoorError


class OrderError(KantoorError):
    """A request the shop cannot honour; the message is for the person who made it."""

    code = "order_refused"

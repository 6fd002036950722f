"""The refusal of an order service."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kantoor.core.errors import KantoorError


class OrderError(KantoorError):
    """A request the shop cannot honour; the message is for the person who made it."""

    code = "order_refused"


class OrderAlreadyPlaced(OrderError):
    """The checkout form was sent again (a double click, a second tab, a retry): its order
    exists already. ``order`` is that order; nothing new was written."""

    code = "order_already_placed"

    def __init__(self, order) -> None:
        super().__init__(_("This order has already been placed."))
        self.order = order

"""Internal notes on an order's timeline."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kantoor.core.actors import Actor
from kantoor.orders import events
from kantoor.orders.errors import OrderError
from kantoor.orders.models import Order, OrderEvent
from kantoor.shops.models import Shop

MAX_NOTE_LENGTH = 2000


def add_order_note(*, shop: Shop, order: Order, text: str, actor: Actor) -> OrderEvent:
    """An internal note on the order's timeline (staff only; the customer never sees it).

    A note changes nothing of the order itself, so it does not bump the version: writing a
    note never makes someone else's open edit form stale.
    """
    text = (text or "").strip()
    if not text:
        raise OrderError(_("Write a note first."))
    if len(text) > MAX_NOTE_LENGTH:
        raise OrderError(
            _("A note can be at most %(max)d characters long.") % {"max": MAX_NOTE_LENGTH}
        )
    with transaction.atomic():
        if not Order.objects.filter(shop=shop, pk=order.pk).exists():
            raise Order.DoesNotExist
        event = events.record(
            events.note_added(
                shop_id=shop.pk, order_id=order.pk, text=text, actor=actor, at=timezone.now()
            )
        )
    return event

"""The quote's timeline: the only writer of QuoteEvent. Each step of a quote (made, edited into a
new revision, sent, accepted, declined, extended, expired, reminded, converted) is one event
with who did it, when and what changed."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from kantoor.core.actors import Actor
from kantoor.quotes.models import Quote, QuoteEvent


class QuoteEventKind(models.TextChoices):
    CREATED = "created", _("Quote made")
    REQUESTED = "requested", _("Quote requested")
    REVISED = "revised", _("Quote edited")
    SENT = "sent", _("Quote sent")
    ACCEPTED = "accepted", _("Quote accepted")
    DECLINED = "declined", _("Quote declined")
    CANCELLED = "cancelled", _("Quote cancelled")
    EXTENDED = "extended", _("Validity extended")
    EXPIRED = "expired", _("Quote expired")
    REMINDED = "reminded", _("Reminder sent")
    CONVERTED = "converted", _("Converted to an order")
    CONVERSION_REFUSED = "conversion_refused", _("Not converted at once")


def record(
    quote: Quote,
    kind: QuoteEventKind,
    *,
    actor: Actor,
    at: datetime.datetime,
    before: str = "",
    after: str = "",
    **data,
) -> QuoteEvent:
    """Append one event to the quote's timeline (in the caller's transaction)."""
    payload = {key: value for key, value in data.items() if value not in ("", None)}
    if before or after:
        payload.update(before=before, after=after)
    event = QuoteEvent(
        shop_id=quote.shop_id,
        quote=quote,
        kind=kind,
        actor=actor.user,
        actor_label=actor.label,
        data=payload,
        created_at=at,
    )
    event.save(force_insert=True)
    return event

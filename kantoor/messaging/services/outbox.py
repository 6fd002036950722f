"""The outbox: a Message row written in the transaction of the change that causes it, handed
to a sender after commit (``dispatch``)."""

from __future__ import annotations

import datetime
import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kantoor.messaging import embedded, tasks
from kantoor.messaging.models import (
    Message,
)
from kantoor.shops.models import Language, Shop

logger = logging.getLogger(__name__)


def queue_message(
    *,
    shop: Shop | None = None,
    shop_id: int | None = None,
    kind: str,
    to: str,
    language: str,
    order=None,
    customer_id: int | None = None,
    data: dict | None = None,
    at: datetime.datetime | None = None,
) -> Message:
    """Write a message to the outbox and send it after commit. Call inside the transaction of
    the change that causes it: if that change rolls back, the message was never there."""
    now = at or timezone.now()
    message = Message(
        shop_id=shop.pk if shop is not None else shop_id,
        order=order,
        customer_id=customer_id,
        kind=kind,
        to=to,
        language=language if language in Language.values else settings.LANGUAGE_CODE,
        data=data or {},
        next_attempt_at=now,
        created_at=now,
    )
    message.save(force_insert=True)
    transaction.on_commit(partial(dispatch, message.pk))
    return message


def dispatch(message_id: int) -> None:
    """Send a committed message: on a worker (Redis), from the embedded sender thread (the web
    server without a broker), or right here (a script, a test). Never raises: a broker or mail
    server that is down leaves the message queued for the sweep, and the caller carries on."""
    try:
        if not settings.CELERY_BROKER_URL and embedded.is_running():
            embedded.hand_over(message_id)  # the web server's sender thread: no wait here
            return
        tasks.send_message_task.delay(message_id)  # a worker, or right here when there is none
    except Exception:
        logger.exception("Message %s stays queued for the sweep", message_id)

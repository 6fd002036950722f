"""Sending: claim due messages, render them, send them over one connection, record each
outcome (and retry with backoff)."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from kantoor.core.actors import Actor
from kantoor.messaging import registry
from kantoor.messaging.errors import MessagingError, TemplateNotRendered
from kantoor.messaging.models import (
    Message,
    MessageState,
    MessageTemplate,
)
from kantoor.messaging.rendering import (
    TemplateText,
    default_template,
    render_message,
    sender_for,
)

logger = logging.getLogger(__name__)


BACKOFF_MINUTES = (1, 5, 15, 60, 240)


MAX_ATTEMPTS = len(BACKOFF_MINUTES) + 1


CLAIM_BATCH = 20


@dataclass
class SendResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def add(self, other: SendResult) -> None:
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed

    @property
    def total(self) -> int:
        return self.sent + self.retrying + self.failed


def send_message(*, message_id: int, now: datetime.datetime | None = None) -> SendResult:
    """Send one message if it is (still) due; a message another worker holds is left alone."""
    now = now or timezone.now()
    return _deliver(_claim(now=now, ids=[message_id], limit=1), now=now)


def send_due_messages(
    *, now: datetime.datetime | None = None, batch: int = CLAIM_BATCH, limit: int | None = None
) -> SendResult:
    """The sweep: send every queued message whose time has come, and every message stuck in
    ``sending`` (a worker died) for longer than MESSAGING_SENDING_TIMEOUT."""
    result = SendResult()
    now = now or timezone.now()
    while limit is None or result.total < limit:
        size = batch if limit is None else min(batch, limit - result.total)
        messages = _claim(now=now, limit=size)
        if not messages:
            break
        result.add(_deliver(messages, now=now))
    return result


def _due(now: datetime.datetime) -> Q:
    stuck_before = now - datetime.timedelta(seconds=settings.MESSAGING_SENDING_TIMEOUT)
    return Q(state=MessageState.QUEUED, next_attempt_at__lte=now) | Q(
        state=MessageState.SENDING, claimed_at__lte=stuck_before
    )


def _claim(*, now: datetime.datetime, limit: int, ids: list[int] | None = None) -> list[Message]:
    """Lock due messages no one else holds, mark them ``sending`` and count the attempt."""
    with transaction.atomic():
        due = Message.objects.select_for_update(skip_locked=True).filter(_due(now))
        if ids is not None:
            due = due.filter(pk__in=ids)
        claimed = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
        if not claimed:
            return []
        Message.objects.filter(pk__in=claimed).update(
            state=MessageState.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    return list(
        Message.objects.filter(pk__in=claimed)
        .select_related("shop", "order")
        .prefetch_related("order__lines")
        .order_by("pk")
    )


def _deliver(messages: list[Message], *, now: datetime.datetime) -> SendResult:
    """Send claimed messages over one connection; record each outcome. A retry is due
    ``BACKOFF_MINUTES`` after ``now`` (the sweep's clock), so one sweep never retries twice."""
    result = SendResult()
    if not messages:
        return result
    templates = _templates_for(messages)
    connection = get_connection()
    try:
        connection.open()
    except Exception as error:  # the mail server is down: every message waits for a retry
        for message in messages:
            _render_if_needed(message, templates)
            _record_outcome(message, error=error, result=result, now=now)
        return result
    try:
        for message in messages:
            try:
                _render_if_needed(message, templates)
                if not connection.send_messages([_email_for(message, connection)]):
                    raise MessagingError("The mail server accepted no recipient.")
            except Exception as error:
                _record_outcome(message, error=error, result=result, now=now)
                _reset(connection)
            else:
                _record_outcome(message, error=None, result=result, now=now)
    finally:
        _close(connection)
    return result


def _reset(connection) -> None:
    _close(connection)
    try:
        connection.open()
    except Exception:
        logger.warning("Mail server connection could not be reopened", exc_info=True)


def _close(connection) -> None:
    try:
        connection.close()
    except Exception:
        logger.debug("Closing the mail connection failed", exc_info=True)


def _templates_for(messages: list[Message]) -> dict[tuple[int, str, str], TemplateText]:
    """The shops' own templates for this batch, in one query."""
    wanted = {(m.shop_id, m.kind, m.language) for m in messages if not m.is_rendered}
    if not wanted:
        return {}
    query = Q()
    for shop_id, kind, language in wanted:
        query |= Q(shop_id=shop_id, kind=kind, language=language)
    return {
        (t.shop_id, t.kind, t.language): TemplateText(subject=t.subject, body=t.body)
        for t in MessageTemplate.objects.filter(query)
    }


def _render_if_needed(message: Message, templates: dict) -> None:
    if message.is_rendered:
        return
    key = (message.shop_id, message.kind, message.language)
    default = default_template(message.kind, message.language)
    template = templates.get(key) or default
    context = _context_for(message)
    render = {"context": context, "shop_name": message.shop.name, "language": message.language}
    try:
        rendered = render_message(template=template, **render)
    except TemplateNotRendered as error:
        # The shop's template breaks a limit for this order (its preview did not): the customer
        # still gets the e-mail, in Kantoor's own words.
        logger.warning(
            "Message %s: the shop's template failed (%s); sent with the default text",
            message.pk,
            error.message,
        )
        rendered = render_message(template=default, **render)
    message.subject, message.body_text, message.body_html = (
        rendered.subject,
        rendered.text,
        rendered.html,
    )
    message._newly_rendered = True


def _context_for(message: Message) -> dict:
    """The shop's values, and what the apps registered add for the message's documents."""
    shop = message.shop
    data = message.data if isinstance(message.data, dict) else {}
    return registry.build_context(
        message,
        {
            "shop_name": shop.name,
            "shop_email": shop.email,
            "shop_phone": shop.phone,
            "document_number": str(data.get("document_number", "")),
        },
    )


def _email_for(message: Message, connection) -> EmailMultiAlternatives:
    from_email, reply_to = sender_for(message.shop)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=from_email,
        to=[message.to],
        reply_to=reply_to,
        connection=connection,
        headers={"Message-ID": message_id_header(message)},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for attachment in registry.attachments_for(message):
        email.attach(attachment.filename, attachment.content, attachment.content_type)
    return email


def message_id_header(message: Message) -> str:
    """The same Message-ID for every attempt of a message, so a duplicate can be recognised."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "kantoor.invalid"
    stamp = int(message.created_at.timestamp())
    return f"<kantoor.{message.shop_id}.{message.pk}.{stamp}@{domain}>"


def _record_outcome(
    message: Message, *, error: Exception | None, result: SendResult, now: datetime.datetime
) -> None:
    clock, now = now, timezone.now()
    fields: dict = {"claimed_at": None}
    if getattr(message, "_newly_rendered", False):
        fields.update(
            subject=message.subject, body_text=message.body_text, body_html=message.body_html
        )
    outcome = None
    if error is None:
        fields.update(state=MessageState.SENT, sent_at=now, last_error="")
        outcome = registry.SENT
        result.sent += 1
    else:
        fields["last_error"] = f"{type(error).__name__}: {error}"[:2000]
        if message.attempts >= MAX_ATTEMPTS:
            fields["state"] = MessageState.FAILED
            outcome = registry.FAILED
            result.failed += 1
        else:
            wait = BACKOFF_MINUTES[max(message.attempts, 1) - 1]
            fields.update(
                state=MessageState.QUEUED,
                next_attempt_at=max(clock, now) + datetime.timedelta(minutes=wait),
            )
            result.retrying += 1
        logger.warning("Message %s not sent (attempt %s): %s", message.pk, message.attempts, error)
    with transaction.atomic():
        Message.objects.filter(pk=message.pk).update(**fields)
        if outcome:
            registry.record_on_timeline(
                message,
                outcome,
                actor=Actor.system(),
                at=now,
                error=fields.get("last_error", "") if outcome == registry.FAILED else "",
            )
    for name, value in fields.items():
        setattr(message, name, value)

"""Every change to a message: queue it (the outbox), send it, retry it, resend it; templates.

The outbox: a Message row is written in the transaction of the change that causes it (placing
an order, changing its status …), so a message exists exactly when the change does. After
commit a Celery task sends it; the sweep (``send_due_messages``: celery beat, the embedded
sweeper thread, or ``manage.py send_queued_messages``) sends whatever is still due.

Delivery is at-least-once. A message is claimed before it is sent: in one short transaction its
row is locked (``select_for_update(skip_locked=True)`` on PostgreSQL; SQLite serialises writers),
marked ``sending`` and its attempts counted, so two workers never send it at the same time. Only
a worker that dies between the mail server accepting a message and recording it as sent leaves
it ``sending``; after MESSAGING_SENDING_TIMEOUT the sweep sends it again (one duplicate at most,
with the same Message-ID header, which mail clients use to fold duplicates). The alternative,
giving up on such a message, could lose an order confirmation; we prefer the rare duplicate.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from email.utils import parseaddr
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kantoor.core.actors import Actor
from kantoor.core.errors import KantoorError
from kantoor.core.statuses import OrderStatus
from kantoor.messaging import registry
from kantoor.messaging.models import (
    Message,
    MessageKind,
    MessageState,
    MessageTemplate,
    StatusMessageSetting,
)
from kantoor.messaging.rendering import (
    TemplateText,
    default_template,
    render_message,
    sender_for,
    template_error,
)
from kantoor.shops.models import Language, Shop, User

logger = logging.getLogger(__name__)

# Minutes to wait after the 1st, 2nd … failed attempt; after the last one the message fails.
BACKOFF_MINUTES = (1, 5, 15, 60, 240)
MAX_ATTEMPTS = len(BACKOFF_MINUTES) + 1
CLAIM_BATCH = 20


class MessagingError(KantoorError):
    """A request about messages that cannot be honoured; the text is for the person asking."""

    code = "message_refused"


# --- queueing (inside the caller's transaction) -------------------------------------------------


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
    from kantoor.messaging import embedded
    from kantoor.messaging.tasks import send_message_task

    try:
        if not settings.CELERY_BROKER_URL and embedded.is_running():
            embedded.hand_over(message_id)  # the web server's sender thread: no wait here
            return
        send_message_task.delay(message_id)  # a worker, or right here when there is none
    except Exception:
        logger.exception("Message %s stays queued for the sweep", message_id)


# --- sending --------------------------------------------------------------------------------


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
    template = templates.get(key) or default_template(message.kind, message.language)
    context = _context_for(message)
    rendered = render_message(
        template=template, context=context, shop_name=message.shop.name, language=message.language
    )
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


# --- staff actions --------------------------------------------------------------------------


def resend_message(*, shop: Shop, message_id: int, actor: Actor) -> Message:
    """Send a message again: a new message with the same text to the same address."""
    with transaction.atomic():
        original = Message.objects.filter(shop=shop, pk=message_id).first()
        if original is None:
            raise MessagingError(_("This message does not exist."))
        copy = queue_message(
            shop=shop,
            kind=original.kind,
            to=original.to,
            language=original.language,
            order=original.order,
            customer_id=original.customer_id,
            data=original.data,
        )
        copy.subject = original.subject
        copy.body_text = original.body_text
        copy.body_html = original.body_html
        copy.resent_from = original
        copy.save(update_fields=["subject", "body_text", "body_html", "resent_from"])
        registry.record_on_timeline(copy, registry.QUEUED_AGAIN, actor=actor, at=copy.created_at)
    return copy


def save_message_template(
    *, shop: Shop, kind: str, language: str, subject: str, body: str, user: User | None
) -> MessageTemplate:
    """Save the shop's own text for a kind of message; a template that does not parse is
    refused (ValidationError per field) and nothing is saved."""
    kind = MessageKind(kind)
    if language not in Language.values:
        raise ValidationError({"language": _("Choose a language of the shop.")})
    errors = {}
    if not subject.strip():
        errors["subject"] = _("Enter a subject.")
    if not body.strip():
        errors["body"] = _("Enter the text of the e-mail.")
    for field, source in (("subject", subject), ("body", body)):
        problem = template_error(source)
        if problem and field not in errors:
            errors[field] = _("This template has an error: %(error)s") % {"error": problem}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        template, _created = MessageTemplate.objects.update_or_create(
            shop=shop,
            kind=kind,
            language=language,
            defaults={
                "subject": subject.strip(),
                "body": body.replace("\r\n", "\n"),
                "updated_at": timezone.now(),
                "updated_by": user,
            },
        )
    return template


def reset_message_template(*, shop: Shop, kind: str, language: str) -> None:
    """Go back to Kantoor's default text for this kind and language."""
    MessageTemplate.objects.filter(shop=shop, kind=kind, language=language).delete()


def choose_status_messages(*, shop: Shop, statuses: set[int]) -> None:
    """E-mail customers when an order moves into one of ``statuses`` (and no other)."""
    wanted = {int(OrderStatus(s)) for s in statuses} - {int(OrderStatus.NEW)}
    with transaction.atomic():
        StatusMessageSetting.objects.filter(shop=shop).exclude(status__in=wanted).delete()
        existing = set(
            StatusMessageSetting.objects.filter(shop=shop).values_list("status", flat=True)
        )
        StatusMessageSetting.objects.bulk_create(
            [StatusMessageSetting(shop=shop, status=s) for s in sorted(wanted - existing)]
        )

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
    invoice_context,
    order_context,
    render_message,
    sender_for,
    template_error,
)
from kantoor.orders.models import Order, OrderEvent, OrderEventKind
from kantoor.shops.models import Language, Shop, User

logger = logging.getLogger(__name__)

# Minutes to wait after the 1st, 2nd … failed attempt; after the last one the message fails.
BACKOFF_MINUTES = (1, 5, 15, 60, 240)
MAX_ATTEMPTS = len(BACKOFF_MINUTES) + 1
CLAIM_BATCH = 20
SYSTEM_LABEL = "Kantoor"

# OrderEvent kinds written for messages (the order's timeline).
EVENT_SENT = OrderEventKind.MESSAGE_SENT
EVENT_FAILED = OrderEventKind.MESSAGE_FAILED
EVENT_QUEUED = OrderEventKind.MESSAGE_QUEUED
# Messages that carry the invoice they are about as a PDF.
ATTACH_INVOICE_TO = frozenset({MessageKind.ORDER_CONFIRMATION, MessageKind.INVOICE})


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
    order: Order | None = None,
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


def queue_order_confirmation(*, order: Order) -> Message:
    """The order confirmation, in the customer's language (one INSERT; rendered when sent)."""
    return queue_message(
        shop_id=order.shop_id,
        kind=MessageKind.ORDER_CONFIRMATION,
        to=order.email,
        language=order.language,
        order=order,
        customer_id=order.customer_id,
        at=order.created_at,
    )


def queue_invoice_message(*, invoice, at: datetime.datetime | None = None) -> Message:
    """The invoice e-mail: the invoice as a PDF attachment and, while it is unpaid, its payment
    link (both added when the message is sent). In the customer's language."""
    return queue_message(
        shop_id=invoice.shop_id,
        kind=MessageKind.INVOICE,
        to=invoice.customer_email,
        language=invoice.language,
        order=invoice.order,
        customer_id=invoice.order.customer_id,
        data={"invoice_id": invoice.pk, "document_number": invoice.number},
        at=at,
    )


def queue_payment_received_message(*, payment, at: datetime.datetime | None = None) -> Message:
    """ "We received your payment": the amount and the invoice it was booked on."""
    invoice = payment.invoice
    return queue_message(
        shop_id=payment.shop_id,
        kind=MessageKind.PAYMENT_RECEIVED,
        to=invoice.customer_email,
        language=invoice.language,
        order=payment.order,
        customer_id=payment.order.customer_id,
        data={
            "invoice_id": invoice.pk,
            "document_number": invoice.number,
            "payment_amount": str(payment.amount),
        },
        at=at,
    )


def queue_status_message(*, order: Order, before: int, after: int) -> Message | None:
    """The status e-mail, when the shop chose to send one for the new status."""
    if not StatusMessageSetting.objects.filter(shop_id=order.shop_id, status=after).exists():
        return None
    return queue_message(
        shop_id=order.shop_id,
        kind=MessageKind.STATUS_CHANGED,
        to=order.email,
        language=order.language,
        order=order,
        customer_id=order.customer_id,
        data={"before": int(before), "after": int(after)},
    )


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
    if message.order is not None:
        context = order_context(
            order=message.order,
            lines=list(message.order.lines.all()),
            shop=message.shop,
            language=message.language,
            data=message.data,
        )
        invoice = _invoice_of(message)
        if invoice is not None:
            context.update(invoice_context(invoice=invoice, language=message.language))
        return context
    shop = message.shop
    return {
        "shop_name": shop.name,
        "shop_email": shop.email,
        "shop_phone": shop.phone,
        "document_number": str(message.data.get("document_number", "")),
    }


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
    invoice = _invoice_of(message)
    if invoice is not None and message.kind in ATTACH_INVOICE_TO:
        attachment = _invoice_attachment(message, invoice)
        if attachment is not None:
            email.attach(attachment.filename, attachment.content, attachment.content_type)
    return email


def _invoice_of(message: Message):
    """The invoice a message is about: the one it names (invoice e-mails), or for an order
    confirmation the order's first invoice (issued with the order). None for other messages."""
    if hasattr(message, "_invoice"):
        return message._invoice
    from kantoor.invoices.models import Invoice, InvoiceKind

    invoice = None
    invoice_id = message.data.get("invoice_id") if isinstance(message.data, dict) else None
    if invoice_id is not None:
        invoice = Invoice.objects.filter(shop_id=message.shop_id, pk=invoice_id).first()
    elif message.kind == MessageKind.ORDER_CONFIRMATION and message.order_id is not None:
        invoice = (
            Invoice.objects.filter(
                shop_id=message.shop_id, order_id=message.order_id, kind=InvoiceKind.DEBIT
            )
            .order_by("pk")
            .first()
        )
    message._invoice = invoice
    return invoice


def _invoice_attachment(message: Message, invoice):
    """The invoice's PDF (rendered once, then from the file cache). An invoice e-mail without
    its PDF is not sent (the error is recorded and the send retried); an order confirmation
    goes without it when the PDF cannot be made (it also gives the account page and link)."""
    from kantoor.invoices.list_selectors import PDF, invoice_file

    try:
        return invoice_file(invoice=invoice, fmt=PDF)
    except Exception:
        if message.kind == MessageKind.INVOICE:
            raise
        logger.exception("Order confirmation %s goes without its invoice PDF", message.pk)
        return None


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
    event_kind = None
    if error is None:
        fields.update(state=MessageState.SENT, sent_at=now, last_error="")
        event_kind = EVENT_SENT
        result.sent += 1
    else:
        fields["last_error"] = f"{type(error).__name__}: {error}"[:2000]
        if message.attempts >= MAX_ATTEMPTS:
            fields["state"] = MessageState.FAILED
            event_kind = EVENT_FAILED
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
        if event_kind and message.order_id:
            _message_event(
                message=message,
                kind=event_kind,
                label=SYSTEM_LABEL,
                user=None,
                at=now,
                error=fields.get("last_error", ""),
            ).save()
    for name, value in fields.items():
        setattr(message, name, value)


def _message_event(
    *, message: Message, kind: str, label: str, user, at: datetime.datetime, error: str = ""
) -> OrderEvent:
    data = {
        "message": message.pk,
        "kind": message.kind,
        "to": message.to,
        "subject": message.subject,
    }
    if error:
        data["error"] = error
    return OrderEvent(
        shop_id=message.shop_id,
        order_id=message.order_id,
        kind=kind,
        actor=user,
        actor_label=label,
        data=data,
        created_at=at,
    )


# --- staff actions --------------------------------------------------------------------------


def email_invoice(*, shop: Shop, invoice_id: int, actor: Actor) -> Message:
    """E-mail an invoice (PDF attached; the payment link while unpaid) to the customer again,
    recorded on the order's timeline ("Invoice e-mailed")."""
    from kantoor.invoices.models import Invoice

    with transaction.atomic():
        invoice = Invoice.objects.select_related("order").filter(shop=shop, pk=invoice_id).first()
        if invoice is None:
            raise MessagingError(_("Choose one of this shop's invoices."))
        message = queue_invoice_message(invoice=invoice)
        OrderEvent(
            shop_id=shop.pk,
            order_id=invoice.order_id,
            kind=OrderEventKind.INVOICE_SENT,
            actor=actor.user,
            actor_label=actor.label,
            data={"number": invoice.number, "to": message.to},
            created_at=message.created_at,
        ).save(force_insert=True)
    return message


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
        if copy.order_id:
            _message_event(
                message=copy,
                kind=EVENT_QUEUED,
                label=actor.label,
                user=actor.user,
                at=copy.created_at,
            ).save()
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

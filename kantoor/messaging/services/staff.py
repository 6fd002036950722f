"""What staff do with messages: resend one, the shop's own templates, the status e-mails."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from kantoor.core.actors import Actor
from kantoor.core.statuses import OrderStatus
from kantoor.messaging import registry
from kantoor.messaging.errors import MessagingError
from kantoor.messaging.models import (
    Message,
    MessageKind,
    MessageTemplate,
    StatusMessageSetting,
)
from kantoor.messaging.rendering import (
    MAX_TEMPLATE_CHARS,
    template_error,
)
from kantoor.messaging.services.outbox import queue_message
from kantoor.shops.models import Language, Shop, User


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
    elif len(body) > MAX_TEMPLATE_CHARS:
        errors["body"] = _("The text can be at most %(max)s characters.") % {
            "max": number_format(MAX_TEMPLATE_CHARS, force_grouping=True)
        }
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


# The status e-mails a new shop sends until it chooses others: "Shipped" (the customer waits
# for it). Shops that existed before keep what they have: nothing recorded whether they ever
# saved this setting, so turning it on for them could override a choice they made.
DEFAULT_STATUS_MESSAGES = frozenset({int(OrderStatus.SHIPPED)})


def start_default_status_messages(*, shop: Shop) -> None:
    """A new shop's status e-mails (DEFAULT_STATUS_MESSAGES); runs when a shop is created."""
    StatusMessageSetting.objects.bulk_create(
        [StatusMessageSetting(shop=shop, status=s) for s in sorted(DEFAULT_STATUS_MESSAGES)],
        ignore_conflicts=True,
    )


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

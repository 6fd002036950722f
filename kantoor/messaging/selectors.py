"""Reads about messages; each takes the shop."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from kantoor.messaging.models import (
    Message,
    MessageKind,
    MessageState,
    MessageTemplate,
    StatusMessageSetting,
)
from kantoor.messaging.rendering import KIND_HELP, TemplateText, default_template
from kantoor.shops.models import Language, Shop


def messages_for_order(*, shop: Shop, order) -> list[Message]:
    """Every message of an order, newest first (the Sent messages tab)."""
    return list(
        Message.objects.filter(shop=shop, order=order)
        .defer("body_text", "body_html", "data")
        .order_by("-created_at", "-pk")
    )


def message_of_order(*, shop: Shop, order, message_id: int) -> Message:
    message = Message.objects.filter(shop=shop, order=order, pk=message_id).first()
    if message is None:
        raise Http404("No such message.")
    return message


def failed_messages(*, shop: Shop, limit: int = 20) -> list[Message]:
    """Messages Kantoor gave up on, newest first: the staff should look at these."""
    return list(
        Message.objects.filter(shop=shop, state=MessageState.FAILED)
        .select_related("order")
        .defer("body_text", "body_html")
        .order_by("-created_at")[:limit]
    )


@dataclass(frozen=True)
class TemplateRow:
    kind: MessageKind
    help: object
    languages: list[dict]  # {"code", "label", "custom": bool, "updated_at"}


def template_overview(*, shop: Shop) -> list[TemplateRow]:
    custom = {
        (t.kind, t.language): t
        for t in MessageTemplate.objects.filter(shop=shop).only("kind", "language", "updated_at")
    }
    rows = []
    for kind in MessageKind:
        languages = []
        for code, label in Language.choices:
            template = custom.get((kind.value, code))
            languages.append(
                {
                    "code": code,
                    "label": label,
                    "custom": template is not None,
                    "updated_at": template.updated_at if template else None,
                }
            )
        rows.append(TemplateRow(kind=kind, help=KIND_HELP[kind], languages=languages))
    return rows


def template_for(*, shop: Shop, kind: str, language: str) -> tuple[TemplateText, bool]:
    """The text used for this kind and language, and whether it is the shop's own."""
    if kind not in MessageKind.values or language not in Language.values:
        raise Http404("No such template.")
    template = MessageTemplate.objects.filter(shop=shop, kind=kind, language=language).first()
    if template is None:
        return default_template(kind, language), False
    return TemplateText(subject=template.subject, body=template.body), True


def status_message_statuses(*, shop: Shop) -> set[int]:
    return set(StatusMessageSetting.objects.filter(shop=shop).values_list("status", flat=True))

"""The e-mails a quote causes: the quote itself to the customer (with its PDF and the signed
link), a reminder before it expires, and to the shop when a customer accepts, declines or
requests one. ``queue_quote_message`` writes to the outbox in the caller's transaction;
``register`` (from ``QuotesConfig.ready``) gives messaging the template values."""

from __future__ import annotations

from django.utils import formats, translation

from kantoor.core.money import format_money
from kantoor.messaging import registry
from kantoor.messaging.models import Message, MessageKind
from kantoor.messaging.services import queue_message
from kantoor.quotes.links import quote_page_url
from kantoor.quotes.models import Quote, QuoteLine
from kantoor.quotes.pricing import quote_pricing

QUOTE_KINDS = frozenset(
    {
        MessageKind.QUOTE,
        MessageKind.QUOTE_REMINDER,
        MessageKind.QUOTE_ACCEPTED,
        MessageKind.QUOTE_DECLINED,
        MessageKind.QUOTE_REQUESTED,
    }
)
TO_THE_SHOP = frozenset(
    {MessageKind.QUOTE_ACCEPTED, MessageKind.QUOTE_DECLINED, MessageKind.QUOTE_REQUESTED}
)


def queue_quote_message(*, quote: Quote, kind: str) -> Message | None:
    """An e-mail about the quote: to the customer in the quote's language, or to the shop's
    address in the shop's language (None when the shop has no e-mail address)."""
    shop = quote.shop
    if kind in TO_THE_SHOP:
        if not shop.email:
            return None
        to, language = shop.email, shop.default_language
    else:
        to, language = quote.email, quote.language
    return queue_message(
        shop_id=quote.shop_id,
        kind=kind,
        to=to,
        language=language,
        customer_id=quote.customer_id,
        data={
            "quote_id": quote.pk,
            "document_number": quote.number,
            "revision": quote.sent_revision or quote.revision,
        },
    )


def _add_quote_values(message: Message, context: dict) -> None:
    data = message.data if isinstance(message.data, dict) else {}
    quote_id = data.get("quote_id")
    if message.kind not in QUOTE_KINDS or not isinstance(quote_id, int):
        return
    quote = Quote.objects.filter(shop_id=message.shop_id, pk=quote_id).first()
    if quote is None:
        return
    shop = message.shop
    quote.shop = shop
    revision = data.get("revision") if isinstance(data.get("revision"), int) else quote.revision
    lines = list(QuoteLine.objects.filter(quote=quote, revision=revision).order_by("position"))
    pricing = quote_pricing(shop=shop, quote=quote, lines=lines)
    with translation.override(message.language):
        context.update(
            {
                "document_number": quote.number,
                "customer_name": quote.customer_name,
                "first_name": quote.first_name,
                "customer_email": quote.email,
                "quote_link": quote_page_url(
                    shop_slug=shop.slug, shop_id=shop.pk, quote_id=quote.pk
                ),
                "quote_total": format_money(pricing.totals.gross, shop.currency),
                "valid_until": formats.date_format(quote.valid_until, "DATE_FORMAT"),
                "quote_note": quote.declined_reason
                if message.kind == MessageKind.QUOTE_DECLINED
                else quote.note,
                "accepted_name": quote.accepted_name,
            }
        )


def register() -> None:
    registry.register_context(_add_quote_values)

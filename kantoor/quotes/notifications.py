"""The e-mails a quote causes: the quote itself to the customer (with its PDF and the signed
link), a reminder before it expires, and to the shop when a customer accepts, declines or
requests one. ``queue_quote_message`` writes to the outbox in the caller's transaction;
``register`` (from ``QuotesConfig.ready``) gives messaging the template values and the PDF of
the quote as the attachment of the quote e-mail and its reminder."""

from __future__ import annotations

import logging

from django.utils import formats, translation

from kantoor.core.money import format_money
from kantoor.messaging import registry
from kantoor.messaging.models import Message, MessageKind
from kantoor.messaging.services import queue_message
from kantoor.quotes.links import quote_page_url
from kantoor.quotes.models import QUOTE_KINDS, Quote, QuoteLine
from kantoor.quotes.pdf import quote_file_name, quote_pdf
from kantoor.quotes.pricing import quote_pricing

logger = logging.getLogger(__name__)

TO_THE_SHOP = frozenset(
    {MessageKind.QUOTE_ACCEPTED, MessageKind.QUOTE_DECLINED, MessageKind.QUOTE_REQUESTED}
)
# Messages that carry the quote (the revision they are about) as a PDF.
ATTACH_QUOTE_TO = frozenset({MessageKind.QUOTE, MessageKind.QUOTE_REMINDER})


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


def _quote_attachments(message: Message) -> list[registry.Attachment]:
    """The PDF of the revision the message is about (rendered once, then from the file cache).
    A quote e-mail without its PDF is not sent (the error is recorded and the send retried); a
    reminder goes without it when the PDF cannot be made (its link opens the quote)."""
    data = message.data if isinstance(message.data, dict) else {}
    quote_id = data.get("quote_id")
    if message.kind not in ATTACH_QUOTE_TO or not isinstance(quote_id, int):
        return []
    quote = Quote.objects.filter(shop_id=message.shop_id, pk=quote_id).first()
    if quote is None:
        return []
    quote.shop = message.shop
    revision = data.get("revision") if isinstance(data.get("revision"), int) else None
    try:
        pdf = quote_pdf(quote=quote, revision=revision, language=message.language)
    except Exception:
        if message.kind == MessageKind.QUOTE:
            raise
        logger.exception("Quote reminder %s goes without its PDF", message.pk)
        return []
    return [registry.Attachment(quote_file_name(quote), pdf, "application/pdf")]


def register() -> None:
    registry.register_context(_add_quote_values)
    registry.register_attachments(_quote_attachments)

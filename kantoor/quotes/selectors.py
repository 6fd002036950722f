"""Read queries of quotes, always scoped by shop."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from kantoor.core.pricing import Pricing
from kantoor.quotes.models import Quote, QuoteEvent, QuoteLine, QuoteStatus
from kantoor.quotes.pricing import quote_pricing
from kantoor.shops.models import Shop


def quote_for_staff(*, shop: Shop, number: str) -> Quote:
    """One quote of this shop by its number; 404 for another shop's or an unknown one."""
    quote = (
        Quote.objects.filter(shop=shop, number=number).select_related("customer", "order").first()
    )
    if quote is None:
        raise Http404("No such quote.")
    quote.shop = shop
    return quote


def quote_by_id(*, shop: Shop, quote_id: int) -> Quote:
    """The quote a signed link names (the link was checked for this shop); 404 otherwise."""
    quote = Quote.objects.filter(shop=shop, pk=quote_id).select_related("order").first()
    if quote is None:
        raise Http404("No such quote.")
    quote.shop = shop
    return quote


def lines_of(quote: Quote, revision: int | None = None) -> list[QuoteLine]:
    return list(
        QuoteLine.objects.filter(
            quote=quote, revision=quote.revision if revision is None else revision
        )
        .select_related("product")
        .order_by("position")
    )


def customer_revision(quote: Quote) -> int | None:
    """The revision the customer sees: the one last sent, or the request they made; None
    for a concept never sent (nothing to show)."""
    if quote.sent_revision:
        return quote.sent_revision
    if quote.status == QuoteStatus.REQUESTED:
        return quote.revision
    return None


@dataclass(frozen=True)
class QuoteView:
    """A revision of a quote with its lines and what they come to."""

    quote: Quote
    revision: int
    lines: list[QuoteLine]
    pricing: Pricing

    @property
    def rows(self):
        """(line, its price as charged, its amounts) per line, for a table."""
        return list(
            zip(
                self.lines,
                self.pricing.lines,
                self.pricing.totals.lines[: len(self.lines)],
                strict=True,
            )
        )


def quote_view(quote: Quote, revision: int | None = None) -> QuoteView:
    revision = quote.revision if revision is None else revision
    lines = lines_of(quote, revision)
    return QuoteView(
        quote=quote,
        revision=revision,
        lines=lines,
        pricing=quote_pricing(shop=quote.shop, quote=quote, lines=lines),
    )


def quotes_of_customer(*, shop: Shop, customer) -> QuerySet[Quote]:
    """The customer's quotes they can see (sent at least once, or requested), newest first."""
    return (
        Quote.objects.filter(shop=shop, customer=customer)
        .exclude(status=QuoteStatus.CONCEPT, sent_revision=0)
        .order_by("-created_at", "-pk")
    )


def quote_events(*, shop: Shop, quote: Quote) -> list[QuoteEvent]:
    return list(QuoteEvent.objects.filter(shop=shop, quote=quote).order_by("-created_at", "-pk"))

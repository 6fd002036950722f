"""Read queries of quotes, always scoped by shop."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kantoor.core.keyset import instant_keyset, keyset_page
from kantoor.core.pricing import Pricing
from kantoor.core.search import contains_fragment
from kantoor.messaging.models import Message
from kantoor.quotes.models import QUOTE_KINDS, Quote, QuoteEvent, QuoteLine, QuoteStatus
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


def customer_totals(*, shop: Shop, quotes: list[Quote]) -> dict[int, Decimal]:
    """What each quote comes to in the revision its customer sees (one query for all)."""
    wanted = {quote.pk: customer_revision(quote) for quote in quotes}
    by_quote: dict[int, list[QuoteLine]] = {quote.pk: [] for quote in quotes}
    for line in QuoteLine.objects.filter(quote_id__in=list(wanted)).order_by("position"):
        if line.revision == wanted.get(line.quote_id):
            by_quote[line.quote_id].append(line)
    return {
        quote.pk: quote_pricing(shop=shop, quote=quote, lines=by_quote[quote.pk]).totals.gross
        for quote in quotes
    }


def quotes_of_customer(*, shop: Shop, customer) -> QuerySet[Quote]:
    """The customer's quotes they can see (sent at least once, or requested), newest first."""
    return (
        Quote.objects.filter(shop=shop, customer=customer)
        .exclude(status=QuoteStatus.CONCEPT, sent_revision=0)
        .order_by("-created_at", "-pk")
    )


def quote_events(*, shop: Shop, quote: Quote) -> list[QuoteEvent]:
    return list(QuoteEvent.objects.filter(shop=shop, quote=quote).order_by("-created_at", "-pk"))


# --- The back office: the Quotes list, a quote's e-mails, the quote an order came from --------

QUOTE_LIST_PAGE_SIZE = 50
QUOTE_LIST_COUNT_CAP = 10_000
# Newest first: made, then id (the index quote_shop_created_id).
QUOTE_KEYSET = instant_keyset("created_at")
# The list's saved views besides "all": a status, or the sent quotes that run out this week.
QUOTE_VIEWS = ("requested", "sent", "accepted", "expiring")
EXPIRING_DAYS = 7


@dataclass(frozen=True)
class QuoteFilters:
    """What the Quotes list shows: every field narrows it; the empty filter shows all."""

    statuses: tuple[str, ...] = ()
    view: str = ""  # one of QUOTE_VIEWS
    date_from: datetime.date | None = None  # made on, inclusive
    date_to: datetime.date | None = None
    query: str = ""  # a quote number (or part), the customer's name, company or e-mail


@dataclass
class QuotePage:
    quotes: list[Quote]  # each with .total: what its current revision comes to
    previous_cursor: str | None
    next_cursor: str | None
    is_first: bool
    is_last: bool


def filtered_quotes(
    *, shop: Shop, filters: QuoteFilters, today: datetime.date | None = None
) -> QuerySet[Quote]:
    queryset = Quote.objects.filter(shop=shop)
    if filters.statuses:
        queryset = queryset.filter(status__in=sorted(set(filters.statuses)))
    if filters.view == "expiring":
        today = today or timezone.localdate()
        queryset = queryset.filter(
            status=QuoteStatus.SENT,
            valid_until__gte=today,
            valid_until__lte=today + datetime.timedelta(days=EXPIRING_DAYS),
        )
    elif filters.view in QUOTE_VIEWS:
        queryset = queryset.filter(status=filters.view)
    if filters.date_from:
        queryset = queryset.filter(created_at__date__gte=filters.date_from)
    if filters.date_to:
        queryset = queryset.filter(created_at__date__lte=filters.date_to)
    query = " ".join(filters.query.split())
    if query:
        queryset = queryset.filter(_quote_search(shop=shop, query=query))
    return queryset


def _quote_search(*, shop: Shop, query: str) -> Q:
    """A whole quote number is looked up by its unique index, a whole e-mail address by
    (shop, email); anything else: every word matches a fragment of the number, the name, the
    company or the e-mail address (so "karin klant" finds Karin Klant)."""
    if " " not in query and len(query) <= 40:
        candidates = {query, query.upper()}
        if Quote.objects.filter(shop=shop, number__in=candidates).exists():
            return Q(number__in=candidates)
    if "@" in query and " " not in query:
        return Q(email=query.lower())  # stored lowercase
    condition = Q()
    for word in query.split()[:5]:
        if connection.vendor == "postgresql":
            # The GIN trigram index of migration quotes 0003 is on exactly this expression.
            condition &= contains_fragment(QUOTE_SEARCH_SQL, word)
            continue
        condition &= (
            Q(number__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(company__icontains=word)
            | Q(email__icontains=word)
        )
    return condition


QUOTE_SEARCH_SQL = (
    '("quotes_quote"."number" || \' \' || "quotes_quote"."first_name" || \' \' || '
    '"quotes_quote"."last_name" || \' \' || "quotes_quote"."company" || \' \' || '
    '"quotes_quote"."email")'
)


def quote_list(
    *,
    shop: Shop,
    filters: QuoteFilters,
    after: str | None = None,
    before: str | None = None,
    last: bool = False,
    page_size: int = QUOTE_LIST_PAGE_SIZE,
) -> QuotePage:
    """One page of the shop's quotes, newest first, each with the total of its current
    revision (2 statements). Raises kantoor.core.keyset.InvalidCursor for a bad page token."""
    page = keyset_page(
        filtered_quotes(shop=shop, filters=filters),
        QUOTE_KEYSET,
        after=after,
        before=before,
        last=last,
        page_size=page_size,
    )
    rows = page.rows
    lines: dict[int, list[QuoteLine]] = {quote.pk: [] for quote in rows}
    current = {quote.pk: quote.revision for quote in rows}
    for line in QuoteLine.objects.filter(quote_id__in=list(current)).order_by("position"):
        if line.revision == current[line.quote_id]:
            lines[line.quote_id].append(line)
    for quote in rows:
        quote.shop = shop
        quote.total = quote_pricing(shop=shop, quote=quote, lines=lines[quote.pk]).totals.gross
    return QuotePage(rows, page.previous_cursor, page.next_cursor, page.is_first, page.is_last)


def count_quotes(
    *, shop: Shop, filters: QuoteFilters, cap: int = QUOTE_LIST_COUNT_CAP
) -> tuple[int, bool]:
    """(how many quotes match, exact?): counts at most ``cap`` + 1 rows."""
    counted = filtered_quotes(shop=shop, filters=filters).order_by()[: cap + 1].count()
    return (counted, True) if counted <= cap else (cap, False)


def quotes_by_ids(*, shop: Shop, quote_ids) -> list[Quote]:
    """The shop's quotes among ``quote_ids`` (a list's selection), by number."""
    return list(Quote.objects.filter(shop=shop, pk__in=list(quote_ids)).order_by("number"))


def quote_messages(*, shop: Shop, quote: Quote) -> list[Message]:
    """The e-mails about the quote (to the customer and to the shop), newest first. A quote's
    e-mails are about no order (``queue_quote_message``); on PostgreSQL the index
    message_quote_id (migration quotes 0002) finds them by the quote id in their details."""
    return list(
        Message.objects.filter(
            shop=shop, order__isnull=True, kind__in=sorted(QUOTE_KINDS), data__quote_id=quote.pk
        )
        .defer("body_text", "body_html")
        .order_by("-created_at", "-pk")
    )


def quote_of_order(*, shop: Shop, order) -> Quote | None:
    """The quote the order was made from (converted), or None: one query."""
    return Quote.objects.filter(shop=shop, order=order).first()

"""The back-office order list: filters, search, keyset pages and a capped count, with each
order's paid state. It reads orders with what their invoices say (paid means every invoice is
settled and together they cover the order's current total), so it sits in the invoices layer:
orders never import invoices. Reads only, always taking the shop.
"""

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import (
    DecimalField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from kantoor.core.keyset import Keyset, keyset_page
from kantoor.core.search import contains_fragment
from kantoor.core.statuses import OrderStatus
from kantoor.invoices.models import SETTLED, Invoice
from kantoor.orders.models import Order
from kantoor.shops.models import Shop

# --- The back-office order list -------------------------------------------------------------
# Keyset pagination: a page is "the next PAGE_SIZE orders after this one" in the chosen sort
# order, so page 5,000 costs what page 1 costs (no OFFSET), and the total is counted only up to
# COUNT_CAP (above that the planner's estimate is shown, labelled approximate).

ORDER_LIST_PAGE_SIZE = 50
ORDER_LIST_COUNT_CAP = 10_000

# Sort key -> (model field, descending). The primary key breaks ties (equal dates, totals).
ORDER_LIST_SORTS: dict[str, tuple[str, bool]] = {
    "-date": ("created_at", True),
    "date": ("created_at", False),
    "-number": ("number", True),
    "number": ("number", False),
    "-total": ("total_gross", True),
    "total": ("total_gross", False),
}
DEFAULT_ORDER_SORT = "-date"

# The text one search box looks through: the order's own copy of who ordered. On PostgreSQL a
# trigram GIN index on exactly this expression (migration 0006) serves fragments ("%jans%").
ORDER_SEARCH_SQL = (
    '("orders_order"."number" || \' \' || "orders_order"."email" || \' \' || '
    '"orders_order"."first_name" || \' \' || "orders_order"."last_name" || \' \' || '
    '"orders_order"."company" || \' \' || "orders_order"."billing_postcode" || \' \' || '
    '"orders_order"."delivery_postcode")'
)
ORDER_SEARCH_FIELDS = (
    "number",
    "email",
    "first_name",
    "last_name",
    "company",
    "billing_postcode",
    "delivery_postcode",
)


@dataclass(frozen=True)
class OrderFilters:
    """What the order list shows: every field narrows it; the empty filter shows all orders."""

    statuses: tuple[int, ...] = ()
    date_from: datetime.date | None = None  # inclusive, in the site's time zone
    date_to: datetime.date | None = None  # inclusive
    customer_id: int | None = None
    query: str = ""
    sort: str = DEFAULT_ORDER_SORT
    paid: bool | None = None  # True: only paid orders, False: only orders not paid, None: all


@dataclass(frozen=True)
class OrderCount:
    """How many orders match: exact up to the cap, else at least ``value`` (maybe an estimate)."""

    value: int
    exact: bool
    estimate: int | None = None  # the planner's estimate when not exact (PostgreSQL)


@dataclass
class OrderPage:
    orders: list[Order]
    # Tokens for the neighbouring pages (None: there is none). "previous" is None on the first
    # page; "next" is None on the last page.
    previous_cursor: str | None
    next_cursor: str | None
    is_first: bool
    is_last: bool


def order_list(
    *,
    shop: Shop,
    filters: OrderFilters,
    after: str | None = None,
    before: str | None = None,
    last: bool = False,
    page_size: int = ORDER_LIST_PAGE_SIZE,
) -> OrderPage:
    """One page of the shop's orders: the first page, the page after/before a cursor, or the last.

    Two SQL statements: the page, then whether each of its orders is paid (``order.is_paid``).
    Raises kantoor.core.keyset.InvalidCursor for a token that does not fit the sort order.
    """
    page = _order_page(
        shop=shop, filters=filters, after=after, before=before, last=last, page_size=page_size
    )
    paid = paid_order_ids(shop=shop, order_ids=[order.pk for order in page.orders])
    for order in page.orders:
        order.is_paid = order.pk in paid
    return page


def paid_order_ids(*, shop: Shop, order_ids: list[int]) -> set[int]:
    """Which of these orders are paid, in one statement (two index probes per order).

    Asked separately for a page's few orders rather than inside the page's query: there the
    planner, not knowing about the LIMIT, hashes the whole invoice table for every page.
    """
    if not order_ids:
        return set()
    return set(
        Order.objects.filter(shop=shop, pk__in=order_ids)
        .filter(order_paid_condition())
        .values_list("pk", flat=True)
    )


@dataclass(frozen=True)
class PaymentState:
    """An order's paid state as its pages show it: paid, or what is still due (negative: to be
    paid back)."""

    paid: bool
    due: Decimal


def payment_states(*, shop: Shop, orders: list[Order]) -> dict[int, PaymentState]:
    """The paid state of each of these orders (a page of them): two statements in all."""
    if not orders:
        return {}
    ids = [order.pk for order in orders]
    paid = paid_order_ids(shop=shop, order_ids=ids)
    received = dict(
        Invoice.objects.filter(shop=shop, order_id__in=ids)
        .order_by()
        .values("order_id")
        .annotate(total=Sum("amount_paid"))
        .values_list("order_id", "total")
    )
    states = {}
    for order in orders:
        owed = Decimal("0.00") if order.status == OrderStatus.CANCELLED else order.total_gross
        due = (owed - Decimal(received.get(order.pk) or 0)).quantize(Decimal("0.01"))
        is_paid = order.pk in paid
        states[order.pk] = PaymentState(paid=is_paid, due=Decimal("0.00") if is_paid else due)
    return states


def _order_page(
    *,
    shop: Shop,
    filters: OrderFilters,
    after: str | None,
    before: str | None,
    last: bool,
    page_size: int,
) -> OrderPage:
    field, descending = ORDER_LIST_SORTS.get(filters.sort, ORDER_LIST_SORTS[DEFAULT_ORDER_SORT])
    page = keyset_page(
        filtered_orders(shop=shop, filters=filters),
        order_keyset(field, descending),
        after=after,
        before=before,
        last=last,
        page_size=page_size,
    )
    return OrderPage(page.rows, page.previous_cursor, page.next_cursor, page.is_first, page.is_last)


def filtered_orders(*, shop: Shop, filters: OrderFilters) -> QuerySet[Order]:
    """The shop's orders narrowed by the filters (unordered)."""
    queryset = Order.objects.filter(shop=shop)
    if filters.statuses:
        statuses = sorted(set(filters.statuses))
        if len(statuses) == 1:
            queryset = queryset.filter(status=statuses[0])
        else:
            queryset = queryset.filter(status__in=statuses)
    if filters.date_from:
        queryset = queryset.filter(created_at__gte=_local_midnight(filters.date_from))
    if filters.date_to:
        next_day = filters.date_to + datetime.timedelta(days=1)
        queryset = queryset.filter(created_at__lt=_local_midnight(next_day))
    if filters.customer_id:
        queryset = queryset.filter(customer_id=filters.customer_id)
    if filters.paid is True:
        queryset = queryset.filter(order_paid_condition())
    elif filters.paid is False:
        queryset = queryset.filter(order_not_paid_condition())
    query = " ".join(filters.query.split())
    if query:
        number = _exact_number(shop=shop, query=query)
        # A whole order number finds that order through the unique index (a trigram search
        # for "ORD2026-446081" reads every order's "ORD", "202", "026" … entries first).
        queryset = queryset.filter(number=number) if number else queryset.filter(_search(query))
    return queryset


def _invoiced_sum():
    """The sum of the order's invoices (debit positive, credit negative; credits for returned
    goods left out), 0 without any: one probe of the invoice_order_id index per order."""
    return Coalesce(
        Subquery(
            Invoice.objects.filter(order_id=OuterRef("pk"), for_returned_goods=False)
            .order_by()
            .values("order_id")
            .annotate(total=Sum("total_gross"))
            .values("total")[:1],
            output_field=DecimalField(max_digits=14, decimal_places=2),
        ),
        Value(Decimal("0.00")),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def _covered() -> Q:
    """The invoices cover what the order comes to now (nothing, once it is cancelled)."""
    return Q(status=OrderStatus.CANCELLED) | Q(total_gross__lte=_invoiced_sum())


def order_paid_condition() -> Q:
    """The order is paid, as ``kantoor.invoices.selectors.order_is_paid`` says, as one condition
    on the order row: it has an invoice, none of its invoices is unsettled (a debit invoice not
    paid or credited, a credit invoice not refunded or credited), and together they cover the
    order's current total. EXISTS subqueries and a sum over the invoice_order_id index, so a
    filter or a page of rows costs no query per row."""
    invoices = Invoice.objects.filter(order_id=OuterRef("pk"))
    unsettled = invoices.exclude(SETTLED)
    return Q(Exists(invoices)) & ~Q(Exists(unsettled)) & _covered()


def order_not_paid_condition() -> Q:
    """The order has an invoice that is not settled (one probe per order into the small
    invoice_unsettled_order index, whose predicate is this condition), or its invoices do not
    cover its current total (an edit raised it). Every order has its invoice from the moment it
    is placed, so this is the opposite of order_paid_condition; written as "no invoice, or an
    unsettled one", PostgreSQL would read every unsettled invoice for each page and each
    count."""
    return Q(Exists(Invoice.objects.filter(order_id=OuterRef("pk")).exclude(SETTLED))) | ~_covered()


def _exact_number(*, shop: Shop, query: str) -> str | None:
    if " " in query or len(query) > 40:
        return None
    candidates = {query, query.upper()}
    return (
        Order.objects.filter(shop=shop, number__in=candidates)
        .values_list("number", flat=True)
        .first()
    )


def count_orders(
    *, shop: Shop, filters: OrderFilters, cap: int = ORDER_LIST_COUNT_CAP
) -> OrderCount:
    """How many orders match, counting at most ``cap`` + 1 rows.

    Above the cap PostgreSQL's planner estimate is given (one EXPLAIN, no rows read), so a
    million orders never cost a million-row count.
    """
    queryset = filtered_orders(shop=shop, filters=filters)
    counted = queryset.order_by()[: cap + 1].count()
    if counted <= cap:
        return OrderCount(value=counted, exact=True)
    estimate = None
    if connection.vendor == "postgresql":
        plan = json.loads(queryset.order_by().explain(format="json"))
        estimate = max(int(plan[0]["Plan"]["Plan Rows"]), cap + 1)
    return OrderCount(value=cap, exact=False, estimate=estimate)


def _search(query: str) -> Q:
    """Order number (full or part), name, e-mail, company or postcode containing ``query``."""
    if connection.vendor == "postgresql":
        return contains_fragment(ORDER_SEARCH_SQL, query)
    condition = Q()
    for name in ORDER_SEARCH_FIELDS:
        condition |= Q(**{f"{name}__icontains": query})
    first, _space, rest = query.partition(" ")
    if rest:  # "Jan Jansen": first and last name together
        condition |= Q(first_name__icontains=first, last_name__icontains=rest)
    return condition


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_MICROSECOND = datetime.timedelta(microseconds=1)
_MAX_TOTAL = Decimal(10) ** 12  # Order.total_gross: 14 digits, 2 after the point


def _instant_to_text(value: datetime.datetime) -> str:
    return str((value - _EPOCH) // _MICROSECOND)


def _instant_from_text(text: str) -> datetime.datetime:
    return _EPOCH + int(text) * _MICROSECOND


def _total_from_text(text: str) -> Decimal:
    value = Decimal(text)
    if not value.is_finite() or abs(value) >= _MAX_TOTAL:
        raise ValueError(text)
    return value


def order_keyset(field: str, descending: bool) -> Keyset:
    """The order list's sort on ``field``: times as microseconds since 1970 in the token."""
    if field == "created_at":
        return Keyset(field, descending, _instant_to_text, _instant_from_text)
    if field == "total_gross":
        return Keyset(field, descending, str, _total_from_text)
    return Keyset(field, descending)

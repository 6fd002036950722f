"""Reads of returns: the shop's reasons and actions, what an order may still return and until
when, and a shop's or a customer's returns."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from kantoor.core.keyset import instant_keyset, keyset_page
from kantoor.core.search import contains_fragment
from kantoor.core.statuses import OrderStatus
from kantoor.orders.events import OrderEventKind
from kantoor.orders.models import Order, OrderEvent, OrderLine
from kantoor.returns.models import (
    CLOSED_RETURN_STATUSES,
    HANDLED_RETURN_STATUSES,
    ReturnAction,
    ReturnLine,
    ReturnPhoto,
    ReturnReason,
    ReturnRequest,
    ReturnSource,
    ReturnStatus,
)
from kantoor.shops.models import Shop
from kantoor.shops.selectors import workflow_settings_for

# An order can be returned once it has left the shop: shipped, delivered or completed.
RETURNABLE_ORDER_STATUSES = frozenset(
    {OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED}
)

OPTION_MODELS = {"reasons": ReturnReason, "actions": ReturnAction}


def return_options(*, shop: Shop, list_name: str, active_only: bool = False) -> QuerySet:
    """A shop's return reasons or actions (``list_name`` "reasons" / "actions"), in order."""
    options = OPTION_MODELS[list_name].objects.filter(shop=shop)
    if active_only:
        options = options.filter(active=True)
    return options.order_by("position", "pk")


def return_option(*, shop: Shop, list_name: str, pk: int):
    """One reason or action of this shop; 404 for another shop's (or an unknown) entry."""
    model = OPTION_MODELS.get(list_name)
    option = model.objects.filter(shop=shop, pk=pk).first() if model else None
    if option is None:
        raise Http404("No such entry.")
    return option


def return_option_in_use(option) -> bool:
    """Whether a return line uses this reason or action (then it can only be deactivated)."""
    field = "reason" if isinstance(option, ReturnReason) else "action"
    return ReturnLine.objects.filter(**{field: option}).exists()


# --- What an order may return ------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnPeriod:
    """From when the return period counts (``basis``: "delivered", "shipped" or "ordered") and
    the last day a return may be requested (inclusive, in the shop's time zone)."""

    basis: str
    start: datetime.date
    last_day: datetime.date

    def is_open(self, today: datetime.date | None = None) -> bool:
        return (today or timezone.localdate()) <= self.last_day


def return_period(*, order: Order, days: int) -> ReturnPeriod:
    """The return period counts from the day the order was delivered; without a delivery on
    record, from the day it was shipped; otherwise from the order date (the first time the
    order reached each status, from its timeline)."""
    return _period(order, _shipped_and_delivered([order.pk]).get(order.pk, {}), days)


def return_periods(*, orders: Sequence[Order], days: int) -> dict[int, ReturnPeriod]:
    """``return_period`` of several orders at once, by order id (one query)."""
    reached = _shipped_and_delivered([order.pk for order in orders])
    return {order.pk: _period(order, reached.get(order.pk, {}), days) for order in orders}


def _shipped_and_delivered(order_ids: Iterable[int]) -> dict[int, dict[int, datetime.datetime]]:
    """Per order, when it first became shipped and delivered (from its timeline)."""
    reached: dict[int, dict[int, datetime.datetime]] = defaultdict(dict)
    for order_id, after, at in (
        OrderEvent.objects.filter(
            order_id__in=list(order_ids),
            kind=OrderEventKind.STATUS_CHANGED,
            data__after__in=[OrderStatus.DELIVERED.value, OrderStatus.SHIPPED.value],
        )
        .order_by("created_at")
        .values_list("order_id", "data__after", "created_at")
    ):
        reached[order_id].setdefault(int(after), at)
    return reached


def _period(order: Order, reached: dict[int, datetime.datetime], days: int) -> ReturnPeriod:
    if OrderStatus.DELIVERED in reached:
        basis, at = "delivered", reached[OrderStatus.DELIVERED]
    elif OrderStatus.SHIPPED in reached:
        basis, at = "shipped", reached[OrderStatus.SHIPPED]
    else:
        basis, at = "ordered", order.created_at
    start = timezone.localdate(at)
    return ReturnPeriod(basis=basis, start=start, last_day=start + datetime.timedelta(days=days))


def quantities_held_by_returns(*, order_id: int, exclude_return_id: int | None = None) -> dict:
    """Per order line, what returns already hold: the requested quantity of an open return, the
    received quantity of a closed one (a cancelled return holds nothing)."""
    lines = ReturnLine.objects.filter(return_request__order_id=order_id)
    if exclude_return_id is not None:
        lines = lines.exclude(return_request_id=exclude_return_id)
    return _held(lines)


def _held(lines: QuerySet[ReturnLine]) -> dict[int, int]:
    """What ``lines`` hold, per order line (one query)."""
    held: dict[int, int] = defaultdict(int)
    lines = lines.exclude(return_request__status=ReturnStatus.CANCELLED)
    closed = [s.value for s in CLOSED_RETURN_STATUSES]
    for row in lines.values("order_line_id").annotate(
        open_quantity=Sum("quantity", filter=~Q(return_request__status__in=closed)),
        closed_quantity=Sum("quantity_received", filter=Q(return_request__status__in=closed)),
    ):
        held[row["order_line_id"]] += (row["open_quantity"] or 0) + (row["closed_quantity"] or 0)
    return held


@dataclass(frozen=True)
class ReturnableLine:
    line: OrderLine
    returnable: int  # delivered minus what returns already hold


def returnable_lines(*, order: Order) -> list[ReturnableLine]:
    """Every line of the order with the quantity that may still be returned (0 included)."""
    held = quantities_held_by_returns(order_id=order.pk)
    return [
        ReturnableLine(line=line, returnable=max(line.quantity - held.get(line.pk, 0), 0))
        for line in OrderLine.objects.filter(order_id=order.pk).order_by("position")
    ]


def returnable_order_ids(
    *,
    shop: Shop,
    orders: Sequence[Order],
    source: str = ReturnSource.ACCOUNT,
    today: datetime.date | None = None,
) -> set[int]:
    """Which of ``orders`` (of ``shop``) can get a return through ``source`` now, with
    something left to return: for a page of orders what ``check_order_returnable`` and
    ``returnable_lines`` decide for one (the order page's Return button). At most three
    queries whatever the number of orders (timelines, order lines, returns), none when the
    shop takes no returns this way or no order has left the shop."""
    settings = workflow_settings_for(shop=shop)
    if not settings.returns_enabled:
        return set()
    if source != ReturnSource.STAFF and not settings.returns_self_service:
        return set()
    if source == ReturnSource.GUEST and not settings.returns_for_guests:
        return set()
    candidates = [
        order
        for order in orders
        if order.shop_id == shop.pk and order.status in RETURNABLE_ORDER_STATUSES
    ]
    if source != ReturnSource.STAFF:
        periods = return_periods(orders=candidates, days=settings.return_period_days)
        candidates = [order for order in candidates if periods[order.pk].is_open(today)]
    if not candidates:
        return set()
    ids = [order.pk for order in candidates]
    held = _held(ReturnLine.objects.filter(return_request__order_id__in=ids))
    return {
        order_id
        for order_id, line_id, quantity in OrderLine.objects.filter(order_id__in=ids).values_list(
            "order_id", "pk", "quantity"
        )
        if quantity - held.get(line_id, 0) > 0
    }


# --- Returns -----------------------------------------------------------------------------------


def _with_lines(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("order").prefetch_related(
        Prefetch(
            "lines",
            queryset=ReturnLine.objects.select_related("order_line", "reason", "action").order_by(
                "pk"
            ),
        ),
        "photos",
    )


def returns_of_order(*, shop: Shop, order: Order) -> list[ReturnRequest]:
    """The order's returns, newest first, with their lines and photos (four queries)."""
    return list(
        _with_lines(ReturnRequest.objects.filter(shop=shop, order_id=order.pk))
        .select_related("replacement_order")
        .order_by("-requested_at", "-pk")
    )


def return_replaced_by(*, shop: Shop, order: Order) -> ReturnRequest | None:
    """The return an order is the replacement of (an exchange), with its original order."""
    return (
        ReturnRequest.objects.filter(shop=shop, replacement_order_id=order.pk)
        .select_related("order")
        .first()
    )


def return_for_staff(*, shop: Shop, number: str) -> ReturnRequest:
    """One return of this shop by its number; 404 for another shop's or an unknown one."""
    found = _with_lines(ReturnRequest.objects.filter(shop=shop, number=number)).first()
    if found is None:
        raise Http404("No such return.")
    found.shop = shop
    return found


def returns_of_customer(*, shop: Shop, customer_id: int) -> list[ReturnRequest]:
    """A customer's returns (of orders placed with their account), newest first."""
    return list(
        _with_lines(
            ReturnRequest.objects.filter(shop=shop, order__customer_id=customer_id)
        ).order_by("-requested_at", "-pk")
    )


def return_of_customer(*, shop: Shop, customer_id: int, number: str) -> ReturnRequest:
    """One of the customer's returns; 404 for anyone else's."""
    found = _with_lines(
        ReturnRequest.objects.filter(shop=shop, order__customer_id=customer_id, number=number)
    ).first()
    if found is None:
        raise Http404("No such return.")
    return found


def return_by_id(*, shop: Shop, return_id: int) -> ReturnRequest:
    """A return a signed link names (the link was checked for this shop); 404 otherwise."""
    found = _with_lines(ReturnRequest.objects.filter(shop=shop, pk=return_id)).first()
    if found is None:
        raise Http404("No such return.")
    return found


def photo_of_return(*, return_request: ReturnRequest, photo_id: int | None) -> ReturnPhoto:
    """One photo of this return (already checked to be the viewer's); 404 otherwise."""
    photo = ReturnPhoto.objects.filter(
        shop_id=return_request.shop_id, return_request=return_request, pk=photo_id
    ).first()
    if photo is None:
        raise Http404("No such photo.")
    return photo


# --- The back office's Returns list -----------------------------------------------------------

RETURN_LIST_PAGE_SIZE = 50
RETURN_LIST_COUNT_CAP = 10_000
# Newest first: requested, then id.
RETURN_KEYSET = instant_keyset("requested_at")

# The list's saved tabs: what needs the shop's next step.
STAGES = ("approve", "receive", "refund")


@dataclass(frozen=True)
class ReturnFilters:
    """What the Returns list shows: every field narrows it; the empty filter shows all."""

    statuses: tuple[str, ...] = ()
    reasons: tuple[int, ...] = ()
    actions: tuple[int, ...] = ()
    stage: str = ""  # one of STAGES: to approve, to receive, to refund
    date_from: datetime.date | None = None  # requested on, inclusive
    date_to: datetime.date | None = None
    query: str = ""  # a return or order number (or part), the customer's name or e-mail


@dataclass
class ReturnPage:
    returns: list[ReturnRequest]
    previous_cursor: str | None
    next_cursor: str | None
    is_first: bool
    is_last: bool


def filtered_returns(*, shop: Shop, filters: ReturnFilters) -> QuerySet[ReturnRequest]:
    queryset = ReturnRequest.objects.filter(shop=shop)
    if filters.statuses:
        queryset = queryset.filter(status__in=sorted(set(filters.statuses)))
    if filters.reasons:
        queryset = queryset.filter(lines__reason_id__in=sorted(set(filters.reasons)))
    if filters.actions:
        queryset = queryset.filter(lines__action_id__in=sorted(set(filters.actions)))
    if filters.reasons or filters.actions:
        queryset = queryset.distinct()
    handled = [s.value for s in HANDLED_RETURN_STATUSES]
    if filters.stage == "approve":
        queryset = queryset.filter(status=ReturnStatus.NEW)
    elif filters.stage == "receive":
        queryset = queryset.filter(status__in=handled, received_at__isnull=True)
    elif filters.stage == "refund":
        queryset = queryset.filter(status__in=handled, received_at__isnull=False)
    if filters.date_from:
        queryset = queryset.filter(requested_at__date__gte=filters.date_from)
    if filters.date_to:
        queryset = queryset.filter(requested_at__date__lte=filters.date_to)
    query = " ".join(filters.query.split())
    if query:
        queryset = queryset.filter(_search(shop=shop, query=query))
    return queryset


def _search(*, shop: Shop, query: str) -> Q:
    """A whole return or order number typed in the box is looked up by its unique index; a
    whole e-mail address by equality; anything else matches a fragment of the return number,
    the order number, the customer's name or e-mail address."""
    if " " not in query and len(query) <= 40:
        candidates = {query, query.upper()}
        if ReturnRequest.objects.filter(shop=shop, number__in=candidates).exists():
            return Q(number__in=candidates)
        order_ids = list(
            Order.objects.filter(shop=shop, number__in=candidates).values_list("pk", flat=True)
        )
        if order_ids:
            return Q(order_id__in=order_ids)
    if "@" in query and " " not in query:
        return Q(email=query.lower())  # stored lowercase, as the order has it
    if connection.vendor == "postgresql":
        # The GIN trigram index of migration 0004 is on exactly this expression.
        return contains_fragment(RETURN_SEARCH_SQL, query)
    condition = Q()
    for name in ("number", "order_number", "customer_name", "email"):
        condition |= Q(**{f"{name}__icontains": query})
    return condition


RETURN_SEARCH_SQL = (
    '("returns_returnrequest"."number" || \' \' || "returns_returnrequest"."order_number" || '
    '\' \' || "returns_returnrequest"."customer_name" || \' \' || "returns_returnrequest"."email")'
)


def return_list(
    *,
    shop: Shop,
    filters: ReturnFilters,
    after: str | None = None,
    before: str | None = None,
    last: bool = False,
    page_size: int = RETURN_LIST_PAGE_SIZE,
) -> ReturnPage:
    """One page of the shop's returns, newest first, with their order and lines (3 statements).
    Raises kantoor.core.keyset.InvalidCursor for a bad page token."""
    page = keyset_page(
        filtered_returns(shop=shop, filters=filters).select_related("order"),
        RETURN_KEYSET,
        after=after,
        before=before,
        last=last,
        page_size=page_size,
    )
    rows = page.rows
    lines = defaultdict(list)
    for line in ReturnLine.objects.filter(return_request__in=[r.pk for r in rows]).select_related(
        "order_line", "reason", "action"
    ):
        lines[line.return_request_id].append(line)
    for found in rows:
        found.line_list = lines[found.pk]
    return ReturnPage(rows, page.previous_cursor, page.next_cursor, page.is_first, page.is_last)


def count_returns(
    *, shop: Shop, filters: ReturnFilters, cap: int = RETURN_LIST_COUNT_CAP
) -> tuple[int, bool]:
    """(how many returns match, exact?): counts at most ``cap`` + 1 rows."""
    counted = filtered_returns(shop=shop, filters=filters).order_by()[: cap + 1].count()
    return (counted, True) if counted <= cap else (cap, False)

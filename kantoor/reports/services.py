"""Keeping the statistics' daily aggregates up to date.

- ``refresh_statistics(shop)``: the days that changed since the last refresh, computed again.
  Which days changed is read from the order timeline: every change to an order, its invoices,
  its payments or its returns writes an event there (``kantoor.orders.events``), so the events
  after the watermark name the orders whose days (order date, invoice dates, return dates) are
  computed again, whole. The Statistics page refreshes before it reads; the periodic sweep
  (``refresh_all_statistics``) does it for every shop.
- ``rebuild_statistics(shop, start=None)``: every day from ``start`` (or the first order)
  to today computed again; ``manage.py rebuild_statistics`` calls it.

A day is always computed whole from the raw tables (``kantoor.reports.daily``) and its rows
replaced in one transaction, so the aggregates never hold half a day. Two refreshes at once
are serialised on the shop's watermark row.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from kantoor.invoices.models import Invoice
from kantoor.orders.models import Order, OrderEvent
from kantoor.reports.daily import DailyFigures, compute_days, local_day
from kantoor.reports.models import (
    StatisticsBreakdownDay,
    StatisticsCustomerDay,
    StatisticsDay,
    StatisticsProductDay,
    StatisticsVatDay,
    StatisticsWatermark,
)
from kantoor.returns.models import ReturnRequest
from kantoor.shops.models import Shop

# Events are read again for this long after they were first read: a transaction that took
# its event id before a refresh but committed after it is still seen.
SETTLING_TIME = datetime.timedelta(minutes=5)
# A rebuild computes this many days at a time (bounded memory at any size).
REBUILD_CHUNK_DAYS = 31


def store_days(*, shop: Shop, figures: DailyFigures) -> None:
    """Replace the rows of ``figures``' days by what it holds (inside the caller's transaction)."""
    in_range = {"shop": shop, "day__gte": figures.start, "day__lte": figures.end}
    for model in (
        StatisticsDay,
        StatisticsProductDay,
        StatisticsBreakdownDay,
        StatisticsVatDay,
        StatisticsCustomerDay,
    ):
        model.objects.filter(**in_range).delete()
    StatisticsDay.objects.bulk_create(
        [StatisticsDay(shop=shop, day=day, **vars(row)) for day, row in figures.days.items()],
        batch_size=1000,
    )
    StatisticsProductDay.objects.bulk_create(
        [
            StatisticsProductDay(shop=shop, day=day, key=key, **vars(row))
            for (day, key), row in figures.products.items()
        ],
        batch_size=1000,
    )
    StatisticsBreakdownDay.objects.bulk_create(
        [
            StatisticsBreakdownDay(shop=shop, day=day, dimension=dimension, key=key, **vars(row))
            for (day, dimension, key), row in figures.breakdowns.items()
        ],
        batch_size=1000,
    )
    StatisticsVatDay.objects.bulk_create(
        [
            StatisticsVatDay(
                shop=shop, day=day, reverse_charged=reverse, country=country, rate=rate, **vars(row)
            )
            for (day, reverse, country, rate), row in figures.vat.items()
        ],
        batch_size=1000,
    )
    StatisticsCustomerDay.objects.bulk_create(
        [
            StatisticsCustomerDay(shop=shop, day=day, customer_id=customer_id, **vars(row))
            for (day, customer_id), row in figures.customers.items()
        ],
        batch_size=1000,
    )


def runs_of(days: Iterable[datetime.date]) -> list[tuple[datetime.date, datetime.date]]:
    """Sorted days as runs of consecutive days: [(first, last), …]."""
    runs: list[tuple[datetime.date, datetime.date]] = []
    for day in sorted(set(days)):
        if runs and day == runs[-1][1] + datetime.timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def recompute_days(*, shop: Shop, days: Iterable[datetime.date]) -> int:
    """Compute ``days`` again from the raw tables; the number of days."""
    count = 0
    for first, last in runs_of(days):
        with transaction.atomic():
            store_days(shop=shop, figures=compute_days(shop=shop, start=first, end=last))
        count += (last - first).days + 1
    return count


def days_of_orders(*, shop: Shop, order_ids: set[int]) -> set[datetime.date]:
    """Every day the orders count on: their order date, their invoices' dates, their returns'."""
    days: set[datetime.date] = set()
    ids = sorted(order_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for created_at in Order.objects.filter(shop=shop, pk__in=chunk).values_list(
            "created_at", flat=True
        ):
            days.add(local_day(shop, created_at))
        days.update(
            Invoice.objects.filter(shop=shop, order_id__in=chunk).values_list(
                "issued_on", flat=True
            )
        )
        for requested_at in ReturnRequest.objects.filter(shop=shop, order_id__in=chunk).values_list(
            "requested_at", flat=True
        ):
            days.add(local_day(shop, requested_at))
    return days


def _locked_watermark(shop: Shop) -> StatisticsWatermark:
    """The shop's watermark row, locked until the transaction ends (made on first use)."""
    StatisticsWatermark.objects.get_or_create(shop=shop)
    return StatisticsWatermark.objects.select_for_update().get(shop=shop)


def refresh_statistics(*, shop: Shop, settle: bool = False) -> int:
    """Bring the shop's aggregates up to date with its timeline; the number of days computed.

    Reads the events after the settled watermark (those of the last minutes again, see
    SETTLING_TIME) when anything new was written, or always with ``settle`` (the sweep)."""
    now = timezone.now()
    with transaction.atomic():
        watermark = _locked_watermark(shop)
        events = OrderEvent.objects.filter(shop=shop, pk__gt=watermark.last_event_id)
        newest = events.aggregate(newest=Max("pk"))["newest"]
        if newest is None and not settle:
            return 0
        settled = watermark.settled_event_id
        order_ids = set(
            OrderEvent.objects.filter(shop=shop, pk__gt=settled).values_list("order_id", flat=True)
        )
        count = recompute_days(shop=shop, days=days_of_orders(shop=shop, order_ids=order_ids))
        if watermark.refreshed_at is None or now - watermark.refreshed_at >= SETTLING_TIME:
            # What the previous refresh read is now old enough that no late commit can
            # still land below it.
            watermark.settled_event_id = watermark.last_event_id
            watermark.refreshed_at = now
        watermark.last_event_id = max(newest or 0, watermark.last_event_id)
        watermark.save()
    return count


def rebuild_statistics(
    *, shop: Shop, start: datetime.date | None = None, end: datetime.date | None = None
) -> int:
    """Compute every day from ``start`` (default: the shop's first order or invoice) to ``end``
    (default: today) again, a month at a time; the number of days."""
    today = local_day(shop, timezone.now())
    end = end or today
    if start is None:
        first_order = Order.objects.filter(shop=shop).order_by("created_at").first()
        first_invoice = Invoice.objects.filter(shop=shop).order_by("issued_on").first()
        candidates = [
            *([local_day(shop, first_order.created_at)] if first_order else []),
            *([first_invoice.issued_on] if first_invoice else []),
        ]
        start = min(candidates, default=today)
    now = timezone.now()
    events = OrderEvent.objects.filter(shop=shop)
    newest = events.aggregate(newest=Max("pk"))["newest"] or 0
    settled = (
        events.filter(created_at__lt=now - SETTLING_TIME).aggregate(settled=Max("pk"))["settled"]
        or 0
    )
    count = 0
    day = start
    while day <= end:
        last = min(day + datetime.timedelta(days=REBUILD_CHUNK_DAYS - 1), end)
        with transaction.atomic():
            # A refresh of the same shop waits for this chunk (and this one for it): two
            # writers of one day would both insert its rows.
            _locked_watermark(shop)
            store_days(shop=shop, figures=compute_days(shop=shop, start=day, end=last))
        count += (last - day).days + 1
        day = last + datetime.timedelta(days=1)
    with transaction.atomic():
        watermark = _locked_watermark(shop)
        # Events up to ``newest`` are in the rebuilt days; those of the last minutes are read
        # again by the next refresh all the same.
        watermark.last_event_id = max(watermark.last_event_id, newest)
        watermark.settled_event_id = max(watermark.settled_event_id, settled)
        watermark.refreshed_at = now
        watermark.save()
    return count


def refresh_all_statistics() -> int:
    """The periodic sweep: every shop's aggregates brought up to date; the days computed."""
    return sum(refresh_statistics(shop=shop, settle=True) for shop in Shop.objects.all())

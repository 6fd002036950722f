"""The Statistics page's figures for a range of days, read from the daily aggregates.

``statistics_range`` reads the picker (a preset or a custom range of at most five years, a
comparison, a grouping); ``statistics_report`` adds up the aggregates of the range and of its
comparison. Every figure follows the definitions of ``kantoor.reports.daily``; the page
refreshes the aggregates first (``kantoor.reports.services.refresh_statistics``).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Max,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kantoor.core.money import CENT, ZERO
from kantoor.customers.models import Customer
from kantoor.invoices.models import Invoice, InvoiceKind, PaymentState
from kantoor.invoices.selectors import PAYMENT_TERM_DAYS
from kantoor.reports.daily import DayRow, local_day
from kantoor.reports.errors import InvalidPeriod
from kantoor.reports.models import (
    StatisticsBreakdownDay,
    StatisticsCustomerDay,
    StatisticsDay,
    StatisticsProductDay,
)
from kantoor.shops.models import Shop

MAX_YEARS = 5
MIN_YEAR = 2000

PRESETS = {
    "today": gettext_lazy("Today"),
    "7d": gettext_lazy("Last 7 days"),
    "30d": gettext_lazy("Last 30 days"),
    "90d": gettext_lazy("Last 90 days"),
    "month": gettext_lazy("This month"),
    "quarter": gettext_lazy("This quarter"),
    "year": gettext_lazy("This year"),
    "custom": gettext_lazy("Custom range"),
}
DEFAULT_PRESET = "30d"

COMPARISONS = {
    "previous": gettext_lazy("Previous period"),
    "last_year": gettext_lazy("Same period last year"),
    "none": gettext_lazy("No comparison"),
}
DEFAULT_COMPARISON = "previous"

GROUPINGS = {
    "auto": gettext_lazy("Automatic"),
    "day": gettext_lazy("Per day"),
    "week": gettext_lazy("Per week"),
    "month": gettext_lazy("Per month"),
}

TOP = 10


@dataclass(frozen=True)
class DayRange:
    start: datetime.date
    end: datetime.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        if self.start == self.end:
            return formats.date_format(self.start, "DATE_FORMAT")
        return _("%(start)s to %(end)s") % {
            "start": formats.date_format(self.start, "DATE_FORMAT"),
            "end": formats.date_format(self.end, "DATE_FORMAT"),
        }


@dataclass(frozen=True)
class StatisticsRange:
    current: DayRange
    comparison: DayRange | None
    grouping: str  # day, week or month (never "auto": that is resolved)


def _year_earlier(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def preset_range(preset: str, today: datetime.date) -> DayRange:
    if preset == "today":
        return DayRange(today, today)
    if preset in ("7d", "30d", "90d"):
        return DayRange(today - datetime.timedelta(days=int(preset[:-1]) - 1), today)
    if preset == "month":
        return DayRange(today.replace(day=1), today)
    if preset == "quarter":
        return DayRange(today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1), today)
    if preset == "year":
        return DayRange(today.replace(month=1, day=1), today)
    raise InvalidPeriod(_("Choose one of the periods in the list."))


def custom_range(start: datetime.date | None, end: datetime.date | None) -> DayRange:
    if start is None or end is None:
        raise InvalidPeriod(_("Give the first and the last day of the range."))
    if end < start:
        raise InvalidPeriod(_("The range ends before it starts: choose an end after the start."))
    if start.year < MIN_YEAR or end.year > timezone.now().year + 1:
        raise InvalidPeriod(_("Choose days from %(first)s to next year.") % {"first": MIN_YEAR})
    try:
        limit = start.replace(year=start.year + MAX_YEARS)
    except ValueError:
        limit = datetime.date(start.year + MAX_YEARS, 3, 1)
    if end >= limit:
        raise InvalidPeriod(_("Choose a range of at most %(years)s years.") % {"years": MAX_YEARS})
    return DayRange(start, end)


def auto_grouping(days: int) -> str:
    if days <= 62:
        return "day"
    if days <= 190:
        return "week"
    return "month"


def statistics_range(
    *,
    shop: Shop,
    preset: str = DEFAULT_PRESET,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    comparison: str = DEFAULT_COMPARISON,
    grouping: str = "auto",
) -> StatisticsRange:
    """The range the picker means, its comparison and its grouping; refused with a message."""
    today = local_day(shop, timezone.now())
    current = custom_range(start, end) if preset == "custom" else preset_range(preset, today)
    if comparison not in COMPARISONS:
        raise InvalidPeriod(_("Choose what to compare with from the list."))
    if grouping not in GROUPINGS:
        raise InvalidPeriod(_("Choose per day, per week or per month."))
    compared = None
    if comparison == "previous":
        length = datetime.timedelta(days=current.days)
        compared = DayRange(current.start - length, current.end - length)
    elif comparison == "last_year":
        compared = DayRange(_year_earlier(current.start), _year_earlier(current.end))
    if grouping == "auto":
        grouping = auto_grouping(current.days)
    return StatisticsRange(current, compared, grouping)


# --- The figures -----------------------------------------------------------------------------


@dataclass
class Summary:
    """The definitions' figures over a range (docs/reports.md)."""

    row: DayRow = field(default_factory=DayRow)

    def add(self, day: StatisticsDay) -> None:
        for name in vars(self.row):
            setattr(self.row, name, getattr(self.row, name) + getattr(day, name))

    @property
    def orders(self) -> int:
        return self.row.orders

    @property
    def orders_new_customers(self) -> int:
        return self.row.orders_new_customers

    @property
    def orders_returning_customers(self) -> int:
        return self.row.orders - self.row.orders_new_customers

    @property
    def units(self) -> int:
        return self.row.units

    @property
    def gross_sales(self) -> Decimal:
        return self.row.gross_sales

    @property
    def returns(self) -> Decimal:
        """Returns and credits: the credit invoices' lines excl. VAT (negative)."""
        return self.row.credits

    @property
    def net_sales(self) -> Decimal:
        return self.row.gross_sales + self.row.credits

    @property
    def shipping(self) -> Decimal:
        return self.row.shipping + self.row.shipping_credited

    @property
    def vat(self) -> Decimal:
        return self.row.vat + self.row.vat_credited

    @property
    def total(self) -> Decimal:
        return self.net_sales + self.shipping + self.vat

    @property
    def average_order_value(self) -> Decimal | None:
        if not self.row.orders:
            return None
        return (self.net_sales / self.row.orders).quantize(CENT)

    @property
    def credit_invoices(self) -> int:
        return self.row.credit_invoices

    @property
    def credited_units(self) -> int:
        return self.row.credited_units

    @property
    def returns_requested(self) -> int:
        return self.row.returns_requested

    @property
    def units_returned(self) -> int:
        return self.row.units_returned

    @property
    def return_rate(self) -> Decimal | None:
        """Units asked to return as a percentage of the units sold in the same range."""
        if not self.row.units:
            return None
        return (Decimal(100) * self.row.units_returned / self.row.units).quantize(Decimal("0.1"))


@dataclass
class Bucket:
    start: datetime.date
    end: datetime.date
    summary: Summary
    grouping: str = "day"

    @property
    def short_label(self) -> str:
        """The chart's label: the month, or the (first) day."""
        if self.grouping == "month":
            return formats.date_format(self.start, "M Y")
        return formats.date_format(self.start, "j M")

    @property
    def label(self) -> str:
        if self.start == self.end:
            return formats.date_format(self.start, "SHORT_DATE_FORMAT")
        return f"{formats.date_format(self.start, 'SHORT_DATE_FORMAT')}–" + formats.date_format(
            self.end, "SHORT_DATE_FORMAT"
        )


def bucket_start(day: datetime.date, grouping: str) -> datetime.date:
    if grouping == "week":
        return day - datetime.timedelta(days=day.weekday())
    if grouping == "month":
        return day.replace(day=1)
    return day


def _buckets(days: DayRange, grouping: str) -> list[Bucket]:
    buckets: list[Bucket] = []
    day = days.start
    while day <= days.end:
        first = bucket_start(day, grouping)
        if grouping == "week":
            nxt = first + datetime.timedelta(days=7)
        elif grouping == "month":
            nxt = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        else:
            nxt = first + datetime.timedelta(days=1)
        last = min(nxt - datetime.timedelta(days=1), days.end)
        buckets.append(Bucket(day, last, Summary(), grouping))
        day = last + datetime.timedelta(days=1)
    return buckets


@dataclass
class Period:
    """A range's figures: the totals and the buckets of the chart."""

    days: DayRange
    summary: Summary
    buckets: list[Bucket]


def period_figures(*, shop: Shop, days: DayRange, grouping: str) -> Period:
    """One query: the range's day rows, added up per bucket and in total."""
    buckets = _buckets(days, grouping)
    index = {}
    for position, bucket in enumerate(buckets):
        day = bucket.start
        while day <= bucket.end:
            index[day] = position
            day += datetime.timedelta(days=1)
    total = Summary()
    rows = StatisticsDay.objects.filter(shop=shop, day__gte=days.start, day__lte=days.end)
    for row in rows.defer("shop", "id"):
        total.add(row)
        buckets[index[row.day]].summary.add(row)
    return Period(days, total, buckets)


@dataclass(frozen=True)
class ProductFigure:
    key: str
    name: str
    units: int
    sales: Decimal
    credited_units: int
    credits: Decimal
    units_returned: int

    @property
    def sku(self) -> str:
        return "" if self.key.startswith("~") else self.key

    @property
    def net_sales(self) -> Decimal:
        return self.sales + self.credits


def product_figures(*, shop: Shop, days: DayRange) -> list[ProductFigure]:
    rows = (
        StatisticsProductDay.objects.filter(shop=shop, day__gte=days.start, day__lte=days.end)
        .values("key")
        .annotate(
            name=Max("name"),
            units=Sum("units"),
            sales=Sum("sales"),
            credited_units=Sum("credited_units"),
            credits=Sum("credits"),
            units_returned=Sum("units_returned"),
        )
    )
    return [
        ProductFigure(
            key=row["key"],
            name=row["name"],
            units=row["units"] or 0,
            sales=(row["sales"] or ZERO).quantize(CENT),
            credited_units=row["credited_units"] or 0,
            credits=(row["credits"] or ZERO).quantize(CENT),
            units_returned=row["units_returned"] or 0,
        )
        for row in rows
    ]


@dataclass(frozen=True)
class BreakdownFigure:
    key: str
    count: int
    amount: Decimal


def breakdown_figures(*, shop: Shop, days: DayRange) -> dict[str, list[BreakdownFigure]]:
    """Per dimension, its keys with their counts and amounts, largest first."""
    rows = (
        StatisticsBreakdownDay.objects.filter(shop=shop, day__gte=days.start, day__lte=days.end)
        .values("dimension", "key")
        .annotate(count=Sum("count"), amount=Sum("amount"))
    )
    result: dict[str, list[BreakdownFigure]] = defaultdict(list)
    for row in rows:
        result[row["dimension"]].append(
            BreakdownFigure(row["key"], row["count"] or 0, (row["amount"] or ZERO).quantize(CENT))
        )
    for figures in result.values():
        figures.sort(key=lambda figure: (-figure.amount, -figure.count, figure.key))
    return result


@dataclass(frozen=True)
class CustomerFigure:
    customer_id: int
    name: str
    email: str
    orders: int
    amount: Decimal


def top_customers(*, shop: Shop, days: DayRange, limit: int = TOP) -> list[CustomerFigure]:
    """The customers with the largest total excl. VAT of the orders placed in the range (as
    the orders have it now), from the customers' daily rows."""
    rows = list(
        StatisticsCustomerDay.objects.filter(shop=shop, day__gte=days.start, day__lte=days.end)
        .values("customer_id")
        .annotate(orders=Sum("orders"), amount=Sum("amount"))
        .order_by("-amount", "customer_id")[:limit]
    )
    customers = Customer.objects.filter(shop=shop, pk__in=[row["customer_id"] for row in rows])
    known = {customer.pk: customer for customer in customers}
    return [
        CustomerFigure(
            customer_id=row["customer_id"],
            name=str(known[row["customer_id"]]),
            email=known[row["customer_id"]].email,
            orders=row["orders"],
            amount=(row["amount"] or ZERO).quantize(CENT),
        )
        for row in rows
        if row["customer_id"] in known
    ]


AGEING_BUCKETS = (
    ("not_due", gettext_lazy("Not yet due"), None, -1),
    ("0_30", gettext_lazy("0–30 days past due"), 0, 30),
    ("31_60", gettext_lazy("31–60 days past due"), 31, 60),
    ("61_90", gettext_lazy("61–90 days past due"), 61, 90),
    ("over_90", gettext_lazy("More than 90 days past due"), 91, None),
)


@dataclass(frozen=True)
class AgeingFigure:
    key: str
    label: str
    invoices: int
    amount: Decimal


def _issued_late(today: datetime.date, low: int | None, high: int | None) -> Q:
    """Invoices whose days past the due date (today - (issued_on + the payment term)) lie
    from ``low`` to ``high`` (None: no bound; "not yet due" is below 0)."""
    condition = Q()
    if low is not None:  # late >= low  <=>  issued_on <= today - term - low
        condition &= Q(issued_on__lte=today - datetime.timedelta(days=PAYMENT_TERM_DAYS + low))
    if high is not None:  # late <= high  <=>  issued_on >= today - term - high
        condition &= Q(issued_on__gte=today - datetime.timedelta(days=PAYMENT_TERM_DAYS + high))
    return condition


def receivables_ageing(*, shop: Shop, today: datetime.date | None = None) -> list[AgeingFigure]:
    """What customers owe now on unpaid invoices, by days past the due date (the invoice date
    plus the payment term). Not range-bound: receivables are today's. One query: the buckets
    are counted and added up in the database."""
    today = today or local_day(shop, timezone.now())
    owed = ExpressionWrapper(
        F("total_gross") - Coalesce("amount_paid", Value(ZERO)), output_field=DecimalField()
    )
    aggregates = {}
    for code, _label, low, high in AGEING_BUCKETS:
        within = _issued_late(today, low, high)
        # Counting a column of the index (not the id) lets PostgreSQL read the index alone
        # (kantoor/invoices/migrations/0011_invoice_open_receivables_index.py).
        aggregates[f"{code}_invoices"] = Count("issued_on", filter=within)
        aggregates[f"{code}_amount"] = Sum(owed, filter=within)
    totals = Invoice.objects.filter(
        shop=shop, kind=InvoiceKind.DEBIT, state=PaymentState.UNPAID
    ).aggregate(**aggregates)
    return [
        AgeingFigure(
            code,
            str(label),
            totals[f"{code}_invoices"] or 0,
            Decimal(totals[f"{code}_amount"] or ZERO).quantize(CENT),
        )
        for code, label, _low, _high in AGEING_BUCKETS
    ]


@dataclass
class StatisticsReport:
    range: StatisticsRange
    current: Period
    comparison: Period | None
    products: list[ProductFigure]
    breakdowns: dict[str, list[BreakdownFigure]]
    customers: list[CustomerFigure]
    ageing: list[AgeingFigure]

    def top_products(self, by: str) -> list[ProductFigure]:
        chosen = [product for product in self.products if getattr(product, by)]
        chosen.sort(key=lambda product: (-getattr(product, by), product.key))
        return chosen[:TOP]


def statistics_report(*, shop: Shop, statistics_range: StatisticsRange) -> StatisticsReport:
    current = period_figures(
        shop=shop, days=statistics_range.current, grouping=statistics_range.grouping
    )
    comparison = None
    if statistics_range.comparison is not None:
        comparison = period_figures(
            shop=shop, days=statistics_range.comparison, grouping=statistics_range.grouping
        )
    return StatisticsReport(
        range=statistics_range,
        current=current,
        comparison=comparison,
        products=product_figures(shop=shop, days=statistics_range.current),
        breakdowns=breakdown_figures(shop=shop, days=statistics_range.current),
        customers=top_customers(shop=shop, days=statistics_range.current),
        ageing=receivables_ageing(shop=shop),
    )

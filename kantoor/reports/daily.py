"""The daily aggregates of a range of a shop's days, computed from the raw tables alone.

This is the one definition of every statistic (docs/reports.md, "Definitions"):

- an order counts on its order date in the shop's time zone, and so do its debit invoices
  (what was charged for it: gross sales are their lines excl. VAT, shipping their shipping
  lines, VAT their VAT); a later invoice of the order (a correction charging more) still
  counts on the order's date;
- a credit invoice counts on its own invoice date, as negatives: its lines are "returns and
  credits", its shipping lines lower shipping, its VAT lowers VAT (a cancelled order is a sale on
  its date and, once credited, a return on the credit's date);
- an order is from a new customer when the customer has no earlier order in the shop;
- the breakdowns (country, status, payment method, paid or open) count the orders of the day
  with their total excl. VAT as the order has it now, and so do the customers' (the orders of
  a customer account on the day, for the top customers); return reasons count the units asked
  to return on the day the return was requested.

Reads only; ``kantoor.reports.services`` stores what this computes.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from kantoor.core.money import CENT, ZERO
from kantoor.invoices.models import Invoice, InvoiceKind, InvoiceLine
from kantoor.invoices.order_list import order_paid_condition
from kantoor.orders.models import Order
from kantoor.payments.models import Payment, PaymentState
from kantoor.reports.models import Breakdown
from kantoor.returns.models import ReturnLine
from kantoor.shops.models import Shop

# The payment method of an order that has no paid online payment (paid by transfer, marked
# paid by hand, or not paid yet): the breakdown's key for it.
NO_ONLINE_PAYMENT = ""
# The keys of the paid-or-open breakdown: paid as the order list says it (every invoice settled
# and together covering the order's total), open otherwise.
PAID, OPEN = "paid", "open"


def shop_timezone(shop: Shop) -> datetime.tzinfo:
    """The time zone a shop's days are counted in (the installation's, TIME_ZONE)."""
    return timezone.get_default_timezone()


def day_start(shop: Shop, day: datetime.date) -> datetime.datetime:
    """The first moment of ``day`` in the shop's time zone."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=shop_timezone(shop))


def local_day(shop: Shop, moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment, shop_timezone(shop)).date()


def _amount(value) -> Decimal:
    return (Decimal(value) if value is not None else ZERO).quantize(CENT)


@dataclass
class DayRow:
    orders: int = 0
    orders_new_customers: int = 0
    units: int = 0
    gross_sales: Decimal = ZERO
    shipping: Decimal = ZERO
    vat: Decimal = ZERO
    credit_invoices: int = 0
    credited_units: int = 0
    credits: Decimal = ZERO
    shipping_credited: Decimal = ZERO
    vat_credited: Decimal = ZERO
    returns_requested: int = 0
    units_returned: int = 0


@dataclass
class ProductRow:
    name: str = ""
    units: int = 0
    sales: Decimal = ZERO
    credited_units: int = 0
    credits: Decimal = ZERO
    units_returned: int = 0


@dataclass
class BreakdownRow:
    count: int = 0
    amount: Decimal = ZERO


@dataclass
class CustomerRow:
    orders: int = 0
    amount: Decimal = ZERO


@dataclass
class VatRow:
    net: Decimal = ZERO
    vat: Decimal = ZERO


@dataclass
class DailyFigures:
    """Everything of the days ``start`` to ``end`` (both included), keyed by day."""

    start: datetime.date
    end: datetime.date
    days: dict[datetime.date, DayRow] = field(default_factory=lambda: defaultdict(DayRow))
    products: dict[tuple[datetime.date, str], ProductRow] = field(
        default_factory=lambda: defaultdict(ProductRow)
    )
    breakdowns: dict[tuple[datetime.date, str, str], BreakdownRow] = field(
        default_factory=lambda: defaultdict(BreakdownRow)
    )
    vat: dict[tuple[datetime.date, bool, str, Decimal], VatRow] = field(
        default_factory=lambda: defaultdict(VatRow)
    )
    customers: dict[tuple[datetime.date, int], CustomerRow] = field(
        default_factory=lambda: defaultdict(CustomerRow)
    )


def product_key(sku: str, name: str) -> str:
    """A product in the statistics: its SKU, or its description for a line without one."""
    return (sku.strip() or "~" + name.strip())[:200]


def compute_days(*, shop: Shop, start: datetime.date, end: datetime.date) -> DailyFigures:
    """The aggregates of ``shop``'s days ``start`` to ``end`` from the raw tables."""
    tz = shop_timezone(shop)
    since, until = day_start(shop, start), day_start(shop, end + datetime.timedelta(days=1))
    figures = DailyFigures(start, end)
    _orders(figures, shop, tz, since, until)
    _debit_lines(figures, shop, tz, since, until)
    _credit_lines(figures, shop, start, end)
    _vat(figures, shop, start, end)
    _returns(figures, shop, tz, since, until)
    return figures


def _orders(figures, shop, tz, since, until) -> None:
    earlier = Order.objects.filter(shop=shop, customer_id=OuterRef("customer_id")).filter(
        Q(created_at__lt=OuterRef("created_at"))
        | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk"))
    )
    paid_online = (
        Payment.objects.filter(order_id=OuterRef("pk"), state=PaymentState.PAID)
        .exclude(method="")
        .order_by("paid_at", "pk")
        .values("method")[:1]
    )
    orders = (
        Order.objects.filter(shop=shop, created_at__gte=since, created_at__lt=until)
        .annotate(
            day=TruncDate("created_at", tzinfo=tz),
            returning=Exists(earlier),
            method=Subquery(paid_online),
            paid=ExpressionWrapper(order_paid_condition(), output_field=BooleanField()),
        )
        .values_list(
            "day",
            "returning",
            "billing_country",
            "status",
            "method",
            "paid",
            "total_net",
            "customer_id",
        )
    )
    rows = orders.iterator(chunk_size=2000)
    for day, returning, country, status, method, paid, total_net, customer_id in rows:
        row = figures.days[day]
        row.orders += 1
        if not returning:
            row.orders_new_customers += 1
        amount = _amount(total_net)
        if customer_id is not None:
            customer = figures.customers[(day, customer_id)]
            customer.orders += 1
            customer.amount += amount
        for dimension, key in (
            (Breakdown.COUNTRY, country),
            (Breakdown.STATUS, str(status)),
            (Breakdown.METHOD, method or NO_ONLINE_PAYMENT),
            (Breakdown.PAID, PAID if paid else OPEN),
        ):
            cell = figures.breakdowns[(day, dimension, key)]
            cell.count += 1
            cell.amount += amount


def _debit_lines(figures, shop, tz, since, until) -> None:
    lines = (
        InvoiceLine.objects.filter(
            shop=shop,
            invoice__kind=InvoiceKind.DEBIT,
            invoice__order__created_at__gte=since,
            invoice__order__created_at__lt=until,
        )
        .annotate(day=TruncDate("invoice__order__created_at", tzinfo=tz))
        .values("day", "is_shipping", "sku", "description")
        .annotate(units=Sum("quantity"), net=Sum("total_net"))
    )
    for line in lines:
        row = figures.days[line["day"]]
        net = _amount(line["net"])
        if line["is_shipping"]:
            row.shipping += net
            continue
        row.units += line["units"]
        row.gross_sales += net
        product = figures.products[(line["day"], product_key(line["sku"], line["description"]))]
        product.name = product.name or line["description"]
        product.units += line["units"]
        product.sales += net
    vat = (
        Invoice.objects.filter(
            shop=shop,
            kind=InvoiceKind.DEBIT,
            order__created_at__gte=since,
            order__created_at__lt=until,
        )
        .annotate(day=TruncDate("order__created_at", tzinfo=tz))
        .values("day")
        .annotate(vat=Sum("total_vat"))
    )
    for invoice in vat:
        figures.days[invoice["day"]].vat += _amount(invoice["vat"])


def _credit_lines(figures, shop, start, end) -> None:
    credits = Invoice.objects.filter(
        shop=shop, kind=InvoiceKind.CREDIT, issued_on__gte=start, issued_on__lte=end
    )
    lines = (
        InvoiceLine.objects.filter(shop=shop, invoice__in=credits)
        .values("invoice__issued_on", "is_shipping", "sku", "description")
        .annotate(units=Sum("quantity"), net=Sum("total_net"))
    )
    for line in lines:
        day = line["invoice__issued_on"]
        row = figures.days[day]
        net = _amount(line["net"])
        if line["is_shipping"]:
            row.shipping_credited += net
            continue
        # A credit line has a negative quantity; a charge on a credit invoice (a restocking
        # fee) a positive one: the sum is what was credited, as units taken back.
        row.credited_units -= line["units"]
        row.credits += net
        product = figures.products[(day, product_key(line["sku"], line["description"]))]
        product.name = product.name or line["description"]
        product.credited_units -= line["units"]
        product.credits += net
    invoices = credits.values("issued_on").annotate(vat=Sum("total_vat"), count=Count("pk"))
    for invoice in invoices:
        row = figures.days[invoice["issued_on"]]
        row.vat_credited += _amount(invoice["vat"])
        row.credit_invoices += invoice["count"]


def _vat(figures, shop, start, end) -> None:
    """The VAT per rate of every invoice dated in the range, as the VAT return reads it."""
    invoices = Invoice.objects.filter(shop=shop, issued_on__gte=start, issued_on__lte=end)
    for day, reverse_charged, country, breakdown in invoices.values_list(
        "issued_on", "vat_reverse_charged", "customer_country", "vat_breakdown"
    ).iterator(chunk_size=2000):
        for part in breakdown:
            cell = figures.vat[(day, reverse_charged, country, _amount(part["rate"]))]
            cell.net += _amount(part["net"])
            cell.vat += _amount(part["vat"])


def _returns(figures, shop, tz, since, until) -> None:
    lines = (
        ReturnLine.objects.filter(
            shop=shop,
            return_request__requested_at__gte=since,
            return_request__requested_at__lt=until,
        )
        .annotate(day=TruncDate("return_request__requested_at", tzinfo=tz))
        .values_list(
            "day",
            "return_request_id",
            "reason_id",
            "quantity",
            "order_line__sku",
            "order_line__name",
        )
    )
    requests: dict[datetime.date, set[int]] = defaultdict(set)
    for day, request_id, reason_id, quantity, sku, name in lines.iterator(chunk_size=2000):
        requests[day].add(request_id)
        figures.days[day].units_returned += quantity
        product = figures.products[(day, product_key(sku, name))]
        product.name = product.name or name
        product.units_returned += quantity
        reason = figures.breakdowns[(day, Breakdown.REASON, str(reason_id))]
        reason.count += quantity
    for day, ids in requests.items():
        figures.days[day].returns_requested = len(ids)

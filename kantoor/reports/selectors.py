"""The VAT return summary (btw-aangifte) and the ICP listing of a shop, from its invoices.

Read-only, always scoped by shop. Every issued invoice and credit invoice counts on its invoice
date (``Invoice.issued_on``); a credit invoice has negative amounts, so it lowers the box of its
rate. Each invoice states its VAT per rate (``Invoice.vat_breakdown``: net and VAT per rate, as
it was issued); the daily aggregates (``StatisticsVatDay``) hold those summed per day and per
(reverse charged, customer country, rate), and each group goes to the box of its VAT category,
which ``kantoor.invoices.documents.document.vat_category`` decides (the rule the invoice's PDF
and UBL use). The rules: docs/reports.md.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from django.db.models import Exists, OuterRef, Q, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kantoor.core.keyset import Keyset, KeysetPage, keyset_page
from kantoor.core.money import CENT, ZERO
from kantoor.core.pricing import normalized_vat_number
from kantoor.invoices.documents.document import (
    EXEMPT,
    EXPORT,
    INTRA_COMMUNITY,
    REVERSE_CHARGE,
    STANDARD,
    ZERO_RATED,
    vat_category,
)
from kantoor.invoices.models import Invoice, InvoiceLine
from kantoor.reports.errors import UnknownBox
from kantoor.reports.models import StatisticsVatDay
from kantoor.reports.periods import VatPeriod
from kantoor.shops.models import Shop

WHOLE_EURO = Decimal(1)
HIGH_RATE = Decimal("21.00")
LOW_RATE = Decimal("9.00")


@dataclass(frozen=True)
class BoxDefinition:
    code: str  # as the return numbers it: 1a, 1b, 1c, 1e, 3a, 3b
    label: Promise
    has_vat: bool  # the 1-boxes (except 1e) state the VAT; the others only the turnover


BOX_DEFINITIONS = (
    BoxDefinition("1a", _("Supplies and services taxed at the high rate (21%)"), True),
    BoxDefinition("1b", _("Supplies and services taxed at the low rate (9%)"), True),
    BoxDefinition("1c", _("Supplies and services taxed at other rates, except 0%"), True),
    BoxDefinition("1e", _("Supplies and services taxed at 0% or not taxed with you"), False),
    BoxDefinition("3a", _("Supplies to countries outside the EU (exports)"), False),
    BoxDefinition("3b", _("Supplies to or services in EU countries (intra-community)"), False),
)
BOX_CODES = tuple(box.code for box in BOX_DEFINITIONS)


def box_of(category: str, rate: Decimal) -> str:
    """The box of the return that turnover of a VAT category and rate belongs in."""
    if category in (INTRA_COMMUNITY, REVERSE_CHARGE):
        return "3b"
    if category == EXPORT:
        return "3a"
    if category in (ZERO_RATED, EXEMPT) or not rate:
        return "1e"
    if category == STANDARD and rate == HIGH_RATE:
        return "1a"
    if category == STANDARD and rate == LOW_RATE:
        return "1b"
    return "1c"


def whole_euros(amount: Decimal) -> Decimal:
    """An amount as the return is filed: whole euros, rounded down (in the shop's favour)."""
    return amount.quantize(WHOLE_EURO, rounding=ROUND_FLOOR)


@dataclass(frozen=True)
class VatBox:
    definition: BoxDefinition
    turnover: Decimal  # excluding VAT
    vat: Decimal

    @property
    def code(self) -> str:
        return self.definition.code

    @property
    def label(self) -> Promise:
        return self.definition.label

    @property
    def has_vat(self) -> bool:
        return self.definition.has_vat

    @property
    def turnover_whole(self) -> Decimal:
        return whole_euros(self.turnover)

    @property
    def vat_whole(self) -> Decimal:
        return whole_euros(self.vat)


@dataclass(frozen=True)
class VatReturn:
    period: VatPeriod
    boxes: tuple[VatBox, ...]

    def box(self, code: str) -> VatBox:
        return next(box for box in self.boxes if box.code == code)

    @property
    def turnover(self) -> Decimal:
        return sum((box.turnover for box in self.boxes), ZERO)

    @property
    def vat_due(self) -> Decimal:
        """Box 5a: the VAT of the 1-boxes."""
        return sum((box.vat for box in self.boxes if box.code.startswith("1")), ZERO)

    @property
    def vat_due_whole(self) -> Decimal:
        """Box 5a as the return computes it from the whole euros of the 1-boxes."""
        return sum((box.vat_whole for box in self.boxes if box.code.startswith("1")), ZERO)


@dataclass(frozen=True)
class _Group:
    reverse_charged: bool
    country: str
    rate: Decimal
    net: Decimal
    vat: Decimal

    @property
    def box(self) -> str:
        category = vat_category(
            vat_rate=self.rate, reverse_charged=self.reverse_charged, customer_country=self.country
        )
        return box_of(category, self.rate)


def _groups(*, shop: Shop, period: VatPeriod) -> list[_Group]:
    """The VAT per rate of every invoice of the period, summed per (reverse charged, country,
    rate): from the daily aggregates (``StatisticsVatDay``, the invoices' own VAT per rate
    added up per day), so a year costs what 365 small rows cost. The caller refreshes them
    first (``kantoor.reports.services.refresh_statistics``)."""
    rows = (
        StatisticsVatDay.objects.filter(shop=shop, day__gte=period.start, day__lte=period.end)
        .values("reverse_charged", "country", "rate")
        .annotate(net=Sum("net"), vat=Sum("vat"))
        .order_by()
    )
    return [
        _Group(
            reverse_charged=row["reverse_charged"],
            country=row["country"],
            rate=Decimal(row["rate"]).quantize(CENT),
            net=Decimal(row["net"]).quantize(CENT),
            vat=Decimal(row["vat"]).quantize(CENT),
        )
        for row in rows
    ]


def vat_return(*, shop: Shop, period: VatPeriod) -> VatReturn:
    """The boxes of the VAT return of ``shop`` for ``period``: one aggregate statement."""
    turnover: dict[str, Decimal] = defaultdict(lambda: ZERO)
    vat: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for group in _groups(shop=shop, period=period):
        turnover[group.box] += group.net
        vat[group.box] += group.vat
    boxes = tuple(
        VatBox(definition, turnover[definition.code], vat[definition.code])
        for definition in BOX_DEFINITIONS
    )
    return VatReturn(period=period, boxes=boxes)


@dataclass(frozen=True)
class IcpRow:
    """One line of the ICP listing: a customer's VAT number and the supplies to it (box 3b)."""

    country: str
    vat_number: str
    amount: Decimal

    @property
    def amount_whole(self) -> Decimal:
        return whole_euros(self.amount)


def icp_listing(*, shop: Shop, period: VatPeriod) -> list[IcpRow]:
    """The ICP listing (opgaaf intracommunautaire prestaties) of ``shop`` for ``period``: per
    customer VAT number, the net amount of the reverse-charged invoices (every line of one is an
    intra-community supply, box 3b), credit invoices included."""
    rows = (
        _in_period(shop=shop, period=period)
        .filter(vat_reverse_charged=True)
        .values("customer_country", "customer_vat_number")
        .annotate(amount=Sum("total_net"))
        .order_by("customer_country", "customer_vat_number")
    )
    # The same number typed two ways ("de 123 456 789", "DE123456789") is one customer.
    amounts: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        key = (row["customer_country"].upper(), normalized_vat_number(row["customer_vat_number"]))
        amounts[key] += row["amount"]
    return [
        IcpRow(country, number, amount) for (country, number), amount in sorted(amounts.items())
    ]


def _in_period(*, shop: Shop, period: VatPeriod):
    return Invoice.objects.filter(shop=shop, issued_on__gte=period.start, issued_on__lte=period.end)


@dataclass(frozen=True)
class BoxInvoice:
    """An invoice behind a box, with the part of it that is in the box."""

    invoice: Invoice
    turnover: Decimal
    vat: Decimal


BOX_INVOICE_ORDER = Keyset(
    "issued_on", False, dump=datetime.date.isoformat, load=datetime.date.fromisoformat
)


def check_box(code: str) -> str:
    if code not in BOX_CODES:
        raise UnknownBox(_("There is no box %(box)s on this return.") % {"box": code[:10]})
    return code


def box_invoices(
    *, shop: Shop, period: VatPeriod, box: str, after: str | None = None, page_size: int = 50
) -> KeysetPage:
    """The invoices behind ``box`` in ``period``, by invoice date (a keyset page of
    ``BoxInvoice``): those with a rate whose group the summary puts in that box."""
    check_box(box)
    rates: dict[tuple[bool, str], set[Decimal]] = defaultdict(set)
    for group in _groups(shop=shop, period=period):
        if group.box == box:
            rates[(group.reverse_charged, group.country)].add(group.rate)
    condition = Q(pk__in=[])
    for (reverse_charged, country), group_rates in rates.items():
        with_rate = InvoiceLine.objects.filter(invoice=OuterRef("pk"), vat_rate__in=group_rates)
        condition |= Q(vat_reverse_charged=reverse_charged, customer_country=country) & Q(
            Exists(with_rate)
        )
    invoices = _in_period(shop=shop, period=period).filter(condition)
    page = keyset_page(invoices, BOX_INVOICE_ORDER, after=after, page_size=page_size)
    rows = [_box_part(invoice, box) for invoice in page.rows]
    return KeysetPage(rows, page.previous_cursor, page.next_cursor, page.is_first, page.is_last)


def _box_part(invoice: Invoice, box: str) -> BoxInvoice:
    turnover = vat = ZERO
    for row in invoice.vat_breakdown:
        rate = Decimal(row["rate"]).quantize(CENT)
        group = _Group(invoice.vat_reverse_charged, invoice.customer_country, rate, ZERO, ZERO)
        if group.box == box:
            turnover += Decimal(row["net"])
            vat += Decimal(row["vat"])
    return BoxInvoice(invoice=invoice, turnover=turnover, vat=vat)

"""Money and VAT: the one totals function for orders, quotes and invoices (DESIGN.md).

Rules (EN 16931):
- amounts are ``Decimal`` with 2 places, rounded half up (away from zero, so a credit line is
  the exact mirror of a debit line);
- each line amount is rounded to cents once;
- VAT is computed per rate on the sum of the line amounts of that rate, rounded once.

Prices excluding VAT: line net = round(unit price x quantity); VAT per rate = round(net sum x rate).
Prices including VAT: line gross = round(unit price x quantity) is what the customer saw and pays;
VAT per rate = round(gross sum x rate / (100 + rate)); net per rate = gross - VAT, spread over the
lines of that rate (largest remainder) so the line nets add up to the rate's net exactly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import formats, translation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def round_money(amount: Decimal) -> Decimal:
    """Round to cents, half up (away from zero)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def amount_limit(field) -> Decimal:
    """The largest amount a ``DecimalField`` column holds (max_digits 14, 2 places: 10¹² - 0.01).
    A service checks what it computes against it: SQLite would store a larger one and then fail
    to read it back; PostgreSQL refuses to store it."""
    return Decimal(10) ** (field.max_digits - field.decimal_places) - Decimal(1).scaleb(
        -field.decimal_places
    )


def amounts_over_limit(instance, field_names: Iterable[str]):
    """(field, limit) for each of ``field_names`` whose amount does not fit its column."""
    over = []
    for name in field_names:
        field = instance._meta.get_field(name)
        amount = getattr(instance, name)
        if amount is not None and abs(amount) > amount_limit(field):
            over.append((field, amount_limit(field)))
    return over


CURRENCY_SIGNS = {"EUR": "€", "USD": "$", "GBP": "£"}


def format_money(amount, currency: str = "EUR") -> str:
    """An amount with 2 decimals and its currency sign, as the current language writes it.

    en: €1,234.50 and -€5.00; nl: € 1.234,50 and € -5,00. Empty for no amount.
    """
    if amount is None or amount == "":
        return ""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return ""
    sign = CURRENCY_SIGNS.get(currency or "EUR", f"{currency} ")
    number = formats.number_format(abs(value), 2, use_l10n=True, force_grouping=True)
    minus = "-" if value < 0 else ""
    if translation.get_language() == "nl":
        return f"{sign}\u00a0{minus}{number}"
    return f"{minus}{sign}{number}"


@dataclass(frozen=True)
class PriceLine:
    """What a totals calculation needs of a line (order line, quote line, invoice line)."""

    unit_price: Decimal
    quantity: int
    vat_rate: Decimal


@dataclass(frozen=True)
class LineAmounts:
    net: Decimal
    vat: Decimal
    gross: Decimal


@dataclass(frozen=True)
class VatBreakdown:
    rate: Decimal
    net: Decimal
    vat: Decimal

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat


@dataclass(frozen=True)
class Totals:
    lines: tuple[LineAmounts, ...]
    vat_breakdown: tuple[VatBreakdown, ...]
    net: Decimal
    vat: Decimal
    gross: Decimal


def compute_totals(lines: Sequence[PriceLine], *, prices_include_vat: bool) -> Totals:
    """Totals of a document: per line, per VAT rate (highest rate first) and overall."""
    amounts = [round_money(line.unit_price * line.quantity) for line in lines]
    by_rate: dict[Decimal, list[int]] = defaultdict(list)
    for index, line in enumerate(lines):
        by_rate[Decimal(line.vat_rate).normalize()].append(index)

    line_net: list[Decimal] = [ZERO] * len(lines)
    breakdown: list[VatBreakdown] = []
    for rate in sorted(by_rate, reverse=True):
        indexes = by_rate[rate]
        rate_sum = sum((amounts[i] for i in indexes), ZERO)
        if prices_include_vat:
            vat = round_money(rate_sum * rate / (HUNDRED + rate))
            net = rate_sum - vat
            for i, share in zip(
                indexes, spread_cents(net, [amounts[i] for i in indexes]), strict=True
            ):
                line_net[i] = share
        else:
            net = rate_sum
            vat = round_money(net * rate / HUNDRED)
            for i in indexes:
                line_net[i] = amounts[i]
        breakdown.append(VatBreakdown(rate=_two_places(rate), net=net, vat=vat))

    line_amounts = []
    for index, line in enumerate(lines):
        net = line_net[index]
        gross = (
            amounts[index]
            if prices_include_vat
            else round_money(net * (1 + line.vat_rate / HUNDRED))
        )
        line_amounts.append(LineAmounts(net=net, vat=gross - net, gross=gross))

    total_net = sum((row.net for row in breakdown), ZERO)
    total_vat = sum((row.vat for row in breakdown), ZERO)
    return Totals(
        lines=tuple(line_amounts),
        vat_breakdown=tuple(breakdown),
        net=total_net,
        vat=total_vat,
        gross=total_net + total_vat,
    )


def totals_with_shipping(
    lines: Iterable[PriceLine],
    *,
    shipping_cost: Decimal,
    shipping_vat_rate: Decimal,
    prices_include_vat: bool,
) -> Totals:
    """Totals of a document's lines plus its shipping, a priced line of its own when not free.

    ``Totals.lines`` holds the document's lines first, then the shipping line if any.
    """
    price_lines = list(lines)
    if shipping_cost:
        price_lines.append(
            PriceLine(unit_price=shipping_cost, quantity=1, vat_rate=shipping_vat_rate)
        )
    return compute_totals(price_lines, prices_include_vat=prices_include_vat)


def _two_places(rate: Decimal) -> Decimal:
    return rate.quantize(CENT)


def spread_cents(total: Decimal, weights: Iterable[Decimal]) -> list[Decimal]:
    """Split ``total`` over ``weights`` in cents, proportionally, exactly (largest remainder)."""
    weights = list(weights)
    weight_sum = sum(weights, ZERO)
    if weight_sum == 0:
        # Nothing to be proportional to (e.g. a free line and its mirror): all on the first line.
        return [total] + [ZERO] * (len(weights) - 1)
    total_cents = int(total / CENT)
    raw = [Decimal(total_cents) * w / weight_sum for w in weights]
    floors = [int(r.to_integral_value(rounding="ROUND_FLOOR")) for r in raw]
    remainder = total_cents - sum(floors)
    order = sorted(range(len(raw)), key=lambda i: raw[i] - floors[i], reverse=True)
    for i in order[:remainder]:
        floors[i] += 1
    return [Decimal(cents) * CENT for cents in floors]

"""What an invoice document (PDF, UBL) needs to know: a pure snapshot, independent of the models.

``kantoor.invoices.selectors.invoice_document(invoice=...)`` maps an issued invoice to an
``InvoiceDocument``; ``kantoor.invoices.documents.pdf`` and ``kantoor.invoices.documents.ubl``
render it.

How amounts are signed
----------------------
Every amount is a ``Decimal`` with 2 places, signed **as the invoice states it** in Kantoor:

- a debit invoice has positive totals; a discount is a line with a negative ``line_net``;
- a credit invoice (``kind == "credit"``) has negative totals and, normally, negative line nets
  (a line of a credit invoice may be positive, e.g. a charge that is taken off the credit).

``quantity`` is a number of units, signed as the invoice has it (Kantoor's credit lines have
negative quantities). The UBL writer ignores its sign (the sign of a line is the sign of its
``line_net``) and writes a quantity of 0 as 1 (a pure amount correction); the PDF prints it as is,
with a unit price signed so that quantity x unit price = line net.

The UBL writer turns a credit invoice into a ``CreditNote``, which by UBL convention states the
credited amounts as positive numbers: it negates every amount of a credit invoice. The PDF shows
the amounts as the invoice states them (negative on a credit invoice).

Line nets are given, prices are derived
---------------------------------------
``line_net`` (net, excluding VAT) is authoritative: the line nets add up to ``totals.net`` and,
per VAT category and rate, to the taxable amount of ``vat_breakdown`` (with prices including VAT
they come from ``kantoor.core.money.compute_totals``, which spreads the net per rate over the lines
exactly). ``unit_price`` is the unit price excluding VAT as the shop stated it, if it has one;
otherwise it is derived from ``line_net / quantity``.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal

from kantoor.core.pricing import EU_MEMBER_STATES, HOME_COUNTRY

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)

DEBIT = "debit"
CREDIT = "credit"

# VAT category codes (UNCL 5305 as EN 16931 uses them).
STANDARD = "S"  # standard or reduced rate (21 %, 9 %)
ZERO_RATED = "Z"  # 0 % rate
REVERSE_CHARGE = "AE"  # "btw verlegd": the customer accounts for the VAT
INTRA_COMMUNITY = "K"  # intra-community supply of goods (0 %, customer VAT number required)
EXEMPT = "E"  # exempt from VAT
EXPORT = "G"  # export outside the EU
VAT_CATEGORIES = (STANDARD, ZERO_RATED, REVERSE_CHARGE, INTRA_COMMUNITY, EXEMPT, EXPORT)
# Categories whose VAT is 0 by definition.
ZERO_VAT_CATEGORIES = frozenset({ZERO_RATED, REVERSE_CHARGE, INTRA_COMMUNITY, EXEMPT, EXPORT})


def vat_category(*, vat_rate, reverse_charged: bool, customer_country: str) -> str:
    """The VAT category of an invoice line: the one rule the documents (PDF, UBL) and the VAT
    return (``kantoor.reports``) classify lines by.

    A reverse-charged invoice (EU B2B) is an intra-community supply: K on every line. Otherwise a
    line with VAT is S (standard or reduced rate, whatever the customer's country: the VAT was
    charged); a 0 % line is an export (G) for a customer outside the EU and zero rated (Z) for a
    customer in the EU (or without a country, which means the shop's own).
    """
    if reverse_charged:
        return INTRA_COMMUNITY
    if Decimal(vat_rate):
        return STANDARD
    country = (customer_country or HOME_COUNTRY).upper()
    return ZERO_RATED if country in EU_MEMBER_STATES else EXPORT


def _money(amount) -> Decimal:
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Party:
    """Supplier (the shop) or customer, as printed on the invoice."""

    name: str
    legal_name: str = ""
    street: str = ""
    postcode: str = ""
    city: str = ""
    country_code: str = "NL"
    vat_number: str = ""
    kvk_number: str = ""
    iban: str = ""
    email: str = ""
    contact_name: str = ""  # a person at a company customer ("t.a.v.")

    @property
    def display_legal_name(self) -> str:
        return self.legal_name or self.name


@dataclass(frozen=True)
class DocumentLine:
    """One invoice line. ``line_net`` is authoritative, see the module docstring."""

    position: int
    description: str
    quantity: Decimal
    line_net: Decimal
    vat_rate: Decimal
    vat_category: str = STANDARD
    sku: str = ""
    unit_price: Decimal | None = None  # excluding VAT, as stated; None: derived from line_net

    @property
    def display_unit_price(self) -> Decimal:
        """Unit price excluding VAT such that quantity x price = line net, as the PDF shows it.

        Signed so the line reads right: 2 x 10.00 = 20.00, -2 x 10.00 = -20.00, 1 x -5.00 = -5.00.
        2 places, or up to 4 when the derived net price needs them.
        """
        quantity = Decimal(self.quantity) or Decimal(1)
        net = Decimal(self.line_net)
        if self.unit_price is not None:
            price = abs(Decimal(self.unit_price))
            return -price if (net < 0) != (quantity < 0) else price
        exact = net / quantity
        two = exact.quantize(CENT, rounding=ROUND_HALF_UP)
        if two == exact:
            return two
        return exact.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class VatBreakdownRow:
    category: str
    rate: Decimal
    taxable: Decimal
    tax: Decimal
    exemption_reason: str = ""  # free text; the writers fill in a standard one when empty


@dataclass(frozen=True)
class DocumentTotals:
    net: Decimal  # sum of the line nets (tax-exclusive amount)
    vat: Decimal  # sum of the VAT per category
    gross: Decimal  # net + vat (tax-inclusive amount)
    payable: Decimal  # gross minus what was paid in advance


@dataclass(frozen=True)
class PaymentMeans:
    iban: str
    reference: str  # the invoice number
    account_name: str = ""
    payment_url: str = ""  # payment link, printed on the PDF when present


@dataclass(frozen=True)
class InvoiceDocument:
    kind: str  # DEBIT or CREDIT
    number: str
    issue_date: datetime.date
    supplier: Party
    customer: Party
    lines: tuple[DocumentLine, ...]
    vat_breakdown: tuple[VatBreakdownRow, ...]
    totals: DocumentTotals
    delivery_date: datetime.date | None = None
    due_date: datetime.date | None = None
    currency: str = "EUR"
    language: str = "nl"  # language of the PDF: "nl" or "en"
    buyer_reference: str = ""  # the customer's reference or, by default, the order number
    order_number: str = ""
    corrects_number: str = ""  # credit invoice: the number of the invoice it corrects
    corrects_issue_date: datetime.date | None = None
    payment: PaymentMeans | None = None
    note: str = ""
    delivery_address: Party | None = None  # where the goods went, when not the customer address
    # Not part of the invoice as issued (that never changes) but of what the PDF says about it
    # now: "paid" / "credited" (a debit invoice), "refunded" / "credited" (a credit invoice), or
    # "" while it is open; and the date it was settled. It is in the content hash, so a cached
    # PDF of the open invoice is never served once it is paid. The UBL ignores it.
    settlement: str = ""
    paid_on: datetime.date | None = None

    @property
    def is_credit(self) -> bool:
        return self.kind == CREDIT

    @property
    def reverse_charged(self) -> bool:
        return any(row.category == REVERSE_CHARGE for row in self.vat_breakdown)

    def content_hash(self) -> str:
        """A stable hash of everything the document shows (a cache key together with the number)."""
        data = asdict(self)
        return hashlib.sha256(repr(_canonical(data)).encode()).hexdigest()


def _canonical(value):
    if isinstance(value, Mapping):
        return tuple(sorted((key, _canonical(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_canonical(item) for item in value)
    if isinstance(value, Decimal):
        return str(value.normalize()) if value else "0"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def vat_breakdown_for(
    lines: Iterable[DocumentLine], *, tax_by_rate: Mapping[Decimal, Decimal] | None = None
) -> tuple[VatBreakdownRow, ...]:
    """The VAT breakdown of ``lines``: per (category, rate), taxable = the sum of the line nets.

    ``tax_by_rate`` is the VAT per rate as ``kantoor.core.money.compute_totals`` computed it
    (use it, so the document states exactly what the invoice says); without it, VAT = taxable x
    rate, rounded half up. Categories without VAT (Z, AE, K, E, G) always get 0.
    Highest rate first, then category.
    """
    taxable: dict[tuple[str, Decimal], Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        key = (line.vat_category, Decimal(line.vat_rate).quantize(CENT))
        taxable[key] += Decimal(line.line_net)
    by_rate = {
        Decimal(rate).quantize(CENT): Decimal(tax) for rate, tax in (tax_by_rate or {}).items()
    }
    rows = []
    for category, rate in sorted(taxable, key=lambda key: (-key[1], key[0])):
        amount = _money(taxable[(category, rate)])
        if category in ZERO_VAT_CATEGORIES:
            tax = ZERO
        elif rate in by_rate:
            tax = _money(by_rate[rate])
        else:
            tax = _money(amount * rate / HUNDRED)
        rows.append(VatBreakdownRow(category=category, rate=rate, taxable=amount, tax=tax))
    return tuple(rows)


def totals_for(breakdown: Iterable[VatBreakdownRow], *, prepaid: Decimal = ZERO) -> DocumentTotals:
    """Totals from a VAT breakdown."""
    rows = list(breakdown)
    net = sum((row.taxable for row in rows), ZERO)
    vat = sum((row.tax for row in rows), ZERO)
    return DocumentTotals(net=net, vat=vat, gross=net + vat, payable=net + vat - prepaid)


__all__ = [
    "CREDIT",
    "DEBIT",
    "DocumentLine",
    "DocumentTotals",
    "InvoiceDocument",
    "Party",
    "PaymentMeans",
    "VatBreakdownRow",
    "totals_for",
    "vat_breakdown_for",
    "vat_category",
]

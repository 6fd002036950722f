"""Invoice documents built the way Kantoor prices them, for previews, tests and benchmarks.

``build_document`` runs ``kantoor.core.money.compute_totals`` over price lines, exactly as an order
is priced, and turns the result into an ``InvoiceDocument`` (a credit invoice negates it).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from kantoor.core.money import PriceLine, compute_totals

from .document import (
    CREDIT,
    DEBIT,
    STANDARD,
    ZERO_RATED,
    DocumentLine,
    InvoiceDocument,
    Party,
    PaymentMeans,
    totals_for,
    vat_breakdown_for,
)

SAMPLE_SUPPLIER = Party(
    name="Fietsen Jansen",
    legal_name="Fietsen Jansen B.V.",
    street="Kerkstraat 12",
    postcode="3511 AB",
    city="Utrecht",
    country_code="NL",
    vat_number="NL123456789B01",
    kvk_number="12345678",
    iban="NL91ABNA0417164300",
    email="info@fietsenjansen.nl",
)
SAMPLE_CUSTOMER = Party(
    name="Anna de Vries",
    street="Lindelaan 4",
    postcode="1234 AB",
    city="Amersfoort",
    country_code="NL",
    email="anna@example.nl",
)


@dataclass(frozen=True)
class SampleLine:
    description: str
    quantity: int
    unit_price: Decimal  # as the shop states it: including or excluding VAT
    vat_rate: Decimal
    vat_category: str = ""  # "" = S for a rate above 0, Z for 0
    sku: str = ""


def build_document(
    lines: Sequence[SampleLine],
    *,
    prices_include_vat: bool = True,
    kind: str = DEBIT,
    number: str = "F2026-0001",
    issue_date: datetime.date = datetime.date(2026, 3, 2),
    delivery_date: datetime.date | None = datetime.date(2026, 3, 2),
    supplier: Party = SAMPLE_SUPPLIER,
    customer: Party = SAMPLE_CUSTOMER,
    corrects_number: str = "",
    order_number: str = "1001",
    language: str = "nl",
    note: str = "",
) -> InvoiceDocument:
    """An invoice document for ``lines``, priced like an order (a credit negates the amounts)."""
    totals = compute_totals(
        [PriceLine(line.unit_price, line.quantity, line.vat_rate) for line in lines],
        prices_include_vat=prices_include_vat,
    )
    sign = Decimal(-1) if kind == CREDIT else Decimal(1)
    document_lines = []
    for position, (line, amounts) in enumerate(zip(lines, totals.lines, strict=True), start=1):
        category = line.vat_category or (STANDARD if line.vat_rate else ZERO_RATED)
        document_lines.append(
            DocumentLine(
                position=position,
                description=line.description,
                quantity=Decimal(line.quantity),
                line_net=sign * amounts.net,
                vat_rate=Decimal(line.vat_rate).quantize(Decimal("0.01")),
                vat_category=category,
                sku=line.sku,
                unit_price=None if prices_include_vat else sign * line.unit_price,
            )
        )
    tax_by_rate = {row.rate: sign * row.vat for row in totals.vat_breakdown}
    breakdown = vat_breakdown_for(document_lines, tax_by_rate=tax_by_rate)
    return InvoiceDocument(
        kind=kind,
        number=number,
        issue_date=issue_date,
        delivery_date=delivery_date,
        due_date=issue_date + datetime.timedelta(days=14) if kind == DEBIT else None,
        supplier=supplier,
        customer=customer,
        lines=tuple(document_lines),
        vat_breakdown=breakdown,
        totals=totals_for(breakdown),
        order_number=order_number,
        corrects_number=corrects_number,
        language=language,
        note=note,
        payment=PaymentMeans(iban=supplier.iban, reference=number) if supplier.iban else None,
    )


def sample_document(*, kind: str = DEBIT, language: str = "nl") -> InvoiceDocument:
    """A typical webshop invoice: two rates, a discount and shipping (for previews)."""
    lines = [
        SampleLine("Stadsfiets Omafiets 28 inch", 1, Decimal("649.00"), Decimal(21), sku="OMA28"),
        SampleLine("Fietsslot ART-2 met kabel", 2, Decimal("34.95"), Decimal(21), sku="SLOT-2"),
        SampleLine("Fietsboek: de mooiste routes", 1, Decimal("19.99"), Decimal(9), sku="BOEK-1"),
        SampleLine("Korting voorjaarsactie", 1, Decimal("-25.00"), Decimal(21)),
        SampleLine("Verzending", 1, Decimal("6.95"), Decimal(21)),
    ]  # fmt: skip
    if kind == CREDIT:
        return build_document(
            lines[1:2],
            kind=CREDIT,
            number="C2026-0001",
            corrects_number="F2026-0001",
            language=language,
        )
    return build_document(lines, language=language)

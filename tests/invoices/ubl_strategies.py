"""Hypothesis strategies: invoice documents as Kantoor prices them (tests/invoices)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from hypothesis import strategies as st

from kantoor.invoices.documents.document import (
    CREDIT,
    DEBIT,
    EXPORT,
    INTRA_COMMUNITY,
    REVERSE_CHARGE,
    Party,
)
from kantoor.invoices.documents.samples import SAMPLE_SUPPLIER, SampleLine, build_document

# Who the customer is decides the VAT categories (DESIGN.md "Money and VAT").
SCENARIOS = {
    "consumer_nl": ("NL", False, None),
    "business_nl": ("NL", True, None),
    "consumer_eu": ("DE", False, None),
    "business_eu_services": ("BE", True, REVERSE_CHARGE),
    "business_eu_goods": ("DE", True, INTRA_COMMUNITY),
    # EU B2B reverse charge as Kantoor issues it (kantoor.core.pricing): Greece's prefix is EL.
    "business_eu_goods_gr": ("GR", True, INTRA_COMMUNITY),
    "business_eu_goods_fr": ("FR", True, INTRA_COMMUNITY),
    "export": ("US", False, EXPORT),
}
VAT_NUMBERS = {
    "NL": "NL987654321B01",
    "BE": "BE0123456789",
    "DE": "DE123456789",
    "GR": "EL123456789",
    "FR": "FRXX123456789",
}

names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40
).filter(lambda text: text.strip())
cents = st.integers(min_value=1, max_value=500_000).map(lambda c: Decimal(c) / 100)


@st.composite
def customers(draw, scenario: str) -> Party:
    country, business, _ = SCENARIOS[scenario]
    return Party(
        name=draw(names),
        legal_name=draw(names) if business else "",
        street=draw(names),
        postcode=draw(st.sampled_from(["1234 AB", "10115", "B-1000", "90210"])),
        city=draw(names),
        country_code=country,
        vat_number=VAT_NUMBERS.get(country, "") if business else "",
        kvk_number="87654321" if business and country == "NL" else "",
        email="klant@example.com",
        contact_name=draw(st.sampled_from(["", "Piet Klant"])) if business else "",
    )


@st.composite
def documents(draw, kinds=(DEBIT, CREDIT)):
    scenario = draw(st.sampled_from(sorted(SCENARIOS)))
    fixed_category = SCENARIOS[scenario][2]
    rates = [Decimal(0)] if fixed_category else [Decimal(21), Decimal(9), Decimal(0)]
    category = fixed_category or ""
    lines = [
        SampleLine(
            description=draw(names),
            quantity=draw(st.one_of(st.integers(1, 12), st.integers(1, 100_000))),
            unit_price=draw(cents),
            vat_rate=draw(st.sampled_from(rates)),
            vat_category=category,
            sku=draw(st.sampled_from(["", "SKU-1", "A&B<1>"])),
        )
        for _ in range(draw(st.integers(1, 6)))
    ]
    goods = sum(line.unit_price * line.quantity for line in lines)
    if draw(st.booleans()):  # a discount: a negative line, at most half of the goods
        discount = min(draw(cents), (goods / 2).quantize(Decimal("0.01")))
        if discount > 0:
            lines.append(
                SampleLine("Korting", 1, -discount, draw(st.sampled_from(rates)), category)
            )
    if draw(st.booleans()):  # shipping at the shop's shipping rate
        lines.append(SampleLine("Verzending", 1, draw(cents), rates[0], category))
    kind = draw(st.sampled_from(kinds))
    return build_document(
        lines,
        prices_include_vat=draw(st.booleans()),
        kind=kind,
        number=draw(st.sampled_from(["F2026-0001", "2026/17", "INV-000123"])),
        issue_date=draw(st.dates(datetime.date(2020, 1, 1), datetime.date(2035, 12, 31))),
        delivery_date=draw(st.one_of(st.none(), st.just(datetime.date(2026, 1, 1))))
        if fixed_category != INTRA_COMMUNITY
        else datetime.date(2026, 1, 1),
        supplier=SAMPLE_SUPPLIER,
        customer=draw(customers(scenario)),
        corrects_number="F2026-0001" if kind == CREDIT else "",
        order_number=draw(st.sampled_from(["", "1001"])),
        language=draw(st.sampled_from(["nl", "en"])),
        note=draw(st.sampled_from(["", "Bedankt voor uw bestelling!"])),
    )

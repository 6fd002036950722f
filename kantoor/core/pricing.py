"""The one pricing rule: what a cart, a checkout, an order edit and (later) a quote charge.

``price_draft`` prices catalogue lines and the shipping for one customer: the cart shows it,
``draft_order`` (checkout) writes it, so the two cannot differ. ``charged_price`` is the rule for
one price, ``shipping_is_offered`` the rule for the shipping method.

EU B2B reverse charge ("btw verlegd"): when an order is invoiced without Dutch VAT.

Dutch VAT law (intra-community supply of goods, article 138 VAT Directive): a shop in the
Netherlands that sells goods to a business in another EU member state invoices 0 % VAT when the
business gave its VAT number; the customer accounts for the VAT in its own country. The invoice
says so ("btw verlegd" / "VAT reverse charged") and states both VAT numbers.

The VAT number is checked for its format only (country prefix and the digits that country uses),
not against VIES; a shop owner who doubts a number checks it there before shipping.

This is decided once, when the order is priced (``kantoor.checkout.services.draft_order``), and
stored on the order and copied onto its invoices; an edit or a correction keeps it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from kantoor.core.money import HUNDRED, PriceLine, Totals, round_money, totals_with_shipping

MAX_QUANTITY = 999  # per line of a cart, an order or a quote
NO_VAT = Decimal("0.00")


class ShippingMethod(models.TextChoices):
    DELIVERY = "delivery", _("Delivery")
    PICKUP = "pickup", _("Pick up at the shop")


HOME_COUNTRY = "NL"  # the rule below is Dutch VAT law: it applies to shops in the Netherlands

# EU member states (ISO 3166-1 alpha-2) and the format of their VAT numbers, prefix included.
# Greece uses the prefix EL for its country code GR.
VAT_NUMBER_FORMATS: dict[str, re.Pattern[str]] = {
    country: re.compile(pattern)
    for country, pattern in {
        "AT": r"ATU\d{8}",
        "BE": r"BE[01]\d{9}",
        "BG": r"BG\d{9,10}",
        "CY": r"CY\d{8}[A-Z]",
        "CZ": r"CZ\d{8,10}",
        "DE": r"DE\d{9}",
        "DK": r"DK\d{8}",
        "EE": r"EE\d{9}",
        "ES": r"ES[A-Z0-9]\d{7}[A-Z0-9]",
        "FI": r"FI\d{8}",
        "FR": r"FR[A-HJ-NP-Z0-9]{2}\d{9}",
        "GR": r"EL\d{9}",
        "HR": r"HR\d{11}",
        "HU": r"HU\d{8}",
        "IE": r"IE(\d{7}[A-W][A-IW]?|\d[A-Z+*]\d{5}[A-W])",
        "IT": r"IT\d{11}",
        "LT": r"LT(\d{9}|\d{12})",
        "LU": r"LU\d{8}",
        "LV": r"LV\d{11}",
        "MT": r"MT\d{8}",
        "NL": r"NL\d{9}B\d{2}",
        "PL": r"PL\d{10}",
        "PT": r"PT\d{9}",
        "RO": r"RO\d{2,10}",
        "SE": r"SE\d{10}01",
        "SI": r"SI\d{8}",
        "SK": r"SK\d{10}",
    }.items()
}
EU_MEMBER_STATES = frozenset(VAT_NUMBER_FORMATS)

_SEPARATORS = re.compile(r"[\s.\-]")


def normalized_vat_number(vat_number: str) -> str:
    """The VAT number as it is written on an invoice: upper case, no spaces, dots or dashes."""
    return _SEPARATORS.sub("", vat_number or "").upper()


def vat_number_is_plausible(country: str, vat_number: str) -> bool:
    """Whether ``vat_number`` has the format of a VAT number of the EU member state ``country``
    (its own prefix included: a German customer's number starts with DE)."""
    pattern = VAT_NUMBER_FORMATS.get((country or "").upper())
    return pattern is not None and pattern.fullmatch(normalized_vat_number(vat_number)) is not None


def vat_is_reverse_charged(*, shop, country: str, vat_number: str) -> bool:
    """Whether an order of ``shop`` billed to ``country`` with ``vat_number`` is invoiced with
    VAT reverse charged (0 %, an intra-community supply).

    Yes when the shop is in the Netherlands and has a VAT number itself, the customer's billing
    country is another EU member state and the customer gave a VAT number of that country.
    No for a Dutch customer, a consumer (no VAT number), a country outside the EU and a number
    that does not fit the country. Reads nothing from the database.
    """
    country = (country or "").upper()
    return (
        (shop.country or "").upper() == HOME_COUNTRY
        and bool(shop.vat_number)
        and country != HOME_COUNTRY
        and country in EU_MEMBER_STATES
        and vat_number_is_plausible(country, vat_number)
    )


def price_excluding_vat(price: Decimal, vat_rate: Decimal, *, prices_include_vat: bool) -> Decimal:
    """A catalogue price without its VAT, rounded to cents: what a reverse-charged order charges.

    A shop whose prices exclude VAT charges its price; a price including 21 % becomes
    price / 1.21 (rounded half up).
    """
    if not prices_include_vat or not vat_rate:
        return Decimal(price)
    return round_money(Decimal(price) * HUNDRED / (HUNDRED + Decimal(vat_rate)))


def charged_price(
    shop, price: Decimal, vat_rate: Decimal, *, reverse_charged: bool
) -> tuple[Decimal, Decimal]:
    """The unit price and VAT rate an order charges for a catalogue price (or the shipping fee):
    as the shop states them, or, with VAT reverse charged, the price without VAT at 0 %."""
    if not reverse_charged:
        return price, vat_rate
    return price_excluding_vat(price, vat_rate, prices_include_vat=shop.prices_include_vat), NO_VAT


def shipping_is_offered(shop, shipping_method: str) -> bool:
    """Whether ``shop`` offers ``shipping_method``: delivery always, pick-up when it allows it."""
    return shipping_method == ShippingMethod.DELIVERY or (
        shipping_method == ShippingMethod.PICKUP and shop.allows_pickup
    )


@dataclass(frozen=True)
class CatalogueLine:
    """A catalogue price to charge ``quantity`` times (a product, as the shop states its price)."""

    price: Decimal
    vat_rate: Decimal
    quantity: int


@dataclass(frozen=True)
class Pricing:
    """What ``price_draft`` charges: per line the unit price and VAT rate, the shipping, totals."""

    lines: tuple[PriceLine, ...]
    shipping_cost: Decimal
    shipping_vat_rate: Decimal
    totals: Totals
    prices_include_vat: bool
    vat_reverse_charged: bool
    vat_number: str


def price_draft(
    *,
    shop,
    lines: Sequence[CatalogueLine],
    shipping_method: str,
    country: str,
    vat_number: str,
    shipping_fee: Decimal | None = None,
) -> Pricing:
    """Price catalogue lines and the shipping for a customer billed in ``country``.

    The shipping fee (the shop's, or an agreed ``shipping_fee``: a quote's, 0 for a replacement)
    is charged for delivery of a non-empty cart, nothing for pick-up; an EU
    business customer (``vat_is_reverse_charged``) pays every line and the shipping without
    VAT at 0 %, and its VAT number is returned as an invoice writes it. The caller decides what
    a shipping method the shop does not offer means (checkout refuses it, the cart shows
    delivery): see ``shipping_is_offered``.
    """
    reverse_charged = vat_is_reverse_charged(shop=shop, country=country, vat_number=vat_number)
    if reverse_charged:
        vat_number = normalized_vat_number(vat_number)
    price_lines = []
    for line in lines:
        unit_price, vat_rate = charged_price(
            shop, line.price, line.vat_rate, reverse_charged=reverse_charged
        )
        price_lines.append(
            PriceLine(unit_price=unit_price, quantity=line.quantity, vat_rate=vat_rate)
        )
    fee = (
        (shop.shipping_fee if shipping_fee is None else shipping_fee)
        if shipping_method == ShippingMethod.DELIVERY and price_lines
        else Decimal("0.00")
    )
    shipping_cost, shipping_vat_rate = charged_price(
        shop, fee, shop.shipping_vat_rate, reverse_charged=reverse_charged
    )
    prices_include_vat = shop.prices_include_vat and not reverse_charged
    totals = totals_with_shipping(
        price_lines,
        shipping_cost=shipping_cost,
        shipping_vat_rate=shipping_vat_rate,
        prices_include_vat=prices_include_vat,
    )
    return Pricing(
        lines=tuple(price_lines),
        shipping_cost=shipping_cost,
        shipping_vat_rate=shipping_vat_rate,
        totals=totals,
        prices_include_vat=prices_include_vat,
        vat_reverse_charged=reverse_charged,
        vat_number=vat_number,
    )

"""A quote's amounts: each line at its price less its discount, the shipping agreed, priced by
the one pricing rule (``kantoor.core.pricing.price_draft``) exactly as the order made from the
quote will be, so the quote and its order come to the same total."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from kantoor.core.money import HUNDRED, round_money
from kantoor.core.pricing import CatalogueLine, Pricing, price_draft


def discounted_price(unit_price: Decimal, discount_percent: Decimal) -> Decimal:
    """The unit price the customer pays: the line's price less its discount, to the cent."""
    if not discount_percent:
        return Decimal(unit_price)
    return round_money(Decimal(unit_price) * (HUNDRED - Decimal(discount_percent)) / HUNDRED)


def quote_pricing(*, shop, quote, lines: Sequence) -> Pricing:
    """What ``lines`` (of one revision of ``quote``) come to for its customer."""
    return price_draft(
        shop=shop,
        lines=[
            CatalogueLine(
                price=discounted_price(line.unit_price, line.discount_percent),
                vat_rate=line.vat_rate,
                quantity=line.quantity,
            )
            for line in lines
        ],
        shipping_method=quote.shipping_method,
        country=quote.country,
        vat_number=quote.vat_number,
        shipping_fee=quote.shipping_fee,
    )

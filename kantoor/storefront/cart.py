"""The shopping cart: product ids and quantities in the session, one cart per shop.

Only ids and quantities are stored; prices always come from the catalogue when the cart is
shown or ordered (``cart_summary``), computed with the one totals function.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from kantoor.catalog.models import Product
from kantoor.catalog.selectors import products_for_sale
from kantoor.checkout.services import OrderItem
from kantoor.core.errors import KantoorError
from kantoor.core.money import Totals
from kantoor.core.parsing import parse_id
from kantoor.core.pricing import (
    MAX_QUANTITY,
    CatalogueLine,
    ShippingMethod,
    price_draft,
    shipping_is_offered,
)
from kantoor.shops.models import Shop


class CartError(KantoorError):
    """A cart change that is refused; the message is for the customer."""

    code = "cart_refused"


def _session_key(shop: Shop) -> str:
    return f"cart:{shop.pk}"


class Cart:
    """{product id: quantity} for one shop, kept in the session."""

    def __init__(self, session, shop: Shop):
        self.session = session
        self.shop = shop
        raw = session.get(_session_key(shop)) or {}
        self.items: dict[int, int] = {}
        for key, value in raw.items():
            try:
                self.items[int(key)] = int(value)
            except (TypeError, ValueError):
                continue

    def __len__(self) -> int:
        return len(self.items)

    @property
    def count(self) -> int:
        """How many things are in the cart (the number in the header)."""
        return sum(self.items.values())

    def quantity_of(self, product_id: int) -> int:
        return self.items.get(product_id, 0)

    def order_items(self) -> list[OrderItem]:
        return [OrderItem(product_id=pk, quantity=q) for pk, q in self.items.items()]

    def set(self, product_id: int, quantity: int) -> None:
        self.items[product_id] = quantity
        self._save()

    def remove(self, product_id: int) -> None:
        self.items.pop(product_id, None)
        self._save()

    def clear(self) -> None:
        self.items = {}
        self._save()

    def _save(self) -> None:
        self.session[_session_key(self.shop)] = {str(pk): q for pk, q in self.items.items()}


def parse_quantity(raw) -> int:
    """A quantity typed by the customer: a whole number from 1 to MAX_QUANTITY."""
    try:
        quantity = int(str(raw).strip())
    except (TypeError, ValueError):
        raise CartError(_("Enter the quantity as a whole number, like 1 or 2.")) from None
    if quantity < 1:
        raise CartError(_("The quantity must be at least 1."))
    if quantity > MAX_QUANTITY:
        raise CartError(_("You can order at most %(max)d of a product.") % {"max": MAX_QUANTITY})
    return quantity


def product_for_cart(*, shop: Shop, raw_product_id) -> Product:
    """The product a cart form names, if this shop sells it."""
    product_id = parse_id(raw_product_id)
    product = products_for_sale(shop=shop).filter(pk=product_id).first() if product_id else None
    if product is None:
        raise CartError(_("That product is not for sale (any more)."))
    return product


def check_quantity(*, product: Product, quantity: int) -> None:
    """Refuse a total quantity the shop cannot deliver."""
    if quantity > MAX_QUANTITY:
        raise CartError(_("You can order at most %(max)d of a product.") % {"max": MAX_QUANTITY})
    if not product.in_stock:
        raise CartError(_("%(product)s is out of stock.") % {"product": product.name})
    if product.track_stock and quantity > product.stock_level:
        raise CartError(
            _("Only %(count)d of %(product)s in stock.")
            % {"count": product.stock_level, "product": product.name}
        )


def add_to_cart(*, cart: Cart, shop: Shop, raw_product_id, raw_quantity) -> Product:
    product = product_for_cart(shop=shop, raw_product_id=raw_product_id)
    quantity = parse_quantity(raw_quantity)
    new_quantity = cart.quantity_of(product.pk) + quantity
    check_quantity(product=product, quantity=new_quantity)
    cart.set(product.pk, new_quantity)
    return product


def update_cart(*, cart: Cart, shop: Shop, raw_product_id, raw_quantity) -> Product:
    product = product_for_cart(shop=shop, raw_product_id=raw_product_id)
    quantity = parse_quantity(raw_quantity)
    if product.pk not in cart.items:
        raise CartError(_("That product is not in your cart."))
    check_quantity(product=product, quantity=quantity)
    cart.set(product.pk, quantity)
    return product


@dataclass(frozen=True)
class CartLine:
    product: Product
    quantity: int
    amount: Decimal  # what the line costs, as the shop shows prices (incl. or excl. VAT)


@dataclass(frozen=True)
class CartSummary:
    lines: tuple[CartLine, ...]
    shipping_method: str
    shipping_cost: Decimal
    totals: Totals
    prices_include_vat: bool
    unavailable: tuple[int, ...]  # product ids in the cart that are no longer for sale
    vat_reverse_charged: bool = False  # EU B2B: 0 % VAT, prices without VAT (as the order)

    @property
    def is_empty(self) -> bool:
        return not self.lines

    @property
    def subtotal(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)


def cart_summary(
    *,
    shop: Shop,
    cart: Cart,
    shipping_method: str = ShippingMethod.DELIVERY,
    country: str = "",
    vat_number: str = "",
):
    """The cart's lines at today's prices and its totals, shipping included.

    ``country`` and ``vat_number`` (checkout's billing country and VAT number, when known):
    an EU business customer's order is priced as draft_order prices it (one rule:
    ``kantoor.core.pricing.price_draft``), VAT reverse charged.
    """
    products = {p.pk: p for p in products_for_sale(shop=shop).filter(pk__in=list(cart.items))}
    lines = [(products[pk], q) for pk, q in cart.items.items() if pk in products]
    lines.sort(key=lambda line: line[0].name)
    if not shipping_is_offered(shop, shipping_method):
        shipping_method = ShippingMethod.DELIVERY  # what checkout preselects
    pricing = price_draft(
        shop=shop,
        lines=[
            CatalogueLine(price=product.price, vat_rate=product.vat_rate, quantity=quantity)
            for product, quantity in lines
        ],
        shipping_method=shipping_method,
        country=country,
        vat_number=vat_number,
    )
    totals = pricing.totals
    include_vat = pricing.prices_include_vat
    cart_lines = tuple(
        CartLine(
            product=product,
            quantity=quantity,
            amount=amounts.gross if include_vat else amounts.net,
        )
        for (product, quantity), amounts in zip(lines, totals.lines, strict=False)
    )
    return CartSummary(
        lines=cart_lines,
        shipping_method=shipping_method,
        shipping_cost=pricing.shipping_cost,
        totals=totals,
        prices_include_vat=include_vat,
        unavailable=tuple(pk for pk in cart.items if pk not in products),
        vat_reverse_charged=pricing.vat_reverse_charged,
    )

"""Editing an order: its lines, shipping cost and addresses, with optimistic locking."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kantoor.catalog.models import MovementReason, Product
from kantoor.catalog.services import (
    InsufficientStock,
    StockChange,
    book_stock_movements,
    lock_products,
)
from kantoor.core.actors import Actor
from kantoor.core.money import PriceLine, round_money, totals_with_shipping
from kantoor.core.pricing import (
    MAX_QUANTITY,
    charged_price,
)
from kantoor.core.statuses import OrderStatus
from kantoor.customers.services import (
    AddressData,
)
from kantoor.orders import events
from kantoor.orders.errors import OrderError
from kantoor.orders.limits import check_amounts_fit
from kantoor.orders.locks import lock_order
from kantoor.orders.models import Order, OrderLine
from kantoor.shops.models import Shop
from kantoor.shops.selectors import order_status_label

EDITABLE_STATUSES_EXCLUDED = frozenset({OrderStatus.COMPLETED, OrderStatus.CANCELLED})


ADDRESS_FIELDS = ("name", "company", "street", "postcode", "city", "country")


@dataclass(frozen=True)
class LineEdit:
    """One line of an order as it should be after an edit.

    ``line_id`` names an existing line of the order; a new line has ``line_id=None`` and a
    ``product_id`` (its description and VAT rate are copied from the product, its unit price is
    ``unit_price`` or, when None, the product's price).
    """

    quantity: int
    unit_price: Decimal | None
    line_id: int | None = None
    product_id: int | None = None


def edit_order(
    *,
    shop: Shop,
    order: Order,
    lines: list[LineEdit],
    shipping_cost: Decimal,
    billing: AddressData,
    delivery: AddressData,
    expected_version: int,
    actor: Actor,
) -> Order:
    """Change an order's lines, shipping cost and addresses; all or nothing.

    ``lines`` is the whole order after the edit: existing lines left out are removed.
    ``expected_version`` is the version the editor saw; if anyone changed the order since, the
    edit is refused (nobody's change is overwritten unnoticed). Totals are recomputed with the
    one totals function, stock is booked for the difference per tracked product, and one
    ``edited`` event records every change (before → after). Lock order as in place_order:
    products (by id) first, then the order row.
    """
    with transaction.atomic():
        old_product_ids = set(
            OrderLine.objects.filter(order_id=order.pk, product__isnull=False).values_list(
                "product_id", flat=True
            )
        )
        new_product_ids = {edit.product_id for edit in lines if edit.line_id is None}
        products = lock_products(
            shop=shop, product_ids={pk for pk in old_product_ids | new_product_ids if pk}
        )
        locked = lock_order(shop=shop, order_id=order.pk)
        if locked.version != expected_version:
            raise OrderError(
                _(
                    "Someone else changed this order while you were editing; reload to see "
                    "their change."
                )
            )
        if locked.status in EDITABLE_STATUSES_EXCLUDED:
            raise OrderError(
                _("An order that is %(status)s cannot be edited.")
                % {"status": order_status_label(shop=shop, status=locked.status).lower()}
            )
        current = {line.pk: line for line in OrderLine.objects.filter(order=locked)}
        after = _lines_after_edit(
            shop=shop, order=locked, current=current, edits=lines, products=products
        )
        shipping_cost = Decimal(shipping_cost)
        if shipping_cost < 0:
            raise OrderError(_("The shipping cost cannot be negative."))
        changes = _describe_changes(
            order=locked,
            current=current,
            after=after,
            shipping_cost=shipping_cost,
            billing=billing,
            delivery=delivery,
        )
        if not changes:
            return locked
        totals = totals_with_shipping(
            (
                PriceLine(
                    unit_price=line.unit_price, quantity=line.quantity, vat_rate=line.vat_rate
                )
                for line in after
            ),
            shipping_cost=shipping_cost,
            shipping_vat_rate=locked.shipping_vat_rate,
            prices_include_vat=locked.prices_include_vat,
        )
        for line, amounts in zip(after, totals.lines, strict=False):
            line.total_net = amounts.net
            line.total_gross = amounts.gross
        total_before = locked.total_gross
        locked.shipping_cost = shipping_cost
        locked.total_net = totals.net
        locked.total_vat = totals.vat
        locked.total_gross = totals.gross
        check_amounts_fit(locked, after)
        now = timezone.now()
        _book_edit_stock(order=locked, current=current, after=after, products=products, at=now)

        kept_ids = {line.pk for line in after if line.pk}
        removed = [pk for pk in current if pk not in kept_ids]
        if removed:
            OrderLine.objects.filter(order=locked, pk__in=removed).delete()
        kept = [line for line in after if line.pk]
        if kept:
            OrderLine.objects.bulk_update(
                kept, ["quantity", "unit_price", "total_net", "total_gross"]
            )
        added = [line for line in after if not line.pk]
        if added:
            OrderLine.objects.bulk_create(added)

        for prefix, address in (("billing", billing), ("delivery", delivery)):
            for name in ADDRESS_FIELDS:
                setattr(locked, f"{prefix}_{name}", getattr(address, name))
        locked.item_count = sum(line.quantity for line in after)
        locked.updated_at = now
        locked.version += 1
        locked.save(
            update_fields=[
                "shipping_cost",
                *(f"{p}_{n}" for p in ("billing", "delivery") for n in ADDRESS_FIELDS),
                "total_net",
                "total_vat",
                "total_gross",
                "item_count",
                "updated_at",
                "version",
            ]
        )
        events.record(
            events.order_edited(
                order=locked, changes=changes, total_before=total_before, actor=actor, at=now
            )
        )
    return locked


def _lines_after_edit(
    *,
    shop: Shop,
    order: Order,
    current: dict[int, OrderLine],
    edits: list[LineEdit],
    products: dict[int, Product],
) -> list[OrderLine]:
    """The order's lines as they will be (unsaved copies; new lines have no pk)."""
    if not edits:
        raise OrderError(_("An order needs at least one line; cancel the order instead."))
    after: list[OrderLine] = []
    seen: set[int] = set()
    position = max((line.position for line in current.values()), default=0)
    for edit in edits:
        if not 1 <= edit.quantity <= MAX_QUANTITY:
            raise OrderError(_("A quantity must be between 1 and %(max)d.") % {"max": MAX_QUANTITY})
        if edit.unit_price is not None and Decimal(edit.unit_price) < 0:
            raise OrderError(_("A unit price cannot be negative."))
        if edit.line_id is not None:
            old = current.get(edit.line_id)
            if old is None or edit.line_id in seen:
                raise OrderError(_("A line of this order has changed; reload the order."))
            seen.add(edit.line_id)
            line = OrderLine(
                pk=old.pk,
                shop_id=old.shop_id,
                order=order,
                position=old.position,
                product_id=old.product_id,
                sku=old.sku,
                name=old.name,
                vat_rate=old.vat_rate,
                quantity=edit.quantity,
                unit_price=old.unit_price
                if edit.unit_price is None
                else round_money(Decimal(edit.unit_price)),
            )
        else:
            product = products.get(edit.product_id) if edit.product_id else None
            if product is None or product.shop_id != shop.pk:
                raise OrderError(_("Choose a product from your catalogue."))
            position += 1
            # A reverse-charged order stays so: a product added later is charged without VAT.
            catalogue_price, vat_rate = charged_price(
                shop, product.price, product.vat_rate, reverse_charged=order.vat_reverse_charged
            )
            line = OrderLine(
                shop_id=shop.pk,
                order=order,
                position=position,
                product=product,
                sku=product.sku,
                name=product.name,
                vat_rate=vat_rate,
                quantity=edit.quantity,
                unit_price=catalogue_price
                if edit.unit_price is None
                else round_money(Decimal(edit.unit_price)),
            )
        after.append(line)
    return after


def _address_text(address: AddressData) -> str:
    parts = [address.name, address.company, address.street, f"{address.postcode} {address.city}"]
    return ", ".join(p.strip() for p in [*parts, address.country] if p.strip())


def _order_address(order: Order, prefix: str) -> AddressData:
    return AddressData(**{name: getattr(order, f"{prefix}_{name}") for name in ADDRESS_FIELDS})


def _describe_changes(
    *,
    order: Order,
    current: dict[int, OrderLine],
    after: list[OrderLine],
    shipping_cost: Decimal,
    billing: AddressData,
    delivery: AddressData,
) -> list[dict]:
    """What an edit changes, as the timeline shows it (plain JSON: strings and numbers)."""
    changes: list[dict] = []
    kept = {line.pk: line for line in after if line.pk}
    for pk, old in sorted(current.items(), key=lambda item: item[1].position):
        new = kept.get(pk)
        if new is None:
            changes.append(
                {
                    "what": "line_removed",
                    "name": old.name,
                    "sku": old.sku,
                    "quantity": old.quantity,
                    "unit_price": str(old.unit_price),
                }
            )
            continue
        if new.quantity != old.quantity:
            changes.append(
                {
                    "what": "quantity",
                    "name": old.name,
                    "sku": old.sku,
                    "before": old.quantity,
                    "after": new.quantity,
                }
            )
        if new.unit_price != old.unit_price:
            changes.append(
                {
                    "what": "unit_price",
                    "name": old.name,
                    "sku": old.sku,
                    "before": str(old.unit_price),
                    "after": str(new.unit_price),
                }
            )
    for line in after:
        if not line.pk:
            changes.append(
                {
                    "what": "line_added",
                    "name": line.name,
                    "sku": line.sku,
                    "quantity": line.quantity,
                    "unit_price": str(line.unit_price),
                }
            )
    if shipping_cost != order.shipping_cost:
        changes.append(
            {
                "what": "shipping_cost",
                "before": str(order.shipping_cost),
                "after": str(shipping_cost),
            }
        )
    for prefix, address in (("billing", billing), ("delivery", delivery)):
        old_address = _order_address(order, prefix)
        if old_address != address:
            changes.append(
                {
                    "what": f"{prefix}_address",
                    "before": _address_text(old_address),
                    "after": _address_text(address),
                }
            )
    return changes


def _book_edit_stock(
    *,
    order: Order,
    current: dict[int, OrderLine],
    after: list[OrderLine],
    products: dict[int, Product],
    at: datetime.datetime,
) -> None:
    """Book the difference per tracked product: more sold is a sale, less sold goes back."""
    delta: dict[int, int] = defaultdict(int)  # + goes back into stock, - is sold
    for line in current.values():
        if line.product_id in products:
            delta[line.product_id] += line.quantity
    for line in after:
        if line.product_id in products:
            delta[line.product_id] -= line.quantity
    sold = [
        StockChange(product=products[pk], quantity=q)
        for pk, q in delta.items()
        if q < 0 and products[pk].track_stock
    ]
    back = [
        StockChange(product=products[pk], quantity=q)
        for pk, q in delta.items()
        if q > 0 and products[pk].track_stock
    ]
    note = _("Order edited")
    try:
        book_stock_movements(
            shop=order.shop,
            changes=sold,
            reason=MovementReason.SALE,
            reference=order.number,
            note=note,
            at=at,
        )
    except InsufficientStock as error:
        raise OrderError(str(error)) from None
    book_stock_movements(
        shop=order.shop,
        changes=back,
        reason=MovementReason.CANCELLATION,
        reference=order.number,
        note=note,
        at=at,
    )

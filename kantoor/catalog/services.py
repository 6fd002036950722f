from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from kantoor.catalog.models import MovementReason, Product, StockMovement
from kantoor.core.errors import KantoorError


class InsufficientStock(KantoorError):
    code = "insufficient_stock"

    def __init__(self, products: list[Product]):
        self.products = products
        names = ", ".join(f"{p.name} ({max(p.stock_level, 0)})" for p in products)
        super().__init__(_("Not enough in stock: %(products)s.") % {"products": names})


@dataclass(frozen=True)
class StockChange:
    product: Product
    quantity: int  # negative for a sale


def lock_products(*, shop, product_ids) -> dict[int, Product]:
    """Lock the products' rows in id order (a consistent lock order avoids deadlocks)."""
    products = (
        Product.objects.select_for_update()
        .filter(shop=shop, pk__in=set(product_ids))
        .order_by("pk")
    )
    return {product.pk: product for product in products}


def book_stock_movements(
    *,
    shop,
    changes: list[StockChange],
    reason: MovementReason,
    reference: str = "",
    note: str = "",
    at=None,
    allow_negative: bool = False,
) -> list[StockMovement]:
    """Write ledger rows and keep each product's stock level equal to its ledger sum.

    A sale that takes a tracked product below zero is refused with InsufficientStock and
    nothing is written. Runs inside the caller's transaction (the ledger rows and the stock
    levels change together or not at all); callers that sell lock the products first.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("book_stock_movements must run inside the caller's transaction.")
    at = at or timezone.now()
    per_product: dict[int, int] = defaultdict(int)
    products: dict[int, Product] = {}
    for change in changes:
        if change.quantity == 0 or not change.product.track_stock:
            continue
        per_product[change.product.pk] += change.quantity
        products[change.product.pk] = change.product
    if not allow_negative:
        short = [
            products[pk]
            for pk, delta in per_product.items()
            if delta < 0 and products[pk].stock_level + delta < 0
        ]
        if short:
            raise InsufficientStock(short)
    movements = StockMovement.objects.bulk_create(
        [
            StockMovement(
                shop=shop,
                product_id=pk,
                quantity=delta,
                reason=reason,
                reference=reference,
                note=note,
                created_at=at,
            )
            for pk, delta in per_product.items()
            if delta != 0
        ]
    )
    deltas = {pk: delta for pk, delta in per_product.items() if delta}
    if deltas:
        # One UPDATE for all products: stock_level + this movement's quantity.
        Product.objects.filter(pk__in=deltas).update(
            stock_level=F("stock_level")
            + Case(*(When(pk=pk, then=Value(d)) for pk, d in deltas.items()), default=Value(0))
        )
        for pk, delta in deltas.items():
            products[pk].stock_level += delta
    return movements


@transaction.atomic
def correct_stock(*, shop, product: Product, quantity: int, note: str = "") -> StockMovement:
    """A stock count or correction by staff: adds ``quantity`` (may be negative)."""
    locked = lock_products(shop=shop, product_ids=[product.pk])[product.pk]
    return book_stock_movements(
        shop=shop,
        changes=[StockChange(product=locked, quantity=quantity)],
        reason=MovementReason.CORRECTION,
        note=note,
        allow_negative=True,
    )[0]

"""The one place that knows how to lock an order row."""

from __future__ import annotations

from kantoor.orders.models import Order


def lock_order(*, shop, order_id: int) -> Order:
    """The order row, locked for the rest of the transaction (``select_for_update``), always
    scoped to the shop: another shop's order is ``Order.DoesNotExist``."""
    return Order.objects.select_for_update().get(shop=shop, pk=order_id)

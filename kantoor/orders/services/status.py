"""An order's status: change it (one order or several), with the declared transitions
(``kantoor.core.statuses``); cancelling books the stock back."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kantoor.catalog.models import MovementReason
from kantoor.catalog.services import (
    StockChange,
    book_stock_movements,
    lock_products,
)
from kantoor.core.actors import Actor
from kantoor.core.statuses import OrderStatus, allowed_next_statuses
from kantoor.orders import events
from kantoor.orders.errors import OrderError
from kantoor.orders.locks import lock_order
from kantoor.orders.models import Order
from kantoor.orders.notifications import queue_status_message
from kantoor.shops.models import Shop
from kantoor.shops.selectors import status_appearances_for


def change_order_status(*, shop: Shop, order: Order, status: int, actor: Actor) -> Order:
    """Move an order to another status; cancelling books its stock back."""
    new_status = OrderStatus(status)
    with transaction.atomic():
        locked = lock_order(shop=shop, order_id=order.pk)
        if locked.status == new_status:
            return locked
        check_status_change(order=locked, new_status=new_status)
        now = timezone.now()
        if new_status == OrderStatus.CANCELLED:
            _book_cancellation(order=locked, at=now)
        event = events.status_changed(order=locked, new_status=new_status, actor=actor, at=now)
        before = locked.status
        locked.status = new_status
        locked.updated_at = now
        locked.version += 1
        locked.save(update_fields=["status", "updated_at", "version"])
        events.record(event)
        queue_status_message(order=locked, before=before, after=new_status)
    return locked


def check_status_change(*, order: Order, new_status: OrderStatus) -> None:
    if new_status not in allowed_next_statuses(order.status):
        labels = status_appearances_for(shop=order.shop_id)
        raise OrderError(
            _("An order that is %(current)s cannot become %(new)s.")
            % {
                "current": labels.order_status_label(order.status).lower(),
                "new": labels.order_status_label(new_status).lower(),
            }
        )


def _book_cancellation(*, order: Order, at: datetime.datetime) -> None:
    quantities: dict[int, int] = defaultdict(int)
    for product_id, quantity in order.lines.filter(product__track_stock=True).values_list(
        "product_id", "quantity"
    ):
        quantities[product_id] += quantity
    if not quantities:
        return
    products = lock_products(shop=order.shop, product_ids=quantities)
    book_stock_movements(
        shop=order.shop,
        changes=[StockChange(product=products[pk], quantity=q) for pk, q in quantities.items()],
        reason=MovementReason.CANCELLATION,
        reference=order.number,
        at=at,
    )


@dataclass
class BulkStatusOutcome:
    """What a bulk status change did, by order number."""

    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # already in that status
    refused: list[tuple[str, str]] = field(default_factory=list)  # (number, why)


def change_status_of_orders(
    *, shop: Shop, order_ids: list[int], status: int, actor: Actor
) -> BulkStatusOutcome:
    """Move several orders to one status: change_order_status for each, one transaction each.

    An order that may not move (e.g. cancelled) is reported and the others still change. Ids
    of another shop's orders (or of no order) are ignored: they change nothing.
    """
    outcome = BulkStatusOutcome()
    orders = Order.objects.filter(shop=shop, pk__in=order_ids).order_by("created_at", "pk")
    for order in orders:
        if order.status == status:
            outcome.unchanged.append(order.number)
            continue
        try:
            change_order_status(shop=shop, order=order, status=status, actor=actor)
        except OrderError as error:
            outcome.refused.append((order.number, str(error)))
        except Order.DoesNotExist:
            continue
        else:
            outcome.changed.append(order.number)
    return outcome

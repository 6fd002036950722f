"""The fixed list of order statuses (DESIGN.md). Shops cannot add statuses; ids never change."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.IntegerChoices):
    NEW = 1, _("New")
    IN_PROCESS = 2, _("In process")
    AWAITING_MANUFACTURER = 3, _("Awaiting manufacturer")
    AWAITING_PAYMENT = 4, _("Awaiting payment")
    SHIPPED = 5, _("Shipped")
    DELIVERED = 6, _("Delivered")
    COMPLETED = 7, _("Completed")
    CANCELLED = 8, _("Cancelled")
    AWAITING_SUPPLIER = 9, _("Awaiting supplier")
    BEING_PACKED = 10, _("Being packed")
    READY_FOR_PICKUP = 11, _("Ready for pickup")
    BEING_ASSEMBLED = 12, _("Being assembled")
    BACKORDER = 13, _("Backorder")
    RESERVED = 14, _("Reserved")

    @property
    def code(self) -> str:
        return self.name.lower()


# Statuses whose label a shop cannot change.
FIXED_LABEL_STATUSES = frozenset({OrderStatus.NEW, OrderStatus.COMPLETED, OrderStatus.CANCELLED})

# A cancelled order is closed: its stock went back and it never moves again.
CLOSED_STATUSES = frozenset({OrderStatus.CANCELLED})

# Default badge colours (background, text); the workflow settings may override them per shop.
DEFAULT_COLOURS: dict[int, tuple[str, str]] = {
    OrderStatus.NEW: ("#dbeafe", "#1e3a8a"),
    OrderStatus.IN_PROCESS: ("#fef3c7", "#78350f"),
    OrderStatus.AWAITING_MANUFACTURER: ("#ede9fe", "#4c1d95"),
    OrderStatus.AWAITING_PAYMENT: ("#ffedd5", "#7c2d12"),
    OrderStatus.SHIPPED: ("#cffafe", "#164e63"),
    OrderStatus.DELIVERED: ("#d1fae5", "#064e3b"),
    OrderStatus.COMPLETED: ("#dcfce7", "#14532d"),
    OrderStatus.CANCELLED: ("#f3f4f6", "#374151"),
    OrderStatus.AWAITING_SUPPLIER: ("#fae8ff", "#701a75"),
    OrderStatus.BEING_PACKED: ("#e0e7ff", "#312e81"),
    OrderStatus.READY_FOR_PICKUP: ("#ccfbf1", "#134e4a"),
    OrderStatus.BEING_ASSEMBLED: ("#fce7f3", "#831843"),
    OrderStatus.BACKORDER: ("#fee2e2", "#7f1d1d"),
    OrderStatus.RESERVED: ("#f1f5f9", "#0f172a"),
}


def allowed_next_statuses(current: int) -> list[OrderStatus]:
    """Where an order in ``current`` may go: anywhere but back to New; nowhere once cancelled."""
    if current in CLOSED_STATUSES:
        return []
    return [s for s in OrderStatus if s != current and s != OrderStatus.NEW]

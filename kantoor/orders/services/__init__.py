"""Every change to an order after it is placed, one function per thing a shop owner does, split
by job: ``status`` (change one or several orders' status), ``editing`` (lines, shipping,
addresses), ``notes`` (internal notes). Placing an order is ``kantoor.checkout``.

Each runs in one transaction: lock, check, write, record the event (``kantoor.orders.events``),
queue the message (``kantoor.orders.notifications``).
"""

from kantoor.orders.errors import OrderError
from kantoor.orders.services.editing import (
    ADDRESS_FIELDS,
    EDITABLE_STATUSES_EXCLUDED,
    LineEdit,
    edit_order,
)
from kantoor.orders.services.notes import MAX_NOTE_LENGTH, add_order_note
from kantoor.orders.services.status import (
    BulkStatusOutcome,
    change_order_status,
    change_status_of_orders,
    check_status_change,
)

__all__ = [
    "ADDRESS_FIELDS",
    "EDITABLE_STATUSES_EXCLUDED",
    "MAX_NOTE_LENGTH",
    "BulkStatusOutcome",
    "LineEdit",
    "OrderError",
    "add_order_note",
    "change_order_status",
    "change_status_of_orders",
    "check_status_change",
    "edit_order",
]

"""State changes of the accounting links, one transaction each (docs/accounting.md).

- ``connecting``: connect (OAuth redirect and callback, or a package's own credentials), test,
  save the mapping, disconnect;
- ``syncing``: the booking row of each issued invoice (``queue_bookings``, called in the
  invoice's transaction), its push (``push_booking``: at most once, looked up before created),
  the sweep (``push_due_bookings``) and a retry.
"""

from kantoor.accounting.services.syncing import (
    push_booking,
    push_due_bookings,
    push_payment,
    queue_bookings,
    queue_payment,
    retry_booking,
)

__all__ = [
    "push_booking",
    "push_due_bookings",
    "push_payment",
    "queue_bookings",
    "queue_payment",
    "retry_booking",
]

"""The order's Returns tab: its returns, each with its lines and the steps it allows now.

``context(order)`` for kantoor.backoffice.orders.tabs; the highlighted return comes from the
URL (``?tab=returns&return=<number>``) and is read in the template.
"""

from __future__ import annotations

from kantoor.backoffice.returns.forms import (
    NoteForm,
    ReceiveForm,
    ReturnStatusForm,
    return_status_choices,
)
from kantoor.orders.models import Order
from kantoor.returns.models import HANDLED_RETURN_STATUSES, Reception, ReturnStatus
from kantoor.returns.selectors import returns_of_order
from kantoor.returns.services import creditable_shipping
from kantoor.shops.selectors import workflow_settings_for


def returns_context(order: Order) -> dict:
    status_choices = return_status_choices(order.shop, HANDLED_RETURN_STATUSES)
    rows = []
    for found in returns_of_order(shop=order.shop, order=order):
        lines = list(found.lines.all())
        handled = found.status in HANDLED_RETURN_STATUSES
        awaiting = any(line.reception == Reception.AWAITING for line in lines)
        arrived = any(line.quantity_received for line in lines)
        rows.append(
            {
                "return": found,
                "lines": lines,
                "can_decide": found.status == ReturnStatus.NEW,
                "can_reject": found.status == ReturnStatus.NEW
                or (handled and found.received_at is None),
                "receive_form": ReceiveForm(return_request=found) if handled and awaiting else None,
                "can_refund": handled and arrived,
                "can_complete": handled,
                "status_form": ReturnStatusForm(
                    initial={"status": found.status}, choices=status_choices
                )
                if handled
                else None,
                "note_form": NoteForm(),
            }
        )
    refund = None
    if any(row["can_refund"] for row in rows):
        settings = workflow_settings_for(shop=order.shop)
        shipping = creditable_shipping(order.pk)
        refund = {
            "shipping": sum(-line.quantity * line.unit_price for line in shipping),
            "credit_shipping": settings.return_refunds_shipping,
            "fee_percent": settings.return_restocking_fee_percent,
        }
    return {"return_rows": rows, "refund": refund}

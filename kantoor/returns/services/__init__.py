"""Returns: the shop's lists (options), a customer's or staff member's request (requesting),
and how the shop handles it (handling). Each service runs in one transaction."""

from kantoor.returns.errors import ReturnError
from kantoor.returns.services.exchanging import exchange_return
from kantoor.returns.services.handling import (
    MAX_BULK_RETURNS,
    ReceivedLine,
    approve_return,
    change_return_status,
    change_return_statuses,
    complete_return,
    creditable_shipping,
    receive_return,
    refund_return,
    reject_return,
)
from kantoor.returns.services.options import (
    OptionInUse,
    add_return_option,
    delete_return_option,
    move_return_option,
    rename_return_option,
    set_return_option_active,
)
from kantoor.returns.services.requesting import (
    RequestedLine,
    check_order_returnable,
    find_guest_order,
    request_return,
)

__all__ = [
    "MAX_BULK_RETURNS",
    "OptionInUse",
    "ReceivedLine",
    "RequestedLine",
    "ReturnError",
    "add_return_option",
    "approve_return",
    "change_return_status",
    "change_return_statuses",
    "check_order_returnable",
    "complete_return",
    "creditable_shipping",
    "delete_return_option",
    "exchange_return",
    "find_guest_order",
    "move_return_option",
    "receive_return",
    "refund_return",
    "reject_return",
    "rename_return_option",
    "request_return",
    "set_return_option_active",
]

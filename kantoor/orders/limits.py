"""The largest amounts an order holds: what its columns can store. A price times a quantity, or
a staff edit's price, can be larger; the services refuse such an order before writing it."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from kantoor.core.money import amounts_over_limit, format_money
from kantoor.orders.errors import OrderError
from kantoor.orders.models import Order, OrderLine

ORDER_AMOUNTS = ("shipping_cost", "total_net", "total_vat", "total_gross")
LINE_AMOUNTS = ("unit_price", "total_net", "total_gross")


def check_amounts_fit(order: Order, lines: Iterable[OrderLine]) -> None:
    """Refuse (OrderError ``amount_too_large``) an order or line amount larger than its column."""
    over = [over for line in lines for over in amounts_over_limit(line, LINE_AMOUNTS)]
    over += amounts_over_limit(order, ORDER_AMOUNTS)
    if over:
        field, limit = over[0]
        raise OrderError(
            _("%(amount)s is too large: at most %(limit)s. Lower a quantity or a price.")
            % {
                "amount": capfirst(str(field.verbose_name)),
                "limit": format_money(limit, order.currency),
            },
            code="amount_too_large",
        )

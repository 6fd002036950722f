from kantoor.core.money import VatBreakdown
from kantoor.orders.models import Order
from kantoor.orders.selectors import order_totals


def order_vat_breakdown(*, order: Order) -> tuple[VatBreakdown, ...]:
    """Totals per VAT rate of a placed order, recomputed from its frozen lines and shipping."""
    return order_totals(order=order).vat_breakdown

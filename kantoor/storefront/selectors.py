from kantoor.money import PriceLine, VatBreakdown, compute_totals
from kantoor.orders.models import Order


def order_vat_breakdown(*, order: Order) -> tuple[VatBreakdown, ...]:
    """Totals per VAT rate of a placed order, recomputed from its frozen lines and shipping."""
    lines = [
        PriceLine(unit_price=line.unit_price, quantity=line.quantity, vat_rate=line.vat_rate)
        for line in order.lines.all()
    ]
    if order.shipping_cost:
        lines.append(
            PriceLine(unit_price=order.shipping_cost, quantity=1, vat_rate=order.shipping_vat_rate)
        )
    return compute_totals(lines, prices_include_vat=order.prices_include_vat).vat_breakdown

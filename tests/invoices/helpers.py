"""Editing an order in invoice tests (as the order page does)."""

from kantoor.customers.services import AddressData
from kantoor.orders.services import LineEdit, edit_order


def address_of(order, prefix):
    return AddressData(
        **{
            name: getattr(order, f"{prefix}_{name}")
            for name in ("name", "company", "street", "postcode", "city", "country")
        }
    )


def edit(order, actor, lines=None, **changes):
    """Edit ``order``; ``lines`` is a list of (line or product, quantity, unit price or None)."""
    order.refresh_from_db()
    if lines is None:
        edits = [
            LineEdit(line_id=line.pk, quantity=line.quantity, unit_price=line.unit_price)
            for line in order.lines.order_by("position")
        ]
    else:
        edits = lines
    arguments = {
        "lines": edits,
        "shipping_cost": order.shipping_cost,
        "billing": address_of(order, "billing"),
        "delivery": address_of(order, "delivery"),
        "expected_version": order.version,
    }
    arguments.update(changes)
    return edit_order(shop=order.shop, order=order, actor=actor, **arguments)


def line_edits(order, **by_sku):
    """The order's lines as LineEdits, with ``SKU=(quantity, price)`` changes (None: remove)."""
    edits = []
    for line in order.lines.order_by("position"):
        change = by_sku.get(line.sku.replace("-", "_"), (line.quantity, line.unit_price))
        if change is None:
            continue
        edits.append(LineEdit(line_id=line.pk, quantity=change[0], unit_price=change[1]))
    return edits

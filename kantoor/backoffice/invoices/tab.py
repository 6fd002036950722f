"""The order's Invoices tab: its invoices, what is invoiced against the order total, actions.

``context(order)`` for kantoor.backoffice.orders.tabs; the highlighted invoice comes from the
URL (``?tab=invoices&invoice=<number>``) and is read in the template.
"""

from __future__ import annotations

from kantoor.invoices.list_selectors import invoiced_and_difference
from kantoor.invoices.models import InvoiceKind, PaymentState
from kantoor.invoices.selectors import invoices_for_order
from kantoor.orders.models import Order


def invoices_context(order: Order) -> dict:
    invoices = list(invoices_for_order(shop=order.shop, order=order))
    credited: dict[int, list] = {}
    for invoice in invoices:
        if invoice.kind == InvoiceKind.CREDIT and invoice.corrects_id:
            credited.setdefault(invoice.corrects_id, []).append(invoice)
    rows = [
        {
            "invoice": invoice,
            "lines": list(invoice.lines.all()),  # prefetched
            "credits": credited.get(invoice.pk, []),
            "can_credit": invoice.kind == InvoiceKind.DEBIT,
            "can_mark_paid": invoice.state == PaymentState.UNPAID,
        }
        for invoice in invoices
    ]
    return {
        "invoice_rows": rows,
        "invoicing": invoiced_and_difference(invoices=invoices, order=order),
    }

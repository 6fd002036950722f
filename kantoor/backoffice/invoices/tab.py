"""The order's Invoices tab: its invoices, what is invoiced against the order total, actions,
and per invoice its payments, its payment link and what is still due.

``context(order)`` for kantoor.backoffice.orders.tabs; the highlighted invoice comes from the
URL (``?tab=invoices&invoice=<number>``) and is read in the template.
"""

from __future__ import annotations

from decimal import Decimal

from kantoor.core.money import ZERO
from kantoor.invoices.list_selectors import invoiced_and_difference
from kantoor.invoices.models import InvoiceKind, PaymentState
from kantoor.invoices.selectors import invoices_for_order
from kantoor.orders.models import Order
from kantoor.payments.links import payment_link_url
from kantoor.payments.selectors import has_refundable_amount, payments_for_order


def invoices_context(order: Order) -> dict:
    shop = order.shop
    invoices = list(invoices_for_order(shop=shop, order=order))
    payments = list(payments_for_order(shop=shop, order_id=order.pk))
    credited: dict[int, list] = {}
    for invoice in invoices:
        if invoice.kind == InvoiceKind.CREDIT and invoice.corrects_id:
            credited.setdefault(invoice.corrects_id, []).append(invoice)
    by_invoice: dict[int, list] = {}
    for payment in payments:
        by_invoice.setdefault(payment.invoice_id, []).append(payment)
    refundable = any(has_refundable_amount(payment) for payment in payments)
    rows = []
    for invoice in invoices:
        unpaid = invoice.state == PaymentState.UNPAID
        is_debit = invoice.kind == InvoiceKind.DEBIT
        due = _amount_due(invoice, credited.get(invoice.pk, [])) if unpaid else ZERO
        still_to_pay = max(due - invoice.amount_paid, ZERO) if is_debit else ZERO
        payable = is_debit and unpaid and still_to_pay > 0
        rows.append(
            {
                "invoice": invoice,
                "lines": list(invoice.lines.all()),  # prefetched
                "credits": credited.get(invoice.pk, []),
                "payments": by_invoice.get(invoice.pk, []),
                "can_credit": is_debit,
                "can_mark_paid": unpaid,
                "due": due,
                "still_to_pay": still_to_pay,
                # Part of a debit invoice received so far (bank transfers, part payments).
                "partly_paid": is_debit and unpaid and invoice.amount_paid > 0,
                "payment_link": payment_link_url(shop_id=shop.pk, invoice_id=invoice.pk)
                if payable
                else "",
                "can_send_link": payable,
                "can_refund": not is_debit and unpaid and refundable,
            }
        )
    return {
        "invoice_rows": rows,
        "invoicing": invoiced_and_difference(invoices=invoices, order=order),
    }


def _amount_due(invoice, credits) -> Decimal:
    """kantoor.invoices.selectors.amount_due, from the rows the tab has read already."""
    if invoice.kind == InvoiceKind.CREDIT:
        return invoice.total_gross
    open_credits = sum(
        (c.total_gross for c in credits if c.state == PaymentState.UNPAID), Decimal("0.00")
    )
    return max(invoice.total_gross + open_credits, ZERO)

"""Reading invoices (always scoped by shop)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet, Sum

from kantoor.invoices.models import Invoice, InvoiceKind, InvoiceLine, PaymentState
from kantoor.money import ZERO
from kantoor.orders.models import Order
from kantoor.shops.models import Shop

SETTLED_DEBIT = frozenset({PaymentState.PAID, PaymentState.CREDITED})
SETTLED_CREDIT = frozenset({PaymentState.REFUNDED, PaymentState.CREDITED})


def invoices_for_order(*, shop: Shop, order: Order) -> QuerySet[Invoice]:
    """The order's invoices, oldest first, with their lines and the invoice each corrects."""
    return (
        Invoice.objects.filter(shop=shop, order_id=order.pk)
        .select_related("corrects")
        .prefetch_related("lines")
        .order_by("id")
    )


def invoice_for_shop(*, shop: Shop, invoice_id: int) -> Invoice:
    """One invoice of the shop (Invoice.DoesNotExist for another shop's: a 404)."""
    return Invoice.objects.select_related("order", "corrects").get(shop=shop, pk=invoice_id)


def invoice_lines(*, shop: Shop, invoice: Invoice) -> QuerySet[InvoiceLine]:
    return InvoiceLine.objects.filter(shop=shop, invoice_id=invoice.pk).order_by("position")


def invoiced_total(*, shop: Shop, order: Order) -> Decimal:
    """The sum of all the order's invoices (debit positive, credit negative)."""
    total = Invoice.objects.filter(shop=shop, order_id=order.pk).aggregate(
        total=Sum("total_gross")
    )["total"]
    return Decimal(total or ZERO).quantize(Decimal("0.01"))


def amount_due(*, shop: Shop, invoice: Invoice) -> Decimal:
    """What the customer still has to pay on a debit invoice: its total minus the open credit
    invoices that refer to it (0 when paid or credited). For a credit invoice: what the shop
    still has to pay back (negative), 0 when refunded or settled."""
    if invoice.state != PaymentState.UNPAID:
        return ZERO
    if invoice.kind == InvoiceKind.CREDIT:
        return invoice.total_gross
    credits = Invoice.objects.filter(
        shop=shop, corrects_id=invoice.pk, kind=InvoiceKind.CREDIT, state=PaymentState.UNPAID
    ).aggregate(total=Sum("total_gross"))["total"]
    return max(invoice.total_gross + Decimal(credits or ZERO), ZERO)


def order_is_paid(*, shop: Shop, order: Order) -> bool:
    """Paid: the order has invoices, every debit invoice is paid (or credited) and every credit
    invoice is settled (refunded or set off against a debit invoice). A partial payment leaves
    the invoice unpaid, so the order is not paid."""
    states = list(
        Invoice.objects.filter(shop=shop, order_id=order.pk).values_list("kind", "state")
    )
    if not states:
        return False
    for kind, state in states:
        settled = SETTLED_CREDIT if kind == InvoiceKind.CREDIT else SETTLED_DEBIT
        if state not in settled:
            return False
    return True

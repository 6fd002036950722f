"""Reading invoices (always scoped by shop)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from kantoor.core.money import ZERO
from kantoor.core.statuses import OrderStatus
from kantoor.invoices.documents.document import (
    DocumentLine,
    InvoiceDocument,
    Party,
    PaymentMeans,
    totals_for,
    vat_breakdown_for,
    vat_category,
)
from kantoor.invoices.models import Invoice, InvoiceKind, InvoiceLine, PaymentState
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


def _owed(*, shop: Shop, order: Order) -> Decimal:
    """What the order comes to now: its total as the database has it (the caller's object may be
    from before an edit), or nothing once it is cancelled."""
    row = Order.objects.filter(shop=shop, pk=order.pk).values_list("total_gross", "status").first()
    if row is None:
        return ZERO
    total, status = row
    return ZERO if status == OrderStatus.CANCELLED else total


def order_is_paid(*, shop: Shop, order: Order) -> bool:
    """Paid: the order has invoices, every one is settled (a debit invoice paid or credited, a
    credit invoice refunded or set off against a debit invoice), and together they cover the
    order's current total (an edit that raised the total leaves it unpaid until the difference
    is invoiced and paid). A partial payment leaves the invoice unpaid, so the order is not paid.
    ``kantoor.invoices.order_list.order_paid_condition`` is the same rule in SQL."""
    rows = list(
        Invoice.objects.filter(shop=shop, order_id=order.pk).values_list(
            "kind", "state", "total_gross", "for_returned_goods"
        )
    )
    if not rows:
        return False
    for kind, state, _total, _returned in rows:
        settled = SETTLED_CREDIT if kind == InvoiceKind.CREDIT else SETTLED_DEBIT
        if state not in settled:
            return False
    invoiced = sum((total for _k, _s, total, returned in rows if not returned), ZERO)
    return invoiced >= _owed(shop=shop, order=order)


def order_amount_due(*, shop: Shop, order: Order) -> Decimal:
    """What the customer still owes on the order as it is now: its total (nothing once
    cancelled), less what was credited for returned goods, minus the money that came in on its
    invoices (payments, part payments, minus what was paid back). Negative: the shop owes the
    customer that much."""
    figures = Invoice.objects.filter(shop=shop, order_id=order.pk).aggregate(
        received=Sum("amount_paid"),
        returned=Sum("total_gross", filter=Q(for_returned_goods=True)),
    )
    owed = _owed(shop=shop, order=order) + Decimal(figures["returned"] or ZERO)
    return (owed - Decimal(figures["received"] or ZERO)).quantize(Decimal("0.01"))


def part_payments_received(*, shop: Shop, order: Order) -> Decimal:
    """What came in on the order's debit invoices that are not paid in full yet (part
    payments); 0 when there are none."""
    total = Invoice.objects.filter(
        shop=shop, order_id=order.pk, kind=InvoiceKind.DEBIT, state=PaymentState.UNPAID
    ).aggregate(total=Sum("amount_paid"))["total"]
    return Decimal(total or ZERO)


PAYMENT_TERM_DAYS = 14


def invoice_document(*, invoice: Invoice) -> InvoiceDocument:
    """The issued invoice as the pure snapshot the PDF and UBL writers render.

    Everything comes from the invoice itself (its copies of the parties, lines and VAT per
    rate), never from the order or the shop as they are now, so the document is the same every
    time. Amounts are signed as the invoice states them (negative on a credit invoice).
    """
    supplier = Party(
        name=invoice.supplier_name,
        legal_name=invoice.supplier_name,
        street=invoice.supplier_street,
        postcode=invoice.supplier_postcode,
        city=invoice.supplier_city,
        country_code=invoice.supplier_country or "NL",
        vat_number=invoice.supplier_vat_number,
        kvk_number=invoice.supplier_kvk_number,
        iban=invoice.supplier_iban,
        email=invoice.supplier_email,
    )
    company = invoice.customer_company
    customer = Party(
        name=company or invoice.customer_name,
        street=invoice.customer_street,
        postcode=invoice.customer_postcode,
        city=invoice.customer_city,
        country_code=invoice.customer_country or "NL",
        vat_number=invoice.customer_vat_number,
        email=invoice.customer_email,
        contact_name=(invoice.customer_contact or invoice.customer_name) if company else "",
    )
    lines = tuple(
        DocumentLine(
            position=line.position,
            description=line.description,
            quantity=Decimal(line.quantity),
            line_net=line.total_net,
            vat_rate=line.vat_rate,
            # K on every line of a reverse-charged invoice (EU B2B), G for 0 % outside the EU.
            vat_category=vat_category(
                vat_rate=line.vat_rate,
                reverse_charged=invoice.vat_reverse_charged,
                customer_country=invoice.customer_country,
            ),
            sku=line.sku,
            unit_price=None if invoice.prices_include_vat else line.unit_price,
        )
        for line in invoice.lines.all()
    )
    tax_by_rate = {Decimal(row["rate"]): Decimal(row["vat"]) for row in invoice.vat_breakdown}
    breakdown = vat_breakdown_for(lines, tax_by_rate=tax_by_rate)
    corrects = invoice.corrects if invoice.corrects_id else None
    is_debit = invoice.kind == InvoiceKind.DEBIT
    return InvoiceDocument(
        kind=invoice.kind,
        number=invoice.number,
        issue_date=invoice.issued_on,
        # An intra-community supply states when it was supplied (BR-IC-11); the invoice date
        # (the supply's tax point) when no delivery date was recorded.
        delivery_date=invoice.delivery_date
        or (invoice.issued_on if invoice.vat_reverse_charged else None),
        due_date=invoice.issued_on + timedelta(days=PAYMENT_TERM_DAYS) if is_debit else None,
        supplier=supplier,
        customer=customer,
        lines=lines,
        vat_breakdown=breakdown,
        totals=totals_for(breakdown),
        currency=invoice.currency,
        language=invoice.language if invoice.language in ("nl", "en") else "nl",
        buyer_reference=invoice.order_number,
        order_number=invoice.order_number,
        corrects_number=corrects.number if corrects else "",
        corrects_issue_date=corrects.issued_on if corrects else None,
        payment=PaymentMeans(
            iban=invoice.supplier_iban,
            reference=invoice.number,
            account_name=invoice.supplier_name,
        )
        if is_debit and invoice.supplier_iban
        else None,
        settlement="" if invoice.state == PaymentState.UNPAID else invoice.state,
        paid_on=invoice.paid_on if invoice.state != PaymentState.UNPAID else None,
    )

"""Issuing invoices: the order's debit invoice (``issue_debit_invoice``; place_order issues it in
its own transaction, so an order never exists without one), its bulk path
(``write_order_invoices``), and what every issued invoice shares: its lines, parties, number and
event (``issue_invoice``). An issued invoice never changes.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kantoor.core.actors import Actor
from kantoor.core.money import (
    CENT,
    PriceLine,
    Totals,
    VatBreakdown,
    compute_totals,
    format_money,
)
from kantoor.invoices import hooks
from kantoor.invoices.errors import InvoiceError
from kantoor.invoices.models import Invoice, InvoiceKind, InvoiceLine, PaidNote, PaymentState
from kantoor.numbering.models import DocumentKind
from kantoor.numbering.services import allocate_numbers
from kantoor.orders import events
from kantoor.orders.models import Order, OrderEvent, OrderLine
from kantoor.shops.models import Shop
from kantoor.shops.selectors import workflow_settings_for


@dataclass(frozen=True)
class ProposedLine:
    """One line of an invoice to issue. ``quantity`` is negative for what is credited."""

    description: str
    quantity: int
    unit_price: Decimal
    vat_rate: Decimal
    sku: str = ""
    order_line_id: int | None = None
    is_shipping: bool = False

    @property
    def key(self) -> tuple:
        return ("shipping",) if self.is_shipping else ("line", self.order_line_id)


def rate_key(value) -> Decimal:
    return Decimal(value).quantize(CENT)


def order_price_lines(order: Order, order_lines: Sequence[OrderLine]) -> list[ProposedLine]:
    lines = [
        ProposedLine(
            description=line.name,
            sku=line.sku,
            quantity=line.quantity,
            unit_price=line.unit_price,
            vat_rate=line.vat_rate,
            order_line_id=line.pk,
        )
        for line in sorted(order_lines, key=lambda line: line.position)
    ]
    if order.shipping_cost:
        lines.append(_shipping_line(order, quantity=1, unit_price=order.shipping_cost))
    return lines


def _shipping_line(order: Order, *, quantity: int, unit_price: Decimal) -> ProposedLine:
    # Described in the invoice's language (the order's), whoever issues it: "Verzendkosten".
    with translation.override(order.language or None):
        description = _("Shipping")
    return ProposedLine(
        description=description,
        quantity=quantity,
        unit_price=unit_price,
        vat_rate=order.shipping_vat_rate,
        is_shipping=True,
    )


def totals_of(lines: Sequence[ProposedLine], *, prices_include_vat: bool) -> Totals:
    return compute_totals(
        [
            PriceLine(unit_price=ln.unit_price, quantity=ln.quantity, vat_rate=ln.vat_rate)
            for ln in lines
        ],
        prices_include_vat=prices_include_vat,
    )


def _party_fields(*, shop: Shop, order: Order) -> dict:
    return {
        "order_number": order.number,
        "currency": order.currency,
        "prices_include_vat": order.prices_include_vat,
        "vat_reverse_charged": order.vat_reverse_charged,
        "language": order.language,
        "supplier_name": shop.display_legal_name,
        "supplier_street": shop.street,
        "supplier_postcode": shop.postcode,
        "supplier_city": shop.city,
        "supplier_country": shop.country,
        "supplier_email": shop.email,
        "supplier_vat_number": shop.vat_number,
        "supplier_kvk_number": shop.kvk_number,
        "supplier_iban": shop.iban,
        "customer_name": order.billing_name,
        "customer_contact": order.customer_name,
        "customer_company": order.billing_company or order.company,
        "customer_street": order.billing_street,
        "customer_postcode": order.billing_postcode,
        "customer_city": order.billing_city,
        "customer_country": order.billing_country,
        "customer_vat_number": order.vat_number,
        "customer_email": order.email,
    }


def _breakdown_json(breakdown: Iterable[VatBreakdown]) -> list[dict]:
    return [{"rate": str(row.rate), "net": str(row.net), "vat": str(row.vat)} for row in breakdown]


def build_invoice(
    *,
    shop: Shop,
    order: Order,
    kind: str,
    number: str,
    lines: Sequence[ProposedLine],
    totals: Totals,
    at: datetime.datetime,
    corrects: Invoice | None = None,
) -> tuple[Invoice, list[InvoiceLine]]:
    """An invoice and its lines, unsaved (the bulk path of place_orders_in_bulk saves many)."""
    invoice = Invoice(
        shop_id=shop.pk,
        order=order,
        kind=kind,
        number=number,
        issued_on=timezone.localdate(at),
        corrects=corrects,
        total_net=totals.net,
        total_vat=totals.vat,
        total_gross=totals.gross,
        vat_breakdown=_breakdown_json(totals.vat_breakdown),
        created_at=at,
        **_party_fields(shop=shop, order=order),
    )
    invoice_lines = [
        InvoiceLine(
            shop_id=shop.pk,
            invoice=invoice,
            position=position,
            order_line_id=line.order_line_id,
            is_shipping=line.is_shipping,
            sku=line.sku,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            vat_rate=line.vat_rate,
            total_net=amounts.net,
            total_gross=amounts.gross,
        )
        for position, (line, amounts) in enumerate(zip(lines, totals.lines, strict=True), start=1)
    ]
    return invoice, invoice_lines


def invoice_event(*, invoice: Invoice, actor: Actor, at: datetime.datetime) -> OrderEvent:
    """The timeline entry of an issued invoice."""
    return events.invoice_issued(
        shop_id=invoice.shop_id,
        order_id=invoice.order_id,
        number=invoice.number,
        total=invoice.total_gross,
        credit=invoice.kind == InvoiceKind.CREDIT,
        corrects=invoice.corrects.number if invoice.corrects_id else "",
        actor=actor,
        at=at,
    )


def _series_for(*, shop: Shop, kind: str) -> DocumentKind:
    if kind == InvoiceKind.DEBIT:
        return DocumentKind.INVOICE
    if workflow_settings_for(shop=shop).credit_invoices_share_invoice_series:
        return DocumentKind.INVOICE
    return DocumentKind.CREDIT_INVOICE


def issue_invoice(
    *,
    shop: Shop,
    order: Order,
    kind: str,
    lines: Sequence[ProposedLine],
    totals: Totals,
    actor: Actor,
    at: datetime.datetime,
    corrects: Invoice | None = None,
    state: str = PaymentState.UNPAID,
    record_event: bool = True,
    for_returned_goods: bool = False,
) -> Invoice:
    number = allocate_numbers(
        shop=shop, kind=_series_for(shop=shop, kind=kind), on=timezone.localdate(at)
    )[0]
    invoice, invoice_lines = build_invoice(
        shop=shop,
        order=order,
        kind=kind,
        number=number,
        lines=lines,
        totals=totals,
        at=at,
        corrects=corrects,
    )
    invoice.state = state
    if kind == InvoiceKind.DEBIT and totals.gross == 0 and state == PaymentState.UNPAID:
        # Nothing to pay (a replacement sent at no charge): settled the moment it is issued.
        invoice.state = PaymentState.PAID
        invoice.paid_on = timezone.localdate(at)
        invoice.paid_note_code = PaidNote.NOTHING_TO_PAY
    invoice.for_returned_goods = for_returned_goods
    invoice.save(force_insert=True)
    InvoiceLine.objects.bulk_create(invoice_lines)
    if record_event:
        events.record(invoice_event(invoice=invoice, actor=actor, at=at))
    hooks.invoices_issued(shop=shop, invoices=[invoice])
    return invoice


def debit_invoice_lines(
    *, order: Order, order_lines: Sequence[OrderLine]
) -> tuple[list[ProposedLine], Totals]:
    """The lines and totals of the invoice of a whole order (its lines, then shipping)."""
    lines = order_price_lines(order, order_lines)
    totals = totals_of(lines, prices_include_vat=order.prices_include_vat)
    if totals.gross != order.total_gross:  # one totals function: this cannot differ
        raise InvoiceError(_("The order's total does not match its lines; reload the order."))
    return lines, totals


def issue_debit_invoice(
    *,
    order: Order,
    actor: Actor,
    new_order_lines: Sequence[OrderLine] | None = None,
    at: datetime.datetime | None = None,
    record_event: bool = True,
) -> Invoice:
    """Issue the invoice of a whole order: its lines, shipping and totals, the parties copied.

    For an order that has no invoice yet (place_order calls it in its own transaction, right
    after writing the order, and passes ``new_order_lines``: the lines it just wrote, so nothing
    is read back; and ``record_event=False``, because its "placed" event names the invoice).
    Changes later are invoiced with ``issue_correction``.
    """
    at = at or timezone.now()
    shop = order.shop
    # Inside place_order no savepoint is needed (an error there undoes the whole order).
    with transaction.atomic(savepoint=new_order_lines is None):
        if new_order_lines is None:
            if Invoice.objects.filter(order_id=order.pk).exists():
                raise InvoiceError(
                    _("This order already has its invoice; invoice a change as a correction.")
                )
            new_order_lines = list(OrderLine.objects.filter(order_id=order.pk))
        lines, totals = debit_invoice_lines(order=order, order_lines=new_order_lines)
        return issue_invoice(
            shop=shop,
            order=order,
            kind=InvoiceKind.DEBIT,
            lines=lines,
            totals=totals,
            actor=actor,
            at=at,
            record_event=record_event,
        )


def write_order_invoices(
    *, shop: Shop, orders: Sequence[tuple[Order, Sequence[OrderLine], str]]
) -> list[Invoice]:
    """Bulk path of place_orders_in_bulk: each order's invoice, as issue_debit_invoice makes it.

    ``orders`` are (saved order, its saved lines, the invoice number allocated for it); the
    invoice is dated the order's date. No events: the orders' placed events name the invoices.
    """
    invoices: list[Invoice] = []
    all_lines: list[InvoiceLine] = []
    for order, order_lines, number in orders:
        lines, totals = debit_invoice_lines(order=order, order_lines=order_lines)
        invoice, invoice_lines = build_invoice(
            shop=shop,
            order=order,
            kind=InvoiceKind.DEBIT,
            number=number,
            lines=lines,
            totals=totals,
            at=order.created_at,
        )
        invoices.append(invoice)
        all_lines.extend(invoice_lines)
    Invoice.objects.bulk_create(invoices, batch_size=500)
    InvoiceLine.objects.bulk_create(all_lines, batch_size=1000)
    hooks.invoices_issued(shop=shop, invoices=invoices)
    return invoices


def invoiced_lines(order_id: int, *, returned_goods: bool = True) -> list[InvoiceLine]:
    """Every line invoiced on the order; ``returned_goods=False`` leaves out the credits for
    returned goods (what was invoiced against the order itself)."""
    lines = InvoiceLine.objects.filter(invoice__order_id=order_id)
    if not returned_goods:
        lines = lines.filter(invoice__for_returned_goods=False)
    return list(lines.order_by("invoice_id", "position"))


def check_not_over_credited(
    *, invoiced: Sequence[InvoiceLine], lines: Sequence[ProposedLine]
) -> None:
    """No line may be credited beyond what was invoiced of it (at that price)."""
    invoiced_quantity: dict[tuple, int] = defaultdict(int)
    for line in invoiced:
        key = ("shipping",) if line.is_shipping else ("line", line.order_line_id)
        invoiced_quantity[(key, line.unit_price)] += line.quantity
    change: dict[tuple, int] = defaultdict(int)
    names: dict[tuple, str] = {}
    for line in lines:
        change[(line.key, line.unit_price)] += line.quantity
        names[(line.key, line.unit_price)] = line.description
    for key, quantity in change.items():
        if invoiced_quantity[key] + quantity < 0:
            raise InvoiceError(
                _(
                    "You cannot credit more than was invoiced: %(invoiced)d x %(name)s at "
                    "%(price)s was invoiced, %(credited)d x credited now."
                )
                % {
                    "name": names[key],
                    "price": format_money(key[1]),
                    "invoiced": invoiced_quantity[key],
                    "credited": -quantity,
                }
            )

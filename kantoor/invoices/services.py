"""Issuing invoices, correcting them and marking them paid (docs/invoices.md).

An issued invoice never changes. What a shop owner does instead:

- ``issue_debit_invoice``: the order's invoice; place_order issues it in its own transaction, so an
  order never exists without one.
- ``propose_correction`` / ``issue_correction``: after the order was edited, invoice the
  difference between the order as it is now and everything invoiced so far, line by line: a
  debit invoice when the customer owes more, a credit invoice (negative, referring to the invoice
  it corrects) when less.
- ``credit_invoice``: credit a whole invoice, or chosen lines of it.
- ``mark_invoice_paid``: record a payment by bank transfer (date and note).

Every function runs in one transaction (nested in the caller's, if any: an invoice is part of
the change that causes it) and records an event on the order's timeline.
"""

from __future__ import annotations

import copy
import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kantoor.core.actors import Actor
from kantoor.core.errors import KantoorError
from kantoor.core.money import (
    CENT,
    ZERO,
    LineAmounts,
    PriceLine,
    Totals,
    VatBreakdown,
    compute_totals,
    format_money,
    spread_cents,
    totals_with_shipping,
)
from kantoor.core.statuses import OrderStatus
from kantoor.invoices.models import Invoice, InvoiceKind, InvoiceLine, PaymentState
from kantoor.invoices.notifications import queue_invoice_message
from kantoor.messaging.models import Message
from kantoor.messaging.services import MessagingError
from kantoor.numbering.models import DocumentKind
from kantoor.numbering.services import allocate_numbers
from kantoor.orders import events
from kantoor.orders.locks import lock_order
from kantoor.orders.models import Order, OrderEvent, OrderLine
from kantoor.shops.models import Shop
from kantoor.shops.selectors import workflow_settings_for

MAX_PAYMENT_NOTE = 500
# How far a correction's VAT per rate may differ from its own lines' VAT so that the order's VAT
# as invoiced equals the order's VAT (one cent per earlier document at most; EN 16931 allows it).
MAX_VAT_SETTLEMENT = Decimal("0.10")


class InvoiceError(KantoorError):
    """A request about invoices the shop cannot honour; the message is for the shop owner."""

    code = "invoice_refused"


# --- What is (to be) invoiced -----------------------------------------------------------------


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


@dataclass(frozen=True)
class CorrectionProposal:
    """The difference between the order as it is now and everything invoiced so far.

    ``kind`` is "debit" (the customer owes more), "credit" (less) or "" (nothing to invoice);
    ``totals`` are the correction's totals; ``corrects`` is the invoice a credit refers to.
    """

    order: Order
    lines: tuple[ProposedLine, ...]
    totals: Totals
    kind: str
    corrects: Invoice | None
    order_total: Decimal
    invoiced_total: Decimal

    @property
    def is_needed(self) -> bool:
        return bool(self.kind)


def _rate(value) -> Decimal:
    return Decimal(value).quantize(CENT)


def _order_price_lines(order: Order, order_lines: Sequence[OrderLine]) -> list[ProposedLine]:
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


def _totals(lines: Sequence[ProposedLine], *, prices_include_vat: bool) -> Totals:
    return compute_totals(
        [
            PriceLine(unit_price=ln.unit_price, quantity=ln.quantity, vat_rate=ln.vat_rate)
            for ln in lines
        ],
        prices_include_vat=prices_include_vat,
    )


def _settled(
    totals: Totals,
    lines: Sequence[ProposedLine],
    *,
    target: dict[Decimal, tuple[Decimal, Decimal]],
    prices_include_vat: bool,
) -> Totals:
    """``totals`` with the VAT per rate of ``target`` (net, vat), when the lines agree with it.

    VAT is rounded per document; the sum of several documents' rounded VAT can differ from the
    VAT of their sum by a cent. A correction takes that cent along, so the order's invoices add up
    to exactly the order's total. The taxable amount always comes from the lines.
    """
    breakdown: list[VatBreakdown] = []
    line_net = [amounts.net for amounts in totals.lines]
    line_gross = [amounts.gross for amounts in totals.lines]
    for row in totals.vat_breakdown:
        want = target.get(_rate(row.rate))
        if want is None:
            breakdown.append(row)
            continue
        want_net, want_vat = want
        if prices_include_vat:
            consistent = want_net + want_vat == row.net + row.vat
        else:
            consistent = want_net == row.net
        if not consistent or abs(want_vat - row.vat) > MAX_VAT_SETTLEMENT:
            breakdown.append(row)
            continue
        if prices_include_vat and want_net != row.net:
            indexes = [i for i, ln in enumerate(lines) if _rate(ln.vat_rate) == _rate(row.rate)]
            shares = spread_cents(want_net, [line_gross[i] for i in indexes])
            for i, share in zip(indexes, shares, strict=True):
                line_net[i] = share
        elif not prices_include_vat and want_vat != row.vat:
            pass  # line nets stay; the line grosses are informative (VAT is per rate)
        breakdown.append(VatBreakdown(rate=row.rate, net=want_net, vat=want_vat))
    amounts = tuple(
        LineAmounts(net=net, vat=gross - net, gross=gross)
        for net, gross in zip(line_net, line_gross, strict=True)
    )
    net = sum((row.net for row in breakdown), ZERO)
    vat = sum((row.vat for row in breakdown), ZERO)
    return Totals(lines=amounts, vat_breakdown=tuple(breakdown), net=net, vat=vat, gross=net + vat)


# --- Writing an invoice -----------------------------------------------------------------------


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


def _issue(
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
    invoice.save(force_insert=True)
    InvoiceLine.objects.bulk_create(invoice_lines)
    if record_event:
        events.record(invoice_event(invoice=invoice, actor=actor, at=at))
    return invoice


# --- The order's invoice ----------------------------------------------------------------------


def debit_invoice_lines(
    *, order: Order, order_lines: Sequence[OrderLine]
) -> tuple[list[ProposedLine], Totals]:
    """The lines and totals of the invoice of a whole order (its lines, then shipping)."""
    lines = _order_price_lines(order, order_lines)
    totals = _totals(lines, prices_include_vat=order.prices_include_vat)
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
        return _issue(
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
    return invoices


# --- Corrections ------------------------------------------------------------------------------


def _invoiced_lines(order_id: int) -> list[InvoiceLine]:
    return list(
        InvoiceLine.objects.filter(invoice__order_id=order_id).order_by("invoice_id", "position")
    )


def _invoiced_breakdown(invoices: Iterable[Invoice]) -> dict[Decimal, tuple[Decimal, Decimal]]:
    sums: dict[Decimal, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for invoice in invoices:
        for row in invoice.vat_breakdown:
            rate = _rate(row["rate"])
            sums[rate][0] += Decimal(row["net"])
            sums[rate][1] += Decimal(row["vat"])
    return {rate: (net, vat) for rate, (net, vat) in sums.items()}


def _difference(
    *, order: Order, order_lines: Sequence[OrderLine], invoiced: Sequence[InvoiceLine]
) -> list[ProposedLine]:
    """Per order line (and shipping): what is invoiced at each unit price vs. the order now.

    What was invoiced at a price the line no longer has is credited; the quantity at the current
    price is brought to the order's quantity. A removed line is credited entirely.
    """
    # key -> unit price -> quantity invoiced so far; and a sample line for the description.
    so_far: dict[tuple, dict[Decimal, int]] = defaultdict(lambda: defaultdict(int))
    sample: dict[tuple, InvoiceLine] = {}
    for line in invoiced:
        key = ("shipping",) if line.is_shipping else ("line", line.order_line_id)
        so_far[key][line.unit_price] += line.quantity
        sample.setdefault(key, line)
    now = {line.key: line for line in _order_price_lines(order, order_lines)}
    proposal: list[ProposedLine] = []
    for key in [*now, *(k for k in so_far if k not in now)]:
        current = now.get(key)
        prices = so_far.get(key, {})
        for price, quantity in sorted(prices.items()):
            if quantity and (current is None or price != current.unit_price):
                old = sample[key]
                proposal.append(
                    ProposedLine(
                        description=old.description,
                        sku=old.sku,
                        quantity=-quantity,
                        unit_price=price,
                        vat_rate=old.vat_rate,
                        order_line_id=old.order_line_id,
                        is_shipping=old.is_shipping,
                    )
                )
        if current is not None:
            missing = current.quantity - prices.get(current.unit_price, 0)
            if missing:
                proposal.append(
                    ProposedLine(
                        description=current.description,
                        sku=current.sku,
                        quantity=missing,
                        unit_price=current.unit_price,
                        vat_rate=current.vat_rate,
                        order_line_id=current.order_line_id,
                        is_shipping=current.is_shipping,
                    )
                )
    return proposal


def _default_corrected(invoices: Sequence[Invoice]) -> Invoice | None:
    """The invoice a credit refers to by default: the latest unpaid debit invoice, else the
    latest debit invoice."""
    debits = [invoice for invoice in invoices if invoice.kind == InvoiceKind.DEBIT]
    unpaid = [invoice for invoice in debits if invoice.state == PaymentState.UNPAID]
    return (unpaid or debits or [None])[-1]


def _proposal(*, order: Order) -> CorrectionProposal:
    if order.status == OrderStatus.CANCELLED:
        # A cancelled order is worth nothing now: what is still invoiced is to be credited.
        order = copy.copy(order)
        order.shipping_cost = ZERO
        order.total_gross = ZERO
        order_lines = []
    else:
        order_lines = list(OrderLine.objects.filter(order_id=order.pk))
    invoices = list(Invoice.objects.filter(order_id=order.pk).order_by("id"))
    lines = _difference(order=order, order_lines=order_lines, invoiced=_invoiced_lines(order.pk))
    invoiced = _invoiced_breakdown(invoices)
    order_totals = totals_with_shipping(
        (
            PriceLine(unit_price=ln.unit_price, quantity=ln.quantity, vat_rate=ln.vat_rate)
            for ln in sorted(order_lines, key=lambda ln: ln.position)
        ),
        shipping_cost=order.shipping_cost,
        shipping_vat_rate=order.shipping_vat_rate,
        prices_include_vat=order.prices_include_vat,
    )
    target = {}
    for row in order_totals.vat_breakdown:
        net, vat = invoiced.pop(_rate(row.rate), (ZERO, ZERO))
        target[_rate(row.rate)] = (row.net - net, row.vat - vat)
    for rate, (net, vat) in invoiced.items():  # rates the order no longer has
        target[rate] = (-net, -vat)
    totals = _settled(
        _totals(lines, prices_include_vat=order.prices_include_vat),
        lines,
        target=target,
        prices_include_vat=order.prices_include_vat,
    )
    kind = ""
    if lines and totals.gross > 0:
        kind = InvoiceKind.DEBIT
    elif lines and totals.gross < 0:
        kind = InvoiceKind.CREDIT
    invoiced_total = sum((invoice.total_gross for invoice in invoices), ZERO)
    return CorrectionProposal(
        order=order,
        lines=tuple(lines),
        totals=totals,
        kind=kind,
        corrects=_default_corrected(invoices) if kind == InvoiceKind.CREDIT else None,
        order_total=order.total_gross,
        invoiced_total=invoiced_total,
    )


def propose_correction(*, shop: Shop, order: Order) -> CorrectionProposal:
    """What "New invoice" proposes: the order now minus everything invoiced so far, per line.

    For a cancelled order "now" is nothing: the proposal credits whatever is still invoiced.
    """
    order = Order.objects.get(shop=shop, pk=order.pk)
    return _proposal(order=order)


def _check_not_over_credited(
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


def _check_lines(lines: Sequence[ProposedLine]) -> None:
    if not lines:
        raise InvoiceError(_("There is nothing to invoice: add at least one line."))
    for line in lines:
        if not line.quantity:
            raise InvoiceError(_("A line of an invoice needs a quantity other than 0."))
        if Decimal(line.unit_price) < 0:
            raise InvoiceError(_("A unit price cannot be negative; credit the line instead."))
        if not (line.description or "").strip():
            raise InvoiceError(_("Every line needs a description."))


def _order_invoice(*, shop: Shop, order: Order, invoice_id: int | None) -> Invoice | None:
    if invoice_id is None:
        return None
    invoice = Invoice.objects.filter(shop=shop, order_id=order.pk, pk=invoice_id).first()
    if invoice is None:
        raise InvoiceError(_("Choose one of this order's invoices."))
    return invoice


def issue_correction(
    *,
    shop: Shop,
    order: Order,
    actor: Actor,
    lines: Sequence[ProposedLine] | None = None,
    corrects: Invoice | int | None = None,
) -> Invoice:
    """Issue a correction invoice of an order: a debit or credit invoice for ``lines``.

    ``lines`` None issues what ``propose_correction`` proposes (with the VAT settled so that the
    order's invoices add up to exactly the order total). The owner may change the proposal; then
    the lines are checked (no quantity 0, no negative price, never more credited than invoiced)
    and priced with the one totals function. A total of 0 is refused. A credit invoice refers to
    ``corrects`` (one of this order's invoices), by default the latest unpaid debit invoice.
    """
    at = timezone.now()
    with transaction.atomic():
        locked = lock_order(shop=shop, order_id=order.pk)
        locked.shop = shop
        corrected = _order_invoice(
            shop=shop,
            order=locked,
            invoice_id=corrects.pk if isinstance(corrects, Invoice) else corrects,
        )
        proposal = _proposal(order=locked)
        if lines is None or tuple(lines) == proposal.lines:
            lines, totals = list(proposal.lines), proposal.totals
        else:
            lines = list(lines)
            _check_lines(lines)
            totals = _totals(lines, prices_include_vat=locked.prices_include_vat)
        if not lines:
            raise InvoiceError(_("Everything on this order is invoiced; there is nothing to add."))
        _check_not_over_credited(invoiced=_invoiced_lines(locked.pk), lines=lines)
        if totals.gross == 0:
            raise InvoiceError(
                _("This invoice would come to %(total)s; an invoice needs an amount.")
                % {"total": format_money(ZERO, locked.currency)}
            )
        kind = InvoiceKind.DEBIT if totals.gross > 0 else InvoiceKind.CREDIT
        if kind == InvoiceKind.CREDIT:
            corrected = (
                corrected
                or proposal.corrects
                or _default_corrected(
                    list(Invoice.objects.filter(order_id=locked.pk).order_by("id"))
                )
            )
        return _issue(
            shop=shop,
            order=locked,
            kind=kind,
            lines=lines,
            totals=totals,
            actor=actor,
            at=at,
            corrects=corrected if kind == InvoiceKind.CREDIT else None,
        )


def credit_invoice(
    *, shop: Shop, invoice: Invoice | int, actor: Actor, line_ids: Sequence[int] | None = None
) -> Invoice:
    """Credit a whole debit invoice (``line_ids`` None) or chosen lines of it.

    What was credited before (by credit invoices referring to this one) is left out; crediting
    nothing, a credit invoice, or lines of another invoice is refused. A whole unpaid invoice
    credited at once is settled: both become "credited".
    """
    invoice_id = invoice.pk if isinstance(invoice, Invoice) else invoice
    at = timezone.now()
    with transaction.atomic():
        original = Invoice.objects.filter(shop=shop, pk=invoice_id).first()
        if original is None:
            raise InvoiceError(_("Choose one of this shop's invoices."))
        order = lock_order(shop=shop, order_id=original.order_id)
        order.shop = shop
        original = Invoice.objects.select_for_update().get(pk=original.pk)
        if original.kind != InvoiceKind.DEBIT:
            raise InvoiceError(_("A credit invoice cannot be credited; issue an invoice instead."))
        original_lines = list(original.lines.all())
        if line_ids is not None:
            wanted = set(line_ids)
            if not wanted:
                raise InvoiceError(_("Choose the lines to credit."))
            known = {line.pk for line in original_lines}
            if not wanted <= known:
                raise InvoiceError(
                    _("Choose lines of invoice %(number)s.") % {"number": original.number}
                )
            chosen = [line for line in original_lines if line.pk in wanted]
        else:
            chosen = original_lines
        # What is left to credit per line of the invoice (earlier credits referring to it).
        available: dict[tuple, int] = defaultdict(int)
        for line in original_lines:
            available[(line.order_line_id, line.is_shipping, line.unit_price)] += line.quantity
        earlier = InvoiceLine.objects.filter(
            invoice__corrects=original, invoice__kind=InvoiceKind.CREDIT
        )
        for line in earlier:
            available[(line.order_line_id, line.is_shipping, line.unit_price)] += line.quantity
        whole = line_ids is None and not earlier.exists()
        lines: list[ProposedLine] = []
        for line in chosen:
            key = (line.order_line_id, line.is_shipping, line.unit_price)
            # A whole invoice is mirrored line by line (a negative line of a correction too).
            take = line.quantity if whole else min(line.quantity, available[key])
            if take > 0 or (whole and take):
                available[key] -= take
                lines.append(
                    ProposedLine(
                        description=line.description,
                        sku=line.sku,
                        quantity=-take,
                        unit_price=line.unit_price,
                        vat_rate=line.vat_rate,
                        order_line_id=line.order_line_id,
                        is_shipping=line.is_shipping,
                    )
                )
        if not lines:
            raise InvoiceError(
                _("Invoice %(number)s is already credited in full.") % {"number": original.number}
            )
        _check_not_over_credited(invoiced=_invoiced_lines(order.pk), lines=lines)
        if whole:
            # The exact mirror of the invoice: every amount negated.
            totals = Totals(
                lines=tuple(
                    LineAmounts(
                        net=-ln.total_net, vat=ln.total_net - ln.total_gross, gross=-ln.total_gross
                    )
                    for ln in original_lines
                ),
                vat_breakdown=tuple(
                    VatBreakdown(
                        rate=_rate(row["rate"]), net=-Decimal(row["net"]), vat=-Decimal(row["vat"])
                    )
                    for row in original.vat_breakdown
                ),
                net=-original.total_net,
                vat=-original.total_vat,
                gross=-original.total_gross,
            )
        else:
            totals = _totals(lines, prices_include_vat=original.prices_include_vat)
        if totals.gross == 0:
            raise InvoiceError(
                _("These lines come to %(total)s; there is nothing to credit.")
                % {"total": format_money(ZERO, original.currency)}
            )
        settle = whole and original.state == PaymentState.UNPAID
        credit = _issue(
            shop=shop,
            order=order,
            kind=InvoiceKind.CREDIT,
            lines=lines,
            totals=totals,
            actor=actor,
            at=at,
            corrects=original,
            state=PaymentState.CREDITED if settle else PaymentState.UNPAID,
        )
        if settle:
            original.state = PaymentState.CREDITED
            original.save(update_fields=["state"])
        return credit


# --- Payments by hand -------------------------------------------------------------------------


def mark_invoice_paid(
    *,
    shop: Shop,
    invoice: Invoice | int,
    paid_on: datetime.date,
    note: str,
    actor: Actor,
) -> Invoice:
    """Record that an invoice was paid by bank transfer (debit) or paid back (credit).

    A debit invoice's open credit invoices (those referring to it) are settled with it: the
    amount paid is the invoice minus those credits. A credit invoice becomes "refunded".
    Refused for an invoice that is not unpaid, a date in the future, or a note that is too long.
    """
    invoice_id = invoice.pk if isinstance(invoice, Invoice) else invoice
    note = (note or "").strip()
    if len(note) > MAX_PAYMENT_NOTE:
        raise InvoiceError(
            _("A note can be at most %(max)d characters long.") % {"max": MAX_PAYMENT_NOTE}
        )
    if paid_on is None:
        raise InvoiceError(_("Enter the date the payment was received."))
    if paid_on > timezone.localdate():
        raise InvoiceError(_("The payment date cannot be in the future."))
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().filter(shop=shop, pk=invoice_id).first()
        if locked is None:
            raise InvoiceError(_("Choose one of this shop's invoices."))
        if locked.state != PaymentState.UNPAID:
            raise InvoiceError(
                _("Invoice %(number)s is already %(state)s.")
                % {"number": locked.number, "state": locked.get_state_display().lower()}
            )
        if paid_on < locked.issued_on:
            raise InvoiceError(_("The payment date cannot be before the invoice date."))
        settled: list[Invoice] = []
        if locked.kind == InvoiceKind.DEBIT:
            settled = list(
                Invoice.objects.select_for_update().filter(
                    corrects=locked, kind=InvoiceKind.CREDIT, state=PaymentState.UNPAID
                )
            )
            amount = locked.total_gross + sum((c.total_gross for c in settled), ZERO)
            locked.state = PaymentState.PAID if amount > 0 else PaymentState.CREDITED
        else:
            amount = locked.total_gross
            locked.state = PaymentState.REFUNDED
        locked.paid_on = paid_on
        locked.paid_note = note
        locked.amount_paid = max(amount, ZERO) if locked.kind == InvoiceKind.DEBIT else amount
        locked.save(update_fields=["state", "paid_on", "paid_note", "amount_paid"])
        for credit in settled:
            credit.state = PaymentState.CREDITED
            credit.paid_on = paid_on
            credit.save(update_fields=["state", "paid_on"])
        events.record(
            events.invoice_paid(
                shop_id=shop.pk,
                order_id=locked.order_id,
                number=locked.number,
                paid_on=paid_on,
                amount=locked.amount_paid,
                note=note,
                settled=[credit.number for credit in settled],
                actor=actor,
                at=timezone.now(),
            )
        )
    return locked


# --- Sending ----------------------------------------------------------------------------------


def email_invoice(*, shop: Shop, invoice_id: int, actor: Actor) -> Message:
    """E-mail an invoice (PDF attached; the payment link while unpaid) to the customer again,
    recorded on the order's timeline ("Invoice e-mailed")."""
    with transaction.atomic():
        invoice = Invoice.objects.select_related("order").filter(shop=shop, pk=invoice_id).first()
        if invoice is None:
            raise MessagingError(_("Choose one of this shop's invoices."))
        message = queue_invoice_message(invoice=invoice)
        events.record(
            events.invoice_sent(
                shop_id=shop.pk,
                order_id=invoice.order_id,
                number=invoice.number,
                to=message.to,
                actor=actor,
                at=message.created_at,
            )
        )
    return message

"""Corrections: after an order was edited, invoice the difference between the order as it is
now and everything invoiced so far, line by line (``propose_correction``, ``issue_correction``):
a debit invoice when the customer owes more, a credit invoice when less."""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kantoor.core.actors import Actor
from kantoor.core.money import (
    ZERO,
    LineAmounts,
    PriceLine,
    Totals,
    VatBreakdown,
    format_money,
    spread_cents,
    totals_with_shipping,
)
from kantoor.core.statuses import OrderStatus
from kantoor.invoices.errors import InvoiceError
from kantoor.invoices.models import Invoice, InvoiceKind, InvoiceLine, PaymentState
from kantoor.invoices.services.issuing import (
    ProposedLine,
    check_not_over_credited,
    invoiced_lines,
    issue_invoice,
    order_price_lines,
    rate_key,
    totals_of,
)
from kantoor.orders.locks import lock_order
from kantoor.orders.models import Order, OrderLine
from kantoor.shops.models import Shop

MAX_VAT_SETTLEMENT = Decimal("0.10")


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
        want = target.get(rate_key(row.rate))
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
            indexes = [
                i for i, ln in enumerate(lines) if rate_key(ln.vat_rate) == rate_key(row.rate)
            ]
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


def _invoiced_breakdown(invoices: Iterable[Invoice]) -> dict[Decimal, tuple[Decimal, Decimal]]:
    sums: dict[Decimal, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for invoice in invoices:
        for row in invoice.vat_breakdown:
            rate = rate_key(row["rate"])
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
    now = {line.key: line for line in order_price_lines(order, order_lines)}
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
    lines = _difference(order=order, order_lines=order_lines, invoiced=invoiced_lines(order.pk))
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
        net, vat = invoiced.pop(rate_key(row.rate), (ZERO, ZERO))
        target[rate_key(row.rate)] = (row.net - net, row.vat - vat)
    for rate, (net, vat) in invoiced.items():  # rates the order no longer has
        target[rate] = (-net, -vat)
    totals = _settled(
        totals_of(lines, prices_include_vat=order.prices_include_vat),
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
            totals = totals_of(lines, prices_include_vat=locked.prices_include_vat)
        if not lines:
            raise InvoiceError(_("Everything on this order is invoiced; there is nothing to add."))
        check_not_over_credited(invoiced=invoiced_lines(locked.pk), lines=lines)
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
        return issue_invoice(
            shop=shop,
            order=locked,
            kind=kind,
            lines=lines,
            totals=totals,
            actor=actor,
            at=at,
            corrects=corrected if kind == InvoiceKind.CREDIT else None,
        )

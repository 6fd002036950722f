"""Corrections: after an order was edited, invoice the difference between the order as it is
now and everything invoiced so far, line by line (``propose_correction``, ``issue_corrections``):
a debit invoice when the customer owes more, a credit invoice when less.

A credit invoice names the invoice whose lines it corrects. Each credited quantity is taken from
an invoice that invoiced that order line at that price (the owner's choice first, then the
latest unpaid invoice, then the latest), so a correction that credits lines of two invoices is
issued as two credit invoices, each referring to its own; a charge in the same correction goes
with the credit of its order line, or on a debit invoice of its own when the line is new."""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
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
class CorrectionPart:
    """One invoice of a correction: its kind, the invoice it corrects (a credit's), its lines."""

    kind: str
    corrects: Invoice | None
    lines: tuple[ProposedLine, ...]
    totals: Totals


@dataclass(frozen=True)
class CorrectionProposal:
    """The difference between the order as it is now and everything invoiced so far.

    ``kind`` is "debit" (the customer owes more), "credit" (less) or "" (nothing to invoice);
    ``totals`` are the correction's totals; ``corrects`` is the invoice the (first) credit
    refers to. ``parts`` are the invoices it is issued as: one, or for a credit of lines of
    several invoices one credit invoice per corrected invoice (and a debit invoice for what is
    newly charged with it).
    """

    order: Order
    lines: tuple[ProposedLine, ...]
    totals: Totals
    kind: str
    corrects: Invoice | None
    order_total: Decimal
    invoiced_total: Decimal
    parts: tuple[CorrectionPart, ...] = ()

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


def _credit_order(invoices: Sequence[Invoice], prefer: Invoice | None) -> list[Invoice]:
    """The debit invoices a credited quantity is taken from, in this order: the owner's choice,
    the unpaid ones (latest first), then the others (latest first)."""
    debits = [invoice for invoice in reversed(invoices) if invoice.kind == InvoiceKind.DEBIT]
    debits.sort(key=lambda invoice: invoice.state != PaymentState.UNPAID)
    if prefer is not None and prefer.kind == InvoiceKind.DEBIT:
        debits = [prefer, *(invoice for invoice in debits if invoice.pk != prefer.pk)]
    return debits


def _line_key(line: InvoiceLine) -> tuple:
    return ("shipping",) if line.is_shipping else ("line", line.order_line_id)


def _creditable(
    invoices: Sequence[Invoice], invoiced: Sequence[InvoiceLine]
) -> dict[tuple[int, tuple, Decimal], int]:
    """Per (debit invoice, order line, unit price): the quantity still to be credited from it.

    What a debit invoice invoiced, plus what the invoices referring to it changed (a credit's
    lines). A negative line that refers to no invoice (a debit correction that took something
    off) is taken from the latest invoices that have it.
    """
    kinds = {invoice.pk: invoice.kind for invoice in invoices}
    refers = {invoice.pk: invoice.corrects_id for invoice in invoices}
    left: dict[tuple[int, tuple, Decimal], int] = defaultdict(int)
    loose: dict[tuple, int] = defaultdict(int)
    for line in invoiced:
        key, price = _line_key(line), line.unit_price
        if kinds.get(line.invoice_id) == InvoiceKind.DEBIT and line.quantity > 0:
            left[(line.invoice_id, key, price)] += line.quantity
        elif kinds.get(refers.get(line.invoice_id)) == InvoiceKind.DEBIT:
            left[(refers[line.invoice_id], key, price)] += line.quantity
        elif line.quantity < 0:
            loose[(key, price)] += line.quantity
    latest_first = [invoice.pk for invoice in reversed(invoices)]
    for (key, price), quantity in loose.items():
        for invoice_id in latest_first:
            have = left.get((invoice_id, key, price), 0)
            take = min(have, -quantity)
            if take > 0:
                left[(invoice_id, key, price)] -= take
                quantity += take
    return left


def _split_credit(
    lines: Sequence[ProposedLine],
    *,
    invoices: Sequence[Invoice],
    invoiced: Sequence[InvoiceLine],
    prefer: Invoice | None,
) -> list[tuple[Invoice | None, list[ProposedLine]]]:
    """The lines of a credit, grouped by the invoice each credited quantity comes from.

    A charge (a positive line, e.g. the new price of a line whose old price is credited) goes
    with the credit of the same order line; a charge of a line no invoice has yet gets a group
    of its own (None: a debit invoice).
    """
    left = _creditable(invoices, invoiced)
    order = _credit_order(invoices, prefer)
    groups: dict[int | None, list[ProposedLine]] = {}
    credited: dict[tuple, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for line in lines:
        if line.quantity >= 0:
            continue
        need = -line.quantity
        for invoice in order:
            have = left.get((invoice.pk, line.key, line.unit_price), 0)
            take = min(have, need)
            if take <= 0:
                continue
            left[(invoice.pk, line.key, line.unit_price)] -= take
            need -= take
            groups.setdefault(invoice.pk, []).append(replace(line, quantity=-take))
            credited[line.key][invoice.pk] += take
            if not need:
                break
        if need:
            raise InvoiceError(
                _("You cannot credit more than was invoiced of %(name)s at %(price)s.")
                % {"name": line.description, "price": format_money(line.unit_price)}
            )
    for line in lines:
        if line.quantity < 0:
            continue
        by_invoice = credited.get(line.key)
        target = max(by_invoice, key=by_invoice.get) if by_invoice else None
        groups.setdefault(target, []).append(line)
    by_id = {invoice.pk: invoice for invoice in invoices}
    ranked = [invoice.pk for invoice in order]
    keys = sorted(groups, key=lambda pk: ranked.index(pk) if pk is not None else len(ranked))
    return [(by_id.get(pk) if pk is not None else None, groups[pk]) for pk in keys]


def _parts(
    groups: Sequence[tuple[Invoice | None, Sequence[ProposedLine]]],
    *,
    prices_include_vat: bool,
    target: dict[Decimal, tuple[Decimal, Decimal]] | None,
) -> tuple[CorrectionPart, ...]:
    """Each group as an invoice: its totals (for a proposal: the VAT per rate settled on the last
    group that has the rate, so all of them together come to ``target``) and its kind."""
    totals = [totals_of(lines, prices_include_vat=prices_include_vat) for _i, lines in groups]
    if target is not None:
        last_with: dict[Decimal, int] = {}
        for index, part in enumerate(totals):
            for row in part.vat_breakdown:
                last_with[rate_key(row.rate)] = index
        for index, (_invoice, lines) in enumerate(groups):
            mine = {}
            for rate, (net, vat) in target.items():
                if last_with.get(rate) != index:
                    continue
                for other, part in enumerate(totals):
                    if other == index:
                        continue
                    for row in part.vat_breakdown:
                        if rate_key(row.rate) == rate:
                            net, vat = net - row.net, vat - row.vat
                mine[rate] = (net, vat)
            totals[index] = _settled(
                totals[index], lines, target=mine, prices_include_vat=prices_include_vat
            )
    parts = []
    for (invoice, lines), part in zip(groups, totals, strict=True):
        credit = part.gross < 0 or (part.gross == 0 and invoice is not None)
        parts.append(
            CorrectionPart(
                kind=InvoiceKind.CREDIT if credit else InvoiceKind.DEBIT,
                corrects=invoice if credit else None,
                lines=tuple(lines),
                totals=part,
            )
        )
    return tuple(parts)


def _proposal(*, order: Order, prefer: Invoice | None = None) -> CorrectionProposal:
    if order.status == OrderStatus.CANCELLED:
        # A cancelled order is worth nothing now: what is still invoiced is to be credited.
        order = copy.copy(order)
        order.shipping_cost = ZERO
        order.total_gross = ZERO
        order_lines = []
    else:
        order_lines = list(OrderLine.objects.filter(order_id=order.pk))
    # What was invoiced against the order itself: credits for returned goods are no correction.
    invoices = list(
        Invoice.objects.filter(order_id=order.pk, for_returned_goods=False).order_by("id")
    )
    invoiced_so_far = invoiced_lines(order.pk, returned_goods=False)
    lines = _difference(order=order, order_lines=order_lines, invoiced=invoiced_so_far)
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
    parts: tuple[CorrectionPart, ...] = ()
    if kind == InvoiceKind.DEBIT:
        parts = (CorrectionPart(kind=kind, corrects=None, lines=tuple(lines), totals=totals),)
    elif kind == InvoiceKind.CREDIT:
        groups = _split_credit(lines, invoices=invoices, invoiced=invoiced_so_far, prefer=prefer)
        if len(groups) == 1:
            [(corrected, _lines)] = groups
            parts = (
                CorrectionPart(kind=kind, corrects=corrected, lines=tuple(lines), totals=totals),
            )
        else:
            parts = _parts(groups, prices_include_vat=order.prices_include_vat, target=target)
    credits = [part.corrects for part in parts if part.kind == InvoiceKind.CREDIT]
    return CorrectionProposal(
        order=order,
        lines=tuple(lines),
        totals=totals,
        kind=kind,
        corrects=credits[0] if credits else None,
        order_total=order.total_gross,
        invoiced_total=invoiced_total,
        parts=parts,
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


def issue_corrections(
    *,
    shop: Shop,
    order: Order,
    actor: Actor,
    lines: Sequence[ProposedLine] | None = None,
    corrects: Invoice | int | None = None,
    for_returned_goods: bool = False,
) -> list[Invoice]:
    """Issue the correction of an order: a debit or credit invoice for ``lines``, or one credit
    invoice per corrected invoice when it credits lines of several (see the module docstring).

    ``lines`` None issues what ``propose_correction`` proposes (with the VAT settled so that the
    order's invoices add up to exactly the order total). The owner may change the proposal; then
    the lines are checked (no quantity 0, no negative price, never more credited than invoiced)
    and priced with the one totals function. A total of 0 is refused. ``corrects`` (one of this
    order's invoices) is the invoice credited quantities are taken from first, where it has
    them. ``for_returned_goods``: credits for goods sent back (a return's refund), which lower
    what is owed instead of correcting the order. Returns the invoices issued, credits first.
    """
    at = timezone.now()
    with transaction.atomic():
        locked = lock_order(shop=shop, order_id=order.pk)
        locked.shop = shop
        preferred = _order_invoice(
            shop=shop,
            order=locked,
            invoice_id=corrects.pk if isinstance(corrects, Invoice) else corrects,
        )
        proposal = _proposal(order=locked, prefer=preferred)
        if lines is None or tuple(lines) == proposal.lines:
            lines, totals, parts = list(proposal.lines), proposal.totals, proposal.parts
        else:
            lines = list(lines)
            _check_lines(lines)
            totals = totals_of(lines, prices_include_vat=locked.prices_include_vat)
            parts = None
        if not lines:
            raise InvoiceError(_("Everything on this order is invoiced; there is nothing to add."))
        invoiced = invoiced_lines(locked.pk)
        check_not_over_credited(invoiced=invoiced, lines=lines)
        if totals.gross == 0:
            raise InvoiceError(
                _("This invoice would come to %(total)s; an invoice needs an amount.")
                % {"total": format_money(ZERO, locked.currency)}
            )
        if parts is None:
            kind = InvoiceKind.DEBIT if totals.gross > 0 else InvoiceKind.CREDIT
            if kind == InvoiceKind.DEBIT:
                parts = (
                    CorrectionPart(kind=kind, corrects=None, lines=tuple(lines), totals=totals),
                )
            else:
                invoices = list(Invoice.objects.filter(order_id=locked.pk).order_by("id"))
                groups = _split_credit(
                    lines, invoices=invoices, invoiced=invoiced, prefer=preferred
                )
                parts = _parts(groups, prices_include_vat=locked.prices_include_vat, target=None)
        return [
            issue_invoice(
                shop=shop,
                order=locked,
                kind=part.kind,
                lines=part.lines,
                totals=part.totals,
                actor=actor,
                at=at,
                corrects=part.corrects,
                for_returned_goods=for_returned_goods,
            )
            for part in parts
        ]


def issue_correction(
    *,
    shop: Shop,
    order: Order,
    actor: Actor,
    lines: Sequence[ProposedLine] | None = None,
    corrects: Invoice | int | None = None,
) -> Invoice:
    """``issue_corrections``, returning the first invoice issued (the only one, unless a credit
    corrects lines of several invoices)."""
    return issue_corrections(shop=shop, order=order, actor=actor, lines=lines, corrects=corrects)[0]

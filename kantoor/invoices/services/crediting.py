"""Crediting an invoice: the whole invoice or chosen lines of it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kantoor.core.actors import Actor
from kantoor.core.money import (
    ZERO,
    LineAmounts,
    Totals,
    VatBreakdown,
    format_money,
)
from kantoor.invoices.errors import InvoiceError
from kantoor.invoices.models import Invoice, InvoiceKind, InvoiceLine, PaymentState
from kantoor.invoices.services.issuing import (
    ProposedLine,
    check_not_over_credited,
    invoiced_lines,
    issue_invoice,
    rate_key,
    totals_of,
)
from kantoor.orders.locks import lock_order
from kantoor.shops.models import Shop


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
        check_not_over_credited(invoiced=invoiced_lines(order.pk), lines=lines)
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
                        rate=rate_key(row["rate"]),
                        net=-Decimal(row["net"]),
                        vat=-Decimal(row["vat"]),
                    )
                    for row in original.vat_breakdown
                ),
                net=-original.total_net,
                vat=-original.total_vat,
                gross=-original.total_gross,
            )
        else:
            totals = totals_of(lines, prices_include_vat=original.prices_include_vat)
        if totals.gross == 0:
            raise InvoiceError(
                _("These lines come to %(total)s; there is nothing to credit.")
                % {"total": format_money(ZERO, original.currency)}
            )
        settle = whole and original.state == PaymentState.UNPAID
        credit = issue_invoice(
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

"""A credit invoice names the invoice whose lines it corrects (issue 10: a credit of lines of
INV…0294 said "relates to INV…0295"). A correction that credits lines of several invoices is
issued as one credit invoice per corrected invoice, each referring to its own."""

from decimal import Decimal

import pytest

from kantoor.core.actors import Actor
from kantoor.invoices.models import Invoice, InvoiceKind
from kantoor.invoices.selectors import invoiced_total
from kantoor.invoices.services import issue_correction, issue_corrections, propose_correction
from kantoor.orders.services import LineEdit
from tests.invoices.helpers import edit, line_edits


@pytest.fixture
def staff(owner):
    return Actor.staff(owner)


@pytest.fixture
def order(shop, products, make_order):
    # INV…0001: 2 x Fietsbel, 1 x Fietsrouteboek, shipping
    return make_order(shop, products[:2], quantities=[2, 1])


def _add_gift_card(order, staff, products):
    """Add a gift card to the order and invoice it: INV…0002 (unpaid, the latest)."""
    order.refresh_from_db()
    edit(
        order,
        staff,
        lines=[
            *line_edits(order),
            LineEdit(quantity=1, unit_price=None, product_id=products[2].pk),
        ],
    )
    return issue_correction(shop=order.shop, order=order, actor=staff)


def test_a_credit_refers_to_the_invoice_that_invoiced_its_lines(shop, products, order, staff):
    first = Invoice.objects.get(order=order)
    second = _add_gift_card(order, staff, products)
    assert second.kind == InvoiceKind.DEBIT
    # The route book was invoiced on the first invoice, not on the latest (unpaid) one.
    edit(order, staff, lines=line_edits(order, BOEK_01=None))
    proposal = propose_correction(shop=shop, order=order)
    assert proposal.kind == InvoiceKind.CREDIT
    assert proposal.corrects == first
    credit = issue_correction(shop=shop, order=order, actor=staff)
    assert credit.corrects == first


def test_crediting_lines_of_two_invoices_issues_a_credit_invoice_per_invoice(
    shop, products, order, staff
):
    first = Invoice.objects.get(order=order)
    second = _add_gift_card(order, staff, products)
    edit(order, staff, lines=line_edits(order, BOEK_01=None, BON_25=None))
    proposal = propose_correction(shop=shop, order=order)
    assert [(part.kind, part.corrects) for part in proposal.parts] == [
        (InvoiceKind.CREDIT, second),
        (InvoiceKind.CREDIT, first),
    ]
    credits = issue_corrections(shop=shop, order=order, actor=staff)
    assert {credit.corrects_id: [ln.sku for ln in credit.lines.all()] for credit in credits} == {
        first.pk: ["BOEK-01"],
        second.pk: ["BON-25"],
    }
    order.refresh_from_db()
    assert invoiced_total(shop=shop, order=order) == order.total_gross
    assert not propose_correction(shop=shop, order=order).is_needed


def test_the_chosen_invoice_is_credited_first_but_never_for_lines_it_did_not_have(
    shop, products, order, staff
):
    first = Invoice.objects.get(order=order)
    second = _add_gift_card(order, staff, products)
    edit(order, staff, lines=line_edits(order, BOEK_01=None))
    # The owner picks the second invoice; the route book was not on it.
    credits = issue_corrections(shop=shop, order=order, actor=staff, corrects=second.pk)
    assert [credit.corrects for credit in credits] == [first]


def test_a_quantity_invoiced_on_two_invoices_is_credited_from_both(shop, products, order, staff):
    first = Invoice.objects.get(order=order)
    edit(order, staff, lines=line_edits(order, BEL_01=(5, Decimal("12.99"))))
    second = issue_correction(shop=shop, order=order, actor=staff)  # 3 more bells
    edit(order, staff, lines=line_edits(order, BEL_01=(1, Decimal("12.99"))))
    credits = issue_corrections(shop=shop, order=order, actor=staff)
    credited = {
        credit.corrects_id: sum(ln.quantity for ln in credit.lines.all()) for credit in credits
    }
    assert credited == {second.pk: -3, first.pk: -1}
    order.refresh_from_db()
    assert invoiced_total(shop=shop, order=order) == order.total_gross

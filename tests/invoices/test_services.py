"""Invoices as the shop owner meets them: issued with the order, corrected, credited, paid."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from kantoor.core.actors import Actor
from kantoor.core.money import PriceLine, compute_totals
from kantoor.invoices.models import Invoice, InvoiceKind, PaymentState
from kantoor.invoices.selectors import (
    amount_due,
    invoiced_total,
    invoices_for_order,
    order_is_paid,
)
from kantoor.invoices.services import (
    InvoiceError,
    ProposedLine,
    credit_invoice,
    issue_correction,
    issue_debit_invoice,
    mark_invoice_paid,
    propose_correction,
)
from kantoor.orders.events import OrderEventKind
from kantoor.orders.models import OrderEvent
from kantoor.orders.services import LineEdit
from kantoor.shops.models import WorkflowSettings
from tests.invoices.helpers import edit, line_edits


@pytest.fixture
def staff(owner):
    return Actor.staff(owner)


@pytest.fixture
def order(shop, products, make_order):
    # 2 x Fietsbel 12.99 (21 %), 1 x Fietsrouteboek 9.95 (9 %), shipping
    return make_order(shop, products[:2], quantities=[2, 1])


def only_invoice(order):
    [invoice] = Invoice.objects.filter(order=order)
    return invoice


# --- The automatic invoice --------------------------------------------------------------------


def test_placing_an_order_issues_its_invoice_with_everything_copied(shop, order):
    invoice = only_invoice(order)
    year = timezone.localdate().year
    assert invoice.number == f"INV{year}-0001"
    assert invoice.kind == InvoiceKind.DEBIT
    assert invoice.issued_on == timezone.localdate(order.created_at)
    assert (invoice.total_net, invoice.total_vat, invoice.total_gross) == (
        order.total_net,
        order.total_vat,
        order.total_gross,
    )
    assert invoice.customer_name == order.billing_name
    assert invoice.customer_email == order.email
    assert invoice.supplier_name == shop.display_legal_name
    assert invoice.state == PaymentState.UNPAID
    lines = list(invoice.lines.all())
    assert [(ln.sku, ln.quantity, ln.unit_price) for ln in lines[:2]] == [
        ("BEL-01", 2, Decimal("12.99")),
        ("BOEK-01", 1, Decimal("9.95")),
    ]
    assert lines[2].is_shipping and lines[2].unit_price == order.shipping_cost
    totals = compute_totals(
        [PriceLine(ln.unit_price, ln.quantity, ln.vat_rate) for ln in lines],
        prices_include_vat=invoice.prices_include_vat,
    )
    assert [row["rate"] for row in invoice.vat_breakdown] == [
        str(r.rate) for r in totals.vat_breakdown
    ]
    assert sum(Decimal(row["vat"]) for row in invoice.vat_breakdown) == invoice.total_vat
    placed = OrderEvent.objects.get(order=order, kind=OrderEventKind.PLACED)
    assert placed.data["invoice"] == invoice.number


def test_an_order_gets_only_one_automatic_invoice(order, staff):
    with pytest.raises(InvoiceError, match="already has its invoice"):
        issue_debit_invoice(order=order, actor=staff)


def test_a_pickup_order_has_no_shipping_line(shop, products, make_order):
    order = make_order(shop, products[:1], shipping_method="pickup")
    assert not only_invoice(order).lines.filter(is_shipping=True).exists()


# --- Corrections ------------------------------------------------------------------------------


def test_nothing_to_correct_right_after_placing(shop, order):
    proposal = propose_correction(shop=shop, order=order)
    assert not proposal.is_needed and proposal.lines == ()


def test_more_ordered_proposes_a_debit_invoice_for_the_difference(shop, order, staff):
    edit(order, staff, lines=line_edits(order, BEL_01=(3, Decimal("12.99"))))
    proposal = propose_correction(shop=shop, order=order)
    assert proposal.kind == InvoiceKind.DEBIT
    assert [(ln.sku, ln.quantity, ln.unit_price) for ln in proposal.lines] == [
        ("BEL-01", 1, Decimal("12.99"))
    ]
    invoice = issue_correction(shop=shop, order=order, actor=staff)
    assert invoice.kind == InvoiceKind.DEBIT and invoice.corrects is None
    assert invoice.total_gross == Decimal("12.99")  # the shop's prices include VAT
    order.refresh_from_db()
    assert invoiced_total(shop=shop, order=order) == order.total_gross
    assert OrderEvent.objects.filter(order=order, kind=OrderEventKind.INVOICE_ISSUED).count() == 1


def test_less_ordered_proposes_a_credit_invoice_referring_to_the_invoice(shop, order, staff):
    first = only_invoice(order)
    edit(order, staff, lines=line_edits(order, BOEK_01=None))
    proposal = propose_correction(shop=shop, order=order)
    assert proposal.kind == InvoiceKind.CREDIT and proposal.corrects == first
    credit = issue_correction(shop=shop, order=order, actor=staff)
    assert credit.kind == InvoiceKind.CREDIT and credit.corrects == first
    assert credit.total_gross < 0
    [line] = credit.lines.all()
    assert (line.sku, line.quantity) == ("BOEK-01", -1)
    year = timezone.localdate().year
    assert credit.number == f"CRE{year}-0001"
    order.refresh_from_db()
    assert invoiced_total(shop=shop, order=order) == order.total_gross
    event = OrderEvent.objects.get(order=order, kind=OrderEventKind.CREDIT_INVOICE_ISSUED)
    assert event.data["corrects"] == first.number


def test_a_new_price_credits_the_old_price_and_invoices_the_new(shop, order, staff):
    edit(order, staff, lines=line_edits(order, BEL_01=(2, Decimal("10.00"))))
    proposal = propose_correction(shop=shop, order=order)
    assert [(ln.quantity, ln.unit_price) for ln in proposal.lines] == [
        (-2, Decimal("12.99")),
        (2, Decimal("10.00")),
    ]
    assert proposal.kind == InvoiceKind.CREDIT
    issue_correction(shop=shop, order=order, actor=staff)
    order.refresh_from_db()
    assert invoiced_total(shop=shop, order=order) == order.total_gross


def test_shipping_and_added_lines_are_corrected_too(shop, products, order, staff):
    order.refresh_from_db()
    edits = [*line_edits(order), LineEdit(quantity=2, unit_price=None, product_id=products[2].pk)]
    edit(order, staff, lines=edits, shipping_cost=Decimal("0.00"))
    proposal = propose_correction(shop=shop, order=order)
    assert {(ln.is_shipping, ln.quantity > 0) for ln in proposal.lines} == {
        (True, False),
        (False, True),
    }
    issue_correction(shop=shop, order=order, actor=staff)
    order.refresh_from_db()
    assert invoiced_total(shop=shop, order=order) == order.total_gross
    assert not propose_correction(shop=shop, order=order).is_needed


def test_credit_invoices_can_share_the_invoice_series(shop, order, staff):
    WorkflowSettings.objects.update_or_create(
        shop=shop, defaults={"credit_invoices_share_invoice_series": True}
    )
    shop.refresh_from_db()
    edit(order, staff, lines=line_edits(order, BOEK_01=None))
    credit = issue_correction(shop=shop, order=order, actor=staff)
    year = timezone.localdate().year
    assert credit.number == f"INV{year}-0002"


def test_a_correction_of_zero_is_refused(shop, order, staff):
    with pytest.raises(InvoiceError, match="nothing to add"):
        issue_correction(shop=shop, order=order, actor=staff)
    line = ProposedLine(description="Niets", quantity=1, unit_price=Decimal("0.00"), vat_rate=21)
    with pytest.raises(InvoiceError, match="needs an amount"):
        issue_correction(shop=shop, order=order, actor=staff, lines=[line])
    assert Invoice.objects.filter(order=order).count() == 1


def test_crediting_more_than_was_invoiced_is_refused(shop, order, staff):
    first = only_invoice(order)
    bell = first.lines.get(sku="BEL-01")
    too_much = ProposedLine(
        description=bell.description,
        sku=bell.sku,
        quantity=-3,
        unit_price=bell.unit_price,
        vat_rate=bell.vat_rate,
        order_line_id=bell.order_line_id,
    )
    with pytest.raises(InvoiceError, match="more than was invoiced"):
        issue_correction(shop=shop, order=order, actor=staff, lines=[too_much])
    assert Invoice.objects.filter(order=order).count() == 1


def test_bad_lines_are_refused(shop, order, staff):
    zero = ProposedLine(description="X", quantity=0, unit_price=Decimal("1"), vat_rate=21)
    negative = ProposedLine(description="X", quantity=1, unit_price=Decimal("-1"), vat_rate=21)
    for line in (zero, negative):
        with pytest.raises(InvoiceError):
            issue_correction(shop=shop, order=order, actor=staff, lines=[line])


def test_a_foreign_invoice_cannot_be_corrected_or_credited(
    shop, other_shop, products, make_order, make_product, order, staff
):
    foreign_product = make_product(other_shop, sku="X-1")
    foreign = only_invoice(make_order(other_shop, [foreign_product]))
    edit(order, staff, lines=line_edits(order, BOEK_01=None))
    with pytest.raises(InvoiceError, match="this order's invoices"):
        issue_correction(shop=shop, order=order, actor=staff, corrects=foreign.pk)
    with pytest.raises(InvoiceError, match="this shop's invoices"):
        credit_invoice(shop=shop, invoice=foreign.pk, actor=staff)
    with pytest.raises(InvoiceError, match="this shop's invoices"):
        mark_invoice_paid(
            shop=shop, invoice=foreign.pk, paid_on=timezone.localdate(), note="", actor=staff
        )
    other_order = make_order(shop, products[:1], email="piet@example.test")
    with pytest.raises(InvoiceError, match="this order's invoices"):
        issue_correction(shop=shop, order=order, actor=staff, corrects=only_invoice(other_order).pk)


# --- Crediting an invoice ---------------------------------------------------------------------


def test_crediting_a_whole_unpaid_invoice_settles_both(shop, order, staff):
    first = only_invoice(order)
    credit = credit_invoice(shop=shop, invoice=first, actor=staff)
    assert credit.total_gross == -first.total_gross
    assert credit.total_vat == -first.total_vat
    assert [row["vat"] for row in credit.vat_breakdown] == [
        str(-Decimal(row["vat"])) for row in first.vat_breakdown
    ]
    first.refresh_from_db()
    assert first.state == credit.state == PaymentState.CREDITED
    assert invoiced_total(shop=shop, order=order) == 0
    with pytest.raises(InvoiceError, match="already credited in full"):
        credit_invoice(shop=shop, invoice=first, actor=staff)
    with pytest.raises(InvoiceError, match="cannot be credited"):
        credit_invoice(shop=shop, invoice=credit, actor=staff)
    # The order is still there, so "New invoice" proposes to invoice it again
    proposal = propose_correction(shop=shop, order=order)
    assert proposal.kind == InvoiceKind.DEBIT
    issue_correction(shop=shop, order=order, actor=staff)
    assert invoiced_total(shop=shop, order=order) == order.total_gross


def test_crediting_chosen_lines(shop, order, staff):
    first = only_invoice(order)
    bell = first.lines.get(sku="BEL-01")
    credit = credit_invoice(shop=shop, invoice=first, actor=staff, line_ids=[bell.pk])
    [line] = credit.lines.all()
    assert (line.sku, line.quantity) == ("BEL-01", -2)
    first.refresh_from_db()
    assert first.state == PaymentState.UNPAID
    with pytest.raises(InvoiceError, match="already credited"):
        credit_invoice(shop=shop, invoice=first, actor=staff, line_ids=[bell.pk])
    with pytest.raises(InvoiceError, match="Choose lines of invoice"):
        credit_invoice(shop=shop, invoice=first, actor=staff, line_ids=[bell.pk + 10_000])
    with pytest.raises(InvoiceError, match="Choose the lines"):
        credit_invoice(shop=shop, invoice=first, actor=staff, line_ids=[])
    # the rest can still be credited, and no more
    rest = credit_invoice(shop=shop, invoice=first, actor=staff)
    assert {ln.sku for ln in rest.lines.all()} == {"BOEK-01", ""}
    assert invoiced_total(shop=shop, order=order) == 0


# --- Paid -------------------------------------------------------------------------------------


def test_marking_an_invoice_paid_by_hand(shop, order, staff):
    invoice = only_invoice(order)
    assert not order_is_paid(shop=shop, order=order)
    today = timezone.localdate()
    paid = mark_invoice_paid(
        shop=shop, invoice=invoice, paid_on=today, note="Bank NL12 ref 123", actor=staff
    )
    assert (paid.state, paid.paid_on, paid.amount_paid) == ("paid", today, invoice.total_gross)
    assert order_is_paid(shop=shop, order=order)
    event = OrderEvent.objects.get(order=order, kind=OrderEventKind.INVOICE_PAID)
    assert event.data["note"] == "Bank NL12 ref 123" and event.actor_label == staff.label
    with pytest.raises(InvoiceError, match="already paid"):
        mark_invoice_paid(shop=shop, invoice=invoice, paid_on=today, note="", actor=staff)


def test_payment_date_and_note_are_checked(shop, order, staff):
    invoice = only_invoice(order)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(InvoiceError, match="future"):
        mark_invoice_paid(shop=shop, invoice=invoice, paid_on=tomorrow, note="", actor=staff)
    with pytest.raises(InvoiceError, match="before the invoice date"):
        mark_invoice_paid(
            shop=shop,
            invoice=invoice,
            paid_on=invoice.issued_on - datetime.timedelta(days=1),
            note="",
            actor=staff,
        )
    with pytest.raises(InvoiceError, match="at most"):
        mark_invoice_paid(
            shop=shop, invoice=invoice, paid_on=timezone.localdate(), note="x" * 501, actor=staff
        )
    invoice.refresh_from_db()
    assert invoice.state == PaymentState.UNPAID


def test_an_open_credit_is_settled_when_the_invoice_is_paid(shop, order, staff):
    first = only_invoice(order)
    edit(order, staff, lines=line_edits(order, BOEK_01=None))
    credit = issue_correction(shop=shop, order=order, actor=staff)
    assert amount_due(shop=shop, invoice=first) == first.total_gross + credit.total_gross
    mark_invoice_paid(shop=shop, invoice=first, paid_on=timezone.localdate(), note="", actor=staff)
    first.refresh_from_db()
    credit.refresh_from_db()
    assert first.amount_paid == first.total_gross + credit.total_gross
    assert credit.state == PaymentState.CREDITED
    assert order_is_paid(shop=shop, order=order)


def test_a_paid_order_edited_down_is_paid_once_the_credit_is_refunded(shop, order, staff):
    first = only_invoice(order)
    today = timezone.localdate()
    mark_invoice_paid(shop=shop, invoice=first, paid_on=today, note="", actor=staff)
    edit(order, staff, lines=line_edits(order, BOEK_01=None))
    credit = issue_correction(shop=shop, order=order, actor=staff)
    assert not order_is_paid(shop=shop, order=order)
    refunded = mark_invoice_paid(
        shop=shop, invoice=credit, paid_on=today, note="teruggestort", actor=staff
    )
    assert refunded.state == PaymentState.REFUNDED
    assert order_is_paid(shop=shop, order=order)


def test_a_debit_correction_keeps_the_order_unpaid_until_paid(shop, order, staff):
    first = only_invoice(order)
    today = timezone.localdate()
    mark_invoice_paid(shop=shop, invoice=first, paid_on=today, note="", actor=staff)
    edit(order, staff, lines=line_edits(order, BEL_01=(5, Decimal("12.99"))))
    extra = issue_correction(shop=shop, order=order, actor=staff)
    assert not order_is_paid(shop=shop, order=order)
    mark_invoice_paid(shop=shop, invoice=extra, paid_on=today, note="", actor=staff)
    assert order_is_paid(shop=shop, order=order)
    assert [i.number for i in invoices_for_order(shop=shop, order=order)] == [
        first.number,
        extra.number,
    ]


def test_a_cancelled_order_proposes_crediting_what_is_still_invoiced(shop, order, staff):
    from kantoor.core.statuses import OrderStatus
    from kantoor.orders.services import change_order_status

    first = only_invoice(order)
    change_order_status(shop=shop, order=order, status=OrderStatus.CANCELLED, actor=staff)
    proposal = propose_correction(shop=shop, order=order)
    assert proposal.kind == InvoiceKind.CREDIT and proposal.corrects == first
    assert proposal.totals.gross == -first.total_gross
    issue_correction(shop=shop, order=order, actor=staff)
    assert invoiced_total(shop=shop, order=order) == 0
    assert not propose_correction(shop=shop, order=order).is_needed


@pytest.mark.parametrize(("language", "word"), [("nl", "Verzendkosten"), ("en", "Shipping")])
def test_the_shipping_line_is_described_in_the_invoices_language(
    shop, products, staff, language, word
):
    from django.utils import translation

    from kantoor.checkout.services import OrderItem, place_order
    from tests.conftest import details_for

    # Whatever language is active where the invoice is issued (an English back office, a
    # Dutch storefront), the line reads as the rest of the invoice.
    with translation.override("en" if language == "nl" else "nl"):
        order = place_order(
            shop=shop,
            details=details_for(language=language),
            items=[OrderItem(products[0].pk, 1)],
            shipping_method="delivery",
            actor=staff,
        )
        invoice = Invoice.objects.get(order=order)
        assert invoice.language == language
        assert invoice.lines.get(is_shipping=True).description == word
        # A correction of the shipping too.
        edit(order, staff, shipping_cost=Decimal("0.00"))
        credit = issue_correction(shop=shop, order=order, actor=staff)
    assert credit.lines.get(is_shipping=True).description == word

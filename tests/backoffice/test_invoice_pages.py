"""The order's Invoices tab and its actions (new invoice, credit, paid by hand), downloads."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kantoor.core.actors import Actor
from kantoor.invoices import selectors as invoice_selectors
from kantoor.invoices.models import Invoice, InvoiceKind, PaymentState
from kantoor.invoices.services import issue_correction
from kantoor.orders.events import OrderEventKind
from kantoor.orders.models import OrderEvent
from kantoor.orders.services import LineEdit
from tests.invoices.helpers import edit, line_edits

needs_documents = pytest.mark.skipif(
    not hasattr(invoice_selectors, "invoice_document"),
    reason="kantoor.invoices.selectors.invoice_document is not there yet",
)


def url(name, shop, **kwargs):
    return reverse(f"backoffice:{name}", kwargs={"shop_slug": shop.slug, **kwargs})


@pytest.fixture
def order(shop, products, make_order):
    bell, book, _ = products
    return make_order(shop, [bell, book], quantities=[2, 1])


@pytest.fixture
def invoice(order):
    return Invoice.objects.get(order=order)


@pytest.fixture
def staff_client(client, shop, make_staff):
    client.force_login(make_staff(shop))
    return client


def tab(shop, order, **extra):
    query = "&".join(f"{k}={v}" for k, v in {"tab": "invoices", **extra}.items())
    return f"{url('order', shop, number=order.number)}?{query}"


def shrink(order, shop):
    """Edit the order: 1 bell instead of 2 (the customer owes less)."""
    edit(order, Actor.system(), lines=line_edits(order, BEL_01=(1, Decimal("12.99"))))
    order.refresh_from_db()
    order.shop = shop


def page_urls(shop, order, invoice):
    number, inv = order.number, invoice.number
    return {
        "tab": ("get", tab(shop, order), {}),
        "new": ("get", url("invoice_new", shop, number=number), {}),
        "new post": ("post", url("invoice_new", shop, number=number), {"proposal": "x"}),
        "credit": ("get", url("invoice_credit", shop, number=number, invoice_number=inv), {}),
        "credit post": (
            "post",
            url("invoice_credit", shop, number=number, invoice_number=inv),
            {"line": ["1"]},
        ),
        "paid": ("get", url("invoice_mark_paid", shop, number=number, invoice_number=inv), {}),
        "paid post": (
            "post",
            url("invoice_mark_paid", shop, number=number, invoice_number=inv),
            {"paid_on": "2026-01-01"},
        ),
        "open": ("get", url("invoice", shop, invoice_number=inv), {}),
        "pdf": ("get", url("invoice_download", shop, invoice_number=inv, fmt="pdf"), {}),
        "ubl": ("get", url("invoice_download", shop, invoice_number=inv, fmt="ubl"), {}),
        "list": ("get", url("invoices", shop), {}),
    }


def test_every_invoice_url_is_404_for_another_shops_staff(
    client, shop, other_shop, order, invoice, make_staff
):
    client.force_login(make_staff(other_shop, email="stranger@example.test"))
    for name, (method, target, data) in page_urls(shop, order, invoice).items():
        assert getattr(client, method)(target, data).status_code == 404, name
    # This shop's invoice number under the stranger's own shop: not found either.
    for name, (method, target, data) in page_urls(other_shop, order, invoice).items():
        if name in {"tab", "list"}:
            continue
        assert getattr(client, method)(target, data).status_code == 404, name
    assert Invoice.objects.count() == 1


def test_an_invoice_of_another_order_is_404_under_this_order(
    staff_client, shop, products, make_order, order, invoice
):
    other_order = make_order(shop, products[:1], email="piet@example.test")
    for name in ("invoice_credit", "invoice_mark_paid"):
        target = url(name, shop, number=other_order.number, invoice_number=invoice.number)
        assert staff_client.get(target).status_code == 404
        assert staff_client.post(target, {"paid_on": "2026-01-01"}).status_code == 404


def test_the_tab_lists_the_invoices_with_totals_and_highlights_one(
    staff_client, shop, order, invoice
):
    response = staff_client.get(tab(shop, order, invoice=invoice.number))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-invoice="{invoice.number}"' in html
    assert "kt-inv-highlight" in html
    assert 'data-status="invoice-unpaid"' in html
    assert "Invoiced so far" in html and "Order total" in html
    assert 'id="invoicing-difference">€\xa00,00' in html or "€ 0,00" in html or "0.00" in html
    assert url("invoice_download", shop, invoice_number=invoice.number, fmt="pdf") in html
    assert url("invoice_download", shop, invoice_number=invoice.number, fmt="nlcius") in html
    # Without ?invoice= nothing is highlighted.
    assert "kt-inv-highlight" not in staff_client.get(tab(shop, order)).content.decode()


def test_new_invoice_proposes_the_credit_line_by_line_and_issues_it(
    staff_client, shop, order, invoice
):
    shrink(order, shop)
    target = url("invoice_new", shop, number=order.number)
    response = staff_client.get(target)
    html = response.content.decode()
    assert response.status_code == 200
    assert "a credit invoice" in html
    assert "Fietsbel" in html and "-1" in html
    proposal = response.context["form"]["proposal"].value()
    corrects = response.context["form"]["corrects"].value()
    response = staff_client.post(target, {"proposal": proposal, "corrects": corrects})
    credit = Invoice.objects.get(order=order, kind=InvoiceKind.CREDIT)
    assert response.status_code == 302
    assert response["Location"] == tab(shop, order, invoice=credit.number)
    assert credit.corrects_id == invoice.pk
    assert credit.total_gross == Decimal("-12.99")
    html = staff_client.get(response["Location"]).content.decode()
    assert f"Credit invoice {credit.number} issued." in html
    assert f"corrects {invoice.number}" in html


def test_new_invoice_debit_when_the_customer_owes_more(staff_client, shop, order):
    edit(order, Actor.system(), lines=line_edits(order, BEL_01=(3, Decimal("12.99"))))
    target = url("invoice_new", shop, number=order.number)
    proposal = staff_client.get(target).context["form"]["proposal"].value()
    staff_client.post(target, {"proposal": proposal})
    debit = Invoice.objects.filter(order=order, kind=InvoiceKind.DEBIT).order_by("id").last()
    assert debit.total_gross == Decimal("12.99")
    order.refresh_from_db()
    assert sum(i.total_gross for i in Invoice.objects.filter(order=order)) == order.total_gross


def test_new_invoice_with_nothing_to_invoice_says_so(staff_client, shop, order):
    response = staff_client.get(url("invoice_new", shop, number=order.number))
    assert "Everything on this order is invoiced" in response.content.decode()
    response = staff_client.post(url("invoice_new", shop, number=order.number), {"proposal": "x"})
    assert response.status_code == 200  # the proposal changed: shown again, nothing issued
    assert Invoice.objects.filter(order=order).count() == 1


def test_new_invoice_refuses_a_proposal_the_order_no_longer_has(staff_client, shop, order):
    shrink(order, shop)
    target = url("invoice_new", shop, number=order.number)
    seen = staff_client.get(target).context["form"]["proposal"].value()
    edit(order, Actor.system(), lines=line_edits(order, BOEK_01=None))  # changed meanwhile
    response = staff_client.post(target, {"proposal": seen})
    assert response.status_code == 200
    assert "The order changed while you were looking at it" in response.content.decode()
    assert Invoice.objects.filter(order=order).count() == 1


def test_new_invoice_with_a_foreign_corrected_invoice_is_a_clear_error(
    staff_client, shop, products, make_order, order
):
    other = make_order(shop, products[:1], email="piet@example.test")
    shrink(order, shop)
    target = url("invoice_new", shop, number=order.number)
    proposal = staff_client.get(target).context["form"]["proposal"].value()
    foreign = Invoice.objects.get(order=other).pk
    response = staff_client.post(target, {"proposal": proposal, "corrects": str(foreign)})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Invoice.objects.filter(order=order).count() == 1


def test_credit_a_whole_invoice_settles_it(staff_client, shop, order, invoice):
    target = url("invoice_credit", shop, number=order.number, invoice_number=invoice.number)
    response = staff_client.get(target)
    assert response.status_code == 200
    lines = [str(line.pk) for line in invoice.lines.all()]
    response = staff_client.post(target, {"line": lines})
    credit = Invoice.objects.get(order=order, kind=InvoiceKind.CREDIT)
    assert response.status_code == 302
    assert credit.total_gross == -invoice.total_gross
    invoice.refresh_from_db()
    assert invoice.state == PaymentState.CREDITED


def test_credit_chosen_lines(staff_client, shop, order, invoice):
    bell_line = invoice.lines.get(sku="BEL-01")
    target = url("invoice_credit", shop, number=order.number, invoice_number=invoice.number)
    staff_client.post(target, {"line": [str(bell_line.pk)]})
    credit = Invoice.objects.get(order=order, kind=InvoiceKind.CREDIT)
    assert [(ln.sku, ln.quantity) for ln in credit.lines.all()] == [("BEL-01", -2)]


def test_credit_bad_input_is_a_clear_error_and_writes_nothing(
    staff_client, shop, products, make_order, order, invoice
):
    other_line = Invoice.objects.get(order=make_order(shop, products[:1])).lines.first()
    target = url("invoice_credit", shop, number=order.number, invoice_number=invoice.number)
    for data, message in [
        ({}, "Tick at least one line to credit."),
        ({"line": [str(other_line.pk)]}, "Choose lines of this invoice."),
        ({"line": ["not-a-number"]}, "Choose lines of this invoice."),
    ]:
        response = staff_client.post(target, data)
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not Invoice.objects.filter(order=order, kind=InvoiceKind.CREDIT).exists()


def test_crediting_more_than_invoiced_is_refused(staff_client, shop, order, invoice):
    target = url("invoice_credit", shop, number=order.number, invoice_number=invoice.number)
    lines = [str(line.pk) for line in invoice.lines.all()]
    staff_client.post(target, {"line": lines})
    response = staff_client.post(target, {"line": lines})
    assert response.status_code == 200
    assert "already credited in full" in response.content.decode()
    assert Invoice.objects.filter(order=order, kind=InvoiceKind.CREDIT).count() == 1


def test_a_credit_invoice_cannot_be_credited(staff_client, shop, order, invoice):
    target = url("invoice_credit", shop, number=order.number, invoice_number=invoice.number)
    staff_client.post(target, {"line": [str(line.pk) for line in invoice.lines.all()]})
    credit = Invoice.objects.get(order=order, kind=InvoiceKind.CREDIT)
    target = url("invoice_credit", shop, number=order.number, invoice_number=credit.number)
    response = staff_client.get(target, follow=True)
    assert "A credit invoice cannot be credited" in response.content.decode()


def test_mark_paid_by_hand(staff_client, shop, order, invoice):
    target = url("invoice_mark_paid", shop, number=order.number, invoice_number=invoice.number)
    assert staff_client.get(target).status_code == 200
    today = timezone.localdate()
    response = staff_client.post(target, {"paid_on": today.isoformat(), "note": "ING afschrift 14"})
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.state == PaymentState.PAID
    assert invoice.paid_on == today and invoice.paid_note == "ING afschrift 14"
    assert OrderEvent.objects.filter(order=order, kind=OrderEventKind.INVOICE_PAID).exists()
    html = staff_client.get(response["Location"]).content.decode()
    assert 'data-status="invoice-paid"' in html
    # Paid already: the page sends the owner back with a message.
    response = staff_client.get(target, follow=True)
    assert "is already paid" in response.content.decode()


def test_mark_paid_bad_input_is_a_clear_error_and_writes_nothing(
    staff_client, shop, order, invoice
):
    target = url("invoice_mark_paid", shop, number=order.number, invoice_number=invoice.number)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    long_ago = invoice.issued_on - datetime.timedelta(days=30)
    for data, message in [
        ({}, "Enter the date the payment was received."),
        ({"paid_on": "31-31-2026"}, "Enter a valid date."),
        ({"paid_on": tomorrow.isoformat()}, "The payment date cannot be in the future."),
        ({"paid_on": long_ago.isoformat()}, "cannot be before the invoice date"),
        ({"paid_on": invoice.issued_on.isoformat(), "note": "x" * 501}, "at most 500"),
    ]:
        response = staff_client.post(target, data)
        assert response.status_code == 200, data
        assert message in response.content.decode(), data
    invoice.refresh_from_db()
    assert invoice.state == PaymentState.UNPAID


def test_opening_an_invoice_goes_to_its_order_tab(staff_client, shop, order, invoice):
    response = staff_client.get(url("invoice", shop, invoice_number=invoice.number))
    assert response.status_code == 302
    assert response["Location"] == tab(shop, order, invoice=invoice.number)
    assert staff_client.get(url("invoice", shop, invoice_number="NOPE")).status_code == 404


@needs_documents
def test_downloads_are_attachments_named_after_the_invoice(staff_client, shop, invoice):
    pdf = staff_client.get(url("invoice_download", shop, invoice_number=invoice.number, fmt="pdf"))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'attachment; filename="{invoice.number}.pdf"'
    assert pdf.content.startswith(b"%PDF")
    ubl = staff_client.get(url("invoice_download", shop, invoice_number=invoice.number, fmt="ubl"))
    assert ubl["Content-Disposition"] == f'attachment; filename="{invoice.number}.xml"'
    assert b"<Invoice" in ubl.content
    # NLCIUS is for business customers: a consumer's invoice gets a clear message instead.
    target = url("invoice_download", shop, invoice_number=invoice.number, fmt="nlcius")
    response = staff_client.get(target, follow=True)
    assert "NLCIUS is for business customers" in response.content.decode()
    bad = url("invoice_download", shop, invoice_number=invoice.number, fmt="docx")
    assert staff_client.get(bad).status_code == 404


def test_new_invoice_splits_a_credit_of_lines_of_two_invoices(
    staff_client, shop, products, order, invoice
):
    order.refresh_from_db()
    gift = LineEdit(quantity=1, unit_price=None, product_id=products[2].pk)
    edit(order, Actor.system(), lines=[*line_edits(order), gift])
    second = issue_correction(shop=shop, order=order, actor=Actor.system())
    edit(order, Actor.system(), lines=line_edits(order, BOEK_01=None, BON_25=None))
    target = url("invoice_new", shop, number=order.number)
    response = staff_client.get(target)
    html = response.content.decode()
    assert 'id="proposal-parts"' in html
    assert f"a credit invoice for invoice {invoice.number}" in html
    assert f"a credit invoice for invoice {second.number}" in html
    form = response.context["form"]
    response = staff_client.post(
        target, {"proposal": form["proposal"].value(), "corrects": form["corrects"].value()}
    )
    assert response.status_code == 302
    credits = Invoice.objects.filter(order=order, kind=InvoiceKind.CREDIT)
    assert {credit.corrects_id for credit in credits} == {invoice.pk, second.pk}

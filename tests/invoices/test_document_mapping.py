"""invoice_document: issued invoices (debit, corrections, credits) become valid UBL and a PDF."""

from decimal import Decimal

import pytest
from django.utils import timezone

from kantoor.core.actors import Actor
from kantoor.invoices.documents.document import CREDIT, DEBIT
from kantoor.invoices.documents.ubl import render_invoice_ubl
from kantoor.invoices.models import Invoice
from kantoor.invoices.selectors import invoice_document
from kantoor.invoices.services import credit_invoice, issue_correction
from kantoor.shops.models import Shop
from tests.invoices.helpers import edit, line_edits


@pytest.mark.parametrize("prices_include_vat", [True, False])
def test_every_invoice_of_an_edited_order_is_a_valid_document(
    shop, products, owner, make_order, validate, prices_include_vat
):
    Shop.objects.filter(pk=shop.pk).update(
        prices_include_vat=prices_include_vat,
        legal_name="Fietsen Jansen B.V.",
        street="Kerkstraat 12",
        postcode="3511 AB",
        city="Utrecht",
        vat_number="NL123456789B01",
        kvk_number="12345678",
        iban="NL91ABNA0417164300",
        email="info@fietsen.test",
    )
    shop.refresh_from_db()
    for product in products:
        product.refresh_from_db()
    staff = Actor.staff(owner)
    order = make_order(shop, products, quantities=[2, 1, 1])
    first = Invoice.objects.get(order=order)
    edit(order, staff, lines=line_edits(order, BOEK_01=None, BEL_01=(3, Decimal("11.50"))))
    issue_correction(shop=shop, order=order, actor=staff)
    credit_invoice(shop=shop, invoice=first, actor=staff)

    invoices = list(Invoice.objects.filter(order=order).order_by("pk"))
    assert len(invoices) == 3
    for invoice in invoices:
        document = invoice_document(invoice=invoice)
        assert document.number == invoice.number
        assert document.kind == (CREDIT if invoice.kind == "credit" else DEBIT)
        assert document.totals.gross == invoice.total_gross
        assert document.totals.vat == invoice.total_vat
        assert sum(line.line_net for line in document.lines) == invoice.total_net
        assert document.issue_date == timezone.localdate()
        assert document.supplier.kvk_number == "12345678"
        if invoice.corrects_id:
            assert document.corrects_number == invoice.corrects.number
        assert invoice_document(invoice=invoice).content_hash() == document.content_hash()
        for profile in ("peppol",):
            errors = validate(render_invoice_ubl(document, profile), profile)
            assert errors == [], (invoice.number, errors)

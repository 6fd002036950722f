"""Invoice PDF: every field Dutch law requires, identical bytes, the file cache, restyling."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import translation
from django.utils.html import escape
from hypothesis import given
from hypothesis import settings as hypothesis_settings

from kantoor.core.actors import Actor
from kantoor.core.money import format_money
from kantoor.invoices.documents.document import CREDIT, REVERSE_CHARGE, Party
from kantoor.invoices.documents.pdf import PdfStyle, invoice_html, invoice_pdf, render_invoice_pdf
from kantoor.invoices.documents.samples import SampleLine, build_document, sample_document
from kantoor.invoices.models import Invoice
from kantoor.invoices.selectors import invoice_document
from kantoor.invoices.services import mark_invoice_paid

from .ubl_strategies import documents

BUSINESS_BE = Party(
    name="Velo Brussel",
    legal_name="Velo Brussel BV",
    street="Rue Haute 5",
    postcode="1000",
    city="Brussel",
    country_code="BE",
    vat_number="BE0123456789",
    email="info@velo.be",
)


def _text(pdf: bytes, tmp_path) -> str:
    pdftotext = shutil.which("pdftotext")
    if not pdftotext:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "invoice.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        [pdftotext, "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    return " ".join(result.stdout.split())


def test_the_pdf_has_every_field_dutch_law_requires(tmp_path):
    document = sample_document()
    text = _text(render_invoice_pdf(document), tmp_path)
    supplier = document.supplier
    for required in [
        supplier.legal_name,
        supplier.street,
        f"{supplier.postcode} {supplier.city}",
        supplier.vat_number,
        supplier.kvk_number,
        document.customer.name,
        document.customer.street,
        f"{document.customer.postcode} {document.customer.city}",
        document.number,
        "2 maart 2026",  # invoice date and delivery date
        "Stadsfiets Omafiets 28 inch",
        "€ 536,36",  # unit price excl. VAT (one piece) and line amount
        "€ 28,89",  # a derived unit price excl. VAT (28.885), shown with 2 decimals
        "21%",
        "9%",
        "€ 597,55",  # total excl. VAT
        "€ 121,64",  # VAT 21 %
        "€ 1,65",  # VAT 9 %
        "€ 720,84",  # total incl. VAT
    ]:
        assert required in text, required


def test_credit_invoice_names_the_invoice_it_corrects(tmp_path):
    text = _text(render_invoice_pdf(sample_document(kind=CREDIT)), tmp_path)
    assert "C2026-0001" in text
    assert "F2026-0001" in text
    assert "€ -57,77" in text


def test_reverse_charge_shows_the_text_and_the_customer_vat_number(tmp_path):
    document = build_document(
        [SampleLine("Fietsonderhoud", 3, Decimal("45.00"), Decimal(0), REVERSE_CHARGE)],
        prices_include_vat=False,
        customer=BUSINESS_BE,
        language="en",
    )
    text = _text(render_invoice_pdf(document), tmp_path)
    assert "VAT reverse charged" in text
    assert "BE0123456789" in text
    assert "Velo Brussel BV" in text
    assert "Belgium" in text


def test_the_same_document_gives_identical_bytes():
    document = sample_document()
    first = render_invoice_pdf(document)
    assert first.startswith(b"%PDF-")
    assert render_invoice_pdf(document) == first
    assert b"/CreationDate" not in first


def test_pdfs_are_cached_by_number_and_content(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    document = sample_document()
    first = invoice_pdf(document)
    files = list((tmp_path / "invoice-pdfs").glob("F2026-0001-*.pdf"))
    assert len(files) == 1
    assert files[0].read_bytes() == first
    files[0].write_bytes(b"cached")  # the second call reads the file, it does not render
    assert invoice_pdf(document) == b"cached"
    changed = replace(document, note="Another note")
    assert invoice_pdf(changed).startswith(b"%PDF-")
    assert len(list((tmp_path / "invoice-pdfs").glob("*.pdf"))) == 2


def test_a_shop_restyles_with_logo_colour_and_css():
    logo = b"<svg xmlns='http://www.w3.org/2000/svg' width='40' height='20'></svg>"
    style = PdfStyle(
        accent="#aa3300", logo=logo, logo_type="image/svg+xml", extra_css="h1 { color: red; }"
    )
    html = invoice_html(sample_document(), style)
    assert "--accent: #aa3300" in html
    assert "data:image/svg+xml;base64," in html
    assert "h1 { color: red; }" in html
    assert render_invoice_pdf(sample_document(), style).startswith(b"%PDF-")
    # Not a colour: the default is used, never the text as CSS.
    assert "--accent: #1f5f8b" in invoice_html(sample_document(), PdfStyle(accent="red;}"))


def test_customer_text_is_escaped():
    document = replace(sample_document(), note="<script>alert(1)</script>")
    assert "<script>" not in invoice_html(document)


def test_first_page_renders_to_png(tmp_path):
    pdftoppm = shutil.which("pdftoppm")
    if not pdftoppm:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    path = tmp_path / "invoice.pdf"
    path.write_bytes(render_invoice_pdf(sample_document()))
    subprocess.run(
        [pdftoppm, "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
        check=True,
    )
    assert (tmp_path / "page-1.png").stat().st_size > 5000


@hypothesis_settings(max_examples=30, deadline=None)
@given(document=documents())
def test_generated_invoices_show_their_lines_and_totals(document):
    html = invoice_html(document)
    assert escape(document.number) in html
    for line in document.lines:
        assert escape(line.description.strip()[:10]) in html
    with translation.override(document.language):
        assert format_money(document.totals.gross, document.currency) in html
        for row in document.vat_breakdown:
            assert format_money(row.tax, document.currency) in html
    if document.reverse_charged:
        assert document.customer.vat_number in html
    if document.is_credit:
        assert document.corrects_number in html


def test_an_issued_invoice_renders(shop, owner, products, make_order, tmp_path):
    from kantoor.invoices.models import Invoice
    from kantoor.invoices.selectors import invoice_document
    from kantoor.invoices.services import credit_invoice

    order = make_order(shop, products, quantities=[2, 1, 1])
    invoice = Invoice.objects.get(order=order)
    credit = credit_invoice(shop=shop, invoice=invoice, actor=Actor.staff(owner))
    text = _text(render_invoice_pdf(invoice_document(invoice=invoice)), tmp_path)
    assert invoice.number in text and "Fietsbel" in text and "Jan Jansen" in text
    credit_text = _text(render_invoice_pdf(invoice_document(invoice=credit)), tmp_path)
    assert credit.number in credit_text and invoice.number in credit_text


@pytest.mark.parametrize(
    ("quantity", "net", "unit_price", "shown"),
    [
        (2, "20.00", None, "10.00"),
        (-2, "-21.47", None, "10.735"),  # a credit line: -2 x 10.735 = -21.47
        (1, "-5.00", None, "-5.00"),  # a discount
        (3, "35.85", None, "11.95"),
        (3, "10.00", None, "3.3333"),
        (-2, "-20.00", "10.00", "10.00"),
        (1, "-5.00", "5.00", "-5.00"),
        (0, "4.00", None, "4.00"),
    ],
)
def test_unit_price_reads_right_with_the_quantity(quantity, net, unit_price, shown):
    from kantoor.invoices.documents.document import DocumentLine

    line = DocumentLine(
        position=1,
        description="x",
        quantity=Decimal(quantity),
        line_net=Decimal(net),
        vat_rate=Decimal(21),
        unit_price=Decimal(unit_price) if unit_price else None,
    )
    assert line.display_unit_price == Decimal(shown)


def test_unit_prices_show_two_decimals(tmp_path):
    """Issue 10: the PDF showed "€ 28,885"; a unit price has 2 decimals on paper."""
    text = _text(render_invoice_pdf(sample_document()), tmp_path)
    assert "28,885" not in text and "€ 28,89" in text
    html = invoice_html(sample_document())
    with translation.override("nl"):
        for line in sample_document().lines:
            price = line.display_unit_price.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            shown = format_money(price, "EUR")
            assert f'<td class="num">{shown}</td>' in html


def test_a_paid_invoice_says_paid_on_instead_of_asking_for_payment(
    settings, shop, owner, products, make_order, tmp_path
):
    """Issue 10: the PDF of a paid invoice still asked for payment by a due date. The frozen
    content is the same; the paid state is part of what the cached file is keyed by."""
    settings.VAR_DIR = tmp_path
    shop.iban = "NL91ABNA0417164300"
    shop.save(update_fields=["iban"])
    order = make_order(shop, products[:1])
    invoice = Invoice.objects.get(order=order)
    unpaid = invoice_document(invoice=invoice)
    with translation.override("en"):
        unpaid_html = invoice_html(replace(unpaid, language="en"))
    assert "Please pay" in unpaid_html
    unpaid_pdf = invoice_pdf(unpaid)
    paid_on = invoice.issued_on
    mark_invoice_paid(
        shop=shop, invoice=invoice, paid_on=paid_on, note="", actor=Actor.staff(owner)
    )
    invoice.refresh_from_db()
    paid = invoice_document(invoice=invoice)
    assert paid.paid_on == paid_on
    assert replace(paid, paid_on=None, settlement="") == unpaid  # the legal content is the same
    html = invoice_html(replace(paid, language="en"))
    assert "Please pay" not in html
    assert f"Paid on {paid_on.day} " in html
    assert paid.due_date and "Due date" in html  # the invoice still states its terms
    dutch = invoice_html(replace(paid, language="nl"))
    assert "Graag ontvangen we" not in dutch and 'data-settlement="paid"' in dutch
    assert invoice_pdf(paid) != unpaid_pdf
    assert len(list((tmp_path / "invoice-pdfs").glob("*.pdf"))) == 2

"""Invoice PDF: an HTML template rendered by WeasyPrint, identical bytes for the same document.

The shop restyles it with a ``PdfStyle`` (logo, accent colour, extra CSS) or by overriding the
template ``invoices/pdf/invoice.html`` (docs/invoices-documents.md). ``invoice_pdf`` caches the
bytes in ``VAR_DIR/invoice-pdfs/`` by invoice number and content hash.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from kantoor.core.money import format_money
from kantoor.customers.countries import country_name

from .document import (
    EXEMPT,
    EXPORT,
    INTRA_COMMUNITY,
    REVERSE_CHARGE,
    InvoiceDocument,
)

TEMPLATE = "invoices/pdf/invoice.html"
CSS_FILE = Path(__file__).resolve().parents[1] / "templates" / "invoices" / "pdf" / "invoice.css"
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class PdfStyle:
    """How a shop restyles its invoices."""

    accent: str = "#1f5f8b"  # headings, table header, totals line
    logo: bytes = b""  # PNG, JPEG or SVG
    logo_type: str = "image/png"
    extra_css: str = ""  # appended after the stylesheet
    template_name: str = TEMPLATE

    def key(self) -> str:
        digest = hashlib.sha256()
        for part in (self.accent, self.logo_type, self.extra_css, self.template_name):
            digest.update(part.encode() + b"\0")
        digest.update(self.logo)
        return digest.hexdigest()


DEFAULT_STYLE = PdfStyle()


def _font_config():
    from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415 (WeasyPrint is heavy: loaded on the first PDF)

    global _FONTS
    if _FONTS is None:
        _FONTS = FontConfiguration()
    return _FONTS


_FONTS = None


def _vat_notes(document: InvoiceDocument) -> list[str]:
    categories = {row.category for row in document.vat_breakdown}
    notes = []
    if REVERSE_CHARGE in categories:
        notes.append(_("VAT reverse charged"))
    if INTRA_COMMUNITY in categories:
        notes.append(_("Intra-community supply, VAT reverse charged (article 138 VAT Directive)"))
    if EXPORT in categories:
        notes.append(_("Export outside the EU, 0% VAT"))
    if EXEMPT in categories:
        notes.append(_("Exempt from VAT"))
    return notes


def invoice_html(document: InvoiceDocument, style: PdfStyle = DEFAULT_STYLE) -> str:
    """The HTML the PDF is made from (in the document's language)."""
    accent = style.accent if HEX_COLOUR.match(style.accent or "") else DEFAULT_STYLE.accent
    logo = ""
    if style.logo:
        logo = f"data:{style.logo_type};base64,{base64.b64encode(style.logo).decode()}"
    with translation.override(document.language or "nl"):
        currency = document.currency

        def money(amount):
            return format_money(amount, currency)

        lines = [
            {
                "line": line,
                "quantity": _quantity(line.quantity),
                "unit_price": _unit_price(line.display_unit_price, currency),
                "vat_rate": _rate(line.vat_rate),
                "net": money(line.line_net),
            }
            for line in document.lines
        ]
        breakdown = [
            {
                "row": row,
                "rate": _rate(row.rate),
                "taxable": money(row.taxable),
                "tax": money(row.tax),
            }
            for row in document.vat_breakdown
        ]
        context = {
            "doc": document,
            "supplier_country": country_name(document.supplier.country_code),
            "customer_country": country_name(document.customer.country_code),
            "show_customer_country": document.customer.country_code
            != document.supplier.country_code,
            "lines": lines,
            "breakdown": breakdown,
            "net": money(document.totals.net),
            "vat": money(document.totals.vat),
            "gross": money(document.totals.gross),
            "payable": money(document.totals.payable),
            "payable_abs": money(abs(document.totals.payable)),
            "vat_notes": _vat_notes(document),
            "accent": accent,
            "logo": logo,
            "css": CSS_FILE.read_text(),
            "extra_css": style.extra_css,
        }
        return render_to_string(style.template_name, context)


def render_invoice_pdf(document: InvoiceDocument, style: PdfStyle = DEFAULT_STYLE) -> bytes:
    """The PDF of ``document``: the same bytes every time for the same document and style."""
    from weasyprint import HTML  # noqa: PLC0415 (WeasyPrint is heavy: loaded on the first PDF)

    html = HTML(string=invoice_html(document, style), base_url=str(CSS_FILE.parent))
    identifier = hashlib.sha256(f"{document.number}:{document.content_hash()}".encode())
    # No creation time in the metadata and a file identifier derived from the document.
    return html.write_pdf(
        font_config=_font_config(),
        pdf_identifier=identifier.hexdigest()[:32].encode(),
        cache=_IMAGE_CACHE,
    )


_IMAGE_CACHE: dict = {}


def cache_key(document: InvoiceDocument, style: PdfStyle = DEFAULT_STYLE) -> str:
    """``<number>-<hash>``: the invoice number (safe for a file name) and a content hash."""
    number = re.sub(r"[^A-Za-z0-9._-]", "_", document.number)[:80]
    digest = hashlib.sha256(f"{document.content_hash()}:{style.key()}".encode()).hexdigest()
    return f"{number}-{digest[:24]}"


def invoice_pdf(document: InvoiceDocument, style: PdfStyle = DEFAULT_STYLE) -> bytes:
    """The PDF of ``document`` from the file cache (``VAR_DIR/invoice-pdfs``), rendered once."""
    folder = Path(settings.VAR_DIR) / "invoice-pdfs"
    path = folder / f"{cache_key(document, style)}.pdf"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    data = render_invoice_pdf(document, style)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, suffix=".tmp", delete=False) as handle:
        handle.write(data)
    os.replace(handle.name, path)  # atomic: a reader sees the whole file or none
    return data


def _unit_price(value, currency: str) -> str:
    """A unit price as people read it on paper: 2 decimals (28.885 shows as 28,89). The line
    amount next to it is the exact one; UBL states the price with the precision it needs."""
    return format_money(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), currency)


def _quantity(value) -> str:
    text = format(value.normalize(), "f") if hasattr(value, "normalize") else str(value)
    return text.replace(".", ",") if translation.get_language() == "nl" else text


def _rate(value) -> str:
    return _quantity(value) + "%"

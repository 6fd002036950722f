"""Invoice PDF: an HTML template rendered by WeasyPrint, identical bytes for the same document.

The shop restyles it with a ``PdfStyle`` (logo, accent colour, extra CSS) or by overriding the
template ``invoices/pdf/invoice.html`` (docs/invoices-documents.md). ``invoice_pdf`` caches the
bytes in ``VAR_DIR/invoice-pdfs/`` by invoice number and content hash.

The other documents in the invoice's style (the quote PDF, ``kantoor.quotes.pdf``) use the same
pieces: ``style_values`` (accent, logo, stylesheet), ``write_pdf`` (reproducible bytes),
``cached_pdf`` (the file cache), ``download_response`` and the ``format_*`` helpers.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
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


def style_values(style: PdfStyle = DEFAULT_STYLE) -> dict[str, str]:
    """What a PDF template needs of a style: ``accent`` (the default for one that is not
    #rrggbb), ``logo`` (a data: URI, "" without one), ``css`` (the invoice's stylesheet) and
    ``extra_css`` (the shop's, after it)."""
    accent = style.accent if HEX_COLOUR.match(style.accent or "") else DEFAULT_STYLE.accent
    logo = ""
    if style.logo:
        logo = f"data:{style.logo_type};base64,{base64.b64encode(style.logo).decode()}"
    return {
        "accent": accent,
        "logo": logo,
        "css": CSS_FILE.read_text(),
        "extra_css": style.extra_css,
    }


def invoice_html(document: InvoiceDocument, style: PdfStyle = DEFAULT_STYLE) -> str:
    """The HTML the PDF is made from (in the document's language)."""
    with translation.override(document.language or "nl"):
        currency = document.currency

        def money(amount):
            return format_money(amount, currency)

        lines = [
            {
                "line": line,
                "quantity": format_quantity(line.quantity),
                "unit_price": format_unit_price(line.display_unit_price, currency),
                "vat_rate": format_rate(line.vat_rate),
                "net": money(line.line_net),
            }
            for line in document.lines
        ]
        breakdown = [
            {
                "row": row,
                "rate": format_rate(row.rate),
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
            **style_values(style),
        }
        return render_to_string(style.template_name, context)


def write_pdf(html: str, *, identifier: str) -> bytes:
    """``html`` as a PDF, the same bytes every time for the same HTML and ``identifier`` (a
    document's number and content hash): no creation time in the metadata and a file
    identifier derived from ``identifier``."""
    from weasyprint import HTML  # noqa: PLC0415 (WeasyPrint is heavy: loaded on the first PDF)

    pdf_identifier = hashlib.sha256(identifier.encode()).hexdigest()[:32].encode()
    return HTML(string=html, base_url=str(CSS_FILE.parent)).write_pdf(
        font_config=_font_config(), pdf_identifier=pdf_identifier, cache=_IMAGE_CACHE
    )


def render_invoice_pdf(document: InvoiceDocument, style: PdfStyle = DEFAULT_STYLE) -> bytes:
    """The PDF of ``document``: the same bytes every time for the same document and style."""
    return write_pdf(
        invoice_html(document, style), identifier=f"{document.number}:{document.content_hash()}"
    )


_IMAGE_CACHE: dict = {}


def safe_file_name(number: str) -> str:
    """A document number as part of a file name: letters, digits, ``.``, ``_``, ``-``."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", number)[:80]


def cache_key(document: InvoiceDocument, style: PdfStyle = DEFAULT_STYLE) -> str:
    """``<number>-<hash>``: the invoice number (safe for a file name) and a content hash."""
    digest = hashlib.sha256(f"{document.content_hash()}:{style.key()}".encode()).hexdigest()
    return f"{safe_file_name(document.number)}-{digest[:24]}"


def cached_pdf(folder_name: str, key: str, render: Callable[[], bytes]) -> bytes:
    """The PDF stored as ``VAR_DIR/<folder_name>/<key>.pdf``, made by ``render`` the first time.
    ``key`` names the content (a number and a content hash), so a stored file is never stale."""
    folder = Path(settings.VAR_DIR) / folder_name
    path = folder / f"{key}.pdf"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    data = render()
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, suffix=".tmp", delete=False) as handle:
        handle.write(data)
    os.replace(handle.name, path)  # atomic: a reader sees the whole file or none
    return data


def invoice_pdf(document: InvoiceDocument, style: PdfStyle = DEFAULT_STYLE) -> bytes:
    """The PDF of ``document`` from the file cache (``VAR_DIR/invoice-pdfs``), rendered once."""
    return cached_pdf(
        "invoice-pdfs", cache_key(document, style), lambda: render_invoice_pdf(document, style)
    )


def download_response(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    """A document as a download for the one who asked for it: never cached on the way, never
    sniffed as another type. ``filename`` is used as it is (make it with ``safe_file_name``)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def format_unit_price(value, currency: str) -> str:
    """A unit price as people read it on paper: 2 decimals (28.885 shows as 28,89). The line
    amount next to it is the exact one; UBL states the price with the precision it needs."""
    return format_money(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), currency)


def format_quantity(value) -> str:
    """A quantity or a percentage's number as the current language writes it (2,5 in Dutch)."""
    text = format(value.normalize(), "f") if hasattr(value, "normalize") else str(value)
    return text.replace(".", ",") if translation.get_language() == "nl" else text


def format_rate(value) -> str:
    """A VAT rate or a discount: 21%, 12,5% in Dutch."""
    return format_quantity(value) + "%"

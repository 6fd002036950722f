"""Quote PDF: one revision of a quote in the invoice's style, identical bytes for the same content.

The template ``quotes/pdf/quote.html`` (with ``quote.css`` after the invoice's stylesheet) is
rendered in the quote's language with the shop's ``PdfStyle`` and made a PDF by the invoice's
machinery (``kantoor.invoices.documents.pdf``). ``quote_pdf`` caches the bytes in
``VAR_DIR/quote-pdfs/`` by quote number, revision and a hash of the HTML: whatever changes what
the PDF shows (a line, the terms, the shop's address, the style) makes a new file.
"""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal
from pathlib import Path

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation

from kantoor.core.money import format_money
from kantoor.core.pricing import ShippingMethod, charged_price
from kantoor.customers.countries import country_name
from kantoor.invoices.documents.document import Party
from kantoor.invoices.documents.pdf import (
    DEFAULT_STYLE,
    PdfStyle,
    cached_pdf,
    download_response,
    format_quantity,
    format_rate,
    safe_file_name,
    style_values,
    write_pdf,
)
from kantoor.quotes.events import QuoteEventKind
from kantoor.quotes.models import Quote, QuoteEvent
from kantoor.quotes.selectors import QuoteView, customer_revision, quote_view
from kantoor.shops.selectors import workflow_settings_for

TEMPLATE = "quotes/pdf/quote.html"
CSS_FILE = Path(__file__).resolve().parent / "templates" / "quotes" / "pdf" / "quote.css"
CACHE_FOLDER = "quote-pdfs"
LANGUAGES = ("nl", "en")


def _supplier(shop) -> Party:
    return Party(
        name=shop.name,
        legal_name=shop.display_legal_name,
        street=shop.street,
        postcode=shop.postcode,
        city=shop.city,
        country_code=shop.country or "NL",
        vat_number=shop.vat_number,
        kvk_number=shop.kvk_number,
        email=shop.email,
    )


def _customer(quote: Quote) -> Party:
    person = quote.customer_name if quote.first_name or quote.last_name else ""
    return Party(
        name=quote.company or person or quote.email,
        street=quote.street,
        postcode=quote.postcode,
        city=quote.city,
        country_code=quote.country or "NL",
        vat_number=quote.vat_number,
        email=quote.email,
        contact_name=person if quote.company else "",
    )


def revision_date(quote: Quote, revision: int) -> datetime.date:
    """The date of a revision: the day it was (last) sent; for one never sent (a concept, a
    request) the day it last changed."""
    if revision == quote.sent_revision and quote.sent_at:
        return timezone.localdate(quote.sent_at)
    sent_at = (
        QuoteEvent.objects.filter(quote=quote, kind=QuoteEventKind.SENT, data__revision=revision)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return timezone.localdate(sent_at or quote.updated_at)


def _rows(shown: QuoteView, currency: str) -> tuple[list[dict], Decimal]:
    """The table's lines, amounts as the prices are stated (with or without VAT), and their sum."""
    pricing = shown.pricing
    shop = shown.quote.shop
    rows, subtotal = [], Decimal("0.00")
    for line, priced, amounts in shown.rows:
        # The price before the discount, as charged (without VAT when it is reverse charged).
        unit_price = charged_price(
            shop, line.unit_price, line.vat_rate, reverse_charged=pricing.vat_reverse_charged
        )[0]
        amount = amounts.gross if pricing.prices_include_vat else amounts.net
        subtotal += amount
        rows.append(
            {
                "line": line,
                "quantity": format_quantity(line.quantity),
                "unit_price": format_money(unit_price, currency),
                "discount": format_rate(line.discount_percent) if line.discount_percent else "",
                "vat_rate": format_rate(priced.vat_rate),
                "amount": format_money(amount, currency),
            }
        )
    return rows, subtotal


def quote_html(
    *, quote: Quote, revision: int, language: str, style: PdfStyle = DEFAULT_STYLE
) -> str:
    """The HTML the PDF of ``revision`` of ``quote`` is made from, in ``language``."""
    shop = quote.shop
    shown = quote_view(quote, revision)
    pricing = shown.pricing
    workflow = workflow_settings_for(shop=shop)
    supplier = _supplier(shop)
    customer = _customer(quote)
    with translation.override(language):
        currency = shop.currency

        def money(amount):
            return format_money(amount, currency)

        rows, subtotal = _rows(shown, currency)
        breakdown = [
            {
                "rate": format_rate(row.rate),
                "taxable": money(row.net),
                "tax": money(row.vat),
                "has_tax": bool(row.vat),
            }
            for row in pricing.totals.vat_breakdown
        ]
        context = {
            "quote": quote,
            "revision": revision,
            "language": language,
            "date": revision_date(quote, revision),
            "supplier": supplier,
            "customer": customer,
            "supplier_country": country_name(supplier.country_code),
            "customer_country": country_name(customer.country_code),
            "show_customer_country": customer.country_code != supplier.country_code,
            "rows": rows,
            "show_discount": any(row["discount"] for row in rows),
            "prices_include_vat": pricing.prices_include_vat,
            "reverse_charged": pricing.vat_reverse_charged,
            "customer_vat_number": pricing.vat_number or quote.vat_number,
            "subtotal": money(subtotal),
            "pickup": quote.shipping_method == ShippingMethod.PICKUP,
            "shipping": money(pricing.shipping_cost),
            "breakdown": breakdown,
            "net": money(pricing.totals.net),
            "vat": money(pricing.totals.vat),
            "gross": money(pricing.totals.gross),
            "terms": workflow.quote_terms_nl if language == "nl" else workflow.quote_terms_en,
            **style_values(style),
            "quote_css": CSS_FILE.read_text(),
        }
        return render_to_string(TEMPLATE, context)


def quote_pdf(
    *,
    quote: Quote,
    revision: int | None = None,
    language: str | None = None,
    style: PdfStyle = DEFAULT_STYLE,
) -> bytes:
    """The PDF of ``revision`` of ``quote`` (by default the one the customer sees, or the
    current one when none was sent) in ``language`` (by default the quote's), from the file
    cache; the same bytes every time for the same content."""
    if revision is None:
        revision = customer_revision(quote) or quote.revision
    if language not in LANGUAGES:
        language = quote.language if quote.language in LANGUAGES else "nl"
    html = quote_html(quote=quote, revision=revision, language=language, style=style)
    digest = hashlib.sha256(html.encode()).hexdigest()
    return cached_pdf(
        CACHE_FOLDER,
        f"{safe_file_name(quote.number)}-v{revision}-{digest[:24]}",
        lambda: write_pdf(html, identifier=f"{quote.number}:{revision}:{digest}"),
    )


def quote_file_name(quote: Quote) -> str:
    """The PDF's file name (download, e-mail attachment): the quote number."""
    return f"{safe_file_name(quote.number)}.pdf"


def quote_pdf_response(pdf: bytes, quote: Quote) -> HttpResponse:
    """The quote's PDF as a download named after its number."""
    return download_response(pdf, content_type="application/pdf", filename=quote_file_name(quote))

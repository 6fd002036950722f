"""Reads for the invoice pages: one invoice by number, a customer's invoices, the invoice list.

Kept beside selectors.py (same rules: reads only, always taking the shop). The list follows
kantoor.invoices.order_list: filters, search, keyset pagination and a bounded count.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404

from kantoor.core.keyset import Keyset, keyset_page
from kantoor.core.search import contains_fragment
from kantoor.customers.models import Customer
from kantoor.invoices.documents import pdf, ubl
from kantoor.invoices.models import Invoice
from kantoor.invoices.selectors import invoice_document
from kantoor.orders.models import Order
from kantoor.shops.models import Shop

# --- One invoice --------------------------------------------------------------------------------


def invoice_by_number(*, shop: Shop, number: str, order: Order | None = None) -> Invoice:
    """One invoice of the shop (of ``order``, when given) by its number; 404 otherwise."""
    queryset = Invoice.objects.filter(shop=shop, number=number)
    if order is not None:
        queryset = queryset.filter(order_id=order.pk)
    invoice = queryset.select_related("order", "corrects").first()
    if invoice is None:
        raise Http404("No such invoice.")
    invoice.order.shop = shop
    return invoice


def invoices_for_customer(*, shop: Shop, customer: Customer) -> QuerySet[Invoice]:
    """The customer's own invoices (of their orders), newest first."""
    return (
        Invoice.objects.filter(shop=shop, order__customer=customer)
        .select_related("corrects")
        .order_by("-issued_on", "-id")
    )


def invoice_for_customer(*, shop: Shop, customer: Customer, number: str) -> Invoice:
    """One of the customer's own invoices; 404 for anyone else's (or an unknown number)."""
    invoice = (
        Invoice.objects.filter(shop=shop, order__customer=customer, number=number)
        .select_related("order", "corrects")
        .first()
    )
    if invoice is None:
        raise Http404("No such invoice.")
    return invoice


# --- The back-office invoice list ---------------------------------------------------------------

INVOICE_LIST_PAGE_SIZE = 50
INVOICE_LIST_COUNT_CAP = 10_000


@dataclass(frozen=True)
class InvoiceFilters:
    """What the invoice list shows: every field narrows it; the empty filter shows all."""

    kinds: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    date_from: datetime.date | None = None  # invoice date, inclusive
    date_to: datetime.date | None = None  # inclusive
    query: str = ""


@dataclass(frozen=True)
class InvoiceCount:
    """How many invoices match: exact up to the cap, else at least ``value``."""

    value: int
    exact: bool
    estimate: int | None = None


@dataclass
class InvoicePage:
    invoices: list[Invoice]
    previous_cursor: str | None
    next_cursor: str | None
    is_first: bool
    is_last: bool


def filtered_invoices(*, shop: Shop, filters: InvoiceFilters) -> QuerySet[Invoice]:
    """The shop's invoices narrowed by the filters (unordered)."""
    queryset = Invoice.objects.filter(shop=shop)
    if filters.kinds:
        queryset = queryset.filter(kind__in=sorted(set(filters.kinds)))
    if filters.states:
        queryset = queryset.filter(state__in=sorted(set(filters.states)))
    if filters.date_from:
        queryset = queryset.filter(issued_on__gte=filters.date_from)
    if filters.date_to:
        queryset = queryset.filter(issued_on__lte=filters.date_to)
    query = " ".join(filters.query.split())
    if query:
        exact = Q(number__in={query, query.upper()}) | Q(order_number__in={query, query.upper()})
        email = query.lower()
        if " " not in query and Invoice.objects.filter(Q(shop=shop) & exact).exists():
            # A whole invoice or order number: the unique/indexed columns, no text scan.
            queryset = queryset.filter(exact)
        elif (
            _WHOLE_EMAIL.fullmatch(email)
            and Invoice.objects.filter(shop=shop, customer_email=email).exists()
        ):
            # A whole e-mail address: that customer's invoices, by the (shop, e-mail) index (the
            # text search would build a trigram bitmap of all of them just to count them).
            queryset = queryset.filter(customer_email=email)
        else:
            queryset = queryset.filter(_search(query))
    return queryset


# The text one search box looks through, as one expression: on PostgreSQL the trigram GIN index of
# migration invoices 0003 is on exactly this expression and serves fragments ("%jans%"), as
# migration orders 0006 does for orders (a whole invoice or order number uses the B-tree indexes).
INVOICE_SEARCH_SQL = (
    '("invoices_invoice"."number" || \' \' || "invoices_invoice"."order_number" || \' \' || '
    '"invoices_invoice"."customer_name" || \' \' || "invoices_invoice"."customer_email" || '
    '\' \' || "invoices_invoice"."customer_company")'
)


_WHOLE_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _search(query: str) -> Q:
    """Invoice number, order number, customer name, e-mail or company containing ``query``."""
    if connection.vendor == "postgresql":
        return contains_fragment(INVOICE_SEARCH_SQL, query)
    condition = Q()
    for name in ("number", "order_number", "customer_name", "customer_email", "customer_company"):
        condition |= Q(**{f"{name}__icontains": query})
    return condition


def invoice_list(
    *,
    shop: Shop,
    filters: InvoiceFilters,
    after: str | None = None,
    before: str | None = None,
    last: bool = False,
    page_size: int = INVOICE_LIST_PAGE_SIZE,
) -> InvoicePage:
    """One page of the shop's invoices, newest first (invoice date, then id).

    The first page, the page after/before a cursor, or the last page; one SQL statement (no
    OFFSET, so a late page costs what the first costs). Raises kantoor.core.keyset.InvalidCursor
    for a bad token.
    """
    page = keyset_page(
        filtered_invoices(shop=shop, filters=filters).select_related("corrects"),
        INVOICE_KEYSET,
        after=after,
        before=before,
        last=last,
        page_size=page_size,
    )
    return InvoicePage(
        page.rows, page.previous_cursor, page.next_cursor, page.is_first, page.is_last
    )


def count_invoices(
    *, shop: Shop, filters: InvoiceFilters, cap: int = INVOICE_LIST_COUNT_CAP
) -> InvoiceCount:
    """How many invoices match, counting at most ``cap`` + 1 rows (PostgreSQL's planner
    estimate above the cap)."""
    queryset = filtered_invoices(shop=shop, filters=filters)
    counted = queryset.order_by()[: cap + 1].count()
    if counted <= cap:
        return InvoiceCount(value=counted, exact=True)
    estimate = None
    if connection.vendor == "postgresql":
        plan = json.loads(queryset.order_by().explain(format="json"))
        estimate = max(int(plan[0]["Plan"]["Plan Rows"]), cap + 1)
    return InvoiceCount(value=cap, exact=False, estimate=estimate)


# Newest first: invoice date, then id; the token carries the date as YYYY-MM-DD.
INVOICE_KEYSET = Keyset("issued_on", True, datetime.date.isoformat, datetime.date.fromisoformat)


def invoiced_and_difference(*, invoices: list[Invoice], order: Order) -> dict[str, Decimal]:
    """What the order's invoices add up to (credits for returned goods apart), the order total
    and the difference (to invoice)."""
    invoiced = sum(
        (invoice.total_gross for invoice in invoices if not invoice.for_returned_goods),
        Decimal("0.00"),
    )
    returned = sum(
        (invoice.total_gross for invoice in invoices if invoice.for_returned_goods),
        Decimal("0.00"),
    )
    return {
        "invoiced": invoiced,
        "returned": returned,  # credits for returned goods: no correction of the order
        "order_total": order.total_gross,
        "difference": order.total_gross - invoiced,
    }


# --- Downloads ----------------------------------------------------------------------------------

PDF = "pdf"
UBL = "ubl"
UBL_NLCIUS = "nlcius"
DOWNLOAD_FORMATS = (PDF, UBL, UBL_NLCIUS)


@dataclass(frozen=True)
class InvoiceFile:
    content: bytes
    content_type: str
    filename: str


def invoice_file(*, invoice: Invoice, fmt: str) -> InvoiceFile:
    """The invoice as a PDF (from the cache, by content hash) or as UBL (Peppol or NLCIUS).

    Raises kantoor.invoices.documents.ubl.UblProfileError when NLCIUS does not apply (a Dutch
    consumer).
    """

    document = invoice_document(invoice=invoice)
    if fmt == PDF:
        return InvoiceFile(pdf.invoice_pdf(document), "application/pdf", f"{invoice.number}.pdf")
    profile = "nlcius" if fmt == UBL_NLCIUS else "peppol"
    return InvoiceFile(
        ubl.render_invoice_ubl(document, profile), "application/xml", f"{invoice.number}.xml"
    )

"""What can be exported and with which columns, in the shop owner's words (docs/exports.md).

An export kind (``ExportKind``) names the list its filter comes from (the same filter dataclass
and the same selector as that list: ``filtered_orders``, ``filtered_invoices`` …, never a second
filter), how its rows are read (``rows``: a queryset of ``values()``), and its fixed set of
columns. A column (``Column``) reads one or more fields of such a row (``fields``; an
``annotation`` for what the row needs computed in SQL) and has a type that the writers keep:
amounts and numbers as numbers, dates and times as dates, yes/no, text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kantoor.catalog.models import Product
from kantoor.core.pricing import ShippingMethod
from kantoor.customers.models import Address
from kantoor.customers.selectors import search_customers
from kantoor.invoices.list_selectors import InvoiceFilters, filtered_invoices
from kantoor.invoices.models import InvoiceKind, InvoiceLine
from kantoor.invoices.order_list import OrderFilters, filtered_orders, order_paid_condition
from kantoor.orders.models import OrderLine
from kantoor.payments.models import PaymentState, Provider
from kantoor.payments.selectors import PaymentFilters, filtered_payments
from kantoor.quotes.models import QuoteLine
from kantoor.quotes.pricing import quote_pricing
from kantoor.quotes.selectors import QuoteFilters, filtered_quotes
from kantoor.returns.models import ReturnLine, ReturnSource
from kantoor.returns.selectors import ReturnFilters, filtered_returns
from kantoor.shops.document_statuses import StatusKind
from kantoor.shops.models import Language, Shop
from kantoor.shops.selectors import StatusAppearances

# Column types: what a writer makes of the value.
TEXT = "text"
INTEGER = "integer"
AMOUNT = "amount"  # money, 2 decimals
NUMBER = "number"  # a decimal number such as a VAT rate
DATE = "date"
DATETIME = "datetime"  # in the site's time zone
BOOLEAN = "boolean"  # yes / no in the export's language
TYPES = (TEXT, INTEGER, AMOUNT, NUMBER, DATE, DATETIME, BOOLEAN)
NUMERIC = (INTEGER, AMOUNT, NUMBER)


@dataclass(frozen=True)
class ExportContext:
    """What a column may need besides its row: the shop, its status names, the language."""

    shop: Shop
    appearances: StatusAppearances
    language: str

    def status(self, kind: str, code: str) -> str:
        return self.appearances.badge(kind, code, self.language).label

    def order_status(self, value: int) -> str:
        return self.appearances.order_status_label(value, self.language)


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    type: str = TEXT
    fields: tuple[str, ...] = ()  # the values() names it reads; default: (key,)
    get: Callable[[dict, ExportContext], Any] | None = None  # default: the first field
    default: bool = True  # ticked when a user exports this kind for the first time
    annotations: Mapping[str, Callable[[], Any]] = field(default_factory=dict)

    @property
    def names(self) -> tuple[str, ...]:
        return self.fields or (self.key,)

    def value(self, row: dict, context: ExportContext):
        if self.get is not None:
            return self.get(row, context)
        return row[self.names[0]]


@dataclass(frozen=True)
class ExportKind:
    key: str
    label: Promise
    description: Promise
    list_name: str  # the list whose filter the export takes: orders, invoices, payments …
    filters_type: type
    rows: Callable[[Shop, Any], QuerySet]  # the rows, narrowed by the list's filter, in order
    columns: tuple[Column, ...]
    module: str = ""  # a module the shop can switch off (quotes, returns)
    # Values computed in Python for a chunk of rows (the quotes' totals), before the columns.
    complete: Callable[[list[dict], ExportContext], None] | None = None

    def column(self, key: str) -> Column | None:
        return next((column for column in self.columns if column.key == key), None)

    @property
    def default_columns(self) -> list[str]:
        return [column.key for column in self.columns if column.default]


def _label(choices) -> Callable[[Any], str]:
    labels = dict(choices)
    return lambda value: str(labels.get(value, value or ""))


def _joined(*names: str) -> Callable[[dict, ExportContext], str]:
    return lambda row, context: " ".join(str(row[name]) for name in names if row[name])


def _choice(name: str, choices) -> Callable[[dict, ExportContext], str]:
    label = _label(choices)
    return lambda row, context: label(row[name])


def _status(kind: str, name: str) -> Callable[[dict, ExportContext], str]:
    return lambda row, context: context.status(kind, row[name]) if row[name] else ""


def _option_label(prefix: str) -> Callable[[dict, ExportContext], str]:
    """A return reason or action in the export's language (the shop's own words)."""

    def get(row, context):
        nl, en = row[f"{prefix}__label_nl"], row[f"{prefix}__label_en"]
        return (nl if context.language[:2] == "nl" else en) or nl or en or ""

    return get


def _text(key, label, name=None, **kw) -> Column:
    return Column(key, label, TEXT, (name,) if name else (), **kw)


def _amount(key, label, name=None, **kw) -> Column:
    return Column(key, label, AMOUNT, (name,) if name else (), **kw)


# --- Orders and order lines -------------------------------------------------------------------


def _paid_annotation():
    return ExpressionWrapper(order_paid_condition(), output_field=BooleanField())


def _address(prefix: str, default: bool) -> tuple[Column, ...]:
    where = _("Billing") if prefix == "billing" else _("Delivery")
    words = {
        "name": _("name"),
        "company": _("company"),
        "street": _("street and number"),
        "postcode": _("postcode"),
        "city": _("city"),
        "country": _("country"),
    }
    return tuple(
        _text(f"{prefix}_{part}", _FieldLabel(where, word), default=default and part != "company")
        for part, word in words.items()
    )


class _FieldLabel(Promise):
    """ "Billing postcode": the part of the address and the field, each translated lazily."""

    def __init__(self, where, word):
        self.where, self.word = where, word

    def __str__(self) -> str:
        return f"{self.where}: {self.word}"


# The customer's name on an order or a quote (both keep first and last name).
CUSTOMER_NAME = Column(
    "customer",
    _("Customer"),
    fields=("first_name", "last_name"),
    get=_joined("first_name", "last_name"),
)

ORDER_COLUMNS = (
    _text("number", _("Order number")),
    Column("created_at", _("Order date"), DATETIME),
    Column("status", _("Status"), get=lambda row, context: context.order_status(row["status"])),
    Column(
        "paid",
        _("Paid"),
        BOOLEAN,
        ("export_paid",),
        annotations={"export_paid": _paid_annotation},
    ),
    CUSTOMER_NAME,
    _text("company", _("Company")),
    _text("email", _("E-mail address")),
    _text("phone", _("Phone"), default=False),
    _text("vat_number", _("VAT number"), default=False),
    *_address("billing", True),
    *_address("delivery", False),
    Column(
        "shipping_method",
        _("Shipping method"),
        get=_choice("shipping_method", ShippingMethod.choices),
        default=False,
    ),
    _amount("shipping_cost", _("Shipping cost")),
    Column("item_count", _("Items"), INTEGER),
    _amount("total_net", _("Total excl. VAT")),
    _amount("total_vat", _("VAT")),
    _amount("total_gross", _("Total incl. VAT")),
    _text("currency", _("Currency"), default=False),
    Column("vat_reverse_charged", _("VAT reverse charged"), BOOLEAN, default=False),
    _text("note", _("Note from the customer"), default=False),
)


def _orders(shop: Shop, filters: OrderFilters) -> QuerySet:
    return filtered_orders(shop=shop, filters=filters).order_by("created_at", "id")


def _order_lines(shop: Shop, filters: OrderFilters) -> QuerySet:
    orders = filtered_orders(shop=shop, filters=filters).order_by().values("pk")
    return OrderLine.objects.filter(shop=shop, order_id__in=orders).order_by("order_id", "position")


ORDER_LINE_COLUMNS = (
    _text("order_number", _("Order number"), "order__number"),
    Column("order_date", _("Order date"), DATETIME, ("order__created_at",)),
    Column(
        "order_status",
        _("Order status"),
        fields=("order__status",),
        get=lambda row, context: context.order_status(row["order__status"]),
        default=False,
    ),
    Column(
        "customer",
        _("Customer"),
        fields=("order__first_name", "order__last_name"),
        get=_joined("order__first_name", "order__last_name"),
    ),
    _text("email", _("E-mail address"), "order__email", default=False),
    Column("position", _("Line"), INTEGER, default=False),
    _text("sku", _("SKU")),
    _text("name", _("Description")),
    Column("quantity", _("Quantity"), INTEGER),
    _amount("unit_price", _("Unit price")),
    Column("vat_rate", _("VAT rate (%)"), NUMBER),
    _amount("total_net", _("Total excl. VAT")),
    _amount("total_gross", _("Total incl. VAT")),
)


# --- Invoices, invoice lines, credit invoices ---------------------------------------------------


def _invoices(shop: Shop, filters: InvoiceFilters) -> QuerySet:
    return filtered_invoices(shop=shop, filters=filters).order_by("issued_on", "id")


def _credit_invoices(shop: Shop, filters: InvoiceFilters) -> QuerySet:
    return _invoices(shop, replace(filters, kinds=(InvoiceKind.CREDIT.value,)))


def _invoice_lines(shop: Shop, filters: InvoiceFilters) -> QuerySet:
    invoices = filtered_invoices(shop=shop, filters=filters).order_by().values("pk")
    return InvoiceLine.objects.filter(shop=shop, invoice_id__in=invoices).order_by(
        "invoice__issued_on", "invoice_id", "position"
    )


INVOICE_COLUMNS = (
    _text("number", _("Invoice number")),
    Column("kind", _("Type"), get=_choice("kind", InvoiceKind.choices)),
    Column("issued_on", _("Invoice date"), DATE),
    Column("delivery_date", _("Delivery date"), DATE, default=False),
    _text("order_number", _("Order number")),
    _text("corrects", _("Corrects invoice"), "corrects__number", default=False),
    _text("customer_name", _("Customer")),
    _text("customer_company", _("Company")),
    _text("customer_email", _("E-mail address"), default=False),
    _text("customer_country", _("Country")),
    _text("customer_vat_number", _("VAT number")),
    _amount("total_net", _("Total excl. VAT")),
    _amount("total_vat", _("VAT")),
    _amount("total_gross", _("Total incl. VAT")),
    Column("state", _("Payment"), get=_status(StatusKind.INVOICE, "state")),
    Column("paid_on", _("Paid on"), DATE),
    _amount("amount_paid", _("Amount paid"), default=False),
    _text("currency", _("Currency"), default=False),
    Column("vat_reverse_charged", _("VAT reverse charged"), BOOLEAN, default=False),
)

CREDIT_INVOICE_COLUMNS = (
    *(column for column in INVOICE_COLUMNS if column.key not in {"kind", "corrects"}),
    _text("corrects", _("Corrects invoice"), "corrects__number"),
    Column("for_returned_goods", _("For returned goods"), BOOLEAN),
)

INVOICE_LINE_COLUMNS = (
    _text("invoice_number", _("Invoice number"), "invoice__number"),
    Column("invoice_date", _("Invoice date"), DATE, ("invoice__issued_on",)),
    Column(
        "kind",
        _("Type"),
        fields=("invoice__kind",),
        get=_choice("invoice__kind", InvoiceKind.choices),
        default=False,
    ),
    _text("order_number", _("Order number"), "invoice__order_number"),
    _text("customer", _("Customer"), "invoice__customer_name"),
    Column("position", _("Line"), INTEGER, default=False),
    _text("sku", _("SKU")),
    _text("description", _("Description")),
    Column("quantity", _("Quantity"), INTEGER),
    _amount("unit_price", _("Unit price")),
    Column("vat_rate", _("VAT rate (%)"), NUMBER),
    _amount("total_net", _("Total excl. VAT")),
    _amount("total_gross", _("Total incl. VAT")),
    Column("is_shipping", _("Shipping"), BOOLEAN, default=False),
)


# --- Payments -----------------------------------------------------------------------------------


def _payments(shop: Shop, filters: PaymentFilters) -> QuerySet:
    return filtered_payments(shop=shop, filters=filters).order_by("created_at", "id")


PAYMENT_COLUMNS = (
    Column("created_at", _("Started at"), DATETIME),
    Column("paid_at", _("Paid at"), DATETIME),
    _text("invoice_number", _("Invoice number"), "invoice__number"),
    _text("order_number", _("Order number"), "order__number"),
    Column("provider", _("Paid through"), get=_choice("provider", Provider.choices)),
    _text("method", _("Method")),
    _amount("amount", _("Amount")),
    _amount("amount_refunded", _("Paid back")),
    _text("currency", _("Currency"), default=False),
    Column("state", _("State"), get=_choice("state", PaymentState.choices)),
    _text("provider_payment_id", _("Provider reference"), default=False),
    _text("note", _("Note"), default=False),
)


# --- Customers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerFilters:
    """The Customers list's search (``search_customers``)."""

    query: str = ""


def _customers(shop: Shop, filters: CustomerFilters) -> QuerySet:
    return search_customers(shop=shop, query=filters.query)


def _billing(part: str):
    def annotation():
        return Subquery(
            Address.objects.filter(customer_id=OuterRef("pk"), is_default_billing=True)
            .order_by("pk")
            .values(part)[:1]
        )

    return annotation


def _billing_column(part: str, word, default: bool) -> Column:
    name = f"export_billing_{part}"
    return Column(
        f"billing_{part}",
        _FieldLabel(_("Billing"), word),
        fields=(name,),
        get=lambda row, context: row[name] or "",
        annotations={name: _billing(part)},
        default=default,
    )


CUSTOMER_COLUMNS = (
    _text("email", _("E-mail address")),
    _text("first_name", _("First name")),
    _text("last_name", _("Last name")),
    _text("company", _("Company")),
    _text("vat_number", _("VAT number"), default=False),
    _text("phone", _("Phone")),
    Column("language", _("Language"), get=_choice("language", Language.choices), default=False),
    Column(
        "has_account",
        _("Has an account"),
        BOOLEAN,
        ("export_has_account",),
        annotations={
            "export_has_account": lambda: ExpressionWrapper(
                ~Q(password=""), output_field=BooleanField()
            )
        },
    ),
    Column("created_at", _("Customer since"), DATETIME),
    _billing_column("street", _("street and number"), False),
    _billing_column("postcode", _("postcode"), False),
    _billing_column("city", _("city"), True),
    _billing_column("country", _("country"), True),
)


# --- Products with stock ------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductFilters:
    """All products, or only those for sale (what the storefront shows)."""

    for_sale: bool = False


def _products(shop: Shop, filters: ProductFilters) -> QuerySet:
    products = Product.objects.filter(shop=shop)
    if filters.for_sale:
        products = products.filter(active=True)
    return products.order_by("name", "sku", "id")


PRODUCT_COLUMNS = (
    _text("sku", _("SKU")),
    _text("name", _("Name")),
    _amount("price", _("Price")),
    Column("vat_rate", _("VAT rate (%)"), NUMBER),
    Column("active", _("For sale"), BOOLEAN),
    Column("track_stock", _("Stock tracked"), BOOLEAN),
    Column("stock_level", _("In stock"), INTEGER),
    _text("description", _("Description"), default=False),
    Column("created_at", _("Added at"), DATETIME, default=False),
)


# --- Returns (one row per returned product) -----------------------------------------------------


def _returns(shop: Shop, filters: ReturnFilters) -> QuerySet:
    returns = filtered_returns(shop=shop, filters=filters).order_by().values("pk")
    return ReturnLine.objects.filter(shop=shop, return_request_id__in=returns).order_by(
        "return_request__requested_at", "return_request_id", "id"
    )


RETURN_COLUMNS = (
    _text("return_number", _("Return number"), "return_request__number"),
    _text("order_number", _("Order number"), "return_request__order_number"),
    Column(
        "status",
        _("Status"),
        fields=("return_request__status",),
        get=_status(StatusKind.RETURN, "return_request__status"),
    ),
    Column("requested_at", _("Requested at"), DATETIME, ("return_request__requested_at",)),
    Column(
        "received_at", _("Received at"), DATETIME, ("return_request__received_at",), default=False
    ),
    _text("customer", _("Customer"), "return_request__customer_name"),
    _text("email", _("E-mail address"), "return_request__email", default=False),
    Column(
        "source",
        _("Requested through"),
        fields=("return_request__source",),
        get=_choice("return_request__source", ReturnSource.choices),
        default=False,
    ),
    _text("sku", _("SKU"), "order_line__sku"),
    _text("description", _("Description"), "order_line__name"),
    Column("quantity", _("Quantity"), INTEGER),
    Column("quantity_received", _("Quantity received"), INTEGER),
    Column(
        "reason",
        _("Reason"),
        fields=("reason__label_nl", "reason__label_en"),
        get=_option_label("reason"),
    ),
    Column(
        "action",
        _("Customer asks for"),
        fields=("action__label_nl", "action__label_en"),
        get=_option_label("action"),
    ),
    Column("restocked", _("Back in stock"), BOOLEAN),
    _text("condition_note", _("Condition"), default=False),
    _text("comment", _("Customer's comment"), "return_request__comment", default=False),
)


# --- Quotes -------------------------------------------------------------------------------------

QUOTE_PRICING_FIELDS = (
    "id",
    "revision",
    "shipping_method",
    "country",
    "vat_number",
    "shipping_fee",
)


def _quotes(shop: Shop, filters: QuoteFilters) -> QuerySet:
    return filtered_quotes(shop=shop, filters=filters).order_by("created_at", "id")


def complete_quotes(rows: list[dict], context: ExportContext) -> None:
    """Each quote's totals, of its current revision, by the quotes' own pricing rule: one
    query for the lines of the whole chunk."""
    current = {row["id"]: row["revision"] for row in rows}
    lines: dict[int, list[QuoteLine]] = {quote_id: [] for quote_id in current}
    for line in QuoteLine.objects.filter(quote_id__in=list(current)).order_by("position"):
        if line.revision == current[line.quote_id]:
            lines[line.quote_id].append(line)
    for row in rows:
        quote = SimpleNamespace(**{name: row[name] for name in QUOTE_PRICING_FIELDS})
        totals = quote_pricing(shop=context.shop, quote=quote, lines=lines[row["id"]]).totals
        row["export_net"], row["export_vat"], row["export_gross"] = (
            totals.net,
            totals.vat,
            totals.gross,
        )


def _quote_total(key, label, name) -> Column:
    return Column(key, label, AMOUNT, (name, *QUOTE_PRICING_FIELDS))


QUOTE_COLUMNS = (
    _text("number", _("Quote number")),
    Column("status", _("Status"), get=_status(StatusKind.QUOTE, "status")),
    Column("created_at", _("Made on"), DATETIME),
    Column("sent_at", _("Sent at"), DATETIME, default=False),
    Column("valid_until", _("Valid until"), DATE),
    CUSTOMER_NAME,
    _text("company", _("Company")),
    _text("email", _("E-mail address")),
    _text("country", _("Country"), default=False),
    _quote_total("total_net", _("Total excl. VAT"), "export_net"),
    _quote_total("total_vat", _("VAT"), "export_vat"),
    _quote_total("total_gross", _("Total incl. VAT"), "export_gross"),
    Column("accepted_at", _("Accepted at"), DATETIME, default=False),
    _text("order_number", _("Order number"), "order__number", default=False),
)
# The totals are computed after reading (complete_quotes), not selected.
COMPUTED_FIELDS = {"export_net", "export_vat", "export_gross"}


EXPORT_KINDS: dict[str, ExportKind] = {
    kind.key: kind
    for kind in (
        ExportKind(
            "orders",
            _("Orders"),
            _("One row per order: who ordered, the addresses, the totals and whether it is paid."),
            "orders",
            OrderFilters,
            _orders,
            ORDER_COLUMNS,
        ),
        ExportKind(
            "order_lines",
            _("Order lines"),
            _("One row per product ordered, with its order's number and date."),
            "orders",
            OrderFilters,
            _order_lines,
            ORDER_LINE_COLUMNS,
        ),
        ExportKind(
            "invoices",
            _("Invoices"),
            _("One row per invoice and credit invoice, with its totals and payment."),
            "invoices",
            InvoiceFilters,
            _invoices,
            INVOICE_COLUMNS,
        ),
        ExportKind(
            "invoice_lines",
            _("Invoice lines"),
            _("One row per line of an invoice or credit invoice, shipping included."),
            "invoices",
            InvoiceFilters,
            _invoice_lines,
            INVOICE_LINE_COLUMNS,
        ),
        ExportKind(
            "credit_invoices",
            _("Credit invoices"),
            _("One row per credit invoice, with the invoice it corrects."),
            "invoices",
            InvoiceFilters,
            _credit_invoices,
            CREDIT_INVOICE_COLUMNS,
        ),
        ExportKind(
            "payments",
            _("Payments"),
            _("One row per payment: online, by hand, paid or not."),
            "payments",
            PaymentFilters,
            _payments,
            PAYMENT_COLUMNS,
        ),
        ExportKind(
            "customers",
            _("Customers"),
            _("One row per customer, with their default billing address."),
            "customers",
            CustomerFilters,
            _customers,
            CUSTOMER_COLUMNS,
        ),
        ExportKind(
            "products",
            _("Products with stock"),
            _("One row per product: price, VAT rate and how many are in stock."),
            "products",
            ProductFilters,
            _products,
            PRODUCT_COLUMNS,
        ),
        ExportKind(
            "returns",
            _("Returns"),
            _("One row per product returned: the return, the reason and what was received."),
            "returns",
            ReturnFilters,
            _returns,
            RETURN_COLUMNS,
            module="returns",
        ),
        ExportKind(
            "quotes",
            _("Quotes"),
            _("One row per quote, with the totals of its current version."),
            "quotes",
            QuoteFilters,
            _quotes,
            QUOTE_COLUMNS,
            module="quotes",
            complete=complete_quotes,
        ),
    )
}

assert all(column.type in TYPES for kind in EXPORT_KINDS.values() for column in kind.columns)
assert all(
    len({column.key for column in kind.columns}) == len(kind.columns)
    for kind in EXPORT_KINDS.values()
)


def selected_fields(kind: ExportKind, columns: Sequence[Column]) -> tuple[list[str], dict]:
    """The values() names and the annotations the chosen columns read."""
    names: dict[str, None] = {}
    annotations = {}
    if kind.complete is not None:
        names.update(dict.fromkeys(QUOTE_PRICING_FIELDS))
    for column in columns:
        for name, make in column.annotations.items():
            annotations[name] = make()
        names.update(dict.fromkeys(n for n in column.names if n not in COMPUTED_FIELDS))
    return list(names), annotations


ZERO = Decimal("0.00")

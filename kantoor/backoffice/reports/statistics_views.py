"""The Statistics page and its CSV downloads. Thin: read the picker, refresh the shop's daily
aggregates, read the figures (kantoor.reports.statistics), lay them out as tables and charts.
A range that is not one gets the page with the form's message and status 400."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from kantoor.backoffice.access import shop_staff_required
from kantoor.backoffice.menu import entry_by_key
from kantoor.backoffice.orders.detail_views import status_labels
from kantoor.backoffice.payments.labels import method_label
from kantoor.backoffice.reports.charts import bar_list, time_chart
from kantoor.backoffice.reports.forms import METRICS, StatisticsForm
from kantoor.backoffice.views import render_in_shop
from kantoor.core.money import format_money
from kantoor.customers.countries import country_name
from kantoor.invoices.documents.pdf import download_response, safe_file_name
from kantoor.reports.csv_files import csv_text
from kantoor.reports.daily import NO_ONLINE_PAYMENT, PAID
from kantoor.reports.models import Breakdown
from kantoor.reports.services import refresh_statistics
from kantoor.reports.statistics import Period, StatisticsReport, Summary, statistics_report
from kantoor.returns.models import ReturnReason

CSV_TYPE = "text/csv; charset=utf-8"
MONEY, COUNT, PERCENT, TEXT = "money", "count", "percent", "text"


@dataclass
class Table:
    """A table of the page, the same rows as its CSV download."""

    key: str
    title: str
    columns: list[tuple[str, str]]  # (heading, kind)
    rows: list[list] = field(default_factory=list)
    note: str = ""

    def cells(self, currency: str) -> list[list[tuple[str, str]]]:
        """The rows as (text, kind) for the page."""
        return [
            [
                (_display(value, kind, currency), kind)
                for value, (_h, kind) in zip(row, self.columns, strict=True)
            ]
            for row in self.rows
        ]


def _display(value, kind: str, currency: str) -> str:
    if value is None:
        return "—"
    if kind == MONEY:
        return format_money(value, currency)
    if kind == PERCENT:
        return formats.number_format(value, 1, use_l10n=True) + " %"
    if kind == COUNT:
        return formats.number_format(value, 0, use_l10n=True, force_grouping=True)
    return str(value)


def _change(current, previous) -> Decimal | None:
    if current is None or previous in (None, 0):
        return None
    return (
        Decimal(100) * (Decimal(current) - Decimal(previous)) / abs(Decimal(previous))
    ).quantize(Decimal("0.1"))


# The summary's figures: (key, label, kind, help text).
def _figures() -> list[tuple[str, str, str, str]]:
    return [
        (
            "gross_sales",
            _("Gross sales"),
            MONEY,
            _("Unit price × quantity ordered, excl. VAT and shipping, on the order date."),
        ),
        (
            "returns",
            _("Returns and credits"),
            MONEY,
            _("Credit invoices (returns, cancellations, corrections) on their date, excl. VAT."),
        ),
        ("net_sales", _("Net sales"), MONEY, _("Gross sales minus returns and credits.")),
        (
            "shipping",
            _("Shipping"),
            MONEY,
            _("Shipping charged minus shipping credited, excl. VAT."),
        ),
        ("vat", _("VAT"), MONEY, _("VAT on the invoices minus VAT on the credit invoices.")),
        ("total", _("Total"), MONEY, _("Net sales plus shipping plus VAT.")),
        ("orders", _("Orders"), COUNT, _("Orders placed, cancelled ones included.")),
        (
            "orders_new_customers",
            _("Orders from new customers"),
            COUNT,
            _("The customer's first order in your shop."),
        ),
        (
            "orders_returning_customers",
            _("Orders from returning customers"),
            COUNT,
            _("Customers who had ordered before."),
        ),
        ("units", _("Units sold"), COUNT, _("Units on the invoices of the orders placed.")),
        ("average_order_value", _("Average order value"), MONEY, _("Net sales ÷ orders.")),
        ("returns_requested", _("Returns requested"), COUNT, _("Return requests received.")),
        ("units_returned", _("Units asked to return"), COUNT, _("Units on those requests.")),
        ("return_rate", _("Return rate"), PERCENT, _("Units asked to return ÷ units sold.")),
    ]


KPIS = ("net_sales", "orders", "average_order_value", "units", "returns", "total")


def _summary_table(report: StatisticsReport) -> Table:
    compared = report.comparison
    columns = [(_("Figure"), TEXT), (report.current.days.label, "")]
    if compared:
        columns += [(compared.days.label, ""), (_("Change"), PERCENT)]
    table = Table("summary", _("Figures"), columns)
    for key, label, _kind, _help in _figures():
        value = getattr(report.current.summary, key)
        row = [label, value]
        if compared:
            before = getattr(compared.summary, key)
            row += [before, _change(value, before)]
        table.rows.append(row)
    return table


def _metric(summary: Summary, metric: str):
    return getattr(summary, metric)


def _over_time_table(report: StatisticsReport, metric: str) -> Table:
    kind = COUNT if metric in ("orders", "units") else MONEY
    compared = report.comparison
    columns = [(_("Period"), TEXT), (str(METRICS[metric]), kind)]
    if compared:
        columns += [(_("Compared period"), TEXT), (_("Compared"), kind)]
    table = Table("over_time", _("%(figure)s over time") % {"figure": METRICS[metric]}, columns)
    for index, bucket in enumerate(report.current.buckets):
        row = [bucket.label, _metric(bucket.summary, metric)]
        if compared:
            other = compared.buckets[index] if index < len(compared.buckets) else None
            row += [other.label if other else "", _metric(other.summary, metric) if other else None]
        table.rows.append(row)
    return table


# The columns a product table may show: (heading, kind, the figure's attribute).
PRODUCT_COLUMNS = {
    "name": (gettext_lazy("Product"), TEXT, "name"),
    "sku": (gettext_lazy("SKU"), TEXT, "sku"),
    "units": (gettext_lazy("Units sold"), COUNT, "units"),
    "net_sales": (gettext_lazy("Net sales"), MONEY, "net_sales"),
    "units_returned": (gettext_lazy("Units asked to return"), COUNT, "units_returned"),
    "credits": (gettext_lazy("Credited"), MONEY, "credits"),
}


def _product_table(
    report: StatisticsReport, by: str, key: str, title: str, columns: tuple[str, ...]
) -> Table:
    chosen = [PRODUCT_COLUMNS[column] for column in columns]
    table = Table(key, title, [(str(heading), kind) for heading, kind, _a in chosen])
    for product in report.top_products(by):
        table.rows.append([getattr(product, attribute) for _h, _k, attribute in chosen])
    return table


def _breakdown_table(
    report: StatisticsReport, dimension: str, key: str, title: str, heading: str, label
) -> Table:
    table = Table(
        key, title, [(heading, TEXT), (_("Orders"), COUNT), (_("Total excl. VAT"), MONEY)]
    )
    for figure in report.breakdowns.get(dimension, []):
        table.rows.append([label(figure.key), figure.count, figure.amount])
    return table


def _tables(request, report: StatisticsReport, metric: str) -> dict[str, Table]:
    statuses = status_labels(request)
    reasons = {
        str(reason.pk): reason.label_for(request.LANGUAGE_CODE)
        for reason in ReturnReason.objects.filter(shop=request.shop)
    }
    tables = [
        _summary_table(report),
        _over_time_table(report, metric),
        _product_table(
            report, "net_sales", "products", _("Top products by net sales"), tuple(PRODUCT_COLUMNS)
        ),
        _product_table(
            report, "units", "products_units", _("Top products by units sold"), ("name", "units")
        ),
        _product_table(
            report,
            "units_returned",
            "products_returned",
            _("Most returned products"),
            ("name", "units_returned", "credits"),
        ),
        Table(
            "customers",
            _("Top customers"),
            [
                (_("Customer"), TEXT),
                (_("Orders"), COUNT),
                (_("Total excl. VAT"), MONEY),
            ],
            [[c.name, c.orders, c.amount] for c in report.customers],
        ),
        _breakdown_table(
            report,
            Breakdown.METHOD,
            "methods",
            _("By payment method"),
            _("Payment method"),
            lambda key: method_label(key) if key != NO_ONLINE_PAYMENT else _("No online payment"),
        ),
        _breakdown_table(
            report, Breakdown.COUNTRY, "countries", _("By country"), _("Country"), country_name
        ),
        _breakdown_table(
            report,
            Breakdown.STATUS,
            "statuses",
            _("By status"),
            _("Status"),
            lambda key: statuses.get(int(key), key),
        ),
        _breakdown_table(
            report,
            Breakdown.PAID,
            "paid",
            _("Paid and open"),
            _("Payment"),
            lambda key: _("Paid") if key == PAID else _("Open"),
        ),
        Table(
            "reasons",
            _("Return reasons"),
            [(_("Reason"), TEXT), (_("Units asked to return"), COUNT)],
            [
                [reasons.get(figure.key, figure.key), figure.count]
                for figure in sorted(
                    report.breakdowns.get(Breakdown.REASON, []), key=lambda f: (-f.count, f.key)
                )
            ],
        ),
        Table(
            "ageing",
            _("Open receivables"),
            [(_("Days past the due date"), TEXT), (_("Invoices"), COUNT), (_("Open"), MONEY)],
            [[figure.label, figure.invoices, figure.amount] for figure in report.ageing],
            note=_(
                "Unpaid invoices today, whatever the period; due 14 days after the invoice date."
            ),
        ),
    ]
    return {table.key: table for table in tables}


def _page(request, context: dict, *, status: int = 200) -> HttpResponse:
    response = render_in_shop(
        request, "backoffice/reports/statistics.html", context, active=entry_by_key("statistics")
    )
    response.status_code = status
    return response


def _report(request) -> tuple[StatisticsForm, StatisticsReport | None]:
    form = StatisticsForm.from_query(request.GET)
    chosen = form.statistics_range(shop=request.shop)
    if chosen is None:
        return form, None
    refresh_statistics(shop=request.shop)
    return form, statistics_report(shop=request.shop, statistics_range=chosen)


def _kpis(report: StatisticsReport, currency: str) -> list[dict]:
    figures = {key: (label, kind, help_text) for key, label, kind, help_text in _figures()}
    cards = []
    for key in KPIS:
        label, kind, help_text = figures[key]
        value = getattr(report.current.summary, key)
        before = getattr(report.comparison.summary, key) if report.comparison else None
        cards.append(
            {
                "key": key,
                "label": label,
                "help": help_text,
                "value": _display(value, kind, currency),
                "compared": _display(before, kind, currency) if report.comparison else "",
                "change": _change(value, before),
            }
        )
    return cards


def _chart(report: StatisticsReport, metric: str, currency: str):
    kind = COUNT if metric in ("orders", "units") else MONEY

    def formatted(value):
        return _display(value, kind, currency)

    def tick(value: float) -> str:
        if kind == COUNT:
            return formats.number_format(round(value), 0, use_l10n=True, force_grouping=True)
        return formats.number_format(round(value), 0, use_l10n=True, force_grouping=True)

    def values(period: Period | None):
        return [_metric(bucket.summary, metric) for bucket in period.buckets] if period else None

    return time_chart(
        title=_("%(figure)s over time") % {"figure": METRICS[metric]},
        labels=[bucket.short_label for bucket in report.current.buckets],
        values=values(report.current),
        comparison=values(report.comparison),
        formatted=formatted,
        tick_label=tick,
    )


@require_GET
@shop_staff_required
def statistics_page(request: HttpRequest, shop_slug: str) -> HttpResponse:
    form, report = _report(request)
    if report is None:
        return _page(
            request,
            {
                "form": form,
                "vat_url": reverse("backoffice:vat_return", kwargs={"shop_slug": shop_slug}),
            },
            status=400,
        )
    currency = request.shop.currency
    metric = form.cleaned_data["metric"]
    tables = _tables(request, report, metric)
    query = "?" + urlencode(form.query())
    top = report.top_products("net_sales")
    return _page(
        request,
        {
            "form": form,
            "report": report,
            "kpis": _kpis(report, currency),
            "chart": _chart(report, metric, currency),
            "product_chart": bar_list(
                title=_("Top products by net sales"),
                labels=[product.name for product in top],
                values=[product.net_sales for product in top],
                formatted=lambda value: format_money(value, currency),
            ),
            "tables": {key: (table, table.cells(currency)) for key, table in tables.items()},
            "summary_rows": _summary_rows(tables["summary"], currency),
            "csv_urls": {
                key: reverse(
                    "backoffice:statistics_csv", kwargs={"shop_slug": shop_slug, "table": key}
                )
                + query
                for key in tables
            },
            "vat_url": reverse("backoffice:vat_return", kwargs={"shop_slug": shop_slug}),
        },
    )


def _summary_rows(table: Table, currency: str) -> list[dict]:
    """The summary table per row, each value in its row's kind (money, count, percent)."""
    rows = []
    for (key, _label, kind, help_text), row in zip(_figures(), table.rows, strict=True):
        rows.append(
            {
                "key": key,
                "label": row[0],
                "help": help_text,
                "values": [_display(value, kind, currency) for value in row[1:3]],
                "change": row[3] if len(row) > 3 else None,
            }
        )
    return rows


@require_GET
@shop_staff_required
def statistics_csv(request: HttpRequest, shop_slug: str, table: str) -> HttpResponse:
    form, report = _report(request)
    if report is None:
        return _page(request, {"form": form}, status=400)
    tables = _tables(request, report, form.cleaned_data["metric"])
    chosen = tables.get(table)
    if chosen is None:
        raise Http404(_("There is no such table on the Statistics page."))
    days = report.current.days
    text = csv_text([heading for heading, _kind in chosen.columns], chosen.rows)
    return download_response(
        text.encode("utf-8"),
        content_type=CSV_TYPE,
        filename=safe_file_name(
            f"{table}-{request.shop.slug}-{days.start.isoformat()}_{days.end.isoformat()}"
        )
        + ".csv",
    )

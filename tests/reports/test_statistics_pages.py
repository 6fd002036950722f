"""The Statistics page through the HTTP stack: figures with their comparison, the chart and its
table, every table as CSV, the shop's staff only, and a clear 400 for a range that is none."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.urls import reverse

from kantoor.invoices.models import InvoiceKind, InvoiceLine
from kantoor.reports.csv_files import BOM
from tests.reports.test_statistics import at, on

DAY = datetime.date(2026, 3, 2)
LAST_YEAR = datetime.date(2025, 3, 2)


def url(shop, name="statistics", **kwargs):
    return reverse(f"backoffice:{name}", kwargs={"shop_slug": shop.slug, **kwargs})


@pytest.fixture
def staff(client, shop, make_staff):
    client.force_login(make_staff(shop))
    return client


@pytest.fixture
def sales(shop, products, make_order):
    with on(at(DAY)):
        first = make_order(shop, products[:2], [2, 1], email="anna@example.test")
        make_order(shop, products[:1], [1], email="bert@example.test")
    with on(at(LAST_YEAR)):
        make_order(shop, products[:1], [1], email="anna@example.test")
    return first


MARCH = {"preset": "custom", "start": "2026-03-01", "end": "2026-03-31", "compare": "last_year"}


def test_the_page_shows_the_figures_with_their_comparison(staff, shop, sales):
    response = staff.get(url(shop), MARCH)
    assert response.status_code == 200
    page = response.content.decode()
    report = response.context["report"]
    assert report.current.summary.orders == 2 and report.comparison.summary.orders == 1
    assert report.range.grouping == "day" and len(report.current.buckets) == 31
    assert 'data-kpi="net_sales"' in page and "+100.0 %" in page  # orders: 2 against 1
    assert 'data-chart="over-time"' in page and "<polyline" in page  # bars and the comparison
    assert 'data-chart="products"' in page and products_named(page)
    assert '<title id="chart-title">' in page and "data-chart-table" in page
    assert url(shop, "vat_return") in page


def products_named(page: str) -> bool:
    return "Fietsbel" in page


def test_the_default_page_and_every_preset(staff, shop, sales):
    assert staff.get(url(shop)).status_code == 200
    for preset in ("today", "7d", "30d", "90d", "month", "quarter", "year"):
        for compare in ("previous", "last_year", "none"):
            response = staff.get(url(shop), {"preset": preset, "compare": compare})
            assert response.status_code == 200, (preset, compare)
    five_years = {"preset": "custom", "start": "2021-04-01", "end": "2026-03-31"}
    response = staff.get(url(shop), {**five_years, "group": "auto", "metric": "orders"})
    assert response.status_code == 200 and response.context["report"].range.grouping == "month"


def test_every_table_downloads_as_csv(staff, shop, sales):
    page = staff.get(url(shop), MARCH)
    for key in page.context["csv_urls"]:
        response = staff.get(url(shop, "statistics_csv", table=key), MARCH)
        assert response.status_code == 200, key
        assert response["Content-Type"].startswith("text/csv")
        text = response.content.decode("utf-8")
        assert text.startswith(BOM) and ";" in text.splitlines()[0]
    summary = staff.get(url(shop, "statistics_csv", table="summary"), MARCH).content.decode()
    lines = InvoiceLine.objects.filter(
        invoice__kind=InvoiceKind.DEBIT, invoice__order__created_at__date=DAY, is_shipping=False
    )
    net = sum(line.total_net for line in lines)
    rows = summary.replace("\r", "").splitlines()
    assert "Orders;2;1;100,0" in rows
    assert any(row.startswith(f"Net sales;{format(net, 'f').replace('.', ',')};") for row in rows)
    assert staff.get(url(shop, "statistics_csv", table="nope"), MARCH).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        {"preset": "custom", "start": "2026-03-31", "end": "2026-03-01"},  # inverted
        {"preset": "custom", "start": "1975-01-01", "end": "2025-01-01"},  # 50 years
        {"preset": "custom", "start": "2026-02-30", "end": "2026-03-01"},  # no such day
        {"preset": "custom", "start": "2026-03-01"},  # no end
        {"preset": "forever"},
        {"compare": "tomorrow"},
        {"group": "hour"},
        {"metric": "profit"},
    ],
)
def test_a_range_that_is_none_is_a_clear_message(staff, shop, query):
    response = staff.get(url(shop), query)
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    assert staff.get(url(shop, "statistics_csv", table="summary"), query).status_code == 400


def test_only_the_shops_staff_see_its_statistics(client, shop, other_shop, make_staff, sales):
    client.force_login(make_staff(other_shop, email="andere@example.test"))
    assert client.get(url(shop), MARCH).status_code == 404
    assert client.get(url(shop, "statistics_csv", table="summary"), MARCH).status_code == 404
    own = client.get(url(other_shop), MARCH)
    assert own.status_code == 200 and own.context["report"].current.summary.orders == 0


def test_anonymous_visitors_are_sent_to_log_in(client, shop):
    response = client.get(url(shop))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_charts_coordinates_are_not_localised(staff, shop, sales):
    """Dutch writes 12,5; an SVG coordinate must stay 12.5 or the chart falls apart."""
    staff.cookies.load({settings.LANGUAGE_COOKIE_NAME: "nl"})
    response = staff.get(url(shop), MARCH, HTTP_ACCEPT_LANGUAGE="nl")
    page = response.content.decode()
    assert "Netto-omzet" in page
    coordinates = re.findall(
        r'<rect class="kt-chart-bar" x="([^"]+)" y="([^"]+)" width="([^"]+)"', page
    )
    assert coordinates
    for values in coordinates:
        for value in values:
            float(value)  # a comma would not parse

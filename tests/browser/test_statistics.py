"""The Statistics page in a real browser: the owner picks this month against the same month
last year, reads the key figures and their change, the chart and the table behind it, and
downloads the chart's figures as CSV."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_backoffice import log_in
from tests.reports.test_statistics import on

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def sales(transactional_db, shop, products, make_order):
    now = timezone.now()
    with on(now - datetime.timedelta(minutes=5)):
        make_order(shop, products[:2], [2, 1], email="anna@example.test")
        make_order(shop, products[:1], [3], email="bert@example.test")
    last_year = now.replace(year=now.year - 1) - datetime.timedelta(minutes=5)
    with on(last_year):
        make_order(shop, products[:1], [1], email="anna@example.test")


def test_the_owner_compares_this_month_with_last_year(page, screenshot, shop, owner, sales):
    log_in(page, owner.email)
    page.goto(f"/backoffice/{shop.slug}/")
    page.get_by_role("link", name="Statistics").first.click()
    page.get_by_label("Period", exact=True).select_option("month")
    page.get_by_label("Compare with").select_option("last_year")
    page.get_by_role("button", name="Show").click()
    orders = page.locator('[data-kpi="orders"]')
    expect(orders).to_contain_text("2")
    expect(orders).to_contain_text("+100.0 %")
    chart = page.locator('svg[data-chart="over-time"]')
    expect(chart).to_be_visible()
    expect(chart.locator("rect.kt-chart-bar").first).to_be_attached()
    expect(chart.locator("polyline.kt-chart-line")).to_have_count(1)
    page.locator("[data-chart-table] summary").click()
    table = page.locator("[data-chart-table] table")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr").first).to_be_visible()
    expect(page.locator('[data-table="products"]')).to_contain_text("Fietsbel")
    screenshot("backoffice-statistics-1280")
    with page.expect_download() as info:
        page.locator('[data-csv="over_time"]').click()
    download = info.value
    assert download.suggested_filename.startswith("over_time-")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("Period;Net sales;")
    page.set_viewport_size(PHONE)
    screenshot("backoffice-statistics-390")

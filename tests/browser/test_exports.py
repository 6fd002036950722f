"""Export in a real browser: from the order list's filter to the Export page, a large export
whose progress bar runs to a download, and a small one that downloads at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from kantoor.core.statuses import OrderStatus
from kantoor.orders.models import Order
from kantoor.reports.exports import services
from kantoor.reports.exports.models import ExportJob
from tests.browser.test_backoffice import log_in

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def orders(transactional_db, shop, products, make_order, settings, tmp_path):
    settings.EXPORTS_ROOT = tmp_path / "exports"
    made = [
        make_order(shop, products[:2], [2, 1], email=f"klant{i}@example.test") for i in range(3)
    ]
    Order.objects.filter(pk=made[0].pk).update(status=OrderStatus.SHIPPED)
    return made


def test_a_large_export_runs_to_a_download(
    page, screenshot, shop, owner, orders, settings, monkeypatch
):
    settings.EXPORTS_DIRECT_ROWS = 1  # two orders are "large": a background job
    started: list[int] = []
    monkeypatch.setattr(services, "dispatch_export", started.append)  # the test runs it
    log_in(page, owner.email)
    page.goto(f"/backoffice/{shop.slug}/orders/?paid=no")
    page.get_by_role("link", name="Export these to a spreadsheet").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Orders")
    expect(page.locator("[data-export-rows]")).to_contain_text("3 rows")
    expect(page.locator("[data-export-rows]")).to_contain_text("Payment: not paid")
    page.get_by_label("Excel workbook (XLSX)").check()
    page.get_by_label("Phone").check()
    page.get_by_role("button", name="Export").click()
    row = page.locator("[data-export-job]").first
    expect(row.locator("progress")).to_be_visible()
    expect(row).to_contain_text("Waiting to start")
    screenshot("backoffice-export-progress-1280")
    assert len(started) == 1
    services.run_export_job(started[0])  # the worker
    download_link = row.locator("[data-export-download]")
    expect(download_link).to_be_visible(timeout=10_000)  # htmx polled the row
    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    assert Path(download.path()).read_bytes()[:2] == b"PK"
    assert (
        ExportJob.objects.get().columns[-1] != "phone"
        and "phone" in ExportJob.objects.get().columns
    )
    page.goto(f"/backoffice/{shop.slug}/export/?kind=orders")
    expect(page.get_by_label("Phone")).to_be_checked()  # remembered
    expect(page.get_by_label("Excel workbook (XLSX)")).to_be_checked()
    screenshot("backoffice-export-1280")
    page.set_viewport_size(PHONE)
    screenshot("backoffice-export-390")


def test_a_small_export_downloads_at_once(page, shop, owner, orders):
    log_in(page, owner.email)
    page.goto(f"/backoffice/{shop.slug}/export/?kind=order_lines")
    with page.expect_download() as info:
        page.get_by_role("button", name="Export").click()
    download = info.value
    assert download.suggested_filename.startswith("order-lines-")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("Order number;Order date;Customer;SKU;")
    assert len(lines) == 1 + 6

"""The Export page through the HTTP stack: the list's filter, a small export streamed, a large
one as a job with its progress row, download and notice, the shop's staff only, 404 after
expiry, and a clear 400 for what cannot be exported."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from kantoor.core.statuses import OrderStatus
from kantoor.orders.models import Order
from kantoor.reports.csv_files import BOM
from kantoor.reports.exports.models import ExportJob, ExportState
from kantoor.shops.models import WorkflowSettings


@pytest.fixture(autouse=True)
def _exports_root(settings, tmp_path):
    settings.EXPORTS_ROOT = tmp_path / "exports"


def url(shop, name="export", **kwargs):
    return reverse(f"backoffice:{name}", kwargs={"shop_slug": shop.slug, **kwargs})


@pytest.fixture
def staff(client, shop, make_staff):
    client.force_login(make_staff(shop))
    return client


@pytest.fixture
def orders(shop, products, make_order):
    first = make_order(shop, products[:2], [2, 1], email="anna@example.test")
    second = make_order(shop, products[:1], [1], email="bert@example.test")
    Order.objects.filter(pk=second.pk).update(status=OrderStatus.SHIPPED)
    return [first, second]


def export_form(**changes):
    data = {"kind": "orders", "columns": ["number", "total_gross"], "format": "csv"}
    data.update(changes)
    return data


def test_the_page_lists_the_kinds_the_columns_and_the_rows_of_the_filter(staff, shop, orders):
    response = staff.get(url(shop), {"kind": "orders", "status": str(OrderStatus.SHIPPED.value)})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-kind="invoices"' in page and 'data-kind="quotes"' in page
    assert response.context["rows"] == 1
    assert f'name="status" value="{OrderStatus.SHIPPED.value}"' in page  # kept in the form
    assert 'value="total_gross"' in page and "Shipped" in page  # a column; the filter's chip
    # Order lines come from the same list: its link keeps the filter; invoices' does not.
    assert f'href="{url(shop)}?kind=order_lines&amp;status={OrderStatus.SHIPPED.value}"' in page
    assert f'href="{url(shop)}?kind=invoices"' in page


def test_a_small_export_streams_at_once(staff, shop, orders):
    response = staff.post(url(shop), export_form(status=str(OrderStatus.SHIPPED.value)))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="orders-fietsen-')
    text = b"".join(response.streaming_content).decode()
    assert text.startswith(BOM + "Order number;Total incl. VAT\r\n")
    assert orders[1].number in text and orders[0].number not in text


def test_a_large_export_runs_in_the_background_with_progress_and_a_notice(
    staff, shop, orders, settings, django_capture_on_commit_callbacks
):
    settings.EXPORTS_DIRECT_ROWS = 1
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(url(shop), export_form(format="xlsx"))
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#export-{job.pk}")
    assert job.state == ExportState.DONE and job.rows_done == 2
    page = staff.get(response["Location"]).content.decode()
    assert "Your export of Orders is ready." in page  # the notice, once
    assert url(shop, "export_download", job_id=job.pk) in page
    assert "Your export of Orders is ready." not in staff.get(url(shop)).content.decode()
    download = staff.get(url(shop, "export_download", job_id=job.pk))
    assert download.status_code == 200 and download["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    assert b"".join(download.streaming_content)[:2] == b"PK"
    row = staff.get(url(shop, "export_job", job_id=job.pk))
    assert row.status_code == 200 and b"data-export-download" in row.content


def test_a_running_export_polls_its_progress(staff, shop, make_staff):
    job = ExportJob.objects.create(
        shop=shop,
        user=make_staff(shop),
        kind="orders",
        format="csv",
        columns=["number"],
        state=ExportState.RUNNING,
        rows_total=200,
        rows_done=50,
    )
    row = staff.get(url(shop, "export_job", job_id=job.pk)).content.decode()
    assert 'hx-trigger="every 1s"' in row and 'value="25" max="100"' in row


def test_another_shops_staff_and_anonymous_visitors_get_nothing(
    client,
    shop,
    other_shop,
    owner,
    make_staff,
    settings,
    django_capture_on_commit_callbacks,
    orders,
):
    settings.EXPORTS_DIRECT_ROWS = 1
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(shop), export_form())
    job = ExportJob.objects.get()
    client.force_login(make_staff(other_shop, email="other@example.test"))
    for name in ("export_download", "export_job"):
        assert client.get(url(shop, name, job_id=job.pk)).status_code == 404
        assert client.get(url(other_shop, name, job_id=job.pk)).status_code == 404
    client.logout()
    response = client.get(url(shop, "export_download", job_id=job.pk))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_expired_download_is_not_found(
    staff, shop, orders, settings, django_capture_on_commit_callbacks
):
    settings.EXPORTS_DIRECT_ROWS = 1
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(url(shop), export_form())
    job = ExportJob.objects.get()
    ExportJob.objects.filter(pk=job.pk).update(
        expires_at=job.finished_at - datetime.timedelta(seconds=1)
    )
    assert staff.get(url(shop, "export_download", job_id=job.pk)).status_code == 404


@pytest.mark.parametrize(
    "data, message",
    [
        (export_form(columns=["number", "secret"]), "is not a column of this export"),
        (export_form(columns=[]), "Choose at least one column."),
        (export_form(format="pdf"), "Choose CSV or Excel"),
        (export_form(separator="|"), "semicolon or a comma"),
        (export_form(kind="taxes"), "kinds of export"),
        (export_form(date_from="2026-05-01", date_to="2026-04-01"), "before the start date"),
    ],
)
def test_what_cannot_be_exported_gets_a_clear_400(staff, shop, orders, data, message):
    response = staff.post(url(shop), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ExportJob.objects.exists()


def test_a_filter_value_of_another_shop_is_refused(
    staff, shop, other_shop, make_order, make_product
):
    foreign = make_order(other_shop, [make_product(other_shop)], [1], email="x@example.test")
    response = staff.get(url(shop), {"kind": "orders", "customer": foreign.customer_id})
    assert response.status_code == 400
    assert "That customer was not found in this shop." in response.content.decode()
    response = staff.post(url(shop), export_form(customer=foreign.customer_id))
    assert response.status_code == 400


def test_the_columns_chosen_come_back_next_time(staff, shop, orders):
    staff.post(url(shop), export_form(columns=["email", "number"], separator=","))
    form = staff.get(url(shop), {"kind": "orders"}).context["form"]
    assert form.initial == {"columns": ["number", "email"], "format": "csv", "separator": ","}


def test_the_order_list_links_to_exporting_its_rows(staff, shop, orders):
    page = staff.get(url(shop, "orders"), {"status": str(OrderStatus.SHIPPED.value)})
    link = url(shop) + f"?status={OrderStatus.SHIPPED.value}&amp;kind=orders"
    assert link in page.content.decode()


def test_a_kind_of_a_module_switched_off_is_not_offered(staff, shop):
    WorkflowSettings.objects.update_or_create(shop=shop, defaults={"quotes_enabled": False})
    page = staff.get(url(shop)).content.decode()
    assert 'data-kind="quotes"' not in page
    assert staff.get(url(shop), {"kind": "quotes"}).status_code == 400


def test_the_customer_list_links_to_exporting_its_search(staff, shop, orders):
    page = staff.get(url(shop, "customers"), {"q": "anna"}).content.decode()
    assert f"{url(shop)}?kind=customers&amp;q=anna" in page
    export = staff.get(url(shop), {"kind": "customers", "q": "anna"})
    assert export.context["rows"] == 1 and "Search: anna" in export.content.decode()

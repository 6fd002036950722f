"""Exports (kantoor/reports/exports): the rows of a kind narrowed by its list's filter, each
column in its type (CSV in both layouts, XLSX with number and date cells), formula injection
neutralised, the background job from queued to a file that expires, the sweep, and refusals."""

from __future__ import annotations

import csv
import datetime
import io
import os
import re
import zipfile
from decimal import Decimal

import pytest
from django.utils import timezone

from kantoor.core.statuses import OrderStatus
from kantoor.invoices.order_list import OrderFilters
from kantoor.orders.models import Order
from kantoor.reports.csv_files import BOM
from kantoor.reports.errors import InvalidExport
from kantoor.reports.exports.columns import EXPORT_KINDS, ProductFilters
from kantoor.reports.exports.models import ExportColumnChoice, ExportJob, ExportState
from kantoor.reports.exports.selectors import (
    count_export_rows,
    downloadable_export,
    export_context,
    export_rows,
    filters_from_json,
    filters_to_json,
)
from kantoor.reports.exports.services import (
    DirectExport,
    ExportRequest,
    plan_export,
    run_export_job,
    sweep_exports,
)
from kantoor.reports.exports.writers import XlsxSheet
from kantoor.returns.selectors import ReturnFilters
from kantoor.shops.models import WorkflowSettings

ORDER_COLUMNS = ("number", "created_at", "status", "paid", "customer", "total_gross")


@pytest.fixture(autouse=True)
def _exports_root(settings, tmp_path):
    settings.EXPORTS_ROOT = tmp_path / "exports"


@pytest.fixture
def orders(shop, products, make_order):
    first = make_order(shop, products[:2], [2, 1], email="anna@example.test")
    second = make_order(shop, products[:1], [1], email="bert@example.test")
    return [first, second]


def direct(shop, user, columns=ORDER_COLUMNS, kind="orders", **request) -> DirectExport:
    export = ExportRequest(kind=kind, columns=tuple(columns), **request)
    rows = count_export_rows(
        shop=shop,
        kind=EXPORT_KINDS[kind],
        filters=export.filters or EXPORT_KINDS[kind].filters_type(),
    )
    result = plan_export(shop=shop, user=user, request=export, rows=rows, language="en")
    assert isinstance(result, DirectExport)
    return result


def text_of(result: DirectExport) -> str:
    return b"".join(result.chunks).decode("utf-8")


def test_a_csv_export_has_a_bom_the_dutch_layout_and_each_type(shop, owner, orders):
    result = direct(shop, owner)
    assert result.filename.startswith("orders-fietsen-") and result.filename.endswith(".csv")
    text = text_of(result)
    assert text.startswith(BOM)
    lines = text[1:].split("\r\n")
    assert lines[0] == "Order number;Order date;Status;Paid;Customer;Total incl. VAT"
    first = lines[1].split(";")
    order = orders[0]
    assert first[0] == order.number
    local = timezone.localtime(order.created_at)
    assert first[1] == local.strftime("%Y-%m-%d %H:%M:%S")
    assert first[2] == "New" and first[3] == "No" and first[4] == "Jan Jansen"
    assert first[5] == format(order.total_gross, "f").replace(".", ",")
    assert len([line for line in lines if line]) == 3  # header and two orders


def test_the_international_layout_has_commas_and_decimal_points(shop, owner, orders):
    text = text_of(direct(shop, owner, separator=","))
    first = text[1:].split("\r\n")[1].split(",")
    assert first[-1] == format(orders[0].total_gross, "f")


def test_text_a_spreadsheet_would_run_as_a_formula_is_neutralised(shop, owner, orders):
    Order.objects.filter(pk=orders[0].pk).update(
        first_name='=HYPERLINK("http://evil.test","x")', last_name=""
    )
    cells = [
        cell
        for row in csv.reader(io.StringIO(text_of(direct(shop, owner))[1:]), delimiter=";")
        for cell in row
    ]
    assert '\'=HYPERLINK("http://evil.test","x")' in cells
    assert not any(cell.startswith("=") for cell in cells)


def test_an_xlsx_export_has_number_and_date_cells_and_never_a_formula(shop, owner, orders):
    Order.objects.filter(pk=orders[0].pk).update(first_name="=1+1", last_name="")
    result = direct(shop, owner, format="xlsx")
    assert result.filename.endswith(".xlsx")
    workbook = zipfile.ZipFile(io.BytesIO(b"".join(result.chunks)))
    sheet = workbook.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # no formula anywhere
    assert "=1+1" in sheet and 't="inlineStr"' in sheet  # the text as a string cell
    total = str(float(orders[0].total_gross))
    assert re.search(rf'<c r="F2"[^>]*><v>{re.escape(total)}</v></c>', sheet)  # a number
    assert re.search(r'<c r="B2" s="\d+"><v>\d+\.\d+</v></c>', sheet)  # a date serial
    styles = workbook.read("xl/styles.xml").decode()
    assert 'formatCode="yyyy-mm-dd hh:mm"' in styles


def test_the_lists_filter_narrows_the_rows_and_other_shops_never_show(
    shop, other_shop, owner, products, make_product, make_order, orders
):
    make_order(other_shop, [make_product(other_shop)], [1], email="other@example.test")
    Order.objects.filter(pk=orders[1].pk).update(status=OrderStatus.SHIPPED)
    text = text_of(direct(shop, owner, filters=OrderFilters(statuses=(OrderStatus.SHIPPED,))))
    assert orders[1].number in text and orders[0].number not in text
    everything = text_of(direct(shop, owner))
    assert "other@example.test" not in everything and everything.count("\r\n") == 3


def test_order_lines_are_one_row_per_product(shop, owner, orders):
    text = text_of(
        direct(shop, owner, kind="order_lines", columns=("order_number", "sku", "quantity"))
    )
    rows = [line.split(";") for line in text[1:].split("\r\n")[1:] if line]
    assert rows == [
        [orders[0].number, "BEL-01", "2"],
        [orders[0].number, "BOEK-01", "1"],
        [orders[1].number, "BEL-01", "1"],
    ]


def test_every_kind_exports_every_column(shop, owner, orders):
    for key, kind in EXPORT_KINDS.items():
        columns = [column.key for column in kind.columns]
        text = text_of(direct(shop, owner, kind=key, columns=columns))
        header = text[1:].split("\r\n")[0]
        assert header.count(";") == len(columns) - 1, key


def test_rows_read_in_small_chunks_are_the_same_rows(shop, owner, orders):
    kind = EXPORT_KINDS["order_lines"]
    context = export_context(shop=shop, language="en")
    one = list(
        export_rows(
            shop=shop, kind=kind, filters=OrderFilters(), columns=kind.columns, context=context
        )
    )
    small = list(
        export_rows(
            shop=shop,
            kind=kind,
            filters=OrderFilters(),
            columns=kind.columns,
            context=context,
            chunk_rows=1,
        )
    )
    assert one == small and len(one) == 3


@pytest.mark.parametrize(
    "change, message",
    [
        ({"kind": "taxes"}, "kinds of export"),
        ({"columns": ("number", "password")}, "“password” is not a column"),
        ({"columns": ()}, "at least one column"),
        ({"format": "pdf"}, "CSV or Excel"),
        ({"separator": "|"}, "semicolon or a comma"),
        ({"filters": ProductFilters()}, "filter does not belong"),
    ],
)
def test_a_request_kantoor_cannot_make_is_refused_with_a_reason(shop, owner, change, message):
    export = {"kind": "orders", "columns": ORDER_COLUMNS, **change}
    with pytest.raises(InvalidExport, match=message):
        plan_export(shop=shop, user=owner, request=ExportRequest(**export), rows=0, language="en")
    assert not ExportColumnChoice.objects.exists()


def test_a_kind_of_a_module_the_shop_switched_off_is_refused(shop, owner):
    WorkflowSettings.objects.update_or_create(shop=shop, defaults={"returns_enabled": False})
    with pytest.raises(InvalidExport):
        plan_export(
            shop=shop,
            user=owner,
            request=ExportRequest(kind="returns", columns=("return_number",)),
            rows=0,
            language="en",
        )


def test_the_choice_is_remembered_per_user_and_kind(shop, owner, orders):
    direct(shop, owner, columns=("total_gross", "number"), format="xlsx", separator=",")
    choice = ExportColumnChoice.objects.get(shop=shop, user=owner, kind="orders")
    assert choice.columns == ["total_gross", "number"]
    assert choice.format == "xlsx" and choice.options == {"separator": ","}
    direct(shop, owner, columns=("number",))
    assert ExportColumnChoice.objects.get(pk=choice.pk).columns == ["number"]


def test_filters_survive_the_trip_through_json():
    filters = OrderFilters(
        statuses=(1, 3),
        date_from=datetime.date(2026, 1, 1),
        date_to=datetime.date(2026, 1, 31),
        customer_id=7,
        query="jan",
        paid=False,
    )
    assert filters_from_json(OrderFilters, filters_to_json(filters)) == filters
    returns = ReturnFilters(reasons=(2,), stage="to_receive")
    assert filters_from_json(ReturnFilters, filters_to_json(returns)) == returns


def start_job(shop, user, settings, django_capture_on_commit_callbacks, **request):
    settings.EXPORTS_DIRECT_ROWS = 1
    export = ExportRequest(kind="orders", columns=ORDER_COLUMNS, **request)
    rows = count_export_rows(shop=shop, kind=EXPORT_KINDS["orders"], filters=OrderFilters())
    with django_capture_on_commit_callbacks(execute=True):
        job = plan_export(shop=shop, user=user, request=export, rows=rows, language="nl")
    assert isinstance(job, ExportJob)
    job.refresh_from_db()
    return job


def test_a_large_export_runs_as_a_job_to_a_file_kept_seven_days(
    shop, owner, orders, settings, django_capture_on_commit_callbacks
):
    job = start_job(shop, owner, settings, django_capture_on_commit_callbacks)
    assert job.state == ExportState.DONE and job.rows_done == job.rows_total == 2
    assert job.percent == 100 and job.file_size == job.file.size
    assert job.expires_at - job.finished_at == datetime.timedelta(days=7)
    content = job.file.open("rb").read().decode("utf-8")
    assert content.startswith(BOM + "Ordernummer;")  # in the language of the one who asked
    assert orders[0].number in content and orders[1].number in content
    assert str(settings.EXPORTS_ROOT) in job.file.path  # not under MEDIA_ROOT
    assert downloadable_export(shop=shop, job_id=job.pk) == job
    later = job.expires_at + datetime.timedelta(seconds=1)
    assert downloadable_export(shop=shop, job_id=job.pk, now=later) is None


def test_another_shop_cannot_download_a_job(
    shop, other_shop, owner, orders, settings, django_capture_on_commit_callbacks
):
    job = start_job(shop, owner, settings, django_capture_on_commit_callbacks)
    assert downloadable_export(shop=other_shop, job_id=job.pk) is None


def test_a_job_is_run_once(shop, owner, orders, settings, django_capture_on_commit_callbacks):
    job = start_job(shop, owner, settings, django_capture_on_commit_callbacks)
    finished = job.finished_at
    run_export_job(job.pk)  # a second delivery of the same task
    job.refresh_from_db()
    assert job.finished_at == finished and job.state == ExportState.DONE


def test_the_sweep_deletes_expired_files_and_starts_lost_jobs_again(
    shop, owner, orders, settings, django_capture_on_commit_callbacks
):
    job = start_job(shop, owner, settings, django_capture_on_commit_callbacks)
    path = job.file.path
    lost = ExportJob.objects.create(
        shop=shop,
        user=owner,
        kind="orders",
        format="csv",
        columns=["number"],
        filters={},
        updated_at=timezone.now() - datetime.timedelta(minutes=5),
    )
    died = ExportJob.objects.create(
        shop=shop,
        user=owner,
        kind="products",
        format="xlsx",
        columns=["sku", "price"],
        state=ExportState.RUNNING,
        updated_at=timezone.now() - datetime.timedelta(hours=1),
    )
    outcome = sweep_exports(now=job.expires_at + datetime.timedelta(minutes=1))
    assert outcome == {"deleted": 1, "restarted": 2}
    job.refresh_from_db()
    assert not job.file and downloadable_export(shop=shop, job_id=job.pk) is None
    assert not os.path.exists(path)
    lost.refresh_from_db()
    died.refresh_from_db()
    assert lost.state == died.state == ExportState.DONE
    assert died.file.open("rb").read()[:2] == b"PK"  # an XLSX (zip) file


def test_a_job_that_fails_says_so_and_leaves_no_file(shop, owner, settings):
    job = ExportJob.objects.create(
        shop=shop, user=owner, kind="orders", format="csv", columns=["nonsense"], filters={}
    )
    run_export_job(job.pk)
    job.refresh_from_db()
    assert job.state == ExportState.FAILED and "no longer exists" in job.error
    assert not job.file and not list((settings.EXPORTS_ROOT).glob("**/*.csv"))


def test_the_xlsx_sheet_writes_empty_cells_as_nothing(tmp_path):
    kind = EXPORT_KINDS["products"]
    columns = [kind.column("sku"), kind.column("price"), kind.column("active")]
    sheet = XlsxSheet(str(tmp_path / "p.xlsx"), "Products", ["SKU", "Price", "For sale"], columns)
    sheet.write(["A", None, True], ("Yes", "No"))
    sheet.write(["B", Decimal("1.50"), False], ("Yes", "No"))
    sheet.close()
    xml = zipfile.ZipFile(tmp_path / "p.xlsx").read("xl/worksheets/sheet1.xml").decode()
    assert 'r="B2"' not in xml and "<v>1.5</v>" in xml and "Yes" in xml and "No" in xml

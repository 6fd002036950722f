"""Exports: checked, remembered, streamed at once or made in the background (docs/exports.md).

- ``plan_export`` checks what was asked (kind, columns, format, separator) and remembers the
  user's choice for next time. Up to ``EXPORTS_DIRECT_ROWS`` rows it answers a ``DirectExport``
  that the view streams; above, it records an ``ExportJob`` and starts it after commit.
- ``run_export_job`` makes a job's file, a chunk of rows at a time, and writes its progress
  every ``PROGRESS_ROWS`` rows (the Export page polls it). Its file can be downloaded for
  ``EXPORTS_KEEP_DAYS`` days.
- ``sweep_exports`` (every ``EXPORTS_SWEEP_SECONDS``: celery beat, or the embedded sweeper)
  deletes the files that expired and starts again a job whose start was lost or whose worker
  died.

A job runs on a Celery worker when there is a broker; without one, in a thread of the web
server (so the page that started it is not held up), or right here in a script or a test.
"""

from __future__ import annotations

import datetime
import logging
import os
import secrets
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kantoor.celery import app as celery_app
from kantoor.messaging import embedded
from kantoor.reports.csv_files import DUTCH_EXCEL, INTERNATIONAL, CsvDialect
from kantoor.reports.errors import InvalidExport
from kantoor.reports.exports.columns import Column, ExportKind
from kantoor.reports.exports.models import (
    ExportColumnChoice,
    ExportFormat,
    ExportJob,
    ExportState,
    export_storage,
)
from kantoor.reports.exports.selectors import (
    export_context,
    export_kind,
    export_rows,
    filters_from_json,
    filters_to_json,
)
from kantoor.reports.exports.writers import XlsxSheet, csv_file_lines
from kantoor.shops.models import Shop
from kantoor.shops.modules import module_enabled

logger = logging.getLogger(__name__)

RUN_EXPORT_TASK = "kantoor.reports.run_export"  # kantoor/reports/tasks.py
PROGRESS_ROWS = 5000  # the job's progress is written after this many rows
LOST_START = datetime.timedelta(minutes=2)  # a job queued this long was never started
STALE_RUN = datetime.timedelta(minutes=10)  # a running job without progress this long died
SEPARATORS = {";": DUTCH_EXCEL, ",": INTERNATIONAL}
CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class ExportRequest:
    """What a user asked: the kind, its columns in order, the file format, the CSV
    separator (``;`` with a decimal comma, ``,`` with a decimal point) and the list's filter."""

    kind: str
    columns: tuple[str, ...]
    format: str = ExportFormat.CSV
    separator: str = ";"
    filters: object | None = None


@dataclass
class DirectExport:
    """A small export, to stream in the response: ``chunks`` yields the file's bytes."""

    filename: str
    content_type: str
    rows: int
    chunks: Iterator[bytes] = field(repr=False)


def _checked(shop: Shop, request: ExportRequest) -> tuple[ExportKind, list[Column], CsvDialect]:
    kind = export_kind(request.kind)
    if kind.module and not module_enabled(shop=shop, module=kind.module):
        raise InvalidExport(_("Choose one of the kinds of export listed."))
    if request.format not in ExportFormat.values:
        raise InvalidExport(_("Choose CSV or Excel (XLSX)."))
    dialect = SEPARATORS.get(request.separator)
    if dialect is None:
        raise InvalidExport(_("Choose a semicolon or a comma between the cells."))
    if not request.columns:
        raise InvalidExport(_("Choose at least one column."))
    columns = []
    for key in dict.fromkeys(request.columns):
        column = kind.column(key)
        if column is None:
            raise InvalidExport(
                _("“%(column)s” is not a column of this export.") % {"column": key[:60]}
            )
        columns.append(column)
    if request.filters is not None and not isinstance(request.filters, kind.filters_type):
        raise InvalidExport(_("The filter does not belong to this export."))
    return kind, columns, dialect


def _filters(kind: ExportKind, request: ExportRequest):
    return request.filters if request.filters is not None else kind.filters_type()


def file_name(shop: Shop, kind: str, export_format: str, at: datetime.datetime) -> str:
    day = timezone.localtime(at).date().isoformat()
    return f"{kind.replace('_', '-')}-{shop.slug}-{day}.{export_format}"


def _yes_no() -> tuple[str, str]:
    return _("Yes"), _("No")


def remember_export_choice(*, shop: Shop, user, request: ExportRequest) -> None:
    """The columns, format and separator the user chose for this kind, for next time."""
    ExportColumnChoice.objects.update_or_create(
        shop=shop,
        user=user,
        kind=request.kind,
        defaults={
            "columns": list(dict.fromkeys(request.columns)),
            "format": request.format,
            "options": {"separator": request.separator},
            "updated_at": timezone.now(),
        },
    )


def plan_export(
    *, shop: Shop, user, request: ExportRequest, rows: int, language: str
) -> DirectExport | ExportJob:
    """Check the request and remember the choice; then a stream to send now (up to
    EXPORTS_DIRECT_ROWS rows) or a background job, started when the transaction commits.
    ``rows`` is how many rows the filter leaves (``count_export_rows``)."""
    kind, columns, dialect = _checked(shop, request)
    filters = _filters(kind, request)
    with transaction.atomic():
        remember_export_choice(shop=shop, user=user, request=request)
        if rows <= settings.EXPORTS_DIRECT_ROWS:
            now = timezone.now()
            return DirectExport(
                filename=file_name(shop, kind.key, request.format, now),
                content_type=CONTENT_TYPES[request.format],
                rows=rows,
                chunks=_direct_chunks(shop, kind, columns, filters, dialect, request, language),
            )
        job = ExportJob.objects.create(
            shop=shop,
            user=user,
            kind=kind.key,
            format=request.format,
            options={"separator": request.separator, "language": language},
            filters=filters_to_json(filters),
            columns=[column.key for column in columns],
            rows_total=rows,
        )
        transaction.on_commit(partial(dispatch_export, job.pk))
    return job


def _direct_chunks(shop, kind, columns, filters, dialect, request, language) -> Iterator[bytes]:
    """The file's bytes, made while they are sent (the response iterates this)."""
    with translation.override(language):
        context = export_context(shop=shop, language=language)
        header = [str(column.label) for column in columns]
        rows = export_rows(shop=shop, kind=kind, filters=filters, columns=columns, context=context)
        yes_no = _yes_no()
        if request.format == ExportFormat.CSV:
            buffer: list[str] = []
            for line in csv_file_lines(header, columns, rows, dialect, yes_no):
                buffer.append(line)
                if len(buffer) >= 500:
                    yield "".join(buffer).encode()
                    buffer = []
            yield "".join(buffer).encode()
            return
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
            sheet = XlsxSheet(handle.name, str(kind.label), header, columns)
            for values in rows:
                sheet.write(values, yes_no)
            sheet.close()
            handle.seek(0)
            while block := handle.read(64 * 1024):
                yield block


# --- Background jobs -------------------------------------------------------------------------


def dispatch_export(job_id: int) -> None:
    """Start a committed job: on a worker (with a broker), in a thread of the web server
    (without one), or right here (a script, a test). Never raises: a job whose start is lost
    stays queued and the sweep starts it again."""
    try:
        if settings.CELERY_BROKER_URL:
            celery_app.send_task(RUN_EXPORT_TASK, args=[job_id])
        elif embedded.is_running():
            threading.Thread(
                target=_run_in_thread, args=(job_id,), name=f"export-{job_id}", daemon=True
            ).start()
        else:
            run_export_job(job_id)
    except Exception:
        logger.exception("Export %s stays queued for the sweep", job_id)


def _run_in_thread(job_id: int) -> None:
    try:
        run_export_job(job_id)
    finally:
        close_old_connections()


def _claim(job_id: int) -> ExportJob | None:
    """Move a queued job to running (once: a second worker for the same job gets None)."""
    now = timezone.now()
    with transaction.atomic():
        claimed = ExportJob.objects.filter(pk=job_id, state=ExportState.QUEUED).update(
            state=ExportState.RUNNING, updated_at=now, rows_done=0
        )
    if not claimed:
        return None
    return ExportJob.objects.select_related("shop").get(pk=job_id)


def run_export_job(job_id: int) -> None:
    """Make the job's file. A failure marks the job failed with what went wrong, for the
    page; a job that is not queued (done, or taken by another worker) is left alone."""
    job = _claim(job_id)
    if job is None:
        return
    storage = export_storage()
    name = f"{job.shop_id}/{job.pk}-{secrets.token_hex(8)}.{job.format}"
    path = storage.path(name)
    language = job.options.get("language") or settings.LANGUAGE_CODE
    try:
        kind = export_kind(job.kind)
        columns = [kind.column(key) for key in job.columns]
        if None in columns:
            raise InvalidExport(_("This export names a column that no longer exists."))
        filters = filters_from_json(kind.filters_type, job.filters)
        dialect = SEPARATORS.get(job.options.get("separator", ";"), DUTCH_EXCEL)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with translation.override(language):
            _write_file(job, kind, columns, filters, dialect, path, language)
    except Exception as error:
        logger.exception("Export %s failed", job_id)
        if storage.exists(name):
            storage.delete(name)
        with translation.override(language):
            message = (
                error.message
                if isinstance(error, InvalidExport)
                else _("The export could not be made. Try again, or choose fewer rows.")
            )
        ExportJob.objects.filter(pk=job_id).update(
            state=ExportState.FAILED, error=message, updated_at=timezone.now()
        )
        return
    now = timezone.now()
    with transaction.atomic():
        ExportJob.objects.filter(pk=job_id).update(
            state=ExportState.DONE,
            file=name,
            file_size=storage.size(name),
            finished_at=now,
            updated_at=now,
            expires_at=now + datetime.timedelta(days=settings.EXPORTS_KEEP_DAYS),
        )


def _write_file(job, kind, columns, filters, dialect, path, language) -> None:
    context = export_context(shop=job.shop, language=language)
    header = [str(column.label) for column in columns]
    yes_no = _yes_no()
    done = 0

    def counted(rows):
        nonlocal done
        for values in rows:
            yield values
            done += 1
            if done % PROGRESS_ROWS == 0:
                _progress(job.pk, done)

    rows = counted(
        export_rows(shop=job.shop, kind=kind, filters=filters, columns=columns, context=context)
    )
    if job.format == ExportFormat.CSV:
        with open(path, "w", encoding="utf-8", newline="") as handle:
            for line in csv_file_lines(header, columns, rows, dialect, yes_no):
                handle.write(line)
    else:
        sheet = XlsxSheet(path, str(kind.label), header, columns)
        for values in rows:
            sheet.write(values, yes_no)
        sheet.close()
    _progress(job.pk, done, total=done)


def _progress(job_id: int, done: int, total: int | None = None) -> None:
    values = {"rows_done": done, "updated_at": timezone.now()}
    if total is not None:
        values["rows_total"] = total
    ExportJob.objects.filter(pk=job_id, state=ExportState.RUNNING).update(**values)


def sweep_exports(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Delete expired files; start again jobs whose start was lost or whose worker died."""
    now = now or timezone.now()
    storage = export_storage()
    expired = ExportJob.objects.filter(state=ExportState.DONE, expires_at__lte=now).exclude(file="")
    deleted = 0
    for job in expired.only("pk", "file"):
        if storage.exists(job.file.name):
            storage.delete(job.file.name)
        ExportJob.objects.filter(pk=job.pk).update(file="")
        deleted += 1
    died = ExportJob.objects.filter(state=ExportState.RUNNING, updated_at__lt=now - STALE_RUN)
    died_ids = list(died.values_list("pk", flat=True))
    ExportJob.objects.filter(pk__in=died_ids, state=ExportState.RUNNING).update(
        state=ExportState.QUEUED, updated_at=now
    )
    lost = ExportJob.objects.filter(state=ExportState.QUEUED, updated_at__lt=now - LOST_START)
    again = [*died_ids, *lost.values_list("pk", flat=True)]
    for job_id in again:
        dispatch_export(job_id)
    return {"deleted": deleted, "restarted": len(again)}

"""The rows of an export and the exports of a shop (queries only; kantoor/reports/exports)."""

from __future__ import annotations

import dataclasses
import datetime
import typing
from collections.abc import Callable, Iterator, Sequence
from itertools import islice
from operator import itemgetter
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kantoor.reports.daily import shop_timezone
from kantoor.reports.errors import InvalidExport
from kantoor.reports.exports.columns import (
    DATETIME,
    EXPORT_KINDS,
    Column,
    ExportContext,
    ExportKind,
    selected_fields,
)
from kantoor.reports.exports.models import ExportColumnChoice, ExportJob, ExportState
from kantoor.shops.models import Shop
from kantoor.shops.selectors import status_appearances_for

CHUNK_ROWS = 2000  # rows read from the database at a time (a server-side cursor on PostgreSQL)
RECENT_EXPORTS = 10


def export_kind(key: str) -> ExportKind:
    kind = EXPORT_KINDS.get(key)
    if kind is None:
        raise InvalidExport(_("Choose one of the kinds of export listed."))
    return kind


def export_context(*, shop: Shop, language: str) -> ExportContext:
    return ExportContext(
        shop=shop, appearances=status_appearances_for(shop=shop), language=language
    )


def export_queryset(*, shop: Shop, kind: ExportKind, filters, columns: Sequence[Column]):
    """The rows of ``kind`` the list's ``filters`` leave, as values() of what ``columns`` read."""
    names, annotations = selected_fields(kind, columns)
    rows: QuerySet = kind.rows(shop, filters)
    if annotations:
        rows = rows.annotate(**annotations)
    return rows.values(*names)


def count_export_rows(*, shop: Shop, kind: ExportKind, filters) -> int:
    return kind.rows(shop, filters).order_by().count()


def export_rows(
    *,
    shop: Shop,
    kind: ExportKind,
    filters,
    columns: Sequence[Column],
    context: ExportContext,
    chunk_rows: int = CHUNK_ROWS,
) -> Iterator[list]:
    """Each row's values in ``columns``' order, read ``chunk_rows`` at a time: memory stays
    the same whatever the number of rows. Times are in the shop's time zone."""
    tz = shop_timezone(shop)
    moments = [index for index, column in enumerate(columns) if column.type == DATETIME]
    readers = [_reader(column, context) for column in columns]
    reader = export_queryset(shop=shop, kind=kind, filters=filters, columns=columns).iterator(
        chunk_size=chunk_rows
    )
    while chunk := list(islice(reader, chunk_rows)):
        if kind.complete is not None:
            kind.complete(chunk, context)
        for row in chunk:
            values = [read(row) for read in readers]
            for index in moments:
                if values[index] is not None:
                    values[index] = timezone.localtime(values[index], tz)
            yield values


def _reader(column: Column, context: ExportContext) -> Callable[[dict], Any]:
    """``column.value`` of a row, with what it reads looked up once per export."""
    if column.get is None:
        return itemgetter(column.names[0])
    get = column.get
    return lambda row: get(row, context)


# --- The filters of a background export, kept as JSON on the job ----------------------------


def filters_to_json(filters) -> dict:
    """A list's filter (a frozen dataclass of text, numbers, dates, tuples) as JSON values."""
    data = {}
    for item in dataclasses.fields(filters):
        value = getattr(filters, item.name)
        if isinstance(value, datetime.date):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        data[item.name] = value
    return data


def filters_from_json(filters_type: type, data: dict):
    """The filter ``filters_to_json`` wrote, back as ``filters_type``."""
    hints = typing.get_type_hints(filters_type)
    values = {}
    for item in dataclasses.fields(filters_type):
        if item.name not in data:
            continue
        value = data[item.name]
        if isinstance(value, list):
            value = tuple(value)
        elif isinstance(value, str) and "datetime.date" in str(hints[item.name]):
            value = datetime.date.fromisoformat(value)
        values[item.name] = value
    return filters_type(**values)


# --- The exports of a shop ---------------------------------------------------------------


def recent_exports(*, shop: Shop, user, limit: int = RECENT_EXPORTS) -> list[ExportJob]:
    """The user's latest background exports at this shop, newest first."""
    return _labelled(
        ExportJob.objects.filter(shop=shop, user=user).order_by("-created_at", "-id")[:limit]
    )


def _labelled(jobs) -> list[ExportJob]:
    """The jobs, each with ``kind_label``: what it exports in the shop owner's words."""
    jobs = list(jobs)
    for job in jobs:
        kind = EXPORT_KINDS.get(job.kind)
        job.kind_label = kind.label if kind else job.kind
    return jobs


def export_job(*, shop: Shop, job_id: int) -> ExportJob | None:
    """A job of this shop (another shop's job is not found, like a made-up one)."""
    return next(iter(_labelled(ExportJob.objects.filter(shop=shop, pk=job_id))), None)


def downloadable_export(*, shop: Shop, job_id: int, now=None) -> ExportJob | None:
    """A finished export of this shop whose file is still kept; None after it expired."""
    job = export_job(shop=shop, job_id=job_id)
    if job is None or job.state != ExportState.DONE or not job.file or job.is_expired(now):
        return None
    return job


def finished_exports(*, shop: Shop, job_ids: Sequence[int]) -> list[ExportJob]:
    """Of these jobs, the ones no longer in progress (for the notice that an export is ready)."""
    return _labelled(
        ExportJob.objects.filter(shop=shop, pk__in=list(job_ids))
        .exclude(state__in=(ExportState.QUEUED, ExportState.RUNNING))
        .order_by("created_at")
    )


def remembered_choice(*, shop: Shop, user, kind: str) -> ExportColumnChoice | None:
    return ExportColumnChoice.objects.filter(shop=shop, user=user, kind=kind).first()

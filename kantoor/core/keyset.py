"""Keyset pages for the back office's lists (orders, invoices, payments): no OFFSET, so page
5,000 and the last page cost what the first costs.

A list is sorted on one field and then the primary key. A page token ("cursor") is the sort
value and the primary key of the row the next page starts after, ``<value>~<pk>``; how the value
is written is the list's own (``Keyset.dump`` / ``Keyset.load``). A token that does not parse
raises InvalidCursor (an edited or stale URL): the list then shows its first page.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from kantoor.core.errors import KantoorError
from kantoor.core.parsing import date_in_calendar, parse_id


class InvalidCursor(KantoorError, ValueError):
    """A page token that does not belong to this sort order (edited or stale URL)."""

    code = "invalid_cursor"


@dataclass(frozen=True)
class KeysetPage:
    rows: list
    # Tokens for the neighbouring pages (None: there is none). "previous" is None on the first
    # page; "next" is None on the last page.
    previous_cursor: str | None
    next_cursor: str | None
    is_first: bool
    is_last: bool


@dataclass(frozen=True)
class Keyset:
    """A sort order: ``field`` then the primary key, newest/highest first when ``descending``.
    ``load`` raises ValueError (or ArithmeticError, OverflowError) for a value it cannot read."""

    field: str
    descending: bool
    dump: Callable[[Any], str] = str
    load: Callable[[str], Any] = str

    def cursor(self, row) -> str:
        return f"{self.dump(getattr(row, self.field))}~{row.pk}"

    def parse(self, token: str) -> tuple[Any, int]:
        text, separator, pk_text = token.rpartition("~")
        try:
            pk = parse_id(pk_text)
            if not separator or pk is None:
                raise ValueError(token)
            return self.load(text), pk
        except (ValueError, ArithmeticError, OverflowError) as error:
            raise InvalidCursor(token) from error

    def ordered(self, queryset: QuerySet, descending: bool) -> QuerySet:
        sign = "-" if descending else ""
        return queryset.order_by(f"{sign}{self.field}", f"{sign}pk")

    def beyond(self, queryset: QuerySet, value, pk: int, descending: bool) -> QuerySet:
        """Rows after (value, pk) in this direction. The redundant ``field <= value`` lets the
        database start the index scan at the cursor instead of filtering from the top."""
        field = self.field
        if descending:
            return queryset.filter(**{f"{field}__lte": value}).filter(
                Q(**{f"{field}__lt": value}) | Q(**{field: value, "pk__lt": pk})
            )
        return queryset.filter(**{f"{field}__gte": value}).filter(
            Q(**{f"{field}__gt": value}) | Q(**{field: value, "pk__gt": pk})
        )


def _instant_to_text(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).isoformat()


def _instant_from_text(text: str) -> datetime.datetime:
    """An aware time within the calendar a shop means; in UTC (converting 9999-12-31T23:59-14:00
    leaves Python's calendar: OverflowError, which ``parse`` reads as a bad token)."""
    value = datetime.datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(text)
    value = value.astimezone(datetime.UTC)
    if not date_in_calendar(value.date()):
        raise ValueError(text)
    return value


def instant_keyset(field: str, *, descending: bool = True) -> Keyset:
    """A sort on a date-and-time field, then the id; the token carries the time in ISO 8601
    (UTC)."""
    return Keyset(field, descending, _instant_to_text, _instant_from_text)


def keyset_page(
    queryset: QuerySet,
    keyset: Keyset,
    *,
    after: str | None = None,
    before: str | None = None,
    last: bool = False,
    page_size: int,
) -> KeysetPage:
    """The first page, the page after or before a cursor, or the last page: one statement.
    Fewer than a page before a cursor means the first page, shown in full."""
    descending = keyset.descending
    if before:
        value, pk = keyset.parse(before)
        beyond = keyset.beyond(queryset, value, pk, not descending)
        rows = list(keyset.ordered(beyond, not descending)[: page_size + 1])
        if len(rows) <= page_size:
            return keyset_page(queryset, keyset, page_size=page_size)
        rows = rows[:page_size][::-1]
        return KeysetPage(rows, keyset.cursor(rows[0]), keyset.cursor(rows[-1]), False, False)
    if last:
        rows = list(keyset.ordered(queryset, not descending)[: page_size + 1])
        more_before = len(rows) > page_size
        rows = rows[:page_size][::-1]
        previous = keyset.cursor(rows[0]) if more_before else None
        return KeysetPage(rows, previous, None, not more_before, True)
    if after:
        value, pk = keyset.parse(after)
        queryset = keyset.beyond(queryset, value, pk, descending)
    rows = list(keyset.ordered(queryset, descending)[: page_size + 1])
    more_after = len(rows) > page_size
    rows = rows[:page_size]
    return KeysetPage(
        rows,
        keyset.cursor(rows[0]) if after and rows else None,
        keyset.cursor(rows[-1]) if more_after else None,
        not after,
        not more_after,
    )

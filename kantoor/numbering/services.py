import datetime

from django.db import connection, transaction
from django.utils import timezone

from kantoor.numbering.formatting import format_number, period_for
from kantoor.numbering.models import DEFAULT_PREFIXES, DocumentKind, NumberCounter, NumberSeries


def ensure_default_number_series(*, shop) -> None:
    """Give a shop one series per document kind (idempotent)."""
    NumberSeries.objects.bulk_create(
        [
            NumberSeries(shop=shop, kind=kind, prefix=prefix)
            for kind, prefix in DEFAULT_PREFIXES.items()
        ],
        ignore_conflicts=True,
    )


def allocate_numbers(
    *, shop, kind: DocumentKind, count: int = 1, on: datetime.date | None = None
) -> list[str]:
    """Hand out the next ``count`` numbers of a shop's series, gapless and unique.

    Must run inside the transaction that creates the documents: the counter row stays locked
    until that transaction ends, and a rollback gives the numbers back.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocate_numbers must run inside the document's transaction.")
    if count < 1:
        raise ValueError("count must be at least 1")
    on = on or timezone.localdate()
    if connection.vendor == "postgresql":
        advanced = _advance_counter_of_series(shop=shop, kind=kind, on=on, count=count)
        if advanced is not None:
            last, prefix, padding = advanced
            return [
                format_number(prefix=prefix, counter=value, padding=padding, on=on)
                for value in range(last - count + 1, last + 1)
            ]
    series = NumberSeries.objects.get(shop=shop, kind=kind)
    period = period_for(yearly_restart=series.yearly_restart, on=on)
    last = _advance_counter(series=series, period=period, count=count)
    if last is None:
        # First number of this period: create the row (a concurrent creator may win), retry.
        NumberCounter.objects.bulk_create(
            [NumberCounter(series=series, period=period)], ignore_conflicts=True
        )
        last = _advance_counter(series=series, period=period, count=count)
    first = last - count + 1
    return [
        format_number(prefix=series.prefix, counter=value, padding=series.padding, on=on)
        for value in range(first, last + 1)
    ]


def allocate_number(*, shop, kind: DocumentKind, on: datetime.date | None = None) -> str:
    return allocate_numbers(shop=shop, kind=kind, count=1, on=on)[0]


def _advance_counter_of_series(
    *, shop, kind: str, on: datetime.date, count: int
) -> tuple[int, str, int] | None:
    """PostgreSQL: the series read and its counter advanced in one statement (as
    ``_advance_counter``, same row lock): (new value, prefix, padding), or None when the period
    has no counter row yet. SQLite cannot return the joined series from an UPDATE … FROM."""
    counter = connection.ops.quote_name(NumberCounter._meta.db_table)
    series = connection.ops.quote_name(NumberSeries._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {counter} AS c SET last_value = c.last_value + %s "  # noqa: S608
            f"FROM {series} AS s WHERE s.shop_id = %s AND s.kind = %s AND c.series_id = s.id "
            "AND c.period = CASE WHEN s.yearly_restart THEN %s ELSE 0 END "
            "RETURNING c.last_value, s.prefix, s.padding",
            [count, shop.pk, str(kind), on.year],
        )
        row = cursor.fetchone()
    return None if row is None else (row[0], row[1], row[2])


def _advance_counter(*, series: NumberSeries, period: int, count: int) -> int | None:
    """Add ``count`` to the counter and return its new value (None when there is no row yet).

    One ``UPDATE … RETURNING`` (PostgreSQL, SQLite ≥ 3.35): the update takes the row lock and
    holds it until the document's transaction ends; a concurrent allocator waits, then adds to
    the committed value, so numbers stay unique and gapless.
    """
    table = connection.ops.quote_name(NumberCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_value = last_value + %s "  # noqa: S608 (model's table name)
            "WHERE series_id = %s AND period = %s RETURNING last_value",
            [count, series.pk, period],
        )
        row = cursor.fetchone()
    return None if row is None else row[0]

import datetime

from django.db import transaction
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
    series = NumberSeries.objects.get(shop=shop, kind=kind)
    period = period_for(yearly_restart=series.yearly_restart, on=on)
    counter = _locked_counter(series=series, period=period)
    first = counter.last_value + 1
    counter.last_value += count
    counter.save(update_fields=["last_value"])
    return [
        format_number(prefix=series.prefix, counter=value, padding=series.padding, on=on)
        for value in range(first, first + count)
    ]


def allocate_number(*, shop, kind: DocumentKind, on: datetime.date | None = None) -> str:
    return allocate_numbers(shop=shop, kind=kind, count=1, on=on)[0]


def _locked_counter(*, series: NumberSeries, period: int) -> NumberCounter:
    counter = NumberCounter.objects.select_for_update().filter(series=series, period=period).first()
    if counter is None:
        # First number of this period: create the row (a concurrent creator may win), then lock.
        NumberCounter.objects.bulk_create(
            [NumberCounter(series=series, period=period)], ignore_conflicts=True
        )
        counter = NumberCounter.objects.select_for_update().get(series=series, period=period)
    return counter

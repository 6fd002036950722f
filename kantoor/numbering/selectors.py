import datetime

from django.utils import timezone

from kantoor.numbering.formatting import format_number, period_for
from kantoor.numbering.models import DocumentKind, NumberCounter, NumberSeries


def preview_next_number(*, shop, kind: DocumentKind, on: datetime.date | None = None) -> str:
    """The number the next document of this kind would get (without reserving it)."""
    on = on or timezone.localdate()
    series = NumberSeries.objects.get(shop=shop, kind=kind)
    period = period_for(yearly_restart=series.yearly_restart, on=on)
    last = (
        NumberCounter.objects.filter(series=series, period=period)
        .values_list("last_value", flat=True)
        .first()
        or 0
    )
    return format_number(prefix=series.prefix, counter=last + 1, padding=series.padding, on=on)

import datetime

from django.apps import apps
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


# --- Numbers tab of the workflow settings (issue 4) -------------------------------------------

# Which documents carry the numbers of each series: (model label, extra filter). Each model has
# ``shop`` and ``number``. Invoices, quotes and returns add their line here when they exist;
# a model whose app is not installed is skipped.
NUMBERED_DOCUMENTS: dict[str, list[tuple[str, dict]]] = {
    DocumentKind.ORDER: [("orders.Order", {})],
    # Invoice numbers are unique per shop over both kinds (credit invoices may share the series).
    DocumentKind.INVOICE: [("invoices.Invoice", {})],
    DocumentKind.CREDIT_INVOICE: [("invoices.Invoice", {})],
}

COLLISION_LOOKAHEAD = 50  # how many of the next numbers a changed series is checked for


def register_numbered_document(kind: str, model_label: str, **filters) -> None:
    """Let the collision check of ``kind`` see the numbers of another document model."""
    entries = NUMBERED_DOCUMENTS.setdefault(kind, [])
    if (model_label, filters) not in entries:
        entries.append((model_label, filters))


def numbers_in_use(*, shop, kind: str, numbers: list[str]) -> list[str]:
    """Which of ``numbers`` a document of this kind in this shop already has."""
    used: set[str] = set()
    for label, filters in NUMBERED_DOCUMENTS.get(kind, []):
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        used.update(
            model.objects.filter(shop=shop, number__in=numbers, **filters).values_list(
                "number", flat=True
            )
        )
    return [number for number in numbers if number in used]


def last_counter_value(*, shop, kind: str, yearly_restart: bool, on: datetime.date) -> int:
    period = period_for(yearly_restart=yearly_restart, on=on)
    return (
        NumberCounter.objects.filter(series__shop=shop, series__kind=kind, period=period)
        .values_list("last_value", flat=True)
        .first()
        or 0
    )


def preview_numbers(
    *,
    shop,
    kind: str,
    prefix: str,
    padding: int,
    yearly_restart: bool,
    count: int = 1,
    on: datetime.date | None = None,
) -> list[str]:
    """The next ``count`` numbers the series would give with these (maybe unsaved) settings."""
    on = on or timezone.localdate()
    last = last_counter_value(shop=shop, kind=kind, yearly_restart=yearly_restart, on=on)
    return [
        format_number(prefix=prefix, counter=value, padding=padding, on=on)
        for value in range(last + 1, last + 1 + count)
    ]


def number_series_for(*, shop) -> list[NumberSeries]:
    """The shop's series in the order a shop owner meets them."""
    order = list(DocumentKind.values)
    return sorted(NumberSeries.objects.filter(shop=shop), key=lambda s: order.index(s.kind))

"""The period of a VAT return: a month, a quarter or a year (at most a year, never inverted)."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.utils import formats
from django.utils.dates import MONTHS as MONTH_NAMES
from django.utils.translation import gettext as _

from kantoor.reports.errors import InvalidPeriod

MIN_YEAR = 2000
MAX_YEAR = 2100

# The choices of the period picker: the year, a quarter or a month.
YEAR = "year"
QUARTERS = ("q1", "q2", "q3", "q4")
MONTHS = tuple(f"m{month:02d}" for month in range(1, 13))


def period_choices() -> list[tuple[str, str]]:
    """The picker's choices in the current language: the year, its quarters, its months."""
    return [
        (YEAR, _("Whole year")),
        *((q, _("Quarter %(number)s") % {"number": n}) for n, q in enumerate(QUARTERS, 1)),
        *((m, str(MONTH_NAMES[n]).capitalize()) for n, m in enumerate(MONTHS, 1)),
    ]


@dataclass(frozen=True)
class VatPeriod:
    """Invoice dates from ``start`` to ``end``, both included."""

    start: datetime.date
    end: datetime.date
    label: str = ""
    slug: str = ""  # the period in a file name: 2026, 2026-q1, 2026-03


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidPeriod(
            _("Choose a year from %(first)s to %(last)s.") % {"first": MIN_YEAR, "last": MAX_YEAR}
        )


def vat_period(start: datetime.date, end: datetime.date) -> VatPeriod:
    """The invoices dated ``start`` to ``end`` (both included): at most a year, never inverted."""
    if end < start:
        raise InvalidPeriod(_("The period ends before it starts: choose an end after the start."))
    _check_year(start.year)
    _check_year(end.year)
    try:
        year_later = start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        year_later = datetime.date(start.year + 1, 3, 1)
    if end >= year_later:
        raise InvalidPeriod(
            _("A VAT return covers a month, a quarter or a year: choose at most a year.")
        )
    label = _("%(start)s to %(end)s") % {
        "start": formats.date_format(start, "SHORT_DATE_FORMAT"),
        "end": formats.date_format(end, "SHORT_DATE_FORMAT"),
    }
    return VatPeriod(start, end, label, f"{start.isoformat()}_{end.isoformat()}")


def period_of(year: int, part: str) -> VatPeriod:
    """The period the picker means: ``part`` is "year", "q1" … "q4" or "m01" … "m12"."""
    _check_year(year)
    if part == YEAR:
        return VatPeriod(
            datetime.date(year, 1, 1), datetime.date(year, 12, 31), str(year), str(year)
        )
    if part in QUARTERS:
        quarter = QUARTERS.index(part) + 1
        first = 3 * quarter - 2
        label = _("Quarter %(number)s %(year)s") % {"number": quarter, "year": year}
        return VatPeriod(
            datetime.date(year, first, 1), _month_end(year, first + 2), label, f"{year}-q{quarter}"
        )
    if part in MONTHS:
        month = MONTHS.index(part) + 1
        start = datetime.date(year, month, 1)
        return VatPeriod(
            start, _month_end(year, month), formats.date_format(start, "F Y"), f"{year}-{month:02d}"
        )
    raise InvalidPeriod(_("Choose the whole year, a quarter or a month."))

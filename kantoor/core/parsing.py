"""Reading what a request sends, at the boundary: ids, dates and the ``next`` URL.

Views, forms and the page cursor read a request's text through these, never with ``int()``,
``isdigit()`` or ``redirect()`` on a raw value: ``str.isdigit()`` accepts ``"²"`` and 5,000
digits (``int()`` then raises), a date at the edge of the calendar overflows the moment a day or
a time zone is added, and ``redirect("0")`` takes the value for a view name. What does not parse
is ``None`` (the caller says what that means: a form error, a 404, the fallback page).

NUL bytes never get this far: ``RejectNulBytesMiddleware`` (kantoor/core/middleware.py) answers
them with a 400 before any view reads the request.
"""

from __future__ import annotations

import datetime
import re

from django import forms
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

# The largest primary key a column can hold (PostgreSQL's bigint).
MAX_ID = 2**63 - 1
_ID = re.compile(r"[0-9]{1,19}")

# The dates a person can mean in a filter or a form. Outside them, adding a day or converting to
# UTC leaves Python's calendar (year 1 to 9999).
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2999, 12, 31)


def parse_id(text: object) -> int | None:
    """A database id (1 up to bigint) written in ASCII digits, or None."""
    value = str(text).strip() if text is not None else ""
    if not _ID.fullmatch(value):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def date_in_calendar(value: datetime.date) -> bool:
    return EARLIEST_DATE <= value <= LATEST_DATE


class CalendarDateField(forms.DateField):
    """A date field that refuses dates no shop means (year 1 or 9999) with a clear message."""

    def validate(self, value):
        super().validate(value)
        if value and not date_in_calendar(value):
            raise forms.ValidationError(
                _("Choose a date between %(earliest)s and %(latest)s."),
                code="date_out_of_range",
                params={
                    "earliest": date_format(EARLIEST_DATE, "SHORT_DATE_FORMAT"),
                    "latest": date_format(LATEST_DATE, "SHORT_DATE_FORMAT"),
                },
            )


def safe_next_url(request, fallback: str) -> str:
    """The ``next`` of a form or link if it is a path on this site, otherwise ``fallback``.
    Only a path ("/…") is taken: never another host, a scheme, or a bare word such as ``0``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and len(target) <= 2000
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return fallback

"""The refusals of the reports."""

from __future__ import annotations

from kantoor.core.errors import KantoorError


class ReportError(KantoorError):
    """A report Kantoor cannot make as asked; the message says why."""

    code = "report_refused"


class InvalidPeriod(ReportError):
    """A period that is not a month, a quarter or a year (or a range of at most a year)."""

    code = "invalid_period"


class UnknownBox(ReportError):
    """A box that is not one of the VAT return's boxes Kantoor fills in."""

    code = "unknown_box"


class InvalidExport(ReportError):
    """An export asked with a kind, a column, a format or a filter Kantoor does not know."""

    code = "invalid_export"

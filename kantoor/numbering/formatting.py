"""Formatting document numbers from a prefix template, a counter and a date (pure functions)."""

import datetime
import re
import string

from django.utils.translation import gettext as _

from kantoor.core.errors import KantoorError

PLACEHOLDERS = {"year", "month"}
# A number is part of web addresses, file names (UBL exports) and e-mail subjects.
ALLOWED_LITERAL = re.compile(r"^[A-Za-z0-9._-]*$")
_FORMATTER = string.Formatter()


class InvalidPrefix(KantoorError, ValueError):
    code = "invalid_prefix"


def validate_prefix(prefix: str, *, yearly_restart: bool) -> None:
    """Refuse a template with unknown placeholders, format specs or a year-less yearly restart."""
    try:
        fields = [
            (name, spec, conversion)
            for _literal, name, spec, conversion in _FORMATTER.parse(prefix)
            if name is not None
        ]
    except ValueError as error:
        raise InvalidPrefix(_("The prefix has an unmatched { or }: use {year} or {month}.")) from (
            error
        )
    literal = "".join(part for part, *_rest in _FORMATTER.parse(prefix))
    if not ALLOWED_LITERAL.match(literal):
        raise InvalidPrefix(
            _("Use only letters, digits, hyphens, dots and underscores besides {year} and {month}.")
        )
    for name, spec, conversion in fields:
        if name not in PLACEHOLDERS or spec or conversion:
            raise InvalidPrefix(
                _("Unknown placeholder {%(name)s}: only {year} and {month} are allowed.")
                % {"name": name + (f":{spec}" if spec else "")}
            )
    if yearly_restart and "year" not in {name for name, _spec, _conv in fields}:
        raise InvalidPrefix(
            _(
                "A series that restarts every year needs {year} in its prefix, "
                "or numbers of different years would be the same."
            )
        )


def format_number(*, prefix: str, counter: int, padding: int, on: datetime.date) -> str:
    """``ORD{year}-`` + 42 with padding 4 on 2026-11-26 gives ``ORD2026-0042``."""
    head = prefix.format(year=f"{on.year:04d}", month=f"{on.month:02d}")
    return f"{head}{counter:0{padding}d}"


def period_for(*, yearly_restart: bool, on: datetime.date) -> int:
    return on.year if yearly_restart else 0

"""CSV files as spreadsheets open them: UTF-8 with a BOM, a separator and a decimal mark.

The default is Dutch Excel: ``;`` between cells and a decimal comma (``DUTCH_EXCEL``); the
exports also offer ``,`` with a decimal point (``INTERNATIONAL``). The VAT return, the
statistics and the exports all write their cells through ``cell``, the one way to do it.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be read
as a formula by a spreadsheet: it gets a leading apostrophe (``neutralise``). Amounts and other
numbers are written as numbers (a minus sign and the decimal mark), which spreadsheets read as
numbers and never as formulas.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

BOM = "\ufeff"
SEPARATOR = ";"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class CsvDialect:
    """Between cells ``separator``; ``decimal`` the decimal mark of numbers."""

    separator: str = ";"
    decimal: str = ","


DUTCH_EXCEL = CsvDialect(";", ",")
INTERNATIONAL = CsvDialect(",", ".")


def neutralise(text: str) -> str:
    """Text a spreadsheet would take for a formula, with a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def number_text(value: Decimal | int | float, decimal: str = ",") -> str:
    """A number as a spreadsheet reads it: no thousands separator, ``decimal`` as the mark."""
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", decimal)
    return str(value).replace(".", decimal)


def cell(value, decimal: str = ",") -> str:
    """One cell: a Decimal with the decimal mark, any other value as text, neutralised."""
    if isinstance(value, Decimal):
        return number_text(value, decimal)
    text = "" if value is None else str(value)
    return neutralise(text)


def csv_lines(
    header: Sequence[str], rows: Iterable[Sequence[str]], dialect: CsvDialect = DUTCH_EXCEL
) -> Iterator[str]:
    """The BOM and the header, then one line of text per row of cells already made with
    ``cell`` (or numbers made with ``number_text``): for a file or a stream of any length."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=dialect.separator, lineterminator="\r\n")
    writer.writerow([neutralise(str(title)) for title in header])
    yield BOM + buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row)
        yield buffer.getvalue()


def csv_text(header: Sequence[str], rows: Iterable[Sequence], dialect=DUTCH_EXCEL) -> str:
    """A whole (small) CSV file: each value through ``cell``."""
    cells = ([cell(value, dialect.decimal) for value in row] for row in rows)
    return "".join(csv_lines([str(title) for title in header], cells, dialect))

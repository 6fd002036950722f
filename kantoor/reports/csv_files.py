"""CSV files as Dutch Excel opens them: UTF-8 with a BOM, ``;`` between cells, a decimal comma.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be read as a
formula by a spreadsheet: it gets a leading apostrophe. Amounts are written as numbers (a minus
sign and a decimal comma), which spreadsheets read as numbers and never as formulas.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

BOM = "\ufeff"
SEPARATOR = ";"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str:
    """One cell: a Decimal with a decimal comma, any other value as text, neutralised."""
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=SEPARATOR, lineterminator="\r\n")
    writer.writerow([cell(str(title)) for title in header])
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return buffer.getvalue()

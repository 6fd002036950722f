"""The files of an export: CSV as a stream of lines, XLSX in constant memory.

Both take the rows as ``Cells`` (the chosen columns' values, one list per row, in the column's
type) and keep each type: in CSV an amount is a number with the chosen decimal mark and a date
is ``2026-12-31`` (both read as numbers and dates by spreadsheets); in XLSX amounts and numbers
are number cells, dates and times date cells with a date format. Text never becomes a formula:
in CSV a text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
leading apostrophe (``neutralise``); in XLSX text is always written as a string cell, which a
spreadsheet never evaluates.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

import xlsxwriter

from kantoor.reports.csv_files import CsvDialect, csv_lines, neutralise, number_text
from kantoor.reports.exports.columns import (
    AMOUNT,
    BOOLEAN,
    DATE,
    DATETIME,
    INTEGER,
    NUMBER,
    Column,
)

CENT = Decimal("0.01")


def _as_date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    return value


def csv_cell(value, column: Column, dialect: CsvDialect, yes_no: tuple[str, str]) -> str:
    """One CSV cell of a value of ``column``'s type (a datetime already in local time)."""
    if value is None or value == "":
        return ""
    return csv_converter(column, dialect, yes_no)(value)


def csv_converter(
    column: Column, dialect: CsvDialect, yes_no: tuple[str, str]
) -> Callable[[Any], str]:
    """How ``csv_cell`` writes a value (neither None nor "") of ``column``'s type: chosen once
    per column, not per cell (a million rows are ten million cells)."""
    kind = column.type
    decimal = dialect.decimal
    if kind == AMOUNT:
        return lambda value: number_text(Decimal(value).quantize(CENT), decimal)
    if kind in (NUMBER, INTEGER):
        return lambda value: number_text(value, decimal)
    if kind == DATE:
        return lambda value: _as_date(value).isoformat()
    if kind == DATETIME:
        return lambda value: value.strftime("%Y-%m-%d %H:%M:%S")
    if kind == BOOLEAN:
        yes, no = yes_no
        return lambda value: yes if value else no
    return lambda value: neutralise(str(value))


def csv_file_lines(
    header: Sequence[str],
    columns: Sequence[Column],
    rows: Iterable[Sequence],
    dialect: CsvDialect,
    yes_no: tuple[str, str],
) -> Iterator[str]:
    """The CSV file's text, a line at a time: for a streamed download or a file on disk."""
    converters = [csv_converter(column, dialect, yes_no) for column in columns]
    cells = (
        [
            "" if value is None or value == "" else convert(value)
            for value, convert in zip(row, converters, strict=True)
        ]
        for row in rows
    )
    return csv_lines(header, cells, dialect)


class XlsxSheet:
    """One worksheet written row by row (XlsxWriter's constant-memory mode: a row is flushed
    to disk when the next one starts, so memory does not grow with the number of rows)."""

    def __init__(self, path: str, title: str, header: Sequence[str], columns: Sequence[Column]):
        self.workbook = xlsxwriter.Workbook(
            path,
            {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
        )
        self.sheet = self.workbook.add_worksheet(title[:31])
        self.columns = list(columns)
        bold = self.workbook.add_format({"bold": True})
        self.formats = {
            AMOUNT: self.workbook.add_format({"num_format": "#,##0.00"}),
            NUMBER: self.workbook.add_format({"num_format": "0.##"}),
            DATE: self.workbook.add_format({"num_format": "yyyy-mm-dd"}),
            DATETIME: self.workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        }
        for index, (title_text, column) in enumerate(zip(header, self.columns, strict=True)):
            self.sheet.write_string(0, index, str(title_text), bold)
            width = 20 if column.type in (DATE, DATETIME) else max(10, min(40, len(title_text)))
            self.sheet.set_column(index, index, width)
        self.sheet.freeze_panes(1, 0)
        self.row = 1

    def write(self, values: Sequence, yes_no: tuple[str, str]) -> None:
        for index, (value, column) in enumerate(zip(values, self.columns, strict=True)):
            if value is None or value == "":
                continue
            kind = column.type
            if kind in (AMOUNT, NUMBER):
                self.sheet.write_number(self.row, index, float(value), self.formats[kind])
            elif kind == INTEGER:
                self.sheet.write_number(self.row, index, value)
            elif kind == DATE:
                day = _as_date(value)
                self.sheet.write_datetime(
                    self.row,
                    index,
                    datetime.datetime.combine(day, datetime.time()),
                    self.formats[DATE],
                )
            elif kind == DATETIME:
                self.sheet.write_datetime(
                    self.row, index, value.replace(tzinfo=None), self.formats[DATETIME]
                )
            elif kind == BOOLEAN:
                self.sheet.write_string(self.row, index, yes_no[0] if value else yes_no[1])
            else:
                self.sheet.write_string(self.row, index, str(value))
        self.row += 1

    def close(self) -> None:
        self.workbook.close()

"""Writing spreadsheet cells safely: the core of every CSV and XLSX export (no Django import, so pure
modules such as `sustainability.xlsform` use it too; HTTP responses and the audit are in `exports`).

A value typed by a user must never run as a formula in the spreadsheet of whoever opens the file (CSV /
formula injection, OWASP):

- a text cell starting with `= + - @`, a tab, a carriage return or a NUL (the first four also after
  leading spaces) is neutralised: in CSV it gets a leading apostrophe (`'=1` is shown as text); in XLSX it
  is written unchanged as an explicit string cell carrying Excel's "quote prefix" flag, which shows it as
  text and keeps it text when the cell is edited;
- text is always written as text: openpyxl turns a str starting with "=" into a formula, so strings are
  written as string cells explicitly; numbers stay numbers and dates stay dates (typed by Python, never
  guessed from text); lists are joined with ";", mappings written as JSON;
- CSV: every field quoted, UTF-8 with a byte-order mark so spreadsheets read accents.

Importers of files we exported take the one apostrophe off again (`strip_neutraliser`).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import IO, Any

# A cell starting with one of these is read as a formula (or DDE command) by Excel, LibreOffice or Sheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")
_SIGNS = ("=", "+", "-", "@")
LIST_SEPARATOR = ";"
# XML 1.0 cannot hold these control characters; openpyxl refuses them (an export would fail).
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
XLSX_MAX_CELL = 32767  # Excel's limit for the text of one cell

Sheet = tuple[str, Sequence[Sequence[Any]] | Iterable[Sequence[Any]]]


def is_formula_like(text: str) -> bool:
    """Would a spreadsheet read this text as a formula?"""
    return bool(text) and (text.startswith(FORMULA_START) or text.lstrip(" ").startswith(_SIGNS))


def neutralise(text: str) -> str:
    """The text as a CSV cell: prefixed with an apostrophe when a spreadsheet would run it."""
    return "'" + text if is_formula_like(text) else text


def strip_neutraliser(text: str) -> str:
    """Undo `neutralise` on a cell read back from one of our files (only the one apostrophe we add)."""
    return text[1:] if text.startswith("'") and is_formula_like(text[1:]) else text


def plain(value: Any) -> Any:
    """A cell value as text, or as a number, boolean, date or time (never a str left to be guessed)."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, datetime):
        # Spreadsheets have no time zones: an aware datetime travels as ISO text with its offset.
        return value.isoformat() if value.tzinfo is not None else value
    if isinstance(value, date | time):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return LIST_SEPARATOR.join(str(item) for item in items)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def csv_cell(value: Any) -> str:
    value = plain(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, str):
        return neutralise(value)
    return str(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence[Any], rows: Iterable[Sequence[Any]], *, bom: bool = True) -> Iterator[str]:
    """CSV text line by line (for streaming): the header, then each row; every field quoted."""
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_ALL)
    yield ("\ufeff" if bom else "") + writer.writerow([csv_cell(name) for name in header])
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])


def xlsx_cell(sheet: Any, value: Any) -> Any:
    """An openpyxl cell for a write-only sheet: text as an explicit string cell, never a formula."""
    from openpyxl.cell import WriteOnlyCell

    value = plain(value)
    if not isinstance(value, str):
        return WriteOnlyCell(sheet, value=value)
    text = _ILLEGAL_XML.sub("\ufffd", value)[:XLSX_MAX_CELL]
    cell = WriteOnlyCell(sheet, value=None)
    cell._value = text  # assigning `.value` would make "=…" a formula: set the text and its type directly
    cell.data_type = "s"
    if is_formula_like(text):
        cell.quotePrefix = True  # shown as text, and kept text when the cell is edited
    return cell


def write_workbook(handle: IO[bytes], sheets: Iterable[Sheet]) -> None:
    """Write sheets of rows (the first row of each is its header) with openpyxl's write-only workbook."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title[:31] or "data")
        for row in rows:
            sheet.append([xlsx_cell(sheet, value) for value in row])
    workbook.save(handle)

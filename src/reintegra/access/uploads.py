"""Reading an uploaded CSV or XLSX table within limits: the one reader of every import (directory, regional
actions, survey submissions, XLSForms, the feasibility grid), in the web, the API and the commands.

Every import caps the file size, the rows, the columns and the length of one cell (`Limits`; each import
names its numbers, listed in README). A file over a limit, or one that cannot be read, raises
`UploadError` with every problem found (row and column of each bad cell, translated), never a 5xx and
never a partial import: callers check everything before they write anything.

- The size is checked before the file is read (`read_bytes` looks at `.size` first, then reads at most
  one byte more than allowed).
- CSV: UTF-8 (a byte-order mark is fine), comma, semicolon or tab (the one the header line uses most).
  Python's csv module stops at 128 KB per cell with an error; here the cell limit is ours and reported.
  One leading apostrophe that our exports put before formula-like text is taken off again.
- XLSX: the archive's unpacked size is checked before openpyxl opens it (a small file can unpack to
  gigabytes), and only the first sheet is read unless the caller asks for all of them.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from reintegra.access.spreadsheets import strip_neutraliser

MB = 1024 * 1024
MAX_REPORTED = 50  # problems listed; the rest are counted


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 10 * MB
    max_rows: int = 20_000  # data rows, the header not counted
    max_columns: int = 200
    max_cell_chars: int = 10_000
    max_unpacked_bytes: int = 60 * MB  # XLSX: the archive's content once unpacked


def _size(size: int) -> str:
    if size >= MB:
        return _("%(n)s MB") % {"n": number_format(round(size / MB, 1), force_grouping=True)}
    return _("%(n)s KB") % {"n": number_format(max(1, round(size / 1024)), force_grouping=True)}


@dataclass(frozen=True)
class Problem:
    row: int  # the spreadsheet's row number (the header is row 1); 0 for the file as a whole
    column: str  # the header's name of the column, or its letter; "" for the file as a whole
    message: str

    def __str__(self) -> str:
        if self.row and self.column:
            return _("Row %(row)s, column %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        if self.row:
            return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        return self.message


class UploadError(Exception):
    """The file cannot be imported; `problems` says where and why (nothing has been written)."""

    def __init__(self, problems: Sequence[Problem], more: int = 0) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = list(problems)
        self.more = more  # problems found beyond those listed

    def messages(self) -> list[str]:
        lines = [str(p) for p in self.problems]
        if self.more:
            lines.append(_("… and %(n)s more problems.") % {"n": self.more})
        return lines

    def as_validation_error(self, field: str = "file") -> ValidationError:
        return ValidationError({field: [ValidationError(line, code="invalid_file") for line in self.messages()]})


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.more = 0

    def add(self, row: int, column: str, message: str) -> None:
        if len(self.problems) < MAX_REPORTED:
            self.problems.append(Problem(row, column, message))
        else:
            self.more += 1

    def raise_if_any(self) -> None:
        if self.problems:
            raise UploadError(self.problems, self.more)


def _fail(message: str) -> UploadError:
    return UploadError([Problem(0, "", message)])


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)  # (row number, values); blank rows left out

    def records(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(row number, {header: value}) for each row; columns without a header name are left out."""
        named = [(i, name) for i, name in enumerate(self.header) if name]
        for number, values in self.rows:
            yield number, {name: (values[i] if i < len(values) else "") for i, name in named}


# --- size ----------------------------------------------------------------------------------------


def too_large(size: int, limits: Limits) -> UploadError:
    return _fail(
        _("The file is too large (%(size)s); at most %(max)s.") % {"size": _size(size), "max": _size(limits.max_bytes)}
    )


def read_bytes(source: bytes | IO[bytes], limits: Limits) -> bytes:
    """The content of an upload, a file or bytes, refused before it is read when larger than allowed."""
    if isinstance(source, bytes | bytearray):
        content = bytes(source)
    else:
        size = getattr(source, "size", None)
        if isinstance(size, int) and size > limits.max_bytes:
            raise too_large(size, limits)
        content = source.read(limits.max_bytes + 1)
    if len(content) > limits.max_bytes:
        size = getattr(source, "size", None)
        raise too_large(size if isinstance(size, int) else len(content), limits)
    return content


# --- CSV -----------------------------------------------------------------------------------------


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: how a spreadsheet names a column without a header."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_name(header: Sequence[str], index: int) -> str:
    name = header[index] if index < len(header) else ""
    return str(name).strip() or column_letter(index)


def _delimiter(text: str, delimiters: str) -> str:
    first_line = text.split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in delimiters}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else delimiters[0]


def _check_row(number: int, values: Sequence[Any], header: Sequence[str], limits: Limits, problems: _Collector) -> None:
    if len(values) > limits.max_columns:
        problems.add(
            number, "", _("Too many columns (%(n)s); at most %(max)s.") % {"n": len(values), "max": limits.max_columns}
        )
        return
    for index, value in enumerate(values):
        if isinstance(value, str) and len(value) > limits.max_cell_chars:
            problems.add(
                number,
                _column_name(header, index),
                _("The cell is too long (%(n)s characters); at most %(max)s.")
                % {
                    "n": number_format(len(value), force_grouping=True),
                    "max": number_format(limits.max_cell_chars, force_grouping=True),
                },
            )


def _blank(values: Sequence[Any]) -> bool:
    return all(value is None or (isinstance(value, str) and not value.strip()) for value in values)


def _collect(rows: Iterable[tuple[int, list[Any]]], limits: Limits, problems: _Collector) -> Table | None:
    """The header and the data rows, every limit checked; None when the file has no header row."""
    table: Table | None = None
    data_rows = 0
    for number, values in rows:
        if number > 2 * limits.max_rows + 1000:  # blank rows are skipped, but not read for ever
            problems.add(0, "", _("Too many rows; at most %(max)s per file.") % {"max": limits.max_rows})
            break
        if table is None:
            if _blank(values):
                continue
            _check_row(number, values, [], limits, problems)
            table = Table([str(v if v is not None else "").strip() for v in values[: limits.max_columns]])
            continue
        if _blank(values):
            continue
        data_rows += 1
        if data_rows > limits.max_rows:
            problems.add(0, "", _("Too many rows; at most %(max)s per file.") % {"max": limits.max_rows})
            break
        _check_row(number, values, table.header, limits, problems)
        table.rows.append((number, values))
    return table


def _csv_rows(text: str, delimiter: str, limits: Limits, problems: _Collector) -> Iterator[tuple[int, list[Any]]]:
    # The module-wide limit only has to let our own cell limit be reached: a cell can never be longer than the file.
    if csv.field_size_limit() < limits.max_bytes + 1:
        csv.field_size_limit(limits.max_bytes + 1)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for number, values in enumerate(reader, start=1):
            yield number, [strip_neutraliser(value) for value in values]
    except csv.Error as exc:
        problems.add(number + 1, "", _("This line cannot be read as CSV (%(reason)s).") % {"reason": exc})


def read_csv(content: bytes, limits: Limits, *, delimiters: str = ",;\t") -> Table:
    problems = _Collector()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _fail(_("The file must be a CSV encoded in UTF-8.")) from None
    table = _collect(_csv_rows(text, _delimiter(text, delimiters), limits, problems), limits, problems)
    problems.raise_if_any()
    if table is None:
        raise _fail(_("The file is empty."))
    return table


# --- XLSX ----------------------------------------------------------------------------------------


def _open_workbook(content: bytes, limits: Limits) -> Any:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _fail(_("The file is not a readable XLSX workbook.")) from None
    if unpacked > limits.max_unpacked_bytes:
        raise _fail(
            _("The workbook unpacks to %(size)s; at most %(max)s.")
            % {"size": _size(unpacked), "max": _size(limits.max_unpacked_bytes)}
        )
    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (zip, XML, KeyError) for a damaged workbook
        raise _fail(_("The file is not a readable XLSX workbook.")) from None


def xlsx_text(value: Any) -> str:
    """A cell of a workbook as text, as a person reads it (5.0 -> "5", a date -> 2024-03-01)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime) and value.time() == time(0, 0):
        return value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _sheet_rows(sheet: Any, limits: Limits, problems: _Collector, text: bool) -> Iterator[tuple[int, list[Any]]]:
    try:
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = list(values)
            while cells and cells[-1] in (None, ""):
                cells.pop()  # read-only sheets pad rows to the widest one
            if text:
                cells = [xlsx_text(value).strip() for value in cells]
            yield number, cells
    except Exception:  # a damaged sheet fails while it is read, not when it is opened
        problems.add(0, "", _("The file is not a readable XLSX workbook."))


def read_xlsx(content: bytes | IO[bytes], limits: Limits, *, text: bool = True) -> Table:
    """The first sheet. `text`: every value as text (`xlsx_text`); otherwise numbers and dates as read."""
    return _sheets(content, limits, text=text, first_only=True)[0][1]


def read_workbook(content: bytes | IO[bytes], limits: Limits, *, text: bool = False) -> list[tuple[str, Table]]:
    """Every sheet, in order, as (name, table); an empty sheet gives a table without header or rows."""
    return _sheets(content, limits, text=text, first_only=False)


def _sheets(source: bytes | IO[bytes], limits: Limits, *, text: bool, first_only: bool) -> list[tuple[str, Table]]:
    content = read_bytes(source, limits)
    workbook = _open_workbook(content, limits)
    problems = _Collector()
    result = []
    try:
        for sheet in workbook.worksheets[:1] if first_only else workbook.worksheets:
            table = _collect(_sheet_rows(sheet, limits, problems, text), limits, problems)
            result.append((str(sheet.title), table or Table([])))
    finally:
        workbook.close()
    problems.raise_if_any()
    if not result or (first_only and not result[0][1].header):
        raise _fail(_("The file is empty."))
    return result


# --- either --------------------------------------------------------------------------------------


def read_table(
    source: bytes | IO[bytes], filename: str, limits: Limits, *, text: bool = True, delimiters: str = ",;\t"
) -> Table:
    """The first table of a .xlsx file, or of a CSV file (any other name). `text=False` keeps the numbers and
    dates of a workbook as they are (CSV cells are text anyway)."""
    content = read_bytes(source, limits)
    if filename.lower().endswith(".xlsx"):
        return read_xlsx(content, limits, text=text)
    return read_csv(content, limits, delimiters=delimiters)


def check_records(records: Sequence[dict[str, Any]], limits: Limits) -> None:
    """The limits applied to records read from JSON (one record a row, one key a column)."""
    problems = _Collector()
    if len(records) > limits.max_rows:
        raise _fail(_("Too many rows; at most %(max)s per file.") % {"max": limits.max_rows})
    for number, record in enumerate(records, start=1):
        keys = list(record)
        _check_row(number, [record[key] for key in keys], [str(key) for key in keys], limits, problems)
    problems.raise_if_any()

"""Every CSV and XLSX download of every app is answered here (and the PDF of a case file, `pdf_download`):
formula-safe cells (`access.spreadsheets`), CSV streamed, XLSX written by openpyxl's write-only workbook
(through a spooled temporary file), a file name reduced to safe ASCII before it reaches Content-Disposition,
and the export recorded in the access trail before the first byte leaves (`download`).

A table speaks the reader's language unless machine codes are asked for (issue 18.13): each column is a
`Column` (its stored code, its translated label, the labels of its coded values); by default the header row
holds the labels and the cells the choice labels, yes/no, and in CSV dates, times and decimals written in the
reader's locale (XLSX keeps dates and numbers typed: the spreadsheet shows them in its own locale). With
`codes=True` (pages: a second link, `?codes=1`; API: the `codes` parameter) the header holds the codes and the
cells the stored values, ISO dates and decimal points, as the imports read them back.
"""

from __future__ import annotations

import contextvars
import csv
import io
import queue
import re
import tempfile
import threading
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from itertools import islice, repeat
from typing import TYPE_CHECKING, Any, Literal

from django import db
from django.core.exceptions import EmptyResultSet
from django.db import transaction
from django.db.models.sql.constants import CURSOR
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext

from reintegra import replica
from reintegra.access import audit
from reintegra.access.spreadsheets import Sheet, csv_cell, csv_lines, neutralise, write_workbook
from reintegra.web.page_rows import converted_column

if TYPE_CHECKING:
    from reintegra.access.models import User

Format = Literal["csv", "xlsx"]
FORMATS: tuple[str, ...] = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
PDF_TYPE = "application/pdf"
_SPOOL_BYTES = 8 * 1024 * 1024  # XLSX kept in memory up to this size, then on disk


CODES_PARAMETER = "codes"
_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Column:
    """A column of an export: the code the machine-readable file names it with, the label the reader sees,
    and the labels of its coded values (a choices class's `choices`, or a mapping); a list of codes in a cell
    is labelled item by item."""

    code: str
    label: Any  # usually a lazy translation
    choices: Mapping[Any, Any] | Iterable[tuple[Any, Any]] | None = None
    _labels: dict[str, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        items = self.choices.items() if isinstance(self.choices, Mapping) else (self.choices or ())
        object.__setattr__(self, "_labels", {str(value): label for value, label in items})

    def value_label(self, value: Any) -> Any:
        if self._labels:
            if isinstance(value, list | tuple | set | frozenset):
                return [self.value_label(item) for item in value]
            if isinstance(value, str | int) and str(value) in self._labels:
                return str(self._labels[str(value)])
        return value


Header = Sequence["Column | str"]


def field_column(model: Any, name: str, *, code: str = "", label: Any = None, choices: Any = None) -> Column:
    """A column named after a model field: its verbose name as the label, its choices as the value labels."""
    from django.utils.text import capfirst

    model_field = model._meta.get_field(name)
    return Column(
        code or name,
        label if label is not None else capfirst(model_field.verbose_name),
        choices if choices is not None else (model_field.choices or None),
    )


def codes_requested(request: HttpRequest) -> bool:
    """Does the page's query ask for machine codes (`?codes=1`)?"""
    return request.GET.get(CODES_PARAMETER, "").strip().lower() in _TRUE


def header_row(header: Header, *, codes: bool) -> list[str]:
    """The header row: codes, or labels in the reader's language (a plain string is kept as it is)."""
    if codes:
        return [column.code if isinstance(column, Column) else str(column) for column in header]
    return [str(column.label) if isinstance(column, Column) else str(column) for column in header]


def human_value(value: Any, column: Column | str | None = None, *, fmt: str = "csv") -> Any:
    """A cell in the reader's language: choice labels, yes/no, local times; in CSV, dates and decimals as the
    locale writes them (XLSX keeps them typed)."""
    if isinstance(column, Column):
        value = column.value_label(value)
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, list | tuple):
        return [human_value(item, fmt=fmt) for item in value]
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.make_naive(value)  # the installation's time zone, as the pages show it
        value = value.replace(second=0, microsecond=0)
        return formats.date_format(value, "SHORT_DATETIME_FORMAT") if fmt == "csv" else value
    if fmt == "csv" and isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if fmt == "csv" and isinstance(value, time):
        return formats.time_format(value, "TIME_FORMAT")
    if fmt == "csv" and isinstance(value, float | Decimal):
        return formats.number_format(value, use_l10n=True, force_grouping=False)
    return value


def human_rows(
    header: Header, rows: Iterable[Sequence[Any]], *, fmt: str = "csv", language: str | None = None
) -> Iterator[list[Any]]:
    """The rows in the reader's language. A CSV streams after the view has returned, so each row is
    converted under the language the request was answered in."""
    language = language or translation.get_language()
    columns = list(header)
    iterator = iter(rows)
    while True:
        with translation.override(language):
            try:
                row = next(iterator)
            except StopIteration:
                return
            converted = [
                human_value(value, columns[index] if index < len(columns) else None, fmt=fmt)
                for index, value in enumerate(row)
            ]
        yield converted


def safe_filename(stem: str, extension: str, *, dated: bool = True) -> str:
    """`reintegra-<slug>[-<today>].<ext>`: ASCII letters, digits, dots and hyphens only."""
    slug = slugify(stem)[:80] or "export"
    day = f"-{timezone.localdate().isoformat()}" if dated else ""
    ext = re.sub(r"[^a-z0-9]", "", extension.lower())[:8] or "bin"
    return f"reintegra-{slug}{day}.{ext}"


def attachment(filename: str) -> str:
    """Content-Disposition for a download; the name is made safe here too (no quotes or line breaks)."""
    stem, _dot, ext = filename.rpartition(".")
    safe = filename if re.fullmatch(r"[A-Za-z0-9._-]{1,120}", filename) else safe_filename(stem, ext, dated=False)
    header = content_disposition_header(True, safe)
    assert header is not None
    return header


def csv_response(filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(header, rows), content_type=CSV_TYPE)
    response["Content-Disposition"] = attachment(filename)
    return response


CSV_CHUNK_ROWS = 500  # rows written per chunk of a table's CSV
_MEMO_LIMIT = 4096  # distinct values a column remembers the cell of (choices, dates)
_NONE = type(None)


_TEXT = frozenset((str, _NONE))
_INT = frozenset((int,))
_REMEMBERED = (str, int, date, float)  # types of which a column holds few distinct values (scores: about 1,000)
# Does any of the column's texts, joined by line breaks, start like a formula (`spreadsheets.is_formula_like`)?
# A line break inside a text may give a false alarm, never a miss: then each text is checked on its own.
_FORMULA_START = re.compile(r"^(?: *[=+\-@]|[\t\r\x00])", re.MULTILINE)


class _Cells(dict[Any, str]):
    """A column's remembered cells: a missing value's cell is computed (and kept, up to `_MEMO_LIMIT`)."""

    def __init__(self, make: Any) -> None:
        super().__init__({None: ""})
        self.make = make

    def __missing__(self, value: Any) -> str:
        cell: str = self.make(value)
        # 0.0 and -0.0 are one key but two cells: a float zero's cell is made each time, never kept
        if len(self) < _MEMO_LIMIT and not (type(value) is float and value == 0):
            self[value] = cell
        return cell


class _CsvCells:
    """The CSV cells of a table's rows, exactly `csv_cell(human_value(value, column))` (or `csv_cell(value)` in
    machine codes), made with fewer Python calls per cell (issue 19's export rate): each column picks, once per
    type of value, how to write it — text without choices is only made formula-safe, an empty cell stays
    empty, and the cell of a coded value or a date is computed once and remembered (a column holds few of
    them), since formatting a date in the reader's locale costs more than reading the row."""

    def __init__(self, header: Header, *, codes: bool) -> None:
        self.columns: list[Column | str | None] = list(header)
        self.codes = codes
        self.makers: list[dict[type, Any]] = [{} for _ in self.columns]
        self.remembered: dict[tuple[int, type], _Cells] = {}

    def _generic(self, index: int) -> Any:
        column = self.columns[index] if index < len(self.columns) else None
        if self.codes:
            return csv_cell
        return lambda value: csv_cell(human_value(value, column, fmt="csv"))

    def _maker(self, index: int, kind: type) -> Any:
        labelled = self._labelled(index)
        if kind is _NONE:
            return lambda value: ""
        if kind is str and not labelled:
            return neutralise
        if kind is int and not labelled:
            return str
        generic = self._generic(index)
        if kind in _REMEMBERED:  # few distinct values in a column: remember their cells
            return _Cells(generic).__getitem__
        return generic

    def _labelled(self, index: int) -> bool:
        column = self.columns[index] if index < len(self.columns) else None
        return isinstance(column, Column) and bool(column._labels) and not self.codes

    def column(self, index: int, values: Sequence[Any]) -> Sequence[str]:
        """The cells of one column of a batch, the same as `row` gives them value by value, written a column at
        a time (issue 19's export rate): text without choices is checked for formulas in one search over the
        column and kept as it is when none starts one; whole numbers by `str`; a coded value's, a date's or a
        whole number's cell looked up in the column's remembered cells (`map` over a dict that computes what
        it lacks); anything else value by value."""
        kinds = set(map(type, values))
        if not self._labelled(index):
            if kinds <= _TEXT:
                if _NONE in kinds:
                    values = ["" if value is None else value for value in values]
                return list(map(neutralise, values)) if _FORMULA_START.search("\n".join(values)) else values
            if kinds == _INT:
                return list(map(str, values))
        kinds.discard(_NONE)
        if not kinds:
            return [""] * len(values)
        if len(kinds) == 1:
            kind = kinds.pop()
            if kind in _REMEMBERED:
                remembered = self.remembered.get((index, kind))
                if remembered is None:
                    remembered = self.remembered[(index, kind)] = _Cells(self._generic(index))
                return list(map(remembered.__getitem__, values))
        return self._one_by_one(index, values)

    def _one_by_one(self, index: int, values: Sequence[Any]) -> list[str]:
        while len(self.makers) <= index:
            self.makers.append({})
        by_kind = self.makers[index]
        cells = []
        for value in values:
            make = by_kind.get(type(value))
            if make is None:
                make = by_kind[type(value)] = self._maker(index, type(value))
            cells.append(make(value))
        return cells

    def row(self, values: Sequence[Any]) -> list[str]:
        makers = self.makers
        if len(values) > len(makers):
            makers.extend({} for _ in range(len(values) - len(makers)))
        cells = []
        for index, value, by_kind in zip(range(len(values)), values, makers, strict=False):
            make = by_kind.get(type(value))
            if make is None:
                make = by_kind[type(value)] = self._maker(index, type(value))
            cells.append(make(value))
        return cells


class ColumnBatches:
    """A table's rows as they are read, batch by batch, each batch as its columns (sequences of equal length, in
    the table's column order: `keyset_columns`), so that the CSV converts and writes a column at a time
    (`csv_chunks`). Iterated, it gives the rows (the XLSX, or any reader of rows)."""

    def __init__(self, batches: Iterable[Sequence[Sequence[Any]]]) -> None:
        self.batches = batches

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        batches = iter(self.batches)
        try:
            for columns in batches:
                yield from zip(*columns, strict=True)
        finally:
            _close(batches)


def _close(iterator: Iterator[Any]) -> None:
    """Close a generator of batches (a no-op for other iterators): its reading stops now, its thread joined
    (`keyset_columns`), not when it is collected. For a client gone or an error in the middle of an export."""
    close = getattr(iterator, "close", None)
    if close is not None:
        close()


def _quoted_lines(cell_columns: Sequence[Sequence[str]]) -> str:
    """Rows of text cells as `csv.writer(quoting=QUOTE_ALL)` writes them (each cell in double quotes, a quote
    doubled, cells separated by commas, each row ending with CRLF), a column's quotes doubled at once and each
    row joined by `str.join` over the batch, instead of the writer's work per cell."""
    if not cell_columns or not cell_columns[0]:
        return ""
    quoted = [
        list(map(str.replace, column, repeat('"'), repeat('""'))) if '"' in "".join(column) else column
        for column in cell_columns
    ]
    return '"' + '"\r\n"'.join(map('","'.join, zip(*quoted, strict=True))) + '"\r\n'


def csv_chunks(
    header: Header, rows: Iterable[Sequence[Any]], *, codes: bool = False, language: str | None = None
) -> Iterator[str]:
    """A table's CSV (byte-order mark, header row, then the rows) as text chunks of `CSV_CHUNK_ROWS` rows (one
    chunk per batch of `ColumnBatches`), in the reader's language (`language`, the request's by default: a
    streamed CSV is written after the view returned) or in machine codes; every field quoted, every text cell
    formula-safe (`spreadsheets.csv_lines`)."""
    language = language or translation.get_language()
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    with translation.override(language):
        names = header_row(header, codes=codes)
        buffer.write("\ufeff")
        writer.writerow([csv_cell(name) for name in names])
    yield buffer.getvalue()
    cells = _CsvCells(header, codes=codes)
    if isinstance(rows, ColumnBatches):
        batches = iter(rows.batches)
        try:
            for columns in batches:
                with translation.override(language):
                    cell_columns = [cells.column(index, values) for index, values in enumerate(columns)]
                yield _quoted_lines(cell_columns)
        finally:
            _close(batches)
        return
    iterator = iter(rows)
    while True:
        buffer.seek(0)
        buffer.truncate()
        count = 0
        with translation.override(language):
            for values in iterator:
                writer.writerow(cells.row(values))
                count += 1
                if count == CSV_CHUNK_ROWS:
                    break
        if count:
            yield buffer.getvalue()
        if count < CSV_CHUNK_ROWS:
            return


def workbook_bytes(sheets: Iterable[Sheet]) -> bytes:
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES) as handle:
        write_workbook(handle, sheets)
        handle.seek(0)
        return handle.read()


def xlsx_response(filename: str, sheets: Iterable[Sheet]) -> HttpResponse | FileResponse:
    """The workbook written row by row (openpyxl's write-only sheets keep their rows in temporary files) into
    a spooled temporary file; a small one is answered from memory, a large one streamed from its file in
    chunks (the file is closed, hence deleted, when the response is): memory does not grow with the rows."""
    handle = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115 (the response closes it)
    try:
        write_workbook(handle, sheets)
        size = handle.tell()
        handle.seek(0)
        if size <= _SPOOL_BYTES:
            with handle:
                response: HttpResponse | FileResponse = HttpResponse(handle.read(), content_type=XLSX_TYPE)
        else:
            response = FileResponse(handle, content_type=XLSX_TYPE)
            response["Content-Length"] = str(size)
    except BaseException:
        handle.close()
        raise
    response["Content-Disposition"] = attachment(filename)
    return response


def download(
    user: User,
    fmt: str,
    stem: str,
    header: Header,
    rows: Iterable[Sequence[Any]],
    *,
    purpose: str,
    object_type: str = "",
    channel: str = "web",
    sheet_title: str = "data",
    codes: bool = False,
) -> StreamingHttpResponse | HttpResponse | FileResponse:
    """A table as a CSV or XLSX attachment named `reintegra-<stem>-<today>.<fmt>`, recorded in the access
    trail first (action "export", the purpose and format; "codes" when machine codes were asked for).

    `header`: `Column`s (or plain strings, written as they are); `codes`: machine codes instead of the
    reader's language (see the module's docstring)."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}.")
    mode = f"{fmt.upper()}, codes" if codes else fmt.upper()
    audit.record_access(user, "export", object_type=object_type, purpose=f"{purpose} ({mode})", channel=channel)
    filename = safe_filename(stem, fmt)
    rows = streamed(rows)  # an export reads the streaming replica when there is one (docs/deploy.md)
    if fmt == "xlsx":
        names = header_row(header, codes=codes)
        table = rows if codes else human_rows(header, rows, fmt=fmt)
        return xlsx_response(filename, [(str(sheet_title), _with_header(names, table))])
    response = StreamingHttpResponse(csv_chunks(header, rows, codes=codes), content_type=CSV_TYPE)
    response["Content-Disposition"] = attachment(filename)
    return response


def streamed(rows: Iterable[Sequence[Any]]) -> Iterable[Sequence[Any]]:
    """`replica.streamed` of a table's rows, batch by batch for `ColumnBatches`."""
    if isinstance(rows, ColumnBatches):
        return ColumnBatches(replica.streamed(rows.batches))
    return replica.streamed(rows)


@dataclass(frozen=True)
class Table:
    """A list exported as a whole (cases, returnees, follow-ups, referrals, survey rounds): what `download`
    needs besides the user and the format. `rows` is lazy: it reads the database batch by batch while the
    response streams (`keyset_batches`)."""

    stem: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    purpose: str
    object_type: str
    sheet_title: str = "data"


def download_table(
    user: User, fmt: str, table: Table, *, channel: str = "web", codes: bool = False
) -> StreamingHttpResponse | HttpResponse | FileResponse:
    return download(
        user,
        fmt,
        table.stem,
        table.columns,
        table.rows,
        purpose=table.purpose,
        object_type=table.object_type,
        channel=channel,
        sheet_title=table.sheet_title,
        codes=codes,
    )


EXPORT_BATCH = 5000  # rows fetched per query while an export streams
READ_AHEAD = 2  # batches read ahead of the one being written (PostgreSQL, outside a transaction)


def keyset_batches(
    queryset: Any, fields: Sequence[str], *, batch: int | None = None
) -> Iterator[list[tuple[Any, ...]]]:
    """The queryset's rows as `values_list(pk, *fields)` tuples in ascending primary key, `batch` rows per
    query (`keyset_columns`, row by row)."""
    for columns in keyset_columns(queryset, fields, batch=batch):
        yield list(zip(*columns, strict=True))


def keyset_columns(queryset: Any, fields: Sequence[str], *, batch: int | None = None) -> Iterator[list[Sequence[Any]]]:
    """The queryset's rows in ascending primary key, `batch` rows per query (`pk > last LIMIT batch`, by
    default `EXPORT_BATCH`), each batch as its columns: `[pks, first field's values, ...]` as
    `values_list(pk, *fields)` reads them. Memory holds a few batches whatever the size of the table, the first
    rows leave before the last are read, and no OFFSET grows with the depth (an index range on the key).

    Each batch is the SQL the queryset compiles to (its scope, written once: in the selector) run on a plain
    cursor and fetched as raw rows; the columns are converted as the fields read them, a column at a time (an
    encrypted column's tokens opened together, `from_db_values`), without Django building each row
    (`_ColumnReader`).

    On PostgreSQL, outside a transaction, the batches are read by a second thread on its own connection, up to
    `READ_AHEAD` batches ahead of the one being written (`_read_ahead`): that thread only runs the queries and
    fetches the rows (the key of the next batch is the last raw key), so the database works on the next batches
    while this thread converts and writes the current one, instead of waiting for it (issue 19's export rate).
    Inside a transaction the other connection could not see its writes, so the batches are read one after the
    other."""
    size = batch or EXPORT_BATCH
    ordered = queryset.order_by("pk")

    def query(last: Any) -> Any:
        rows = ordered if last is None else ordered.filter(pk__gt=last)
        return rows.values_list("pk", *fields)[:size]

    reader = _ColumnReader.of(query(None))
    if reader is None:
        return  # nothing can match (e.g. `pk__in=[]`)
    raw = _raw_rows(query, size, read_ahead=_can_read_ahead(queryset.db))
    try:
        for rows in raw:
            yield reader.columns(rows)
    finally:
        raw.close()  # the reading thread stopped and joined, its connection closed (also on an error)


def _raw_rows(query: Callable[[Any], Any], size: int, *, read_ahead: bool) -> Generator[list[tuple[Any, ...]]]:
    """The raw batches of `keyset_columns`: the first read here, on the caller's connection; when it is full and
    `read_ahead`, the next ones by a reading thread (`_read_ahead`), else one after the other here. A list of
    one batch (most of the pages' exports) opens no other connection."""
    first = (_fetch_planned_as_a_batch if read_ahead else _fetch)(query(None))
    if len(first) < size or not read_ahead:
        yield from _raw_batches(query, size, first=first)
    else:
        yield from _read_ahead(query, size, first)


def _raw_batches(
    query: Callable[[Any], Any],
    size: int,
    fetch: Callable[[Any], list[tuple[Any, ...]]] | None = None,
    *,
    first: list[tuple[Any, ...]] | None = None,
) -> Generator[list[tuple[Any, ...]]]:
    """The raw rows of `query(last key)`, batch after batch (each read by `fetch`, `_fetch` by default), until a
    batch is not full; from `first` when it was read already."""
    rows = (fetch or _fetch)(query(None)) if first is None else first
    while True:
        if rows:
            yield rows
        if len(rows) < size:
            return
        rows = (fetch or _fetch)(query(rows[-1][0]))  # the key as the database gave it


def _fetch(query: Any) -> list[tuple[Any, ...]]:
    """The rows of a `values_list` queryset as the database cursor gives them (no conversion), fetched at once."""
    cursor = query.query.get_compiler(using=query.db).execute_sql(CURSOR)
    if cursor is None:
        return []  # nothing can match
    try:
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    finally:
        cursor.close()
    return rows


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


_DONE = object()


def _read_ahead(
    query: Callable[[Any], Any], size: int, first: list[tuple[Any, ...]]
) -> Generator[list[tuple[Any, ...]]]:
    """`first`, then the batches after it read by a thread of its own (`_ReadingThread`, started before `first`
    is given: the database reads the next batch while the caller writes the first), in order. Closing this
    generator (the end, an error or a client gone mid-download) stops the thread, waits for it and so closes
    its connection; an error in the thread is raised here."""
    reader = _ReadingThread(query, size, after=first[-1][0])
    reader.start()
    try:
        yield first
        while (item := reader.batches.get()) is not _DONE:
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        reader.stop()


class _ReadingThread(threading.Thread):
    """Reads `_raw_batches` on its own connection into a queue of `READ_AHEAD` batches, and does nothing else:
    it runs the queries and fetches their rows, so that it holds Python's lock as little as possible and the
    database is never waiting for the writing thread's Python. It runs in a copy of its creator's context (the
    routing in force, e.g. reading the replica, goes with the reads: `contextvars`)."""

    def __init__(self, query: Callable[[Any], Any], size: int, *, after: Any) -> None:
        super().__init__(name="export-read-ahead", daemon=True)  # never holds up the process's exit
        self.query, self.size, self.after = query, size, after
        self.batches: queue.Queue[Any] = queue.Queue(maxsize=READ_AHEAD)
        self.stopped = threading.Event()
        self.context = contextvars.copy_context()

    def run(self) -> None:
        self.context.run(self._read)

    def _read(self) -> None:
        try:
            fetch = _fetch_planned_as_a_batch
            first = fetch(self.query(self.after))
            for rows in _raw_batches(self.query, self.size, fetch, first=first):
                if not self._put(rows):
                    return
            self._put(_DONE)
        except BaseException as error:  # given to the writing thread, which raises it
            self._put(_Failed(error))
        finally:
            db.connections.close_all()  # this thread's own connection

    def _put(self, item: Any) -> bool:
        """Queue `item` once there is room; False if the reading was stopped meanwhile."""
        while not self.stopped.is_set():
            try:
                self.batches.put(item, timeout=0.05)
            except queue.Full:
                continue
            return True
        return False

    def stop(self) -> None:
        self.stopped.set()
        self.join()


def _fetch_planned_as_a_batch(query: Any) -> list[tuple[Any, ...]]:
    """`_fetch` planned for a batch of a few thousand rows from a key onward, by two settings that last the batch's
    own transaction only (`SET LOCAL`: nothing stays on a pool's or pgbouncer's connection, docs/deploy.md):
    - no parallel workers: on a large table a Gather of two workers was planned for each batch, and starting them
      took longer than the batch (at a million cases, 2,000 rows in 54–77 ms with them, 18–26 ms without);
    - no merge joins: the key's bound is not carried to the joined table, so a merge join walks that table's index
      from its start to the batch (the survey rounds' current scores: 1,012,542 score rows read for a batch of
      5,000 rounds past the millionth, 316 ms against 77 ms by index lookups; every export quadratic)."""
    with transaction.atomic(using=query.db):
        with db.connections[query.db].cursor() as cursor:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            cursor.execute("SET LOCAL enable_mergejoin = off")
        return _fetch(query)


class _ColumnReader:
    """Raw rows of a `values_list` queryset's SQL turned into columns, each converted as Django converts each
    value (the backend's converters, then the field's `from_db_value`, or its `from_db_values` for the whole
    column). The converters are the query's, found once: every batch of a keyset read is the same query but
    for its key."""

    def __init__(self, compiler: Any) -> None:
        self.width: int = compiler.col_count
        self.connection = compiler.connection
        self.converters = compiler.get_converters([selected[0] for selected in compiler.select[: self.width]])

    @classmethod
    def of(cls, query: Any) -> _ColumnReader | None:
        """The reader of `query`'s rows, None when nothing can match (its SQL is never run)."""
        compiler = query.query.get_compiler(using=query.db)
        try:
            sql, _params = compiler.as_sql()  # sets up the selected columns
        except EmptyResultSet:
            return None
        return cls(compiler) if sql else None

    def columns(self, rows: list[tuple[Any, ...]]) -> list[Sequence[Any]]:
        columns: list[Sequence[Any]] = []
        columns.extend(islice(zip(*rows, strict=True), self.width))
        for position, (converters, expression) in self.converters.items():
            columns[position] = converted_column(columns[position], converters, expression, self.connection)
        return columns


def _can_read_ahead(alias: str) -> bool:
    connection = db.connections[alias]
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def download_workbook(
    user: User, stem: str, sheets: Iterable[Sheet], *, purpose: str, obj: Any = None, channel: str = "web"
) -> HttpResponse:
    """Several sheets as one XLSX attachment (e.g. an XLSForm: small, answered from memory), recorded in the
    access trail first."""
    audit.record_access(user, "export", obj, purpose=f"{purpose} (XLSX)", channel=channel)
    response = HttpResponse(workbook_bytes(sheets), content_type=XLSX_TYPE)
    response["Content-Disposition"] = attachment(safe_filename(stem, "xlsx", dated=False))
    return response


def pdf_download(
    user: User, content: bytes, stem: str, *, purpose: str, obj: Any = None, channel: str = "web"
) -> HttpResponse:
    """A rendered PDF (e.g. a case file) as an attachment named `reintegra-<stem>-<today>.pdf`, recorded in the
    access trail first (action "export")."""
    audit.record_access(user, "export", obj, purpose=purpose, channel=channel)
    response = HttpResponse(content, content_type=PDF_TYPE)
    response["Content-Disposition"] = attachment(safe_filename(stem, "pdf"))
    return response


def with_header(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Iterable[Sequence[Any]]:
    """The header row, then the rows (an XLSX sheet's rows)."""
    yield header
    yield from rows


_with_header = with_header

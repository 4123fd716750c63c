"""Reading a manifest row by row: the streaming form of `access.uploads` for files of a national scale.

`access.uploads.read_table` keeps every row of a file in memory, which is right for a directory of a few
hundred entries and not for a list of 100,000 people. Here the rows are read as they are needed, once
to check them and once to write them (`ManifestFile.rows()` can be called again), with the limits and
the words of `access.uploads`: the file's size before anything is read, the XLSX archive's unpacked size
before it is opened, the columns of a row and the length of a cell as they are met (`problems`, with
row and column, never the value).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from typing import IO, Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from reintegra.access.spreadsheets import strip_neutraliser
from reintegra.access.uploads import MB, Limits, Problem, UploadError, column_letter, read_bytes, xlsx_text

LIMITS = Limits(max_bytes=64 * MB, max_rows=300_000, max_columns=200, max_cell_chars=2_000, max_unpacked_bytes=400 * MB)
MAX_REPORTED = 200


def _fail(message: str) -> UploadError:
    return UploadError([Problem(0, "", message)])


class ManifestFile:
    def __init__(self, source: bytes | IO[bytes], filename: str, limits: Limits = LIMITS) -> None:
        self.limits = limits
        self.content = read_bytes(source, limits)
        self.is_xlsx = filename.lower().endswith(".xlsx")
        self.problems: list[Problem] = []
        self.more = 0
        self._text: str | None = None
        if self.is_xlsx:
            self._check_archive()
        else:
            try:
                self._text = self.content.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise _fail(_("The file must be a CSV encoded in UTF-8.")) from None
        self.header = self._header()

    # --- problems --------------------------------------------------------------------------------

    def add(self, row: int, column: str, message: str) -> None:
        if len(self.problems) < MAX_REPORTED:
            self.problems.append(Problem(row, column, message))
        else:
            self.more += 1

    def _column(self, index: int) -> str:
        name = self.header[index] if index < len(self.header) else ""
        return name or column_letter(index)

    def _check(self, number: int, values: list[str]) -> bool:
        if len(values) > self.limits.max_columns:
            self.add(
                number,
                "",
                _("Too many columns (%(n)s); at most %(max)s.") % {"n": len(values), "max": self.limits.max_columns},
            )
            return False
        ok = True
        for index, value in enumerate(values):
            if len(value) > self.limits.max_cell_chars:
                ok = False
                self.add(
                    number,
                    self._column(index),
                    _("The cell is too long (%(n)s characters); at most %(max)s.")
                    % {
                        "n": number_format(len(value), force_grouping=True),
                        "max": number_format(self.limits.max_cell_chars, force_grouping=True),
                    },
                )
        return ok

    # --- reading ---------------------------------------------------------------------------------

    def _check_archive(self) -> None:
        try:
            with zipfile.ZipFile(io.BytesIO(self.content)) as archive:
                unpacked = sum(info.file_size for info in archive.infolist())
        except (zipfile.BadZipFile, OSError, ValueError):
            raise _fail(_("The file is not a readable XLSX workbook.")) from None
        if unpacked > self.limits.max_unpacked_bytes:
            raise _fail(_("The workbook is too large once unpacked."))

    def _raw(self) -> Iterator[tuple[int, list[str]]]:
        if self._text is not None:
            yield from self._csv_rows(self._text)
        else:
            yield from self._xlsx_rows()

    def _csv_rows(self, text: str) -> Iterator[tuple[int, list[str]]]:
        if csv.field_size_limit() < self.limits.max_bytes + 1:
            csv.field_size_limit(self.limits.max_bytes + 1)
        first_line = text.split("\n", 1)[0]
        counts = {d: first_line.count(d) for d in ",;\t"}
        delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        number = 0
        try:
            for number, values in enumerate(reader, start=1):
                yield number, [strip_neutraliser(value).strip() for value in values]
        except csv.Error as exc:
            self.add(number + 1, "", _("This line cannot be read as CSV (%(reason)s).") % {"reason": exc})

    def _xlsx_rows(self) -> Iterator[tuple[int, list[str]]]:
        from openpyxl import load_workbook

        try:
            workbook: Any = load_workbook(io.BytesIO(self.content), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a damaged workbook
            raise _fail(_("The file is not a readable XLSX workbook.")) from None
        try:
            sheet = workbook.worksheets[0]
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [xlsx_text(value).strip() for value in values]
                while cells and not cells[-1]:
                    cells.pop()
                yield number, cells
        except UploadError:
            raise
        except Exception:  # a damaged sheet fails while it is read
            self.add(0, "", _("The file is not a readable XLSX workbook."))
        finally:
            workbook.close()

    def _header(self) -> list[str]:
        for number, values in self._raw():
            if any(values):
                if not self._check(number, values):
                    raise UploadError(self.problems, self.more)
                return [v.strip() for v in values]
        raise _fail(_("The file is empty."))

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(row number, cells) of each data row, blank rows left out; limits checked as rows are read
        (problems added to `problems`; such a row is not yielded)."""
        seen_header = False
        data = 0
        for number, values in self._raw():
            if not any(values):
                continue
            if not seen_header:
                seen_header = True
                continue
            data += 1
            if data > self.limits.max_rows:
                self.add(0, "", _("Too many rows; at most %(max)s per file.") % {"max": self.limits.max_rows})
                return
            if self._check(number, values):
                yield number, values

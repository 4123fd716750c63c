"""Every CSV and XLSX download of every app is answered here (and the PDF of a case file, `pdf_download`):
formula-safe cells (`access.spreadsheets`), CSV streamed, XLSX written by openpyxl's write-only workbook
(through a spooled temporary file), a file name reduced to safe ASCII before it reaches Content-Disposition,
and the export recorded in the access trail before the first byte leaves (`download`).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from reintegra.access import audit
from reintegra.access.spreadsheets import Sheet, csv_lines, write_workbook

if TYPE_CHECKING:
    from reintegra.access.models import User

Format = Literal["csv", "xlsx"]
FORMATS: tuple[str, ...] = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
PDF_TYPE = "application/pdf"
_SPOOL_BYTES = 8 * 1024 * 1024  # XLSX kept in memory up to this size, then on disk


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


def workbook_bytes(sheets: Iterable[Sheet]) -> bytes:
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES) as handle:
        write_workbook(handle, sheets)
        handle.seek(0)
        return handle.read()


def xlsx_response(filename: str, sheets: Iterable[Sheet]) -> HttpResponse:
    response = HttpResponse(workbook_bytes(sheets), content_type=XLSX_TYPE)
    response["Content-Disposition"] = attachment(filename)
    return response


def download(
    user: User,
    fmt: str,
    stem: str,
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    purpose: str,
    object_type: str = "",
    channel: str = "web",
    sheet_title: str = "data",
) -> StreamingHttpResponse | HttpResponse:
    """A table as a CSV or XLSX attachment named `reintegra-<stem>-<today>.<fmt>`, recorded in the access
    trail first (action "export", the purpose and format)."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}.")
    audit.record_access(user, "export", object_type=object_type, purpose=f"{purpose} ({fmt.upper()})", channel=channel)
    filename = safe_filename(stem, fmt)
    if fmt == "xlsx":
        return xlsx_response(filename, [(sheet_title, _with_header(header, rows))])
    return csv_response(filename, header, rows)


def download_workbook(
    user: User, stem: str, sheets: Iterable[Sheet], *, purpose: str, obj: Any = None, channel: str = "web"
) -> HttpResponse:
    """Several sheets as one XLSX attachment (e.g. an XLSForm), recorded in the access trail first."""
    audit.record_access(user, "export", obj, purpose=f"{purpose} (XLSX)", channel=channel)
    return xlsx_response(safe_filename(stem, "xlsx", dated=False), sheets)


def pdf_download(
    user: User, content: bytes, stem: str, *, purpose: str, obj: Any = None, channel: str = "web"
) -> HttpResponse:
    """A rendered PDF (e.g. a case file) as an attachment named `reintegra-<stem>-<today>.pdf`, recorded in the
    access trail first (action "export")."""
    audit.record_access(user, "export", obj, purpose=purpose, channel=channel)
    response = HttpResponse(content, content_type=PDF_TYPE)
    response["Content-Disposition"] = attachment(safe_filename(stem, "pdf"))
    return response


def _with_header(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Iterable[Sequence[Any]]:
    yield header
    yield from rows

"""Large exports in the background (issue 19, "Exports"): a table download of more rows than
`settings.REINTEGRA_EXPORT_BACKGROUND_ROWS` becomes an `ExportJob` that the task queue runs (`export_tasks`,
`reintegra worker`), with its progress, and a file in the installation's private directory
(`settings.REINTEGRA_EXPORT_DIR`: readable by the server's user only, never under static or media) that only
its requester downloads, until it expires (`REINTEGRA_EXPORT_TTL_HOURS`; `purge_expired`, run by
`reintegra send-reminders` and `reintegra purge-exports`, deletes it then).

The lists come from the apps above (`register_table` in their `AppConfig.ready()`: cases, returnees, follow-up
visits, referrals, survey rounds), since this platform app knows nothing of cases. What the file holds is
decided when the task runs, as the requester: their capabilities checked again, the app's selector scoping
the rows and `scoping.can_see` choosing the columns; the headers and values are in the language the requester
used when asking. Each download is recorded in the access trail, and checks the requester's capabilities once
more.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from reintegra.access import audit, exports, permissions
from reintegra.access.choices import ExportStatus
from reintegra.access.models import ExportJob
from reintegra.access.spreadsheets import write_workbook

if TYPE_CHECKING:
    from reintegra.access.models import User
    from reintegra.access.roles import Capability

logger = logging.getLogger("reintegra.exports")
PROGRESS_ROWS = 5000  # rows written between two progress updates


# --- the lists that may run in the background ----------------------------------------------------------


@dataclass(frozen=True)
class ExportKind:
    """A list registered for background exports: who may export it, its table for a user and filters (the
    same function the page and the API export with), and its rows as a queryset (counted, up to the threshold,
    to decide immediate or not). `params` are JSON values (`ExportJob.params`)."""

    key: str
    label: Any
    readers: tuple[Capability, ...]
    table_of: Callable[[User, dict[str, Any]], exports.Table]
    rows_of: Callable[[User, dict[str, Any]], QuerySet[Any]]
    params_of: Callable[[dict[str, Any]], dict[str, Any]] | None = None


_KINDS: dict[str, ExportKind] = {}


def register_table(
    key: str,
    *,
    label: Any,
    readers: tuple[Capability, ...],
    table_of: Callable[[User, dict[str, Any]], exports.Table],
    rows_of: Callable[[User, dict[str, Any]], QuerySet[Any]],
    params_of: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> None:
    """`params_of` parses the filters an API caller sends (raising `ValidationError` with the field "filters"),
    for a list that has filters."""
    _KINDS[key] = ExportKind(key, label, readers, table_of, rows_of, params_of)


def kinds() -> dict[str, ExportKind]:
    return dict(_KINDS)


def _kind(key: str) -> ExportKind:
    entry = _KINDS.get(key)
    if entry is None:
        raise ValidationError({"kind": [ValidationError(_("Select a valid choice."), code="invalid_choice")]})
    return entry


def params_from(key: str, filters: dict[str, Any]) -> dict[str, Any]:
    """An API caller's filters for the list `key`, parsed by the list's own rules."""
    entry = _kind(key)
    if entry.params_of is not None:
        return entry.params_of(filters)
    if filters:
        raise ValidationError(
            {"filters": [ValidationError(_("This list takes no filters."), code="unknown_parameter")]}
        )
    return {}


def label_of(key: str) -> str:
    entry = _KINDS.get(key)
    return str(entry.label) if entry is not None else key


def threshold() -> int:
    return int(settings.REINTEGRA_EXPORT_BACKGROUND_ROWS)


# --- reads ---------------------------------------------------------------------------------------------


def jobs_of(user: User) -> QuerySet[ExportJob]:
    """The user's own exports, newest first (nobody sees another person's)."""
    return ExportJob.objects.filter(requested_by=user).order_by("-created_at", "-id")


def job_of(user: User, pk: Any) -> ExportJob:
    """One of the user's exports; another person's raises `DoesNotExist` (404, as for a missing one)."""
    return jobs_of(user).get(pk=pk)


def has_pending(jobs: Iterable[ExportJob]) -> bool:
    return any(job.status in (ExportStatus.QUEUED, ExportStatus.RUNNING) for job in jobs)


# --- writes --------------------------------------------------------------------------------------------


def start(
    user: User,
    key: str,
    params: dict[str, Any] | None = None,
    *,
    fmt: str,
    codes: bool = False,
    channel: str = "web",
    rows_total: int | None = None,
) -> ExportJob:
    """Queue the export of a registered list as `user` (capability checked first; the rows are scoped when
    the task runs). The language is the one active now: the file speaks it whenever the worker writes it."""
    entry = _kind(key)
    permissions.require(user, *entry.readers)
    if fmt not in exports.FORMATS:
        raise ValidationError({"format": [ValidationError(_("Select a valid choice."), code="invalid_choice")]})
    params = dict(params or {})
    total = entry.rows_of(user, params).count() if rows_total is None else rows_total
    job = ExportJob.objects.create(
        requested_by=user,
        kind=key,
        params=params,
        fmt=fmt,
        codes=codes,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        channel=channel,
        rows_total=total,
    )
    from reintegra.access.export_tasks import run_export

    result = run_export.enqueue(job.pk)
    ExportJob.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id))
    job.refresh_from_db()
    return job


def start_if_large(
    user: User, key: str, params: dict[str, Any], *, fmt: str, codes: bool = False, channel: str = "web"
) -> ExportJob | None:
    """The export queued when the list has more rows than the threshold; None when it is answered at once."""
    entry = _kind(key)
    permissions.require(user, *entry.readers)
    limit = threshold()
    # Counted up to the threshold only (a LIMIT subquery, as the lists count): a small list costs little more.
    if entry.rows_of(user, params).order_by()[: limit + 1].count() <= limit:
        return None
    return start(user, key, params, fmt=fmt, codes=codes, channel=channel)


def export_dir() -> Path:
    directory = Path(settings.REINTEGRA_EXPORT_DIR)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def _counted(rows: Iterable[Sequence[Any]], job: ExportJob) -> Iterable[Sequence[Any]]:
    if isinstance(rows, exports.ColumnBatches):
        return exports.ColumnBatches(_counted_batches(rows.batches, job))
    return _counted_rows(rows, job)


def _counted_batches(batches: Iterable[Sequence[Sequence[Any]]], job: ExportJob) -> Iterator[Sequence[Sequence[Any]]]:
    done = reported = 0
    for columns in batches:
        yield columns
        done += len(columns[0]) if columns else 0
        if done - reported >= PROGRESS_ROWS:
            ExportJob.objects.filter(pk=job.pk).update(rows_done=done)
            reported = done
    job.rows_done = done


def _counted_rows(rows: Iterable[Sequence[Any]], job: ExportJob) -> Iterator[Sequence[Any]]:
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % PROGRESS_ROWS == 0:
            ExportJob.objects.filter(pk=job.pk).update(rows_done=done)
    job.rows_done = done


def _write(path: Path, job: ExportJob, table: exports.Table) -> None:
    """The table into a new file only the server's user may read (created exclusively, mode 0600)."""
    rows = _counted(table.rows, job)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    if job.fmt == "xlsx":
        with os.fdopen(descriptor, "wb") as handle:
            names = exports.header_row(table.columns, codes=job.codes)
            cells = rows if job.codes else exports.human_rows(table.columns, rows, fmt="xlsx")
            write_workbook(handle, [(str(table.sheet_title), exports.with_header(names, cells))])
        return
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as text:
        for chunk in exports.csv_chunks(table.columns, rows, codes=job.codes):
            text.write(chunk)


def run(job_id: int) -> ExportJob:
    """The task's body: the table written as its requester, whose capabilities are checked again (they may
    have lost them since asking). A failure keeps no partial file and records a code, not the error's text."""
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    if job.status != ExportStatus.QUEUED:
        return job  # run already (a task delivered twice)
    job.status, job.started_at = ExportStatus.RUNNING, timezone.now()
    job.save(update_fields=["status", "started_at"])
    path: Path | None = None
    try:
        entry = _kind(job.kind)
        user = job.requested_by
        if not user.is_active or not permissions.has_any(user, *entry.readers):
            raise permissions.denied()
        with translation.override(job.language):
            table = entry.table_of(user, job.params)
            job.stored_as = f"{secrets.token_hex(16)}.{job.fmt}"
            path = export_dir() / job.stored_as
            _write(path, job, table)
    except Exception as exc:
        if path is not None:
            with contextlib.suppress(OSError):
                path.unlink()
        job.status, job.stored_as = ExportStatus.FAILED, ""
        job.error = "permission_denied" if isinstance(exc, PermissionDenied) else "failed"
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "stored_as", "error", "finished_at"])
        logger.warning("export %s failed (%s)", job.pk, type(exc).__name__)  # the type only: no data
        if not isinstance(exc, PermissionDenied | ValidationError):
            raise
        return job
    job.status, job.finished_at = ExportStatus.DONE, timezone.now()
    job.expires_at = job.finished_at + timedelta(hours=int(settings.REINTEGRA_EXPORT_TTL_HOURS))
    job.purpose, job.object_type = table.purpose[:80], table.object_type[:60]
    job.file_name = exports.safe_filename(table.stem, job.fmt)
    job.size = path.stat().st_size
    job.save(
        update_fields=[
            "status", "finished_at", "expires_at", "purpose", "object_type", "file_name", "stored_as", "size",
            "rows_done",
        ]
    )  # fmt: skip
    return job


class ExportGone(Exception):
    """The export's file has expired (or was never written): answered 410 Gone."""


class ExportNotReady(Exception):
    """The export is still queued or running: nothing to download yet."""


def is_expired(job: ExportJob, now: Any = None) -> bool:
    moment = now or timezone.now()
    return job.status == ExportStatus.EXPIRED or (
        job.status == ExportStatus.DONE and job.expires_at is not None and job.expires_at <= moment
    )


def open_download(user: User, job: ExportJob, *, channel: str = "web") -> tuple[Any, str]:
    """The file of one of the user's own exports, opened for reading, and its name; recorded in the access
    trail. Refused: another person's (the caller fetched it with `job_of`: 404), a list the user may no
    longer export (403), expired or failed (`ExportGone`, 410), not written yet (`ExportNotReady`)."""
    if job.requested_by_id != user.pk:
        raise ExportJob.DoesNotExist
    permissions.require(user, *_kind(job.kind).readers)
    if is_expired(job) or job.status == ExportStatus.FAILED:
        raise ExportGone
    if job.status != ExportStatus.DONE:
        raise ExportNotReady
    try:
        handle = (export_dir() / job.stored_as).open("rb")
    except OSError:
        raise ExportGone from None
    mode = f"{job.fmt.upper()}, codes" if job.codes else job.fmt.upper()
    audit.record_access(
        user, "export", object_type=job.object_type, purpose=f"{job.purpose} ({mode}, background)", channel=channel
    )
    return handle, job.file_name


def purge_expired(now: Any = None) -> int:
    """Delete the files of expired exports (and of failed ones left behind); the rows stay, marked expired."""
    moment = now or timezone.now()
    due = ExportJob.objects.filter(status=ExportStatus.DONE, expires_at__lte=moment)
    count = 0
    for job in due.only("pk", "stored_as"):
        if job.stored_as:
            with contextlib.suppress(FileNotFoundError):
                (export_dir() / job.stored_as).unlink()
        ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.EXPIRED, stored_as="")
        count += 1
    return count

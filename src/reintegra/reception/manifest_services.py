"""Every write of manifest imports: saving a column mapping, starting an import (the file kept encrypted
until the background task has run it), running it, and deciding an uncertain match.

An import checks the WHOLE file first (`manifest_core.parse_row` on every row, streamed by `manifest_io`):
with any bad row the report lists each one (row, column, reason) and nothing is written. Then every row is
written in one transaction, a chunk at a time (`manifest_writer`): a failure rolls the whole file back.
Re-importing a file finds every row's key at its arrival and changes nothing (`unchanged` = rows).

Arrivals: one per arrival date and flight or bus number of the rows (`ManifestRow.group`), found again when
the same file or a later list of the same flight is imported; their counts are computed from the rows.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import IO, TYPE_CHECKING, Any

from auditlog.context import set_actor
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from reintegra.access import permissions, versioning
from reintegra.access.roles import Capability
from reintegra.access.uploads import UploadError
from reintegra.cases.choices import DocumentType
from reintegra.places.models import AdminArea
from reintegra.reception import manifest_core as core
from reintegra.reception import manifest_pool
from reintegra.reception.choices import ArrivalMeans, ReturnType
from reintegra.reception.manifest_choices import (
    LetterM,
    ManifestDateFormat,
    ManifestField,
    ManifestStatus,
    ReviewDecision,
)
from reintegra.reception.manifest_io import ManifestFile
from reintegra.reception.manifest_models import ManifestImport, ManifestMapping, ManifestReview
from reintegra.reception.manifest_phases import timed
from reintegra.reception.manifest_writer import CHUNK, ChunkWriter
from reintegra.reception.models import Intake, ReceptionPoint
from reintegra.validation import FieldErrors, e164_phone

if TYPE_CHECKING:
    from reintegra.access.models import Organisation, User

logger = logging.getLogger(__name__)
IMPORT = Capability.IMPORT_MANIFESTS
PROGRESS_EVERY = 5000
MAX_PROBLEMS = 200


def require_import(user: User) -> int:
    """The capability, and an organisation to import into; its id."""
    permissions.require(user, IMPORT)
    return permissions.own_organisation_id(user)


# --- mappings -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MappingInput:
    name: str
    columns: dict[str, str]
    return_type: str
    date_format: str = ManifestDateFormat.DAY_MONTH_YEAR
    letter_m: str = LetterM.FEMALE
    document_type: str = DocumentType.PASSPORT
    means: str = ArrivalMeans.FLIGHT
    host_country: str = ""

    @classmethod
    def of(cls, mapping: ManifestMapping) -> MappingInput:
        return cls(
            name=mapping.name,
            columns=dict(mapping.columns),
            return_type=mapping.return_type,
            date_format=mapping.date_format,
            letter_m=mapping.letter_m,
            document_type=mapping.document_type,
            means=mapping.means,
            host_country=str(mapping.host_country or ""),
        )


def _choice(errors: FieldErrors, name: str, value: str, choices: Any, *, required: bool = True) -> None:
    if not value:
        if required:
            errors.add(name, _("This field is required."), "required")
        return
    if value not in choices.values:
        errors.add(name, _("Select a valid choice."), "invalid_choice")


def mapping_problems(organisation_id: int, data: MappingInput, mapping: ManifestMapping | None) -> FieldErrors:
    errors = FieldErrors()
    name = data.name.strip()
    if not name:
        errors.add("name", _("This field is required."), "required")
    elif (
        ManifestMapping.objects.filter(organisation_id=organisation_id, name__iexact=name)
        .exclude(pk=mapping.pk if mapping else 0)
        .exists()
    ):
        errors.add("name", _("Your organisation already has a mapping with this name."), "duplicate")
    for field, column in data.columns.items():
        if field not in ManifestField.values:
            errors.add(f"columns.{field}", _("Select a valid choice."), "invalid_choice")
        elif len(column) > 200:
            errors.add(f"columns.{field}", _("At most 200 characters."), "max_length")
    mapped = {f for f, c in data.columns.items() if c.strip()}
    if core.GIVEN_NAMES not in mapped:
        errors.add("columns.given_names", _("Choose the column of the given names."), "required")
    if core.FIRST_FAMILY_NAME not in mapped and core.FAMILY_NAMES not in mapped:
        errors.add("columns.first_family_name", _("Choose the column of the family names."), "required")
    _choice(errors, "return_type", data.return_type, ReturnType)
    _choice(errors, "date_format", data.date_format, ManifestDateFormat)
    _choice(errors, "letter_m", data.letter_m, LetterM)
    _choice(errors, "document_type", data.document_type, DocumentType)
    _choice(errors, "means", data.means, ArrivalMeans)
    if data.host_country and data.host_country not in dict(countries):
        errors.add("host_country", _("Select a valid choice."), "invalid_choice")
    return errors


def save_mapping(
    user: User, data: MappingInput, mapping: ManifestMapping | None = None, *, expected_version: int | None = None
) -> ManifestMapping:
    """Create (mapping None) or change a saved mapping; `expected_version`: the version the editor read (a
    change made since is refused, `StaleVersion`)."""
    organisation_id = require_import(user)
    if mapping is not None:
        permissions.require_holding_organisation(user, mapping)
    mapping_problems(organisation_id, data, mapping).raise_if_any()
    with transaction.atomic(), set_actor(user):
        if mapping is not None:
            versioning.lock(mapping, expected_version)
        record = mapping or ManifestMapping(organisation_id=organisation_id, created_by=user)
        record.name = data.name.strip()
        record.columns = {f: c.strip() for f, c in data.columns.items() if c.strip()}
        for name in ("return_type", "date_format", "letter_m", "document_type", "means", "host_country"):
            setattr(record, name, getattr(data, name))
        record.save()
    return record


# --- the words of a problem -----------------------------------------------------------------------


def problem_message(code: str, params: dict[str, str]) -> str:
    messages = {
        core.REQUIRED: _("This value is required."),
        core.INVALID_DATE: _("This is not a date in the mapping's format (or YYYY-MM-DD)."),
        core.IN_FUTURE: _("This date cannot be in the future."),
        core.TOO_OLD: _("This birth date is before 1900."),
        core.INVALID_AGE: _("The age must be a whole number from 0 to %(max)s."),
        core.INVALID_SEX: _("Unknown sex; use F, M, H, mujer, hombre, female or male."),
        core.UNKNOWN_COUNTRY: _("Unknown country; use its name or its ISO code."),
        core.UNKNOWN_MUNICIPALITY: _("No municipality of the reception point's country has this name."),
        core.AMBIGUOUS_MUNICIPALITY: _(
            "Several municipalities have this name; map the department column to tell them apart."
        ),
        core.INVALID_PHONE: _("This is not a valid phone number for the country of the reception point."),
        core.INVALID_YES_NO: _("Use yes or no (sí, no, x, 1, 0)."),
        core.TOO_LONG: _("Too long: at most %(max)s characters."),
        core.MISSING_COLUMN: _("The file has no column named “%(column)s”."),
        core.UNMAPPED: _("The mapping does not say which column holds this."),
        "file": "%(message)s",
    }
    template = messages.get(code, _("This value cannot be imported."))
    return template % params if "%(" in template else template


def report_lines(record: ManifestImport) -> list[dict[str, Any]]:
    """The report's problems, worded in the reader's language: row, column (the file's header), reason."""
    labels = dict(ManifestField.choices)
    columns = record.mapping.columns
    lines = []
    for problem in record.report.get("problems", []):
        field = problem.get("field", "")
        column = problem.get("column") or columns.get(field, "") or str(labels.get(field, ""))
        lines.append(
            {
                "row": problem.get("row", 0),
                "column": column,
                "field": field,
                "code": problem.get("code", ""),
                "message": problem_message(problem.get("code", ""), dict(problem.get("params", {}))),
            }
        )
    return lines


# --- starting an import ---------------------------------------------------------------------------


def _owned(user: User, model: Any, pk: Any, field: str, errors: FieldErrors) -> Any:
    found = model.objects.filter(pk=pk, organisation_id=user.organisation_id).first() if pk else None
    if found is None:
        errors.add(field, _("Select a valid choice."), "required" if not pk else "invalid_choice")
    return found


def start_import(
    user: User,
    *,
    point_id: Any,
    mapping_id: Any,
    upload: IO[bytes] | bytes | None,
    file_name: str,
    arrived_on: date | None = None,
    channel: str = "web",
) -> ManifestImport:
    """Check the upload's size, format and header against the mapping, keep it encrypted and queue the
    import (`manifest_tasks.run_manifest_import`). The rows are checked by the task."""
    organisation_id = require_import(user)
    errors = FieldErrors()
    point = _owned(user, ReceptionPoint, point_id, "point", errors)
    mapping = _owned(user, ManifestMapping, mapping_id, "mapping", errors)
    if arrived_on is not None and arrived_on > timezone.localdate():
        errors.add("arrived_on", _("This date cannot be in the future."), "in_future")
    manifest: ManifestFile | None = None
    if upload is None:
        errors.add("file", _("This field is required."), "required")
    else:
        try:
            manifest = ManifestFile(upload, file_name)
        except UploadError as exc:
            errors.extend(exc.as_validation_error())
    if manifest is not None and mapping is not None:
        for problem in core.header_problems(manifest.header, _spec(mapping), has_default_date=arrived_on is not None):
            errors.add(
                "file" if problem.code == core.MISSING_COLUMN else "mapping",
                problem_message(problem.code, dict(problem.params)),
                problem.code,
            )
    errors.raise_if_any()
    assert manifest is not None
    with transaction.atomic(), set_actor(user):
        record = ManifestImport.objects.create(
            organisation_id=organisation_id,
            point=point,
            mapping=mapping,
            file_name=file_name[:255],
            arrived_on=arrived_on,
            content=base64.b64encode(manifest.content).decode(),
            created_by=user,
        )
    del manifest
    from reintegra.reception.manifest_tasks import run_manifest_import

    result = run_manifest_import.enqueue(record.pk)
    ManifestImport.objects.filter(pk=record.pk).update(task_id=str(result.id))
    record.refresh_from_db()
    return record


def import_file(
    organisation: Organisation,
    *,
    point: ReceptionPoint,
    mapping: ManifestMapping,
    source: IO[bytes] | bytes,
    file_name: str,
    arrived_on: date | None = None,
    progress: Callable[[ManifestImport], None] | None = None,
) -> ManifestImport:
    """The command line's import (`reintegra import-arrivals`): run now, in this process, by the system (no
    user: whoever runs the command on the server is trusted with the whole installation)."""
    if point.organisation_id != organisation.pk or mapping.organisation_id != organisation.pk:
        raise ValidationError(
            _("The reception point and the mapping must be the organisation's."), code="invalid_choice"
        )
    record = ManifestImport.objects.create(
        organisation=organisation, point=point, mapping=mapping, file_name=file_name[:255], arrived_on=arrived_on
    )
    return _run(record, ManifestFile(source, file_name), None, progress)


# --- running it -----------------------------------------------------------------------------------


def run_import(import_id: int) -> ManifestImport:
    """The task's body: the import as the user who uploaded it (checked again: they may have lost the right)."""
    record = ManifestImport.objects.select_related("point", "mapping", "created_by").get(pk=import_id)
    if record.status != ManifestStatus.QUEUED:
        return record  # run already (a task delivered twice)
    user = record.created_by
    try:
        if user is None or not permissions.has_any(user, IMPORT) or user.organisation_id != record.organisation_id:
            raise permissions.denied()
        manifest = ManifestFile(base64.b64decode(record.content), record.file_name)
    except (UploadError, ValueError, PermissionDenied) as exc:
        message = str(exc) if isinstance(exc, UploadError) else _("The import could not be run.")
        return _fail(record, [{"row": 0, "field": "", "code": "file", "params": {"message": message}}])
    return _run(record, manifest, user, None)


def _fail(record: ManifestImport, problems: list[dict[str, Any]], more: int = 0) -> ManifestImport:
    record.status = ManifestStatus.FAILED
    record.report = {"problems": problems, "more": more}
    record.content = ""
    record.finished_at = timezone.now()
    record.save()
    return record


def _run(
    record: ManifestImport, manifest: ManifestFile, user: User | None, progress: Callable[[ManifestImport], None] | None
) -> ManifestImport:
    record.status = ManifestStatus.RUNNING
    record.started_at = timezone.now()
    record.save(update_fields=["status", "started_at"])
    try:
        return _passes(record, manifest, user, progress)
    finally:
        core.forget()


def _passes(
    record: ManifestImport, manifest: ManifestFile, user: User | None, progress: Callable[[ManifestImport], None] | None
) -> ManifestImport:
    spec = _spec(record.mapping)
    resolvers = _resolvers(record.point, record.arrived_on)
    index = core.column_index(manifest.header, spec)
    problems = [
        _problem_dict(p)
        for p in core.header_problems(manifest.header, spec, has_default_date=record.arrived_on is not None)
    ]
    if problems:
        return _fail(record, problems)
    # 1. Check every row; write nothing.
    with timed("check"):
        problems, more, total = _check_rows(record, manifest, index, spec, resolvers, progress)
    record.rows_total = record.rows_checked = total
    if problems:
        record.save(update_fields=["rows_total", "rows_checked"])
        return _fail(record, problems, more)
    _progress(record, progress, rows_checked=total, rows_total=total)
    # 2. Write every row, in one transaction.
    try:
        writer = _write(record, manifest, index, spec, resolvers, user, progress)
    except Exception as exc:  # nothing was written; the cause is logged without any value of the file
        logger.error("manifest import %s failed: %s", record.pk, type(exc).__name__)
        return _fail(
            record,
            [
                {
                    "row": 0,
                    "field": "",
                    "code": "file",
                    "params": {"message": _("The import failed; nothing was written.")},
                }
            ],
        )
    for name in ("new_returnees", "repeat_returnees", "within_file_duplicates", "unchanged", "to_review"):
        setattr(record, name, getattr(writer.counts, name))
    record.arrivals = len(writer.arrivals)
    record.rows_written = total
    record.status = ManifestStatus.DONE
    record.report = {"problems": [], "more": 0}
    record.content = ""
    record.finished_at = timezone.now()
    record.save()
    if progress is not None:
        progress(record)
    return record


def _check_rows(
    record: ManifestImport,
    manifest: ManifestFile,
    index: dict[str, int],
    spec: core.MappingSpec,
    resolvers: core.Resolvers,
    progress: Callable[[ManifestImport], None] | None,
) -> tuple[list[dict[str, Any]], int, int]:
    """(problems, problems beyond those kept, rows) of the whole file."""
    problems: list[dict[str, Any]] = []
    more = total = 0
    for row in _parsed(manifest, index, spec, resolvers):
        total += 1
        if isinstance(row, list):
            for problem in row:
                if len(problems) < MAX_PROBLEMS:
                    problems.append(_problem_dict(problem))
                else:
                    more += 1
        if total % PROGRESS_EVERY == 0:
            _progress(record, progress, rows_checked=total)
    for found in manifest.problems:
        message = {"message": found.message}
        problems.append({"row": found.row, "field": "", "column": found.column, "code": "file", "params": message})
    return problems, more + manifest.more, total


def _write(
    record: ManifestImport,
    manifest: ManifestFile,
    index: dict[str, int],
    spec: core.MappingSpec,
    resolvers: core.Resolvers,
    user: User | None,
    progress: Callable[[ManifestImport], None] | None,
) -> ChunkWriter:
    writer = ChunkWriter(record, user)
    writer.parents = dict(
        AdminArea.objects.filter(country=record.point.country, level=2).values_list("pk", "parent_id")
    )
    done = 0
    rows = _chunks(_parsed(manifest, index, spec, resolvers))
    with (
        timed("write"),
        manifest_pool.scorer_for(record.rows_total, writer.secrets) as scorer,
        transaction.atomic(),
        set_actor(user),
    ):
        writer.scorer = scorer
        with timed("parse"):
            chunk = next(rows, None)
        ahead = writer.start(chunk) if chunk is not None else None
        while ahead is not None:
            started = writer.begin(ahead)
            size = len(chunk or ())
            # While the worker scores this chunk's pairs (`manifest_pool`): the next chunk parsed, its rows not
            # written before handed to the worker to prepare (first: it prepares them as soon as it has scored,
            # while the writer writes), then the chunk before's remaining writes (PostgreSQL). Neither depends on
            # the other: a row repeated in the file is told by its key, held in memory (`ChunkWriter.start`).
            with timed("parse"):
                chunk = next(rows, None)
            ahead = writer.start(chunk) if chunk is not None else None
            writer.flush()
            writer.end(started)
            done += size
            if size >= CHUNK:
                with timed("db.progress"):
                    _progress(record, progress, rows_written=done)
        writer.flush()
        writer.finish()
    return writer


def _chunks(parsed: Iterator[core.ManifestRow | list[core.RowProblem]]) -> Iterator[list[core.ManifestRow]]:
    chunk: list[core.ManifestRow] = []
    for row in parsed:
        assert not isinstance(row, list)  # checked in the first pass
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _parsed(
    manifest: ManifestFile, index: dict[str, int], spec: core.MappingSpec, resolvers: core.Resolvers
) -> Iterator[core.ManifestRow | list[core.RowProblem]]:
    for number, values in manifest.rows():
        cells = {field: values[i] if i < len(values) else "" for field, i in index.items()}
        yield core.parse_row(number, cells, spec, resolvers)


def _problem_dict(problem: core.RowProblem) -> dict[str, Any]:
    return {"row": problem.row, "field": problem.field, "code": problem.code, "params": dict(problem.params)}


def _progress(record: ManifestImport, callback: Callable[[ManifestImport], None] | None, **values: int) -> None:
    """Progress where a page polling the import can read it: inside the import's transaction on PostgreSQL
    through a connection of its own (SQLite holds one writer: the page then shows the last count checked)."""
    for name, value in values.items():
        setattr(record, name, value)
    if callback is not None:
        callback(record)
    if not connection.in_atomic_block:
        ManifestImport.objects.filter(pk=record.pk).update(**values)
    elif connection.vendor == "postgresql":
        side = connections.create_connection("default")
        try:
            with side.cursor() as cursor:
                assignments = ", ".join(f"{connection.ops.quote_name(name)} = %s" for name in values)
                table = connection.ops.quote_name(ManifestImport._meta.db_table)
                cursor.execute(f"UPDATE {table} SET {assignments} WHERE id = %s", [*values.values(), record.pk])  # noqa: S608
        finally:
            side.close()


# --- what the core needs from the database --------------------------------------------------------


def _spec(mapping: ManifestMapping) -> core.MappingSpec:
    return core.MappingSpec(columns=dict(mapping.columns), date_format=mapping.date_format, letter_m=mapping.letter_m)


def _country_names() -> dict[str, str]:
    from django.utils import translation

    names: dict[str, str] = {}
    for language in ("en", "es", "fr"):
        with translation.override(language):
            for code, name in countries:
                names[core.fold(str(name))] = code
    for code in countries:
        names[core.fold(code.code)] = code.code
        alpha3 = countries.alpha3(code.code)
        if alpha3:
            names[core.fold(alpha3)] = code.code
    # What lists of the region write for nationalities.
    for word, code in {
        "guatemalteca": "GT",
        "guatemalteco": "GT",
        "hondurena": "HN",
        "hondureno": "HN",
        "salvadorena": "SV",
        "salvadoreno": "SV",
        "mexicana": "MX",
        "mexicano": "MX",
        "nicaraguense": "NI",
        "estadounidense": "US",
    }.items():
        names[word] = code
    return names


def _resolvers(point: ReceptionPoint, arrived_on: date | None) -> core.Resolvers:
    names = _country_names()
    by_name: dict[str, list[tuple[int, str]]] = {}
    for pk, name, parent in AdminArea.objects.filter(country=point.country, level=2).values_list(
        "pk", "name", "parent__name"
    ):
        by_name.setdefault(core.fold(name), []).append((pk, core.fold(parent or "")))
    codes = dict(AdminArea.objects.filter(country=point.country, level=2).values_list("code", "pk"))
    region = str(point.country)

    def municipality(name: str, department: str) -> int | None:
        if name in codes:
            return codes[name]
        found = by_name.get(core.fold(name), [])
        if department:
            found = [f for f in found if f[1] == core.fold(department)]
        if len(found) > 1:
            raise core.AmbiguousName(name)
        return found[0][0] if found else None

    return core.Resolvers(
        country=lambda text: names.get(core.fold(text)),
        municipality=municipality,
        phone=lambda text: e164_phone(text, region),
        default_date=arrived_on,
        today=timezone.localdate(),
    )


# --- the review of uncertain matches --------------------------------------------------------------


def decide_review(
    user: User, review: ManifestReview, *, decision: str, candidate_id: int | None = None
) -> ManifestReview:
    """Link the row to one of its candidates (the intake moves to that person; the returnee the import created
    for the row is deleted) or confirm that the row's person is a different person."""
    require_import(user)
    permissions.require_holding_organisation(user, review.manifest_import)
    errors = FieldErrors()
    if review.decision != ReviewDecision.PENDING:
        errors.add("decision", _("This match has been decided already."), "decided")
    if decision not in (ReviewDecision.LINKED, ReviewDecision.DISTINCT):
        errors.add("decision", _("Select a valid choice."), "invalid_choice")
    candidates = {c["id"] for c in review.candidates}
    if decision == ReviewDecision.LINKED and candidate_id not in candidates:
        errors.add("candidate", _("Select a valid choice."), "invalid_choice")
    errors.raise_if_any()
    with transaction.atomic(), set_actor(user):
        intake = Intake.objects.select_for_update().get(pk=review.intake_id)
        if decision == ReviewDecision.LINKED:
            assert candidate_id is not None  # one of the candidates (checked above)
            if Intake.objects.filter(arrival_id=intake.arrival_id, returnee_id=candidate_id).exists():
                errors.add("candidate", _("This person is already received at this arrival."), "duplicate")
                errors.raise_if_any()
            created = intake.returnee_id
            intake.returnee_id = candidate_id
            intake.is_repeat_return = True
            intake.save(update_fields=["returnee", "is_repeat_return"])
            review.linked_to_id = candidate_id
            if _forget_created(created):
                review.new_returnee_id = None
        review.decision = decision
        review.decided_by = user
        review.decided_at = timezone.now()
        review.save()
    return review


def _forget_created(returnee_id: int | None) -> bool:
    """The returnee an import created for a row now linked to its person: deleted when nothing else holds it
    (its name tokens, keys and documents go with it); kept otherwise (a case was opened meanwhile)."""
    from django.db.models import ProtectedError

    from reintegra.cases.models import Returnee

    if returnee_id is None:
        return False
    try:
        with transaction.atomic():
            Returnee.objects.filter(pk=returnee_id).delete()
    except ProtectedError:
        return False
    return True

"""Every write of this app: permission check, validation, atomic, attributed in the change log.

Instruments: `load_instrument` (file or command; idempotent), `import_xlsform` (draft), `update_draft`,
`publish_version`. Rounds: `record_round`, `rescore_round`, `import_submissions`. Grid: `load_grid`,
`save_approach`, `delete_approach`, `import_grid`.

Size (over 600 lines): the three families of writes share the `_write` transaction and the
programme manager's check. When one grows, split it by family (instruments, rounds, grid) into a package.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import IO, TYPE_CHECKING, Any

import yaml
from auditlog.context import set_actor
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from reintegra.access import permissions, text_limits, uploads, versioning
from reintegra.access.models import Programme
from reintegra.access.roles import Capability
from reintegra.access.uploads import Limits
from reintegra.cases import permissions as case_permissions
from reintegra.cases.choices import CaseEventKind
from reintegra.cases.models import Case, CaseEvent
from reintegra.cases.selectors import cases_for
from reintegra.sustainability import definition as definition_module
from reintegra.sustainability import schedule, scoring, selectors, xlsform
from reintegra.sustainability.choices import Dimension, RoundSource, VersionStatus
from reintegra.sustainability.definition import Definition, DefinitionError
from reintegra.sustainability.models import FeasibilityApproach, Instrument, InstrumentVersion, RoundScore, SurveyRound
from reintegra.validation import FieldErrors, field_error

if TYPE_CHECKING:
    from reintegra.access.models import User


@contextmanager
def _write(user: User | None, capability: Capability | None) -> Iterator[None]:
    if capability is not None:
        permissions.require(user, capability)
    with transaction.atomic():
        if user is not None and getattr(user, "is_authenticated", False):
            with set_actor(user):
                yield
        else:
            yield


def _require_programme(user: User | None, programme: Programme | None) -> None:
    """Programme configuration: a programme manager of the programme's organisation; global ones only by command."""
    if user is None:  # management commands and data migrations
        return
    permissions.require(user, Capability.MANAGE_PROGRAMME)
    permissions.require_holding_organisation(
        user, programme, _("Only a programme manager of this programme can change its configuration.")
    )


def _definition_errors(exc: DefinitionError) -> ValidationError:
    return ValidationError({"definition": [str(p) for p in exc.problems]})


# --- Instruments ---------------------------------------------------------------------------------------


# Limits of the files each import reads (README, "Import limits").
DEFINITION_MAX_BYTES = 1024 * 1024
XLSFORM_LIMITS = Limits(max_bytes=5 * 1024 * 1024, max_rows=5_000, max_columns=200, max_cell_chars=10_000)
SUBMISSION_LIMITS = Limits(max_bytes=10 * 1024 * 1024, max_rows=20_000, max_columns=1_000, max_cell_chars=10_000)
GRID_LIMITS = Limits(max_bytes=1024 * 1024, max_rows=500, max_columns=20, max_cell_chars=2_000)


YAML_MAX_NODES = 200_000  # values in a definition or grid once aliases are expanded


def _expanded_size(data: Any, memo: dict[int, int] | None = None) -> int:
    """How many values `data` holds with every alias expanded (each shared object counted once per use).
    A few kilobytes of nested aliases expand to billions ("billion laughs"): that is refused, not walked."""
    memo = {} if memo is None else memo
    if not isinstance(data, dict | list):
        return 1
    key = id(data)
    if memo.get(key) == -1:
        raise yaml.YAMLError("a value contains itself (recursive alias)")
    if key not in memo:
        memo[key] = -1  # being counted
        children = list(data.keys()) + list(data.values()) if isinstance(data, dict) else data
        memo[key] = 1 + sum(_expanded_size(child, memo) for child in children)
    return memo[key]


def _load_yaml(content: bytes | IO[bytes], max_bytes: int) -> Any:
    """A YAML or JSON document within `max_bytes` and YAML_MAX_NODES; ValidationError ("file") otherwise."""
    try:
        raw = uploads.read_bytes(content, Limits(max_bytes=max_bytes))
    except uploads.UploadError as exc:
        raise exc.as_validation_error("file") from None
    try:
        data = yaml.safe_load(raw.decode("utf-8-sig"))
        size = _expanded_size(data)
    except (UnicodeDecodeError, yaml.YAMLError, RecursionError) as exc:
        reason = exc if not isinstance(exc, RecursionError) else _("nested too deeply")
        raise ValidationError(
            {"file": [_("The file is not valid YAML or JSON: %(error)s") % {"error": reason}]}
        ) from None
    if size > YAML_MAX_NODES:
        raise ValidationError(
            {
                "file": [
                    _("The file holds too many values (%(max)s at most, aliases counted).") % {"max": YAML_MAX_NODES}
                ]
            }
        )
    return data


def read_definition_file(content: bytes | IO[bytes], filename: str = "") -> dict[str, Any]:
    """YAML or JSON (JSON is YAML) -> dict; ValidationError when it cannot be read or is over 1 MB."""
    data = _load_yaml(content, DEFINITION_MAX_BYTES)
    if not isinstance(data, dict):
        raise ValidationError({"file": [_("The file must describe one instrument (a mapping).")]})
    return data


@dataclass(frozen=True)
class LoadResult:
    version: InstrumentVersion
    outcome: str  # "created" | "updated" | "unchanged" | "published"


def load_instrument(
    user: User | None,
    raw: Mapping[str, Any],
    *,
    programme: Programme | None = None,
    publish: bool = False,
    source: str = "",
) -> LoadResult:
    """Create or update an instrument version from a definition; idempotent.

    A published version is never changed: loading it again with the same content does nothing, with
    different content it is refused (raise `version` for new weights). No user: a management command or
    a data migration (global instruments)."""
    _require_programme(user, programme)
    try:
        parsed = definition_module.parse(dict(raw))
    except DefinitionError as exc:
        raise _definition_errors(exc) from None
    stored = parsed.to_dict()
    with _write(user, None):
        instrument, _created = Instrument.objects.get_or_create(
            programme=programme, code=parsed.code, defaults={"labels": parsed.labels}
        )
        if instrument.labels != parsed.labels:
            instrument.labels = parsed.labels
            instrument.save(update_fields=["labels"])
        version = (
            InstrumentVersion.objects.select_for_update().filter(instrument=instrument, number=parsed.version).first()
        )
        if version is None:
            version = InstrumentVersion.objects.create(
                instrument=instrument,
                number=parsed.version,
                definition=stored,
                source=source[:200],
                created_by=user if user is not None else None,
            )
            outcome = "created"
        elif version.is_published:
            if version.definition != stored:
                raise ValidationError(
                    {
                        "definition": [
                            _(
                                "Version %(number)s of %(code)s is published and cannot change. "
                                "Give the new weights a higher version number."
                            )
                            % {"number": version.number, "code": parsed.code}
                        ]
                    }
                )
            return LoadResult(version, "unchanged")
        elif version.definition != stored:
            version.definition = stored
            version.source = source[:200]
            version.save(update_fields=["definition", "source"])
            outcome = "updated"
        else:
            outcome = "unchanged"
        if publish:
            _publish(version)
            outcome = "published"
    return LoadResult(version, outcome)


def _publish(version: InstrumentVersion) -> None:
    if version.is_published:
        return
    try:
        definition_module.parse(version.definition)
    except DefinitionError as exc:
        raise _definition_errors(exc) from None
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at"])


def publish_version(
    user: User, version: InstrumentVersion, *, expected_version: int | None = None
) -> InstrumentVersion:
    """Publish a draft; with `expected_version`, only the draft as the user last saw it (not one changed since)."""
    _require_programme(user, version.instrument.programme)
    with _write(user, None):
        version = InstrumentVersion.objects.select_for_update().get(pk=version.pk)
        versioning.check(version, expected_version)
        _publish(version)
    return version


def import_xlsform(
    user: User, programme: Programme, content: bytes | IO[bytes], filename: str = ""
) -> InstrumentVersion:
    """A draft version from an XLSForm. The draft may lack scores and weights: they are added before publishing."""
    _require_programme(user, programme)
    try:
        sheets = uploads.read_workbook(content, XLSFORM_LIMITS)
        draft = xlsform.draft_from_sheets({name: _sheet_values(table) for name, table in sheets})
    except uploads.UploadError as exc:
        raise exc.as_validation_error("file") from None
    except xlsform.XLSFormError as exc:
        raise ValidationError({"file": [str(p) for p in exc.problems]}) from None
    with _write(user, None):
        instrument, _created = Instrument.objects.get_or_create(
            programme=programme, code=draft["code"], defaults={"labels": draft.get("labels", {})}
        )
        taken = set(instrument.versions.values_list("number", flat=True))
        number = int(draft.get("version", 1))
        if number in taken:
            number = max(taken) + 1
        draft["version"] = number
        return InstrumentVersion.objects.create(
            instrument=instrument, number=number, definition=draft, source=filename[:200], created_by=user
        )


def update_draft(
    user: User, version: InstrumentVersion, raw: Mapping[str, Any], *, expected_version: int | None = None
) -> InstrumentVersion:
    """Replace a draft's definition (scores, weights, bands added in the UI or a file). Drafts may stay incomplete.

    `expected_version`: the draft's version the user read; a stale one raises StaleVersion."""
    _require_programme(user, version.instrument.programme)
    if version.is_published:
        raise ValidationError({"definition": [_("A published version cannot change.")]})
    with _write(user, None):
        versioning.lock(version, expected_version)
        if version.is_published:
            raise ValidationError({"definition": [_("A published version cannot change.")]})
        data = dict(raw)
        data["code"] = version.instrument.code
        data["version"] = version.number
        version.definition = data
        version.save(update_fields=["definition"])
    return version


def draft_problems(version: InstrumentVersion) -> list[str]:
    try:
        definition_module.parse(version.definition)
    except DefinitionError as exc:
        return exc.problems
    return []


# --- Rounds ----------------------------------------------------------------------------------------------


def _resolve_version(case: Case, instrument_code: str, number: int | None) -> InstrumentVersion:
    instrument = selectors.instrument_for_case(case, instrument_code)
    if instrument is None:
        raise field_error(
            "instrument",
            _("No instrument %(code)s for this case's programme.") % {"code": instrument_code},
            "invalid_choice",
        )
    versions = selectors.published_versions(instrument)
    version = versions.filter(number=number).first() if number else versions.first()
    if version is not None and version.parsed().subject != definition_module.SUBJECT_CASE:
        # A community instrument's respondents are anonymous residents: its rounds are the community app's.
        raise field_error(
            "instrument",
            _("No instrument %(code)s for this case's programme.") % {"code": instrument_code},
            "invalid_choice",
        )
    if version is None:
        raise field_error(
            "version",
            _("Version %(number)s of %(code)s is not published.") % {"number": number, "code": instrument_code}
            if number
            else _("%(code)s has no published version yet.") % {"code": instrument_code},
            "invalid_choice",
        )
    return version


def _score(version: InstrumentVersion, answers: Mapping[str, Any]) -> scoring.Result:
    return scoring.score_response(version.parsed(), answers)


def _store_score(round_: SurveyRound, version: InstrumentVersion, result: scoring.Result, user: User) -> RoundScore:
    RoundScore.objects.filter(round=round_, is_current=True).update(is_current=False)
    score, _created = RoundScore.objects.update_or_create(
        round=round_,
        version=version,
        defaults={
            **result.scores,
            "bands": result.bands,
            "answered_share": result.answered_share,
            "is_current": True,
            "computed_by": user,
            "computed_at": timezone.now(),
        },
    )
    return score


@dataclass(frozen=True)
class RoundInput:
    instrument: str
    taken_on: date
    answers: dict[str, Any]
    version: int | None = None
    round_month: int | None = None


def validate_round(
    case: Case, data: RoundInput, today: date | None = None
) -> tuple[InstrumentVersion, dict[str, Any], int | None]:
    """(version, clean answers, round month) or ValidationError with field errors: an answer's under
    "answers.<question code>" (the web form shows it on that question, the API nests it under "answers")."""
    today = today or timezone.localdate()
    version = _resolve_version(case, data.instrument, data.version)
    errors = FieldErrors()
    if data.taken_on > today:
        errors.add("date", _("The survey date cannot be in the future."), "in_future")
    elif data.taken_on < case.return_date:
        errors.add("date", _("The survey date cannot be before the return date."), "before_return")
    clean = check_answers(errors, version, data.answers)
    month = _round_month(errors, case, data)
    errors.raise_if_any()
    return version, clean, month


def check_answers(errors: FieldErrors, version: InstrumentVersion, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The clean answers of a response to `version`; what is wrong goes to `errors` under "answers.<question
    code>" (and "answers": too few to score). The engine's one answer check, for a case's round and for any
    other subject's response (the community perception survey)."""
    clean, answer_errors = scoring.clean_answers(version.parsed(), answers)
    for code, message in sorted(answer_errors.items()):
        text, error_code = _translate_answer_error(message)
        errors.add(f"answers.{code}", text, error_code)
    for code, value in sorted(clean.items()):
        _too_long_answer(errors, code, value)
    if not answer_errors:
        _too_few_answers(errors, version, clean)
    return clean


def score_answers(version: InstrumentVersion, clean: Mapping[str, Any]) -> scoring.Result:
    """The scores of clean answers under `version` (as a round's are computed)."""
    return _score(version, clean)


def _too_long_answer(errors: FieldErrors, code: str, value: Any) -> None:
    """An answer's text (a free-text answer, an "other" written in) is a note: the JSON column has no length
    of its own, so the limit of `access.text_limits` is applied here, with the code every other text gets."""
    texts = value if isinstance(value, list) else [value]
    for text in texts:
        if isinstance(text, str) and len(text) > text_limits.Kind.NOTE:
            try:
                MaxLengthValidator(text_limits.Kind.NOTE)(text)
            except ValidationError as error:
                errors.add(f"answers.{code}", error.messages[0], "max_length")
            return


def _too_few_answers(errors: FieldErrors, version: InstrumentVersion, clean: Mapping[str, Any]) -> None:
    """A round that yields no score at all (not even one dimension's) tells nothing: it is refused, so that an
    empty form never counts as a scheduled round."""
    if not version.parsed().scored_questions:
        return  # an instrument without scores (notes, a checklist) is never refused for it
    result = _score(version, clean)
    if all(value is None for value in result.scores.values()):
        share = round(version.parsed().min_answered_share * 100)
        errors.add(
            "answers",
            _(
                "Too few questions are answered to compute any score: answer at least %(share)s %% of the "
                "questions of one dimension."
            )
            % {"share": share},
            "too_few_answers",
        )


def _round_month(errors: FieldErrors, case: Case, data: RoundInput) -> int | None:
    """The round given (one the programme schedules, not done yet, whose window holds the date), or the one
    whose window holds the date; None: an unscheduled round (schedule.py)."""
    months, baseline_days = selectors.schedule_of(case)
    round_days = selectors.round_window_days(case)
    done = selectors.done_months(case)
    month = data.round_month
    # The form offers the rounds still to do only: another is not among its choices either.
    if month is not None and month not in months:
        errors.add(
            "round_month",
            _("The programme schedules rounds at %(months)s months after return.")
            % {"months": ", ".join(str(m) for m in months)},
            "invalid_choice",
        )
    elif month is not None and month in done:
        errors.add("round_month", _("This round was already recorded for the case."), "invalid_choice")
    elif month is not None and "date" not in errors:
        window = schedule.window_of(case.return_date, month, months, baseline_days, round_days)
        if window is None or not window.holds(data.taken_on):
            errors.add("round_month", _outside_window_message(window), "outside_window")
    elif month is None and "date" not in errors:
        month = schedule.round_for_date(case.return_date, data.taken_on, months, done, baseline_days, round_days)
    return month


def _outside_window_message(window: schedule.Window | None) -> str:
    if window is None:
        return _("This round has no window in the programme's schedule: leave the round empty (unscheduled).")
    return _(
        "A survey for this round is taken between %(start)s and %(end)s; for another date leave the round empty "
        "(the date chooses it, or the survey is unscheduled)."
    ) % {
        "start": date_format(window.starts_on, "SHORT_DATE_FORMAT"),
        "end": date_format(window.ends_on, "SHORT_DATE_FORMAT"),
    }


def _translate_answer_error(message: str) -> tuple[str, str]:
    """(message, code) for the pure core's English reason: the usual ones are shown translated."""
    known = {
        "not a question of this instrument": (_("not a question of this instrument"), "unknown_question"),
        "an answer is required": (_("an answer is required"), "required"),
        "must be a number": (_("must be a number"), "invalid"),
        "must be a finite number": (_("must be a number"), "invalid"),
    }
    if message in known:
        return known[message]
    if message.endswith("is not one of its options") or message.endswith("not among its options"):
        value = message.split(" is not")[0].split(" not among")[0]
        return _("%(value)s is not one of its options") % {"value": value}, "invalid_choice"
    if "is not a number" in message:
        return _("must be a number"), "invalid"
    if "is not a date" in message:
        return _("is not a date (YYYY-MM-DD)"), "invalid"
    return message, "invalid"


def record_round(
    user: User, case: Case, data: RoundInput, *, source: str = RoundSource.WEB, submission_key: str = ""
) -> SurveyRound:
    case_permissions.require_case_write(user, case)
    with _write(user, None):
        version, clean, month = validate_round(case, data)
        return _create_round(user, case, version, clean, data.taken_on, month, source, submission_key)


def _create_round(
    user: User,
    case: Case,
    version: InstrumentVersion,
    clean: dict[str, Any],
    taken_on: date,
    month: int | None,
    source: str,
    submission_key: str,
) -> SurveyRound:
    round_ = SurveyRound.objects.create(
        case=case,
        version=version,
        taken_on=taken_on,
        round_month=month,
        answers=clean,
        source=source,
        submission_key=submission_key,
        recorded_by=user,
    )
    result = _score(version, clean)
    _store_score(round_, version, result, user)
    CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.SUSTAINABILITY,
        actor=user,
        data={
            "round": month,
            "instrument": version.instrument.code,
            "version": version.number,
            "composite_band": result.bands.get("composite"),
            "date": taken_on.isoformat(),
        },
    )
    return round_


def rescore_round(user: User, round_: SurveyRound, version: InstrumentVersion) -> RoundScore:
    """Score a round again under another published version of its instrument; the old score is kept."""
    case_permissions.require_case_write(user, round_.case)
    with _write(user, None):
        # The same instrument, or the one the case's programme uses for its code (never another
        # programme's instrument that happens to share the code).
        usable = {round_.version.instrument_id}
        own = selectors.instrument_for_case(round_.case, round_.version.instrument.code)
        if own is not None:
            usable.add(own.pk)
        if not version.is_published or version.instrument_id not in usable:
            raise ValidationError({"version": [_("Choose a published version of the same instrument.")]})
        definition = version.parsed()
        # Answers to questions the new version dropped are ignored; they stay stored on the round.
        answers = {k: v for k, v in round_.answers.items() if definition.question(k) is not None}
        clean, _errors = scoring.clean_answers(definition, answers)
        return _store_score(round_, version, scoring.score_response(definition, clean), user)


@dataclass
class ImportReport:
    total: int = 0
    imported: int = 0
    already_imported: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)  # {row, column, reason}

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "imported": self.imported,
            "already_imported": self.already_imported,
            "rejected": len({e["row"] for e in self.errors}),
            "errors": self.errors,
        }


def _sheet_values(table: uploads.Table) -> list[list[Any]]:
    """A sheet as openpyxl gives it (header first); blank rows were already left out."""
    return [table.header, *(values for _number, values in table.rows)] if table.header else []


def read_submissions(
    content: bytes | IO[bytes], filename: str, question_codes: set[str], *, case_number: bool = True
) -> list[xlsform.Submission]:
    """The submissions of a CSV, XLSX or JSON export within SUBMISSION_LIMITS; ValidationError ("file")
    otherwise. `case_number=False` for an instrument whose subject is a community (the perception survey)."""
    try:
        raw = uploads.read_bytes(content, SUBMISSION_LIMITS)
        if xlsform.is_json(raw, filename):
            records = xlsform.json_records(raw)
            uploads.check_records(records, SUBMISSION_LIMITS)
            return xlsform.submissions(enumerate(records, start=1), question_codes, case_number=case_number)
        table = uploads.read_table(raw, filename, SUBMISSION_LIMITS)
    except uploads.UploadError as exc:
        raise exc.as_validation_error("file") from None
    except xlsform.XLSFormError as exc:
        raise ValidationError({"file": [ValidationError(str(p), code="invalid_file") for p in exc.problems]}) from None
    return xlsform.submissions(table.records(), question_codes, case_number=case_number)


def import_submissions(
    user: User, version: InstrumentVersion, content: bytes | IO[bytes], filename: str
) -> ImportReport:
    """Score and store each submission of an ODK/Kobo export; every bad row is reported, none half-written.

    Rows are matched by case number among the cases the importer can see; any other number is reported
    as "no such case" (existence is never revealed). A submission already imported (same instance id) is
    skipped."""
    permissions.require(user, Capability.IMPORT_SUBMISSIONS)
    if not version.is_published:
        raise ValidationError({"file": [_("Submissions can only be imported for a published version.")]})
    definition = version.parsed()
    submissions = read_submissions(content, filename, {q.code for q in definition.questions})
    report = ImportReport(total=len(submissions))
    numbers = {s.case_number for s in submissions if s.case_number}
    visible = {c.case_number: c for c in cases_for(user).filter(case_number__in=numbers).select_related("programme")}
    for sub in submissions:
        case = visible.get(sub.case_number)
        if case is not None and sub.key and SurveyRound.objects.filter(case=case, submission_key=sub.key).exists():
            report.already_imported += 1
            continue
        problems = [*sub.problems, *_case_problems(user, sub, case)]
        own_version, month = version, None
        clean: dict[str, Any] = {}
        if case is not None and sub.taken_on is not None:
            own_version, clean, month = _checked_submission(case, version, sub, sub.taken_on, problems)
        if problems:
            report.errors.extend({"row": sub.row, "column": c, "reason": str(r)} for c, r in problems)
            continue
        assert case is not None and sub.taken_on is not None
        try:
            with _write(user, Capability.EDIT_CASES):
                _create_round(user, case, own_version, clean, sub.taken_on, month, RoundSource.IMPORT, sub.key)
            report.imported += 1
        except IntegrityError:
            report.already_imported += 1
    return report


def _case_problems(user: User, sub: xlsform.Submission, case: Case | None) -> list[tuple[str, str]]:
    if sub.case_number and case is None:
        return [(xlsform.CASE_NUMBER, _("no such case: %(number)s") % {"number": sub.case_number})]
    if case is not None and not case_permissions.can_change_case(user, case):
        return [(xlsform.CASE_NUMBER, _("you cannot record rounds for this case"))]
    return []


def _checked_submission(
    case: Case,
    version: InstrumentVersion,
    sub: xlsform.Submission,
    taken_on: date,
    problems: list[tuple[str, str]],
) -> tuple[InstrumentVersion, dict[str, Any], int | None]:
    """`validate_round` of one submission; what it refuses goes to `problems`, by column."""
    try:
        instrument = selectors.instrument_for_case(case, version.instrument.code)
        if instrument is not None and instrument.pk != version.instrument_id:
            problems.append((xlsform.CASE_NUMBER, _("the case's programme uses its own version of this instrument")))
            return version, {}, None
        return validate_round(case, RoundInput(version.instrument.code, taken_on, sub.values, version.number))
    except ValidationError as exc:
        for column, messages in exc.message_dict.items():
            column = column.removeprefix("answers.")  # an answer's column is its question's code
            problems.extend((xlsform.SURVEY_DATE if column == "date" else column, m) for m in messages)
        return version, {}, None


# --- Feasibility grid ---------------------------------------------------------------------------------

GRID_COLUMNS = ("dimension", "approach", "useful_for", "individual", "community", "structural")
GRID_REQUIRED = ("dimension", "approach")


@dataclass
class GridReport:
    created: int = 0
    updated: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)


def _grid_rows_from_yaml(data: Any, language: str) -> list[dict[str, Any]]:
    rows = data.get("rows") if isinstance(data, dict) else data
    if not isinstance(rows, list):
        raise ValidationError({"file": [_("The file must list the grid rows.")]})
    result: list[dict[str, Any]] = []
    for row in rows:
        if not isinstance(row, dict):
            result.append({})
            continue
        result.append({k: definition_module.label(row.get(k), language) for k in GRID_COLUMNS})
    return result


def grid_rows_from_file(content: bytes | IO[bytes], filename: str, language: str) -> list[dict[str, Any]]:
    """Rows of a grid file (CSV, XLSX, YAML or JSON) within GRID_LIMITS; ValidationError ("file") otherwise,
    also for a file without the grid's columns or without any row (nothing to import is not a success)."""
    name = filename.lower()
    if name.endswith((".yaml", ".yml", ".json")):
        rows = _grid_rows_from_yaml(_load_yaml(content, GRID_LIMITS.max_bytes), language)
        if len(rows) > GRID_LIMITS.max_rows:
            raise ValidationError(
                {"file": [_("Too many rows; at most %(max)s per file.") % {"max": GRID_LIMITS.max_rows}]}
            )
    else:
        try:
            table = uploads.read_table(content, filename, GRID_LIMITS)
        except uploads.UploadError as exc:
            raise exc.as_validation_error("file") from None
        header = [h.strip().lower() for h in table.header]
        missing = [column for column in GRID_REQUIRED if column not in header]
        if missing:
            raise ValidationError(
                {
                    "file": [
                        _("The grid's columns are missing: %(columns)s (expected %(expected)s).")
                        % {"columns": ", ".join(missing), "expected": ", ".join(GRID_COLUMNS)}
                    ]
                }
            )
        rows = [
            {h: (values[i] if i < len(values) else "") for i, h in enumerate(header) if h} for _n, values in table.rows
        ]
    if not any(any(str(v or "").strip() for v in row.values()) for row in rows):
        raise ValidationError({"file": [_("The file has no grid rows to import.")]})
    return rows


def _clean_grid_row(row: Mapping[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    dimension = str(row.get("dimension") or "").strip().lower()
    labels = {str(label).lower(): value for value, label in Dimension.choices}
    dimension = labels.get(dimension, dimension)
    if dimension not in Dimension.values:
        problems.append(("dimension", _("must be economic, social or psychosocial")))
    approach = str(row.get("approach") or "").strip()
    if not approach:
        problems.append(("approach", _("the approach is missing")))
    values = {
        "dimension": dimension,
        "approach": approach[:120],
        "useful_for": str(row.get("useful_for") or "").strip()[:300],
        "criteria_individual": str(row.get("individual") or row.get("criteria_individual") or "").strip()[:300],
        "criteria_community": str(row.get("community") or row.get("criteria_community") or "").strip()[:300],
        "criteria_structural": str(row.get("structural") or row.get("criteria_structural") or "").strip()[:300],
    }
    return values, problems


def load_grid(user: User | None, programme: Programme | None, rows: Sequence[Mapping[str, Any]]) -> GridReport:
    """Create or update grid rows (matched by dimension + approach); all or nothing."""
    _require_programme(user, programme)
    report = GridReport()
    cleaned = []
    for i, row in enumerate(rows, start=2):
        values, problems = _clean_grid_row(row)
        report.errors.extend({"row": i, "column": c, "reason": str(r)} for c, r in problems)
        cleaned.append(values)
    if report.errors:
        return report
    with _write(user, None):
        base = FeasibilityApproach.objects.filter(programme=programme).count()
        for position, values in enumerate(cleaned, start=base):
            _obj, created = FeasibilityApproach.objects.update_or_create(
                programme=programme,
                dimension=values["dimension"],
                approach=values["approach"],
                defaults={**{k: v for k, v in values.items() if k not in ("dimension", "approach")}, "is_active": True},
                create_defaults={**values, "position": position},
            )
            if created:
                report.created += 1
            else:
                report.updated += 1
    return report


def import_grid(
    user: User, programme: Programme, content: bytes | IO[bytes], filename: str, language: str = "es"
) -> GridReport:
    _require_programme(user, programme)
    return load_grid(user, programme, grid_rows_from_file(content, filename, language))


def default_grid_rows(language: str = "es") -> list[dict[str, Any]]:
    from pathlib import Path

    path = Path(__file__).parent / "instruments" / "feasibility_grid.yaml"
    return _grid_rows_from_yaml(yaml.safe_load(path.read_text(encoding="utf-8")), language)


def save_approach(
    user: User,
    programme: Programme,
    values: Mapping[str, Any],
    approach: FeasibilityApproach | None = None,
    *,
    expected_version: int | None = None,
) -> FeasibilityApproach:
    """Add a grid row, or change `approach` (`expected_version`: the version the user read)."""
    _require_programme(user, programme)
    with _write(user, None):
        if approach is not None:
            stored = FeasibilityApproach.objects.select_for_update().filter(pk=approach.pk).first()
            versioning.check(stored, expected_version)
        if approach is None:
            if not FeasibilityApproach.objects.filter(programme=programme).exists():
                # The programme's first own row: start from a copy of the default grid so nothing is lost.
                copy_default_grid(programme)
            approach = FeasibilityApproach(
                programme=programme, position=FeasibilityApproach.objects.filter(programme=programme).count()
            )
        for key, value in values.items():
            setattr(approach, key, value)
        try:
            with transaction.atomic():
                approach.save()
        except IntegrityError:
            raise ValidationError(
                {"approach": [_("This approach is already in the grid for that dimension.")]}
            ) from None
    return approach


def copy_default_grid(programme: Programme) -> int:
    rows = list(FeasibilityApproach.objects.filter(programme__isnull=True).order_by("dimension", "position", "id"))
    for row in rows:
        row.pk = None
        row.id = None
        row.programme = programme
    FeasibilityApproach.objects.bulk_create(rows)
    return len(rows)


def delete_approach(user: User, approach: FeasibilityApproach, *, expected_version: int | None = None) -> None:
    """Remove a grid row; with `expected_version`, not one someone changed after the user read it."""
    _require_programme(user, approach.programme)
    with _write(user, None):
        stored = FeasibilityApproach.objects.select_for_update().filter(pk=approach.pk).first()
        versioning.check(stored, expected_version)
        approach.delete()


def load_default_instrument(publish: bool = True) -> LoadResult:
    """The shipped RSS (global). Used by the data migration, `load-instrument` and the demo."""
    from pathlib import Path

    path = Path(__file__).parent / "instruments" / "rss.yaml"
    return load_instrument(None, yaml.safe_load(path.read_text(encoding="utf-8")), publish=publish, source="rss.yaml")


def parsed_or_none(version: InstrumentVersion) -> Definition | None:
    try:
        return version.parsed()
    except DefinitionError:
        return None

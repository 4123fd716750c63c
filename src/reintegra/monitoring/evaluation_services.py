"""Every write of evaluations, their recommendations (with the management response) and lessons learned.

Each service checks first that the user may manage the programme's monitoring (`permissions.require_manage`:
MANAGE_MONITORING on a programme of their organisation), then every rule of the input (`FieldErrors`, one
code per message), then writes inside a transaction with the audit actor set (apps.py registers the models
with the change log). Edits take `expected_version` (access.versioning): a stale one raises `StaleVersion`.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from auditlog.context import set_actor
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries
from unidecode import unidecode

from reintegra.access import versioning
from reintegra.access.models import Programme, User
from reintegra.monitoring import choices as c
from reintegra.monitoring import evaluation_selectors, permissions, selectors
from reintegra.monitoring.evaluation_selectors import normalise, search_text
from reintegra.monitoring.models import Evaluation, Lesson, Recommendation
from reintegra.validation import FieldErrors, field_error

if TYPE_CHECKING:
    from django.core.files import File

MAX_REPORT_BYTES = 20 * 1024 * 1024
REPORT_EXTENSIONS = (".pdf", ".docx", ".odt")
MAX_THEMES = 20
MAX_THEME_LENGTH = 60
# A response that commits the programme to act: it needs an action, an owner and a due date.
COMMITTED = (c.ResponseDecision.ACCEPTED, c.ResponseDecision.PARTIALLY)


@contextmanager
def _write(user: User) -> Iterator[None]:
    with transaction.atomic(), set_actor(user):
        yield


def _programme(user: User, programme_id: int | None) -> Programme:
    """A programme the user reads (a hidden or unknown one is a wrong choice), which they must manage."""
    permissions.require_view(user)
    if programme_id is None:
        raise field_error("programme", _("Choose the programme."), "required")
    programme = selectors.programmes_for(user).filter(pk=programme_id).first()
    if programme is None:
        raise field_error("programme", _("Choose one of your programmes."), "invalid_choice")
    permissions.require_manage(user, programme)
    return programme


# --- evaluations ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluationInput:
    kind: str
    title: str
    scope: str = ""
    evaluator: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    # OECD-DAC criterion → rating (1–4); None or a missing criterion: not rated.
    ratings: dict[str, Any] = field(default_factory=dict)
    findings: str = ""
    report: Any = None  # a new upload; None keeps the stored report

    @classmethod
    def of(cls, evaluation: Evaluation) -> EvaluationInput:
        return cls(
            kind=evaluation.kind,
            title=evaluation.title,
            scope=evaluation.scope,
            evaluator=evaluation.evaluator,
            starts_on=evaluation.starts_on,
            ends_on=evaluation.ends_on,
            ratings=dict(evaluation.ratings or {}),
            findings=evaluation.findings,
        )


def _rating(value: Any) -> int | str | None:
    """The rating as an integer, None for "not rated", or "" for a value that is not a whole number."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return value
    text = str(value).strip()
    return int(text) if text.isascii() and text.lstrip("-").isdigit() and len(text) <= 6 else ""


def _check_ratings(errors: FieldErrors, ratings: Any) -> dict[str, int]:
    if not isinstance(ratings, dict):
        errors.add("ratings", _("Give the ratings by OECD-DAC criterion."), "invalid")
        return {}
    kept: dict[str, int] = {}
    for criterion, raw in ratings.items():
        name = f"ratings.{criterion}"
        if criterion not in c.DacCriterion.values:
            errors.add(name, _("This is not an OECD-DAC criterion."), "invalid_choice")
            continue
        value = _rating(raw)
        if value is None:
            continue
        if value == "" or not isinstance(value, int) or value not in c.Rating.values:
            errors.add(name, _("Rate it from 1 (unsatisfactory) to 4 (highly satisfactory)."), "out_of_range")
            continue
        kept[criterion] = value
    # Stored in the criteria's order, whatever order they came in.
    return {criterion: kept[criterion] for criterion in c.DacCriterion.values if criterion in kept}


def _check_report(errors: FieldErrors, upload: Any) -> None:
    if upload is None:
        return
    name = str(getattr(upload, "name", "") or "").lower()
    if not name.endswith(REPORT_EXTENSIONS):
        errors.add("report", _("Upload the report as a PDF, DOCX or ODT file."), "invalid_file_type")
        return
    if (getattr(upload, "size", 0) or 0) > MAX_REPORT_BYTES:
        errors.add("report", _("The file is larger than 20 MB."), "too_large")
        return
    if not _content_matches(upload, name):
        errors.add("report", _("The file's content is not a PDF, DOCX or ODT document."), "invalid_file_type")


def _content_matches(upload: File[Any], name: str) -> bool:
    """The first bytes (and, for the zipped formats, the package) say what the extension says."""
    upload.seek(0)
    head: bytes = upload.read(5)
    upload.seek(0)
    if name.endswith(".pdf"):
        return head == b"%PDF-"
    try:
        with zipfile.ZipFile(upload) as package:
            names = set(package.namelist())
            if name.endswith(".docx"):
                return "word/document.xml" in names
            mimetype: bytes = package.read("mimetype")
            return "content.xml" in names and mimetype.startswith(b"application/vnd.oasis")
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return False
    finally:
        upload.seek(0)


def evaluation_errors(data: EvaluationInput) -> tuple[FieldErrors, dict[str, int]]:
    errors = FieldErrors()
    if data.kind not in c.EvaluationType.values:
        errors.add("kind", _("Choose the type of evaluation."), "invalid_choice" if data.kind else "required")
    if not data.title.strip():
        errors.add("title", _("Give the evaluation's title."), "required")
    elif len(data.title) > 250:
        errors.add("title", _("The title is too long (250 characters at most)."), "max_length")
    if len(data.evaluator) > 200:
        errors.add("evaluator", _("The name is too long (200 characters at most)."), "max_length")
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        errors.add("ends_on", _("The end date cannot be before the start date."), "ends_before_start")
    ratings = _check_ratings(errors, data.ratings)
    _check_report(errors, data.report)
    return errors, ratings


def _apply_evaluation(evaluation: Evaluation, data: EvaluationInput, ratings: dict[str, int]) -> None:
    evaluation.kind = data.kind
    evaluation.title = " ".join(data.title.split())
    evaluation.scope = data.scope.strip()
    evaluation.evaluator = " ".join(data.evaluator.split())
    evaluation.starts_on = data.starts_on
    evaluation.ends_on = data.ends_on
    evaluation.ratings = ratings
    evaluation.findings = data.findings.strip()
    if data.report is not None and isinstance(data.report, UploadedFile):
        evaluation.report.save(_report_name(data.report.name or "report"), data.report, save=False)


def _report_name(name: str) -> str:
    """A plain ASCII file name (the storage adds a suffix when it is taken)."""
    stem, _dot, extension = name.rpartition(".")
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in unidecode(stem or "informe"))[:80]
    return f"{safe or 'informe'}.{extension.lower()}"


def create_evaluation(user: User, programme_id: int | None, data: EvaluationInput) -> Evaluation:
    programme = _programme(user, programme_id)
    errors, ratings = evaluation_errors(data)
    errors.raise_if_any()
    with _write(user):
        evaluation = Evaluation(programme=programme, created_by=user)
        _apply_evaluation(evaluation, data, ratings)
        evaluation.save()
    return evaluation


def update_evaluation(
    user: User, evaluation: Evaluation, data: EvaluationInput, *, expected_version: int | None = None
) -> Evaluation:
    permissions.require_manage(user, evaluation.programme)
    errors, ratings = evaluation_errors(data)
    errors.raise_if_any()
    with _write(user):
        versioning.lock(evaluation, expected_version)
        _apply_evaluation(evaluation, data, ratings)
        evaluation.save()
    return evaluation


# --- recommendations and the management response ---------------------------------------------------


@dataclass(frozen=True)
class RecommendationInput:
    text: str
    decision: str = ""
    action: str = ""
    owner: int | None = None  # a user id
    due_on: date | None = None
    status: str = c.ActionStatus.NOT_STARTED

    @classmethod
    def of(cls, recommendation: Recommendation) -> RecommendationInput:
        return cls(
            text=recommendation.text,
            decision=recommendation.decision,
            action=recommendation.action,
            owner=recommendation.owner_id,
            due_on=recommendation.due_on,
            status=recommendation.status,
        )


def _check_owner(errors: FieldErrors, programme: Programme, owner: int | None, stored: int | None) -> None:
    """The owner is an active user of the programme's organisation (a stored owner who left stays)."""
    if owner is None or owner == stored:
        return
    if not evaluation_selectors.people_of(programme).filter(pk=owner).exists():
        errors.add("owner", _("Choose a person of the programme's organisation."), "invalid_choice")


def recommendation_errors(programme: Programme, data: RecommendationInput, stored_owner: int | None) -> FieldErrors:
    errors = FieldErrors()
    if not data.text.strip():
        errors.add("text", _("Write the recommendation."), "required")
    if data.decision not in c.ResponseDecision.values:
        errors.add("decision", _("Choose the management response."), "invalid_choice")
    if data.status not in c.ActionStatus.values:
        errors.add("status", _("Choose the status of the action."), "invalid_choice")
    _check_owner(errors, programme, data.owner, stored_owner)
    if data.decision in COMMITTED:
        if not data.action.strip():
            errors.add("action", _("Say what the programme will do."), "required")
        if data.owner is None and "owner" not in errors:
            errors.add("owner", _("Say who is responsible for the action."), "required")
        if data.due_on is None:
            errors.add("due_on", _("Give the date the action is due."), "required")
    elif data.decision in c.ResponseDecision.values and data.status not in ("", c.ActionStatus.NOT_STARTED):
        errors.add(
            "status", _("Only an accepted or partially accepted recommendation has an action to follow."), "invalid"
        )
    return errors


def _apply_recommendation(recommendation: Recommendation, data: RecommendationInput) -> None:
    recommendation.text = data.text.strip()
    recommendation.decision = data.decision
    recommendation.action = data.action.strip()
    recommendation.owner_id = data.owner
    recommendation.due_on = data.due_on
    recommendation.status = data.status


def add_recommendation(user: User, evaluation: Evaluation, data: RecommendationInput) -> Recommendation:
    permissions.require_manage(user, evaluation.programme)
    recommendation_errors(evaluation.programme, data, None).raise_if_any()
    with _write(user):
        last = evaluation.recommendations.order_by("-order").values_list("order", flat=True).first()
        recommendation = Recommendation(evaluation=evaluation, order=(last or 0) + 1)
        _apply_recommendation(recommendation, data)
        recommendation.save()
    return recommendation


def update_recommendation(
    user: User, recommendation: Recommendation, data: RecommendationInput, *, expected_version: int | None = None
) -> Recommendation:
    programme = recommendation.evaluation.programme
    permissions.require_manage(user, programme)
    recommendation_errors(programme, data, recommendation.owner_id).raise_if_any()
    with _write(user):
        versioning.lock(recommendation, expected_version)
        _apply_recommendation(recommendation, data)
        recommendation.save()
    return recommendation


# --- lessons learned --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LessonInput:
    title: str
    body: str
    level: str = ""
    dimension: str = ""
    country: str = ""
    themes: list[str] = field(default_factory=list)
    evaluation: int | None = None  # an evaluation id of the same programme
    recorded_on: date | None = None  # when the lesson was drawn (today when not given)
    is_shared: bool = True

    @classmethod
    def of(cls, lesson: Lesson) -> LessonInput:
        return cls(
            title=lesson.title,
            body=lesson.body,
            level=lesson.level,
            dimension=lesson.dimension,
            country=lesson.country,
            themes=list(lesson.themes or []),
            evaluation=lesson.evaluation_id,
            recorded_on=lesson.recorded_on,
            is_shared=lesson.is_shared,
        )

    def merged(self, **changes: Any) -> LessonInput:
        return replace(self, **changes)


def _themes(errors: FieldErrors, themes: Any) -> list[str]:
    if not isinstance(themes, list) or not all(isinstance(t, str) for t in themes):
        errors.add("themes", _("Give the themes as a list of words."), "invalid")
        return []
    kept: dict[str, str] = {}
    for theme in themes:
        clean = " ".join(theme.split())
        if clean:
            kept.setdefault(normalise(clean), clean)
    if len(kept) > MAX_THEMES:
        errors.add("themes", _("Give at most 20 themes."), "max_length")
    if any(len(t) > MAX_THEME_LENGTH for t in kept.values()):
        errors.add("themes", _("A theme is a few words (60 characters at most)."), "max_length")
    return list(kept.values())


def lesson_errors(programme: Programme, data: LessonInput) -> tuple[FieldErrors, list[str]]:
    errors = FieldErrors()
    if not data.title.strip():
        errors.add("title", _("Give the lesson a title."), "required")
    elif len(data.title) > 250:
        errors.add("title", _("The title is too long (250 characters at most)."), "max_length")
    if not data.body.strip():
        errors.add("body", _("Write the lesson."), "required")
    if data.level and data.level not in c.ApproachLevel.values:
        errors.add("level", _("Choose a level from the list."), "invalid_choice")
    if data.dimension and data.dimension not in c.ResultDimension.values:
        errors.add("dimension", _("Choose a dimension from the list."), "invalid_choice")
    if data.country and data.country not in dict(countries):
        errors.add("country", _("Choose a valid country."), "invalid_choice")
    if data.recorded_on is not None and data.recorded_on > timezone.localdate():
        errors.add("recorded_on", _("This date cannot be in the future."), "in_future")
    if data.evaluation is not None and not Evaluation.objects.filter(pk=data.evaluation, programme=programme).exists():
        errors.add("evaluation", _("Choose an evaluation of the same programme."), "invalid_choice")
    return errors, _themes(errors, data.themes)


def _apply_lesson(lesson: Lesson, data: LessonInput, themes: list[str]) -> None:
    lesson.title = " ".join(data.title.split())
    lesson.body = data.body.strip()
    lesson.level = data.level
    lesson.dimension = data.dimension
    lesson.country = data.country
    lesson.themes = themes
    lesson.evaluation_id = data.evaluation
    lesson.recorded_on = data.recorded_on or lesson.recorded_on or timezone.localdate()
    lesson.is_shared = data.is_shared
    lesson.search_text = search_text(lesson.title, lesson.body, themes)


def create_lesson(user: User, programme_id: int | None, data: LessonInput) -> Lesson:
    programme = _programme(user, programme_id)
    errors, themes = lesson_errors(programme, data)
    errors.raise_if_any()
    with _write(user):
        lesson = Lesson(programme=programme, recorded_by=user)
        _apply_lesson(lesson, data, themes)
        lesson.save()
    return lesson


def update_lesson(user: User, lesson: Lesson, data: LessonInput, *, expected_version: int | None = None) -> Lesson:
    permissions.require_manage(user, lesson.programme)
    errors, themes = lesson_errors(lesson.programme, data)
    errors.raise_if_any()
    with _write(user):
        versioning.lock(lesson, expected_version)
        _apply_lesson(lesson, data, themes)
        lesson.save()
    return lesson

"""The community perception survey's one write: record an anonymous response (docs/community.md, "Community
perception survey").

The questionnaire is an instrument of the sustainability engine whose subject is a community
(`instruments/community_perception.yaml`, shipped by migration 0005; a programme may load its own version):
its answers are checked and scored by the engine (`sustainability.services.check_answers`, `score_answers`),
the same rules a case's survey round follows. The respondent is anonymous: the three profile questions
(returnee / non-migrant × sex × age band) must be answered with the community level's own codes, and are kept
as clear columns for the suppressed counts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import IO, TYPE_CHECKING, Any

from auditlog.context import set_actor
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.community import perception_selectors, permissions
from reintegra.community.models import Community, ParticipatorySession, PerceptionResponse
from reintegra.sustainability import services as engine
from reintegra.sustainability import xlsform
from reintegra.sustainability.models import InstrumentVersion
from reintegra.validation import FieldErrors, field_error

if TYPE_CHECKING:
    from reintegra.access.models import User


@dataclass(frozen=True)
class PerceptionInput:
    taken_on: date | None
    answers: Mapping[str, Any] = field(default_factory=dict)
    session: int | None = None  # a household survey session of the community
    version: int | None = None  # the instrument version's number; None: the latest published


def _version(community: Community, number: int | None) -> InstrumentVersion:
    version = perception_selectors.survey_version(community, number)
    if version is None:
        raise field_error(
            "version",
            _("Version %(number)s of the community perception survey is not published.") % {"number": number}
            if number
            else _("No community perception survey is published for this organisation."),
            "invalid_choice",
        )
    return version


def _session(errors: FieldErrors, community: Community, session_id: int | None) -> ParticipatorySession | None:
    if session_id is None:
        return None
    session = perception_selectors.survey_sessions(community).filter(pk=session_id).first()
    if session is None:
        errors.add("session", _("Choose a household survey session of this community."), "invalid_choice")
    return session


def _profile(errors: FieldErrors, clean: Mapping[str, Any]) -> dict[str, str]:
    """The respondent's group, sex and age band from the profile questions, in the community level's codes (a
    programme's own version may word them differently, never code them differently)."""
    profile: dict[str, str] = {}
    for question, (column, codes) in perception_selectors.PROFILE.items():
        value = clean.get(question)
        if f"answers.{question}" in errors:
            continue  # the engine said what is wrong with it already
        if value is None:
            errors.add(f"answers.{question}", _("an answer is required"), "required")
        elif value not in codes:
            message = _("%(value)s is not one of its options") % {"value": value}
            errors.add(f"answers.{question}", message, "invalid_choice")
        else:
            profile[column] = str(value)
    return profile


@dataclass(frozen=True)
class _Checked:
    version: InstrumentVersion
    session: ParticipatorySession | None
    taken_on: date
    clean: dict[str, Any]
    profile: dict[str, str]


def _check(community: Community, data: PerceptionInput, version: InstrumentVersion | None = None) -> _Checked:
    """Every rule of a response (the web form, the API and each imported row alike); ValidationError by field."""
    version = version or _version(community, data.version)
    errors = FieldErrors()
    if data.taken_on is None:
        errors.add("taken_on", _("This field is required."), "required")
    elif data.taken_on > timezone.localdate():
        errors.add("taken_on", _("This date cannot be in the future."), "in_future")
    session = _session(errors, community, data.session)
    clean = engine.check_answers(errors, version, dict(data.answers))
    profile = _profile(errors, clean)
    errors.raise_if_any()
    assert data.taken_on is not None
    return _Checked(version, session, data.taken_on, clean, profile)


def _create(user: User, community: Community, checked: _Checked, submission_key: str = "") -> PerceptionResponse:
    scores = engine.score_answers(checked.version, checked.clean).scores
    return PerceptionResponse.objects.create(
        community=community,
        session=checked.session,
        version=checked.version,
        taken_on=checked.taken_on,
        answers=checked.clean,
        recorded_by=user,
        submission_key=submission_key,
        **checked.profile,
        **scores,
    )


def record_response(user: User, community: Community, data: PerceptionInput) -> PerceptionResponse:
    """Record one anonymous response to the community perception survey, optionally as part of a household
    survey session of the community; scored by the engine when recorded."""
    permissions.require_community_write(user, community)
    checked = _check(community, data)
    with transaction.atomic(), set_actor(user):
        return _create(user, community, checked)


# --- Offline submissions (ODK Collect / KoboCollect) ---------------------------------------------------


def _columns(exc: ValidationError) -> list[tuple[str, str]]:
    """A refusal of `_check` by the export's columns: an answer's column is its question's code."""
    out: list[tuple[str, str]] = []
    for name, messages in exc.message_dict.items():
        column = xlsform.SURVEY_DATE if name == "taken_on" else name.removeprefix("answers.")
        out.extend((column, str(m)) for m in messages)
    return out


def import_responses(
    user: User, community: Community, content: bytes | IO[bytes], filename: str
) -> engine.ImportReport:
    """Import the submissions of an ODK / Kobo export (CSV, XLSX or JSON) of the XLSForm downloaded from the
    community (`perception-xlsform`): each row is checked by the rules of one response (`_check`), and every bad
    row is reported with its row and column. Nothing is written when any row is bad; otherwise every new row is
    written in one transaction. A submission already imported into this community (its instance id, also twice
    in the file) is skipped, so importing the same export again adds nothing."""
    permissions.require_community_write(user, community)
    version = _version(community, None)
    codes = {q.code for q in version.parsed().questions}
    submissions = engine.read_submissions(content, filename, codes, case_number=False)
    report = engine.ImportReport(total=len(submissions))
    keys = {sub.key for sub in submissions if sub.key}
    seen = set(
        PerceptionResponse.objects.filter(community=community, submission_key__in=keys).values_list(
            "submission_key", flat=True
        )
    )
    ready: list[tuple[_Checked, str]] = []
    for sub in submissions:
        if sub.key and sub.key in seen:
            report.already_imported += 1
            continue
        seen.add(sub.key)
        # The reader's own words name a date it could not read; a missing one is the rule's "required".
        problems = [
            (column, _("This is not a date (YYYY-MM-DD)."))
            for column, reason in sub.problems
            if reason != xlsform.DATE_MISSING
        ]
        try:
            checked = _check(community, PerceptionInput(sub.taken_on, sub.values), version)
        except ValidationError as exc:
            problems += [p for p in _columns(exc) if not (problems and p[0] == xlsform.SURVEY_DATE)]
        else:
            if not problems:
                ready.append((checked, sub.key))
        report.errors.extend({"row": sub.row, "column": column, "reason": reason} for column, reason in problems)
    if report.errors or not ready:
        return report
    with transaction.atomic(), set_actor(user):
        for checked, key in ready:
            _create(user, community, checked, key)
    report.imported = len(ready)
    return report


IMPORT_PURPOSE = "Perception survey submissions: {count} imported"


def import_purpose(report: dict[str, Any]) -> str:
    """The audit trail's purpose of an import (English, shown in the reader's language: `CommunityConfig`)."""
    return IMPORT_PURPOSE.format(count=report["imported"])

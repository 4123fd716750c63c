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
from typing import TYPE_CHECKING, Any

from auditlog.context import set_actor
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.community import perception_selectors, permissions
from reintegra.community.models import Community, ParticipatorySession, PerceptionResponse
from reintegra.sustainability import services as engine
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


def record_response(user: User, community: Community, data: PerceptionInput) -> PerceptionResponse:
    """Record one anonymous response to the community perception survey, optionally as part of a household
    survey session of the community; scored by the engine when recorded."""
    permissions.require_community_write(user, community)
    version = _version(community, data.version)
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
    scores = engine.score_answers(version, clean).scores
    with transaction.atomic(), set_actor(user):
        return PerceptionResponse.objects.create(
            community=community,
            session=session,
            version=version,
            taken_on=data.taken_on,
            answers=clean,
            recorded_by=user,
            **profile,
            **scores,
        )

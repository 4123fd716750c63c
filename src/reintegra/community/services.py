"""Every write of the community level: communities, their favourable-site checklist, participatory sessions.

Each service checks capability and object on its first line, validates everything wrong at once (one
ValidationError keyed by field, with codes), and writes atomically under the audit actor."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from auditlog.context import set_actor
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.access import permissions as access_permissions
from reintegra.access import versioning
from reintegra.access.models import Organisation
from reintegra.community import permissions
from reintegra.community.choices import AgeBand, ParticipantGroup, ParticipantSex, SessionKind, SiteCriterion
from reintegra.community.models import Community, ParticipatorySession, SiteScore
from reintegra.places.choices import AdminLevel
from reintegra.places.models import AdminArea
from reintegra.validation import FieldErrors

if TYPE_CHECKING:
    from reintegra.access.models import User

FIRST_POPULATION_YEAR = 1950
MAX_SCORE = 3
MAX_COUNT = 100_000
MAX_PRIORITIES = 20
PARTICIPANT_KEYS = tuple(
    f"{group}:{sex}:{band}"
    for group in ParticipantGroup.values
    for sex in ParticipantSex.values
    for band in AgeBand.values
)


@contextmanager
def _write(user: User) -> Iterator[None]:
    with transaction.atomic(), set_actor(user):
        yield


def _text(value: Any) -> str:
    return str(value or "").strip()


# --- Communities -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommunityInput:
    municipality: int | None
    locality: str = ""
    population: int | None = None
    population_year: int | None = None
    population_source: str = ""
    organisations: Sequence[int] = field(default_factory=list)
    notes: str = ""


def _municipality(errors: FieldErrors, area_id: int | None) -> AdminArea | None:
    if area_id is None:
        errors.add("municipality", _("This field is required."), "required")
        return None
    area = AdminArea.objects.filter(pk=area_id, level=AdminLevel.SECOND).first()
    if area is None:
        errors.add("municipality", _("Choose a municipality of the gazetteer."), "invalid_choice")
    return area


def _population(errors: FieldErrors, data: CommunityInput) -> None:
    if data.population is not None and data.population < 1:
        errors.add("population", _("The population must be at least 1."), "out_of_range")
    year = data.population_year
    if year is not None and year > timezone.localdate().year:
        errors.add("population_year", _("This year is in the future."), "in_future")
    elif year is not None and year < FIRST_POPULATION_YEAR:
        errors.add("population_year", _("Give a year from 1950 on."), "out_of_range")
    if data.population is not None:
        if year is None:
            errors.add("population_year", _("Say which year the population figure is for."), "required")
        if not _text(data.population_source):
            errors.add("population_source", _("Say where the population figure comes from."), "required")


def _organisations(errors: FieldErrors, ids: Sequence[int]) -> list[Organisation]:
    found = list(Organisation.objects.filter(pk__in=set(ids), is_active=True))
    if len(found) != len(set(ids)):
        errors.add("organisations", _("Choose organisations from the list."), "invalid_choice")
    return found


def save_community(
    user: User, data: CommunityInput, community: Community | None = None, *, expected_version: int | None = None
) -> Community:
    """Create (community None) or change a community of the user's organisation. `expected_version`: the
    version the user read (access.versioning); a stale one raises StaleVersion."""
    if community is None:
        permissions.require_edit(user)
    else:
        permissions.require_community_write(user, community)
    organisation_id = community.organisation_id if community else permissions.own(user)
    errors = FieldErrors()
    area = _municipality(errors, data.municipality)
    _population(errors, data)
    organisations = _organisations(errors, data.organisations)
    locality = _text(data.locality)
    if area is not None:
        taken = Community.objects.filter(organisation_id=organisation_id, municipality=area, locality=locality)
        if community is not None:
            taken = taken.exclude(pk=community.pk)
        if taken.exists():
            errors.add("locality", _("This community is already recorded."), "duplicate")
    errors.raise_if_any()
    assert area is not None
    with _write(user):
        if community is None:
            community = Community(organisation_id=organisation_id, created_by=user)
        else:
            versioning.lock(community, expected_version)
        community.municipality = area
        community.locality = locality
        community.population = data.population
        community.population_year = data.population_year if data.population is not None else None
        community.population_source = _text(data.population_source) if data.population is not None else ""
        community.notes = _text(data.notes)
        community.save()
        community.organisations.set(organisations)
    return community


# --- Favourable-site checklist -----------------------------------------------------------------------


@dataclass(frozen=True)
class SiteScoreInput:
    criterion: str
    score: int | None
    evidence: str = ""


def save_checklist(
    user: User, community: Community, rows: Sequence[SiteScoreInput], *, expected_version: int | None = None
) -> list[SiteScore]:
    """Score the criteria given (0–3; evidence required for a score above 0); an unscored one is cleared.
    The checklist is part of the community: `expected_version` is the community's, and it moves on."""
    permissions.require_community_write(user, community)
    errors = FieldErrors()
    seen: set[str] = set()
    for i, row in enumerate(rows):
        if row.criterion not in SiteCriterion.values or row.criterion in seen:
            errors.add(f"scores.{i}.criterion", _("Choose a value from the list."), "invalid_choice")
        seen.add(row.criterion)
        if row.score is not None and not 0 <= row.score <= MAX_SCORE:
            errors.add(f"scores.{i}.score", _("Give a score from 0 to 3."), "out_of_range")
        elif row.score and not _text(row.evidence):
            errors.add(f"scores.{i}.evidence", _("Give the evidence for this score."), "required")
    errors.raise_if_any()
    saved = []
    with _write(user):
        versioning.lock(community, expected_version)
        community.save(update_fields=["updated_at"])  # a new version of the community
        for row in rows:
            if row.score is None:
                SiteScore.objects.filter(community=community, criterion=row.criterion).delete()
                continue
            score, _created = SiteScore.objects.update_or_create(
                community=community,
                criterion=row.criterion,
                defaults={"score": row.score, "evidence": _text(row.evidence), "scored_by": user},
            )
            saved.append(score)
    return saved


# --- Participatory sessions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionInput:
    kind: str
    held_on: date | None
    place: str = ""
    facilitators: str = ""
    participants: dict[str, int] = field(default_factory=dict)
    priorities: Sequence[str] = field(default_factory=list)
    tensions: str = ""
    follow_up: str = ""


def _participants(errors: FieldErrors, counts: dict[str, int]) -> dict[str, int]:
    clean: dict[str, int] = {}
    wrong = False
    for key, value in counts.items():
        if key not in PARTICIPANT_KEYS:
            errors.add("participants", _("Unknown participant group: %(key)s.") % {"key": key}, "invalid_choice")
            wrong = True
        elif not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
            errors.add(f"participants.{key}", _("Give a number from 0 to 100000."), "out_of_range")
            wrong = True
        elif value:
            clean[key] = value
    if wrong:
        return clean
    if not any(k.startswith("returnee:") for k in clean):
        errors.add("participants", _("Returnees must take part: give how many."), "returnees_required")
    if not any(k.startswith("non_migrant:") for k in clean):
        errors.add("participants", _("Non-migrant residents must take part: give how many."), "residents_required")
    return clean


def record_session(
    user: User, community: Community, data: SessionInput, session: ParticipatorySession | None = None
) -> ParticipatorySession:
    """Record (or correct) a participatory session: both returnees and non-migrant residents take part."""
    permissions.require_community_write(user, community)
    if session is not None and session.community_id != community.pk:
        raise access_permissions.denied()
    errors = FieldErrors()
    if data.kind not in SessionKind.values:
        code = "required" if not data.kind else "invalid_choice"
        errors.add("kind", _("Choose a value from the list.") if data.kind else _("This field is required."), code)
    if data.held_on is None:
        errors.add("held_on", _("This field is required."), "required")
    elif data.held_on > timezone.localdate():
        errors.add("held_on", _("This date cannot be in the future."), "in_future")
    participants = _participants(errors, dict(data.participants))
    priorities = [_text(p) for p in data.priorities if _text(p)]
    if len(priorities) > MAX_PRIORITIES:
        errors.add("priorities", _("Give at most 20 priorities."), "out_of_range")
    errors.raise_if_any()
    assert data.held_on is not None
    with _write(user):
        session = session or ParticipatorySession(community=community, recorded_by=user)
        session.kind = data.kind
        session.held_on = data.held_on
        session.place = _text(data.place)
        session.facilitators = _text(data.facilitators)
        session.participants = participants
        session.priorities = priorities
        session.tensions = _text(data.tensions)
        session.follow_up = _text(data.follow_up)
        session.save()
    return session

"""Every write of the community level: communities, their favourable-site checklist, participatory sessions,
community profiles, community projects (participants, follow-up visits, lifecycle).

Each service checks capability and object on its first line, validates everything wrong at once (one
ValidationError keyed by field, with codes), and writes atomically under the audit actor. Every record a user
names is checked against what they may touch: communities of their organisation, stakeholders they see
(`structural.selectors.stakeholders_for`), cases they may change (`cases.permissions.require_case_write`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from auditlog.context import set_actor
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.access import permissions as access_permissions
from reintegra.access import versioning
from reintegra.access.models import Organisation
from reintegra.cases import permissions as case_permissions
from reintegra.cases import selectors as case_selectors
from reintegra.cases.models import Case, PlanItem
from reintegra.community import boundaries_core, permissions
from reintegra.community.choices import (
    AgeBand,
    Dimension,
    MilestoneStatus,
    ParticipantGroup,
    ParticipantKind,
    ParticipantRole,
    ParticipantSex,
    ProfileSection,
    ProjectActivity,
    ProjectApproach,
    ProjectResult,
    ProjectStatus,
    SessionKind,
    SiteCriterion,
)
from reintegra.community.models import (
    Boundary,
    Community,
    CommunityProfile,
    CommunityProject,
    ParticipatorySession,
    ProjectParticipant,
    ProjectVisit,
    SiteScore,
)
from reintegra.places import currencies
from reintegra.places.choices import AdminLevel
from reintegra.places.models import AdminArea
from reintegra.structural import selectors as structural_selectors
from reintegra.validation import FieldErrors, field_error

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


# --- Community projects ----------------------------------------------------------------------------

MAX_LINES = 30
MAX_RATING = 3
MAX_AMOUNT = Decimal("1000000000")
A = ProjectActivity
ACTIVITY_DIMENSION: dict[str, str] = {
    A.COLLECTIVE_INCOME: Dimension.ECONOMIC,
    A.LOCAL_DEVELOPMENT: Dimension.ECONOMIC,
    A.SAVINGS_CREDIT: Dimension.ECONOMIC,
    A.HOUSING: Dimension.SOCIAL,
    A.EDUCATION: Dimension.SOCIAL,
    A.HEALTH: Dimension.SOCIAL,
    A.INFRASTRUCTURE: Dimension.SOCIAL,
    A.SAFETY: Dimension.SOCIAL,
    A.JUSTICE_RIGHTS: Dimension.SOCIAL,
    A.MOBILISATION: Dimension.PSYCHOSOCIAL,
    A.PEER_SUPPORT: Dimension.PSYCHOSOCIAL,
    A.NETWORKS: Dimension.PSYCHOSOCIAL,
    A.ANTI_STIGMA: Dimension.PSYCHOSOCIAL,
}
# planned → active → closed; nothing leaves closed.
TRANSITIONS = {ProjectStatus.PLANNED: ProjectStatus.ACTIVE, ProjectStatus.ACTIVE: ProjectStatus.CLOSED}


def _not_closed(errors: FieldErrors, project: CommunityProject | None) -> None:
    if project is not None and project.status == ProjectStatus.CLOSED:
        errors.add("status", _("This project is closed: it can no longer be changed."), "closed")


# --- Projects ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectInput:
    title: str
    approach: str
    dimensions: Sequence[str] = field(default_factory=list)
    activities: Sequence[str] = field(default_factory=list)
    communities: Sequence[int] = field(default_factory=list)
    partners: Sequence[int] = field(default_factory=list)
    description: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    currency: str = ""
    budget_lines: Sequence[Mapping[str, Any]] = field(default_factory=list)
    milestones: Sequence[Mapping[str, Any]] = field(default_factory=list)
    risks: str = ""
    outcomes: str = ""


def _kinds(errors: FieldErrors, data: ProjectInput) -> tuple[list[str], list[str]]:
    if not _text(data.title):
        errors.add("title", _("This field is required."), "required")
    if data.approach not in ProjectApproach.values:
        code = "invalid_choice" if data.approach else "required"
        errors.add(
            "approach", _("Choose a value from the list.") if data.approach else _("This field is required."), code
        )
    dimensions = [d for d in Dimension.values if d in set(data.dimensions)]
    if set(data.dimensions) - set(Dimension.values):
        errors.add("dimensions", _("Choose values from the list."), "invalid_choice")
    elif not dimensions:
        errors.add("dimensions", _("Choose at least one dimension."), "required")
    activities = [a for a in ProjectActivity.values if a in set(data.activities)]
    if set(data.activities) - set(ProjectActivity.values):
        errors.add("activities", _("Choose values from the list."), "invalid_choice")
    elif dimensions and any(ACTIVITY_DIMENSION[a] not in dimensions for a in activities):
        errors.add(
            "activities", _("Each activity must belong to one of the project's dimensions."), "activity_dimension"
        )
    return dimensions, activities


def _communities(errors: FieldErrors, user: User, ids: Sequence[int]) -> list[Community]:
    found = list(Community.objects.filter(pk__in=set(ids), organisation_id=permissions.own(user)))
    if not ids:
        errors.add("communities", _("Choose at least one community the project serves."), "required")
    elif len(found) != len(set(ids)):
        errors.add("communities", _("Choose communities of your organisation."), "invalid_choice")
    elif len({str(c.municipality.country) for c in found}) > 1:
        errors.add("communities", _("The communities of a project must be in one country."), "one_country")
    return found


def _partners(errors: FieldErrors, user: User, ids: Sequence[int]) -> list[Any]:
    found = list(structural_selectors.stakeholders_for(user).filter(pk__in=set(ids)))
    if len(found) != len(set(ids)):
        errors.add("partners", _("Choose partners from the stakeholder registry."), "invalid_choice")
    return found


def _amount(errors: FieldErrors, key: str, value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        errors.add(key, _("Give an amount."), "invalid")
        return None
    if not amount.is_finite() or not Decimal(0) <= amount < MAX_AMOUNT:
        errors.add(key, _("Give an amount of 0 or more."), "out_of_range")
        return None
    return amount.quantize(Decimal("0.01"))


def _budget(errors: FieldErrors, data: ProjectInput, default_currency: str = "") -> list[dict[str, str]]:
    lines = []
    if len(data.budget_lines) > MAX_LINES:
        errors.add("budget_lines", _("Give at most 30 lines."), "out_of_range")
    for i, row in enumerate(data.budget_lines[:MAX_LINES]):
        label = _text(row.get("line"))
        budget = _amount(errors, f"budget_lines.{i}.budget", row.get("budget"))
        spent = _amount(errors, f"budget_lines.{i}.spent", row.get("spent"))
        if not label:
            errors.add(f"budget_lines.{i}.line", _("Name the budget line."), "required")
        if budget is None and f"budget_lines.{i}.budget" not in errors:
            errors.add(f"budget_lines.{i}.budget", _("Give the amount budgeted."), "required")
        lines.append({"line": label, "budget": str(budget or Decimal(0)), "spent": str(spent or Decimal("0.00"))})
    if lines and not _text(data.currency) and not default_currency:
        errors.add("currency", _("Give the currency of the budget."), "required")
    elif _text(data.currency) and (len(_text(data.currency)) != 3 or not _text(data.currency).isalpha()):
        errors.add("currency", _("Give a three-letter currency code (GTQ, HNL, USD…)."), "invalid")
    return lines


def _milestones(errors: FieldErrors, data: ProjectInput) -> list[dict[str, Any]]:
    rows = []
    if len(data.milestones) > MAX_LINES:
        errors.add("milestones", _("Give at most 30 milestones."), "out_of_range")
    for i, row in enumerate(data.milestones[:MAX_LINES]):
        title = _text(row.get("title"))
        status = row.get("status") or MilestoneStatus.PENDING
        due_on = row.get("due_on")
        if not title:
            errors.add(f"milestones.{i}.title", _("Name the milestone."), "required")
        if status not in MilestoneStatus.values:
            errors.add(f"milestones.{i}.status", _("Choose a value from the list."), "invalid_choice")
        if due_on is not None and not isinstance(due_on, date):
            errors.add(f"milestones.{i}.due_on", _("Give a date."), "invalid")
            due_on = None
        rows.append({"title": title, "due_on": due_on.isoformat() if due_on else None, "status": status})
    return rows


def save_project(
    user: User,
    data: ProjectInput,
    project: CommunityProject | None = None,
    *,
    expected_version: int | None = None,
) -> CommunityProject:
    """Create (project None) or change a community project of the user's organisation (not once closed)."""
    if project is None:
        permissions.require_edit(user)
    else:
        permissions.require_project_write(user, project)
    errors = FieldErrors()
    _not_closed(errors, project)
    dimensions, activities = _kinds(errors, data)
    communities = _communities(errors, user, data.communities)
    partners = _partners(errors, user, data.partners)
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        errors.add("ends_on", _("The end cannot be before the start."), "ends_before_start")
    # A budget without a currency is in the currency of the communities' country (places.currencies).
    country = str(communities[0].municipality.country) if communities else ""
    budget = _budget(errors, data, currencies.currency_of(country))
    milestones = _milestones(errors, data)
    errors.raise_if_any()
    with _write(user):
        if project is None:
            project = CommunityProject(organisation_id=permissions.own(user), created_by=user)
        else:
            versioning.lock(project, expected_version)
        project.title = _text(data.title)
        project.approach = data.approach
        project.dimensions = dimensions
        project.activities = activities
        project.description = _text(data.description)
        project.country = str(communities[0].municipality.country)
        project.starts_on = data.starts_on
        project.ends_on = data.ends_on
        project.currency = _text(data.currency).upper() or (currencies.currency_of(project.country) if budget else "")
        project.budget_lines = budget
        project.milestones = milestones
        project.risks = _text(data.risks)
        project.outcomes = _text(data.outcomes)
        project.save()
        project.communities.set(communities)
        project.partners.set(partners)
    return project


@dataclass(frozen=True)
class StatusInput:
    status: str
    closed_on: date | None = None
    result: str = ""
    closing_assessment: str = ""


def _closing(errors: FieldErrors, project: CommunityProject, data: StatusInput) -> None:
    if data.closed_on is None:
        errors.add("closed_on", _("This field is required."), "required")
    elif data.closed_on > timezone.localdate():
        errors.add("closed_on", _("This date cannot be in the future."), "in_future")
    elif project.starts_on and data.closed_on < project.starts_on:
        errors.add("closed_on", _("The project cannot close before it started."), "ends_before_start")
    if data.result not in ProjectResult.values:
        errors.add("result", _("Choose a value from the list."), "required" if not data.result else "invalid_choice")
    if not _text(data.closing_assessment):
        errors.add("closing_assessment", _("Write the closing assessment."), "required")
    if not project.visits.exists():
        errors.add("status", _("Record at least one follow-up visit before closing the project."), "visit_required")


def change_project_status(
    user: User, project: CommunityProject, data: StatusInput, *, expected_version: int | None = None
) -> CommunityProject:
    """Start a planned project, or close an active one with its closing assessment (planned → active →
    closed). Starting without a start date sets it to today."""
    permissions.require_project_write(user, project)
    errors = FieldErrors()
    if data.status not in ProjectStatus.values:
        errors.add("status", _("Choose a value from the list."), "invalid_choice")
    elif TRANSITIONS.get(ProjectStatus(project.status)) != data.status:
        errors.add("status", _("A project goes from planned to active to closed."), "invalid_transition")
    elif data.status == ProjectStatus.CLOSED:
        _closing(errors, project, data)
    errors.raise_if_any()
    with _write(user):
        versioning.lock(project, expected_version)
        project.status = data.status
        if data.status == ProjectStatus.ACTIVE and project.starts_on is None:
            project.starts_on = timezone.localdate()
        if data.status == ProjectStatus.CLOSED:
            project.closed_on = data.closed_on
            project.result = data.result
            project.closing_assessment = _text(data.closing_assessment)
        project.save()
    return project


# --- Participants --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturneeInput:
    case: int | None
    plan_item: int | None = None
    role: str = ParticipantRole.MEMBER


def _case(user: User, case_id: int | None) -> Case:
    """A case the user sees (else a refusal of the field, saying nothing of other cases) and may change
    (else PermissionDenied: a case shared with the organisation is linked by its holder)."""
    if case_id is None:
        raise field_error("case", _("This field is required."), "required")
    try:
        case = case_selectors.get_case(user, case_id)
    except Case.DoesNotExist:
        raise field_error("case", _("Choose one of your cases."), "invalid_choice") from None
    case_permissions.require_case_write(user, case)
    return case


def add_returnee(user: User, project: CommunityProject, data: ReturneeInput) -> ProjectParticipant:
    """Link a returnee's case to a project of the user's organisation; the user must be able to change the
    case (a case manager links their own cases). The plan item, if given, must be of that case's plan."""
    permissions.require_project_read(user, project)
    case = _case(user, data.case)
    errors = FieldErrors()
    _not_closed(errors, project)
    if data.role not in ParticipantRole.values:
        errors.add("role", _("Choose a value from the list."), "invalid_choice")
    item = None
    if data.plan_item is not None:
        item = PlanItem.objects.filter(pk=data.plan_item, plan__case=case).first()
        if item is None:
            errors.add("plan_item", _("Choose an item of this case's plan."), "invalid_choice")
    if ProjectParticipant.objects.filter(project=project, case=case).exists():
        errors.add("case", _("This case already takes part in the project."), "duplicate")
    errors.raise_if_any()
    with _write(user):
        return ProjectParticipant.objects.create(
            project=project,
            kind=ParticipantKind.RETURNEE,
            case=case,
            plan_item=item,
            role=data.role,
            count=1,
            added_by=user,
        )


@dataclass(frozen=True)
class ResidentsInput:
    count: int | None
    sex: str = ""
    age_band: str = ""
    role: str = ParticipantRole.MEMBER


def add_residents(user: User, project: CommunityProject, data: ResidentsInput) -> ProjectParticipant:
    """Record non-migrant residents taking part: how many, and if known their sex, age band and role (no
    names)."""
    permissions.require_project_write(user, project)
    errors = FieldErrors()
    _not_closed(errors, project)
    if data.count is None:
        errors.add("count", _("This field is required."), "required")
    elif not 1 <= data.count <= MAX_COUNT:
        errors.add("count", _("Give a number from 1 to 100000."), "out_of_range")
    for name, value, values in (
        ("sex", data.sex, ParticipantSex.values),
        ("age_band", data.age_band, AgeBand.values),
        ("role", data.role, ParticipantRole.values),
    ):
        if value and value not in values:
            errors.add(name, _("Choose a value from the list."), "invalid_choice")
    errors.raise_if_any()
    assert data.count is not None
    with _write(user):
        return ProjectParticipant.objects.create(
            project=project,
            kind=ParticipantKind.NON_MIGRANT,
            sex=data.sex,
            age_band=data.age_band,
            role=data.role or ParticipantRole.MEMBER,
            count=data.count,
            added_by=user,
        )


def remove_participant(user: User, participant: ProjectParticipant) -> None:
    """The project's editors remove any participant; whoever may change a linked case removes its link."""
    project = participant.project
    if not permissions.project_editable(user, project):
        permissions.require_project_read(user, project)
        if participant.case is None:
            permissions.require_project_write(user, project)
        else:
            case_permissions.require_case_write(user, participant.case)
    if project.status == ProjectStatus.CLOSED:
        raise field_error("status", _("This project is closed: it can no longer be changed."), "closed")
    with _write(user):
        participant.delete()


# --- Follow-up visits ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitInput:
    visited_on: date | None
    findings: str = ""
    next_steps: str = ""


def record_visit(user: User, project: CommunityProject, data: VisitInput) -> ProjectVisit:
    """A follow-up visit of an active project."""
    permissions.require_project_write(user, project)
    errors = FieldErrors()
    if project.status != ProjectStatus.ACTIVE:
        errors.add("status", _("Follow-up visits are recorded while the project is active."), "not_active")
    if data.visited_on is None:
        errors.add("visited_on", _("This field is required."), "required")
    elif data.visited_on > timezone.localdate():
        errors.add("visited_on", _("This date cannot be in the future."), "in_future")
    elif project.starts_on and data.visited_on < project.starts_on:
        errors.add("visited_on", _("The visit cannot be before the project started."), "before_start")
    if not _text(data.findings):
        errors.add("findings", _("This field is required."), "required")
    errors.raise_if_any()
    assert data.visited_on is not None
    with _write(user):
        return ProjectVisit.objects.create(
            project=project,
            visited_on=data.visited_on,
            findings=_text(data.findings),
            next_steps=_text(data.next_steps),
            visited_by=user,
        )


# --- Community profiles --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionInput:
    rating: int | None
    evidence: str = ""
    sources: str = ""


@dataclass(frozen=True)
class ProfileInput:
    as_of: date | None
    sections: Mapping[str, SectionInput] = field(default_factory=dict)
    summary: str = ""


def _sections(errors: FieldErrors, sections: Mapping[str, SectionInput]) -> dict[str, dict[str, Any]]:
    clean: dict[str, dict[str, Any]] = {}
    if set(sections) - set(ProfileSection.values):
        errors.add("sections", _("Unknown section."), "invalid_choice")
    for code in ProfileSection.values:
        section = sections.get(code)
        if section is None or section.rating is None:
            errors.add(f"sections.{code}.rating", _("Rate this section from 0 to 3."), "required")
            continue
        if not 0 <= section.rating <= MAX_RATING:
            errors.add(f"sections.{code}.rating", _("Give a rating from 0 to 3."), "out_of_range")
        if not _text(section.evidence):
            errors.add(f"sections.{code}.evidence", _("Give the evidence for this rating."), "required")
        clean[code] = {"rating": section.rating, "evidence": _text(section.evidence), "sources": _text(section.sources)}
    return clean


def save_profile(user: User, community: Community, data: ProfileInput) -> CommunityProfile:
    """A new dated version of the community's profile (the earlier ones stay as its history)."""
    permissions.require_community_write(user, community)
    errors = FieldErrors()
    if data.as_of is None:
        errors.add("as_of", _("This field is required."), "required")
    elif data.as_of > timezone.localdate():
        errors.add("as_of", _("This date cannot be in the future."), "in_future")
    sections = _sections(errors, data.sections)
    errors.raise_if_any()
    assert data.as_of is not None
    with _write(user):
        Community.objects.select_for_update().filter(pk=community.pk).first()  # one new version at a time
        latest = CommunityProfile.objects.filter(community=community).aggregate(n=Max("number"))["n"] or 0
        if (
            latest
            and CommunityProfile.objects.filter(community=community, number=latest, as_of__gt=data.as_of).exists()
        ):
            raise field_error("as_of", _("A newer profile exists: date this one on or after it."), "before_latest")
        return CommunityProfile.objects.create(
            community=community,
            number=latest + 1,
            as_of=data.as_of,
            sections=sections,
            summary=_text(data.summary),
            recorded_by=user,
        )


# --- Area boundaries (the hotspot map) -----------------------------------------------------------------


@dataclass
class BoundaryReport:
    loaded: int = 0
    unmatched: list[str] = field(default_factory=list)  # codes of the file with no gazetteer area
    skipped: list[str] = field(default_factory=list)  # features without a code or a usable geometry


def load_boundaries(data: Any, *, level: int, code_field: str, country: str = "", source: str = "") -> BoundaryReport:
    """Store the outlines of a GeoJSON FeatureCollection for the gazetteer areas of `level` whose code matches
    `properties[code_field]` ('GT1301', 'GT-1301' and '1301' all match the municipality 1301 of GT), replacing
    earlier ones. An operator's command (`reintegra load-boundaries`), like loading the gazetteer: no user.
    Raises boundaries_core.BoundaryError when the file is not a FeatureCollection."""
    features, skipped = boundaries_core.parse_features(data, code_field)
    areas = AdminArea.objects.filter(level=level)
    if country:
        areas = areas.filter(country=country)
    by_code: dict[str, AdminArea] = {}
    for area in areas.only("id", "country", "code"):
        by_code.setdefault(boundaries_core.normalise_code(area.code), area)
        by_code.setdefault(boundaries_core.normalise_code(f"{area.country}{area.code}"), area)
    report = BoundaryReport(skipped=skipped)
    shapes: dict[int, list[Any]] = {}
    for feature in features:
        matched = by_code.get(boundaries_core.normalise_code(feature.code))
        if matched is None:
            report.unmatched.append(feature.code)
            continue
        shapes.setdefault(matched.pk, []).extend(feature.polygons)  # one area in several features: one shape
    now = timezone.now()
    rows = []
    for area_id, polygons in shapes.items():
        simplified = boundaries_core.simplify(polygons)
        if simplified:
            rows.append(Boundary(area_id=area_id, polygons=simplified, source=source[:200], loaded_at=now))
        else:
            report.skipped.append(f"area {area_id}: nothing left after simplification")
    with transaction.atomic():
        Boundary.objects.filter(area_id__in=[r.area_id for r in rows]).delete()
        Boundary.objects.bulk_create(rows, batch_size=200)
    report.loaded = len(rows)
    return report

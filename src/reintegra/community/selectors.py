"""Every read of the community level, scoped to the user's organisation (another's communities do not exist
for them), and the figures the return hotspots are computed from (`hotspots_core`)."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.db.models import Case as CaseWhen
from django.db.models import Count, DateField, F, Q, QuerySet, Sum, Value, When, Window
from django.db.models.functions import RowNumber, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries as django_countries

from reintegra.access import permissions as access_permissions
from reintegra.access.models import Organisation, Programme
from reintegra.access.roles import Capability
from reintegra.cases import selectors as case_selectors
from reintegra.cases.models import Case
from reintegra.community import hotspots_core, permissions, score_tally
from reintegra.community.choices import ParticipantKind, ProfileSection, ProjectStatus, SiteCriterion
from reintegra.community.models import (
    Boundary,
    Community,
    CommunityProfile,
    CommunityProject,
    ParticipatorySession,
    ProjectParticipant,
    ProjectVisit,
    ReturnTally,
    ScoreTally,
    SiteScore,
)
from reintegra.monitoring import permissions as monitoring_permissions
from reintegra.places.choices import AdminLevel
from reintegra.places.models import AdminArea
from reintegra.reception.models import Intake
from reintegra.referrals import selectors as referral_selectors
from reintegra.referrals.models import Service
from reintegra.structural import action_matrix
from reintegra.sustainability.models import RoundScore
from reintegra.vocabulary import codes

if TYPE_CHECKING:
    from reintegra.access.models import User

PERIODS = (90, 365)
# An intake whose person has a case returning within this many days of the arrival is that case's return.
SAME_RETURN_DAYS = 30


def communities_for(user: User, *, country: str = "") -> QuerySet[Community]:
    if not permissions.can_read(user):
        return Community.objects.none()
    qs = Community.objects.filter(organisation_id=permissions.own(user)).select_related(
        "municipality", "municipality__parent"
    )
    if country:
        qs = qs.filter(municipality__country=country)
    return qs.order_by("municipality__name", "locality", "id")


def organisations_of(community: Community) -> list[Organisation]:
    return list(community.organisations.order_by("name"))


def services_covering(community: Community) -> QuerySet[Service]:
    """The active services of the directory that cover the community's municipality (or its whole country)."""
    filters = referral_selectors.DirectoryFilters(
        country=str(community.municipality.country), area=community.municipality_id
    )
    return referral_selectors.services(filters)


@dataclass(frozen=True)
class ChecklistRow:
    criterion: str
    label: Any
    score: int | None
    evidence: str


def checklist_of(community: Community) -> list[ChecklistRow]:
    scored = {s.criterion: s for s in SiteScore.objects.filter(community=community)}
    return [
        ChecklistRow(
            code,
            label,
            scored[code].score if code in scored else None,
            scored[code].evidence if code in scored else "",
        )
        for code, label in SiteCriterion.choices
    ]


def site_total(rows: list[ChecklistRow]) -> int:
    return sum(row.score or 0 for row in rows)


def sessions_of(community: Community) -> QuerySet[ParticipatorySession]:
    return ParticipatorySession.objects.filter(community=community).order_by("-held_on", "-id")


def organisation_choices() -> QuerySet[Organisation]:
    """The organisations a community may name as working there (names only: every user reads them)."""
    return Organisation.objects.filter(is_active=True).order_by("name")


def municipality_choices(country: str = "") -> QuerySet[AdminArea]:
    qs = AdminArea.objects.filter(level=AdminLevel.SECOND).select_related("parent")
    return qs.filter(country=country) if country else qs


# --- Return hotspots ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class HotspotRow:
    spot: hotspots_core.Hotspot
    area: AdminArea
    community: Community | None

    @property
    def name(self) -> str:
        return str(self.community) if self.community else str(self.area)


@dataclass(frozen=True)
class Hotspots:
    rows: list[HotspotRow]
    k: int
    period_days: int
    country: str
    today: date


def _organisation_filter(user: User, path: str) -> Q:
    if access_permissions.has_any(user, Capability.VIEW_AGGREGATES_ALL_ORGANISATIONS):
        return Q()
    return Q(**{path: permissions.own(user)})


def _segments(today: date, period_days: int, span: int) -> list[tuple[date, date]]:
    """The stretches of days (after, through] between every boundary of a window the core counts (the period,
    the one before, 90 and 365 days, the 30-day sparkline buckets): returns grouped by stretch give the core the
    same counts as returns day by day, in a few hundred rows instead of one per place and day."""
    ages = {0, period_days, 2 * period_days, 90, 365, span} | {30 * i for i in range(hotspots_core.SPARK_BUCKETS + 1)}
    bounds = sorted(a for a in ages if a <= span)
    return [(today - timedelta(days=b), today - timedelta(days=a)) for a, b in itertools.pairwise(bounds)]


def _case_events(
    user: User, today: date, since: date, country: str, period_days: int
) -> list[hotspots_core.ReturnEvent]:
    """The cases' returns from the kept tally (`return_tally`), summed per municipality and stretch of days."""
    stretches = _segments(today, period_days, (today - since).days)
    stretch = CaseWhen(
        *[When(day__gt=after, day__lte=through, then=Value(through)) for after, through in stretches],
        output_field=DateField(),
    )
    qs = ReturnTally.objects.filter(_organisation_filter(user, "organisation_id"), day__gt=since, day__lte=today)
    if country:
        qs = qs.filter(municipality__country=country)
    grouped = (
        qs.annotate(stretch=stretch)
        .values("municipality_id", "stretch")
        .annotate(n=Sum("returns"), repeats=Sum("repeats"))
        .order_by()
    )
    events = []
    for g in grouped:
        area, day, repeats = str(g["municipality_id"]), g["stretch"], g["repeats"]
        events.append(hotspots_core.ReturnEvent(area, day, False, g["n"] - repeats))
        events.append(hotspots_core.ReturnEvent(area, day, True, repeats))
    return events


def _intake_events(user: User, since: date, country: str) -> list[hotspots_core.ReturnEvent]:
    """Returns seen at reception whose person has no case for that return (else the case counts it)."""
    window = timedelta(days=SAME_RETURN_DAYS)
    qs = Intake.objects.filter(
        _organisation_filter(user, "arrival__organisation_id"),
        arrival__arrived_at__date__gt=since,
        case__isnull=True,
        municipality_of_destination__isnull=False,
    )
    if country:
        qs = qs.filter(municipality_of_destination__country=country)
    rows = list(
        qs.annotate(day=TruncDate("arrival__arrived_at")).values_list(
            "returnee_id", "day", "municipality_of_destination_id", "is_repeat_return"
        )
    )
    returns: defaultdict[int, list[date]] = defaultdict(list)
    for returnee_id, return_date in Case.objects.filter(
        returnee_id__in={r[0] for r in rows}, return_date__gt=since - window
    ).values_list("returnee_id", "return_date"):
        returns[returnee_id].append(return_date)
    return [
        hotspots_core.ReturnEvent(str(area), day, bool(repeat))
        for returnee_id, day, area, repeat in rows
        if not any(abs(day - d) <= window for d in returns[returnee_id])
    ]


def _scores(user: User, since: date, areas: set[str]) -> dict[str, hotspots_core.ScoreTotals]:
    """Per municipality of return, each returnee's latest current RSS scores (cases returned after `since`),
    summed: how many people, and per dimension the sum and count of those scores. Read from the kept tally
    (`score_tally`): its rows of the days after `since` add up to exactly that."""
    if access_permissions.has_any(user, Capability.VIEW_AGGREGATES_ALL_ORGANISATIONS):
        scope = Q(organisation__isnull=True)  # ranked across organisations
    else:
        scope = Q(organisation_id=permissions.own(user))
    totals: Iterable[dict[str, Any]] = cast(
        Any,
        ScoreTally.objects.filter(scope, day__gt=since, municipality_id__in=[int(a) for a in areas])
        .values("municipality_id")
        .annotate(**{f: Sum(f) for f in score_tally.FIELDS})
        .order_by(),
    )
    return {
        str(row["municipality_id"]): hotspots_core.ScoreTotals(
            row["people"],
            {d: row[f"{d}_sum"] / score_tally.MICRO for d in hotspots_core.DIMENSIONS},
            {d: row[f"{d}_n"] for d in hotspots_core.DIMENSIONS},
        )
        for row in totals
        if row["people"]
    }


def scores_from_rounds(user: User, since: date, areas: set[str]) -> dict[str, hotspots_core.ScoreTotals]:
    """The same figures ranked from the rounds themselves (what `_scores` read before the kept tally; the tests
    hold the two equal)."""
    person = F("round__case__returnee_id")
    latest = (
        RoundScore.objects.filter(
            _organisation_filter(user, "round__case__organisation_id"),
            is_current=True,
            round__case__return_date__gt=since,
            round__case__returnee__municipality_id__in=[int(a) for a in areas],
        )
        .annotate(
            rank=Window(RowNumber(), partition_by=[person], order_by=[F("round__taken_on").desc(), F("pk").desc()]),
        )
        .filter(rank=1)
    )
    sums = {f"{d}_sum": Sum(d) for d in hotspots_core.DIMENSIONS} | {
        f"{d}_n": Count(d) for d in hotspots_core.DIMENSIONS
    }
    # Summed over the latest rows by id: Django would group the windowed query itself before ranking.
    totals: Iterable[dict[str, Any]] = cast(
        Any,
        RoundScore.objects.filter(pk__in=latest.values("pk"))
        .values(area=F("round__case__returnee__municipality_id"))
        .annotate(people=Count("pk"), **sums)
        .order_by(),
    )
    return {
        str(row["area"]): hotspots_core.ScoreTotals(
            row["people"],
            {d: row[f"{d}_sum"] or 0.0 for d in hotspots_core.DIMENSIONS},
            {d: row[f"{d}_n"] for d in hotspots_core.DIMENSIONS},
        )
        for row in totals
    }


def _populations(user: User) -> dict[str, int]:
    whole = Community.objects.filter(organisation_id=permissions.own(user), locality="", population__isnull=False)
    pairs = whole.values_list("municipality_id", "population")
    return {str(area): population for area, population in pairs if population is not None}


def hotspot_threshold(user: User) -> int:
    programmes = Programme.objects.filter(organisation_id=permissions.own(user))
    return monitoring_permissions.threshold(programmes)


def hotspots_for(user: User, *, country: str = "", period_days: int = 365, today: date | None = None) -> Hotspots:
    """PermissionDenied unless the user may read aggregates. Counts below the programmes' k are hidden."""
    permissions.require_hotspots(user)
    today = today or timezone.localdate()
    since = today - timedelta(days=max(2 * period_days, 365, 30 * hotspots_core.SPARK_BUCKETS))
    events = _case_events(user, today, since, country, period_days) + _intake_events(user, since, country)
    k = hotspot_threshold(user)
    areas = {e.area for e in events}
    spots = hotspots_core.hotspots(
        events,
        today=today,
        k=k,
        period_days=period_days,
        populations=_populations(user),
        scores=_scores(user, today - timedelta(days=365), areas),
    )
    places = AdminArea.objects.select_related("parent").in_bulk([int(s.area) for s in spots])
    communities = {
        c.municipality_id: c
        for c in Community.objects.filter(organisation_id=permissions.own(user), locality="").select_related(
            "municipality"
        )
    }
    rows = [HotspotRow(s, places[int(s.area)], communities.get(int(s.area))) for s in spots]
    return Hotspots(rows, k, period_days, country, today)


# --- Community profiles ------------------------------------------------------------------------------


def profiles_of(community: Community) -> QuerySet[CommunityProfile]:
    """The community's profiles, newest version first (the first is the current profile)."""
    return CommunityProfile.objects.filter(community=community).order_by("-number")


def current_profile(community: Community) -> CommunityProfile | None:
    """The community's latest profile version (None before the first)."""
    return profiles_of(community).first()


@dataclass(frozen=True)
class ProfileRow:
    section: str
    label: Any
    rating: int | None
    evidence: str
    sources: str


def profile_rows(profile: CommunityProfile | None) -> list[ProfileRow]:
    sections = (profile.sections if profile else {}) or {}
    return [
        ProfileRow(
            code,
            label,
            sections.get(code, {}).get("rating"),
            sections.get(code, {}).get("evidence", ""),
            sections.get(code, {}).get("sources", ""),
        )
        for code, label in ProfileSection.choices
    ]


# --- Community projects --------------------------------------------------------------------------------


@dataclass
class ProjectFilters:
    status: str = ""
    community: int | None = None


def projects_for(user: User, filters: ProjectFilters | None = None) -> QuerySet[CommunityProject]:
    """The projects of the user's organisation (none for a user who may not read the community level)."""
    if not permissions.can_read(user):
        return CommunityProject.objects.none()
    qs = CommunityProject.objects.filter(organisation_id=permissions.own(user))
    f = filters or ProjectFilters()
    if f.status:
        qs = qs.filter(status=f.status)
    if f.community:
        qs = qs.filter(communities=f.community)
    return qs.distinct().order_by("title", "id").prefetch_related("communities")


def projects_of_community(community: Community) -> QuerySet[CommunityProject]:
    return community.projects.order_by("title", "id")


def communities_of(project: CommunityProject) -> list[Community]:
    return list(project.communities.select_related("municipality").order_by("municipality__name", "locality"))


def partners_of(user: User, project: CommunityProject) -> list[Any]:
    """The project's partners that the user sees in the stakeholder registry."""
    from reintegra.structural import selectors as structural_selectors

    return list(structural_selectors.stakeholders_for(user).filter(pk__in=project.partners.values("pk")))


@dataclass(frozen=True)
class ReturneeLine:
    participant: ProjectParticipant
    case: Case | None  # None: a case the user does not see (counted, not shown)


@dataclass
class Participation:
    returnees: list[ReturneeLine] = field(default_factory=list)
    residents: list[ProjectParticipant] = field(default_factory=list)

    @property
    def returnee_total(self) -> int:
        return len(self.returnees)

    @property
    def resident_total(self) -> int:
        return sum(p.count for p in self.residents)

    @property
    def total(self) -> int:
        return self.returnee_total + self.resident_total

    @property
    def returnee_share(self) -> float | None:
        """Share of returnees among all participants (0..1), None without participants."""
        return self.returnee_total / self.total if self.total else None

    @property
    def returnee_percent(self) -> int | None:
        share = self.returnee_share
        return None if share is None else round(share * 100)

    @property
    def ratio(self) -> str:
        """ "returnees : non-migrants" as counted (e.g. "2 : 15")."""
        return f"{self.returnee_total} : {self.resident_total}"


def participation_of(user: User, project: CommunityProject) -> Participation:
    """Participants of the project: each returnee's case only when the user sees it (cases.scoping)."""
    rows = list(project.participants.select_related("plan_item").order_by("kind", "id"))
    case_ids = [p.case_id for p in rows if p.case_id]
    visible = {c.pk: c for c in case_selectors.cases_for(user).filter(pk__in=case_ids)}
    out = Participation()
    for p in rows:
        if p.kind == ParticipantKind.RETURNEE:
            out.returnees.append(ReturneeLine(p, visible.get(p.case_id or 0)))
        else:
            out.residents.append(p)
    return out


def visits_of(project: CommunityProject) -> QuerySet[ProjectVisit]:
    return project.visits.order_by("-visited_on", "-id")


@dataclass(frozen=True)
class Budget:
    lines: list[dict[str, Any]]
    budget: Decimal
    spent: Decimal

    @property
    def spent_share(self) -> float | None:
        return float(self.spent / self.budget) if self.budget else None


def budget_of(project: CommunityProject) -> Budget:
    lines = [
        {"line": row["line"], "budget": Decimal(row["budget"]), "spent": Decimal(row["spent"])}
        for row in project.budget_lines or []
    ]
    return Budget(lines, sum((r["budget"] for r in lines), Decimal(0)), sum((r["spent"] for r in lines), Decimal(0)))


def projects_of_case(user: User, case: Case) -> list[ProjectParticipant]:
    """The community projects a case takes part in, those of the user's organisation (for the case page)."""
    if not permissions.can_read(user):
        return []
    return list(
        ProjectParticipant.objects.filter(case=case, project__organisation_id=permissions.own(user))
        .select_related("project", "plan_item")
        .order_by("project__title")
    )


def project_matrix_counts(user: User, country: str | None = None) -> list[tuple[str, str, int]]:
    """The organisation's started projects (active or closed) as community-level actions of their country,
    one per dimension they cover, for the regional level × dimension matrix."""
    projects = projects_for(user).exclude(status=ProjectStatus.PLANNED)
    if country:
        projects = projects.filter(country=country)
    counts: defaultdict[str, int] = defaultdict(int)
    for dimensions in projects.values_list("dimensions", flat=True):
        for dimension in dimensions or []:
            counts[dimension] += 1
    return [(codes.COMMUNITY, dimension, n) for dimension, n in counts.items()]


def project_matrix_actions(user: User, country: str | None = None) -> list[action_matrix.ContributedAction]:
    """The same started projects as `project_matrix_counts`, one per dimension they cover, with their page: what
    a cell of the regional matrix lists."""
    projects = projects_for(user).exclude(status=ProjectStatus.PLANNED)
    if country:
        projects = projects.filter(country=country)
    kind = str(_("Community project"))
    return [
        action_matrix.ContributedAction(
            "community_projects",
            kind,
            pk,
            title,
            str(project_country),
            str(django_countries.name(project_country)),
            codes.COMMUNITY,
            dimension,
            reverse("community:project", args=[pk]),
        )
        for pk, title, project_country, dimensions in projects.values_list("pk", "title", "country", "dimensions")
        for dimension in dimensions or []
    ]


def partner_choices(user: User) -> QuerySet[Any]:
    """The stakeholders the user sees, as a project's possible partners."""
    from reintegra.structural import selectors as structural_selectors

    return structural_selectors.stakeholders_for(user).order_by("name")


LINKABLE_LIMIT = 500


def linkable_cases(user: User) -> list[Case]:
    """The cases the user may link to a project: those they see that their organisation holds, if they may
    change cases (the service checks the one chosen again)."""
    from reintegra.access.roles import Capability as C

    if not access_permissions.has_any(user, C.EDIT_CASES):
        return []
    qs = case_selectors.cases_for(user).filter(organisation_id=permissions.own(user))
    return list(qs.order_by("-id")[:LINKABLE_LIMIT])


def plan_items_of(cases: list[Case]) -> list[Any]:
    from reintegra.cases.models import PlanItem

    return list(
        PlanItem.objects.filter(plan__case__in=cases).select_related("plan__case").order_by("plan__case_id", "id")
    )


def labels_of(project: CommunityProject) -> tuple[list[Any], list[Any]]:
    """The labels of the project's dimensions and activities, in the vocabulary's order."""
    from reintegra.community.choices import Dimension, ProjectActivity

    dimensions = [label for code, label in Dimension.choices if code in set(project.dimensions or [])]
    activities = [label for code, label in ProjectActivity.choices if code in set(project.activities or [])]
    return dimensions, activities


def milestones_of(project: CommunityProject) -> list[dict[str, Any]]:
    from reintegra.community.choices import MilestoneStatus

    return [
        {
            "title": m["title"],
            "due_on": date.fromisoformat(m["due_on"]) if m.get("due_on") else None,
            "status": m["status"],
            "status_label": MilestoneStatus(m["status"]).label,
        }
        for m in project.milestones or []
    ]


@dataclass(frozen=True)
class HotspotBoundaries:
    municipalities: list[Boundary]  # every loaded municipality of the countries shown, with or without returns
    outlines: list[Boundary]  # their departments / states, drawn over them when loaded


def hotspot_boundaries(found: Hotspots) -> HotspotBoundaries:
    """The loaded boundaries of the countries of a hotspot table (its country filter, else its rows'). Public
    geography: no organisation scope; the figures drawn on them are the table's, already suppressed."""
    countries = [found.country] if found.country else sorted({str(row.area.country) for row in found.rows})
    if not countries:
        return HotspotBoundaries([], [])
    loaded = list(
        Boundary.objects.filter(area__country__in=countries).select_related("area", "area__parent").order_by("area_id")
    )
    return HotspotBoundaries(
        [b for b in loaded if b.area.level == AdminLevel.SECOND],
        [b for b in loaded if b.area.level == AdminLevel.FIRST],
    )

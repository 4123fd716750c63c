"""Every read of the community level, scoped to the user's organisation (another's communities do not exist
for them), and the figures the return hotspots are computed from (`hotspots_core`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from reintegra.access import permissions as access_permissions
from reintegra.access.models import Organisation, Programme
from reintegra.access.roles import Capability
from reintegra.cases.models import Case
from reintegra.community import hotspots_core, permissions
from reintegra.community.choices import SiteCriterion
from reintegra.community.models import Community, ParticipatorySession, SiteScore
from reintegra.monitoring import permissions as monitoring_permissions
from reintegra.places.models import AdminArea
from reintegra.reception.models import Intake
from reintegra.referrals import selectors as referral_selectors
from reintegra.referrals.models import Service
from reintegra.sustainability.models import RoundScore

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
    from reintegra.places.choices import AdminLevel

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


def _case_events(user: User, since: date, country: str) -> list[hotspots_core.ReturnEvent]:
    earlier = Case.objects.filter(returnee_id=OuterRef("returnee_id"), return_date__lt=OuterRef("return_date"))
    qs = Case.objects.filter(_organisation_filter(user, "organisation_id"), return_date__gt=since).exclude(
        returnee__municipality__isnull=True
    )
    if country:
        qs = qs.filter(returnee__municipality__country=country)
    grouped = (
        qs.annotate(repeat=Exists(earlier))
        .values("returnee__municipality_id", "return_date", "repeat")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        hotspots_core.ReturnEvent(str(g["returnee__municipality_id"]), g["return_date"], bool(g["repeat"]), g["n"])
        for g in grouped
    ]


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


def _scores(user: User, since: date, areas: set[str]) -> dict[str, list[dict[str, float]]]:
    """Each returnee's latest current RSS scores, per municipality of return (cases returned since `since`)."""
    found = (
        RoundScore.objects.filter(
            _organisation_filter(user, "round__case__organisation_id"),
            is_current=True,
            round__case__return_date__gt=since,
            round__case__returnee__municipality_id__in=[int(a) for a in areas],
        )
        .annotate(
            area=F("round__case__returnee__municipality_id"),
            person=F("round__case__returnee_id"),
            taken=F("round__taken_on"),
        )
        .values("area", "person", "taken", "economic", "social", "psychosocial")
        .order_by("person", "-taken")
    )
    latest: dict[int, dict[str, Any]] = {}
    for row in found:
        latest.setdefault(row["person"], dict(row))
    out: defaultdict[str, list[dict[str, float]]] = defaultdict(list)
    for person in latest.values():
        out[str(person["area"])].append({d: person[d] for d in hotspots_core.DIMENSIONS if person[d] is not None})
    return dict(out)


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
    events = _case_events(user, since, country) + _intake_events(user, since, country)
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

"""Every read of the referral network, already scoped to what the user may see.

- Referring side: the referrals of the cases the user sees (cases.scoping.case_visibility).
- Receiving side (Capability.RECEIVE_REFERRALS): referrals sent to the user's organisation (the recipient
  stored when the referral was sent, never the provider's current link), never drafts; what of the
  returnee they show is decided by `catalogue.provider_payload`.
- Directory and SOPs carry no personal data; reports and gaps are aggregates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from django.db.models import Case as Case_
from django.db.models import CharField, Count, F, Q, QuerySet, Value, When
from django.utils import timezone

from reintegra.access.roles import Capability
from reintegra.access.scoping import NOTHING, active_with_organisation
from reintegra.cases.models import Case, PlanItem
from reintegra.cases.scoping import case_visibility
from reintegra.places.models import AdminArea
from reintegra.referrals import gaps, lifecycle, recommend, sla
from reintegra.referrals.choices import Dimension, PathwayPopulation
from reintegra.referrals.models import Referral, ReferralPathway, ReferralStatusChange, Service, ServiceProvider

if TYPE_CHECKING:
    from reintegra.access.models import User

REFERRER = lifecycle.REFERRER
PROVIDER = lifecycle.PROVIDER


def _sees_cases(user: User) -> bool:
    return bool(
        user.has_capability(Capability.VIEW_ASSIGNED_CASES) or user.has_capability(Capability.VIEW_ORGANISATION_CASES)
    )


def staff_q(user: User) -> Q:
    """Referrals of the cases the user sees (the referring side)."""
    if not active_with_organisation(user) or not _sees_cases(user):
        return NOTHING
    return Q(case_id__in=Case.objects.filter(case_visibility(user)).values("pk"))


def provider_q(user: User) -> Q:
    """Referrals sent to the user's organisation as a provider (the receiving side)."""
    if not active_with_organisation(user) or not user.has_capability(Capability.RECEIVE_REFERRALS):
        return NOTHING
    return Q(recipient_organisation_id=user.organisation_id) & ~Q(status=lifecycle.DRAFT)


def referrals_for(user: User) -> QuerySet[Referral]:
    return Referral.objects.filter(staff_q(user) | provider_q(user)).select_related("service", "provider", "pathway")


def side_of(user: User, referral: Referral) -> str:
    """REFERRER when the user sees the case; otherwise PROVIDER (the referral came through provider_q)."""
    if Referral.objects.filter(staff_q(user), pk=referral.pk).exists():
        return REFERRER
    return PROVIDER


def get_referral(user: User, pk: Any) -> tuple[Referral, str]:
    """The referral and the side the user is on; Referral.DoesNotExist when hidden (a 404)."""
    referral = (
        referrals_for(user)
        .select_related(
            "case__returnee",
            "pathway",
            "consent",
            "provider__organisation",
            "referring_organisation",
            "recipient_organisation",
        )
        .get(pk=pk)
    )
    return referral, side_of(user, referral)


@dataclass(frozen=True)
class ReferralFilters:
    status: str = ""
    priority: str = ""
    provider: int | None = None
    overdue: bool = False
    case: int | None = None


def search_referrals(user: User, filters: ReferralFilters) -> QuerySet[Referral]:
    qs = referrals_for(user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.priority:
        qs = qs.filter(priority=filters.priority)
    if filters.provider:
        qs = qs.filter(provider_id=filters.provider)
    if filters.case:
        qs = qs.filter(case_id=filters.case)
    if filters.overdue:
        now = timezone.now()
        qs = qs.filter(
            Q(status=lifecycle.SENT, acceptance_due_at__lt=now) | Q(status=lifecycle.ACCEPTED, outcome_due_at__lt=now)
        )
    return qs.select_related(
        "case", "case__returnee", "pathway", "consent", "referring_organisation", "provider", "service"
    ).order_by("-created_at", "-id")


def export_referrals(user: User, filters: ReferralFilters) -> QuerySet[Referral]:
    """The referral list with its filters for an export, each row with `visible_case_number`: the case's
    number on the referring side, empty on the provider's (data minimisation: a provider works from the
    referral, not from the case)."""
    referring = Case_(When(staff_q(user), then=F("case__case_number")), default=Value(""), output_field=CharField())
    return search_referrals(user, filters).annotate(visible_case_number=referring)


def staff_referral_ids(user: User, ids: Iterable[int]) -> set[int]:
    """Which of these referrals the user sees from the referring side (the others reached them as a provider)."""
    return set(Referral.objects.filter(staff_q(user), pk__in=list(ids)).values_list("pk", flat=True))


def referral_status(pk: int) -> str:
    """The stored status of a referral the caller already fetched (after a step changed it)."""
    return Referral.objects.values_list("status", flat=True).get(pk=pk)


def changes_of(referral: Referral) -> list[ReferralStatusChange]:
    return list(referral.changes.all())


def referrals_of_case(case: Case) -> QuerySet[Referral]:
    """The referrals of a case the caller already fetched through a scoped selector, newest first."""
    return case.referrals.select_related("service", "provider", "plan_item").order_by("-created_at", "-id")


def referable_plan_item(case: Case, pk: int) -> PlanItem | None:
    """An item of the case's plan (None when the id names none of them)."""
    return PlanItem.objects.filter(pk=pk, plan__case=case).first()


def sla_of(referral: Referral, now: datetime | None = None) -> str:
    return sla.sla_state(
        referral.status,
        acceptance_due_at=referral.acceptance_due_at,
        answered_at=referral.answered_at,
        outcome_due_at=referral.outcome_due_at,
        outcome_at=referral.outcome_at,
        now=now or timezone.now(),
    )


# --- directory -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DirectoryFilters:
    q: str = ""
    dimension: str = ""
    sector: str = ""
    country: str = ""
    area: int | None = None
    age: int | None = None
    provider: int | None = None
    active_only: bool = True


def services(filters: DirectoryFilters) -> QuerySet[Service]:
    qs = Service.objects.select_related("provider")
    if filters.active_only:
        qs = qs.filter(is_active=True, provider__is_active=True)
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(provider__name__icontains=filters.q))
    if filters.dimension:
        qs = qs.filter(dimension=filters.dimension)
    if filters.sector:
        qs = qs.filter(sector=filters.sector)
    if filters.country:
        qs = qs.filter(country=filters.country)
    if filters.provider:
        qs = qs.filter(provider_id=filters.provider)
    if filters.area:
        area = AdminArea.objects.filter(pk=filters.area).first()
        if area is None:
            return qs.none()
        covering = [area.pk] + ([area.parent_id] if area.parent_id else [])
        without_areas = Service.objects.filter(areas__isnull=True).values("pk")
        qs = qs.filter(country=area.country).filter(Q(areas__in=covering) | Q(pk__in=without_areas)).distinct()
    if filters.age is not None:
        qs = qs.filter(Q(min_age__isnull=True) | Q(min_age__lte=filters.age)).filter(
            Q(max_age__isnull=True) | Q(max_age__gte=filters.age)
        )
    return qs.order_by("name", "id")


def directory_services(filters: DirectoryFilters, *, with_contacts: bool = False) -> QuerySet[Service]:
    """The directory as listed and exported (`with_contacts`: the providers' contact persons too)."""
    qs = services(filters).prefetch_related("areas")
    return qs.prefetch_related("provider__contacts") if with_contacts else qs


def directory_providers(country: str = "") -> QuerySet[ServiceProvider]:
    """The providers of the directory (no personal data: every organisation reads it), by name."""
    qs = ServiceProvider.objects.prefetch_related("contacts", "link_requests").order_by("name", "id")
    return qs.filter(country=country) if country else qs


def active_providers(country: str) -> QuerySet[ServiceProvider]:
    """The directory's active providers of a country, by name (no contacts: names and ids only are needed,
    e.g. for the institution that gave an item of assistance at reception)."""
    return ServiceProvider.objects.filter(is_active=True, country=country).order_by("name", "id")


def consent_recipient_providers(user: Any) -> QuerySet[ServiceProvider]:
    """The providers a consent may name (protection's ledger): active ones outside the platform. A provider
    linked to an organisation is named through that organisation, whose consent covers all it receives."""
    return ServiceProvider.objects.filter(is_active=True, organisation__isnull=True).order_by("name", "id")


def get_provider(pk: int | None) -> ServiceProvider:
    """A provider of the directory with its contacts and link requests; `ServiceProvider.DoesNotExist`."""
    return (
        ServiceProvider.objects.select_related("organisation", "owner")
        .prefetch_related("contacts", "link_requests")
        .get(pk=pk or 0)
    )


def provider_services(provider: ServiceProvider) -> QuerySet[Service]:
    return provider.services.prefetch_related("areas").order_by("name")


def provider_contacts(provider: ServiceProvider) -> list[Any]:
    return list(provider.contacts.all())


def provider_names(ids: Iterable[int]) -> dict[int, str]:
    return dict(ServiceProvider.objects.filter(pk__in=list(ids)).values_list("pk", "name"))


def get_service(pk: int | None) -> Service:
    """A service of the directory with its provider; `Service.DoesNotExist`."""
    return Service.objects.select_related("provider", "provider__owner").get(pk=pk or 0)


def service_or_none(pk: int | None) -> Service | None:
    try:
        return get_service(pk)
    except Service.DoesNotExist:
        return None


def services_with_sop(organisation_id: int | None) -> list[Service]:
    """The active services the organisation may refer to: those its current SOPs cover (a provider's SOP
    without a service covers all of that provider's services)."""
    with_sop = current_pathway_targets(organisation_id or 0)
    return [
        s
        for s in Service.objects.filter(is_active=True, provider__is_active=True).select_related("provider")
        if (s.provider_id, s.pk) in with_sop or (s.provider_id, None) in with_sop
    ]


def providers() -> QuerySet[ServiceProvider]:
    return ServiceProvider.objects.annotate(service_count=Count("services")).order_by("name", "id")


def month_start(now: datetime | None = None) -> datetime:
    today = timezone.localtime(now or timezone.now()).date()
    return timezone.make_aware(datetime.combine(today.replace(day=1), time.min))


def used_this_month(service_ids: list[int], now: datetime | None = None) -> dict[int, int]:
    """Referrals that take a place this month: sent since the 1st and not declined."""
    rows = (
        Referral.objects.filter(service_id__in=service_ids, sent_at__gte=month_start(now))
        .exclude(status__in=[lifecycle.DRAFT, lifecycle.DECLINED])
        .values("service_id")
        .annotate(n=Count("id"))
    )
    return {row["service_id"]: row["n"] for row in rows}


def candidates(qs: QuerySet[Service], with_sop: set[tuple[int, int | None]] | None = None) -> list[recommend.Candidate]:
    """The directory's services as the ranking reads them; `with_sop`: the SOP targets of the referring
    organisation (`current_pathway_targets`), which say what it may choose (None: everything)."""
    rows = list(qs.select_related("provider").prefetch_related("areas"))
    used = used_this_month([s.pk for s in rows])
    return [
        recommend.Candidate(
            id=s.pk,
            name=s.name,
            dimension=s.dimension,
            sector=s.sector,
            country=str(s.country),
            area_ids=frozenset(a.pk for a in s.areas.all()),
            min_age=s.min_age,
            max_age=s.max_age,
            sexes=frozenset(s.sexes or []),
            nationalities=frozenset(s.nationalities or []),
            vulnerabilities=frozenset(s.vulnerability_criteria or []),
            capacity=s.capacity_per_month,
            used=used.get(s.pk, 0),
            is_active=s.is_active and s.provider.is_active,
            choosable=with_sop is None or (s.provider_id, s.pk) in with_sop or (s.provider_id, None) in with_sop,
        )
        for s in rows
    ]


def person_of(case: Case) -> recommend.Person:
    r = case.returnee
    return recommend.Person(
        age=r.age_on(timezone.localdate()),
        sex=r.sex,
        nationality=str(r.nationality),
        country=str(r.return_country),
        admin1_id=r.admin1_id,
        municipality_id=r.municipality_id,
        attention_flags=frozenset(r.attention_flags or []),
    )


@dataclass(frozen=True)
class ServiceRecommendation:
    service: Service
    proximity: int
    places_left: int | None
    eligible: bool
    reasons: tuple[str, ...]
    has_pathway: bool

    @property
    def at_capacity(self) -> bool:
        return self.places_left is not None and self.places_left <= 0


def recommendations(
    user: User,
    case: Case,
    *,
    dimension: str = "",
    sector: str = "",
    include_abroad: bool = False,
    include_ineligible: bool = False,
    need: str = "",
    only_choosable: bool = False,
    limit: int = 20,
) -> list[ServiceRecommendation]:
    """The directory's services for the case, ranked by `recommend.recommend` (the need's sectors, then
    nearness...). `only_choosable`: only what the case's organisation may refer to now (a referral form)."""
    qs = Service.objects.filter(is_active=True, provider__is_active=True)
    if dimension:
        qs = qs.filter(dimension=dimension)
    if sector:
        qs = qs.filter(sector=sector)
    with_sop = current_pathway_targets(case.organisation_id)
    ranked = recommend.recommend(
        person_of(case),
        candidates(qs, with_sop),
        include_abroad=include_abroad,
        include_ineligible=include_ineligible,
        need=need,
        only_choosable=only_choosable,
    )[:limit]
    by_id = Service.objects.select_related("provider").in_bulk([r.candidate.id for r in ranked])
    return [
        ServiceRecommendation(
            by_id[r.candidate.id], r.proximity, r.places_left, r.eligible, r.reasons, r.candidate.choosable
        )
        for r in ranked
    ]


# --- SOPs ----------------------------------------------------------------------------------------


def pathways_for(user: User) -> QuerySet[ReferralPathway]:
    """SOPs of the user's organisation as referrer, and those addressed to it as a provider."""
    if not active_with_organisation(user):
        return ReferralPathway.objects.none()
    return ReferralPathway.objects.filter(
        Q(referring_organisation_id=user.organisation_id) | Q(provider__organisation_id=user.organisation_id)
    ).select_related("provider", "service", "referring_organisation")


def pathway_list(user: User, *, current_only: bool = False, population: str = "") -> QuerySet[ReferralPathway]:
    """The SOPs the user sees by provider, title and newest version (`current_only`: no superseded ones;
    `population`: only the SOPs for that population, e.g. the child-focused ones)."""
    qs = pathways_for(user).order_by("provider__name", "title", "-version", "id")
    if population in PathwayPopulation.values:
        qs = qs.filter(population=population)
    return qs.filter(is_current=True) if current_only else qs


def get_pathway(user: User, pk: Any) -> ReferralPathway:
    """An SOP the user sees; `ReferralPathway.DoesNotExist` otherwise."""
    return pathways_for(user).get(pk=pk)


def current_pathways_of(user: User, organisation_id: int) -> QuerySet[ReferralPathway]:
    """The current SOPs of one referring organisation that the user sees, by provider and title."""
    return (
        pathways_for(user)
        .filter(referring_organisation_id=organisation_id, is_current=True)
        .order_by("provider__name", "title")
    )


def current_pathway_targets(organisation_id: int) -> set[tuple[int, int | None]]:
    today = timezone.localdate()
    return set(
        ReferralPathway.objects.filter(
            referring_organisation_id=organisation_id, is_current=True, approved_on__lte=today
        ).values_list("provider_id", "service_id")
    )


def pathway_for(organisation_id: int, service: Service, *, child: bool = False) -> ReferralPathway | None:
    """The current, approved SOP that covers referrals from the organisation to this service: one for the
    service itself first, else one for every service of its provider. A child's referral goes under a
    child-focused SOP when there is one (docs/children.md §4); an adult's never does."""
    today = timezone.localdate()
    qs = ReferralPathway.objects.filter(
        referring_organisation_id=organisation_id,
        provider_id=service.provider_id,
        is_current=True,
        approved_on__lte=today,
    )
    populations = [PathwayPopulation.CHILDREN, PathwayPopulation.EVERYONE] if child else [PathwayPopulation.EVERYONE]
    for population in populations:
        for scope in (Q(service=service), Q(service__isnull=True)):
            found = qs.filter(scope, population=population).order_by("-version", "-id").first()
            if found is not None:
                return found
    return None


def referral_day(value: datetime | None) -> date | None:
    return timezone.localtime(value).date() if value else None


# --- service gaps --------------------------------------------------------------------------------


def service_gaps(user: User, *, country: str = "", area: AdminArea | None = None) -> list[gaps.GapRow]:
    """Gaps per area and dimension (rule in referrals/gaps.py). Within a country: by state/department;
    within a state/department: by municipality. Cases counted: the user's organisation's open cases
    (every organisation's with VIEW_AGGREGATES_ALL_ORGANISATIONS)."""
    from reintegra.cases.choices import CaseStatus, NeedLevel, PlanItemStatus

    if not active_with_organisation(user) or user.organisation_id is None:
        return []
    cases = Case.objects.exclude(status=CaseStatus.CLOSED)
    if not user.has_capability(Capability.VIEW_AGGREGATES_ALL_ORGANISATIONS):
        cases = cases.filter(organisation_id=user.organisation_id)
    if area is not None:
        country = str(area.country)
        cases = cases.filter(returnee__admin1_id=area.pk if area.level == 1 else area.parent_id)
        group = "returnee__municipality_id"
        area_qs = AdminArea.objects.filter(parent_id=area.pk if area.level == 1 else area.parent_id)
    else:
        group = "returnee__admin1_id"
        area_qs = AdminArea.objects.filter(country=country, level=1)
    cases = cases.filter(returnee__return_country=country)
    needing = [NeedLevel.MEDIUM, NeedLevel.HIGH]
    open_items = [PlanItemStatus.PLANNED, PlanItemStatus.IN_PROGRESS]
    needs: dict[tuple[int, str], int] = {}
    for dimension in Dimension.values:
        q = Q(**{f"assessments__{dimension}_need__in": needing}) | Q(
            plan__items__dimension=dimension, plan__items__status__in=open_items
        )
        for row in (
            cases.filter(q).exclude(**{f"{group}__isnull": True}).values(group).annotate(n=Count("pk", distinct=True))
        ):
            needs[(row[group], dimension)] = row["n"]
    areas = {
        a.pk: gaps.Area(a.pk, a.name, a.parent_id, str(a.country))
        for a in area_qs.filter(pk__in={area_id for area_id, _d in needs})
    }
    offers = [
        gaps.Offer(
            c.id,
            provider_id,
            c.dimension,
            c.sector,
            c.country,
            c.area_ids,
            recommend.places_left(c),
        )
        for c, provider_id in _candidates_with_provider(country)
    ]
    return gaps.gap_rows(needs, areas, offers)


def _candidates_with_provider(country: str) -> list[tuple[recommend.Candidate, int]]:
    qs = Service.objects.filter(is_active=True, provider__is_active=True, country=country)
    providers_of = dict(qs.values_list("pk", "provider_id"))
    return [(c, providers_of[c.id]) for c in candidates(qs)]


def service_duplication(country: str, area: AdminArea | None = None) -> list[gaps.DuplicationRow]:
    """Duplication by state/department of a country, or by municipality of one state/department."""
    if area is not None:
        country = str(area.country)
        area_qs = AdminArea.objects.filter(parent_id=area.pk if area.level == 1 else area.parent_id)
    else:
        area_qs = AdminArea.objects.filter(country=country, level=1)
    areas = [gaps.Area(a.pk, a.name, a.parent_id, str(a.country)) for a in area_qs.order_by("name", "id")]
    offers = [
        gaps.Offer(c.id, provider_id, c.dimension, c.sector, c.country, c.area_ids, recommend.places_left(c))
        for c, provider_id in _candidates_with_provider(country)
    ]
    return gaps.duplication(areas, offers)


def referral_link(user: User, referral_id: str) -> str | None:
    """The referral's page for the audit trail, when the user sees the referral (from either side)."""
    from django.urls import reverse

    try:
        get_referral(user, referral_id)
    except (Referral.DoesNotExist, ValueError, TypeError):
        return None
    return reverse("referrals:detail", args=[int(referral_id)])


# --- the service provider's home (issue 18.9) ----------------------------------------------------


@dataclass(frozen=True)
class Incoming:
    """A referral sent to the provider's organisation that waits for it: an answer (sent) or an outcome
    (accepted), with the deadline of that step."""

    referral: Referral
    due_at: datetime | None
    sla: str  # sla.OVERDUE, ON_TIME... (the badge of the referral list)

    @property
    def overdue(self) -> bool:
        return sla.is_overdue(self.sla)


_PRIORITY_RANK = {"emergency": 0, "urgent": 1, "normal": 2}


def incoming_for_provider(user: User, now: datetime | None = None) -> list[Incoming]:
    """The referrals waiting for the user's organisation as a provider, overdue emergencies first: overdue
    before on time, then by priority (emergency, urgent, normal), then by deadline. Nothing for a user who
    does not receive referrals."""
    now = now or timezone.now()
    waiting = Referral.objects.filter(provider_q(user), status__in=[lifecycle.SENT, lifecycle.ACCEPTED]).select_related(
        "service", "provider"
    )
    rows = []
    for referral in waiting.order_by("id"):
        due = referral.acceptance_due_at if referral.status == lifecycle.SENT else referral.outcome_due_at
        rows.append(Incoming(referral, due, sla_of(referral, now)))
    far = datetime.max.replace(tzinfo=now.tzinfo)
    rows.sort(key=lambda row: (not row.overdue, _PRIORITY_RANK.get(row.referral.priority, 3), row.due_at or far))
    return rows

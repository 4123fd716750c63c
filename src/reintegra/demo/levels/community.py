"""Demo data of the community level (data/community.yaml): the demo organisation's communities in its four
Guatemalan municipalities with the most returns (population from the census, the organisations working there)
plus a Honduran border community, each with its favourable-site checklist scored, two participatory sessions
and answers to the community perception survey; the coordination body's own community. Written through the
community services by the programme manager ("gerente") and the coordinator ("coordinacion"), so every rule
applies.

The return hotspots need returns concentrated in a few places: the synthetic cases spread over the whole
gazetteer, so every count would be hidden (below k). Before the communities are chosen, returnees of the last
two years (those with repeat returns and RSS scores first) move to the two busiest Guatemalan municipalities of
the demo organisation and, for the Honduran organisation, to the Honduran community's municipality (saved one by
one: the hotspots' kept tallies follow); a few of them, whose cases were all closed, come back once more (a new
case: a repeat return), and recent returnees there without an RSS round get a first one (the weakest
dimension). Other cases, rounds and plans are unchanged."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.db.models import Count
from django.utils import timezone

from reintegra.access.models import Organisation, User
from reintegra.cases import services as case_services
from reintegra.cases.choices import CaseStatus
from reintegra.cases.models import Case, Returnee
from reintegra.community import perception_services, services
from reintegra.community.models import Community
from reintegra.demo import vocabulary
from reintegra.demo.levels import sustainability
from reintegra.demo.levels.context import DemoContext
from reintegra.places.models import AdminArea

_DATA = vocabulary.load("community.yaml")
GUATEMALAN = 4
HOTSPOTS = 2  # the demo organisation's Guatemalan municipalities where returns concentrate
HOTSPOT_PEOPLE = 18  # returnees of the last two years moved to each (the year's count, trend and shares above k)
HOTSPOT_REPEATS = 6  # returnees with only closed cases moved there who come back once more (a repeat return)
HOTSPOT_SCORED = 7  # recent returnees there with a first RSS round


def load(context: DemoContext) -> str:
    org = context.organisations.get("oim-gt")
    manager = context.users.get("gerente")
    if org is None or manager is None:
        return "Community: no demo organisation."
    if Community.objects.filter(organisation=org).exists():
        return "Community: demo data already present."
    honduras = AdminArea.objects.filter(country="HN", level=2, code=_DATA["honduras"]["code"]).first()
    hotspots = [area for area, _n in _busiest(org)[:HOTSPOTS]]
    _concentrate(org, hotspots)
    repeats = _repeat_returns(org, hotspots)
    _first_rounds(org, hotspots, random.Random(context.seed + 15))
    if honduras is not None and context.organisations.get("oim-hn") is not None:
        _concentrate(context.organisations["oim-hn"], [honduras])
    areas = _busiest(org)
    partners = [o.pk for o in Organisation.objects.filter(code__in=["servicios-gt", "mesa-gt"])]
    made = []
    for i, (area, returns) in enumerate(areas):
        population = max(12_000, returns * 180)  # a municipality of the region: returns ~ 5 per 1,000
        locality = _DATA["localities"][i % len(_DATA["localities"])]
        data = services.CommunityInput(
            municipality=area.pk,
            locality=locality,
            population=population,
            population_year=2018,
            population_source=_DATA["population_source"],
            organisations=partners,
        )
        made.append(_community(manager, data))
    if honduras is not None:
        h = _DATA["honduras"]
        data = services.CommunityInput(
            municipality=honduras.pk,
            population=h["population"],
            population_year=h["year"],
            population_source=h["source"],
            organisations=[org.pk],
        )
        made.append(_community(manager, data))
    coordinator = context.users.get("coordinacion")
    if coordinator is not None and areas:
        made.append(_community(coordinator, services.CommunityInput(municipality=areas[0][0].pk, locality="Cabecera")))
    projects = _projects(manager, [c for c in made if c.organisation_id == org.pk])
    return (
        f"Community: {len(made)} communities with their checklist, profile and two participatory sessions each; "
        f"{projects} community projects with linked cases and non-migrant participants; "
        f"{repeats} repeat returns in the hotspots."
    )


def _busiest(org: Organisation) -> list[tuple[AdminArea, int]]:
    counts = (
        Case.objects.filter(organisation=org, returnee__municipality__country="GT")
        .exclude(returnee__municipality__isnull=True)
        .values("returnee__municipality")
        .annotate(n=Count("pk"))
        .order_by("-n", "returnee__municipality")[:GUATEMALAN]
    )
    areas = AdminArea.objects.in_bulk([c["returnee__municipality"] for c in counts])
    return [(areas[c["returnee__municipality"]], c["n"]) for c in counts]


def _concentrate(org: Organisation, targets: list[AdminArea]) -> int:
    """Move returnees of `org` with a case returned in the last two years, from the same country, to `targets`
    in turn (repeat returnees and those with RSS rounds first) until each holds HOTSPOT_PEOPLE of them."""
    if not targets:
        return 0
    since = timezone.localdate() - timedelta(days=730)
    recent = (
        Case.objects.filter(organisation=org, return_date__gt=since, returnee__municipality__country=targets[0].country)
        .exclude(returnee__municipality__in=targets)
        .values_list("returnee_id", flat=True)
    )
    people = (
        Returnee.objects.filter(pk__in=recent)
        .annotate(returns=Count("cases", distinct=True), rounds=Count("cases__survey_rounds", distinct=True))
        .order_by("-returns", "-rounds", "pk")
    )
    have = {
        area.pk: Returnee.objects.filter(municipality=area, cases__organisation=org, cases__return_date__gt=since)
        .distinct()
        .count()
        for area in targets
    }
    moved = 0
    for person in people:
        open_targets = [area for area in targets if have[area.pk] < HOTSPOT_PEOPLE]
        if not open_targets:
            break
        area = min(open_targets, key=lambda a: (have[a.pk], a.pk))
        person.municipality = area
        person.save(update_fields=["municipality"])
        have[area.pk] += 1
        moved += 1
    return moved


def _repeat_returns(org: Organisation, targets: list[AdminArea]) -> int:
    """HOTSPOT_REPEATS people of `org` per target whose cases are all closed move there and return once more,
    opened by the case manager of their last case (so the programme manager holds no cases of their own)."""
    today = timezone.localdate()
    closed_only = (
        Returnee.objects.filter(cases__organisation=org, municipality__country="GT")
        .exclude(cases__status__in=[s for s in CaseStatus.values if s != CaseStatus.CLOSED])
        .exclude(municipality__in=targets)
        .distinct()
        .order_by("pk")
    )
    people = list(closed_only[: HOTSPOT_REPEATS * len(targets)])
    for i, person in enumerate(people):
        person.municipality = targets[i % len(targets)]
        person.save(update_fields=["municipality"])
        data = case_services.ReturnInput(
            return_date=today - timedelta(days=20 + 37 * i % 300),
            return_type="forced",
            host_country="US",
            causes_of_migration=["economic"],
        )
        last = person.cases.select_related("case_manager").order_by("-opened_on", "-pk").first()
        assert last is not None and last.case_manager is not None
        case_services.open_case(last.case_manager, person, data)
    return len(people)


def _first_rounds(org: Organisation, targets: list[AdminArea], rng: random.Random) -> int:
    """A first RSS round for recent returnees of the targets who have none (HOTSPOT_SCORED per target)."""
    since = timezone.localdate() - timedelta(days=330)
    made = 0
    for area in targets:
        cases = (
            Case.objects.filter(organisation=org, returnee__municipality=area, return_date__gt=since)
            .exclude(survey_rounds__isnull=False)
            .select_related("programme", "case_manager")
            .order_by("pk")
        )
        made += sum(1 for case in cases[:HOTSPOT_SCORED] if sustainability.baseline_round(case, rng))
    return made


def _community(user: User, data: services.CommunityInput) -> Community:
    community = services.save_community(user, data)
    rows = [services.SiteScoreInput(code, score, evidence) for code, (score, evidence) in _DATA["checklist"].items()]
    services.save_checklist(user, community, rows)
    today = timezone.localdate()
    for entry in _DATA["sessions"]:
        services.record_session(user, community, _session(entry, today))
    profile = _DATA["profile"]
    sections = {code: services.SectionInput(r, e, src) for code, (r, e, src) in profile["sections"].items()}
    services.save_profile(
        user, community, services.ProfileInput(today - timedelta(days=10), sections, profile["summary"])
    )
    _perception(user, community, today)
    return community


def _perception(user: User, community: Community, today: Any) -> None:
    """A household survey's answers to the community perception survey (both groups, enough to show results)."""
    for i, entry in enumerate(_DATA["perception"]):
        for n in range(entry["count"]):
            data = perception_services.PerceptionInput(today - timedelta(days=5 + i + n), dict(entry["answers"]))
            perception_services.record_response(user, community, data)


def _projects(manager: User, communities: list[Community]) -> int:
    """Each of the organisation's communities gets the demo projects in turn; a project links the cases that
    returned to its municipality (two or more when there are), with the plan item when the plan has one."""
    from reintegra.structural import selectors as structural_selectors

    partners = [s.pk for s in structural_selectors.stakeholders_for(manager).order_by("id")[:2]]
    made = 0
    for i, community in enumerate(communities):
        entry = _DATA["projects"][i % len(_DATA["projects"])]
        project = services.save_project(manager, _project_input(entry, community, partners))
        services.change_project_status(manager, project, services.StatusInput("active"))
        today = timezone.localdate()
        for days, findings, next_steps in entry["visits"]:
            services.record_visit(
                manager, project, services.VisitInput(today - timedelta(days=days), findings, next_steps)
            )
        for count, sex, band, role in entry["residents"]:
            services.add_residents(manager, project, services.ResidentsInput(count, sex, band, role))
        for case in _cases_of(community):
            item = case.plan.items.order_by("id").first() if hasattr(case, "plan") else None
            services.add_returnee(manager, project, services.ReturneeInput(case.pk, item.pk if item else None))
        if "closing" in entry:
            result, assessment = entry["closing"]
            services.change_project_status(
                manager, project, services.StatusInput("closed", today - timedelta(days=5), result, assessment)
            )
        made += 1
    return made


def _project_input(entry: dict[str, Any], community: Community, partners: list[int]) -> services.ProjectInput:
    today = timezone.localdate()
    return services.ProjectInput(
        title=entry["title"],
        approach=entry["approach"],
        dimensions=entry["dimensions"],
        activities=entry["activities"],
        communities=[community.pk],
        partners=partners,
        description=entry["description"],
        starts_on=today - timedelta(days=entry["days_started"]),
        ends_on=today + timedelta(days=entry["days_ending"]),
        currency=entry["currency"],
        budget_lines=[
            {"line": line, "budget": budget, "spent": spent} for line, budget, spent in entry["budget_lines"]
        ],
        milestones=[
            {"title": title, "due_on": today + timedelta(days=days), "status": status}
            for title, days, status in entry["milestones"]
        ],
        risks=entry["risks"],
        outcomes=entry["outcomes"],
    )


def _cases_of(community: Community, limit: int = 3) -> list[Case]:
    return list(
        Case.objects.filter(organisation_id=community.organisation_id, returnee__municipality=community.municipality)
        .select_related("plan")
        .order_by("id")[:limit]
    )


def _session(entry: dict[str, Any], today: Any) -> services.SessionInput:
    return services.SessionInput(
        kind=entry["kind"],
        held_on=today - timedelta(days=entry["days_ago"]),
        place=entry["place"],
        facilitators=entry["facilitators"],
        participants=dict(entry["participants"]),
        priorities=list(entry["priorities"]),
        tensions=entry["tensions"],
        follow_up=entry["follow_up"],
    )

"""Demo data of reception (data/reception.yaml): three reception points per country (Guatemala's air force
base centre and its border posts, Honduras' CAMR, El Salvador's migration directorate, Mexico's repatriation
modules), about sixty arrivals each over the last four months with the counts announced, and intakes linking
each organisation's registered returnees — some received more than once (repeat returns) — with the
assistance given. At the demo organisation's latest flight three people are recorded through the reception
services by the case manager ("gestora"): an adult, an unaccompanied child (routed to a child case with its
best-interests assessment) and a health emergency (routed to a case).

Points, arrivals, earlier intakes and their assistance are bulk-created (no rule to apply to history, and
`reintegra demo` stays fast); the three desk intakes go through the services, so every rule applies to them.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from reintegra.access.models import Organisation, Programme, User
from reintegra.cases.models import Returnee
from reintegra.demo import vocabulary
from reintegra.demo.levels.context import DemoContext
from reintegra.places.models import AdminArea
from reintegra.reception import manifest_services, services
from reintegra.reception.choices import ArrivalSource, AssistanceKind, ReturnType
from reintegra.reception.models import Arrival, AssistanceGiven, Intake, ReceptionPoint

_DATA = vocabulary.load("reception.yaml")
ARRIVALS_PER_POINT = 20
DAYS_BACK = 120
COUNTRY = {"oim-gt": "GT", "oim-hn": "HN", "oim-sv": "SV", "oim-mx": "MX"}


def load(context: DemoContext) -> str:
    if ReceptionPoint.objects.filter(organisation__code__in=list(COUNTRY)).exists():
        return "Reception: demo data already present."
    rng = random.Random(context.seed)
    now = timezone.now()
    arrivals = intakes = 0
    for code, entries in _DATA["points"].items():
        org = context.organisations.get(code)
        if org is None:
            continue
        points = _points(org, entries)
        made = _arrivals(org, points, entries, rng, now)
        arrivals += len(made)
        intakes += _intakes(org, made, rng)
    desk = _desk(context, now)
    _mapping(context)
    return f"Reception: {len(COUNTRY) * 3} points, {arrivals} arrivals, {intakes} intakes, {desk} recorded at the desk."


def _mapping(context: DemoContext) -> None:
    """The column mapping of the migration authority's flight list, saved by the supervisor: the manifest page
    lists it, to import a list with it or to edit it when the list's format changes."""
    supervisor = context.users.get("supervisora")
    if supervisor is None or supervisor.organisation_id is None:
        return
    manifest_services.save_mapping(
        supervisor,
        manifest_services.MappingInput(
            name="IGM — lista de vuelo",
            columns={
                "given_names": "Nombres",
                "family_names": "Apellidos",
                "sex": "Sexo",
                "birth_date": "Fecha de nacimiento",
                "document_number": "Pasaporte",
                "municipality": "Municipio",
            },
            return_type=ReturnType.FORCED,
            host_country="US",
        ),
    )


def _points(org: Organisation, entries: list[dict[str, Any]]) -> list[ReceptionPoint]:
    country = COUNTRY[org.code]
    areas = dict(
        AdminArea.objects.filter(country=country, level=2, name__in=[e["municipality"] for e in entries]).values_list(
            "name", "pk"
        )
    )
    return ReceptionPoint.objects.bulk_create(
        ReceptionPoint(
            organisation=org,
            code=e["code"],
            name=e["name"],
            country=country,
            kind=e["kind"],
            receiving_institution=e["institution"],
            municipality_id=areas.get(e["municipality"]),
        )
        for e in entries
    )


def _arrivals(
    org: Organisation, points: list[ReceptionPoint], entries: list[dict[str, Any]], rng: random.Random, now: datetime
) -> list[Arrival]:
    programme = Programme.default_for(org.pk)
    rows = []
    for point, entry in zip(points, entries, strict=True):
        low, high = entry["people"]
        for _n in range(ARRIVALS_PER_POINT):
            total = rng.randint(low, high)
            minors = rng.randint(0, max(1, total // 8))
            boys = minors // 2
            girls = minors - boys
            unaccompanied = rng.randint(0, min(2, minors)) if entry["means"] != "flight" else 0
            women = rng.randint(total // 8, total // 4)
            rows.append(
                Arrival(
                    organisation=org,
                    programme=programme,
                    point=point,
                    arrived_at=now - timedelta(days=rng.uniform(1, DAYS_BACK)),
                    means=entry["means"],
                    means_number=_number(entry, rng),
                    host_country=entry["host"],
                    return_type=ReturnType.FORCED if rng.random() < 0.9 else ReturnType.VOLUNTARY_ASSISTED,
                    escort=rng.choice(_DATA["escorts"][entry["host"]]),
                    men=max(0, total - minors - women),
                    women=women,
                    boys=boys,
                    girls=girls,
                    accompanied_minors=minors - unaccompanied,
                    unaccompanied_minors=unaccompanied,
                    family_units=rng.randint(0, max(0, minors // 2)),
                    source=ArrivalSource.MANIFEST if rng.random() < 0.6 else ArrivalSource.MANUAL,
                )
            )
    rows.sort(key=lambda a: a.arrived_at)
    return Arrival.objects.bulk_create(rows)


def _number(entry: dict[str, Any], rng: random.Random) -> str:
    if entry["means"] == "flight":
        return f"ICE-{rng.randint(1000, 9999)}"
    if entry["means"] == "bus":
        return f"INM-{rng.randint(100, 999)}"
    return ""


def _intakes(org: Organisation, arrivals: list[Arrival], rng: random.Random) -> int:
    """A few people per arrival among the organisation's registered returnees, about a quarter of them received
    before (repeat returns). Oldest arrival first, so the first intake of a person is their first return."""
    people = list(Returnee.objects.filter(organisation=org, anonymised_at__isnull=True).values_list("pk", flat=True))
    staff = list(User.objects.filter(organisation=org, is_active=True).values_list("pk", flat=True)[:10])
    if not people:
        return 0
    received: list[int] = []  # people with an intake already, in order
    fresh = people[:]
    rng.shuffle(fresh)
    rows: list[Intake] = []
    for arrival in arrivals:
        chosen: dict[int, bool] = {}  # returnee -> repeat return
        for _n in range(rng.randint(2, 6)):
            if received and (rng.random() < 0.25 or not fresh):
                chosen.setdefault(rng.choice(received), True)
            elif fresh:
                chosen.setdefault(fresh.pop(), False)
        recorder = rng.choice(staff) if staff else None
        for pk, repeat in chosen.items():
            rows.append(
                Intake(
                    arrival=arrival,
                    returnee_id=pk,
                    is_repeat_return=repeat,
                    travelling_with_family=rng.random() < 0.2,
                    recorded_by_id=recorder,
                    recorded_at=arrival.arrived_at + timedelta(minutes=rng.randint(10, 240)),
                )
            )
        received.extend(pk for pk, repeat in chosen.items() if not repeat)
    made = Intake.objects.bulk_create(rows)
    kinds = [k for k, _label in AssistanceKind.choices]
    AssistanceGiven.objects.bulk_create(
        AssistanceGiven(intake=intake, kind=kind, given_by_id=intake.recorded_by_id, given_at=intake.recorded_at)
        for intake in made
        for kind in rng.sample(kinds, rng.randint(1, 4))
    )
    return len(made)


def _desk(context: DemoContext, now: datetime) -> int:
    manager = context.users.get("gestora")
    org = context.organisations.get("oim-gt")
    if manager is None or org is None or manager.organisation_id != org.pk:
        return 0
    point = ReceptionPoint.objects.get(organisation=org, code="fag")
    arrival = services.create_arrival(
        manager,
        services.ArrivalInput(
            point_id=point.pk,
            arrived_at=now - timedelta(hours=3),
            means="flight",
            means_number="ICE-4471",
            host_country="US",
            return_type=ReturnType.FORCED,
            escort="ICE Air Operations",
            men=96,
            women=22,
            boys=6,
            girls=4,
            accompanied_minors=9,
            unaccompanied_minors=1,
            family_units=4,
        ),
    )
    today = timezone.localdate()
    for person in _DATA["desk"]:
        services.record_intake(
            manager,
            arrival,
            services.IntakeInput(
                given_names=person["given_names"],
                family_names=person["family_names"],
                sex=person["sex"],
                birth_date=today.replace(year=today.year - person["age"]) - timedelta(days=40),
                nationality="GT",
                protection_flags=list(person.get("flags", [])),
                assistance=list(person["assistance"]),
                distinct_from=None,
            ),
        )
    return len(_DATA["desk"])

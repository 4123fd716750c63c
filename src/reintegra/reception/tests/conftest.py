"""A reception desk: an organisation in Guatemala with a reception point, an arrival, its staff, and another
organisation whose records must stay hidden."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from reintegra.access.models import Organisation, User
from reintegra.access.roles import Role
from reintegra.places.models import AdminArea
from reintegra.reception import services
from reintegra.reception.models import Arrival, ReceptionPoint
from reintegra.testing import factories as f


def years_ago(years: int, days: int = 0) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - timedelta(days=days)


@dataclass
class Desk:
    org: Organisation
    manager: User  # case manager at the desk
    supervisor: User
    programme_manager: User
    me_officer: User
    point: ReceptionPoint
    arrival: Arrival
    municipality: AdminArea
    other_org: Organisation
    other_manager: User
    other_point: ReceptionPoint
    other_arrival: Arrival


def arrival_input(point: ReceptionPoint, **overrides: Any) -> services.ArrivalInput:
    values: dict[str, Any] = {
        "point_id": point.pk,
        "arrived_at": timezone.now() - timedelta(hours=2),
        "means": "flight",
        "means_number": "ICE-1234",
        "return_type": "forced",
        "host_country": "US",
        "men": 80,
        "women": 30,
        "boys": 6,
        "girls": 4,
        "accompanied_minors": 8,
        "unaccompanied_minors": 2,
        "family_units": 5,
    }
    values.update(overrides)
    return services.ArrivalInput(**values)


def intake_input(**overrides: Any) -> services.IntakeInput:
    values: dict[str, Any] = {
        "given_names": "Juan Carlos",
        "family_names": "Pérez Xicará",
        "sex": "male",
        "birth_date": date(1994, 3, 9),
        "nationality": "GT",
        "phone": "5555 1234",
        "assistance": ["food", "phone_call"],
    }
    values.update(overrides)
    return services.IntakeInput(**values)


def point_input(**overrides: Any) -> services.PointInput:
    values: dict[str, Any] = {
        "code": "fag",
        "name": "Centro de Recepción de Retornados, Fuerza Aérea",
        "country": "GT",
        "kind": "airport",
        "receiving_institution": "Instituto Guatemalteco de Migración",
    }
    values.update(overrides)
    return services.PointInput(**values)


@pytest.fixture
def desk(db: Any) -> Desk:
    org = f.organisation("recepcion-gt", "GT")
    team = f.team(org)
    manager = f.user(org, Role.CASE_MANAGER, team=team)
    supervisor = f.user(org, Role.SUPERVISOR, team=team)
    programme_manager = f.user(org, Role.PROGRAMME_MANAGER)
    me_officer = f.user(org, Role.ME_OFFICER)
    dept = AdminArea.objects.create(country="GT", level=1, code="GT-HU", name="Huehuetenango")
    muni = AdminArea.objects.create(country="GT", level=2, code="GT-HU-01", name="Huehuetenango", parent=dept)
    point = services.save_point(programme_manager, point_input())
    arrival = services.create_arrival(manager, arrival_input(point))
    other_org = f.organisation("recepcion-hn", "HN")
    other_pm = f.user(other_org, Role.PROGRAMME_MANAGER)
    other_manager = f.user(other_org, Role.CASE_MANAGER)
    other_point = services.save_point(
        other_pm, point_input(code="camr-sps", name="CAMR San Pedro Sula", country="HN", kind="airport")
    )
    other_arrival = services.create_arrival(other_manager, arrival_input(other_point))
    return Desk(
        org,
        manager,
        supervisor,
        programme_manager,
        me_officer,
        point,
        arrival,
        muni,
        other_org,
        other_manager,
        other_point,
        other_arrival,
    )

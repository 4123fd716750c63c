"""Permission matrix of the reception routes: every role × every route × the object's organisation (own or
another), the expected answer computed from ROLE_CAPABILITIES (the single role table) and the rule of
`reception.permissions`: the capability is checked before any lookup (403), another organisation's object
does not exist for the user (404), a permitted request succeeds. Anonymous: the login page or 401."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from reintegra.access.roles import Capability, Role
from reintegra.reception import services
from reintegra.reception.tests.conftest import arrival_input, intake_input, point_input
from reintegra.testing import factories as f
from reintegra.testing.matrix import OTHER, OWN, Row, answer, cells, expected
from reintegra.testing.routes import routes_of_app

C = Capability
RECORD = frozenset({C.RECORD_RECEPTION})
MANAGE = frozenset({C.MANAGE_PROGRAMME})
STATS = frozenset({C.RECORD_RECEPTION, C.VIEW_AGGREGATES, C.MANAGE_MONITORING})


def _arrival_web(w: Any) -> dict[str, Any]:
    return {"point": w.point.pk, "arrived_at": "2026-11-01T10:00", "means": "bus", "return_type": "forced"}


def _arrival_api(w: Any) -> dict[str, Any]:
    return {"point": w.point.pk, "arrived_at": "2026-11-01T10:00:00Z", "means": "bus", "return_type": "forced"}


def _intake(w: Any) -> dict[str, Any]:
    return {"given_names": "Elena", "family_names": "Cux Mejía", "birth_date": "1991-05-05", "nationality": "GT"}


def _point(w: Any) -> dict[str, Any]:
    return {"code": "nuevo", "name": "Nuevo punto", "country": "GT", "kind": "other"}


def _assistance_web(w: Any) -> dict[str, Any]:
    from reintegra.reception.models import Intake

    # The version the page was read at (the rolled-back cells leave it unchanged).
    return {"assistance": ["food"], "revision": Intake.objects.get(pk=w.objects[OWN]["intake"].pk).revision}


MATRIX: dict[tuple[str, str], Row] = {
    ("reception:arrivals", "GET"): Row(RECORD),
    ("reception:arrival-new", "GET"): Row(RECORD),
    ("reception:arrival-new", "POST"): Row(RECORD, ok=302, data=_arrival_web),
    ("reception:arrival", "GET"): Row(RECORD, "arrival"),
    ("reception:intake", "GET"): Row(RECORD, "arrival"),
    ("reception:intake", "POST"): Row(RECORD, "arrival", ok=302, data=_intake),
    ("reception:intake-detail", "GET"): Row(RECORD, "intake"),
    ("reception:intake-detail", "POST"): Row(RECORD, "intake", ok=302, data=_assistance_web),
    ("reception:points", "GET"): Row(RECORD | MANAGE),
    ("reception:point-new", "GET"): Row(MANAGE),
    ("reception:point-new", "POST"): Row(MANAGE, ok=302, data=_point),
    ("reception:point-edit", "GET"): Row(MANAGE, "point"),
    ("reception:point-edit", "POST"): Row(
        MANAGE, "point", ok=302, data=lambda w: {**_point(w), "code": "fag", "name": "Renombrado"}
    ),
    ("reception:dashboard", "GET"): Row(STATS),
    ("api:reception-points", "GET"): Row(RECORD | MANAGE),
    ("api:reception-points", "POST"): Row(MANAGE, ok=201, data=_point),
    ("api:arrivals", "GET"): Row(RECORD),
    ("api:arrivals", "POST"): Row(RECORD, ok=201, data=_arrival_api),
    ("api:arrival", "GET"): Row(RECORD, "arrival"),
    ("api:arrival-intakes", "GET"): Row(RECORD, "arrival"),
    ("api:arrival-intakes", "POST"): Row(RECORD, "arrival", ok=201, data=_intake),
    ("api:intake-assistance", "GET"): Row(RECORD, "intake"),
    ("api:intake-assistance", "PUT"): Row(RECORD, "intake", data=lambda w: {"assistance": ["food", "clothes"]}),
    ("api:reception-statistics", "GET"): Row(STATS),
}


def test_every_route_has_a_row() -> None:
    exposed = {(name, m) for name, methods in routes_of_app("reintegra.reception").items() for m in methods}
    # The manifest import's routes have their own matrix (test_manifest_permissions.py).
    manifest = {
        (name, m)
        for module in ("reintegra.reception.manifest_views", "reintegra.reception.manifest_api")
        for name, methods in routes_of_app(module).items()
        for m in methods
    }
    assert manifest
    assert exposed - manifest == set(MATRIX)


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Any:
    with django_db_blocker.unblock(), transaction.atomic():
        org = f.organisation("matriz-gt", "GT")
        other = f.organisation("matriz-hn", "HN")
        pm = f.user(org, Role.PROGRAMME_MANAGER)
        manager = f.user(org, Role.CASE_MANAGER)
        point = services.save_point(pm, point_input())
        arrival = services.create_arrival(manager, arrival_input(point))
        intake = services.record_intake(manager, arrival, intake_input())
        other_pm = f.user(other, Role.PROGRAMME_MANAGER)
        other_manager = f.user(other, Role.CASE_MANAGER)
        other_point = services.save_point(other_pm, point_input(country="HN"))
        other_arrival = services.create_arrival(
            other_manager, arrival_input(other_point, arrived_at=timezone.now() - timedelta(hours=3))
        )
        other_intake = services.record_intake(
            other_manager, other_arrival, intake_input(given_names="Otro", phone="", nationality="HN")
        )
        users = {role: f.user(org, role) for role in Role}
        objects = {
            OWN: {"arrival": arrival, "intake": intake, "point": point},
            OTHER: {"arrival": other_arrival, "intake": other_intake, "point": other_point},
        }
        yield type("World", (), {"users": users, "objects": objects, "point": point})
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "role", "relation"), cells(MATRIX))
def test_cell(world: Any, name: str, method: str, role: Role | None, relation: str) -> None:
    row = MATRIX[(name, method)]
    args = [world.objects[relation][row.takes].pk] if row.takes else []
    response = answer(world, name, method, row, role, args)
    assert response.status_code == expected(role, row, relation, api=name.startswith("api:")), response.content[:300]

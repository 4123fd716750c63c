"""Permission matrix of the M&E dashboards' routes, for every role × relation to the indicator, computed from
ROLE_CAPABILITIES and the rules of `monitoring.permissions` / `dashboard_views` (issue 12):

- the programme dashboard: readers of monitoring (VIEW_AGGREGATES or MANAGE_MONITORING); at a programme's own
  address, one the user reads (their organisation's; every one for coordinators), 404 otherwise;
- the cross-organisation dashboard: VIEW_AGGREGATES_ALL_ORGANISATIONS (coordinators);
- the drill-down: VIEW_PSEUDONYMISED or VIEW_ORGANISATION_CASES before any lookup (403), an indicator whose
  monitoring the user reads (404 otherwise), of a programme of the user's own organisation (403 otherwise).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from reintegra.access.roles import ROLE_CAPABILITIES, Capability, Role
from reintegra.monitoring.models import Indicator, ResultNode, ResultsFramework
from reintegra.testing import factories as f
from reintegra.testing.routes import routes_of_app

pytestmark = pytest.mark.django_db

C = Capability
READ = {C.VIEW_AGGREGATES, C.MANAGE_MONITORING}
MATRIX = {
    ("monitoring:dashboard_home", "GET"): "read",
    ("monitoring:dashboard", "GET"): "read_programme",
    ("monitoring:cross_organisation", "GET"): "cross",
    ("monitoring:drilldown", "GET"): "drill",
}
RELATIONS = ("own", "other_org", "missing")


def test_every_route_has_a_row():
    exposed = {(n, m) for n, methods in routes_of_app("reintegra.monitoring.dashboard_views").items() for m in methods}
    assert exposed == set(MATRIX)


def expected(rule: str, role: Role, relation: str) -> int:
    caps = ROLE_CAPABILITIES[role]
    if rule == "read":
        return 200 if caps & READ else 403
    if rule == "read_programme":
        if not caps & READ:
            return 403
        sees = relation == "own" or (relation == "other_org" and C.VIEW_AGGREGATES_ALL_ORGANISATIONS in caps)
        return 200 if sees else 404
    if rule == "cross":
        return 200 if C.VIEW_AGGREGATES_ALL_ORGANISATIONS in caps else 403
    if not caps & {C.VIEW_PSEUDONYMISED, C.VIEW_ORGANISATION_CASES}:
        return 403
    reads = bool(caps & READ)
    if relation == "own":
        return 200 if reads else 404
    if relation == "other_org" and reads and C.VIEW_AGGREGATES_ALL_ORGANISATIONS in caps:
        return 403  # seen, but not of the user's organisation
    return 404


def _indicator(org):
    framework = ResultsFramework.objects.create(programme=org.programmes.get())
    impact = ResultNode.objects.create(framework=framework, kind="impact", title="Impacto")
    return Indicator.objects.create(
        framework=framework,
        node=impact,
        code="ret",
        name_es="Retornados",
        measure="count",
        definition={"population": "cases", "unit": "case", "date": "return_date"},
    )


@pytest.fixture
def world():
    own, other = f.organisation("uno"), f.organisation("dos")
    own_indicator, other_indicator = _indicator(own), _indicator(other)
    return {
        "own": own_indicator.pk,
        "other_org": other_indicator.pk,
        "missing": 999_999,
        "org": own,
        "programmes": {
            "own": own_indicator.framework.programme_id,
            "other_org": other_indicator.framework.programme_id,
            "missing": 999_999,
        },
    }


def _url(name: str, pk: int) -> str:
    if name == "monitoring:dashboard":
        return reverse(name, args=[pk])
    if name == "monitoring:drilldown":
        return reverse(name, args=[pk]) + "?period=0"
    return reverse(name)


@pytest.mark.parametrize("role", list(Role))
def test_matrix(world, role):
    client = Client()
    client.force_login(f.user(world["org"], role))
    failures = []
    for (name, _method), rule in MATRIX.items():
        for relation in RELATIONS if rule in ("drill", "read_programme") else ("own",):
            pk = world["programmes"][relation] if rule == "read_programme" else world[relation]
            answer = client.get(_url(name, pk)).status_code
            wanted = expected(rule, role, relation)
            if answer != wanted:
                failures.append((name, relation, answer, wanted))
    assert not failures


def test_anonymous_visitors_go_to_the_login_page(world):
    for name, _method in MATRIX:
        pk = world["programmes"]["own"] if name == "monitoring:dashboard" else world["own"]
        response = Client().get(_url(name, pk))
        assert response.status_code == 302 and urlsplit(response["Location"]).path == reverse("login")

"""Permission matrix of every route of the results framework, for every role × the user's organisation
(the programme's own, or another), computed from ROLE_CAPABILITIES and the app's rule
(`monitoring.permissions`): reading needs VIEW_AGGREGATES or MANAGE_MONITORING on a programme of the
user's organisation (every organisation's with VIEW_AGGREGATES_ALL_ORGANISATIONS); changing needs
MANAGE_MONITORING on a programme of the user's organisation. A programme the user does not read is not
found (404; a creation through the API naming it: 400 `programme`), one they read but may not change is
forbidden (403)."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from reintegra.access.roles import ROLE_CAPABILITIES, Capability, Role
from reintegra.testing.routes import routes_of_app

INDEX, READ, MANAGE, LIST, CREATE = "index", "read", "manage", "list", "create"
# The view modules of the framework, indicators and periods (reports, dashboards and learning have their own).
MODULES = (
    "reintegra.monitoring.framework_views",
    "reintegra.monitoring.indicator_views",
    "reintegra.monitoring.period_views",
    "reintegra.monitoring.api",
)
MATRIX = {
    ("monitoring:index", "GET"): (INDEX, 200),
    ("monitoring:framework", "GET"): (READ, 200),
    ("monitoring:framework_create", "POST"): (MANAGE, 302),
    ("monitoring:framework_edit", "GET"): (MANAGE, 200),
    ("monitoring:framework_edit", "POST"): (MANAGE, 302),
    ("monitoring:logframe", "GET"): (READ, 200),
    ("monitoring:node_create", "GET"): (MANAGE, 200),
    ("monitoring:node_create", "POST"): (MANAGE, 302),
    ("monitoring:node_edit", "GET"): (MANAGE, 200),
    ("monitoring:node_edit", "POST"): (MANAGE, 302),
    ("monitoring:node_delete", "POST"): (MANAGE, 302),
    ("monitoring:indicators", "GET"): (READ, 200),
    ("monitoring:indicator_create", "GET"): (MANAGE, 200),
    ("monitoring:indicator_create", "POST"): (MANAGE, 302),
    ("monitoring:library", "GET"): (READ, 200),
    ("monitoring:library", "POST"): (MANAGE, 302),
    ("monitoring:targets", "GET"): (READ, 200),
    ("monitoring:targets", "POST"): (MANAGE, 302),
    ("monitoring:indicator_edit", "GET"): (MANAGE, 200),
    ("monitoring:indicator_edit", "POST"): (MANAGE, 302),
    ("monitoring:indicator_delete", "POST"): (MANAGE, 302),
    ("monitoring:periods", "GET"): (READ, 200),
    ("monitoring:periods", "POST"): (MANAGE, 302),
    ("monitoring:quarters", "POST"): (MANAGE, 302),
    ("monitoring:period_edit", "GET"): (MANAGE, 200),
    ("monitoring:period_edit", "POST"): (MANAGE, 302),
    ("monitoring:period_submit", "GET"): (MANAGE, 200),
    ("monitoring:period_submit", "POST"): (MANAGE, 302),
    ("monitoring:period_recompute", "GET"): (READ, 200),
    ("monitoring:reported_value", "GET"): (MANAGE, 200),
    ("monitoring:reported_value", "POST"): (MANAGE, 302),
    ("api:results-framework-list", "GET"): (LIST, 200),
    ("api:results-framework-list", "POST"): (CREATE, 201),
    ("api:results-framework-detail", "GET"): (READ, 200),
    ("api:results-framework-detail", "PUT"): (MANAGE, 200),
    ("api:results-framework-detail", "PATCH"): (MANAGE, 200),
    ("api:results-framework-nodes", "POST"): (MANAGE, 201),
    ("api:results-framework-node", "GET"): (READ, 200),
    ("api:results-framework-node", "PUT"): (MANAGE, 200),
    ("api:results-framework-node", "PATCH"): (MANAGE, 200),
    ("api:results-framework-node", "DELETE"): (MANAGE, 204),
    ("api:indicator-list", "GET"): (LIST, 200),
    ("api:indicator-list", "POST"): (CREATE, 201),
    ("api:indicator-detail", "GET"): (READ, 200),
    ("api:indicator-detail", "PUT"): (MANAGE, 200),
    ("api:indicator-detail", "PATCH"): (MANAGE, 200),
    ("api:indicator-detail", "DELETE"): (MANAGE, 204),
    ("api:reporting-period-list", "GET"): (LIST, 200),
    ("api:reporting-period-list", "POST"): (CREATE, 201),
    ("api:reporting-period-detail", "GET"): (READ, 200),
    ("api:reporting-period-submit", "POST"): (MANAGE, 200),
    ("api:reporting-period-recompute", "GET"): (READ, 200),
}
RELATIONS = ("own", "other")
COUNT_CASES = {"population": "cases", "unit": "case", "date": "return_date"}
_seq = itertools.count(1)


def test_every_route_has_a_row():
    exposed = {(name, m) for module in MODULES for name, methods in routes_of_app(module).items() for m in methods}
    assert exposed == set(MATRIX)


def expected(rule: str, allowed: int, role: Role, relation: str, api: bool, method: str) -> int:
    caps = ROLE_CAPABILITIES[role]
    reads = bool(caps & {Capability.VIEW_AGGREGATES, Capability.MANAGE_MONITORING})
    manages = Capability.MANAGE_MONITORING in caps
    sees = relation == "own" or Capability.VIEW_AGGREGATES_ALL_ORGANISATIONS in caps
    if api and method != "GET" and not manages:
        return 403  # the endpoint's write capability, before anything is looked up
    if not reads:
        return 403
    if rule in (INDEX, LIST):
        return allowed
    if rule == CREATE:
        return allowed if sees and relation == "own" else 400 if not sees else 403
    if not sees:
        return 404
    if rule == READ:
        return allowed
    return allowed if manages and relation == "own" else 403


@pytest.fixture
def setting():
    from reintegra.monitoring import services as s
    from reintegra.monitoring.models import StandardIndicator
    from reintegra.testing import factories

    owner = factories.organisation("duena")
    programme = owner.programmes.get()
    officer = factories.user(owner, Role.ME_OFFICER)
    framework = s.create_framework(officer, programme)
    impact = s.add_node(officer, framework, s.NodeInput(kind="impact", title="Impacto"))
    outcome = s.add_node(officer, framework, s.NodeInput(kind="outcome", title="Efecto", parent=impact.pk))
    computed = s.create_indicator(
        officer,
        framework,
        s.IndicatorInput(
            node=outcome.pk, code="casos", name_es="Casos", measure="count", is_computed=True, definition=COUNT_CASES
        ),
    )
    by_hand = s.create_indicator(
        officer, framework, s.IndicatorInput(node=outcome.pk, code="talleres", name_es="Talleres", measure="count")
    )
    q1, *_rest = s.create_quarters(officer, programme, 2026)
    submitted = s.create_period(officer, programme, s.PeriodInput("year", date(2025, 1, 1), date(2025, 12, 31)))
    s.submit_period(officer, submitted)
    standard = StandardIndicator.objects.create(
        code="std-1", name_es="Estándar", measure="count", definition=COUNT_CASES
    )
    return {
        "owner": owner,
        "other": factories.organisation("otra"),
        "programme": programme,
        "officer": officer,
        "framework": framework,
        "impact": impact,
        "outcome": outcome,
        "computed": computed,
        "by_hand": by_hand,
        "open": q1,
        "submitted": submitted,
        "standard": standard,
    }


def _fresh(w, what):
    """A record made for one request (a deletion, a submission), so the routes do not depend on each other."""
    from reintegra.monitoring import services as s
    from reintegra.testing import factories

    n = next(_seq)
    if what == "programme":
        return factories.programme(w["owner"])
    if what == "node":
        return s.add_node(
            w["officer"], w["framework"], s.NodeInput(kind="output", title=f"P{n}", parent=w["outcome"].pk)
        )
    if what == "indicator":
        return s.create_indicator(
            w["officer"],
            w["framework"],
            s.IndicatorInput(node=w["outcome"].pk, code=f"x{n}", name_es="X", measure="count"),
        )
    return s.create_period(
        w["officer"], w["programme"], s.PeriodInput("month", date(2030 + n, 1, 1), date(2030 + n, 1, 31))
    )


def _version(record):
    record.refresh_from_db()
    return record.revision


def _indicator_body(w, code):
    return {
        "node": w["outcome"].pk,
        "code": code,
        "name_es": "Nuevo",
        "measure": "count",
        "direction": "increase",
        "time_aggregation": "per_period",
        "frequency": "quarterly",
    }


def _web(client, w, name, method):
    n = next(_seq)
    p = w["programme"].pk
    if name == "monitoring:index":
        return client.get(reverse(name))
    if name == "monitoring:framework_create":
        return client.post(reverse(name, args=[_fresh(w, "programme").pk]))
    if name == "monitoring:node_delete":
        node = _fresh(w, "node")
        return client.post(reverse(name, args=[node.pk]), {"revision": node.revision})
    if name == "monitoring:indicator_delete":
        indicator = _fresh(w, "indicator")
        return client.post(reverse(name, args=[indicator.pk]), {"revision": indicator.revision})
    if name == "monitoring:period_submit" and method == "POST":
        period = _fresh(w, "period")
        return client.post(reverse(name, args=[period.pk]), {"revision": period.revision})
    args = {
        "monitoring:node_edit": [w["outcome"].pk],
        "monitoring:indicator_edit": [w["computed"].pk],
        "monitoring:period_edit": [w["open"].pk],
        "monitoring:period_submit": [w["open"].pk],
        "monitoring:period_recompute": [w["submitted"].pk],
        "monitoring:reported_value": [w["open"].pk, w["by_hand"].pk],
    }.get(name, [p])
    url = reverse(name, args=args)
    if method == "GET":
        return client.get(url)
    from reintegra.monitoring.models import Indicator, ReportedValue

    current = ReportedValue.objects.filter(indicator=w["by_hand"], period=w["open"]).first()
    data = {
        "monitoring:framework_edit": {"theory_of_change": "Si…", "revision": _version(w["framework"])},
        "monitoring:node_create": {"kind": "output", "title": f"Producto {n}", "parent": w["outcome"].pk},
        "monitoring:node_edit": {
            "kind": "outcome",
            "title": f"Efecto {n}",
            "parent": w["impact"].pk,
            "revision": _version(w["outcome"]),
        },
        "monitoring:indicator_create": _indicator_body(w, f"web{n}"),
        "monitoring:indicator_edit": {
            **_indicator_body(w, "casos"),
            "is_computed": "on",
            "definition": '{"population": "cases", "unit": "case", "date": "return_date"}',
            "revision": _version(w["computed"]),
        },
        "monitoring:library": {"standard": w["standard"].pk, "node": w["outcome"].pk},
        "monitoring:targets": {
            **{f"v_{i.pk}": i.revision for i in Indicator.objects.filter(framework=w["framework"])},
            f"t_{w['computed'].pk}_lop": "10",
        },
        "monitoring:periods": {"kind": "custom", "starts_on": f"{2100 + n}-01-01", "ends_on": f"{2100 + n}-02-01"},
        "monitoring:quarters": {"year": 2027},
        "monitoring:period_edit": {
            "kind": "quarter",
            "starts_on": "2026-01-01",
            "ends_on": "2026-03-31",
            "label": f"T{n}",
            "revision": _version(w["open"]),
        },
        "monitoring:reported_value": {"numerator": "3", "revision": current.revision if current else 0},
    }[name]
    return client.post(url, data)


def _api_create(client, w, name, n):
    if name == "api:results-framework-list":
        return client.post("/api/v1/results-frameworks/", {"programme": _fresh(w, "programme").pk}, format="json")
    if name == "api:indicator-list":
        body = {**_indicator_body(w, f"api{n}"), "programme": w["programme"].pk}
        return client.post("/api/v1/indicators/", body, format="json")
    body = {
        "programme": w["programme"].pk,
        "kind": "custom",
        "starts_on": f"{2200 + n}-01-01",
        "ends_on": f"{2200 + n}-01-31",
    }
    return client.post("/api/v1/reporting-periods/", body, format="json")


def _api_node(client, w, method, n):
    node = _fresh(w, "node")
    url = f"/api/v1/results-frameworks/{w['framework'].pk}/nodes/{node.pk}/"
    if method == "GET":
        return client.get(url)
    body = {"kind": "output", "title": f"Q{n}", "parent": w["outcome"].pk}
    return getattr(client, method.lower())(url, body, format="json", HTTP_IF_MATCH=f'"{node.revision}"')


def _api_indicator(client, w, method):
    indicator = _fresh(w, "indicator") if method == "DELETE" else w["computed"]
    url = f"/api/v1/indicators/{indicator.pk}/"
    if method == "GET":
        return client.get(url)
    if method == "DELETE":
        return client.delete(url, HTTP_IF_MATCH=f'"{indicator.revision}"')
    body = {**_indicator_body(w, "casos"), "is_computed": True, "definition": COUNT_CASES}
    return getattr(client, method.lower())(url, body, format="json", HTTP_IF_MATCH=f'"{_version(indicator)}"')


def _api(client, w, name, method):
    n = next(_seq)
    fw = w["framework"].pk
    if name.endswith("-list") and method == "POST":
        return _api_create(client, w, name, n)
    if name == "api:results-framework-nodes":
        body = {"kind": "output", "title": f"P{n}", "parent": w["outcome"].pk}
        return client.post(f"/api/v1/results-frameworks/{fw}/nodes/", body, format="json")
    if name == "api:results-framework-node":
        return _api_node(client, w, method, n)
    if name == "api:indicator-detail":
        return _api_indicator(client, w, method)
    if name == "api:reporting-period-submit":
        return client.post(f"/api/v1/reporting-periods/{_fresh(w, 'period').pk}/submit/")
    url = {
        "api:results-framework-list": "/api/v1/results-frameworks/",
        "api:indicator-list": "/api/v1/indicators/",
        "api:reporting-period-list": "/api/v1/reporting-periods/",
        "api:results-framework-detail": f"/api/v1/results-frameworks/{fw}/",
        "api:reporting-period-detail": f"/api/v1/reporting-periods/{w['open'].pk}/",
        "api:reporting-period-recompute": f"/api/v1/reporting-periods/{w['submitted'].pk}/recompute/",
    }[name]
    if method == "GET":
        return client.get(url)
    return getattr(client, method.lower())(
        url, {"theory_of_change": "Si…"}, format="json", HTTP_IF_MATCH=f'"{_version(w["framework"])}"'
    )


@pytest.mark.django_db
@pytest.mark.parametrize("route", sorted(MATRIX))
def test_anonymous(route, setting):
    name, method = route
    is_api = name.startswith("api:")
    client = APIClient() if is_api else Client()
    response = (_api if is_api else _web)(client, setting, name, method)
    assert response.status_code == (401 if is_api else 302)
    if not is_api:
        assert "/login" in response["Location"] or "entrar" in response["Location"] or "?next=" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize("role", list(Role))
def test_role_and_relation(role, relation, setting):
    from reintegra.testing import factories

    org = setting["owner"] if relation == "own" else setting["other"]
    user = factories.user(org, role)
    web, api = Client(), APIClient()
    web.force_login(user)
    api.force_authenticate(user)
    for (name, method), (rule, allowed) in sorted(MATRIX.items()):
        is_api = name.startswith("api:")
        response = (_api if is_api else _web)(api if is_api else web, setting, name, method)
        want = expected(rule, allowed, role, relation, is_api, method)
        assert response.status_code == want, (name, method, role, relation, getattr(response, "content", b"")[:300])

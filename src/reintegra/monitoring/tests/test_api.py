"""The API of results frameworks, indicators and reporting periods: the schema, the answers, the refusals
with their fields and codes."""

from __future__ import annotations

from datetime import date

import pytest
from rest_framework.test import APIClient

from reintegra.access.roles import Role
from reintegra.monitoring import services as s
from reintegra.monitoring.models import Indicator, ResultNode, Snapshot
from reintegra.testing import factories as f

pytestmark = pytest.mark.django_db

COUNT_CASES = {"population": "cases", "unit": "case", "date": "return_date"}


@pytest.fixture
def world():
    org = f.organisation("mon")
    programme = org.programmes.get()
    officer = f.user(org, Role.ME_OFFICER)
    framework = s.create_framework(officer, programme)
    impact = s.add_node(officer, framework, s.NodeInput(kind="impact", title="Reintegración sostenible"))
    api = APIClient()
    api.force_authenticate(officer)
    return {
        "org": org,
        "programme": programme,
        "officer": officer,
        "framework": framework,
        "impact": impact,
        "api": api,
    }


def error_codes(response):
    return {(e["field"], e["code"]) for e in response.json()["errors"]}


def test_schema_lists_the_endpoints(world):
    schema = world["api"].get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/v1/results-frameworks/",
        "/api/v1/results-frameworks/{id}/nodes/",
        "/api/v1/results-frameworks/{id}/nodes/{node_id}/",
        "/api/v1/indicators/{id}/",
        "/api/v1/reporting-periods/{id}/submit/",
        "/api/v1/reporting-periods/{id}/recompute/",
    ):
        assert path in paths, path


def test_framework_with_nested_nodes_and_node_writes(world):
    api, framework, impact = world["api"], world["framework"], world["impact"]
    got = api.get(f"/api/v1/results-frameworks/{framework.pk}/")
    assert got.status_code == 200 and got["ETag"] == '"1"'
    assert [n["kind"] for n in got.json()["nodes"]] == ["impact"]
    url = f"/api/v1/results-frameworks/{framework.pk}/nodes/"
    wrong = api.post(url, {"kind": "activity", "title": "Talleres", "parent": impact.pk}, format="json")
    assert wrong.status_code == 400 and ("parent", "wrong_kind") in error_codes(wrong)
    created = api.post(url, {"kind": "outcome", "title": "Autosuficiencia", "parent": impact.pk}, format="json")
    assert created.status_code == 201
    node_url = f"{url}{created.json()['id']}/"
    assert api.patch(node_url, {"title": "Otra"}, format="json").status_code == 428
    changed = api.patch(node_url, {"title": "Autosuficiencia económica"}, format="json", HTTP_IF_MATCH='"1"')
    assert changed.status_code == 200 and changed.json()["title"] == "Autosuficiencia económica"
    assert api.delete(node_url, HTTP_IF_MATCH='"2"').status_code == 204
    assert not ResultNode.objects.filter(title__startswith="Autosuficiencia").exists()
    again = api.post("/api/v1/results-frameworks/", {"programme": world["programme"].pk}, format="json")
    assert again.status_code == 400 and ("programme", "duplicate") in error_codes(again)


def test_indicator_definition_errors_and_crud(world):
    api, programme, impact = world["api"], world["programme"], world["impact"]
    body = {
        "programme": programme.pk,
        "node": impact.pk,
        "code": "casos",
        "name_es": "Casos",
        "measure": "count",
        "is_computed": True,
        "definition": {**COUNT_CASES, "filters": [{"field": "status", "op": "gte", "value": 2}]},
    }
    bad = api.post("/api/v1/indicators/", body, format="json")
    assert bad.status_code == 400 and ("definition.filters.0.op", "invalid_choice") in error_codes(bad)
    created = api.post("/api/v1/indicators/", {**body, "definition": COUNT_CASES}, format="json")
    assert created.status_code == 201 and created.json()["definition"] == COUNT_CASES
    url = f"/api/v1/indicators/{created.json()['id']}/"
    assert api.patch(url, {"name_es": "Casos abiertos"}, format="json", HTTP_IF_MATCH='"1"').status_code == 200
    listed = api.get(f"/api/v1/indicators/?programme={programme.pk}")
    assert [i["code"] for i in listed.json()["results"]] == ["casos"]
    assert api.get("/api/v1/indicators/?nope=1").status_code == 400
    assert api.delete(url, HTTP_IF_MATCH='"2"').status_code == 204
    assert not Indicator.objects.exists()


def test_periods_submit_and_recompute(world):
    api, programme, officer = world["api"], world["programme"], world["officer"]
    s.create_indicator(
        officer,
        world["framework"],
        s.IndicatorInput(
            node=world["impact"].pk,
            code="casos",
            name_es="Casos",
            measure="count",
            is_computed=True,
            definition=COUNT_CASES,
        ),
    )
    bad = api.post(
        "/api/v1/reporting-periods/",
        {"programme": programme.pk, "kind": "custom", "starts_on": "2026-03-01", "ends_on": "2026-01-01"},
        format="json",
    )
    assert bad.status_code == 400 and ("ends_on", "ends_before_start") in error_codes(bad)
    created = api.post(
        "/api/v1/reporting-periods/",
        {"programme": programme.pk, "kind": "quarter", "starts_on": "2026-01-01", "ends_on": "2026-03-31"},
        format="json",
    )
    assert created.status_code == 201 and created.json()["label"] == "2026-T1"
    period = created.json()["id"]
    f.case(f.user(world["org"], Role.CASE_MANAGER), return_date=date(2026, 2, 1))
    submitted = api.post(f"/api/v1/reporting-periods/{period}/submit/")
    assert submitted.status_code == 200 and submitted.json()["snapshots"] == 1
    assert Snapshot.objects.get().values["total"]["value"] == 1
    twice = api.post(f"/api/v1/reporting-periods/{period}/submit/")
    assert twice.status_code == 400 and twice.json()["code"] == "period_submitted"
    f.case(f.user(world["org"], Role.CASE_MANAGER), return_date=date(2026, 3, 1))
    changes = api.get(f"/api/v1/reporting-periods/{period}/recompute/")
    assert changes.status_code == 200
    (change,) = changes.json()
    assert change["reason"] == "data"
    # An M&E officer does not read cases: the changed counts, below k, are hidden from them.
    assert change["after"]["suppressed"] is True and change["after"]["value"] is None


def test_other_organisations_are_refused(world):
    stranger = APIClient()
    stranger.force_authenticate(f.user(f.organisation("otra"), Role.ME_OFFICER))
    assert stranger.get(f"/api/v1/results-frameworks/{world['framework'].pk}/").status_code == 404
    refused = stranger.post(
        "/api/v1/reporting-periods/",
        {"programme": world["programme"].pk, "kind": "year", "starts_on": "2026-01-01", "ends_on": "2026-12-31"},
        format="json",
    )
    assert refused.status_code == 400 and ("programme", "invalid_choice") in error_codes(refused)
    case_manager = APIClient()
    case_manager.force_authenticate(f.user(world["org"], Role.CASE_MANAGER))
    assert case_manager.get("/api/v1/indicators/").status_code == 403

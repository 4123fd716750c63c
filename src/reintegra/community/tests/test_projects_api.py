"""The community projects and profiles API: versioned writes (ETag / If-Match), participants as the reader
may see them, and another organisation's project or case refused (404, 400) like on the pages."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from reintegra.access.roles import Role
from reintegra.community import services
from reintegra.community.tests.conftest import project_input
from reintegra.testing import factories as f

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate().isoformat()


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def project(office):
    return services.save_project(office.programme_manager, project_input(office.community))


def test_a_project_is_read_with_its_etag_and_changed_only_with_the_version_read(office, project):
    api = client_for(office.programme_manager)
    read = api.get(f"/api/v1/community-projects/{project.pk}/")
    assert read.status_code == 200 and read["ETag"] == '"1"'
    body = read.json()
    assert body["communities"] == [office.community.pk] and body["participants"] == {"returnees": 0, "non_migrants": 0}
    change = {
        "title": "Huertos y vivero",
        "approach": "new_community",
        "dimensions": ["economic"],
        "communities": [office.community.pk],
    }
    url = f"/api/v1/community-projects/{project.pk}/"
    assert api.put(url, change, format="json").status_code == 428
    assert api.put(url, change, format="json", HTTP_IF_MATCH='"1"').status_code == 200
    stale = api.put(url, {**change, "title": "Otro"}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412 and stale.json()["current_version"] == 2


def test_participants_show_only_the_cases_the_reader_sees(office, project):
    case = f.case(office.case_manager)
    cm = client_for(office.case_manager)
    linked = cm.post(
        f"/api/v1/community-projects/{project.pk}/participants/", {"kind": "returnee", "case": case.pk}, format="json"
    )
    assert linked.status_code == 201 and linked.json()["case"] == case.pk
    residents = client_for(office.programme_manager).post(
        f"/api/v1/community-projects/{project.pk}/participants/",
        {"kind": "non_migrant", "count": 7, "sex": "male", "age_band": "youth"},
        format="json",
    )
    assert residents.status_code == 201
    # A case manager may not record residents (the project's editors do): 403 before anything is read.
    refused = cm.post(f"/api/v1/community-projects/{project.pk}/participants/", {"kind": "non_migrant", "count": 2})
    assert refused.status_code == 403
    rows = client_for(office.me_officer).get(f"/api/v1/community-projects/{project.pk}/participants/").json()
    assert [(r["kind"], r["case"], r["count"]) for r in rows] == [("returnee", None, 1), ("non_migrant", None, 7)]
    rows = client_for(office.programme_manager).get(f"/api/v1/community-projects/{project.pk}/participants/").json()
    assert rows[0]["case"] == case.pk


def test_another_organisation_s_project_is_404_and_its_case_400(office, project):
    other = client_for(office.other_pm)
    assert other.get(f"/api/v1/community-projects/{project.pk}/").status_code == 404
    foreign = f.case(f.user(office.other_org, Role.CASE_MANAGER))
    answer = client_for(office.programme_manager).post(
        f"/api/v1/community-projects/{project.pk}/participants/",
        {"kind": "returnee", "case": foreign.pk},
        format="json",
    )
    assert answer.status_code == 400
    assert {(e["field"], e["code"]) for e in answer.json()["errors"]} == {("case", "invalid_choice")}


def test_the_lifecycle_through_the_api(office, project):
    api = client_for(office.programme_manager)
    base = f"/api/v1/community-projects/{project.pk}"
    assert api.post(f"{base}/status/", {"status": "active"}, format="json").json()["status"] == "active"
    assert api.post(f"{base}/visits/", {"visited_on": TODAY, "findings": "Siembra"}, format="json").status_code == 201
    closing = {"status": "closed", "closed_on": TODAY, "result": "partly", "closing_assessment": "Cosecha parcial"}
    closed = api.post(f"{base}/status/", closing, format="json", HTTP_IF_MATCH='"2"')
    assert closed.status_code == 200 and closed.json()["result"] == "partly"
    assert [v["findings"] for v in api.get(f"{base}/visits/").json()] == ["Siembra"]


def test_profiles_through_the_api(office):
    api = client_for(office.programme_manager)
    url = f"/api/v1/communities/{office.community.pk}/profiles/"
    sections = {
        code: {"rating": 1, "evidence": "Diagnóstico", "sources": "Sesión"}
        for code in ("needs", "resources", "impact_of_returns", "drivers", "barriers", "resilience")
    }
    assert api.post(url, {"as_of": TODAY, "sections": sections}, format="json").status_code == 201
    assert api.post(url, {"as_of": TODAY, "sections": sections}, format="json").json()["number"] == 2
    assert [p["number"] for p in api.get(url).json()] == [2, 1]
    assert client_for(office.other_pm).get(url).status_code == 404

"""M&E data through the API: pseudonymised rows (/api/v1/analytics/cases/) and aggregates."""

import csv
import io
import json

import pytest
from rest_framework.test import APIClient

from reintegra.access.models import AccessEvent, Programme
from reintegra.access.roles import Role
from reintegra.protection import pseudonymise
from reintegra.testing import factories
from reintegra.testing.sensitive_cases import ADDRESS, DOCUMENT_NUMBER, LOCALITY, PHONE, detailed_case

pytestmark = pytest.mark.django_db

CASES_URL = "/api/v1/analytics/cases/"
AGGREGATES_URL = "/api/v1/analytics/aggregates/"
IDENTIFIERS = ["María José", "Hernández", "López", PHONE, DOCUMENT_NUMBER, ADDRESS, LOCALITY, "1990-05-17"]


def client_for(user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def cases(supervisor, other_case_manager, places):
    """oim-mx: 7 cases (one detailed with every identifier; 2 voluntary returns); ong-gt: 1."""
    detailed_case(supervisor, places)
    for i in range(6):
        return_type = "voluntary_assisted" if i < 2 else "forced"
        factories.case(supervisor, factories.returnee(supervisor, given_names=f"Persona {i}"), return_type=return_type)
    factories.case(other_case_manager)


def assert_no_identifiers(text: str) -> None:
    for identifier in IDENTIFIERS:
        assert identifier not in text


def set_k(k):
    Programme.objects.update(suppression_threshold=k)


def test_pseudonymised_rows_paginated(me_officer, cases):
    set_k(2)
    response = client_for(me_officer).get(CASES_URL, {"page_size": 5})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 7
    assert (body["k"], body["released"], body["suppressed"]) == (2, 7, 0)
    assert body["smallest_class"] >= 2 and set(body["generalisation"]) == {
        "sex",
        "age_band",
        "nationality",
        "return_type",
        "return_period",
    }
    assert len(body["results"]) == 5 and body["next"]
    assert set(body["results"][0]) == set(pseudonymise.ROW_KEYS)
    assert {row["organisation"] for row in body["results"]} == {"oim-mx"}
    assert_no_identifiers(response.content.decode())
    second = client_for(me_officer).get(body["next"]).json()
    assert len(second["results"]) == 2
    event = AccessEvent.objects.filter(user=me_officer, channel="api").first()
    assert event.action == "view" and "pseudonymised" in event.purpose


def test_pseudonymised_csv_is_recorded(me_officer, cases):
    set_k(2)
    response = client_for(me_officer).get(CASES_URL, {"format": "csv", "codes": "true"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert (response["X-Reintegra-K"], response["X-Reintegra-Suppressed"]) == ("2", "0")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 7
    assert tuple(rows[0]) == pseudonymise.ROW_KEYS
    assert_no_identifiers(body)
    event = AccessEvent.objects.get(action="export")
    assert (event.user, event.object_type, event.channel) == (me_officer, "cases.case", "api")


@pytest.mark.parametrize("fmt", [None, "csv", "json"])
def test_coordinator_never_gets_case_level_rows(coordinator, cases, fmt):
    params = {"format": fmt} if fmt else {}
    response = client_for(coordinator).get(CASES_URL, params)
    assert response.status_code == 403
    # Refused in JSON whatever format was asked for, as the schema says.
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "permission_denied"
    assert not AccessEvent.objects.filter(action="export").exists()


@pytest.mark.parametrize(
    "role",
    [Role.CASE_MANAGER, Role.SUPERVISOR, Role.PROGRAMME_MANAGER, Role.DATA_PROTECTION_OFFICER, Role.ADMIN],
)
def test_case_level_rows_need_the_monitoring_role(org, cases, role):
    assert client_for(factories.user(org, role)).get(CASES_URL).status_code == 403


def test_analytics_are_read_only(me_officer):
    assert client_for(me_officer).post(CASES_URL, {}, format="json").status_code == 405
    assert client_for(me_officer).delete(AGGREGATES_URL).status_code == 405


def test_aggregates_with_suppression(me_officer, cases):
    api = client_for(me_officer)
    set_k(3)
    response = api.get(AGGREGATES_URL, {"by": "return_type"})
    assert response.status_code == 200
    body = response.json()
    assert body["by"] == ["return_type"] and body["k"] == 3
    # 5 forced, 2 voluntary: the 2 is hidden, and with it the 5.
    assert body["rows"] == [
        {"return_type": "voluntary_assisted", "count": None, "suppressed": True},
        {"return_type": "forced", "count": None, "suppressed": True},
    ]  # in the choices' order
    set_k(2)
    rows = api.get(AGGREGATES_URL, {"by": "return_type"}).json()["rows"]
    assert {row["return_type"]: row["count"] for row in rows} == {"forced": 5, "voluntary_assisted": 2}


def test_aggregates_by_two_dimensions_and_raised_k(me_officer, cases):
    set_k(2)
    body = client_for(me_officer).get(AGGREGATES_URL, {"by": "status,return_type", "k": 6}).json()
    assert body["k"] == 6 and body["by"] == ["status", "return_type"]
    assert all(set(row) == {"status", "return_type", "count", "suppressed"} for row in body["rows"])
    assert all(row["count"] is None and row["suppressed"] for row in body["rows"])  # every cell is below 6


def test_k_cannot_go_below_the_floor(me_officer, cases):
    body = client_for(me_officer).get(AGGREGATES_URL, {"by": "year", "k": 1}).json()
    assert body["k"] == 5 and body["by"] == ["return_year"]


def test_coordinator_aggregates_all_organisations(coordinator, cases):
    set_k(2)
    rows = client_for(coordinator).get(AGGREGATES_URL, {"by": "nationality", "k": 1}).json()["rows"]
    assert sum(row["count"] for row in rows) == 8


@pytest.mark.parametrize("role", [Role.PROGRAMME_MANAGER, Role.SUPERVISOR, Role.DATA_PROTECTION_OFFICER])
def test_other_roles_with_aggregates(org, cases, role):
    response = client_for(factories.user(org, role)).get(AGGREGATES_URL, {"by": "sex"})
    assert response.status_code == 200
    assert_no_identifiers(response.content.decode())


@pytest.mark.parametrize("role", [Role.CASE_MANAGER, Role.SERVICE_PROVIDER, Role.ADMIN])
def test_aggregates_refused_to_others(org, role):
    assert client_for(factories.user(org, role)).get(AGGREGATES_URL).status_code == 403


@pytest.mark.parametrize(
    ("params", "field"),
    [({"by": "given_names"}, "by"), ({"by": ","}, "by"), ({"k": "0"}, "k"), ({"k": "x"}, "k"), ({"k": "99999"}, "k")],
)
def test_bad_aggregate_parameters_answer_400(me_officer, params, field):
    response = client_for(me_officer).get(AGGREGATES_URL, params)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(
    "by",
    [
        "status",
        "return_type",
        "sex",
        "nationality",
        "municipality",
        "closure_category",
        "year",
        "attention_flag",
        "cause_of_migration",
    ],
)
def test_no_identifier_in_any_aggregate(me_officer, cases, by):
    set_k(2)
    response = client_for(me_officer).get(AGGREGATES_URL, {"by": by, "k": 1})
    assert response.status_code == 200
    assert_no_identifiers(json.dumps(response.json(), ensure_ascii=False))

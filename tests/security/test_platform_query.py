"""Issue 10, item 9: numeric query filters validate their range; unknown filters answer 400; page_size cap.

Every API view declares its query parameters (`reintegra.api.query`), and every list endpoint of every
app is probed with an unknown parameter.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from reintegra.access.roles import Role
from reintegra.api.query import QueryParametersMixin
from reintegra.testing import factories

pytestmark = pytest.mark.django_db

ROLES = [
    Role.CASE_MANAGER,
    Role.PROGRAMME_MANAGER,
    Role.SERVICE_PROVIDER,
    Role.ME_OFFICER,
    Role.DATA_PROTECTION_OFFICER,
]


@pytest.fixture
def org(db):
    return factories.organisation("oim-mx", country="MX", name="OIM México")


@pytest.fixture
def case_manager(org):
    return factories.user(org, Role.CASE_MANAGER, team=factories.team(org, "Equipo"), username="gestora")


def signed_in(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_huge_numeric_filter_is_a_400_not_a_500(case_manager):
    response = signed_in(case_manager).get("/api/v1/referrals/", {"case": "99999999999999999999"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["errors"][0]["field"] == "case"


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/referrals/", {"case": "-1"}),
        ("/api/v1/referrals/", {"case": "abc"}),
        ("/api/v1/referrals/", {"status": "nope"}),
        ("/api/v1/cases/", {"municipality": "99999999999999999999"}),
        ("/api/v1/cases/", {"case_manager": "1e400"}),
        ("/api/v1/services/", {"age": "100000"}),
        ("/api/v1/services/", {"area": "99999999999999999999"}),
        ("/api/v1/stakeholders/", {"programme": "99999999999999999999"}),
        ("/api/v1/regional-actions/", {"institution": "99999999999999999999"}),
        ("/api/v1/instruments/rss/xlsform/", {"version": "99999999999999999999"}),
        ("/api/v1/reminders/", {"unread": "maybe"}),
    ],
)
def test_bad_filter_values_are_field_errors(org, case_manager, path, params):
    manager = factories.user(org, Role.PROGRAMME_MANAGER, username="gerente")
    user = manager if path.startswith(("/api/v1/stakeholders/", "/api/v1/regional-actions/")) else case_manager
    response = signed_in(user).get(path, params)
    assert response.status_code == 400, response.content
    assert {e["field"] for e in response.json()["errors"]} == set(params)


def test_ignored_filter_is_refused_instead_of_listing_everyone(case_manager):
    factories.returnee(case_manager)
    response = signed_in(case_manager).get("/api/v1/returnees/", {"document_number": ""})
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_parameter"
    assert response.json()["parameters"] == ["document_number"]


def test_declared_filters_and_paging_still_work(case_manager):
    api = signed_in(case_manager)
    assert api.get("/api/v1/cases/", {"status": "", "page": 1, "page_size": 200, "format": "json"}).status_code == 200
    assert api.get("/api/v1/referrals/", {"case": 1, "overdue": "true"}).status_code == 200


@pytest.mark.parametrize("page_size", ["201", "0", "-5", "ten", "1e3"])
def test_page_size_over_the_cap_or_malformed_is_a_400(case_manager, page_size):
    response = signed_in(case_manager).get("/api/v1/returnees/", {"page_size": page_size})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "page_size"


def test_paging_parameters_only_where_the_answer_is_a_page(case_manager):
    case = factories.case(case_manager, factories.returnee(case_manager))
    response = signed_in(case_manager).get(f"/api/v1/cases/{case.pk}/assessments/", {"page": 1})
    assert response.status_code == 400 and response.json()["code"] == "unknown_parameter"


def _api_views(resolver: URLResolver | None = None, prefix: str = ""):
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _api_views(pattern, route)
        elif isinstance(pattern, URLPattern) and route.startswith("api/v1/"):
            yield route, getattr(pattern.callback, "cls", None)


def test_every_api_view_declares_its_query_parameters():
    views = list(_api_views())
    assert len(views) > 40
    undeclared = sorted({route for route, cls in views if cls is None or not issubclass(cls, QueryParametersMixin)})
    assert not undeclared


def _list_paths(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    return [path for path, operations in schema["paths"].items() if "get" in operations and "{" not in path]


@pytest.mark.parametrize("role", ROLES)
def test_every_list_endpoint_refuses_unknown_parameters(client, org, role):
    user = factories.user(org, role, team=factories.team(org, f"Equipo {role}"), username=f"user-{role}")
    api = signed_in(user)
    paths = _list_paths(client)
    assert len(paths) > 20
    for path in paths:
        response = api.get(path, {"nope": "1"})
        # Refused before anything is listed: 400 where the role may read, 403 where it may not.
        assert response.status_code in (400, 403), (path, response.status_code)
        if response.status_code == 400:
            assert response.json()["code"] == "unknown_parameter", path


def test_the_schema_documents_the_declared_filters(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    referrals = {p["name"]: p for p in schema["paths"]["/api/v1/referrals/"]["get"]["parameters"]}
    assert set(referrals) == {"case", "status", "priority", "overdue", "page", "page_size"}
    assert referrals["case"]["schema"]["maximum"] == 2**63 - 1
    assert referrals["page_size"]["schema"]["maximum"] == 200
    stakeholders = {p["name"] for p in schema["paths"]["/api/v1/stakeholders/"]["get"]["parameters"]}
    assert "programme" in stakeholders


# --- the same on the web pages: ids read from the query string -------------------------------------------


def test_parse_id():
    from reintegra.api.fields import MAX_ID, parse_id

    assert parse_id("12") == 12 and parse_id(str(MAX_ID)) == MAX_ID
    for bad in (None, "", "0", "-1", "²", "١٢", "12a", " 12", "99999999999999999999", str(MAX_ID + 1)):
        assert parse_id(bad) is None, bad


@pytest.mark.parametrize("value", ["99999999999999999999", "²"])
@pytest.mark.parametrize(
    "path",
    [
        "/estructural/interlocutores/?programa={}",
        "/estructural/interlocutores/nuevo/?programa={}",
        "/estructural/estrategias/coordination/?programa={}",
        "/derivaciones/brechas/?area={}",
        "/derivaciones/procedimientos/nuevo/?provider={}&service={}",
        "/derivaciones/directorio/?area={}",
    ],
)
def test_web_pages_read_ids_from_the_query_string_without_crashing(client, org, path, value):
    manager = factories.user(org, Role.PROGRAMME_MANAGER, username="gerente")
    client.force_login(manager)
    response = client.get(path.format(value, value))
    assert response.status_code < 500, (path, value)

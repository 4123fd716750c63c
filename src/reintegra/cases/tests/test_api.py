"""The REST API of the individual case (/api/v1/)."""

import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from reintegra.access.models import AccessEvent
from reintegra.access.roles import Role
from reintegra.api.fields import MAX_ID
from reintegra.cases import services
from reintegra.cases.choices import CaseEventKind, CaseStatus
from reintegra.cases.models import Assessment, Case, CounsellingSession, Returnee
from reintegra.cases.serializers import AssessmentSerializer, DocumentSerializer
from reintegra.places.models import AdminArea
from reintegra.testing import factories
from reintegra.testing.closure import suggested_decisions

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def _clear_throttle_cache():
    cache.clear()
    yield
    cache.clear()


def client_for(user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def api(case_manager):
    return client_for(case_manager)


@pytest.fixture
def programme_manager(org):
    return factories.user(org, Role.PROGRAMME_MANAGER, username="programa")


@pytest.fixture
def me_officer(org):
    return factories.user(org, Role.ME_OFFICER, username="monitoreo")


def post(client, url, payload):
    return client.post(url, payload, format="json")


def if_match(client, url) -> dict[str, str]:
    """The If-Match header of a write based on reading `url` now (issue 10: writes need the version read)."""
    return {"HTTP_IF_MATCH": client.get(url)["ETag"]}


def returnee_payload(**overrides):
    payload = {
        "given_names": "María José",
        "first_family_name": "Hernández",
        "second_family_name": "López",
        "sex": "female",
        "birth_date": "1990-05-17",
        "nationality": "MX",
        "return_country": "MX",
        "attention_flags": ["woman_head_of_household"],
        "documents": [{"document_type": "passport", "number": "G12345678", "issuing_country": "MX"}],
    }
    payload.update(overrides)
    return payload


def case_payload(returnee_id, **overrides):
    payload = {
        "returnee": returnee_id,
        "return_date": (TODAY() - timedelta(days=10)).isoformat(),
        "return_type": "forced",
        "host_country": "US",
        "transit_countries": ["gt"],
        "reception_place": "Tijuana",
        "reception_assistance": ["registration", "food"],
        "causes_of_migration": ["economic", "violence"],
    }
    payload.update(overrides)
    return payload


# --- Token authentication ------------------------------------------------------------------------


def test_token_with_good_credentials_authenticates_requests(case_manager):
    client = client_for()
    response = post(client, "/api/v1/auth/token/", {"username": "gestora", "password": "correct-horse-battery"})
    assert response.status_code == 200
    token = response.json()["token"]
    assert AccessEvent.objects.filter(user=case_manager, action="login", channel="api").exists()

    assert client_for().get("/api/v1/cases/").status_code == 401
    authed = client_for()
    authed.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert authed.get("/api/v1/cases/").status_code == 200
    # Each request gets a new token (only digests are stored: an existing one cannot be shown again).
    again = post(client, "/api/v1/auth/token/", {"username": "gestora", "password": "correct-horse-battery"})
    assert again.json()["token"] != token


def test_token_with_bad_credentials_is_a_400_with_a_message(case_manager):
    client = client_for()
    response = post(client, "/api/v1/auth/token/", {"username": "gestora", "password": "wrong-password"})
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == ["Unable to log in with the username and password provided."]
    assert "token" not in response.json()

    response = post(client, "/api/v1/auth/token/", {"username": "gestora"})
    assert response.status_code == 400
    assert "password" in response.json()

    case_manager.is_active = False
    case_manager.save()
    response = post(client, "/api/v1/auth/token/", {"username": "gestora", "password": "correct-horse-battery"})
    assert response.status_code == 400


def test_token_endpoint_is_throttled(case_manager):
    client = client_for()
    codes = [
        post(client, "/api/v1/auth/token/", {"username": "gestora", "password": "wrong"}).status_code for _ in range(11)
    ]
    assert codes[:10] == [400] * 10
    assert codes[10] == 429


def test_invalid_token_is_401(case_manager):
    client = client_for()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get("/api/v1/returnees/").status_code == 401


# --- The whole flow ------------------------------------------------------------------------------


def test_whole_case_flow_through_the_api(api, case_manager):
    # Register.
    response = post(api, "/api/v1/returnees/", returnee_payload())
    assert response.status_code == 201, response.content
    returnee = response.json()
    assert returnee["full_name"] == "María José Hernández López"
    assert returnee["documents"][0]["number"] == "G12345678"
    assert returnee["birth_year"] == 1990

    # Duplicate check: spelled differently, without accents.
    response = post(
        api,
        "/api/v1/returnees/duplicates/",
        {"given_names": "Maria Jose", "family_names": "Hernandez Lopez", "birth_date": "1990-05-17"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["out_of_scope_match"] is False
    candidates = response.json()["candidates"]
    assert candidates[0]["id"] == returnee["id"]
    assert candidates[0]["score"] > 0.5
    assert "same_birth_date" in candidates[0]["reasons"]
    assert set(candidates[0]) == {
        "id",
        "score",
        "strong",
        "reasons",
        "given_names",
        "family_names",
        "birth_date",
        "birth_year",
        "nationality",
        "case_numbers",
    }
    event = AccessEvent.objects.get(action="search", channel="api")
    assert (event.user, event.object_type, event.purpose) == (case_manager, "cases.returnee", "duplicate check")
    assert "Hern" not in event.purpose and "Maria" not in event.object_id

    # Open the case.
    response = post(api, "/api/v1/cases/", case_payload(returnee["id"]))
    assert response.status_code == 201, response.content
    case = response.json()
    case_url = f"/api/v1/cases/{case['id']}/"
    assert case["status"] == CaseStatus.REGISTERED
    assert case["case_number"].startswith("OIM-MX-")
    assert case["transit_countries"] == ["GT"]
    assert case["case_manager"]["id"] == case_manager.pk
    assert case["returnee"]["id"] == returnee["id"]

    # The duplicate check now shows the case number.
    response = post(api, "/api/v1/returnees/duplicates/", {"given_names": "María José", "family_names": "Hernández"})
    assert response.json()["candidates"][0]["case_numbers"] == [case["case_number"]]

    # Assessment.
    response = post(
        api,
        case_url + "assessments/",
        {"assessed_on": TODAY().isoformat(), "economic_need": "high", "health_notes": "Diabetes"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["health_notes"] == "Diabetes"
    assert api.get(case_url).json()["status"] == CaseStatus.ASSESSED

    # Counselling.
    response = post(
        api, case_url + "counselling-sessions/", {"held_on": TODAY().isoformat(), "mode": "phone", "notes": "Ansiedad"}
    )
    assert response.status_code == 201, response.content
    assert [s["notes"] for s in api.get(case_url + "counselling-sessions/").json()] == ["Ansiedad"]

    # Household.
    response = api.put(
        case_url + "household/",
        {
            "notes": "Vive con su madre",
            "members": [
                {"given_names": "Luis", "relationship": "child", "estimated_age": 7},
                {"given_names": "Rosa", "relationship": "parent", "birth_date": "1960-01-01"},
            ],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert [m["is_minor"] for m in response.json()["members"]] == [True, False]

    # Plan: none yet, then drafted, revised and agreed.
    assert api.get(case_url + "plan/").status_code == 404
    item = {"dimension": "economic", "approach": "Desarrollo de negocios", "assistance_form": "in_kind"}
    response = api.put(
        case_url + "plan/", {"goals": "Negocio", "motivations": "Familia", "items": [item]}, format="json"
    )
    assert response.status_code == 201, response.content
    plan = response.json()
    assert plan["agreed_on"] is None and plan["agreed_late"] is False
    item_id = plan["items"][0]["id"]
    response = api.post(
        case_url + "plan/",
        {"items": [{**item, "id": item_id, "amount": "1500.00", "currency": "mxn"}]},
        format="json",
        HTTP_IF_MATCH=f'"{plan["version"]}"',
    )
    assert response.status_code == 200, response.content
    assert response.json()["goals"] == "Negocio"
    assert response.json()["items"][0]["currency"] == "MXN"
    # Issue 18.5: an amount without currency is in the organisation's country's (Mexico), as on the page.
    response = api.post(
        case_url + "plan/",
        {"items": [{**item, "id": item_id, "amount": "900.00", "currency": ""}]},
        format="json",
        HTTP_IF_MATCH=f'"{response.json()["version"]}"',
    )
    assert response.status_code == 200, response.content
    assert response.json()["items"][0]["currency"] == "MXN"
    response = post(api, case_url + "plan/agree/", {"agreed_on": TODAY().isoformat()})
    assert response.status_code == 200, response.content
    assert response.json()["agreed_on"] == TODAY().isoformat()
    assert response.json()["agreed_late"] is False
    assert response.json()["warnings"] == []
    assert api.get(case_url).json()["status"] == CaseStatus.PLAN_AGREED

    # Follow-up.
    response = post(
        api,
        case_url + "follow-ups/",
        {
            "visited_on": TODAY().isoformat(),
            "mode": "in_person",
            "notes": "Bien",
            "progress": [{"item": item_id, "status": "in_progress", "note": "Compró insumos"}],
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["progress"][0]["item"] == item_id
    assert response.json()["progress"][0]["item_approach"] == "Desarrollo de negocios"
    assert api.get(case_url + "plan/").json()["items"][0]["status"] == "in_progress"
    assert len(api.get(case_url + "follow-ups/").json()) == 1
    assert api.get(case_url).json()["status"] == CaseStatus.IN_FOLLOW_UP

    # Close and reopen.
    decisions = suggested_decisions(Case.objects.get(pk=case["id"]))
    response = post(api, case_url + "close/", {"reason": "support_ended", "note": "Fin", "open_matters": decisions})
    assert response.status_code == 200, response.content
    closed = response.json()
    assert (closed["status"], closed["closure_reason"], closed["closure_category"]) == (
        CaseStatus.CLOSED,
        "support_ended",
        "planned",
    )
    assert closed["closed_on"] == TODAY().isoformat()
    response = post(api, case_url + "assessments/", {"assessed_on": TODAY().isoformat()})
    assert response.status_code == 400
    assert response.json()["code"] == "case_closed"
    response = post(api, case_url + "reopen/", {"reason": "Nueva amenaza"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == CaseStatus.IN_FOLLOW_UP
    assert response.json()["closure_reason"] == ""

    detail = api.get(case_url).json()
    kinds = [event["kind"] for event in detail["timeline"]]
    assert kinds[0] == CaseEventKind.REOPENED
    # The reopening reason is free text: the event's (encrypted) note, never its data.
    assert detail["timeline"][0]["note"] == "Nueva amenaza" and "reason" not in detail["timeline"][0]["data"]
    assert kinds[-1] == CaseEventKind.REGISTERED
    for kind in (
        CaseEventKind.ASSESSMENT,
        CaseEventKind.COUNSELLING,
        CaseEventKind.PLAN_DRAFTED,
        CaseEventKind.PLAN_UPDATED,
        CaseEventKind.PLAN_AGREED,
        CaseEventKind.FOLLOW_UP,
        CaseEventKind.CLOSED,
        CaseEventKind.STATUS_CHANGED,
    ):
        assert kind in kinds
    first = detail["timeline"][-1]
    assert set(first) == {"kind", "kind_label", "occurred_at", "actor", "data", "note"}
    assert first["kind_label"] == "Case opened"
    assert first["actor"] == "Ana Pérez"
    assert detail["household"]["notes"] == "Vive con su madre"
    assert len(detail["household"]["members"]) == 2
    assert AccessEvent.objects.filter(action="view", object_type="cases.case", object_id=str(case["id"])).exists()


def test_case_detail_records_the_view(api, case_manager):
    case = factories.case(case_manager)
    response = api.get(f"/api/v1/cases/{case.pk}/")
    assert response.status_code == 200
    event = AccessEvent.objects.get(action="view")
    assert (event.user, event.object_type, event.object_id, event.channel) == (
        case_manager,
        "cases.case",
        str(case.pk),
        "api",
    )


def test_assign_needs_a_supervisor(api, case_manager, supervisor, org, team):
    colleague = factories.user(org, Role.CASE_MANAGER, team=team, username="colega")
    case = factories.case(case_manager)
    response = post(api, f"/api/v1/cases/{case.pk}/assign/", {"case_manager": colleague.pk})
    assert response.status_code == 403
    response = post(client_for(supervisor), f"/api/v1/cases/{case.pk}/assign/", {"case_manager": colleague.pk})
    assert response.status_code == 200, response.content
    assert response.json()["case_manager"] == {"id": colleague.pk, "name": "colega"}
    kinds = [e["kind"] for e in response.json()["timeline"]]
    assert CaseEventKind.ASSIGNED in kinds


def test_assign_to_someone_of_another_organisation_is_a_400(supervisor, other_case_manager, case_manager):
    case = factories.case(case_manager)
    response = post(client_for(supervisor), f"/api/v1/cases/{case.pk}/assign/", {"case_manager": other_case_manager.pk})
    assert response.status_code == 400
    assert "case_manager" in response.json()


def test_patch_return_information(api, case_manager):
    case = factories.case(case_manager)
    response = api.patch(
        f"/api/v1/cases/{case.pk}/",
        {"causes_of_migration": ["other"], "causes_note": "Amenazas", "reception_place": "Tapachula"},
        format="json",
        **if_match(api, f"/api/v1/cases/{case.pk}/"),
    )
    assert response.status_code == 200, response.content
    case.refresh_from_db()
    assert case.causes_of_migration == ["other"]
    assert case.reception_place == "Tapachula"
    assert case.return_type == "forced"  # untouched
    response = api.patch(
        f"/api/v1/cases/{case.pk}/",
        {"causes_of_migration": ["other"], "causes_note": ""},
        format="json",
        **if_match(api, f"/api/v1/cases/{case.pk}/"),
    )
    assert response.status_code == 400
    assert "causes_note" in response.json()


def test_plan_agreed_late_has_a_warning(api, case_manager):
    case = factories.assessed_case(case_manager, return_date=TODAY() - timedelta(days=60))
    url = f"/api/v1/cases/{case.pk}/plan/"
    item = {"dimension": "social", "approach": "Reunificación", "assistance_form": "service"}
    response = post(api, url, {"goals": "Estabilidad", "motivations": "Hijos", "items": [item]})
    assert response.status_code == 201
    assert any("should have been agreed" in w for w in response.json()["warnings"])
    # Agreed late without a reason: refused, as on the web form (the service's rule).
    response = post(api, url + "agree/", {"agreed_on": TODAY().isoformat()})
    assert response.status_code == 400, response.content
    assert {"field": "late_reason", "code": "required"}.items() <= response.json()["errors"][0].items()
    assert api.get(url).json()["agreed_on"] is None

    response = post(api, url + "agree/", {"agreed_on": TODAY().isoformat(), "late_reason": "Hospitalizado"})
    plan = response.json()
    assert plan["agreed_late"] is True
    assert any("more than one month" in w for w in plan["warnings"])
    assert plan["agreed_late_reason"] == "Hospitalizado"
    assert not any("Record why" in w for w in plan["warnings"])


def test_returnee_update_keeps_what_is_not_sent(api, case_manager):
    returnee = post(api, "/api/v1/returnees/", returnee_payload()).json()
    url = f"/api/v1/returnees/{returnee['id']}/"
    response = api.patch(url, {"phone": "+52 55 1234 5678", "estimated_age": None}, format="json", **if_match(api, url))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["phone"] == "+525512345678"  # stored as E.164, as from the web form
    assert body["given_names"] == "María José"
    assert body["attention_flags"] == ["woman_head_of_household"]
    assert [d["number"] for d in body["documents"]] == ["G12345678"]  # not sent, not wiped

    response = api.put(url, returnee_payload(documents=[], second_family_name=""), format="json", **if_match(api, url))
    assert response.status_code == 200, response.content
    assert response.json()["documents"] == []
    assert response.json()["full_name"] == "María José Hernández"

    response = api.patch(url, {"birth_date": None, "estimated_age": 30}, format="json", **if_match(api, url))
    assert response.status_code == 200, response.content
    assert response.json()["birth_year"] == TODAY().year - 30


def test_returnee_municipality(api, case_manager):
    state = AdminArea.objects.create(country="MX", level=1, code="MX-BC", name="Baja California")
    tijuana = AdminArea.objects.create(country="MX", level=2, code="MX-BC-004", name="Tijuana", parent=state)
    response = post(api, "/api/v1/returnees/", returnee_payload(municipality=tijuana.pk))
    assert response.status_code == 201, response.content
    assert (response.json()["municipality_name"], response.json()["admin1_name"]) == ("Tijuana", "Baja California")
    response = post(api, "/api/v1/returnees/", returnee_payload(municipality=state.pk))
    assert response.status_code == 400
    assert "municipality" in response.json()


def test_returnees_are_never_deleted(api, case_manager):
    returnee = factories.returnee(case_manager)
    assert api.delete(f"/api/v1/returnees/{returnee.pk}/").status_code == 405
    assert Returnee.objects.filter(pk=returnee.pk).exists()
    case = factories.case(case_manager, returnee)
    assert api.delete(f"/api/v1/cases/{case.pk}/").status_code == 405
    assert api.put(f"/api/v1/cases/{case.pk}/", {}, format="json").status_code == 405


# --- Search, filters, pagination -----------------------------------------------------------------


def test_search_is_accent_insensitive(api, case_manager):
    hernandez = factories.case(case_manager)
    factories.case(case_manager, factories.returnee(case_manager, given_names="Juan", first_family_name="Ramírez"))
    for term in ("hernandez", "HERNÁNDEZ", "maria hernandez", hernandez.case_number):
        response = api.get("/api/v1/cases/", {"search": term})
        assert response.status_code == 200
        assert [c["id"] for c in response.json()["results"]] == [hernandez.pk], term
    assert api.get("/api/v1/cases/", {"search": "gonzalez"}).json()["count"] == 0


@pytest.mark.parametrize("few", [1000, 1])  # fixed as their ids when few; as index lookups beyond
def test_search_by_name_number_or_document_in_a_bounded_number_of_queries(api, case_manager, monkeypatch, few):
    """Issue 19: a search is a UNION of index lookups (case number, the blind-index tokens of every typed word,
    a document's number): each finds its case, people matching one word only are not found, and the number of
    statements does not grow with the matches."""
    from reintegra.cases import selectors

    monkeypatch.setattr(selectors, "SEARCH_FEW", few)
    holder = factories.returnee(
        case_manager, documents=[services.DocumentInput("passport", "G777", "MX")], given_names="Pedro"
    )
    pedro = factories.case(case_manager, holder)
    others = [factories.case(case_manager) for _ in range(3)]  # María Hernández
    for term, expected in [
        ("pedro hernandez", [pedro]),
        ("hernandez", sorted([pedro, *others], key=lambda c: (c.return_date, c.pk), reverse=True)),
        ("pedro ramirez", []),
        (others[1].case_number.lower(), [others[1]]),
        ("G777", [pedro]),
    ]:
        with CaptureQueriesContext(connection) as ctx:
            body = api.get("/api/v1/cases/", {"search": term}).json()
        assert [row["id"] for row in body["results"]] == [c.pk for c in expected], term
        assert body["count"] == len(expected) and body["count_is_capped"] is False
        assert len(ctx.captured_queries) <= 9, term  # token, roles, shares, matches, count, ids, rows, trail


def test_search_by_document_number(api, case_manager):
    returnee = factories.returnee(
        case_manager, documents=[services.DocumentInput("passport", "G999", "MX")], given_names="Pedro"
    )
    case = factories.case(case_manager, returnee)
    factories.case(case_manager)
    assert [c["id"] for c in api.get("/api/v1/cases/", {"search": "G999"}).json()["results"]] == [case.pk]


def test_filters(api, case_manager, org, team):
    state = AdminArea.objects.create(country="MX", level=1, code="MX-JA", name="Jalisco")
    muni = AdminArea.objects.create(country="MX", level=2, code="MX-JA-039", name="Guadalajara", parent=state)
    recent = factories.case(case_manager, return_date=TODAY() - timedelta(days=3))
    old = factories.case(
        case_manager,
        factories.returnee(case_manager, municipality_id=muni.pk, given_names="Pedro"),
        return_date=TODAY() - timedelta(days=40),
        return_type="voluntary_assisted",
    )
    services.record_assessment(case_manager, old, {"assessed_on": TODAY()})

    def ids(**params):
        response = api.get("/api/v1/cases/", params)
        assert response.status_code == 200, response.content
        return [c["id"] for c in response.json()["results"]]

    assert ids() == [recent.pk, old.pk]
    assert ids(status="assessed") == [old.pk]
    assert ids(status="registered") == [recent.pk]
    assert ids(return_type="voluntary_assisted") == [old.pk]
    assert ids(return_from=(TODAY() - timedelta(days=10)).isoformat()) == [recent.pk]
    assert ids(return_to=(TODAY() - timedelta(days=10)).isoformat()) == [old.pk]
    assert ids(municipality=muni.pk) == [old.pk]
    assert ids(case_manager=case_manager.pk) == [recent.pk, old.pk]
    assert ids(mine="true") == [recent.pk, old.pk]
    assert ids(status="") == [recent.pk, old.pk]
    row = api.get("/api/v1/cases/", {"municipality": muni.pk}).json()["results"][0]
    assert row["returnee"]["municipality_name"] == "Guadalajara"
    assert row["case_manager"]["name"] == "Ana Pérez"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "foo"}, "status"),
        ({"return_from": "notadate"}, "return_from"),
        ({"return_to": "2026-13-45"}, "return_to"),
        ({"case_manager": "abc"}, "case_manager"),
        ({"municipality": str(MAX_ID + 1)}, "municipality"),
        ({"return_type": "teleported"}, "return_type"),
        ({"return_from": "2025-02-01", "return_to": "2025-01-01"}, "return_to"),
        ({"search": "x" * 5000}, "search"),
    ],
)
def test_invalid_filters_are_400_with_the_field(api, case_manager, params, field):
    response = api.get("/api/v1/cases/", params)
    assert response.status_code == 400
    assert field in response.json()


def test_case_list_is_paginated(api, case_manager):
    for _ in range(3):
        factories.case(case_manager, factories.returnee(case_manager))
    body = api.get("/api/v1/cases/", {"page_size": 2}).json()
    assert set(body) == {"count", "count_is_capped", "next", "previous", "results"}
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"] and body["previous"] is None
    assert body["count_is_capped"] is False
    assert len(api.get("/api/v1/cases/", {"page_size": 2, "page": 2}).json()["results"]) == 1
    assert api.get("/api/v1/cases/", {"page": 99}).status_code == 404
    # A page that is not a number is a bad request (reintegra.api.query), not a missing page.
    assert api.get("/api/v1/cases/", {"page": "abc"}).status_code == 400


def test_a_long_list_counts_up_to_the_limit_and_offers_the_pages_up_to_it(api, case_manager, monkeypatch):
    """Issue 19: `count` stops at the limit (10,000; 3 here) with `count_is_capped`, and a page past the pages it
    offers answers 404 `page_beyond_count` saying how to reach the rest; pages are cut on ids, then 25 rows read."""
    from functools import partial

    from reintegra.api.pagination import StandardPagination
    from reintegra.web.pagination import CappedPaginator

    monkeypatch.setattr(StandardPagination, "django_paginator_class", staticmethod(partial(CappedPaginator, limit=3)))
    made = [factories.case(case_manager, factories.returnee(case_manager)) for _ in range(5)]
    body = api.get("/api/v1/cases/", {"page_size": 2}).json()
    assert body["count"] == 3 and body["count_is_capped"] is True and len(body["results"]) == 2
    last = api.get("/api/v1/cases/", {"page_size": 2, "page": 2}).json()
    assert len(last["results"]) == 1 and last["next"] is None
    listed = [row["id"] for row in body["results"] + last["results"]]
    newest_first = sorted(made, key=lambda c: (c.return_date, c.pk), reverse=True)
    assert listed == [c.pk for c in newest_first[:3]]
    beyond = api.get("/api/v1/cases/", {"page_size": 2, "page": 3})
    assert beyond.status_code == 404 and beyond.json()["code"] == "page_beyond_count"
    assert "first 3 results" in beyond.json()["detail"]
    with CaptureQueriesContext(connection) as ctx:
        api.get("/api/v1/cases/", {"page_size": 2, "page": 2})
    case_queries = [q["sql"] for q in ctx.captured_queries if 'FROM "cases_case"' in q["sql"]]
    assert len(case_queries) == 3  # the capped count, the page's ids, the page's rows with their joins
    assert "LIMIT 4" in case_queries[0] and "JOIN" not in case_queries[1] and "JOIN" in case_queries[2]


def test_case_list_query_count_does_not_grow(api, case_manager, org, team):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = api.get("/api/v1/cases/")
        assert response.status_code == 200
        return len(ctx.captured_queries)

    factories.case(case_manager)
    api.get("/api/v1/cases/")  # warm the user's cached roles
    few = count_queries()
    colleague = factories.user(org, Role.CASE_MANAGER, team=team, username="colega2")
    for i in range(8):
        factories.case(colleague, factories.returnee(colleague, given_names=f"Persona {i}"))
    many = count_queries()
    assert api.get("/api/v1/cases/").json()["count"] == 9
    assert many == few
    assert many <= 4


def test_returnee_list_is_scoped(api, case_manager, other_case_manager):
    mine = factories.returnee(case_manager)
    theirs = factories.returnee(other_case_manager)
    ids = [r["id"] for r in api.get("/api/v1/returnees/").json()["results"]]
    assert ids == [mine.pk]
    assert api.get(f"/api/v1/returnees/{theirs.pk}/").status_code == 404
    assert api.patch(f"/api/v1/returnees/{theirs.pk}/", {"phone": "1"}, format="json").status_code == 404


# --- Scoping: 404 and 403 ------------------------------------------------------------------------


def test_other_organisations_case_is_404(case_manager, other_case_manager):
    case = factories.agreed_case(case_manager)
    client = client_for(other_case_manager)
    base = f"/api/v1/cases/{case.pk}/"
    assert client.get(base).status_code == 404
    assert client.patch(base, {"reception_place": "x"}, format="json").status_code == 404
    for suffix in ("assessments/", "counselling-sessions/", "household/", "plan/", "follow-ups/"):
        assert client.get(base + suffix).status_code == 404, suffix
    for suffix, payload in [
        ("assessments/", {"assessed_on": TODAY().isoformat()}),
        ("counselling-sessions/", {"held_on": TODAY().isoformat()}),
        ("follow-ups/", {"visited_on": TODAY().isoformat()}),
        ("plan/agree/", {"agreed_on": TODAY().isoformat()}),
        ("close/", {"reason": "remigrated"}),
        ("reopen/", {"reason": "x"}),
    ]:
        assert post(client, base + suffix, payload).status_code == 404, suffix
    assessment = case.assessments.get()
    assert client.get(f"{base}assessments/{assessment.pk}/").status_code == 404
    assert client.get("/api/v1/cases/").json()["count"] == 0
    # Nothing was recorded on the case.
    case.refresh_from_db()
    assert case.status == CaseStatus.PLAN_AGREED
    # Nor can they open a case for that returnee.
    response = post(client, "/api/v1/cases/", case_payload(case.returnee_id))
    assert response.status_code == 400
    assert response.json()["returnee"] == ["Returnee not found."]


def test_other_team_case_is_404_for_a_case_manager(api, org, case_manager):
    other_team = factories.team(org, "Equipo Juárez")
    colleague = factories.user(org, Role.CASE_MANAGER, team=other_team)
    case = factories.case(colleague)
    assert api.get(f"/api/v1/cases/{case.pk}/").status_code == 404


@pytest.mark.parametrize("case_id", ["999999", "abc", "1.5", str(MAX_ID + 10), "-1", "0"])
def test_unknown_or_malformed_case_ids_are_404(api, case_manager, case_id):
    factories.case(case_manager)
    assert api.get(f"/api/v1/cases/{case_id}/").status_code == 404
    assert api.get(f"/api/v1/cases/{case_id}/plan/").status_code == 404
    assert post(api, f"/api/v1/cases/{case_id}/close/", {"reason": "remigrated"}).status_code == 404
    assert api.get(f"/api/v1/returnees/{case_id}/").status_code == 404


def test_unknown_assessment_id_is_404(api, case_manager):
    case = factories.assessed_case(case_manager)
    other = factories.assessed_case(case_manager, returnee_obj=factories.returnee(case_manager, given_names="Otro"))
    foreign = other.assessments.get()
    for assessment_id in ("999999", "abc", str(MAX_ID + 10), str(foreign.pk)):
        assert api.get(f"/api/v1/cases/{case.pk}/assessments/{assessment_id}/").status_code == 404


def test_me_officer_cannot_write(me_officer, case_manager):
    case = factories.case(case_manager)
    client = client_for(me_officer)
    assert post(client, "/api/v1/returnees/", returnee_payload()).status_code == 403
    assert post(client, "/api/v1/cases/", case_payload(case.returnee_id)).status_code == 403
    assert (
        post(client, f"/api/v1/cases/{case.pk}/assessments/", {"assessed_on": TODAY().isoformat()}).status_code == 403
    )
    assert post(client, f"/api/v1/cases/{case.pk}/close/", {"reason": "remigrated"}).status_code == 403
    assert client.patch(f"/api/v1/cases/{case.pk}/", {"reception_place": "x"}, format="json").status_code == 403
    # Nor read named case data, nor run duplicate checks (which show names).
    assert client.get("/api/v1/cases/").status_code == 403
    assert (
        post(client, "/api/v1/returnees/duplicates/", {"given_names": "María", "family_names": "Hernández"}).status_code
        == 403
    )
    assert not Assessment.objects.exists()


def test_unauthenticated_requests_are_401(case_manager):
    case = factories.case(case_manager)
    client = client_for()
    assert client.get("/api/v1/cases/").status_code == 401
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 401
    assert post(client, "/api/v1/returnees/", returnee_payload()).status_code == 401


# --- Validation: 400 with field names, never 500 -------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"given_names": ""}, "given_names"),
        ({"given_names": "x" * 100_000}, "given_names"),
        ({"given_names": {"a": 1}}, "given_names"),
        ({"given_names": ["a"]}, "given_names"),
        ({"sex": "robot"}, "sex"),
        ({"birth_date": "2026-13-45"}, "birth_date"),
        ({"birth_date": 19900517}, "birth_date"),
        ({"birth_date": (TODAY() + timedelta(days=3)).isoformat()}, "birth_date"),
        ({"nationality": "XX"}, "nationality"),
        ({"nationality": None}, "nationality"),
        ({"estimated_age": 500, "birth_date": None}, "estimated_age"),
        ({"estimated_age": "old", "birth_date": None}, "estimated_age"),
        ({"attention_flags": ["vip"]}, "attention_flags"),
        ({"attention_flags": "indigenous"}, "attention_flags"),
        ({"documents": "abc"}, "documents"),
        ({"documents": [{"document_type": "passport"}]}, "documents"),
        ({"documents": [{"document_type": "visa", "number": "1", "issuing_country": "MX"}]}, "documents"),
        ({"municipality": MAX_ID + 1}, "municipality"),
        ({"municipality": 424242}, "municipality"),
        ({"phone": "1" * 40}, "phone"),
        ({"address": "calle\x00"}, "address"),
    ],
)
def test_bad_returnee_input_is_400(api, case_manager, overrides, field):
    response = post(api, "/api/v1/returnees/", returnee_payload(**overrides))
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Returnee.objects.exists()


def test_malformed_bodies_are_400(api, case_manager):
    case = factories.case(case_manager)
    for url in ("/api/v1/returnees/", "/api/v1/cases/", f"/api/v1/cases/{case.pk}/assessments/"):
        response = api.post(url, "{not json", content_type="application/json")
        assert response.status_code == 400, url
        response = api.post(url, json.dumps([1, 2]), content_type="application/json")
        assert response.status_code == 400, url
        response = api.post(url, "null", content_type="application/json")
        assert response.status_code == 400, url
    response = api.patch(f"/api/v1/cases/{case.pk}/", "{", content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"returnee": "abc"}, "returnee"),
        ({"returnee": 999999}, "returnee"),
        ({"returnee": MAX_ID + 1}, "returnee"),
        ({"return_date": "2026-13-45"}, "return_date"),
        ({"return_date": (TODAY() + timedelta(days=1)).isoformat()}, "return_date"),
        ({"return_type": "teleported"}, "return_type"),
        ({"host_country": "Narnia"}, "host_country"),
        ({"transit_countries": ["XX"]}, "transit_countries"),
        ({"transit_countries": "GT"}, "transit_countries"),
        ({"reception_assistance": ["massage"]}, "reception_assistance"),
        ({"causes_of_migration": ["other"]}, "causes_note"),
        ({"causes_note": "x" * 301}, "causes_note"),
        ({"case_manager": 999999}, "case_manager"),
        ({"case_manager": "me"}, "case_manager"),
    ],
)
def test_bad_case_input_is_400(api, case_manager, overrides, field):
    returnee = factories.returnee(case_manager)
    payload = case_payload(returnee.pk, **overrides)
    response = post(api, "/api/v1/cases/", payload)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Case.objects.exists()


def test_second_open_case_is_400(api, case_manager):
    case = factories.case(case_manager)
    response = post(api, "/api/v1/cases/", case_payload(case.returnee_id))
    assert response.status_code == 400
    assert "returnee" in response.json()


def test_step_errors_are_400_with_codes_or_fields(api, case_manager):
    case = factories.case(case_manager)
    url = f"/api/v1/cases/{case.pk}/"
    item = {"dimension": "economic", "approach": "Negocio", "assistance_form": "cash"}

    response = post(api, url + "plan/", {"goals": "x", "items": [item]})
    assert (response.status_code, response.json()["code"]) == (400, "assessment_required")
    response = post(api, url + "plan/agree/", {"agreed_on": TODAY().isoformat()})
    assert (response.status_code, response.json()["code"]) == (400, "plan_required")
    response = post(api, url + "follow-ups/", {"visited_on": TODAY().isoformat()})
    assert (response.status_code, response.json()["code"]) == (400, "plan_required")
    response = post(api, url + "reopen/", {"reason": "x"})
    assert (response.status_code, response.json()["code"]) == (400, "not_closed")

    for payload, field in [
        ({"assessed_on": "2026-13-45"}, "assessed_on"),
        ({"assessed_on": (TODAY() + timedelta(days=2)).isoformat()}, "assessed_on"),
        ({"assessed_on": TODAY().isoformat(), "economic_need": "enormous"}, "economic_need"),
        ({"assessed_on": TODAY().isoformat(), "kind": 5}, "kind"),
        ({"assessed_on": TODAY().isoformat(), "health_notes": "x" * 20_000}, "health_notes"),
        ({}, "assessed_on"),
    ]:
        response = post(api, url + "assessments/", payload)
        assert response.status_code == 400, payload
        assert field in response.json(), payload
    services.record_assessment(case_manager, case, {"assessed_on": TODAY()})

    for payload, field in [
        ({"items": [{**item, "amount": "100", "currency": "12"}]}, "items"),  # an empty currency defaults now
        ({"items": [{**item, "amount": "-5", "currency": "MXN"}]}, "items"),
        ({"items": [{**item, "amount": "abc", "currency": "MXN"}]}, "items"),
        ({"items": [{**item, "dimension": "spiritual"}]}, "items"),
        ({"items": [{**item, "id": 424242}]}, "items"),
        ({"items": [{**item, "due_date": "2026-02-30"}]}, "items"),
        ({"items": "all of them"}, "items"),
    ]:
        response = post(api, url + "plan/", payload)
        assert response.status_code == 400, payload
        assert field in response.json(), payload
    assert api.get(url + "plan/").status_code == 404  # nothing was saved

    response = post(api, url + "plan/", {"goals": "Negocio", "items": [item]})
    assert response.status_code == 201
    response = post(api, url + "plan/agree/", {"agreed_on": "ayer"})
    assert (response.status_code, "agreed_on" in response.json()) == (400, True)
    response = post(api, url + "plan/agree/", {"agreed_on": (case.return_date - timedelta(days=1)).isoformat()})
    assert (response.status_code, "agreed_on" in response.json()) == (400, True)
    response = post(api, url + "plan/agree/", {"agreed_on": TODAY().isoformat()})
    assert response.status_code == 200

    for payload, field in [
        ({"visited_on": TODAY().isoformat(), "progress": [{"item": 424242, "status": "completed"}]}, "progress"),
        ({"visited_on": TODAY().isoformat(), "progress": [{"item": "x", "status": "completed"}]}, "progress"),
        ({"visited_on": TODAY().isoformat(), "mode": "telepathy"}, "mode"),
        ({"visited_on": TODAY().isoformat(), "next_visit_on": TODAY().isoformat()}, "next_visit_on"),
    ]:
        response = post(api, url + "follow-ups/", payload)
        assert response.status_code == 400, payload
        assert field in response.json(), payload

    for payload, field in [
        ({}, "reason"),
        ({"reason": "bored"}, "reason"),
        ({"reason": "remigrated", "closed_on": "2026-13-45"}, "closed_on"),
        ({"reason": "remigrated", "closed_on": (TODAY() + timedelta(days=1)).isoformat()}, "closed_on"),
    ]:
        response = post(api, url + "close/", payload)
        assert response.status_code == 400, payload
        assert field in response.json(), payload

    response = api.put(
        url + "household/", {"members": [{"given_names": "Ana", "relationship": "cousin"}]}, format="json"
    )
    assert (response.status_code, "members" in response.json()) == (400, True)
    response = api.put(url + "household/", {"members": "none"}, format="json")
    assert (response.status_code, "members" in response.json()) == (400, True)

    response = post(api, url + "assign/", {"case_manager": "x"})
    assert (response.status_code, "case_manager" in response.json()) == (400, True)

    case.refresh_from_db()
    assert case.status == CaseStatus.PLAN_AGREED


def test_duplicate_check_input(api, case_manager):
    url = "/api/v1/returnees/duplicates/"
    response = post(api, url, {})
    assert response.status_code == 400
    assert "given_names" in response.json()
    response = post(api, url, {"given_names": "Ana", "family_names": "X", "birth_date": "x"})
    assert (response.status_code, "birth_date" in response.json()) == (400, True)
    response = post(api, url, {"given_names": "A" * 500, "family_names": "B"})
    assert response.status_code == 400
    # A document number alone is enough, and finds the holder.
    returnee = factories.returnee(case_manager, documents=[services.DocumentInput("passport", "G777", "MX")])
    response = post(api, url, {"document_number": "g777"})
    assert response.status_code == 200, response.content
    assert [c["id"] for c in response.json()["candidates"]] == [returnee.pk]
    assert [c["id"] for c in post(api, url, {"document_numbers": ["x1", "G 777"]}).json()["candidates"]] == [
        returnee.pk
    ]
    # Estimated age instead of a birth date, and explicit family names.
    response = post(
        api,
        url,
        {"given_names": "Maria Jose", "first_family_name": "Hernandez", "estimated_age": TODAY().year - 1990},
    )
    assert response.status_code == 200
    assert response.json()["candidates"][0]["id"] == returnee.pk


def test_duplicate_check_stays_in_the_organisation(api, case_manager, other_case_manager):
    factories.returnee(other_case_manager)
    response = post(
        api, "/api/v1/returnees/duplicates/", {"given_names": "María José", "family_names": "Hernández López"}
    )
    assert response.status_code == 200
    assert response.json() == {"candidates": [], "out_of_scope_match": False, "out_of_scope_message": None}


# --- Field-level protection ----------------------------------------------------------------------


def test_sensitive_fields_are_omitted_and_not_wiped(case_manager, programme_manager):
    case = factories.case(case_manager)
    assessment = services.record_assessment(
        case_manager,
        case,
        {
            "assessed_on": TODAY(),
            "protection_concerns": "Amenazas de pandilla",
            "health_notes": "Diabetes",
            "mental_health_notes": "Insomnio",
            "gbv_notes": "Violencia en tránsito",
        },
    )
    services.record_counselling_session(case_manager, case, {"held_on": TODAY(), "notes": "Ansiedad"})
    pm = client_for(programme_manager)
    url = f"/api/v1/cases/{case.pk}/assessments/"

    listed = pm.get(url).json()[0]
    assert listed["protection_concerns"] == "Amenazas de pandilla"  # programme managers see protection
    for hidden in ("health_notes", "mental_health_notes", "gbv_notes"):
        assert hidden not in listed
    assert "notes" not in pm.get(f"/api/v1/cases/{case.pk}/counselling-sessions/").json()[0]
    # The case manager sees everything.
    full = client_for(case_manager).get(url).json()[0]
    assert (full["health_notes"], full["gbv_notes"]) == ("Diabetes", "Violencia en tránsito")

    # A correction by the programme manager does not wipe what they cannot see.
    response = pm.patch(
        f"{url}{assessment.pk}/",
        {"needs_vulnerabilities": "Empleo", "health_notes": "", "gbv_notes": "sobrescrito"},
        format="json",
        **if_match(pm, f"{url}{assessment.pk}/"),
    )
    assert response.status_code == 200, response.content
    assert "health_notes" not in response.json()
    assessment.refresh_from_db()
    assert assessment.needs_vulnerabilities == "Empleo"
    assert (assessment.health_notes, assessment.gbv_notes) == ("Diabetes", "Violencia en tránsito")
    assert CaseEventKind.UPDATED in [e["kind"] for e in pm.get(f"/api/v1/cases/{case.pk}/").json()["timeline"]]

    # Nor can they write such a field on a new record.
    response = post(pm, url, {"assessed_on": TODAY().isoformat(), "health_notes": "Inventado", "kind": "reassessment"})
    assert response.status_code == 201, response.content
    assert Assessment.objects.get(pk=response.json()["id"]).health_notes == ""
    response = post(
        pm, f"/api/v1/cases/{case.pk}/counselling-sessions/", {"held_on": TODAY().isoformat(), "notes": "x"}
    )
    assert response.status_code == 201
    assert CounsellingSession.objects.get(pk=response.json()["id"]).notes == ""


def test_protected_fields_fail_closed_without_a_request(case_manager):
    returnee = factories.returnee(case_manager, documents=[services.DocumentInput("passport", "G1", "MX")])
    assert "number" not in DocumentSerializer(returnee.documents.get()).data
    case = factories.assessed_case(case_manager)
    data = AssessmentSerializer(case.assessments.get()).data
    assert "economic_need" in data
    assert not {"protection_concerns", "health_notes", "mental_health_notes", "gbv_notes"} & set(data)


# --- OpenAPI -------------------------------------------------------------------------------------


def test_schema_lists_every_endpoint():
    response = client_for().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    expected = {
        "/api/v1/auth/token/",
        "/api/v1/returnees/",
        "/api/v1/returnees/{id}/",
        "/api/v1/returnees/duplicates/",
        "/api/v1/cases/",
        "/api/v1/cases/{id}/",
        "/api/v1/cases/{id}/assessments/",
        "/api/v1/cases/{id}/assessments/{assessment_id}/",
        "/api/v1/cases/{id}/counselling-sessions/",
        "/api/v1/cases/{id}/household/",
        "/api/v1/cases/{id}/plan/",
        "/api/v1/cases/{id}/plan/agree/",
        "/api/v1/cases/{id}/follow-ups/",
        "/api/v1/cases/{id}/close/",
        "/api/v1/cases/{id}/reopen/",
        "/api/v1/cases/{id}/assign/",
        # Data protection (reintegra.access.api).
        "/api/v1/returnees/{id}/consents/",
        "/api/v1/consents/{id}/withdraw/",
        "/api/v1/cases/{id}/shares/",
        "/api/v1/shares/{id}/revoke/",
        "/api/v1/audit/",
        "/api/v1/analytics/cases/",
        "/api/v1/analytics/aggregates/",
    }
    # The other apps' endpoints are checked by their own tests; these are the case and protection ones.
    assert expected <= set(schema["paths"])
    assert {"/api/v1/reminders/", "/api/v1/reminders/{id}/read/"} <= set(schema["paths"])
    assert "delete" not in schema["paths"]["/api/v1/returnees/{id}/"]
    # Sensitive fields are documented even though not everyone receives them.
    assert "health_notes" in schema["components"]["schemas"]["Assessment"]["properties"]
    assert client_for().get("/api/docs/").status_code == 200


# --- Never a 500 ---------------------------------------------------------------------------------

_ALL_FIELDS = [
    "given_names", "first_family_name", "second_family_name", "sex", "birth_date", "estimated_age", "nationality",
    "return_country", "municipality", "attention_flags", "documents", "returnee", "case_manager", "return_date",
    "return_type", "host_country", "transit_countries", "reception_assistance", "causes_of_migration", "causes_note",
    "assessed_on", "kind", "economic_need", "health_notes", "held_on", "mode", "duration_minutes", "notes", "members",
    "goals", "motivations", "items", "agreed_on", "late_reason", "visited_on", "next_visit_on", "progress", "reason",
    "closed_on", "note",
]  # fmt: skip
_JUNK = [None, "", "x" * 20_000, -1, 10**30, 1.5, [], [None], [{}], {}, {"a": [1]}, True, "2026-13-45", "\x00", "💥"]


def test_junk_never_causes_a_server_error(case_manager, supervisor):
    case = factories.agreed_case(case_manager)
    assessment = case.assessments.get()
    base = f"/api/v1/cases/{case.pk}/"
    endpoints = [
        ("post", "/api/v1/returnees/"),
        ("patch", f"/api/v1/returnees/{case.returnee_id}/"),
        ("put", f"/api/v1/returnees/{case.returnee_id}/"),
        ("post", "/api/v1/cases/"),
        ("patch", base),
        ("post", base + "assessments/"),
        ("patch", f"{base}assessments/{assessment.pk}/"),
        ("post", base + "counselling-sessions/"),
        ("put", base + "household/"),
        ("put", base + "plan/"),
        ("post", base + "plan/agree/"),
        ("post", base + "follow-ups/"),
        ("post", base + "close/"),
        ("post", base + "reopen/"),
        ("post", base + "assign/"),
        ("post", "/api/v1/auth/token/"),
    ]
    client = client_for(supervisor)
    for method, url in endpoints:
        for junk in _JUNK:
            for body in (junk, dict.fromkeys(_ALL_FIELDS, junk)):
                cache.clear()  # the token endpoint is throttled
                response = getattr(client, method)(url, body, format="json")
                assert response.status_code < 500, (method, url, body)
    for params in ({"search": "\x00"}, {"status": ["a", "b"]}, {"page_size": "-1"}, {"return_from": "0000-00-00"}):
        assert client.get("/api/v1/cases/", params).status_code < 500, params
    for params in ({"given_names": "\x00", "family_names": "x"}, {"document_number": "💥"}, {"estimated_age": "1e9"}):
        assert post(client, "/api/v1/returnees/duplicates/", params).status_code < 500, params


def test_the_schema_documents_the_capped_count_of_every_page():
    schema = json.loads(client_for().get("/api/schema/", {"format": "json"}).content)
    pages = [name for name in schema["components"]["schemas"] if name.startswith("Paginated")]
    assert "PaginatedCaseListList" in pages
    for name in pages:
        page = schema["components"]["schemas"][name]
        assert page["required"] == ["count", "count_is_capped", "results"], name
        assert page["properties"]["count_is_capped"]["type"] == "boolean", name
        assert "10,000" in page["properties"]["count"]["description"], name


@pytest.mark.parametrize("language", ["es", "en", "fr"])
def test_label_fields_answer_what_get_display_answers(language):
    """`status_label` & co. read the label from the Choices class (no `get_FOO_display`, no callable lookup):
    the same text for every code, a code that is no longer a choice, and no code."""
    from django.utils import translation

    from reintegra.api.fields import ChoiceLabelField
    from reintegra.cases.choices import CaseStatus, ClosureCategory, ClosureReason, ReturnType
    from reintegra.cases.models import Case

    with translation.override(language):
        for name, choices in [
            ("status", CaseStatus),
            ("return_type", ReturnType),
            ("closure_reason", ClosureReason),
            ("closure_category", ClosureCategory),
        ]:
            field = ChoiceLabelField(choices, source=name)
            for code in [*choices.values, "", "retired_code"]:
                case = Case(**{name: code})
                expected = getattr(case, f"get_{name}_display")()
                assert field.to_representation(getattr(case, name)) == expected, (name, code)


def test_serializers_get_their_own_fields_built_once_per_class():
    """The model's fields are built once per class and cloned per serializer: two serializers never share a
    field (binding, context and the per-user removal of sensitive fields stay per request)."""
    from reintegra.cases.serializers import CaseListSerializer

    first, second = CaseListSerializer(), CaseListSerializer()
    assert list(first.fields) == list(second.fields)
    assert "_fields_built_once" in vars(CaseListSerializer)
    for name in first.fields:
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first and second.fields[name].parent is second


def test_quick_representation_answers_what_drf_answers(api, case_manager, monkeypatch):
    """`QuickRepresentation` reads plain attributes directly and leaves the rest to DRF: the list, a search, a
    case with its plan and timeline, and a returnee answer the same JSON with DRF's own `to_representation`."""
    from rest_framework import serializers

    from reintegra.api.protection import QuickRepresentation

    agreed = factories.agreed_case(case_manager)
    plain = factories.case(case_manager, case_manager=case_manager)
    urls = [
        "/api/v1/cases/",
        f"/api/v1/cases/?search={agreed.returnee.first_family_name}",
        f"/api/v1/cases/{agreed.pk}/",
        f"/api/v1/cases/{plain.pk}/",
        f"/api/v1/returnees/{agreed.returnee_id}/",
        "/api/v1/returnees/",
    ]
    quick = [api.get(url).json() for url in urls]
    monkeypatch.setattr(QuickRepresentation, "to_representation", serializers.Serializer.to_representation)
    assert [api.get(url).json() for url in urls] == quick
    assert quick[0]["count"] == 2 and quick[2]["id"] == agreed.pk

"""Tracing through the pages and the API: the journey, the answers' shapes and codes, the access trail."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from reintegra.access.models import AccessEvent
from reintegra.access.roles import Role
from reintegra.children import tracing_services as services
from reintegra.children.tracing_models import ReunificationFollowUp, TracingRequest
from reintegra.testing import factories

pytestmark = pytest.mark.django_db


def iso(days: int = 0) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


@pytest.fixture
def world():
    org = factories.organisation("pgn-gt", country="GT")
    manager = factories.user(org, Role.CASE_MANAGER)
    child = factories.returnee(
        manager,
        given_names="Juan",
        first_family_name="Tzoc",
        birth_date=timezone.localdate() - timedelta(days=15 * 365),
        return_country="GT",
        nationality="GT",
    )
    case = factories.case(manager, child, case_manager=manager)
    return org, manager, case


def test_web_journey(world):
    _org, manager, case = world
    client = Client()
    client.force_login(manager)
    base = f"/ninez/casos/{case.pk}/localizacion/"
    assert client.get(base).status_code == 200
    response = client.post(
        reverse("children:tracing-request-new", args=[case.pk]),
        {"relationship": "father", "given_names": "Pedro", "family_names": "Tzoc Ajú", "opened_on": iso(-3)},
    )
    assert response.status_code == 302
    request = TracingRequest.objects.get(case=case)
    response = client.post(
        reverse("children:tracing-action-new", args=[case.pk]),
        {
            "request": request.pk,
            "method": "community_leaders",
            "taken_on": iso(-1),
            "carried_out_by": "COCODE",
            "result": "lead",
        },
    )
    assert response.status_code == 302
    refused = client.post(
        reverse("children:tracing-action-new", args=[case.pk]),
        {"request": request.pk, "method": "", "taken_on": iso(2), "carried_out_by": "", "result": "lead"},
    )
    assert refused.status_code == 400
    errors = {f: {e.code for e in errs} for f, errs in refused.context["form"].errors.as_data().items()}
    assert errors == {"method": {"required"}, "taken_on": {"in_future"}, "carried_out_by": {"required"}}
    page = client.get(reverse("children:tracing-request", args=[case.pk, request.pk]))
    assert "COCODE" in page.content.decode()
    assert client.get(reverse("children:tracing-matches", args=[case.pk, request.pk])).status_code == 200
    response = client.post(
        reverse("children:tracing-found-new", args=[case.pk]),
        {
            "request": request.pk,
            "relationship": "father",
            "given_names": "Pedro",
            "family_names": "Tzoc Ajú",
            "found_on": iso(),
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("children:reunification", args=[case.pk]),
        {
            "revision": "0",
            "assessed_on": iso(),
            "family_member": request.found.get().pk,
            "family_willing": "yes",
            "family_able": "no",
            "home_safe": "yes",
            "child_wish": "wants",
            "authority_view": "agrees",
            "recommendation": "reunify",
            "reunified_on": iso(),
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors.as_data()["recommendation"][0].code == "support_needed"
    response = client.post(
        reverse("children:reunification", args=[case.pk]),
        {
            "revision": "0",
            "assessed_on": iso(),
            "family_member": request.found.get().pk,
            "family_willing": "yes",
            "family_able": "no",
            "home_safe": "yes",
            "child_wish": "wants",
            "authority_view": "agrees",
            "recommendation": "reunify_with_support",
            "reunified_on": iso(),
        },
    )
    assert response.status_code == 302
    overview = client.get(base).content.decode()
    assert "Pedro" in overview and ReunificationFollowUp.objects.filter(case=case).count() == 4
    visit = ReunificationFollowUp.objects.filter(case=case).first()
    assert client.get(reverse("children:reunification-follow-up", args=[case.pk, visit.pk])).status_code == 200


def test_api_journey(world):
    _org, manager, case = world
    api = APIClient()
    api.force_authenticate(manager)
    url = f"/api/v1/cases/{case.pk}/"
    created = api.post(
        url + "tracing-requests/",
        {"relationship": "mother", "given_names": "Rosa", "family_names": "Tzoc", "opened_on": iso(-2)},
        format="json",
    )
    assert created.status_code == 201, created.content
    request_id = created.json()["id"]
    bad = api.post(
        url + "tracing-actions/", {"request": request_id, "method": "telepathy", "taken_on": iso(1)}, format="json"
    )
    assert bad.status_code == 400
    assert {(e["field"], e["code"]) for e in bad.json()["errors"]} == {("method", "invalid_choice")}
    bad = api.post(
        url + "tracing-actions/", {"request": request_id, "method": "phone", "taken_on": iso(1)}, format="json"
    )
    found = {(e["field"], e["code"]) for e in bad.json()["errors"]}
    assert found == {("taken_on", "in_future"), ("carried_out_by", "required"), ("result", "required")}
    ok = api.post(
        url + "tracing-actions/",
        {
            "request": request_id,
            "method": "consulate",
            "taken_on": iso(),
            "carried_out_by": "Consulado",
            "result": "family_located",
        },
        format="json",
    )
    assert ok.status_code == 201
    assert [a["method"] for a in api.get(url + "tracing-actions/").json()] == ["consulate"]
    matches = api.get(url + f"tracing-requests/{request_id}/matches/")
    assert matches.status_code == 200 and matches.json() == []
    assert api.get(url + "tracing-requests/999999/matches/").status_code == 404
    member = api.post(
        url + "family-members-found/",
        {"request": request_id, "relationship": "mother", "given_names": "Rosa", "found_on": iso()},
        format="json",
    )
    assert member.status_code == 201
    assert api.get(url + "reunification-assessment/").status_code == 404
    body = {
        "assessed_on": iso(),
        "family_member": member.json()["id"],
        "family_willing": "yes",
        "family_able": "yes",
        "home_safe": "yes",
        "child_wish": "wants",
        "authority_view": "agrees",
        "recommendation": "reunify",
        "reunified_on": iso(),
    }
    saved = api.put(url + "reunification-assessment/", body, format="json")
    assert saved.status_code == 201, saved.content
    assert saved["ETag"] == '"1"' and len(saved.json()["follow_ups"]) == 4
    assert api.put(url + "reunification-assessment/", body, format="json").status_code == 428
    stale = api.put(url + "reunification-assessment/", body, format="json", HTTP_IF_MATCH='"9"')
    assert stale.status_code == 412
    refused = api.put(
        url + "reunification-assessment/", {"authority_view": "pending"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert refused.status_code == 400
    assert {"field": "authority_view", "code": "authority_agreement_required"} in [
        {"field": e["field"], "code": e["code"]} for e in refused.json()["errors"]
    ]
    visit = saved.json()["follow_ups"][0]["id"]
    done = api.post(url + f"reunification-follow-ups/{visit}/", {"done_on": iso(), "outlook": "stable"}, format="json")
    assert done.status_code == 200 and done.json()["done_on"] == iso()
    assert api.get(url + "tracing-requests/", {"unknown": "1"}).status_code == 400
    assert AccessEvent.objects.filter(object_type="cases.case", channel="api").exists()


def test_hidden_case_is_404_and_no_protection_is_403(world):
    org, _manager, case = world
    api = APIClient()
    api.force_authenticate(factories.user(factories.organisation("otra"), Role.SUPERVISOR))
    assert api.get(f"/api/v1/cases/{case.pk}/tracing-actions/").status_code == 404
    api.force_authenticate(factories.user(org, Role.ME_OFFICER))
    assert api.get(f"/api/v1/cases/{case.pk}/tracing-actions/").status_code == 403


def test_reminder_link_opens(world):
    _org, manager, case = world
    request = services.open_tracing_request(
        manager, case, services.TracingRequestInput(relationship="mother", given_names="Rosa", opened_on=date.today())
    )
    assert request.pk
    client = Client()
    client.force_login(manager)
    assert client.get(reverse("children:tracing", args=[case.pk])).status_code == 200

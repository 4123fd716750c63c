"""Issue 10, item 6 (lost updates) on the individual case: two users read, both write; the second write,
based on what the first changed, is refused (API 412, web form conflict panel) and nothing is lost.

Each test: reader A and reader B read the same version; writer A succeeds; writer B, still holding the old
version, is refused; what A wrote is still there; B can then apply their change on top of the new version.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from reintegra.access.roles import Role
from reintegra.access.versioning import StaleVersion
from reintegra.cases import services
from reintegra.cases.models import Assessment, Case, Household, ReintegrationPlan, Returnee
from reintegra.conftest import _english_outside_requests  # noqa: F401 - English outside requests
from reintegra.testing import factories
from reintegra.testing.html_forms import form_values

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def api_for(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def web_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def org(db):
    return factories.organisation("oim-mx", country="MX", name="OIM México")


@pytest.fixture
def team(org):
    return factories.team(org, "Equipo Tijuana")


@pytest.fixture
def case_manager(org, team):
    return factories.user(org, Role.CASE_MANAGER, team=team, username="gestora", first_name="Ana", last_name="Pérez")


@pytest.fixture
def supervisor(org, team):
    return factories.user(org, Role.SUPERVISOR, team=team, username="supervisor")


@pytest.fixture
def colleague(org, team):
    return factories.user(org, Role.CASE_MANAGER, team=team, username="colega", first_name="Luis", last_name="Mora")


@pytest.fixture
def supervisor_b(org, team):
    return factories.user(org, Role.SUPERVISOR, team=team, username="supervisora-b")


def page_form(response) -> dict:
    """The edit form of a page as the browser would submit it (the one carrying the version)."""
    return form_values(response.content, "revision")


def item(approach: str, **extra) -> dict:
    return {"dimension": "economic", "approach": approach, "assistance_form": "in_kind", **extra}


def plan_with_items(case_manager, *approaches: str) -> Case:
    case = factories.assessed_case(case_manager)
    services.save_plan(
        case_manager,
        case,
        goals="Negocio",
        motivations="Familia",
        items=[services.PlanItemInput(**item(a)) for a in approaches],
    )
    return case


# --- API -----------------------------------------------------------------------------------------


def if_match(response) -> dict:
    """The If-Match header a client sends back from what it read (nothing if the read had no ETag)."""
    return {"HTTP_IF_MATCH": response["ETag"]} if response.has_header("ETag") else {}


def test_plan_put_by_two_users_second_gets_412_and_no_item_is_lost(case_manager, colleague):
    """The reported case: both read the plan, both PUT; before, both got 200 and A's new item was deleted."""
    case = plan_with_items(case_manager, "Desarrollo de negocios")
    url = f"/api/v1/cases/{case.pk}/plan/"
    a, b = api_for(case_manager), api_for(colleague)
    read_a, read_b = a.get(url), b.get(url)
    items_read = read_b.json()["items"]

    # A adds an item; B, from the old read, changes the first item's status: B's list would replace A's.
    response = a.put(
        url, {"items": [*read_a.json()["items"], item("Capital semilla")]}, format="json", **if_match(read_a)
    )
    stale = b.put(url, {"items": [{**items_read[0], "status": "in_progress"}]}, format="json", **if_match(read_b))
    assert response.status_code == 200, response.content
    assert sorted(case.plan.items.values_list("approach", flat=True)) == ["Capital semilla", "Desarrollo de negocios"]
    assert stale.status_code == 412, stale.content
    body = stale.json()
    assert body["code"] == "stale"
    assert body["current_version"] == response.json()["version"]
    assert "Someone else changed this record" in body["detail"]
    assert read_a["ETag"] == read_b["ETag"] == f'"{read_a.json()["version"]}"'
    assert response["ETag"] == stale["ETag"] == f'"{response.json()["version"]}"' != read_a["ETag"]

    # B reads again and applies the change on top.
    again = b.get(url)
    items_now = again.json()["items"]
    changed = [{**i, "status": "in_progress"} if i["approach"] == "Desarrollo de negocios" else i for i in items_now]
    done = b.put(url, {"items": changed}, format="json", HTTP_IF_MATCH=again["ETag"])
    assert done.status_code == 200, done.content
    stored = dict(case.plan.items.values_list("approach", "status"))
    assert stored == {"Desarrollo de negocios": "in_progress", "Capital semilla": "planned"}


def test_plan_write_needs_if_match_once_the_plan_exists(case_manager, colleague):
    case = factories.assessed_case(case_manager)
    url = f"/api/v1/cases/{case.pk}/plan/"
    # No plan yet: nothing can be overwritten, the first PUT creates it without If-Match.
    created = api_for(case_manager).put(url, {"goals": "Negocio", "items": [item("Empleo")]}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["version"] == 1 and created["ETag"] == '"1"'
    # A second user who also saw no plan, and PUTs (or POSTs) without If-Match, does not replace it.
    for method in ("put", "post"):
        response = getattr(api_for(colleague), method)(url, {"items": [item("Otra cosa")]}, format="json")
        assert response.status_code == 428, response.content
        assert response.json()["code"] == "precondition_required"
        assert "If-Match" in response.json()["detail"]
    assert list(case.plan.items.values_list("approach", flat=True)) == ["Empleo"]


def test_plan_created_meanwhile_is_stale_for_a_creator(case_manager, colleague):
    """The race behind the 428: both saw no plan (version 0); the second creation is refused in the service."""
    case = factories.assessed_case(case_manager)
    services.save_plan(case_manager, case, goals="A", motivations="", items=[], expected_version=0)
    with pytest.raises(StaleVersion) as refused:
        services.save_plan(colleague, case, goals="B", motivations="", items=[], expected_version=0)
    assert refused.value.current_version == 1
    assert ReintegrationPlan.objects.get(case=case).goals == "A"


def test_returnee_put_by_two_users(case_manager, colleague):
    returnee = factories.case(case_manager).returnee
    url = f"/api/v1/returnees/{returnee.pk}/"
    a, b = api_for(case_manager), api_for(colleague)
    read_a, read_b = a.get(url), b.get(url)

    body_a = {**read_a.json(), "phone": "+52 33 1111 2222"}
    body_a.pop("estimated_age", None)
    response = a.put(url, body_a, format="json", **if_match(read_a))
    # B's PUT would write back the old phone along with a new address.
    stale = b.put(url, {**read_b.json(), "address": "Calle 5 de Mayo 12"}, format="json", **if_match(read_b))
    assert response.status_code == 200, response.content
    returnee.refresh_from_db()
    assert (returnee.phone, returnee.address) == ("+523311112222", "")  # stored as E.164
    assert stale.status_code == 412, stale.content
    assert stale.json()["current_version"] == response.json()["version"]
    assert read_a["ETag"] == f'"{read_a.json()["version"]}"'

    patched = b.patch(url, {"address": "Calle 5 de Mayo 12"}, format="json", HTTP_IF_MATCH=response["ETag"])
    assert patched.status_code == 200, patched.content
    returnee.refresh_from_db()
    assert (returnee.phone, returnee.address) == ("+523311112222", "Calle 5 de Mayo 12")


def test_returnee_if_match_forms(case_manager):
    returnee = factories.returnee(case_manager)
    url = f"/api/v1/returnees/{returnee.pk}/"
    api = api_for(case_manager)
    missing = api.patch(url, {"phone": "1"}, format="json")
    assert missing.status_code == 428 and missing.json()["code"] == "precondition_required"
    assert api.patch(url, {"phone": "1"}, format="json", HTTP_IF_MATCH="*").status_code == 428
    for garbage in ('"abc"', '"99999999999999999999"', "nonsense", '""'):
        response = api.patch(url, {"phone": "1"}, format="json", HTTP_IF_MATCH=garbage)
        assert response.status_code == 412, (garbage, response.content)
    # A weak tag (as a compressing proxy may rewrite it) and a list including the current one match.
    assert api.patch(url, {"phone": "33 1111 0002"}, format="json", HTTP_IF_MATCH='W/"1"').status_code == 200
    assert api.patch(url, {"phone": "33 1111 0003"}, format="json", HTTP_IF_MATCH='"1", "2"').status_code == 200
    returnee.refresh_from_db()
    assert (returnee.phone, returnee.revision) == ("+523311110003", 3)


def test_case_return_information_patch(case_manager, colleague):
    case = factories.case(case_manager)
    url = f"/api/v1/cases/{case.pk}/"
    read_a, read_b = api_for(case_manager).get(url), api_for(colleague).get(url)
    assert read_a["ETag"] == f'"{read_a.json()["version"]}"'
    ok = api_for(case_manager).patch(url, {"reception_place": "Tijuana"}, format="json", HTTP_IF_MATCH=read_a["ETag"])
    assert ok.status_code == 200, ok.content
    stale = api_for(colleague).patch(url, {"causes_note": "x"}, format="json", HTTP_IF_MATCH=read_b["ETag"])
    assert stale.status_code == 412
    assert api_for(colleague).patch(url, {"causes_note": "x"}, format="json").status_code == 428
    case.refresh_from_db()
    assert (case.reception_place, case.causes_note) == ("Tijuana", "")


def test_household_put(case_manager, colleague):
    case = factories.case(case_manager)
    url = f"/api/v1/cases/{case.pk}/household/"
    first = api_for(case_manager).get(url)
    assert first.json()["version"] == 0 and first["ETag"] == '"0"'
    member_a = {"given_names": "Rosa", "relationship": "child", "estimated_age": 7}
    member_b = {"given_names": "Pedro", "relationship": "spouse"}
    created = api_for(case_manager).put(url, {"members": [member_a]}, format="json", HTTP_IF_MATCH=first["ETag"])
    assert created.status_code == 200, created.content
    # B also saw no household: creating "another" one would have replaced A's members.
    for headers in ({}, {"HTTP_IF_MATCH": '"0"'}):
        refused = api_for(colleague).put(url, {"members": [member_b]}, format="json", **headers)
        assert refused.status_code in (412, 428), refused.content
    case.refresh_from_db()
    assert list(Household.objects.get(pk=case.household_id).members.values_list("given_names", flat=True)) == ["Rosa"]
    both = api_for(colleague).put(url, {"members": [member_a, member_b]}, format="json", HTTP_IF_MATCH=created["ETag"])
    assert both.status_code == 200
    assert [m["given_names"] for m in both.json()["members"]] == ["Rosa", "Pedro"]


def test_assessment_patch(case_manager, colleague):
    case = factories.assessed_case(case_manager)
    assessment = Assessment.objects.get(case=case)
    url = f"/api/v1/cases/{case.pk}/assessments/{assessment.pk}/"
    read_a, read_b = api_for(case_manager).get(url), api_for(colleague).get(url)
    assert read_a["ETag"] == read_b["ETag"] == '"1"'
    ok = api_for(case_manager).patch(url, {"risk_factors": "Deudas"}, format="json", HTTP_IF_MATCH=read_a["ETag"])
    assert ok.status_code == 200
    stale = api_for(colleague).patch(url, {"risk_factors": ""}, format="json", HTTP_IF_MATCH=read_b["ETag"])
    assert stale.status_code == 412
    assessment.refresh_from_db()
    assert assessment.risk_factors == "Deudas"


def test_agreeing_a_plan_changed_since_it_was_read(case_manager, colleague):
    """POST actions take an optional If-Match: when given, a plan changed since is not agreed unseen."""
    case = plan_with_items(case_manager, "Empleo")
    plan_url = f"/api/v1/cases/{case.pk}/plan/"
    read = api_for(colleague).get(plan_url)
    changed = api_for(case_manager).put(
        plan_url, {"items": [item("Otra cosa")]}, format="json", HTTP_IF_MATCH=read["ETag"]
    )
    assert changed.status_code == 200
    agree = {"agreed_on": TODAY().isoformat()}
    refused = api_for(colleague).post(plan_url + "agree/", agree, format="json", HTTP_IF_MATCH=read["ETag"])
    assert refused.status_code == 412
    assert ReintegrationPlan.objects.get(case=case).agreed_on is None
    accepted = api_for(colleague).post(plan_url + "agree/", agree, format="json", HTTP_IF_MATCH=changed["ETag"])
    assert accepted.status_code == 200, accepted.content


def test_assign_with_a_stale_if_match(case_manager, supervisor, supervisor_b, colleague):
    case = factories.case(case_manager)
    url = f"/api/v1/cases/{case.pk}/"
    read = api_for(supervisor_b).get(url)
    assert api_for(supervisor).post(url + "assign/", {"case_manager": colleague.pk}, format="json").status_code == 200
    refused = api_for(supervisor_b).post(
        url + "assign/", {"case_manager": supervisor_b.pk}, format="json", HTTP_IF_MATCH=read["ETag"]
    )
    assert refused.status_code == 412
    case.refresh_from_db()
    assert case.case_manager_id == colleague.pk


def test_a_follow_up_that_changes_item_statuses_moves_the_plan_version(case_manager, colleague):
    """Item statuses are part of the plan: a revision read before a follow-up visit is stale after it."""
    case = factories.agreed_case(case_manager)
    plan_url = f"/api/v1/cases/{case.pk}/plan/"
    read = api_for(colleague).get(plan_url)
    item_id = read.json()["items"][0]["id"]
    visit = {"visited_on": TODAY().isoformat(), "progress": [{"item": item_id, "status": "in_progress"}]}
    assert api_for(case_manager).post(plan_url.replace("plan/", "follow-ups/"), visit, format="json").status_code == 201
    refused = api_for(colleague).put(
        plan_url, {"items": read.json()["items"]}, format="json", HTTP_IF_MATCH=read["ETag"]
    )
    assert refused.status_code == 412
    assert case.plan.items.get().status == "in_progress"


def test_reads_carry_the_etag(case_manager):
    case = plan_with_items(case_manager, "Empleo")
    api = api_for(case_manager)
    for url in (
        f"/api/v1/returnees/{case.returnee_id}/",
        f"/api/v1/cases/{case.pk}/",
        f"/api/v1/cases/{case.pk}/plan/",
        f"/api/v1/cases/{case.pk}/household/",
    ):
        response = api.get(url)
        assert response.status_code == 200
        assert response["ETag"] == f'"{response.json()["version"]}"', url


# --- Web forms -----------------------------------------------------------------------------------


def test_plan_form_conflict_keeps_what_was_typed_and_shows_the_other_change(case_manager, colleague):
    case = plan_with_items(case_manager, "Desarrollo de negocios")
    url = reverse("cases:plan_edit", args=[case.pk])
    a, b = web_for(case_manager), web_for(colleague)
    form_a, form_b = page_form(a.get(url)), page_form(b.get(url))
    assert form_a["revision"] == form_b["revision"] == "1"

    # A adds an item in the empty row.
    form_a.update(
        {"items-1-dimension": "social", "items-1-approach": "Grupo de apoyo", "items-1-assistance_form": "service"}
    )
    assert a.post(url, form_a).status_code == 302

    # B changes the goals from the old page.
    form_b["goals"] = "Abrir una tienda de abarrotes"
    response = b.post(url, form_b)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else changed this record while you were editing it." in html
    assert "Last change by Ana Pérez" in html
    assert "Grupo de apoyo" in html  # the other change, in the "stored now" column
    assert "Abrir una tienda de abarrotes" in html  # what B typed is kept
    plan = ReintegrationPlan.objects.get(case=case)
    assert plan.goals == "Negocio"
    assert sorted(plan.items.values_list("approach", flat=True)) == ["Desarrollo de negocios", "Grupo de apoyo"]

    # The re-displayed form carries the current version: saving again applies B's values on top.
    again = form_values(html, "revision")
    assert again["revision"] == str(plan.revision)
    assert again["goals"] == "Abrir una tienda de abarrotes"
    assert b.post(url, again).status_code == 302
    plan.refresh_from_db()
    assert plan.goals == "Abrir una tienda de abarrotes"


def test_returnee_form_conflict(case_manager, colleague):
    case = factories.case(case_manager)
    url = reverse("cases:edit_returnee", args=[case.pk])
    a, b = web_for(case_manager), web_for(colleague)
    form_a, form_b = page_form(a.get(url)), page_form(b.get(url))
    form_a["phone"] = "+52 33 4444 5555"
    assert a.post(url, form_a).status_code == 302
    form_b["locality"] = "Colonia Americana"
    response = b.post(url, form_b)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed this record" in html
    returnee = Returnee.objects.get(pk=case.returnee_id)
    assert (returnee.phone, returnee.locality) == ("+523344445555", "")
    assert returnee.phone in html and "Colonia Americana" in html


def test_a_form_posted_without_its_version_is_not_saved(case_manager):
    """An old page (or a hand-made POST) without the hidden version cannot overwrite blindly."""
    case = factories.case(case_manager)
    url = reverse("cases:edit_return", args=[case.pk])
    client = web_for(case_manager)
    data = page_form(client.get(url))
    del data["revision"]
    data["reception_place"] = "Somewhere"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Someone else changed this record" in response.content.decode()
    case.refresh_from_db()
    assert case.reception_place != "Somewhere"


def test_return_household_agree_and_assign_forms_refuse_stale_saves(case_manager, colleague, supervisor, supervisor_b):
    case = plan_with_items(case_manager, "Empleo")
    a, b = web_for(case_manager), web_for(colleague)

    # Return information.
    url = reverse("cases:edit_return", args=[case.pk])
    old = page_form(b.get(url))
    new = page_form(a.get(url))
    new["reception_place"] = "Aeropuerto"
    assert a.post(url, new).status_code == 302
    old["causes_note"] = "Nota de B"
    html = b.post(url, old).content.decode()
    assert "Someone else changed this record" in html and "Aeropuerto" in html
    case.refresh_from_db()
    assert (case.reception_place, case.causes_note) == ("Aeropuerto", "")

    # Household.
    url = reverse("cases:household", args=[case.pk])
    old, new = page_form(b.get(url)), page_form(a.get(url))
    assert old["revision"] == "0"
    new.update({"members-0-given_names": "Rosa", "members-0-relationship": "child"})
    assert a.post(url, new).status_code == 302
    old.update({"members-0-given_names": "Pedro", "members-0-relationship": "spouse"})
    html = b.post(url, old).content.decode()
    assert "Someone else changed this record" in html and "Rosa" in html and "Pedro" in html
    case.refresh_from_db()
    assert list(case.household.members.values_list("given_names", flat=True)) == ["Rosa"]

    # Agreeing a plan someone changed since the page was opened.
    url = reverse("cases:plan_agree", args=[case.pk])
    agree = page_form(b.get(url))
    services.save_plan(
        case_manager,
        case,
        goals="Negocio",
        motivations="",
        items=[services.PlanItemInput(**item("Capital semilla"))],
        expected_version=None,
    )
    html = b.post(url, agree).content.decode()
    assert "Someone else changed this record" in html and "Capital semilla" in html
    assert ReintegrationPlan.objects.get(case=case).agreed_on is None

    # Assigning.
    url = reverse("cases:assign", args=[case.pk])
    stale = page_form(web_for(supervisor_b).get(url))
    fresh = page_form(web_for(supervisor).get(url))
    fresh["case_manager"] = str(colleague.pk)
    assert web_for(supervisor).post(url, fresh).status_code == 302
    stale["case_manager"] = str(supervisor_b.pk)
    html = web_for(supervisor_b).post(url, stale).content.decode()
    assert "Someone else changed this record" in html
    case.refresh_from_db()
    assert case.case_manager_id == colleague.pk


def test_a_typing_error_does_not_refresh_the_version(case_manager, colleague):
    """A form re-displayed for a validation error keeps the version it was opened at."""
    case = factories.case(case_manager)
    url = reverse("cases:edit_return", args=[case.pk])
    b = web_for(colleague)
    form_b = page_form(b.get(url))
    services.update_return_information(
        case_manager, case, factories.return_input(reception_place="Aeropuerto"), expected_version=case.revision
    )
    form_b["return_date"] = "2026-02-30"  # a typing error: refused by the form, before the service
    redisplayed = page_form(b.post(url, form_b))
    assert redisplayed["revision"] == form_b["revision"]
    redisplayed["return_date"] = TODAY().isoformat()
    html = b.post(url, redisplayed).content.decode()
    assert "Someone else changed this record" in html
    case.refresh_from_db()
    assert case.reception_place == "Aeropuerto"

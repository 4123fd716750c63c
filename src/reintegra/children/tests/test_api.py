"""The child's case through the API: the existing plan and closure endpoints obey the child rules (400 with
their codes), and the child-profile, BIA, BID, participation and child-case endpoints (issue 13)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from reintegra.access.roles import Role
from reintegra.children import services
from reintegra.children.tests.conftest import World, approved_bia, bia_input, decided_bid, drafted_plan, unaccompanied
from reintegra.testing import factories as f
from reintegra.testing.api_clients import api_client_for
from reintegra.testing.trail import access_events

pytestmark = pytest.mark.django_db


def url(case_id: int, tail: str) -> str:
    return f"/api/v1/cases/{case_id}/{tail}"


def test_the_existing_plan_agreement_answers_bia_required_then_bid_required(world: World):
    unaccompanied(world)
    drafted_plan(world)
    api = api_client_for(world.manager)
    agree = lambda: api.post(url(world.child_case.pk, "plan/agree/"), {"agreed_on": timezone.localdate().isoformat()})  # noqa: E731
    answer = agree()
    assert answer.status_code == 400 and answer.json()["code"] == "bia_required"
    approved_bia(world)
    answer = agree()
    assert answer.status_code == 400 and answer.json()["code"] == "bid_required"
    services.save_determination(world.manager, world.child_case, decided_bid(world))
    answer = agree()
    assert answer.status_code == 400 and answer.json()["code"] == "participation_required"
    posted = api.post(
        url(world.child_case.pk, "child-participation/"),
        {"decision": "plan", "method": "in_person", "views": "Quiere estudiar", "recorded_on": timezone.localdate()},
        format="json",
    )
    assert posted.status_code == 201
    assert agree().status_code == 200


def test_closing_a_child_case_through_the_api_needs_the_childs_participation(world: World):
    api = api_client_for(world.manager)
    answer = api.post(url(world.child_case.pk, "close/"), {"reason": "left_area"}, format="json")
    assert answer.status_code == 400 and answer.json()["code"] == "participation_required"


def test_the_child_profile_is_read_and_written_with_its_version(world: World):
    api = api_client_for(world.manager)
    first = api.get(url(world.child_case.pk, "child-profile/"))
    assert first.status_code == 200 and first.json()["version"] == 0 and first.json()["is_child_case"]
    body = {
        "care_status": "unaccompanied",
        "caregivers": [{"name": "Rosa Pérez", "relationship": "tía"}],
        "authority": "gt_pgn",
        "authority_officer": "Lic. Ramírez",
        "languages": "k'iche'",
    }
    saved = api.put(url(world.child_case.pk, "child-profile/"), body, format="json")
    assert saved.status_code == 200, saved.json()
    assert saved.json()["care_status"] == "unaccompanied" and saved.headers["ETag"] == '"1"'
    refused = api.put(url(world.child_case.pk, "child-profile/"), {**body, "caregivers": [{"name": ""}]}, format="json")
    assert refused.status_code == 400
    assert {(e["field"], e["code"]) for e in refused.json()["errors"]} == {("caregivers.0.name", "required")}
    stale = api.put(url(world.child_case.pk, "child-profile/"), body, format="json", HTTP_IF_MATCH='"0"')
    assert stale.status_code == 412


def test_child_details_are_hidden_without_the_protection_category_and_outside_the_scope(world: World):
    me_officer = f.user(world.org, Role.ME_OFFICER)
    assert api_client_for(me_officer).get(url(world.child_case.pk, "child-profile/")).status_code == 403
    stranger = f.user(f.organisation("otra"), Role.CASE_MANAGER)
    for tail in ("child-profile/", "best-interests-assessments/", "best-interests-determination/"):
        assert api_client_for(stranger).get(url(world.child_case.pk, tail)).status_code == 404


def test_a_bia_is_started_listed_with_an_audit_and_approved_by_a_supervisor(world: World):
    api = api_client_for(world.manager)
    body = {**bia_input().__dict__, "started_on": timezone.localdate().isoformat()}
    created = api.post(url(world.child_case.pk, "best-interests-assessments/"), body, format="json")
    assert created.status_code == 201, created.json()
    bia = created.json()
    assert bia["status"] == "submitted" and bia["priority"] == "high"
    listed = api.get(url(world.child_case.pk, "best-interests-assessments/"))
    assert [row["id"] for row in listed.json()] == [bia["id"]]
    assert access_events(user=world.manager, object_type="children.bestinterestsassessment", channel="api")
    approve = url(world.child_case.pk, f"best-interests-assessments/{bia['id']}/approve/")
    assert api.post(approve, {}, format="json").status_code == 403  # a case manager is no supervisor
    approved = api_client_for(world.supervisor).post(approve, {"note": "Conforme"}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    again = api_client_for(world.supervisor).post(approve, {}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "bia_not_submitted"


def test_completing_a_bia_through_the_api_refuses_with_the_services_fields_and_codes(world: World):
    body = {**bia_input(child_views="", recommendation="").__dict__, "started_on": timezone.localdate().isoformat()}
    answer = api_client_for(world.manager).post(
        url(world.child_case.pk, "best-interests-assessments/"), body, format="json"
    )
    assert answer.status_code == 400
    assert {(e["field"], e["code"]) for e in answer.json()["errors"]} == {
        ("child_views", "required"),
        ("recommendation", "required"),
    }


def test_the_bid_answers_only_its_panel_the_case_manager_and_supervisors(world: World):
    services.save_determination(world.manager, world.child_case, decided_bid(world))
    shown = api_client_for(world.manager).get(url(world.child_case.pk, "best-interests-determination/"))
    assert shown.status_code == 200 and len(shown.json()["members"]) == 3
    assert access_events(user=world.manager, object_type="children.bestinterestsdetermination", channel="api")
    assert (
        api_client_for(world.supervisor).get(url(world.child_case.pk, "best-interests-determination/")).status_code
        == 200
    )
    teammate = f.user(world.org, Role.CASE_MANAGER, team=world.manager.team)
    assert api_client_for(teammate).get(url(world.child_case.pk, "best-interests-determination/")).status_code == 403


def test_a_bid_without_declarations_is_refused_per_member(world: World):
    api = api_client_for(world.manager)
    body = {
        "convened_on": timezone.localdate().isoformat(),
        "members": [
            {
                "user": world.manager.pk,
                "role": "case_manager",
                "no_conflict_declared": True,
                "confidentiality_declared": True,
            },
            {"name": "Lic. Pérez", "role": "authority", "no_conflict_declared": True},
            {
                "user": world.supervisor.pk,
                "role": "chair",
                "no_conflict_declared": True,
                "confidentiality_declared": True,
            },
        ],
        "decision": "further_tracing",
        "reasons": "Se busca a la madre.",
        "decided_on": timezone.localdate().isoformat(),
        "review_on": (timezone.localdate().replace(year=timezone.localdate().year + 1)).isoformat(),
    }
    answer = api.put(url(world.child_case.pk, "best-interests-determination/"), body, format="json")
    assert answer.status_code == 400
    assert {(e["field"], e["code"]) for e in answer.json()["errors"]} == {
        ("members.1.confidentiality_declared", "declaration_missing")
    }
    body["members"][1]["confidentiality_declared"] = True
    saved = api.put(url(world.child_case.pk, "best-interests-determination/"), body, format="json")
    assert saved.status_code == 200 and saved.json()["decision"] == "further_tracing"


def test_a_child_case_is_opened_from_the_adults_case(world: World):
    from reintegra.cases import services as case_services

    adult = f.case(world.manager, f.returnee(world.manager, given_names="Marta"))
    household = case_services.set_household(
        world.manager,
        adult,
        [
            case_services.MemberInput(
                given_names="Kevin", family_names="López", relationship="child", estimated_age=9, returned_too=True
            )
        ],
    )
    member = household.members.get()
    api = api_client_for(world.manager)
    created = api.post(url(adult.pk, "child-cases/"), {"member": member.pk}, format="json")
    assert created.status_code == 201
    profile = api.get(url(created.json()["id"], "child-profile/"))
    assert profile.json()["care_status"] == "accompanied"
    again = api.post(url(adult.pk, "child-cases/"), {"member": member.pk}, format="json")
    assert again.status_code == 400 and again.json()["errors"][0]["code"] == "duplicate"

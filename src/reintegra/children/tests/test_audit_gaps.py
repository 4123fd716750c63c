"""Gaps the audit of issue 13 found (docs/children.md "Coverage of the requirements"): the determination's
decision kept out of the case timeline, the determination rule for a child flagged unaccompanied before any
profile, the issue's endpoints in the OpenAPI schema."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reintegra.access.roles import Role
from reintegra.access.transitions import TransitionError
from reintegra.cases import services as case_services
from reintegra.cases.choices import AttentionFlag, CaseEventKind
from reintegra.cases.models import CaseEvent
from reintegra.children import services
from reintegra.children.choices import CareStatus
from reintegra.children.tests.conftest import World, approved_bia, decided_bid, drafted_plan, years_ago
from reintegra.testing import factories as f

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- The determination's decision is not on the timeline --------------------------------------------


def test_the_timeline_says_a_determination_was_decided_but_not_what(world: World):
    services.save_determination(world.manager, world.child_case, decided_bid(world))
    event = CaseEvent.objects.get(case=world.child_case, kind=CaseEventKind.CHILD, data__what="bid_decided")
    assert "decision" not in event.data
    # A teammate sees the case and its timeline, not the determination (page and API).
    teammate = f.user(world.org, Role.CASE_MANAGER, team=world.manager.team)
    page = client_for(teammate).get(reverse("cases:timeline", args=[world.child_case.pk]), HTTP_ACCEPT_LANGUAGE="es")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Determinación del Interés Superior tomada" in text and "Reunificación con apoyo" not in text
    body = client_for(teammate).get(f"/api/v1/cases/{world.child_case.pk}/").json()
    assert all("reunification_support" not in str(event["data"]) for event in body["timeline"])


def test_the_migration_removes_the_decision_from_older_events(world: World):
    old = CaseEvent.objects.create(
        case=world.child_case,
        kind=CaseEventKind.CHILD,
        data={"what": "bid_decided", "determination": 1, "decision": "alternative_care"},
    )
    other = CaseEvent.objects.create(
        case=world.child_case, kind=CaseEventKind.CHILD, data={"what": "participation", "decision": "plan"}
    )
    migration = import_module("reintegra.children.migrations.0005_timeline_without_bid_decision")
    migration.strip_decisions(apps, None)
    old.refresh_from_db()
    other.refresh_from_db()
    assert old.data == {"what": "bid_decided", "determination": 1}
    assert other.data == {"what": "participation", "decision": "plan"}  # the participation's decision stays


# --- A child flagged unaccompanied needs a determination before any profile says so -----------------


def _flagged_unaccompanied(world: World):
    child = f.returnee(
        world.manager,
        given_names="Brandon",
        birth_date=years_ago(15),
        nationality="GT",
        return_country="GT",
        attention_flags=[AttentionFlag.UNACCOMPANIED_MINOR],
    )
    world.child_case = f.case(world.manager, child, host_country="MX")
    return world.child_case


def _agree(world: World):
    return case_services.agree_plan(world.manager, world.child_case, agreed_on=timezone.localdate())


def _participated(world: World) -> None:
    services.record_participation(
        world.manager,
        world.child_case,
        decision="plan",
        method="in_person",
        views="Quiere volver con su madre.",
        recorded_on=timezone.localdate(),
    )


@pytest.mark.parametrize("profile", [None, CareStatus.UNKNOWN])
def test_a_child_flagged_unaccompanied_needs_a_determination_without_a_profile_saying_otherwise(
    world: World, profile: str | None
):
    _flagged_unaccompanied(world)
    if profile is not None:
        services.save_profile(world.manager, world.child_case, services.ProfileInput(care_status=profile))
    drafted_plan(world)
    approved_bia(world)
    _participated(world)
    with pytest.raises(TransitionError) as refused:
        _agree(world)
    assert refused.value.code == "bid_required"
    services.save_determination(world.manager, world.child_case, decided_bid(world))
    assert _agree(world).is_agreed


def test_a_profile_that_found_the_child_accompanied_settles_the_flag(world: World):
    _flagged_unaccompanied(world)
    services.save_profile(world.manager, world.child_case, services.ProfileInput(care_status=CareStatus.ACCOMPANIED))
    drafted_plan(world)
    approved_bia(world)
    _participated(world)
    assert _agree(world).is_agreed


def test_the_plan_agreement_through_the_api_answers_bid_required_for_a_flagged_child(world: World):
    _flagged_unaccompanied(world)
    drafted_plan(world)
    approved_bia(world)
    _participated(world)
    answer = client_for(world.manager).post(
        f"/api/v1/cases/{world.child_case.pk}/plan/agree/",
        {"agreed_on": timezone.localdate().isoformat()},
        content_type="application/json",
    )
    assert answer.status_code == 400 and answer.json()["code"] == "bid_required"


# --- Every read of a BIA is audited, the API's answer to its creation included -----------------------


def test_the_api_answer_that_shows_a_new_bia_is_an_audited_read(world: World):
    from reintegra.children.tests.conftest import bia_input
    from reintegra.testing.api_clients import api_client_for
    from reintegra.testing.trail import access_events

    body = {**bia_input().__dict__, "started_on": timezone.localdate().isoformat()}
    created = api_client_for(world.manager).post(
        f"/api/v1/cases/{world.child_case.pk}/best-interests-assessments/", body, format="json"
    )
    assert created.status_code == 201
    assert access_events(user=world.manager, object_type="children.bestinterestsassessment", channel="api")


# --- The issue's endpoints are in the OpenAPI schema (so schemathesis fuzzes them) -------------------

ISSUE_ENDPOINTS = {
    "/api/v1/cases/{id}/child-profile/": {"get", "put"},
    "/api/v1/cases/{id}/best-interests-assessments/": {"get", "post"},
    "/api/v1/cases/{id}/best-interests-assessments/{bia_id}/approve/": {"post"},
    "/api/v1/cases/{id}/best-interests-determination/": {"get", "put"},
    "/api/v1/cases/{id}/tracing-actions/": {"get", "post"},
    "/api/v1/cases/{id}/reunification-assessment/": {"get", "put"},
    "/api/v1/cases/{id}/child-plan/": {"get", "put"},
    "/api/v1/cases/{id}/plan/agree/": {"post"},
}


def test_the_issues_endpoints_are_in_the_schema_and_plan_agreement_names_the_child_rules():
    import json

    from rest_framework.test import APIClient

    answer = APIClient().get("/api/schema/", {"format": "json"})
    assert answer.status_code == 200
    paths = json.loads(answer.content)["paths"]
    for path, methods in ISSUE_ENDPOINTS.items():
        assert path in paths, path
        assert methods <= set(paths[path]), (path, set(paths[path]))
    described = paths["/api/v1/cases/{id}/plan/agree/"]["post"]["description"]
    assert "bia_required" in described and "bid_required" in described


def test_the_pages_that_show_the_determination_record_its_read(world: World):
    from reintegra.testing.trail import access_events

    services.save_determination(world.manager, world.child_case, decided_bid(world))
    client = client_for(world.supervisor)
    assert client.get(reverse("children:case", args=[world.child_case.pk])).status_code == 200
    assert client.get(reverse("children:determination", args=[world.child_case.pk])).status_code == 200
    events = access_events(user=world.supervisor, object_type="children.bestinterestsdetermination")
    assert len(events) == 2 and {e.channel for e in events} == {"web"}


# --- A closed case's child records are read, not changed ---------------------------------------------


def test_a_closed_child_case_takes_no_participation_nor_approval(world: World):
    from reintegra.children.plan_services import save_closure_checklist
    from reintegra.children.tests.conftest import bia_input
    from reintegra.children.tests.plan_helpers import checklist_input
    from reintegra.testing.closure import suggested_decisions

    bia = services.start_assessment(world.manager, world.child_case, bia_input())
    services.record_participation(
        world.manager,
        world.child_case,
        decision="closure",
        method="in_person",
        views="De acuerdo.",
        recorded_on=timezone.localdate(),
    )
    save_closure_checklist(world.manager, world.child_case, checklist_input())
    case_services.close_case(
        world.manager, world.child_case, reason="left_area", open_matters=suggested_decisions(world.child_case)
    )
    world.child_case.refresh_from_db()
    bia.refresh_from_db()
    with pytest.raises(TransitionError) as refused:
        services.record_participation(
            world.manager,
            world.child_case,
            decision="plan",
            method="in_person",
            views="Sí.",
            recorded_on=timezone.localdate(),
        )
    assert refused.value.code == "case_closed"
    with pytest.raises(TransitionError) as refused:
        services.approve_assessment(world.supervisor, bia)
    assert refused.value.code == "case_closed"


# --- Reminders before a BIA's deadline and of a determination's review ---------------------------------


def test_a_bia_is_reminded_before_its_deadline_and_the_priority_is_in_the_words(world: World):
    from datetime import timedelta

    from django.utils import translation

    from reintegra.children import reminders
    from reintegra.children.tests.conftest import bia_input

    bia = services.start_assessment(world.supervisor, world.child_case, bia_input(complete=False))  # high: 2 days
    assert list(reminders.bias_due_soon(bia.due_on - timedelta(days=2))) == []
    soon = list(reminders.bias_due_soon(bia.due_on - timedelta(days=1)))
    assert {d.recipient_id for d in soon} == {world.supervisor.pk, world.manager.pk}
    assert list(reminders.bias_due_soon(bia.due_on + timedelta(days=1))) == []
    (late, *_rest) = list(reminders.bias_overdue(bia.due_on + timedelta(days=1)))
    assert "priority" not in late.params
    with translation.override("es"):
        assert "prioridad alta" in translation.gettext(late.message)


def test_a_determinations_review_is_reminded_to_the_case_manager(world: World):
    from datetime import timedelta

    from reintegra.children import reminders

    bid = services.save_determination(world.manager, world.child_case, decided_bid(world))  # review in 90 days
    assert list(reminders.determinations_to_review(bid.review_on - timedelta(days=8))) == []
    (due,) = list(reminders.determinations_to_review(bid.review_on - timedelta(days=7)))
    assert due.recipient_id == world.manager.pk and due.params["number"] == world.child_case.case_number

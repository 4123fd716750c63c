"""The child plan, the child's follow-up and the child closure checklist through the API, and the existing
`close` endpoint refusing a child case without the completed checklist (400 closure_checklist_required)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from reintegra.access.roles import Role
from reintegra.children.tests.conftest import World, drafted_plan
from reintegra.children.tests.plan_helpers import COMPLETE_CHECKLIST, agreed_child_plan, participation, plan_item_id
from reintegra.testing import factories as f
from reintegra.testing.api_clients import api_client_for
from reintegra.testing.closure import suggested_decisions

pytestmark = pytest.mark.django_db


def url(case_id: int, tail: str) -> str:
    return f"/api/v1/cases/{case_id}/{tail}"


def errors(answer: object) -> set[tuple[str, str]]:
    return {(e["field"], e["code"]) for e in answer.json()["errors"]}  # type: ignore[attr-defined]


MEASURE = {"timeframe": "months", "duration": 12, "target": "family", "sector": "social_protection"}


def test_the_child_plan_is_read_and_written_with_the_plans_version(world: World):
    api = api_client_for(world.manager)
    empty = api.get(url(world.child_case.pk, "child-plan/"))
    assert empty.status_code == 200 and empty.json() == {"version": 0, "measures": [], "plan_items": []}
    refused = api.put(url(world.child_case.pk, "child-plan/"), {"measures": []}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "plan_required"
    drafted_plan(world)
    item = plan_item_id(world)
    read = api.get(url(world.child_case.pk, "child-plan/"))
    version = read.json()["version"]
    assert read.headers["ETag"] == f'"{version}"' and read.json()["plan_items"][0]["in_child_plan"] is False
    body = {"measures": [{"item": item, **MEASURE}]}
    plain = APIClient()
    plain.force_authenticate(world.manager)
    assert plain.put(url(world.child_case.pk, "child-plan/"), body, format="json").status_code == 428
    saved = api.put(url(world.child_case.pk, "child-plan/"), body, format="json", HTTP_IF_MATCH=f'"{version}"')
    assert saved.status_code == 200, saved.json()
    assert saved.json()["version"] == version + 1
    assert saved.json()["measures"] == [
        {**MEASURE, "item": item, "community_actor": "", "community_actor_name": "", "term": "long"}
    ]
    stale = api.put(url(world.child_case.pk, "child-plan/"), body, format="json", HTTP_IF_MATCH=f'"{version}"')
    assert stale.status_code == 412


def test_the_child_plan_answers_field_errors_by_position(world: World):
    drafted_plan(world)
    api = api_client_for(world.manager)
    version = api.get(url(world.child_case.pk, "child-plan/")).json()["version"]
    body = {
        "measures": [
            {"item": plan_item_id(world), **MEASURE, "timeframe": "weeks", "duration": 30},
            {"item": 999_999, **MEASURE, "target": "community"},
        ]
    }
    answer = api.put(url(world.child_case.pk, "child-plan/"), body, format="json", HTTP_IF_MATCH=f'"{version}"')
    assert answer.status_code == 400
    assert errors(answer) == {
        ("measures.0.duration", "out_of_range"),
        ("measures.1.item", "invalid_choice"),
        ("measures.1.community_actor", "required"),
    }


def test_a_child_follow_up_is_recorded_and_listed(world: World):
    agreed_child_plan(world)
    api = api_client_for(world.manager)
    body = {
        "visited_on": timezone.localdate().isoformat(),
        "vulnerabilities": ["out_of_school"],
        "monitoring_frequency": "weekly",
        "monitored_with": "school",
        "progress": [{"item": plan_item_id(world), "status": "in_progress"}],
    }
    created = api.post(url(world.child_case.pk, "child-follow-ups/"), body, format="json")
    assert created.status_code == 201, created.json()
    week = (timezone.localdate() + timedelta(days=7)).isoformat()
    assert created.json()["next_due_on"] == week and created.json()["next_visit_on"] == week
    listed = api.get(url(world.child_case.pk, "child-follow-ups/"))
    assert [row["vulnerabilities"] for row in listed.json()] == [["out_of_school"]]
    assert [(p["item"], p["status"]) for p in listed.json()[0]["progress"]] == [(plan_item_id(world), "in_progress")]
    late = (timezone.localdate() + timedelta(days=30)).isoformat()
    refused = api.post(
        url(world.child_case.pk, "child-follow-ups/"),
        {**body, "next_visit_on": late, "vulnerabilities": []},
        format="json",
    )
    assert refused.status_code == 400
    assert errors(refused) == {("next_visit_on", "beyond_frequency"), ("vulnerabilities", "required")}


def test_closing_a_child_case_through_the_api_needs_the_completed_checklist(world: World):
    participation(world, "closure")
    api = api_client_for(world.manager)
    body = {"reason": "left_area", "open_matters": suggested_decisions(world.child_case)}
    close = lambda: api.post(url(world.child_case.pk, "close/"), body, format="json")  # noqa: E731
    answer = close()
    assert answer.status_code == 400 and answer.json()["code"] == "closure_checklist_required"
    assert api.get(url(world.child_case.pk, "child-closure-checklist/")).json()["version"] == 0
    incomplete = api.put(
        url(world.child_case.pk, "child-closure-checklist/"), {**COMPLETE_CHECKLIST, "good_practice": ""}, format="json"
    )
    assert incomplete.status_code == 400 and errors(incomplete) == {("good_practice", "required")}
    saved = api.put(url(world.child_case.pk, "child-closure-checklist/"), COMPLETE_CHECKLIST, format="json")
    assert saved.status_code == 200 and saved.json()["complete"] and saved.headers["ETag"] == '"1"'
    assert close().status_code == 200


def test_the_child_plan_endpoints_are_hidden_without_the_category_and_outside_the_scope(world: World):
    me_officer = f.user(world.org, Role.ME_OFFICER)
    stranger = f.user(f.organisation("otra"), Role.CASE_MANAGER)
    for tail in ("child-plan/", "child-follow-ups/", "child-closure-checklist/"):
        assert api_client_for(me_officer).get(url(world.child_case.pk, tail)).status_code == 403
        assert api_client_for(stranger).get(url(world.child_case.pk, tail)).status_code == 404

"""The child plan, follow-up and closure-checklist pages, and their section of the "Children" tab."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reintegra.cases.models import FollowUpVisit
from reintegra.children import plan_selectors, plan_services
from reintegra.children.plan_models import ChildClosureChecklist, ChildPlanItem
from reintegra.children.tests.conftest import World, drafted_plan
from reintegra.children.tests.plan_helpers import (
    COMPLETE_CHECKLIST,
    agreed_child_plan,
    checklist_input,
    measure,
    participation,
    plan_item_id,
)
from reintegra.testing.closure import suggested_form_fields
from reintegra.testing.html_forms import form_values

pytestmark = pytest.mark.django_db


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_the_children_tab_shows_the_child_plan_follow_up_and_checklist(world: World):
    agreed_child_plan(world)
    plan_services.save_child_plan(
        world.manager, world.child_case, [measure(plan_item_id(world), community_actor_name="Comité de Chiantla")]
    )
    page = client_for(world.manager).get(reverse("children:case", args=[world.child_case.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Comité de Chiantla" in html
    assert reverse("children:child-plan", args=[world.child_case.pk]) in html
    assert reverse("children:child-follow-up-new", args=[world.child_case.pk]) in html
    assert reverse("children:closure-checklist", args=[world.child_case.pk]) in html


def test_the_child_plan_form_saves_the_measures_of_the_plan(world: World):
    drafted_plan(world)
    client = client_for(world.manager)
    url = reverse("children:child-plan", args=[world.child_case.pk])
    data = form_values(client.get(url).content, "measures-0-timeframe")
    data.update(
        {
            "measures-0-included": "on",
            "measures-0-timeframe": "weeks",
            "measures-0-duration": "20",
            "measures-0-target": "child",
            "measures-0-sector": "health",
        }
    )
    refused = client.post(url, data)
    assert refused.status_code == 200 and "measures-0-duration" in refused.content.decode()
    assert refused.context["formset"].forms[0].errors["duration"]
    data["measures-0-duration"] = "6"
    assert client.post(url, data).status_code == 302
    saved = ChildPlanItem.objects.get()
    assert (saved.timeframe, saved.duration, saved.term) == ("weeks", 6, "short")
    # The version the page was read at is stale now: the same post is refused, nothing changes.
    data["measures-0-duration"] = "8"
    stale = client.post(url, data)
    assert stale.status_code == 200 and ChildPlanItem.objects.get().duration == 6


def test_the_child_follow_up_form_records_the_visit_and_the_childs_situation(world: World):
    agreed_child_plan(world)
    client = client_for(world.manager)
    url = reverse("children:child-follow-up-new", args=[world.child_case.pk])
    data = form_values(client.get(url).content, "monitoring_frequency")
    data.update({"visited_on": timezone.localdate().isoformat(), "monitoring_frequency": "weekly"})
    refused = client.post(url, data)
    assert refused.status_code == 200 and refused.context["child_form"].errors["vulnerabilities"]
    assert not FollowUpVisit.objects.exists()
    data["vulnerabilities"] = ["distress", "out_of_school"]
    assert client.post(url, data).status_code == 302
    record = plan_selectors.follow_ups_of(world.child_case)[0]
    assert record.visit.next_visit_on == timezone.localdate() + timedelta(days=7)
    assert sorted(record.vulnerabilities) == ["distress", "out_of_school"]


def test_the_checklist_form_completes_the_checklist_and_the_closure_form_obeys_it(world: World):
    participation(world, "closure")
    client = client_for(world.manager)
    close_url = reverse("cases:close", args=[world.child_case.pk])
    refused = client.post(close_url, {"reason": "left_area", "closed_on": timezone.localdate().isoformat()})
    assert any(
        "closure checklist" in str(m).lower() or "cierre" in str(m).lower() for m in get_messages(refused.wsgi_request)
    )
    world.child_case.refresh_from_db()
    assert not world.child_case.is_closed
    url = reverse("children:closure-checklist", args=[world.child_case.pk])
    data = form_values(client.get(url).content, "good_practice")
    data.update({**COMPLETE_CHECKLIST, "complete": "1", "good_practice": ""})
    page = client.post(url, data)
    assert page.status_code == 200 and page.context["form"].errors["good_practice"]
    data.update(good_practice="El comité acompañó el regreso a clases.")
    assert client.post(url, data).status_code == 302
    assert ChildClosureChecklist.objects.get().is_completed
    decisions = suggested_form_fields(world.child_case)
    closed = client.post(close_url, {"reason": "left_area", "closed_on": timezone.localdate().isoformat(), **decisions})
    assert closed.status_code == 302
    world.child_case.refresh_from_db()
    assert world.child_case.is_closed


def test_a_draft_is_saved_without_the_completion_rules(world: World):
    client = client_for(world.manager)
    url = reverse("children:closure-checklist", args=[world.child_case.pk])
    data = form_values(client.get(url).content, "good_practice")
    data.update({"safe_care": "not_met", "complete": ""})
    assert client.post(url, data).status_code == 302
    draft = ChildClosureChecklist.objects.get()
    assert not draft.is_completed and draft.safe_care == "not_met"
    plan_services.save_closure_checklist(
        world.manager, world.child_case, checklist_input(), expected_version=draft.revision
    )

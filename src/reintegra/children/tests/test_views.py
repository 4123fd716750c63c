"""The child's case pages: the "Children" tab on a child's and on an adult's case, a BIA from start to
approval through the pages, the determination's visibility, the plan panel, the supervisor's queue."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reintegra.access.roles import Role
from reintegra.cases import services as case_services
from reintegra.children import services
from reintegra.children.choices import BiaStatus
from reintegra.children.models import BestInterestsAssessment
from reintegra.children.tests.conftest import World, bia_input, decided_bid
from reintegra.testing import factories as f
from reintegra.testing.trail import access_events

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_tab_of_a_child_case_shows_what_the_plan_waits_for(world: World):
    page = client_for(world.manager).get(reverse("children:case", args=[world.child_case.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "child-profile-title" in text and "child-bia-title" in text
    assert page.context["rules"]  # the plan waits for an approved BIA
    assert f'href="/ninez/casos/{world.child_case.pk}/"' in text  # the tab is among the case's tabs


def test_the_tab_of_an_adults_case_offers_a_child_case_for_returned_minors(world: World):
    adult = f.case(world.manager, f.returnee(world.manager, given_names="Marta"))
    case_services.set_household(
        world.manager,
        adult,
        [case_services.MemberInput(given_names="Kevin", relationship="child", estimated_age=9, returned_too=True)],
    )
    client = client_for(world.manager)
    page = client.get(reverse("children:case", args=[adult.pk]))
    assert page.status_code == 200 and not page.context["is_child_case"]
    assert [str(m) for m in page.context["minors"]] == ["Kevin"]
    member = page.context["minors"][0]
    answer = client.post(reverse("children:child-case-new", args=[adult.pk]), {"member": member.pk})
    assert answer.status_code == 302
    page = client.get(reverse("children:case", args=[adult.pk]))
    assert page.context["minors"] == [] and len(page.context["family_group"]) == 1


def test_a_bia_through_the_pages_from_draft_to_approval(world: World):
    client = client_for(world.manager)
    data = {
        "stage": "arrival",
        "priority": "high",
        "started_on": timezone.localdate().isoformat(),
        "child_participated": "on",
        "hearing_method": "play",
    }
    answer = client.post(reverse("children:assessment-new", args=[world.child_case.pk]), {**data, "complete": "1"})
    assert answer.status_code == 200  # completing needs the child's views, sections and a recommendation
    assert "child_views" in answer.context["form"].errors
    answer = client.post(reverse("children:assessment-new", args=[world.child_case.pk]), data)
    assert answer.status_code == 302
    bia = BestInterestsAssessment.objects.get(case=world.child_case)
    assert bia.status == BiaStatus.IN_PROGRESS
    complete = {
        **data,
        "child_views": "Quiere estar con su abuela.",
        "family_situation": "Abuela dispuesta.",
        "safety_risks": "Ninguno.",
        "recommendation": "reunification",
        "recommendation_reasons": "Entorno seguro.",
        "revision": str(bia.revision),
        "complete": "1",
    }
    answer = client.post(reverse("children:assessment-edit", args=[world.child_case.pk, bia.pk]), complete)
    assert answer.status_code == 302
    supervisor = client_for(world.supervisor)
    queue = supervisor.get(reverse("children:queue"))
    assert [b.pk for b in queue.context["awaiting"]] == [bia.pk]
    detail = supervisor.get(reverse("children:assessment", args=[world.child_case.pk, bia.pk]))
    assert detail.context["can_approve"]
    assert access_events(user=world.supervisor, object_type="children.bestinterestsassessment")
    supervisor.post(reverse("children:assessment-approve", args=[world.child_case.pk, bia.pk]), {"note": "Bien"})
    bia.refresh_from_db()
    assert bia.status == BiaStatus.APPROVED and bia.approved_by == world.supervisor


def test_a_case_manager_cannot_approve_through_the_page(world: World):
    bia = services.start_assessment(world.supervisor, world.child_case, bia_input())
    answer = client_for(world.manager).post(reverse("children:assessment-approve", args=[world.child_case.pk, bia.pk]))
    assert answer.status_code == 403


def test_the_determination_is_hidden_from_a_teammate_outside_the_panel(world: World):
    services.save_determination(world.manager, world.child_case, decided_bid(world))
    teammate = f.user(world.org, Role.CASE_MANAGER, team=world.manager.team)
    page = client_for(teammate).get(reverse("children:case", args=[world.child_case.pk]))
    assert page.status_code == 200 and not page.context["sees_determination"]
    assert "child-bid-title" not in page.content.decode()
    assert client_for(teammate).get(reverse("children:determination", args=[world.child_case.pk])).status_code == 403
    shown = client_for(world.manager).get(reverse("children:case", args=[world.child_case.pk]))
    assert shown.context["sees_determination"] and len(shown.context["panel"]) == 3


def test_the_plan_tab_of_a_child_case_says_the_bia_is_missing(world: World):
    page = client_for(world.manager).get(reverse("cases:plan", args=[world.child_case.pk]))
    assert page.status_code == 200
    assert 'data-code="bia_required"' in page.content.decode()


def test_a_refused_plan_agreement_is_shown_on_the_page(world: World):
    from reintegra.children.tests.conftest import drafted_plan

    drafted_plan(world)
    client = client_for(world.manager)
    answer = client.post(
        reverse("cases:plan_agree", args=[world.child_case.pk]),
        {"agreed_on": timezone.localdate().isoformat(), "revision": str(world.child_case.plan.revision)},
        follow=True,
    )
    messages = [str(m) for m in answer.context["messages"]]
    assert any("best-interests" in m.lower() or "interés superior" in m.lower() for m in messages), messages


def test_the_agree_and_close_steps_are_disabled_with_the_services_reason(world: World):
    from reintegra.children.tests.conftest import drafted_plan

    drafted_plan(world)
    page = client_for(world.manager).get(reverse("cases:plan", args=[world.child_case.pk]))
    agree, close = page.context["steps"]["agree"], page.context["steps"]["close"]
    assert not agree.allowed and "approved by a supervisor" in agree.reason.replace(
        "aprobada por supervisión", "approved by a supervisor"
    )
    assert not close.allowed and close.reason


def test_the_tab_of_a_child_case_embeds_its_family_tracing(world: World):
    from reintegra.children import tracing_services
    from reintegra.children.tracing_choices import SoughtRelationship

    tracing_services.open_tracing_request(
        world.manager,
        world.child_case,
        tracing_services.TracingRequestInput(
            relationship=SoughtRelationship.values[0],
            given_names="Rosa",
            family_names="Ajú",
            opened_on=timezone.localdate(),
        ),
    )
    page = client_for(world.manager).get(reverse("children:case", args=[world.child_case.pk]))
    text = page.content.decode()
    assert "data-tracing" in text and "Rosa" in text
    assert reverse("children:tracing-request-new", args=[world.child_case.pk]) in text

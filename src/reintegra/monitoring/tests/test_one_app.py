"""Monitoring and evaluation as one app: every page of a programme carries the app's sub-navigation with all
its sections, the landing page leads to each of them, the framework's pages show the lessons of similar
programmes, and the main menu has one entry for the whole app."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from reintegra.access.roles import Role
from reintegra.monitoring import evaluation_services as learning
from reintegra.monitoring import services as s
from reintegra.testing import factories as f
from reintegra.web import navigation

pytestmark = pytest.mark.django_db

SECTIONS = ("framework", "indicators", "iptt", "periods", "dashboard", "evaluations", "lessons")


@pytest.fixture
def world():
    org = f.organisation("uno", country="MX")
    programme = org.programmes.get()
    officer = f.user(org, Role.ME_OFFICER)
    framework = s.create_framework(officer, programme)
    s.add_node(officer, framework, s.NodeInput(kind="impact", title="Reintegración sostenible"))
    evaluation = learning.create_evaluation(
        officer, programme.pk, learning.EvaluationInput(kind="mid_term", title="Medio término")
    )
    lesson = learning.create_lesson(
        officer, programme.pk, learning.LessonInput(title="Lección propia", body="Los convenios ayudan")
    )
    sibling = f.programme(org, "hermano", name="Programa hermano")
    learning.create_lesson(
        officer,
        sibling.pk,
        learning.LessonInput(title="Lección de otro programa", body="Las ferias de empleo funcionan", country="MX"),
    )
    client = Client()
    client.force_login(officer)
    return {"programme": programme, "client": client, "evaluation": evaluation, "lesson": lesson}


def _tabs(html: str, programme_id: int) -> list[str]:
    return [name for name in SECTIONS if f'href="{reverse(f"monitoring:{name}", args=[programme_id])}"' in html]


@pytest.mark.parametrize("section", SECTIONS)
def test_every_section_opens_with_every_tab_and_marks_itself(world, section):
    pk = world["programme"].pk
    url = reverse(f"monitoring:{section}", args=[pk])
    response = world["client"].get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert _tabs(html, pk) == list(SECTIONS)
    assert f'href="{url}" aria-current="page"' in html


def test_the_other_pages_of_a_programme_keep_the_sub_navigation(world):
    pk = world["programme"].pk
    for url in (
        reverse("monitoring:logframe", args=[pk]),
        reverse("monitoring:evaluation-detail", args=[world["evaluation"].pk]),
        reverse("monitoring:evaluation-create", args=[pk]),
        reverse("monitoring:lesson-edit", args=[world["lesson"].pk]),
        reverse("monitoring:dashboard_home") + f"?programme={pk}",
    ):
        response = world["client"].get(url)
        assert response.status_code == 200, url
        assert _tabs(response.content.decode(), pk) == list(SECTIONS), url


def test_a_programmes_lessons_tab_lists_only_its_lessons(world):
    html = world["client"].get(reverse("monitoring:lessons", args=[world["programme"].pk])).content.decode()
    assert "Lección propia" in html and "Lección de otro programa" not in html
    everywhere = world["client"].get(reverse("monitoring:lesson-search")).content.decode()
    assert "Lección propia" in everywhere


def test_the_landing_page_leads_to_each_section_and_the_pages_about_no_programme(world):
    html = world["client"].get(reverse("monitoring:index")).content.decode()
    assert _tabs(html, world["programme"].pk) == list(SECTIONS)
    for name in ("dashboard_home", "analytics", "learning", "lesson-search"):
        assert f'href="{reverse(f"monitoring:{name}")}"' in html, name
    assert reverse("monitoring:cross_organisation") not in html  # coordinators only


def test_the_framework_and_its_theory_of_change_show_lessons_from_similar_programmes(world):
    pk = world["programme"].pk
    for url in (reverse("monitoring:framework", args=[pk]), reverse("monitoring:framework_edit", args=[pk])):
        html = world["client"].get(url).content.decode()
        assert 'id="similar-lessons-title"' in html, url
        assert "Lección de otro programa" in html, url


def test_one_main_menu_entry_for_the_app():
    org = f.organisation("tres")
    for role in (Role.ME_OFFICER, Role.PROGRAMME_MANAGER, Role.SUPERVISOR, Role.COORDINATOR):
        keys = [e["key"] for e in navigation.items_for(f.user(org, role, username=f"u-{role}"))]
        assert keys.count("monitoring") == 1 and "analytics" not in keys and "me_dashboard" not in keys, role

"""Permission matrix of every evaluation and learning route, for every role × relation to the programme,
computed from ROLE_CAPABILITIES and monitoring.permissions: reading needs VIEW_AGGREGATES or MANAGE_MONITORING
on a programme the user reads (their organisation's; every one for coordinators), a hidden programme is not
found; changing needs MANAGE_MONITORING on a programme of the user's organisation (403 otherwise)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from reintegra.access.roles import ROLE_CAPABILITIES, Capability, Role
from reintegra.monitoring import evaluation_services as services
from reintegra.monitoring.models import Evaluation, Lesson, Recommendation
from reintegra.testing import factories as f
from reintegra.testing.routes import routes_of_app

LIST, READ, WRITE = "list", "read", "write"
API_LIST, API_READ, API_WRITE, API_CREATE = "api-list", "api-read", "api-write", "api-create"
NS = "monitoring"
# (route name, method) -> which rule decides it, and the answer when allowed.
MATRIX = {
    (f"{NS}:learning", "GET"): (LIST, 200),
    (f"{NS}:lesson-search", "GET"): (LIST, 200),
    (f"{NS}:evaluations", "GET"): (READ, 200),
    (f"{NS}:lessons", "GET"): (READ, 200),
    (f"{NS}:evaluation-detail", "GET"): (READ, 200),
    (f"{NS}:evaluation-report", "GET"): (READ, 200),
    (f"{NS}:evaluation-create", "GET"): (WRITE, 200),
    (f"{NS}:evaluation-create", "POST"): (WRITE, 302),
    (f"{NS}:evaluation-edit", "GET"): (WRITE, 200),
    (f"{NS}:evaluation-edit", "POST"): (WRITE, 302),
    (f"{NS}:recommendation-create", "GET"): (WRITE, 200),
    (f"{NS}:recommendation-create", "POST"): (WRITE, 302),
    (f"{NS}:recommendation-edit", "GET"): (WRITE, 200),
    (f"{NS}:recommendation-edit", "POST"): (WRITE, 302),
    (f"{NS}:lesson-create", "GET"): (WRITE, 200),
    (f"{NS}:lesson-create", "POST"): (WRITE, 302),
    (f"{NS}:lesson-edit", "GET"): (WRITE, 200),
    (f"{NS}:lesson-edit", "POST"): (WRITE, 302),
    ("api:evaluation-list", "GET"): (API_LIST, 200),
    ("api:evaluation-list", "POST"): (API_CREATE, 201),
    ("api:evaluation-detail", "GET"): (API_READ, 200),
    ("api:evaluation-detail", "PUT"): (API_WRITE, 200),
    ("api:evaluation-detail", "PATCH"): (API_WRITE, 200),
    ("api:evaluation-recommendations", "GET"): (API_READ, 200),
    ("api:evaluation-recommendations", "POST"): (API_WRITE, 201),
    ("api:recommendation-detail", "GET"): (API_READ, 200),
    ("api:recommendation-detail", "PUT"): (API_WRITE, 200),
    ("api:recommendation-detail", "PATCH"): (API_WRITE, 200),
    ("api:lesson-list", "GET"): (API_LIST, 200),
    ("api:lesson-list", "POST"): (API_CREATE, 201),
    ("api:lesson-detail", "GET"): (API_READ, 200),
    ("api:lesson-detail", "PUT"): (API_WRITE, 200),
    ("api:lesson-detail", "PATCH"): (API_WRITE, 200),
}
# The user's organisation relative to the programme: the one that runs it, or another.
RELATIONS = ("own", "other")
READING = {Capability.VIEW_AGGREGATES, Capability.MANAGE_MONITORING}


def test_every_route_has_a_row():
    exposed = {
        (name, method)
        for module in ("reintegra.monitoring.evaluation_views", "reintegra.monitoring.evaluation_api")
        for name, methods in routes_of_app(module).items()
        for method in methods
    }
    assert exposed == set(MATRIX)


def expected(rule: str, allowed: int, role: Role, relation: str) -> int:
    caps = ROLE_CAPABILITIES[role]
    manages = Capability.MANAGE_MONITORING in caps
    sees = relation == "own" or Capability.VIEW_AGGREGATES_ALL_ORGANISATIONS in caps
    if rule in (API_WRITE, API_CREATE) and not manages:
        return 403  # the endpoint's capabilities, before anything is looked up
    if not caps & READING:
        return 403
    if rule in (LIST, API_LIST):
        return allowed
    if not sees:
        # A hidden programme: not found; in a creation's body, a wrong choice (400).
        return 400 if rule == API_CREATE else 404
    if rule in (READ, API_READ):
        return allowed
    return allowed if manages and relation == "own" else 403


ARGS = {
    f"{NS}:evaluations": "programme",
    f"{NS}:lessons": "programme",
    f"{NS}:evaluation-create": "programme",
    f"{NS}:lesson-create": "programme",
    f"{NS}:evaluation-detail": "evaluation",
    f"{NS}:evaluation-report": "evaluation",
    f"{NS}:evaluation-edit": "evaluation",
    f"{NS}:recommendation-create": "evaluation",
    f"{NS}:recommendation-edit": "recommendation",
    f"{NS}:lesson-edit": "lesson",
    "api:evaluation-detail": "evaluation",
    "api:evaluation-recommendations": "evaluation",
    "api:recommendation-detail": "recommendation",
    "api:lesson-detail": "lesson",
}


def _args(name: str, world: dict[str, Any]) -> list[int]:
    return [world[ARGS[name]].pk] if name in ARGS else []


def _version(name: str, world: dict[str, Any]) -> int:
    if "recommendation-" in name and "evaluation-recommendations" not in name:
        return Recommendation.objects.get(pk=world["recommendation"].pk).revision
    if "lesson" in name:
        return Lesson.objects.get(pk=world["lesson"].pk).revision
    return Evaluation.objects.get(pk=world["evaluation"].pk).revision


WEB_DATA = {
    "evaluation": {"kind": "final", "title": "Evaluación final"},
    "recommendation": {"text": "Ampliar la red", "decision": "", "status": "not_started"},
    "lesson": {"title": "Lección", "body": "Lo aprendido"},
}


def _request(client: Any, name: str, method: str, world: dict[str, Any]) -> Any:
    url = reverse(name, args=_args(name, world))
    if method == "GET":
        return client.get(url)
    kind = "recommendation" if "recommendation" in name else "lesson" if "lesson" in name else "evaluation"
    data = dict(WEB_DATA[kind])
    if not name.startswith("api:"):
        return client.post(url, {**data, "revision": str(_version(name, world))})
    if method == "POST" and kind != "recommendation":
        data["programme"] = world["programme"].pk
    headers = {"HTTP_IF_MATCH": f'"{_version(name, world)}"'} if method in ("PUT", "PATCH") else {}
    return getattr(client, method.lower())(url, data, format="json", **headers)


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    org = f.organisation("oim-mx", country="MX")
    programme = org.programmes.get()
    officer = f.user(org, Role.ME_OFFICER)
    evaluation = services.create_evaluation(
        officer,
        programme.pk,
        services.EvaluationInput(
            kind="mid_term", title="Medio término", report=SimpleUploadedFile("informe.pdf", b"%PDF-1.7 informe")
        ),
    )
    recommendation = services.add_recommendation(officer, evaluation, services.RecommendationInput(text="Ampliar"))
    lesson = services.create_lesson(
        officer, programme.pk, services.LessonInput(title="Lección", body="Texto", is_shared=False)
    )
    return {
        "orgs": {"own": org, "other": f.organisation("ong-gt", country="GT")},
        "programme": programme,
        "evaluation": evaluation,
        "recommendation": recommendation,
        "lesson": lesson,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("route", sorted(MATRIX))
def test_anonymous(route, world):
    name, method = route
    client = APIClient() if name.startswith("api:") else Client()
    response = _request(client, name, method, world)
    assert response.status_code == (401 if name.startswith("api:") else 302)


@pytest.mark.django_db
@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize("role", list(Role))
def test_role_and_relation(role, relation, world):
    user = f.user(world["orgs"][relation], role)
    web, api = Client(), APIClient()
    web.force_login(user)
    api.force_authenticate(user)
    for (name, method), (rule, allowed) in sorted(MATRIX.items()):
        client = api if name.startswith("api:") else web
        response = _request(client, name, method, world)
        assert response.status_code == expected(rule, allowed, role, relation), (name, method, role, relation)


@pytest.mark.django_db
def test_a_shared_lesson_is_read_by_other_organisations_and_changed_only_by_its_own(world):
    officer = f.user(world["orgs"]["own"], Role.ME_OFFICER)
    shared = services.create_lesson(
        officer, world["programme"].pk, services.LessonInput(title="Compartida", body="Texto")
    )
    reader = f.user(world["orgs"]["other"], Role.ME_OFFICER)
    api = APIClient()
    api.force_authenticate(reader)
    assert api.get(reverse("api:lesson-detail", args=[shared.pk])).status_code == 200
    assert api.get(reverse("api:lesson-detail", args=[world["lesson"].pk])).status_code == 404  # not shared
    titles = [row["title"] for row in api.get(reverse("api:lesson-list")).json()["results"]]
    assert titles == ["Compartida"]
    response = api.patch(reverse("api:lesson-detail", args=[shared.pk]), {"title": "Cambiada"}, HTTP_IF_MATCH='"1"')
    assert response.status_code == 403
    outsider = f.user(world["orgs"]["other"], Role.CASE_MANAGER)  # no monitoring capability: nothing
    api.force_authenticate(outsider)
    assert api.get(reverse("api:lesson-detail", args=[shared.pk])).status_code == 403

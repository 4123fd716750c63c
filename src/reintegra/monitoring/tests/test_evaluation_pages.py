"""Evaluation and learning pages and API: what they show, the search through both, versions and uploads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from reintegra.access.roles import Role
from reintegra.monitoring import evaluation_services as services
from reintegra.monitoring.models import Evaluation
from reintegra.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    org = f.organisation("oim-mx", country="MX")
    programme = org.programmes.get()
    officer = f.user(org, Role.ME_OFFICER, first_name="Ana", last_name="Pérez")
    owner = f.user(org, Role.CASE_MANAGER, first_name="Luis", last_name="Gómez")
    today = timezone.localdate()
    evaluation = services.create_evaluation(
        officer,
        programme.pk,
        services.EvaluationInput(
            kind="final",
            title="Evaluación final 2026",
            ratings={"relevance": 4, "efficiency": 2},
            findings="La intermediación laboral funciona.",
            report=SimpleUploadedFile("Informe final.pdf", b"%PDF-1.7 el informe"),
        ),
    )
    overdue = services.add_recommendation(
        officer,
        evaluation,
        services.RecommendationInput(
            text="Ampliar convenios",
            decision="accepted",
            action="Dos convenios",
            owner=owner.pk,
            due_on=today - timedelta(days=3),
        ),
    )
    other = f.organisation("ong-gt", country="GT")
    other_officer = f.user(other, Role.ME_OFFICER)
    services.create_lesson(
        other_officer,
        other.programmes.get().pk,
        services.LessonInput(
            title="Redes en Guatemala", body="Lo comunitario sostiene.", country="MX", is_shared=False
        ),
    )
    web = Client()
    web.force_login(officer)
    api = APIClient()
    api.force_authenticate(officer)
    return {
        "programme": programme,
        "officer": officer,
        "owner": owner,
        "evaluation": evaluation,
        "overdue": overdue,
        "web": web,
        "api": api,
        "coordinator": f.user(f.organisation("mesa"), Role.COORDINATOR),
    }


def test_the_evaluation_page_shows_ratings_findings_and_overdue_actions(world):
    page = world["web"].get(reverse("monitoring:evaluation-detail", args=[world["evaluation"].pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Pertinencia" in html or "Relevance" in html
    assert "4 · " in html and "2 · " in html
    assert "La intermediación laboral funciona." in html
    assert f'id="recommendation-{world["overdue"].pk}" class="row--overdue"' in html
    assert "Luis Gómez" in html
    assert reverse("monitoring:evaluation-report", args=[world["evaluation"].pk]) in html


def test_the_report_is_downloaded(world):
    response = world["web"].get(reverse("monitoring:evaluation-report", args=[world["evaluation"].pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.7 el informe"
    assert "Informe-final" in response["Content-Disposition"]


def test_the_programme_page_lists_evaluations_and_lessons_of_similar_programmes(world):
    coordinator = Client()
    coordinator.force_login(world["coordinator"])
    page = coordinator.get(reverse("monitoring:evaluations", args=[world["programme"].pk]))
    html = page.content.decode()
    assert "Evaluación final 2026" in html
    assert "Redes en Guatemala" in html  # another programme's lesson in the same country
    # The officer does not read the other organisation's programme, so not its in-house (unshared) lessons.
    page = world["web"].get(reverse("monitoring:evaluations", args=[world["programme"].pk]))
    assert "Redes en Guatemala" not in page.content.decode()


def test_a_lesson_is_written_through_the_form_and_found_by_the_search_box(world):
    url = reverse("monitoring:lesson-create", args=[world["programme"].pk])
    response = world["web"].post(
        url,
        {
            "title": "Migración y empleo",
            "body": "Los convenios con empleadores abren puertas.",
            "country": "MX",
            "themes": "empleo, convenios",
            "evaluation": world["evaluation"].pk,
        },
    )
    assert response.status_code == 302
    found = world["web"].get(reverse("monitoring:lesson-search"), {"search": "migracion"})
    assert "Migración y empleo" in found.content.decode()
    empty = world["web"].get(reverse("monitoring:lesson-search"), {"search": "migracion salud"})
    assert "Migración y empleo" not in empty.content.decode()
    by_theme = world["web"].get(reverse("monitoring:lesson-search"), {"theme": "Convenios"})
    assert "Migración y empleo" in by_theme.content.decode()


def test_an_evaluation_form_with_a_bad_rating_shows_the_services_error(world):
    url = reverse("monitoring:evaluation-create", args=[world["programme"].pk])
    response = world["web"].post(url, {"kind": "final", "title": "X", "ratings.impact": "9"})
    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["ratings.impact"][0].code == "out_of_range"
    assert Evaluation.objects.count() == 1


def test_api_search_and_filters(world):
    api = world["api"]
    api.post(
        "/api/v1/lessons/",
        {"programme": world["programme"].pk, "title": "Retorno y migración", "body": "Texto", "themes": ["salud"]},
        format="json",
    )
    found = api.get("/api/v1/lessons/", {"search": "MIGRACION"}).json()
    assert [row["title"] for row in found["results"]] == ["Retorno y migración"]
    assert api.get("/api/v1/lessons/", {"theme": "salud"}).json()["count"] == 1
    assert api.get("/api/v1/lessons/", {"nope": "1"}).status_code == 400
    assert api.get("/api/v1/lessons/", {"level": "galactic"}).status_code == 400


def test_api_evaluation_with_an_uploaded_report_and_bad_rating(world):
    api = world["api"]
    created = api.post(
        "/api/v1/evaluations/",
        {
            "programme": world["programme"].pk,
            "kind": "thematic",
            "title": "Temática",
            "report": SimpleUploadedFile("t.pdf", b"%PDF-1.4 x"),
        },
        format="multipart",
    )
    assert created.status_code == 201, created.content
    assert created.json()["report"].endswith("/informe/")
    refused = api.post(
        "/api/v1/evaluations/",
        {"programme": world["programme"].pk, "kind": "final", "title": "X", "ratings": {"impact": 7}},
        format="json",
    )
    assert refused.status_code == 400
    assert {"field": "ratings.impact", "code": "out_of_range"} in [
        {"field": e["field"], "code": e["code"]} for e in refused.json()["errors"]
    ]


def test_api_versioned_writes_need_the_version_read(world):
    api = world["api"]
    url = f"/api/v1/recommendations/{world['overdue'].pk}/"
    read = api.get(url)
    assert read.json()["overdue"] is True
    etag = read["ETag"]
    assert api.patch(url, {"status": "done"}, format="json").status_code == 428
    assert api.patch(url, {"status": "done"}, format="json", HTTP_IF_MATCH=etag).status_code == 200
    stale = api.patch(url, {"status": "in_progress"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412 and stale.json()["code"] == "stale"
    listed = api.get(f"/api/v1/evaluations/{world['evaluation'].pk}/recommendations/").json()
    assert [(row["status"], row["overdue"]) for row in listed] == [("done", False)]


def test_the_schema_documents_the_endpoints(world):
    schema = world["api"].get("/api/schema/", {"format": "json"}).json()
    for path in (
        "/api/v1/evaluations/",
        "/api/v1/evaluations/{id}/",
        "/api/v1/evaluations/{id}/recommendations/",
        "/api/v1/recommendations/{id}/",
        "/api/v1/lessons/",
        "/api/v1/lessons/{id}/",
    ):
        assert path in schema["paths"], path
    assert "search" in {p["name"] for p in schema["paths"]["/api/v1/lessons/"]["get"]["parameters"]}


def test_a_stale_evaluation_form_shows_the_conflict_and_saves_nothing(world):
    evaluation = world["evaluation"]
    url = reverse("monitoring:evaluation-edit", args=[evaluation.pk])
    stale = evaluation.revision
    services.update_evaluation(
        world["officer"],
        evaluation,
        services.EvaluationInput(**{**services.EvaluationInput.of(evaluation).__dict__, "title": "Título nuevo"}),
        expected_version=stale,
    )
    response = world["web"].post(
        url, {"kind": "final", "title": "Mi título", "ratings.relevance": "3", "revision": str(stale)}
    )
    assert response.status_code == 200
    assert response.context["conflict"] is not None
    evaluation.refresh_from_db()
    assert evaluation.title == "Título nuevo" and evaluation.ratings["relevance"] == 4


def test_a_shared_lesson_names_its_evaluation_without_linking_where_the_reader_may_not_go(world):
    services.create_lesson(
        world["officer"],
        world["programme"].pk,
        services.LessonInput(title="Convenios que duran", body="Firmar pronto.", evaluation=world["evaluation"].pk),
    )
    link = reverse("monitoring:evaluation-detail", args=[world["evaluation"].pk])
    own = world["web"].get(reverse("monitoring:lesson-search"), {"search": "convenios duran"}).content.decode()
    assert link in own
    outsider = Client()
    outsider.force_login(f.user(f.organisation("ong-hn", country="HN"), Role.ME_OFFICER))
    page = outsider.get(reverse("monitoring:lesson-search"), {"search": "convenios duran"}).content.decode()
    assert "Convenios que duran" in page and "Evaluación final 2026" in page
    assert link not in page
    assert outsider.get(link).status_code == 404  # what the link would have opened

"""One rule path for evaluations, management responses and lessons: the pairs `tests/test_one_rule_path.py`
sends through the web form and the API (its `world` fixture: `org`, `other_org`, `pm`, `stranger`...)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from django.urls import reverse
from django.utils import timezone

from reintegra.access.roles import Role
from reintegra.monitoring import evaluation_services as services
from reintegra.testing import factories
from reintegra.testing.rule_paths import Refusal, WritePair


def iso(days: int = 0) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def learning_ctx(world: Any) -> SimpleNamespace:
    programme = world.org.programmes.get()
    evaluation = services.create_evaluation(
        world.pm, programme.pk, services.EvaluationInput(kind="mid_term", title="Medio término")
    )
    recommendation = services.add_recommendation(world.pm, evaluation, services.RecommendationInput(text="Ampliar"))
    lesson = services.create_lesson(world.pm, programme.pk, services.LessonInput(title="Lección", body="Texto"))
    other_programme = world.other_org.programmes.get()
    outsider = factories.user(world.other_org, Role.ME_OFFICER)
    foreign_evaluation = services.create_evaluation(
        outsider, other_programme.pk, services.EvaluationInput(kind="final", title="Ajena")
    )
    return SimpleNamespace(
        world=world,
        user=world.pm,
        programme=programme,
        evaluation=evaluation,
        recommendation=recommendation,
        lesson=lesson,
        outsider=outsider,
        foreign_evaluation=foreign_evaluation,
        owner=factories.user(world.org, Role.CASE_MANAGER),
    )


EVALUATION = {"kind": "final", "title": "Evaluación final", "starts_on": iso(-90), "ends_on": iso(-10)}
EVALUATION_REFUSALS = (
    Refusal.same("ends_on", "ends_before_start", label="end before start", starts_on=iso(-10), ends_on=iso(-90)),
    Refusal("ratings.relevance", "out_of_range", web={"ratings.relevance": "7"}, api={"ratings": {"relevance": 7}}),
    Refusal.same("title", "required", label="no title", title=""),
)

RESPONSE = {"text": "Ampliar la red de empleadores", "decision": "accepted", "action": "Dos convenios"}


def response(c: Any) -> dict[str, Any]:
    return {**RESPONSE, "owner": c.owner.pk, "due_on": iso(60), "status": "in_progress"}


RECOMMENDATION_REFUSALS = (
    Refusal.same("owner", "invalid_choice", label="owner from another organisation", owner=lambda c: c.outsider.pk),
    Refusal.same("action", "required", label="accepted without an action", action=""),
)

LESSON = {"title": "La migración de retorno", "body": "Las redes comunitarias sostienen.", "country": "MX"}
LESSON_REFUSALS = (
    Refusal.same("country", "invalid_choice", label="unknown country", country="XX"),
    Refusal.same(
        "evaluation",
        "invalid_choice",
        label="evaluation of another programme",
        evaluation=lambda c: c.foreign_evaluation.pk,
    ),
    Refusal.same("title", "required", label="no title", title=""),
)

EVALUATION_PAIRS = [
    WritePair(
        "evaluation",
        "api:evaluation-list",
        learning_ctx,
        web_url=lambda c: reverse("monitoring:evaluation-create", args=[c.programme.pk]),
        web_data=lambda c: dict(EVALUATION),
        api_url=lambda c: "/api/v1/evaluations/",
        api_data=lambda c: {**EVALUATION, "programme": c.programme.pk},
        refusals=EVALUATION_REFUSALS,
    ),
    WritePair(
        "evaluation update",
        "api:evaluation-detail",
        learning_ctx,
        web_page=lambda c: reverse("monitoring:evaluation-edit", args=[c.evaluation.pk]),
        web_form="title",
        web_url=lambda c: reverse("monitoring:evaluation-edit", args=[c.evaluation.pk]),
        web_data=lambda c: dict(EVALUATION),
        api_method="patch",
        api_url=lambda c: f"/api/v1/evaluations/{c.evaluation.pk}/",
        api_data=lambda c: dict(EVALUATION),
        refusals=EVALUATION_REFUSALS,
    ),
    WritePair(
        "recommendation",
        "api:evaluation-recommendations",
        learning_ctx,
        web_url=lambda c: reverse("monitoring:recommendation-create", args=[c.evaluation.pk]),
        web_data=response,
        api_url=lambda c: f"/api/v1/evaluations/{c.evaluation.pk}/recommendations/",
        api_data=response,
        refusals=RECOMMENDATION_REFUSALS,
    ),
    WritePair(
        "management response",
        "api:recommendation-detail",
        learning_ctx,
        web_page=lambda c: reverse("monitoring:recommendation-edit", args=[c.recommendation.pk]),
        web_form="text",
        web_url=lambda c: reverse("monitoring:recommendation-edit", args=[c.recommendation.pk]),
        web_data=response,
        api_method="patch",
        api_url=lambda c: f"/api/v1/recommendations/{c.recommendation.pk}/",
        api_data=response,
        refusals=RECOMMENDATION_REFUSALS,
    ),
    WritePair(
        "lesson",
        "api:lesson-list",
        learning_ctx,
        web_url=lambda c: reverse("monitoring:lesson-create", args=[c.programme.pk]),
        web_data=lambda c: dict(LESSON, themes="empleo, redes"),
        api_url=lambda c: "/api/v1/lessons/",
        api_data=lambda c: {**LESSON, "themes": ["empleo", "redes"], "programme": c.programme.pk},
        refusals=LESSON_REFUSALS,
    ),
    WritePair(
        "lesson update",
        "api:lesson-detail",
        learning_ctx,
        web_page=lambda c: reverse("monitoring:lesson-edit", args=[c.lesson.pk]),
        web_form="title",
        web_url=lambda c: reverse("monitoring:lesson-edit", args=[c.lesson.pk]),
        web_data=lambda c: dict(LESSON),
        api_method="patch",
        api_url=lambda c: f"/api/v1/lessons/{c.lesson.pk}/",
        api_data=lambda c: dict(LESSON),
        refusals=LESSON_REFUSALS,
    ),
]

EVALUATION_NOT_PAIRED = {
    f"api:{kind}-detail PUT": "the same write as its paired PATCH"
    for kind in ("evaluation", "recommendation", "lesson")
}

"""One rule path for the child plan, the child's follow-up and the closure checklist: the pairs
`tests/test_one_rule_path.py` sends through the web form and the API (its `world` fixture: `org`,
`case_manager`...)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from django.urls import reverse
from django.utils import timezone

from reintegra.access.roles import Role
from reintegra.cases import services as case_services
from reintegra.children import services
from reintegra.children.tests.plan_helpers import COMPLETE_CHECKLIST
from reintegra.testing import factories
from reintegra.testing.rule_paths import DROP, Refusal, WritePair


def iso(days: int = 0) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def planned_child(world: Any, *, agreed: bool = False) -> SimpleNamespace:
    """A 15-year-old's case with a drafted plan of one item (`agreed`: agreed after an approved BIA)."""
    manager = world.case_manager
    today = timezone.localdate()
    child = factories.returnee(manager, given_names="Ana", birth_date=today.replace(year=today.year - 15))
    case = factories.case(manager, child)
    case_services.record_assessment(manager, case, {"assessed_on": today})
    case_services.save_plan(
        manager,
        case,
        goals="Volver a la escuela",
        motivations="Su familia",
        items=[case_services.PlanItemInput(dimension="social", approach="Educación", assistance_form="in_kind")],
    )
    if agreed:
        bia = services.start_assessment(
            manager,
            case,
            services.AssessmentInput(
                stage="arrival",
                priority="medium",
                started_on=today,
                child_participated=True,
                hearing_method="conversation",
                child_views="Quiere volver a la escuela.",
                family_situation="Vive con su abuela.",
                safety_risks="Sin indicadores.",
                recommendation="stay_with_family",
                recommendation_reasons="Entorno seguro.",
                complete=True,
            ),
        )
        services.approve_assessment(factories.user(world.org, Role.SUPERVISOR), bia)
        services.record_participation(
            manager, case, decision="plan", method="in_person", views="Quiere estudiar.", recorded_on=today
        )
        case_services.agree_plan(manager, case, agreed_on=today)
    return SimpleNamespace(world=world, user=manager, case=case, item=case.plan.items.get())


def _api(c: Any, tail: str) -> str:
    return f"/api/v1/cases/{c.case.pk}/{tail}"


MEASURE = {"timeframe": "months", "duration": 10, "target": "child", "sector": "education"}


def _measure_web(c: Any, **changes: Any) -> dict[str, Any]:
    values = {**MEASURE, **changes}
    return {"measures-0-included": "on", **{f"measures-0-{k}": v for k, v in values.items()}}


def _measures_api(c: Any, **changes: Any) -> list[dict[str, Any]]:
    return [{"item": c.item.pk, **MEASURE, **changes}]


FOLLOW_UP = {"mode": "in_person", "vulnerabilities": ["out_of_school"], "monitoring_frequency": "monthly"}


PLAN_PAIRS = [
    WritePair(
        "child plan",
        "api:case-child-plan",
        planned_child,
        web_page=lambda c: reverse("children:child-plan", args=[c.case.pk]),
        web_form="measures-0-timeframe",
        web_url=lambda c: reverse("children:child-plan", args=[c.case.pk]),
        web_data=_measure_web,
        api_method="put",
        api_url=lambda c: _api(c, "child-plan/"),
        api_data=lambda c: {"measures": _measures_api(c)},
        refusals=(
            Refusal(
                "measures.0.duration",
                "out_of_range",
                web={"measures-0-timeframe": "weeks", "measures-0-duration": "20"},
                api={"measures": lambda c: _measures_api(c, timeframe="weeks", duration=20)},
                label="twenty weeks",
            ),
            Refusal(
                "measures.0.community_actor",
                "required",
                web={"measures-0-target": "community"},
                api={"measures": lambda c: _measures_api(c, target="community")},
                label="a community measure without its actor",
            ),
        ),
    ),
    WritePair(
        "child follow-up",
        "api:case-child-follow-ups",
        lambda world: planned_child(world, agreed=True),
        web_page=lambda c: reverse("children:child-follow-up-new", args=[c.case.pk]),
        web_form="monitoring_frequency",
        web_url=lambda c: reverse("children:child-follow-up-new", args=[c.case.pk]),
        web_data=lambda c: {**FOLLOW_UP, "visited_on": iso()},
        api_url=lambda c: _api(c, "child-follow-ups/"),
        api_data=lambda c: {**FOLLOW_UP, "visited_on": iso()},
        refusals=(
            Refusal.same("next_visit_on", "beyond_frequency", label="next visit too late", next_visit_on=iso(45)),
            Refusal(
                "vulnerabilities",
                "required",
                web={"vulnerabilities": DROP},
                api={"vulnerabilities": []},
                label="no vulnerabilities assessed",
            ),
            Refusal.same("monitoring_frequency", "required", label="no frequency", monitoring_frequency=""),
        ),
    ),
    WritePair(
        "child closure checklist",
        "api:case-child-closure-checklist",
        planned_child,
        web_page=lambda c: reverse("children:closure-checklist", args=[c.case.pk]),
        web_form="good_practice",
        web_url=lambda c: reverse("children:closure-checklist", args=[c.case.pk]),
        web_data=lambda c: {**COMPLETE_CHECKLIST, "complete": "1"},
        api_method="put",
        api_url=lambda c: _api(c, "child-closure-checklist/"),
        api_data=lambda c: dict(COMPLETE_CHECKLIST),
        refusals=(
            Refusal.same("good_practice", "required", label="no good practice", good_practice=""),
            Refusal.same("health_note", "required", label="health partly met, unexplained", health_note=""),
            Refusal.same("child_view", "required", label="the child's view missing", child_view=""),
        ),
    ),
]

PLAN_NOT_PAIRED: dict[str, str] = {}

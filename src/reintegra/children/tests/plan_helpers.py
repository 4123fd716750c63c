"""Shared steps of the child plan, follow-up and closure-checklist tests."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from reintegra.cases import services as case_services
from reintegra.children import plan_services, services
from reintegra.children.tests.conftest import World, approved_bia, drafted_plan

COMPLETE_CHECKLIST: dict[str, Any] = {
    "safe_care": "met",
    "school": "met",
    "health": "partly_met",
    "health_note": "Centro de salud a 2 horas; cita de seguimiento acordada.",
    "psychosocial": "met",
    "family_economy": "partly_met",
    "family_economy_note": "La abuela recibe un bono del programa social.",
    "child_view": "agrees",
    "child_view_note": "Dice que ya se siente en casa.",
    "good_practice": "La escuela y el comité comunitario acompañaron juntos el regreso a clases.",
    "complete": True,
}


def checklist_input(**overrides: Any) -> plan_services.ClosureChecklistInput:
    return plan_services.ClosureChecklistInput(**{**COMPLETE_CHECKLIST, **overrides})


def participation(w: World, decision: str) -> None:
    services.record_participation(
        w.manager,
        w.child_case,
        decision=decision,
        method="in_person",
        views="Quiere seguir en la escuela.",
        recorded_on=timezone.localdate(),
    )


def agreed_child_plan(w: World) -> None:
    """An accompanied child's plan, agreed after the BIA and the child's participation."""
    drafted_plan(w)
    approved_bia(w)
    participation(w, "plan")
    case_services.agree_plan(w.manager, w.child_case, agreed_on=timezone.localdate())
    w.child_case.refresh_from_db()


def plan_item_id(w: World) -> int:
    return int(w.child_case.plan.items.get().pk)


def measure(item_id: int | None, **overrides: Any) -> plan_services.ChildPlanItemInput:
    values: dict[str, Any] = {
        "item_id": item_id,
        "timeframe": "months",
        "duration": 10,
        "target": "child",
        "sector": "education",
        "community_actor": "school",
        "community_actor_name": "Escuela Oficial Rural Mixta",
    }
    values.update(overrides)
    return plan_services.ChildPlanItemInput(**values)

"""A child's case and the people around it, for the core tests (profile, BIA, BID, rules)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from reintegra.access.models import Organisation, User
from reintegra.access.roles import Role
from reintegra.cases import services as case_services
from reintegra.cases.models import Case
from reintegra.children import services
from reintegra.children.choices import CareStatus
from reintegra.testing import factories as f


def years_ago(years: int, days: int = 0) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - timedelta(days=days)


@dataclass
class World:
    org: Organisation
    manager: User
    supervisor: User
    other_manager: User
    child_case: Case


@pytest.fixture
def world(db) -> World:
    org = f.organisation("ninez", country="GT")
    team = f.team(org)
    manager = f.user(org, Role.CASE_MANAGER, team=team)
    supervisor = f.user(org, Role.SUPERVISOR, team=team)
    other_manager = f.user(org, Role.CASE_MANAGER)
    child = f.returnee(manager, birth_date=years_ago(15), given_names="Ana", nationality="GT", return_country="GT")
    case = f.case(manager, child)
    return World(org, manager, supervisor, other_manager, case)


def bia_input(**overrides: object) -> services.AssessmentInput:
    values: dict[str, object] = {
        "stage": "arrival",
        "priority": "high",
        "started_on": timezone.localdate(),
        "child_participated": True,
        "hearing_method": "conversation",
        "trusted_adult_present": True,
        "child_views": "Quiere volver a la escuela y vivir con su abuela.",
        "family_situation": "Abuela en Huehuetenango dispuesta a cuidarla.",
        "safety_risks": "Sin indicadores de trata.",
        "recommendation": "reunification",
        "recommendation_reasons": "La abuela es un entorno seguro.",
        "complete": True,
    }
    values.update(overrides)
    return services.AssessmentInput(**values)  # type: ignore[arg-type]


def approved_bia(w: World) -> None:
    bia = services.start_assessment(w.manager, w.child_case, bia_input())
    services.approve_assessment(w.supervisor, bia)


def panel(w: World, **overrides: object) -> list[services.PanelMemberInput]:
    declared = {"no_conflict_declared": True, "confidentiality_declared": True, **overrides}
    return [
        services.PanelMemberInput(role="chair", user_id=w.supervisor.pk, **declared),  # type: ignore[arg-type]
        services.PanelMemberInput(role="case_manager", user_id=w.manager.pk, **declared),  # type: ignore[arg-type]
        services.PanelMemberInput(role="authority", name="Lic. Pérez (PGN)", **declared),  # type: ignore[arg-type]
    ]


def decided_bid(w: World, members: list[services.PanelMemberInput] | None = None) -> services.DeterminationInput:
    today = timezone.localdate()
    return services.DeterminationInput(
        convened_on=today,
        members=members if members is not None else panel(w),
        decision="reunification_support",
        reasons="Reunificación con apoyo psicosocial.",
        decided_on=today,
        review_on=today + timedelta(days=90),
    )


def unaccompanied(w: World) -> None:
    services.save_profile(w.manager, w.child_case, services.ProfileInput(care_status=CareStatus.UNACCOMPANIED))


def drafted_plan(w: World) -> None:
    case_services.record_assessment(w.manager, w.child_case, {"assessed_on": timezone.localdate()})
    case_services.save_plan(
        w.manager,
        w.child_case,
        goals="Volver a la escuela",
        motivations="Su familia",
        items=[case_services.PlanItemInput(dimension="social", approach="Educación", assistance_form="in_kind")],
    )

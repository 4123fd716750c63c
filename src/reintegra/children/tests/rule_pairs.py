"""One rule path for the child's case (core): the pairs `tests/test_one_rule_path.py` sends through the web
form and the API (its `world` fixture: `org`, `pm`, `case_manager`...)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from django.urls import reverse
from django.utils import timezone

from reintegra.access.roles import Role
from reintegra.cases import services as case_services
from reintegra.testing import factories
from reintegra.testing.rule_paths import DROP, Refusal, WritePair


def iso(days: int = 0) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def child_ctx(world: Any) -> SimpleNamespace:
    manager = world.case_manager
    today = timezone.localdate()
    child = factories.returnee(manager, given_names="Ana", birth_date=today.replace(year=today.year - 15))
    case = factories.case(manager, child)
    adult = factories.case(manager, factories.returnee(manager, given_names="Marta"))
    household = case_services.set_household(
        manager,
        adult,
        [case_services.MemberInput(given_names="Kevin", relationship="child", estimated_age=9, returned_too=True)],
    )
    return SimpleNamespace(
        world=world,
        user=manager,
        case=case,
        adult=adult,
        member=household.members.get(),
        supervisor=factories.user(world.org, Role.SUPERVISOR),
    )


def _api(c: Any, tail: str) -> str:
    return f"/api/v1/cases/{c.case.pk}/{tail}"


PROFILE = {"care_status": "separated", "guardian_name": "Rosa Pérez", "authority": "mx_dif", "languages": "español"}

BIA = {
    "stage": "arrival",
    "priority": "medium",
    "child_participated": True,
    "hearing_method": "conversation",
    "child_views": "Quiere volver a la escuela.",
    "family_situation": "Vive con su tía.",
    "safety_risks": "Sin indicadores.",
    "recommendation": "stay_with_family",
    "recommendation_reasons": "Entorno seguro.",
}


def _bia_web(c: Any) -> dict[str, Any]:
    return {**BIA, "child_participated": "on", "started_on": iso(), "complete": "1"}


def _bia_api(c: Any) -> dict[str, Any]:
    return {**BIA, "started_on": iso(), "complete": True}


def _members_web(c: Any, confidentiality: bool = True) -> dict[str, Any]:
    rows = [(c.user.pk, "", "case_manager"), (c.supervisor.pk, "", "chair"), ("", "Lic. Pérez (DIF)", "authority")]
    data: dict[str, Any] = {
        "members-TOTAL_FORMS": "3",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
    }
    for index, (user, name, role) in enumerate(rows):
        data.update({f"members-{index}-user": user, f"members-{index}-name": name, f"members-{index}-role": role})
        data[f"members-{index}-no_conflict_declared"] = "on"
        if confidentiality or index != 1:
            data[f"members-{index}-confidentiality_declared"] = "on"
    return data


def _members_api(c: Any, confidentiality: bool = True) -> list[dict[str, Any]]:
    rows = [
        {"user": c.user.pk, "role": "case_manager"},
        {"user": c.supervisor.pk, "role": "chair"},
        {"name": "Lic. Pérez (DIF)", "role": "authority"},
    ]
    return [
        {**row, "no_conflict_declared": True, "confidentiality_declared": confidentiality or index != 1}
        for index, row in enumerate(rows)
    ]


BID = {"decision": "reunification_support", "reasons": "Con apoyo psicosocial."}


def _bid_web(c: Any) -> dict[str, Any]:
    return {**BID, **_members_web(c), "convened_on": iso(), "decided_on": iso(), "review_on": iso(90)}


def _bid_api(c: Any) -> dict[str, Any]:
    return {**BID, "members": _members_api(c), "convened_on": iso(), "decided_on": iso(), "review_on": iso(90)}


PARTICIPATION = {"decision": "plan", "method": "trusted_adult", "views": "Quiere estudiar."}

CORE_PAIRS = [
    WritePair(
        "child profile",
        "api:case-child-profile",
        child_ctx,
        web_page=lambda c: reverse("children:profile", args=[c.case.pk]),
        web_form="care_status",
        web_url=lambda c: reverse("children:profile", args=[c.case.pk]),
        web_data=lambda c: dict(PROFILE),
        api_method="put",
        api_url=lambda c: _api(c, "child-profile/"),
        api_data=lambda c: dict(PROFILE),
        refusals=(
            Refusal.same("care_status", "required", label="no care situation", care_status=""),
            Refusal(
                "guardian_name",
                "required",
                web={"guardian_informed": "on", "guardian_name": ""},
                api={"guardian_informed": True, "guardian_name": ""},
                label="guardian informed, not named",
            ),
            Refusal(
                "caregivers.0.name",
                "required",
                web={"caregivers-0-name": "", "caregivers-0-relationship": "tía"},
                api={"caregivers": [{"name": "", "relationship": "tía"}]},
                label="caregiver without a name",
            ),
        ),
    ),
    WritePair(
        "best-interests assessment",
        "api:case-best-interests-assessments",
        child_ctx,
        web_url=lambda c: reverse("children:assessment-new", args=[c.case.pk]),
        web_data=_bia_web,
        api_url=lambda c: _api(c, "best-interests-assessments/"),
        api_data=_bia_api,
        refusals=(
            Refusal.same("child_views", "required", label="completed without the child's views", child_views=""),
            Refusal.same("priority", "required", label="no priority", priority=""),
            Refusal.same("started_on", "in_future", label="started tomorrow", started_on=iso(1)),
        ),
    ),
    WritePair(
        "best-interests determination",
        "api:case-best-interests-determination",
        child_ctx,
        web_page=lambda c: reverse("children:determination", args=[c.case.pk]),
        web_form="convened_on",
        web_url=lambda c: reverse("children:determination", args=[c.case.pk]),
        web_data=_bid_web,
        api_method="put",
        api_url=lambda c: _api(c, "best-interests-determination/"),
        api_data=_bid_api,
        refusals=(
            Refusal(
                "members.1.confidentiality_declared",
                "declaration_missing",
                web={"members-1-confidentiality_declared": DROP},
                api={"members": lambda c: _members_api(c, confidentiality=False)},
                label="a member without the confidentiality declaration",
            ),
            Refusal.same("review_on", "not_after_decision", label="review before the decision", review_on=iso(-1)),
            Refusal.same("reasons", "required", label="decided without reasons", reasons=""),
        ),
    ),
    WritePair(
        "child participation",
        "api:case-child-participation",
        child_ctx,
        web_url=lambda c: reverse("children:participation", args=[c.case.pk]),
        web_data=lambda c: {**PARTICIPATION, "recorded_on": iso()},
        api_url=lambda c: _api(c, "child-participation/"),
        api_data=lambda c: {**PARTICIPATION, "recorded_on": iso()},
        refusals=(
            Refusal.same("views", "required", label="no views", views=""),
            Refusal.same("recorded_on", "in_future", label="tomorrow", recorded_on=iso(1)),
        ),
    ),
    WritePair(
        "child case from the household",
        "api:case-child-cases",
        child_ctx,
        web_url=lambda c: reverse("children:child-case-new", args=[c.adult.pk]),
        web_data=lambda c: {"member": c.member.pk},
        api_url=lambda c: f"/api/v1/cases/{c.adult.pk}/child-cases/",
        api_data=lambda c: {"member": c.member.pk},
        web_success=302,
        refusals=(Refusal.same("member", "invalid_choice", label="not a member", member=999_999),),
    ),
]

CORE_NOT_PAIRED = {
    "api:case-best-interests-assessment PUT": "the same form and service rules as the paired creation",
    "api:case-best-interests-assessment-approve POST": "its refusals are the supervisor rule (403) and the status"
    " (400 bia_not_submitted), tested in children/tests",
    "api:case-best-interests-assessment-return POST": "the approval's rules plus a required note; web and API"
    " compared in children/tests/test_bia_return.py",
    "api:programme-child-protection-settings PUT": "web and API compared in children/tests/test_deadline_settings.py",
}

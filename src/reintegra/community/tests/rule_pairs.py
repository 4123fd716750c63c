"""One rule path for the community level: the pairs `tests/test_one_rule_path.py` sends through the web form
and the API (its `world` fixture: `org`, `pm`, `municipality` (Tijuana, MX)...)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from django.urls import reverse
from django.utils import timezone

from reintegra.community import services
from reintegra.testing.rule_paths import Refusal, WritePair

FUTURE = (timezone.localdate() + timedelta(days=3)).isoformat()
TODAY = timezone.localdate().isoformat()
NEXT_YEAR = timezone.localdate().year + 1


def community_ctx(world: Any) -> SimpleNamespace:
    community = services.save_community(world.pm, services.CommunityInput(municipality=world.municipality.pk))
    return SimpleNamespace(world=world, user=world.pm, community=community)


def _new_community(c: Any) -> dict[str, Any]:
    return {
        "municipality": c.world.municipality.pk,
        "locality": "Colonia Sánchez Taboada",
        "population": 12000,
        "population_year": 2020,
        "population_source": "Censo INEGI 2020",
    }


COMMUNITY_PAIRS = [
    WritePair(
        "community",
        "api:communities",
        community_ctx,
        web_url=lambda c: reverse("community:new"),
        web_data=_new_community,
        api_url=lambda c: "/api/v1/communities/",
        api_data=_new_community,
        refusals=(
            Refusal.same("locality", "duplicate", label="the place is recorded", locality=""),
            Refusal.same("population_year", "in_future", label="a future census", population_year=NEXT_YEAR),
            Refusal.same("population_source", "required", label="a figure without source", population_source=""),
            Refusal.same("population", "out_of_range", label="no residents", population=0),
        ),
    ),
    WritePair(
        "favourable-site checklist",
        "api:community-site-checklist",
        community_ctx,
        web_url=lambda c: reverse("community:checklist", args=[c.community.pk]),
        web_data=lambda c: {"many_returns_score": "3", "many_returns_evidence": "Datos de la plataforma"},
        web_page=lambda c: reverse("community:checklist", args=[c.community.pk]),
        web_form="many_returns_score",
        api_url=lambda c: f"/api/v1/communities/{c.community.pk}/site-checklist/",
        api_data=lambda c: {"scores": [{"criterion": "many_returns", "score": 3, "evidence": "Datos"}]},
        api_method="put",
        refusals=(
            Refusal(
                "scores.0.evidence",
                "required",
                web={"many_returns_evidence": ""},
                api={"scores": [{"criterion": "many_returns", "score": 3, "evidence": ""}]},
                web_field="many_returns_evidence",
                label="a score without evidence",
            ),
        ),
    ),
    WritePair(
        "participatory session",
        "api:community-sessions",
        community_ctx,
        web_url=lambda c: reverse("community:session-new", args=[c.community.pk]),
        web_data=lambda c: {
            "kind": "focus_group",
            "held_on": TODAY,
            "n_returnee_female_adult": "4",
            "n_non_migrant_male_older": "2",
        },
        api_url=lambda c: f"/api/v1/communities/{c.community.pk}/sessions/",
        api_data=lambda c: {
            "kind": "focus_group",
            "held_on": TODAY,
            "participants": {"returnee:female:adult": 4, "non_migrant:male:older": 2},
        },
        refusals=(
            Refusal.same("held_on", "in_future", label="a session in the future", held_on=FUTURE),
            Refusal(
                "participants",
                "residents_required",
                web={"n_non_migrant_male_older": "0"},
                api={"participants": {"returnee:female:adult": 4}},
                web_field="__all__",
                label="only returnees took part",
            ),
        ),
    ),
]

PERCEPTION = {
    "respondent_group": "returnee",
    "respondent_sex": "male",
    "respondent_age_band": "adult",
    "stigma_discrimination": "agree",
    "stigma_failure": "disagree",
    "safety_feel": "agree",
}

COMMUNITY_PAIRS.append(
    WritePair(
        "community perception answer",
        "api:community-perception",
        community_ctx,
        web_url=lambda c: reverse("community:perception-new", args=[c.community.pk]),
        web_data=lambda c: {"taken_on": TODAY, **{f"q_{k}": v for k, v in PERCEPTION.items()}},
        api_url=lambda c: f"/api/v1/communities/{c.community.pk}/perception/",
        api_data=lambda c: {"taken_on": TODAY, "answers": dict(PERCEPTION)},
        refusals=(
            Refusal.same("taken_on", "in_future", label="an answer dated tomorrow", taken_on=FUTURE),
            Refusal(
                "answers.respondent_group",
                "required",
                web={"q_respondent_group": ""},
                api={"answers": {k: v for k, v in PERCEPTION.items() if k != "respondent_group"}},
                web_field="q_respondent_group",
                label="who answered is not said",
            ),
            Refusal(
                "answers",
                "too_few_answers",
                web={"q_stigma_discrimination": "", "q_stigma_failure": "", "q_safety_feel": ""},
                api={"answers": {k: v for k, v in PERCEPTION.items() if k.startswith("respondent_")}},
                web_field="__all__",
                label="nothing scored answered",
            ),
        ),
    )
)

SECTIONS = ("needs", "resources", "impact_of_returns", "drivers", "barriers", "resilience")


def project_ctx(world: Any) -> SimpleNamespace:
    community = community_ctx(world).community
    project = services.save_project(
        world.pm,
        services.ProjectInput(
            title="Cooperativa de retornados",
            approach="returnee_collective",
            dimensions=["economic"],
            communities=[community.pk],
        ),
    )
    services.change_project_status(world.pm, project, services.StatusInput("active"))
    services.record_visit(world.pm, project, services.VisitInput(timezone.localdate(), "Primera visita"))
    return SimpleNamespace(world=world, user=world.pm, community=community, project=project)


def _profile_web(c: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"as_of": TODAY}
    for code in SECTIONS:
        data |= {f"{code}_rating": "2", f"{code}_evidence": "Sesión comunitaria"}
    return data


def _profile_api(c: Any) -> dict[str, Any]:
    return {"as_of": TODAY, "sections": {code: {"rating": 2, "evidence": "Sesión comunitaria"} for code in SECTIONS}}


def _project_web(c: Any) -> dict[str, Any]:
    return {
        "title": "Panadería comunitaria",
        "approach": "new_community",
        "dimensions": ["economic", "social"],
        "activities": ["collective_income"],
        "communities": [c.community.pk],
        "currency": "MXN",
        "budget_0_line": "Horno",
        "budget_0_budget": "15000",
        "budget_0_spent": "0",
    }


def _project_api(c: Any) -> dict[str, Any]:
    return {
        "title": "Panadería comunitaria",
        "approach": "new_community",
        "dimensions": ["economic", "social"],
        "activities": ["collective_income"],
        "communities": [c.community.pk],
        "currency": "MXN",
        "budget_lines": [{"line": "Horno", "budget": "15000", "spent": "0"}],
    }


PROJECT_PAIRS = [
    WritePair(
        "community profile",
        "api:community-profiles",
        community_ctx,
        web_url=lambda c: reverse("community:profile-new", args=[c.community.pk]),
        web_data=_profile_web,
        api_url=lambda c: f"/api/v1/communities/{c.community.pk}/profiles/",
        api_data=_profile_api,
        refusals=(
            Refusal.same("as_of", "in_future", label="a profile dated tomorrow", as_of=FUTURE),
            Refusal(
                "sections.drivers.evidence",
                "required",
                web={"drivers_evidence": ""},
                api={
                    "sections": {code: {"rating": 2, "evidence": "" if code == "drivers" else "x"} for code in SECTIONS}
                },
                web_field="drivers_evidence",
                label="a rating without evidence",
            ),
        ),
    ),
    WritePair(
        "community project",
        "api:community-projects",
        project_ctx,
        web_url=lambda c: reverse("community:project-new"),
        web_data=_project_web,
        api_url=lambda c: "/api/v1/community-projects/",
        api_data=_project_api,
        refusals=(
            Refusal.same("dimensions", "required", label="no dimension", dimensions=[], activities=[]),
            Refusal.same(
                "activities",
                "activity_dimension",
                label="an activity of another dimension",
                activities=["peer_support"],
            ),
            Refusal(
                "currency",
                "invalid",
                web={"currency": "Q1"},
                api={"currency": "Q1"},
                label="a currency that is not a code (left empty, the communities' country's is used)",
            ),
            Refusal(
                "budget_lines.0.line",
                "required",
                web={"budget_0_line": ""},
                api={"budget_lines": [{"line": "", "budget": "15000"}]},
                web_field="budget_0_line",
                label="a budget line without a name",
            ),
        ),
    ),
    WritePair(
        "non-migrant participants",
        "api:community-project-participants",
        project_ctx,
        web_url=lambda c: reverse("community:project-residents", args=[c.project.pk]),
        web_data=lambda c: {"count": "8", "sex": "female", "age_band": "adult", "role": "member"},
        api_url=lambda c: f"/api/v1/community-projects/{c.project.pk}/participants/",
        api_data=lambda c: {"kind": "non_migrant", "count": 8, "sex": "female", "age_band": "adult"},
        refusals=(Refusal.same("count", "out_of_range", label="nobody", count=0),),
    ),
    WritePair(
        "project follow-up visit",
        "api:community-project-visits",
        project_ctx,
        web_url=lambda c: reverse("community:project-visit", args=[c.project.pk]),
        web_data=lambda c: {"visited_on": TODAY, "findings": "Avanza la construcción"},
        api_url=lambda c: f"/api/v1/community-projects/{c.project.pk}/visits/",
        api_data=lambda c: {"visited_on": TODAY, "findings": "Avanza la construcción"},
        refusals=(
            Refusal.same("visited_on", "in_future", label="a visit tomorrow", visited_on=FUTURE),
            Refusal.same("findings", "required", label="no findings", findings=""),
        ),
    ),
    WritePair(
        "project status",
        "api:community-project-status",
        project_ctx,
        web_url=lambda c: reverse("community:project-status", args=[c.project.pk]),
        web_data=lambda c: {"status": "closed", "closed_on": TODAY, "result": "partly", "closing_assessment": "Bien"},
        web_page=lambda c: reverse("community:project-status", args=[c.project.pk]),
        web_form="closing_assessment",
        api_url=lambda c: f"/api/v1/community-projects/{c.project.pk}/status/",
        api_data=lambda c: {"status": "closed", "closed_on": TODAY, "result": "partly", "closing_assessment": "Bien"},
        refusals=(
            Refusal.same("closed_on", "in_future", label="closed tomorrow", closed_on=FUTURE),
            Refusal.same("closing_assessment", "required", label="no closing assessment", closing_assessment=""),
        ),
    ),
]

COMMUNITY_PAIRS += PROJECT_PAIRS

COMMUNITY_NOT_PAIRED = {
    "api:community PUT": "the same write as api:communities POST (paired): services.save_community",
    "api:community-project PUT": "the same write as api:community-projects POST (paired): services.save_project",
    "api:community-perception-submissions POST": "a file of answers, each row checked by the one rule of "
    "api:community-perception POST (paired: perception_services._check); the page and the API call the same "
    "perception_services.import_responses (test_perception_import.py: page and API alike)",
}

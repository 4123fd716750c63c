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

COMMUNITY_NOT_PAIRED = {
    "api:community PUT": "the same write as api:communities POST (paired): services.save_community",
}

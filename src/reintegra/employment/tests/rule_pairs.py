"""One rule path for labour intermediation: the pairs `tests/test_one_rule_path.py` sends through the web form
and the API (its `world` fixture: `org`, `pm`, `case_manager`, `municipality`...)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from django.urls import reverse
from django.utils import timezone

from reintegra.access.models import Programme
from reintegra.protection import services as protection_services
from reintegra.structural.models import Stakeholder
from reintegra.testing import factories
from reintegra.testing.rule_paths import Refusal, WritePair


def iso(days: int = 0) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def employment_ctx(world: Any) -> SimpleNamespace:
    manager = world.case_manager
    case = factories.case(manager)
    protection_services.record_consent(
        manager, case.returnee, "employment", "signed", timezone.localdate(), recipient_description="Bolsa de empleo"
    )
    programme = Programme.objects.filter(organisation=world.org).first()
    employer = Stakeholder.objects.create(
        programme=programme,
        name="Maquiladora Tijuana",
        category="private_sector",
        level="local",
        country="MX",
        interest=4,
        influence=4,
    )
    return SimpleNamespace(world=world, user=manager, case=case, programme=programme, employer=employer)


def vacancy_ctx(world: Any) -> SimpleNamespace:
    c = employment_ctx(world)
    c.user = world.pm
    return c


def _profile_api(c: Any) -> dict[str, Any]:
    return {
        "education_level": "3",
        "municipality": c.world.municipality.pk,
        "travel_reach": "admin1",
        "availability": "immediate",
        "desired_occupation": "8153",
        "experience": [{"isco": "8153", "years": 4, "abroad": True, "country": "US", "sector": "textil"}],
        "skills": [{"name": "Costura industrial", "evidence": "assessed"}],
    }


def _profile_web(c: Any) -> dict[str, Any]:
    return {
        "education_level": "3",
        "municipality": c.world.municipality.pk,
        "travel_reach": "admin1",
        "availability": "immediate",
        "desired_occupation": "8153",
        "experience-0-isco": "8153",
        "experience-0-years": "4",
        "experience-0-abroad": "on",
        "experience-0-country": "US",
        "experience-0-sector": "textil",
        "skills-0-name": "Costura industrial",
        "skills-0-evidence": "assessed",
    }


def _vacancy(c: Any) -> dict[str, Any]:
    return {
        "programme": c.programme.pk,
        "employer": c.employer.pk,
        "title": "Operadora de máquina de coser",
        "occupation": "8153",
        "municipality": c.world.municipality.pk,
        "wage_min": 6000,
        "wage_max": 8000,
        "contract_type": "permanent",
        "positions": 5,
        "closing_date": iso(20),
        "incentive": "wage_cofinancing",
    }


def _vacancy_api(c: Any) -> dict[str, Any]:
    return {**_vacancy(c), "essential_skills": ["costura industrial"]}


def _vacancy_web(c: Any) -> dict[str, Any]:
    return {**_vacancy(c), "essential_skills": "costura industrial"}


EMPLOYMENT_PAIRS = [
    WritePair(
        "jobseeker profile",
        "api:case-jobseeker",
        employment_ctx,
        web_page=lambda c: reverse("employment:profile", args=[c.case.pk]),
        web_form="education_level",
        web_url=lambda c: reverse("employment:profile", args=[c.case.pk]),
        web_data=_profile_web,
        api_method="put",
        api_url=lambda c: f"/api/v1/cases/{c.case.pk}/jobseeker/",
        api_data=_profile_api,
        refusals=(
            Refusal.same("travel_reach", "required", label="no travel reach", travel_reach=""),
            Refusal.same("desired_occupation", "invalid_choice", label="not an ISCO code", desired_occupation="9999"),
            Refusal(
                "experience.0.country",
                "required",
                web={"experience-0-country": ""},
                api={"experience": [{"isco": "8153", "years": 4, "abroad": True, "country": ""}]},
                label="work abroad without the country",
            ),
            Refusal(
                "skills.0.evidence",
                "certification_required",
                web={"skills-0-evidence": "certified"},
                api={"skills": [{"name": "Costura industrial", "evidence": "certified"}]},
                label="a certified skill without its certificate",
            ),
        ),
    ),
    WritePair(
        "vacancy",
        "api:vacancies",
        vacancy_ctx,
        web_url=lambda c: reverse("employment:vacancy-new"),
        web_data=_vacancy_web,
        api_url=lambda c: "/api/v1/vacancies/",
        api_data=_vacancy_api,
        refusals=(
            Refusal.same("wage_max", "out_of_range", label="maximum below minimum", wage_max=5000),
            Refusal.same("closing_date", "in_past", label="closed yesterday", closing_date=iso(-1)),
            Refusal.same("title", "required", label="no title", title=""),
            Refusal.same("occupation", "invalid_choice", label="not an ISCO code", occupation="0000"),
        ),
    ),
]

SAME_SERVICE = "the web shows the service's refusal on the case tab (a message); same service, same codes"
EMPLOYMENT_NOT_PAIRED = {
    "api:vacancy PUT": "API only: the web creates vacancies; the same save_vacancy as api:vacancies POST (paired)",
    "api:placements POST": f"shortlisting: {SAME_SERVICE} (employment tests)",
    "api:placement-step POST": f"a placement's step: {SAME_SERVICE} (employment tests)",
    "api:placement-retention POST": f"a retention check: {SAME_SERVICE} (employment tests)",
    "api:placement-referral POST": (
        "referring a candidate: the page (/empleo/colocaciones/<id>/remitir/) shows refer_candidate's refusals on "
        "its form; same service, same codes (employment/tests/test_referral.py sends both channels)"
    ),
}

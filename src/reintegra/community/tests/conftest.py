"""A community office: an organisation in Guatemala with its staff, two municipalities of the gazetteer, a
community, and another organisation whose community must stay hidden."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from reintegra.access.models import Organisation, User
from reintegra.access.roles import Role
from reintegra.community import services
from reintegra.community.models import Community
from reintegra.places.models import AdminArea
from reintegra.testing import factories as f


@dataclass
class Office:
    org: Organisation
    programme_manager: User
    coordinator: User
    case_manager: User
    supervisor: User
    me_officer: User
    provider: User
    muni: AdminArea
    muni2: AdminArea
    community: Community
    other_org: Organisation
    other_pm: User
    other_community: Community


def community_input(muni: AdminArea, **overrides: Any) -> services.CommunityInput:
    values: dict[str, Any] = {
        "municipality": muni.pk,
        "population": 20_000,
        "population_year": 2018,
        "population_source": "Censo INE 2018",
    }
    values.update(overrides)
    return services.CommunityInput(**values)


def session_input(**overrides: Any) -> services.SessionInput:
    values: dict[str, Any] = {
        "kind": "focus_group",
        "held_on": timezone.localdate() - timedelta(days=3),
        "place": "Salón comunal",
        "facilitators": "Equipo OIM",
        "participants": {"returnee:male:adult": 6, "returnee:female:adult": 3, "non_migrant:female:adult": 8},
        "priorities": ["Empleo para jóvenes", "Agua potable"],
        "tensions": "Rumores de que los retornados traen problemas.",
        "follow_up": "Segunda reunión en un mes.",
    }
    values.update(overrides)
    return services.SessionInput(**values)


def days_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


@pytest.fixture
def office(db: Any) -> Office:
    org = f.organisation("comunidad-gt", "GT")
    pm = f.user(org, Role.PROGRAMME_MANAGER)
    dept = AdminArea.objects.create(country="GT", level=1, code="GT-13", name="Huehuetenango")
    muni = AdminArea.objects.create(country="GT", level=2, code="GT-1301", name="Huehuetenango", parent=dept)
    muni2 = AdminArea.objects.create(country="GT", level=2, code="GT-1302", name="Chiantla", parent=dept)
    community = services.save_community(pm, community_input(muni))
    other_org = f.organisation("comunidad-hn", "HN")
    other_pm = f.user(other_org, Role.PROGRAMME_MANAGER)
    hn = AdminArea.objects.create(country="HN", level=2, code="HN-0501", name="San Pedro Sula")
    other_community = services.save_community(other_pm, community_input(hn))
    return Office(
        org,
        pm,
        f.user(org, Role.COORDINATOR),
        f.user(org, Role.CASE_MANAGER),
        f.user(org, Role.SUPERVISOR),
        f.user(org, Role.ME_OFFICER),
        f.user(org, Role.SERVICE_PROVIDER),
        muni,
        muni2,
        community,
        other_org,
        other_pm,
        other_community,
    )


def stakeholder(org: Organisation, name: str = "Municipalidad de Huehuetenango") -> Any:
    """A stakeholder of the organisation's programme (the structural registry), as a project's partner."""
    from reintegra.structural.choices import GeographicLevel, StakeholderCategory
    from reintegra.structural.models import Stakeholder

    return Stakeholder.objects.create(
        programme=f.programme(org),
        name=name,
        category=StakeholderCategory.LOCAL_GOVERNMENT,
        level=GeographicLevel.LOCAL,
        country=org.country,
        interest=4,
        influence=4,
    )


def project_input(community: Community, **overrides: Any) -> services.ProjectInput:
    values: dict[str, Any] = {
        "title": "Huertos comunitarios de Chiantla",
        "approach": "new_community",
        "dimensions": ["economic", "psychosocial"],
        "activities": ["collective_income", "peer_support"],
        "communities": [community.pk],
        "starts_on": timezone.localdate() - timedelta(days=30),
        "currency": "GTQ",
        "budget_lines": [{"line": "Semillas y herramientas", "budget": "12000", "spent": "4500.50"}],
        "milestones": [{"title": "Primera cosecha", "due_on": timezone.localdate(), "status": "pending"}],
        "risks": "Sequía",
        "outcomes": "Ingresos para 20 familias",
    }
    values.update(overrides)
    return services.ProjectInput(**values)

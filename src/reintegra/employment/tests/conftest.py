"""A small world for the employment tests: an organisation in Guatemala with a programme, people of each
role, a department with two municipalities, a private-sector employer, a consenting returnee's case; and
another organisation (Honduras) with its own case, employer and vacancy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from reintegra.access.models import Organisation, Programme, User
from reintegra.access.roles import Role
from reintegra.cases.models import Case
from reintegra.employment import services
from reintegra.employment.models import Vacancy
from reintegra.places.models import AdminArea
from reintegra.protection import services as protection_services
from reintegra.protection.choices import ConsentPurpose
from reintegra.structural.models import Stakeholder
from reintegra.testing import factories as f


def consent(by: User, case: Case, purpose: str = ConsentPurpose.EMPLOYMENT) -> None:
    protection_services.record_consent(
        by,
        case.returnee,
        purpose,
        "signed",
        timezone.localdate() - timedelta(days=1),
        recipient_description="Servicio de intermediación laboral",
    )


def employer(
    programme: Programme, name: str = "Constructora del Altiplano", category: str = "private_sector"
) -> Stakeholder:
    return Stakeholder.objects.create(
        programme=programme, name=name, category=category, level="local", country="GT", interest=4, influence=3
    )


def profile_input(municipality: AdminArea, **overrides: Any) -> services.ProfileInput:
    values: dict[str, Any] = {
        "education_level": "2",
        "travel_reach": "admin1",
        "availability": "immediate",
        "municipality_id": municipality.pk,
        "desired_occupation": "7112",
        "desired_wage": 3500,
        "desired_contracts": ["permanent"],
        "experience": [{"isco": "7112", "years": 6, "abroad": True, "country": "US", "sector": "construcción"}],
        "languages": [{"language": "es", "level": "native"}, {"language": "en", "level": "A2"}],
        "skills": [
            {"name": "Albañilería", "evidence": "certified"},
            {"name": "Lectura de planos", "evidence": "self_declared"},
        ],
        "certifications": [{"issuer": "intecap", "standard": "Albañil", "issued_on": "2024-03-01", "expires_on": ""}],
    }
    values.update(overrides)
    return services.ProfileInput(**values)


def vacancy_input(
    programme: Programme, stakeholder: Stakeholder, municipality: AdminArea, **overrides: Any
) -> services.VacancyInput:
    values: dict[str, Any] = {
        "programme_id": programme.pk,
        "employer_id": stakeholder.pk,
        "title": "Albañil para obra residencial",
        "occupation": "7112",
        "essential_skills": ["albañilería", "Lectura de planos"],
        "optional_skills": ["soldadura"],
        "education_level": "1",
        "municipality_id": municipality.pk,
        "wage_min": 3000,
        "wage_max": 4000,
        "contract_type": "permanent",
        "positions": 3,
        "closing_date": timezone.localdate() + timedelta(days=30),
    }
    values.update(overrides)
    return services.VacancyInput(**values)


@dataclass
class World:
    org: Organisation
    programme: Programme
    manager: User
    case_manager: User
    supervisor: User
    me_officer: User
    coordinator: User
    dept: AdminArea
    muni: AdminArea
    muni2: AdminArea
    employer: Stakeholder
    case: Case
    other_org: Organisation
    other_manager: User
    other_case: Case
    other_employer: Stakeholder
    other_vacancy: Vacancy


@pytest.fixture
def world(db: None) -> World:
    org = f.organisation("oim-gt", country="GT")
    programme = Programme.objects.get(organisation=org)
    manager = f.user(org, Role.PROGRAMME_MANAGER)
    case_manager = f.user(org, Role.CASE_MANAGER)
    dept = AdminArea.objects.create(country="GT", level=1, code="GT-13", name="Huehuetenango")
    muni = AdminArea.objects.create(country="GT", level=2, code="GT-1301", name="Huehuetenango", parent=dept)
    muni2 = AdminArea.objects.create(country="GT", level=2, code="GT-1302", name="Chiantla", parent=dept)
    case = f.case(case_manager)
    consent(case_manager, case)
    other_org = f.organisation("ong-hn", country="HN")
    other_programme = Programme.objects.get(organisation=other_org)
    other_manager = f.user(other_org, Role.PROGRAMME_MANAGER)
    other_case = f.case(other_manager)
    consent(other_manager, other_case)
    other_employer = employer(other_programme, "Maquila del Valle")
    hn = AdminArea.objects.create(country="HN", level=1, code="HN-05", name="Cortés")
    sps = AdminArea.objects.create(country="HN", level=2, code="HN-0501", name="San Pedro Sula", parent=hn)
    other_vacancy = services.save_vacancy(other_manager, vacancy_input(other_programme, other_employer, sps))
    return World(
        org=org,
        programme=programme,
        manager=manager,
        case_manager=case_manager,
        supervisor=f.user(org, Role.SUPERVISOR),
        me_officer=f.user(org, Role.ME_OFFICER),
        coordinator=f.user(org, Role.COORDINATOR),
        dept=dept,
        muni=muni,
        muni2=muni2,
        employer=employer(programme),
        case=case,
        other_org=other_org,
        other_manager=other_manager,
        other_case=other_case,
        other_employer=other_employer,
        other_vacancy=other_vacancy,
    )


def referred(placement: Any, by: User) -> Any:
    """The shortlisted candidate referred by `by` to an intermediation service on the platform (a job-placement
    SOP of `by`'s organisation, a consent naming the service's organisation) and accepted by it: the placement
    may go to the interview (the referral flow itself: test_referral.py)."""
    from reintegra.employment import cv
    from reintegra.protection.choices import ConsentMethod
    from reintegra.referrals import services as referral_services
    from reintegra.referrals.models import Service, ServiceProvider

    country = str(by.organisation.country)  # a provider in the referring organisation's country: no cross-border
    provider_org = f.organisation(f"sne-{placement.pk}", country=country)
    provider_user = f.user(provider_org, Role.SERVICE_PROVIDER)
    provider = ServiceProvider.objects.create(
        name=f"Servicio de empleo {placement.pk}",
        organisation_type="government",
        country=country,
        organisation=provider_org,
        owner=provider_org,
    )
    service = Service.objects.create(
        provider=provider,
        code=f"sne-{placement.pk}",
        name="Intermediación",
        dimension="economic",
        sector="employment",
        country=country,
    )
    referral_services.save_pathway(
        f.user(by.organisation, Role.PROGRAMME_MANAGER),
        referral_services.PathwayInput(
            provider=provider,
            title="POE colocación",
            approved_on=timezone.localdate(),
            transferred_fields=sorted(cv.CV_FIELDS),
        ),
    )
    protection_services.record_consent(
        by,
        placement.profile.case.returnee,
        ConsentPurpose.REFERRAL,
        ConsentMethod.SIGNED,
        timezone.localdate() - timedelta(days=1),
        recipient_organisation=provider_org,
    )
    placement = services.refer_candidate(by, placement, service=service)
    referral_services.accept_referral(provider_user, placement.referral)
    placement.refresh_from_db()
    return placement

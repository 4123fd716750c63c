"""A Guatemalan programme that publishes: two municipalities, a public service and a private one, a reception
point, guides, its staff (including the feedback focal point), returnees with names, documents and phones
(which no public answer may contain), and another organisation whose feedback must stay hidden."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core import signing

from reintegra.access.models import Organisation, Programme, User
from reintegra.access.roles import Role
from reintegra.cases.models import Case
from reintegra.cases.services import DocumentInput
from reintegra.places.models import AdminArea
from reintegra.public import services, spam
from reintegra.public.models import Guide
from reintegra.reception import services as reception_services
from reintegra.referrals import services as referral_services
from reintegra.referrals.models import Service
from reintegra.testing import factories as f

PEOPLE = [
    {
        "given_names": "Rosaura Esperanza",
        "first_family_name": "Tzul",
        "second_family_name": "Quiej",
        "phone": "+502 5555 1234",
        "document": "2345 67890 0101",
    },
    {
        "given_names": "Wilmer Obdulio",
        "first_family_name": "Xicará",
        "second_family_name": "Batz",
        "phone": "+502 4444 9876",
        "document": "3456 78901 0901",
    },
]


@dataclass
class Portal:
    org: Organisation
    programme: Programme
    pm: User
    supervisor: User
    case_manager: User
    focal_point: User
    me_officer: User
    xela: AdminArea
    salcaja: AdminArea
    dept: AdminArea
    public_service: Service
    private_service: Service
    guide: Guide
    cases: list[Case]
    other_org: Organisation
    other_programme: Programme
    other_handler: User
    secrets: list[str]  # names, documents and phones of the people in the data


def answered(address: str = "198.51.100.7", **overrides: Any) -> spam.Submission:
    """A submission that answers its challenge right."""
    challenge = spam.new_challenge()
    total = signing.loads(challenge.token, salt=spam.SALT)["s"]
    values = {"challenge_token": challenge.token, "challenge_answer": str(total)}
    values.update(overrides)
    return spam.Submission(address, **values)


def _service(pm: User, provider: Any, name: str, *, public: bool, areas: list[AdminArea]) -> Service:
    data = referral_services.ServiceInput(
        provider=provider,
        name=name,
        dimension="economic",
        sector="employment",
        country="GT",
        areas=areas,
        description="Orientación laboral y bolsa de empleo",
        opening_hours="Lunes a viernes 8:00-16:00",
        is_public=public,
        public_contact="Oficina: +502 7765 0000" if public else "",
    )
    return referral_services.save_service(pm, data)


@pytest.fixture
def portal(db: None) -> Portal:
    org = f.organisation("oim-gt-pub", "GT", name="OIM Guatemala")
    programme = Programme.objects.get(organisation=org)
    pm = f.user(org, Role.PROGRAMME_MANAGER, username="pub-pm")
    supervisor = f.user(org, Role.SUPERVISOR, username="pub-sup")
    case_manager = f.user(org, Role.CASE_MANAGER, username="pub-cm")
    focal_point = f.user(org, Role.FEEDBACK_FOCAL_POINT, username="pub-focal")
    me_officer = f.user(org, Role.ME_OFFICER, username="pub-me")
    dept = AdminArea.objects.create(country="GT", level=1, code="GT-09", name="Quetzaltenango")
    xela = AdminArea.objects.create(country="GT", level=2, code="GT-0901", name="Quetzaltenango", parent=dept)
    salcaja = AdminArea.objects.create(country="GT", level=2, code="GT-0902", name="Salcajá", parent=dept)
    services.save_settings(
        pm,
        programme,
        services.SettingsInput(
            is_listed=True,
            summary="Apoyo a la reintegración económica y social",
            eligibility="Personas guatemaltecas retornadas en los últimos 12 meses",
            acknowledge_days=3,
            sensitive_acknowledge_days=1,
            resolve_days=30,
            guide_review_months=6,
        ),
    )
    provider = referral_services.save_provider(
        pm, referral_services.ProviderInput(name="Centro de Empleo Xela", organisation_type="government", country="GT")
    )
    public_service = _service(pm, provider, "Bolsa de empleo municipal", public=True, areas=[xela])
    private_service = _service(pm, provider, "Atención psicosocial individual", public=False, areas=[xela])
    reception_services.save_point(
        pm,
        reception_services.PointInput(
            code="aurora",
            name="Centro de Recepción La Aurora",
            country="GT",
            kind="airport",
            receiving_institution="Instituto Guatemalteco de Migración",
        ),
    )
    guide = services.save_guide(
        pm,
        None,
        services.GuideInput(
            programme=programme.pk,
            country="GT",
            municipality=xela.pk,
            topic="documents",
            title="Cómo obtener el DPI",
            body="Acuda al RENAP con su certificado de nacimiento.\n\nEl trámite es gratuito.",
        ),
    )
    services.save_guide(
        pm,
        None,
        services.GuideInput(
            programme=programme.pk,
            country="GT",
            topic="arrival",
            title="Qué pasa al llegar",
            body="En el Centro de Recepción le reciben, le dan agua y orientación.",
        ),
    )
    cases = []
    secrets = []
    for person in PEOPLE:
        returnee = f.returnee(
            case_manager,
            given_names=person["given_names"],
            first_family_name=person["first_family_name"],
            second_family_name=person["second_family_name"],
            phone=person["phone"],
            nationality="GT",
            return_country="GT",
            documents=[DocumentInput("national_id", person["document"], "GT")],
        )
        cases.append(f.case(case_manager, returnee, case_manager=case_manager))
        secrets += [
            person["given_names"],
            person["first_family_name"],
            person["second_family_name"],
            person["document"],
            person["document"].replace(" ", ""),
            person["phone"],
            person["phone"].replace(" ", ""),
        ]
    other_org = f.organisation("ong-hn-pub", "HN", name="ONG Honduras")
    other_programme = Programme.objects.get(organisation=other_org)
    other_handler = f.user(other_org, Role.FEEDBACK_FOCAL_POINT, Role.CASE_MANAGER, username="pub-other")
    return Portal(
        org,
        programme,
        pm,
        supervisor,
        case_manager,
        focal_point,
        me_officer,
        xela,
        salcaja,
        dept,
        public_service,
        private_service,
        guide,
        cases,
        other_org,
        other_programme,
        other_handler,
        secrets,
    )

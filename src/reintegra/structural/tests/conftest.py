from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from reintegra.access.models import Organisation, Programme, User
from reintegra.access.roles import Role
from reintegra.structural import choices as c
from reintegra.structural import services
from reintegra.structural.models import (
    ActionItem,
    Agreement,
    CapacityActivity,
    CapacityAssessment,
    CapacityPlan,
    CommonProduct,
    ContactPerson,
    CooperationFramework,
    CoordinationMechanism,
    Document,
    Interaction,
    MainstreamingProcess,
    MechanismMember,
    Meeting,
    ProgressIndicator,
    SectorOpportunity,
    Stakeholder,
    StakeholderReview,
    Training,
)
from reintegra.testing import factories


@dataclass
class World:
    org: Organisation
    programme: Programme
    manager: User
    records: dict[str, Any]


def build_world(org: Organisation, manager: User) -> dict[str, Any]:
    """One record of every kind in the organisation's default programme, written through the services."""
    programme = Programme.objects.get(organisation=org)
    today = timezone.localdate()
    save = services.save_record

    def rec(obj: Any, **m2m: Any) -> Any:
        return save(manager, obj, m2m)

    p = {"programme": programme}
    s = rec(
        Stakeholder(
            **p,
            name="Ministerio de Trabajo",
            category=c.StakeholderCategory.NATIONAL_AUTHORITY,
            level=c.GeographicLevel.NATIONAL,
            country=org.country,
            interest=5,
            influence=4,
            engaged_on=today - timedelta(days=100),
        )
    )
    s2 = rec(
        Stakeholder(
            **p,
            name="Cámara de Comercio",
            category=c.StakeholderCategory.PRIVATE_SECTOR,
            level=c.GeographicLevel.NATIONAL,
            country=org.country,
            interest=2,
            influence=4,
        )
    )
    agreement = rec(
        Agreement(
            **p,
            title="Memorando MinTrab",
            kind=c.AgreementKind.MOU,
            status=c.AgreementStatus.IN_FORCE,
            starts_on=today - timedelta(days=300),
            ends_on=today + timedelta(days=30),
        ),
        parties=[s],
    )
    mechanism = rec(
        CoordinationMechanism(
            **p,
            name="Mesa de reintegración",
            kind=c.MechanismKind.INTER_AGENCY,
            level=c.GeographicLevel.NATIONAL,
            chair=s,
        )
    )
    steering = rec(
        CoordinationMechanism(
            **p, name="Comité directivo", kind=c.MechanismKind.STEERING, level=c.GeographicLevel.INTERNATIONAL
        )
    )
    meeting = rec(
        Meeting(**p, mechanism=mechanism, held_on=today - timedelta(days=20), agenda="Agenda"), attendees=[s, s2]
    )
    process = rec(
        MainstreamingProcess(**p, title="Incorporación en política laboral", level=c.GeographicLevel.NATIONAL)
    )
    plan = rec(CapacityPlan(**p, title="Plan de capacidades"), stakeholders=[s])
    framework = rec(
        CooperationFramework(
            **p, title="Marco México-Guatemala", host_country="MX", origin_country="GT", steering_committee=steering
        ),
        parties=[s, s2],
        agreements=[agreement],
    )
    records = {
        "stakeholder": s,
        "stakeholder2": s2,
        "contact": rec(
            ContactPerson(**p, stakeholder=s, name="Ana Pérez", email="ana@example.org", phone="+502 5555 0000")
        ),
        "interaction": rec(
            Interaction(**p, stakeholder=s, kind=c.InteractionKind.MEETING, occurred_on=today, summary="Reunión")
        ),
        "product": rec(
            CommonProduct(
                **p,
                stakeholder=s,
                kind=c.ProductKind.ACTION,
                description="Ruta de empleo",
                due_on=today - timedelta(days=5),
            )
        ),
        "review": rec(
            StakeholderReview(
                **p, stakeholder=s2, reviewed_on=today - timedelta(days=10), progress=c.ProgressAssessment.SUFFICIENT
            )
        ),
        "agreement": agreement,
        "document": rec(
            Document(
                **p,
                agreement=agreement,
                kind=c.DocumentKind.AGREEMENT,
                title="Texto firmado",
                file=SimpleUploadedFile("memorando.pdf", b"%PDF-1.4 test"),
            )
        ),
        "mechanism": mechanism,
        "member": rec(
            MechanismMember(**p, mechanism=mechanism, stakeholder=s2, representative="Luis Gómez", is_senior=True)
        ),
        "meeting": meeting,
        "actionitem": rec(
            ActionItem(
                **p,
                meeting=meeting,
                description="Enviar propuesta de POE",
                due_on=today - timedelta(days=2),
                owner=manager,
            )
        ),
        "assessment": rec(
            CapacityAssessment(
                **p,
                stakeholder=s,
                area="Gestión de casos",
                aspect=c.Aspect.TANGIBLE,
                current_level=2,
                target_level=4,
                assessed_on=today,
            )
        ),
        "plan": plan,
        "activity": rec(
            CapacityActivity(
                **p,
                plan=plan,
                phase=c.CapacityPhase.IMPLEMENTATION,
                kind=c.CapacityActivityKind.TRAINING,
                title="Curso de gestión de casos",
                progress=40,
            )
        ),
        "training": rec(Training(**p, plan=plan, title="Taller", held_on=today, participants=20), institutions=[s]),
        "indicator": rec(ProgressIndicator(**p, plan=plan, name="Funcionarios capacitados", target=50, current=20)),
        "framework": framework,
        "process": process,
        "opportunity": rec(
            SectorOpportunity(**p, process=process, sector=c.PolicySector.LABOUR, opportunity="Bolsa de empleo")
        ),
        "process_action": rec(
            ActionItem(**p, process=process, description="Redactar la política", owner_stakeholder=s)
        ),
    }
    records["step"] = services.ensure_checklist(
        programme.pk, c.ChecklistKind.COORDINATION, mechanism=mechanism
    ).steps.first()
    return records


@pytest.fixture
def world(db: Any) -> World:
    org = factories.organisation(country="GT")
    manager = factories.user(org, Role.PROGRAMME_MANAGER)
    programme = Programme.objects.get(organisation=org)
    return World(org, programme, manager, build_world(org, manager))


@pytest.fixture
def today() -> date:
    return timezone.localdate()

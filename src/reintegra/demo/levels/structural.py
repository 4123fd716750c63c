"""Demo data of the structural level: the Guatemala programme of "oim-gt" (Spanish, realistic)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from reintegra.access.models import Programme
from reintegra.structural import choices as c
from reintegra.structural import services
from reintegra.structural.models import (
    ActionItem,
    Agreement,
    CapacityActivity,
    CapacityAssessment,
    CapacityPlan,
    ChecklistStep,
    CommonProduct,
    ContactPerson,
    CooperationFramework,
    CoordinationMechanism,
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

N, L, INTL = c.GeographicLevel.NATIONAL, c.GeographicLevel.LOCAL, c.GeographicLevel.INTERNATIONAL
# name, category, level, country, area, interest, influence, stance, functions, days since engagement
STAKEHOLDERS = [
    (
        "Ministerio de Relaciones Exteriores (MINEX)",
        "national_authority",
        N,
        "GT",
        "Ciudad de Guatemala",
        5,
        5,
        "supportive",
        ["plan_policies", "liaise", "coordination_platform"],
        150,
    ),
    (
        "Ministerio de Trabajo y Previsión Social (MTPS)",
        "national_authority",
        N,
        "GT",
        "Ciudad de Guatemala",
        4,
        5,
        "supportive",
        ["plan_policies", "run_institutions", "serve_returnees"],
        120,
    ),
    (
        "Secretaría de Bienestar Social (SBS)",
        "national_authority",
        N,
        "GT",
        "Ciudad de Guatemala",
        5,
        4,
        "supportive",
        ["serve_returnees", "run_institutions"],
        95,
    ),
    (
        "Instituto Guatemalteco de Migración (IGM)",
        "national_authority",
        N,
        "GT",
        "Ciudad de Guatemala",
        4,
        4,
        "neutral",
        ["run_institutions", "referral_systems"],
        200,
    ),
    (
        "Ministerio de Salud Pública y Asistencia Social",
        "national_authority",
        N,
        "GT",
        "Ciudad de Guatemala",
        3,
        4,
        "neutral",
        ["serve_returnees"],
        60,
    ),
    (
        "Municipalidad de Quetzaltenango",
        "local_government",
        L,
        "GT",
        "Quetzaltenango",
        5,
        3,
        "supportive",
        ["local_development", "serve_returnees", "coordination_platform"],
        100,
    ),
    (
        "Municipalidad de Huehuetenango",
        "local_government",
        L,
        "GT",
        "Huehuetenango",
        4,
        2,
        "supportive",
        ["local_development", "serve_returnees"],
        80,
    ),
    (
        "Municipalidad de San Marcos",
        "local_government",
        L,
        "GT",
        "San Marcos",
        2,
        2,
        "unknown",
        ["local_development"],
        None,
    ),
    (
        "Instituto Técnico de Capacitación y Productividad (INTECAP)",
        "national_authority",
        N,
        "GT",
        "Ciudad de Guatemala",
        4,
        4,
        "supportive",
        ["apprenticeships", "language_courses"],
        130,
    ),
    (
        "Cámara de Industria de Guatemala",
        "private_sector",
        N,
        "GT",
        "Ciudad de Guatemala",
        2,
        4,
        "sceptical",
        ["employ_returnees", "ppp", "apprenticeships"],
        70,
    ),
    (
        "Cámara de Comercio de Guatemala",
        "private_sector",
        N,
        "GT",
        "Ciudad de Guatemala",
        3,
        3,
        "neutral",
        ["employ_returnees", "mentoring"],
        40,
    ),
    (
        "Asociación Guatemalteca de Exportadores (AGEXPORT)",
        "private_sector",
        N,
        "GT",
        "Ciudad de Guatemala",
        4,
        3,
        "supportive",
        ["employ_returnees", "ppp"],
        90,
    ),
    (
        "Red de Guatemaltecos en Los Ángeles",
        "diaspora",
        INTL,
        "US",
        "Los Ángeles, California",
        4,
        2,
        "supportive",
        ["diaspora_investment", "pre_return_information"],
        110,
    ),
    (
        "Coalición de Inmigrantes Guatemaltecos en Estados Unidos",
        "diaspora",
        INTL,
        "US",
        "Houston, Texas",
        3,
        2,
        "neutral",
        ["diaspora_investment", "campaigns"],
        None,
    ),
    (
        "Asociación de Retornados Guatemaltecos",
        "migrant_association",
        L,
        "GT",
        "Ciudad de Guatemala",
        5,
        2,
        "supportive",
        ["peer_support", "campaigns"],
        160,
    ),
    (
        "Pastoral de Movilidad Humana",
        "ngo",
        N,
        "GT",
        "Ciudad de Guatemala",
        4,
        3,
        "supportive",
        ["specialised_support", "community_networks"],
        140,
    ),
    (
        "Fundación para el Desarrollo Comunitario de Occidente",
        "ngo",
        L,
        "GT",
        "Totonicapán",
        2,
        1,
        "unknown",
        ["community_networks"],
        None,
    ),
    (
        "Universidad de San Carlos de Guatemala",
        "academic",
        N,
        "GT",
        "Ciudad de Guatemala",
        3,
        2,
        "neutral",
        ["research"],
        50,
    ),
    (
        "Embajada de México en Guatemala",
        "international",
        INTL,
        "MX",
        "Ciudad de Guatemala",
        3,
        4,
        "supportive",
        ["liaise", "link_development"],
        75,
    ),
    (
        "Agencia de cooperación (donante)",
        "international",
        INTL,
        "US",
        "Ciudad de Guatemala",
        2,
        5,
        "neutral",
        ["manage_funds", "link_development"],
        30,
    ),
]


def load(context: DemoContext) -> str:
    org = context.organisations["oim-gt"]
    manager = context.users.get("gerente")
    programme = Programme.default_for(org.pk)
    if programme is None or manager is None:
        return "Structural level: no programme or manager for oim-gt; skipped."
    if Stakeholder.objects.filter(programme=programme).exists():
        return "Structural level: demo data already present."
    today = timezone.localdate()
    p = {"programme": programme}

    def save(obj: Any, **m2m: Any) -> Any:
        return services.save_record(manager, obj, m2m)

    by_name: dict[str, Stakeholder] = {}
    for name, category, level, country, area, interest, influence, stance, functions, days in STAKEHOLDERS:
        by_name[name] = save(
            Stakeholder(
                **p,
                name=name,
                category=category,
                level=level,
                country=country,
                area=area,
                interest=interest,
                influence=influence,
                stance=stance,
                functions=functions,
                engaged_on=today - timedelta(days=days) if days is not None else None,
                engagement_strategy="Reuniones bimestrales de alineación y participación en la mesa interinstitucional."
                if interest >= 4 and influence >= 4
                else "Boletín trimestral e invitación a eventos públicos.",
                concerns="Capacidad limitada de atención en los municipios de mayor retorno." if level == L else "",
                expectations="Datos agregados sobre perfiles de retorno para planificar servicios.",
                owner=manager,
            )
        )
    s = by_name
    minex = s["Ministerio de Relaciones Exteriores (MINEX)"]
    mtps = s["Ministerio de Trabajo y Previsión Social (MTPS)"]
    sbs = s["Secretaría de Bienestar Social (SBS)"]
    igm = s["Instituto Guatemalteco de Migración (IGM)"]
    intecap = s["Instituto Técnico de Capacitación y Productividad (INTECAP)"]
    industria = s["Cámara de Industria de Guatemala"]
    xela = s["Municipalidad de Quetzaltenango"]
    mexico = s["Embajada de México en Guatemala"]

    save(
        ContactPerson(
            **p,
            stakeholder=mtps,
            name="Lcda. Marta Cifuentes",
            position="Directora de Empleo",
            email="empleo@example.gt",
            phone="+502 2422 0000",
        )
    )
    save(
        ContactPerson(
            **p,
            stakeholder=xela,
            name="Ing. Óscar Barrios",
            position="Oficina Municipal de la Niñez",
            email="omn@example.gt",
        )
    )
    for stakeholder, days, kind, summary in [
        (
            mtps,
            100,
            "meeting",
            "Presentación del programa; acuerdo de explorar una ventanilla de empleo para retornados.",
        ),
        (mtps, 30, "call", "Seguimiento de la ruta de empleo: el MTPS pide el perfil laboral agregado."),
        (industria, 45, "event", "Foro empresarial sobre contratación de personas retornadas."),
        (xela, 60, "meeting", "Mesa municipal de retorno: mapeo de servicios locales."),
    ]:
        save(
            Interaction(
                **p,
                stakeholder=stakeholder,
                kind=kind,
                occurred_on=today - timedelta(days=days),
                summary=summary,
                recorded_by=manager,
            )
        )
    for stakeholder, kind, description, owner, due, status in [
        (
            mtps,
            "action",
            "Ventanilla de empleo para personas retornadas en el Servicio Nacional de Empleo",
            "MTPS",
            30,
            "in_progress",
        ),
        (mtps, "decision", "Compartir el perfil laboral agregado de retornados cada trimestre", "OIM", -20, "agreed"),
        (
            industria,
            "proposal",
            "Programa piloto de aprendizaje en el empleo con 5 empresas",
            "Cámara de Industria",
            -10,
            "stalled",
        ),
        (
            xela,
            "recommendation",
            "Incluir la reintegración en el plan municipal de desarrollo",
            "Municipalidad",
            60,
            "agreed",
        ),
        (intecap, "action", "Certificación de competencias adquiridas en el extranjero", "INTECAP", 90, "in_progress"),
    ]:
        save(
            CommonProduct(
                **p,
                stakeholder=stakeholder,
                kind=kind,
                description=description,
                owner=owner,
                due_on=today + timedelta(days=due),
                status=status,
            )
        )
    save(
        StakeholderReview(
            **p,
            stakeholder=minex,
            reviewed_on=today - timedelta(days=50),
            progress="sufficient",
            notes="Alineación adecuada; mantener reuniones bimestrales.",
        )
    )

    save(
        Agreement(
            **p,
            title="Memorando de entendimiento OIM–MTPS sobre inserción laboral",
            kind="mou",
            status="in_force",
            starts_on=today - timedelta(days=700),
            ends_on=today + timedelta(days=40),
            scope="Ventanilla de empleo, certificación de competencias y seguimiento de colocaciones.",
        ),
        parties=[mtps],
    )
    save(
        Agreement(
            **p,
            title="Acuerdo de largo plazo con INTECAP",
            kind="long_term",
            status="in_force",
            starts_on=today - timedelta(days=200),
            ends_on=today + timedelta(days=900),
            scope="Cursos de formación profesional para personas retornadas.",
        ),
        parties=[intecap],
    )
    save(
        Agreement(
            **p,
            title="Alianza público-privada para empleo de retornados",
            kind="ppp",
            status="negotiation",
            scope="Aprendizaje en el empleo y cofinanciación de salarios por seis meses.",
        ),
        parties=[industria, mtps],
    )
    data_mou = save(
        Agreement(
            **p,
            title="Acuerdo de intercambio de datos México–Guatemala",
            kind="data_sharing",
            status="in_force",
            starts_on=today - timedelta(days=100),
            ends_on=today + timedelta(days=1000),
        ),
        parties=[igm, mexico],
    )

    mesa = save(
        CoordinationMechanism(
            **p,
            name="Mesa Interinstitucional de Reintegración",
            kind="inter_agency",
            level=N,
            chair=minex,
            approved_on=today - timedelta(days=300),
            approval_reference="Acuerdo Ministerial 45-2024",
            mandate="Coordinar la atención y reintegración de personas guatemaltecas retornadas.",
            experts_observers="OIM, ACNUR, Pastoral de Movilidad Humana",
        )
    )
    for stakeholder, role, senior in [
        (minex, "chair", True),
        (mtps, "member", True),
        (sbs, "member", True),
        (igm, "member", True),
        (intecap, "member", False),
        (s["Pastoral de Movilidad Humana"], "observer", False),
    ]:
        save(
            MechanismMember(
                **p,
                mechanism=mesa,
                stakeholder=stakeholder,
                role=role,
                is_senior=senior,
                representative="Viceministro/a" if senior else "Punto focal",
            )
        )
    meetings = []
    for days, agenda in [
        (75, "1. Mapeo de servicios\n2. Borrador de POE"),
        (20, "1. Avance de la ruta de empleo\n2. POE"),
    ]:
        meetings.append(
            save(
                Meeting(
                    **p,
                    mechanism=mesa,
                    held_on=today - timedelta(days=days),
                    location="MINEX",
                    agenda=agenda,
                    minutes="Se revisaron los avances por institución.",
                    decisions="Aprobar el mapeo; circular el borrador de POE.",
                ),
                attendees=[minex, mtps, sbs, igm],
            )
        )
    for meeting, description, owner_stakeholder, due, status in [
        (meetings[0], "Circular el mapeo de servicios actualizado", sbs, -40, "done"),
        (meetings[0], "Preparar borrador de POE de derivación", igm, -5, "in_progress"),
        (meetings[1], "Definir indicadores de seguimiento de la mesa", mtps, 25, "planned"),
    ]:
        save(
            ActionItem(
                **p,
                meeting=meeting,
                description=description,
                owner_stakeholder=owner_stakeholder,
                due_on=today + timedelta(days=due),
                status=status,
            )
        )
    _steps(
        mesa.pk,
        "coordination",
        {"ownership": "done", "mapping": "done", "mechanism": "done", "sops": "in_progress"},
        evidence="Acuerdo Ministerial 45-2024",
    )

    for stakeholder, area, aspect, current, target, priority in [
        (xela, "Gestión de casos de personas retornadas", "tangible", 2, 4, "high"),
        (xela, "Coordinación con servicios departamentales", "intangible", 2, 4, "medium"),
        (mtps, "Intermediación laboral para retornados", "tangible", 3, 5, "high"),
    ]:
        save(
            CapacityAssessment(
                **p,
                stakeholder=stakeholder,
                area=area,
                aspect=aspect,
                current_level=current,
                target_level=target,
                priority=priority,
                assessed_on=today - timedelta(days=90),
                gap="Personal sin formación específica; sin protocolo de atención.",
            )
        )
    plan = save(
        CapacityPlan(
            **p,
            title="Plan de desarrollo de capacidades municipales 2025–2026",
            objectives="Fortalecer la atención municipal a personas retornadas en Occidente.",
            priorities_alignment=(
                "Política Nacional de Atención al Migrante Retornado; planes municipales de desarrollo."
            ),
            starts_on=today - timedelta(days=120),
            ends_on=today + timedelta(days=240),
            status="in_progress",
        ),
        stakeholders=[xela, s["Municipalidad de Huehuetenango"]],
    )
    for phase, kind, title, progress, budget in [
        ("situation_analysis", "policy_support", "Evaluación de capacidades municipales", 100, 5000),
        ("strategy", "sop_support", "Protocolo municipal de atención a retornados", 60, 3000),
        ("implementation", "training", "Curso de gestión de casos para personal municipal", 40, 12000),
        ("implementation", "equipment_funding", "Equipamiento de oficinas municipales", 20, 15000),
        ("implementation", "multi_actor_meetings", "Encuentros trimestrales municipio–ministerios", 50, 2000),
        ("monitoring", "staff_skills", "Indicadores de capacidad y seguimiento", 10, 1500),
    ]:
        save(
            CapacityActivity(
                **p,
                plan=plan,
                phase=phase,
                kind=kind,
                title=title,
                progress=progress,
                budget=budget,
                responsible="OIM Guatemala",
                status="done" if progress == 100 else "in_progress",
            )
        )
    save(
        Training(
            **p,
            plan=plan,
            title="Taller de gestión de casos (Quetzaltenango)",
            held_on=today - timedelta(days=30),
            participants=24,
            results="24 funcionarios formados; 18 aprobaron la evaluación final.",
        ),
        institutions=[xela],
    )
    save(
        ProgressIndicator(
            **p, plan=plan, name="Funcionarios municipales capacitados", baseline=0, target=60, current=24
        )
    )
    save(ProgressIndicator(**p, plan=plan, name="Municipios con protocolo aprobado", baseline=0, target=4, current=1))

    comite = save(
        CoordinationMechanism(
            **p, name="Comité directivo binacional México–Guatemala", kind="steering", level=INTL, chair=igm
        )
    )
    framework = save(
        CooperationFramework(
            **p,
            title="Marco de cooperación México–Guatemala para el retorno",
            host_country="MX",
            origin_country="GT",
            steering_committee=comite,
            accountable_entity=igm,
            objectives="Información exacta sobre servicios y perfiles antes del retorno.",
            roles="IGM: recepción; Embajada de México: enlace con autoridades mexicanas.",
            system_owner="Instituto Guatemalteco de Migración",
        ),
        parties=[igm, mexico, minex],
        agreements=[data_mou],
    )
    services.set_exchange_matrix(
        manager,
        framework,
        {
            (igm.pk, "returnee_profiles", "enter"),
            (igm.pk, "returnee_profiles", "consult"),
            (mexico.pk, "returnee_profiles", "enter"),
            (igm.pk, "services", "consult"),
            (mexico.pk, "services", "consult"),
            (minex.pk, "origin_situation", "enter"),
            (mexico.pk, "origin_situation", "consult"),
        },
    )
    _steps(
        framework.pk,
        "cooperation",
        {"mapping": "done", "design": "done", "steering": "done", "models": "in_progress"},
        field="framework",
    )

    process = save(
        MainstreamingProcess(
            **p,
            title="Incorporación del retorno en la política laboral nacional",
            level=N,
            lead=mtps,
            started_on=today - timedelta(days=150),
            status="in_progress",
            purpose="Incluir a las personas retornadas en la Política Nacional de Empleo.",
        )
    )
    _steps(
        process.pk,
        "preconditions",
        {"political_support": "done", "ownership": "done", "participation": "in_progress"},
        field="process",
    )
    _steps(
        process.pk,
        "mainstreaming",
        {"awareness": "done", "scoping": "done", "objectives": "in_progress"},
        field="process",
    )
    for sector, opportunity, responsible in [
        ("labour", "Incluir a personas retornadas como grupo prioritario del Servicio Nacional de Empleo", "MTPS"),
        ("education", "Reconocimiento de competencias y diplomas obtenidos en el extranjero", "INTECAP / MINEDUC"),
        ("social", "Acceso a documentos de identidad para servicios sociales", "RENAP / SBS"),
    ]:
        save(
            SectorOpportunity(
                **p,
                process=process,
                sector=sector,
                opportunity=opportunity,
                responsible=responsible,
                due_on=today + timedelta(days=120),
            )
        )
    save(
        ActionItem(
            **p,
            process=process,
            description="Taller de validación con el Consejo Nacional de Empleo",
            owner_stakeholder=mtps,
            due_on=today + timedelta(days=45),
        )
    )
    save(
        ActionItem(
            **p,
            process=process,
            description="Borrador del capítulo de retorno en la política de empleo",
            owner_stakeholder=mtps,
            due_on=today - timedelta(days=3),
            status="in_progress",
        )
    )
    ps = services.ensure_checklist(programme.pk, "private_sector")
    ChecklistStep.objects.filter(checklist=ps, code__in=["skills_needs", "existing_strategies"]).update(
        status="done", notes="Perfil laboral de retornados 2024; estrategia empresarial de AGEXPORT."
    )
    services.ensure_checklist(programme.pk, "diaspora")
    # The national coordination body ("coordinacion", mesa-gt) may change this programme's records and
    # oim-gt's regional actions: oim-gt's programme manager gave it write access.
    mesa = context.organisations.get("mesa-gt")
    if mesa is not None:
        services.grant_write(manager, mesa, c.GrantScope.STRUCTURAL, programme)
        services.grant_write(manager, mesa, c.GrantScope.REGIONAL)
    return (
        f"Structural level: {len(STAKEHOLDERS)} stakeholders, 4 agreements, 2 mechanisms, 1 capacity plan, "
        "1 cooperation framework, 1 mainstreaming process."
    )


def _steps(owner_pk: int, kind: str, statuses: dict[str, str], field: str = "mechanism", evidence: str = "") -> None:
    steps = ChecklistStep.objects.filter(checklist__kind=kind, **{f"checklist__{field}_id": owner_pk})
    today = timezone.localdate()
    for step in steps:
        if step.code in statuses:
            step.status = statuses[step.code]
            step.started_on = today - timedelta(days=60)
            step.completed_on = today - timedelta(days=10) if step.status == "done" else None
            step.evidence = evidence
            step.save()

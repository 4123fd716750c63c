"""Demo data of the referral network: providers and services in Guatemala, Mexico, Honduras and El Salvador,
SOPs from oim-gt (one with the demo provider organisation "servicios-gt"), consents naming servicios-gt
for some demo cases, and referrals in every status (some overdue) so the portal of "proveedor" has work.

Each entry is maintained by the demo office of its country (oim-gt, oim-mx, oim-hn, oim-sv). The link of
the first entry to servicios-gt is created already accepted (as if its programme manager had accepted it)."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.utils import timezone

from reintegra.cases.models import Case
from reintegra.places.models import AdminArea
from reintegra.protection.choices import ConsentMethod, ConsentPurpose
from reintegra.protection.models import Consent
from reintegra.protection.services import record_consent
from reintegra.referrals import catalogue, services
from reintegra.referrals.choices import LinkStatus
from reintegra.referrals.models import ContactPerson, ProviderLink, Referral, Service, ServiceProvider

# (provider, type, country, admin1 name or "", services: (code, name, dimension, sector, capacity, min, max))
PROVIDERS: list[tuple[str, str, str, str, list[tuple[str, str, str, str, int | None, int | None, int | None]]]] = [
    (
        "Servicios Integrales de Reintegración Guatemala",
        "ngo",
        "GT",
        "",
        [
            ("sirg-empleo", "Orientación laboral e intermediación de empleo", "economic", "employment", 40, 16, None),
            (
                "sirg-psicosocial",
                "Acompañamiento psicosocial individual y grupal",
                "psychosocial",
                "mhpss",
                25,
                None,
                None,
            ),
        ],
    ),
    (
        "Centro de Capacitación Técnica Xelajú (tipo INTECAP)",
        "government",
        "GT",
        "Quetzaltenango",
        [
            ("cctx-cocina", "Curso técnico de cocina y panadería", "economic", "employment", 20, 16, 60),
            ("cctx-electricidad", "Electricidad domiciliar certificada", "economic", "employment", 15, 18, None),
        ],
    ),
    (
        "Centro de Salud de Quetzaltenango",
        "government",
        "GT",
        "Quetzaltenango",
        [
            ("cs-xela-consulta", "Consulta médica general y vacunación", "social", "health", None, None, None),
        ],
    ),
    (
        "Clínica de Asistencia Legal Universidad de San Carlos",
        "academic",
        "GT",
        "Guatemala",
        [
            ("usac-documentos", "Asesoría legal y reposición de documentos", "social", "legal", 30, 18, None),
        ],
    ),
    (
        "Cooperativa de Ahorro y Crédito Huehuetenango",
        "private_sector",
        "GT",
        "Huehuetenango",
        [
            ("coop-huehue-credito", "Microcrédito para emprendimientos", "economic", "financial", 10, 18, 65),
        ],
    ),
    (
        "Asociación de Migrantes Retornados de Guatemala",
        "diaspora",
        "GT",
        "",
        [
            ("amrg-grupos", "Grupos de apoyo entre pares", "psychosocial", "mhpss", None, None, None),
        ],
    ),
    (
        "Centro Integral de Atención al Migrante Retornado Tegucigalpa",
        "government",
        "HN",
        "",
        [
            ("ciamr-acogida", "Albergue temporal y atención inmediata", "social", "housing", 30, None, None),
        ],
    ),
    (
        "Instituto Salvadoreño de Formación Profesional (tipo INSAFORP)",
        "government",
        "SV",
        "",
        [
            ("insaforp-talleres", "Formación profesional acelerada", "economic", "employment", 50, 16, None),
        ],
    ),
    (
        "Casa del Migrante de Tijuana",
        "ngo",
        "MX",
        "Baja California",
        [
            ("cmt-albergue", "Albergue y orientación para personas deportadas", "social", "housing", 60, None, None),
        ],
    ),
    (
        "Servicio Nacional de Empleo — Oficina Puebla",
        "government",
        "MX",
        "Puebla",
        [
            (
                "sne-puebla-bolsa",
                "Bolsa de trabajo y certificación de competencias",
                "economic",
                "employment",
                None,
                18,
                None,
            ),
        ],
    ),
]


def _area(country: str, name: str) -> AdminArea | None:
    return AdminArea.objects.filter(country=country, level=1, name__icontains=name).first() if name else None


def load(context: DemoContext) -> str:
    rng = random.Random(context.seed)
    orgs = context.organisations
    users = context.users
    today = timezone.localdate()
    demo_org = orgs["oim-gt"]
    platform = orgs.get("servicios-gt")
    created = []
    for index, (name, kind, country, area_name, offered) in enumerate(PROVIDERS):
        owner = orgs.get(f"oim-{country.lower()}") or demo_org
        provider, _new = ServiceProvider.objects.get_or_create(
            country=country,
            name=name,
            defaults={
                "organisation_type": kind,
                "owner": owner,
                "languages": "español" + (", k'iche', mam" if country == "GT" else ""),
                "phone": f"+{502 if country == 'GT' else 52} 2{rng.randint(100, 999)} {rng.randint(1000, 9999)}",
            },
        )
        ContactPerson.objects.get_or_create(
            provider=provider,
            name=rng.choice(
                ["Lucía Pérez", "Marco Tulio Ramírez", "Ana Isabel Choc", "Hugo Mejía", "Sandra Velásquez"]
            ),
            defaults={"position": "Punto focal de derivaciones", "availability": "Lunes a viernes, 8:00–16:00"},
        )
        area = _area(country, area_name)
        for code, sname, dimension, sector, capacity, min_age, max_age in offered:
            service, _s = Service.objects.get_or_create(
                code=code,
                defaults={
                    "provider": provider,
                    "name": sname,
                    "dimension": dimension,
                    "sector": sector,
                    "country": country,
                    "capacity_per_month": capacity,
                    "min_age": min_age,
                    "max_age": max_age,
                    "opening_hours": "Lunes a viernes, 8:00–16:00",
                    "target_response_days": rng.choice([7, 14, 21]),
                    "languages": provider.languages,
                },
            )
            if area is not None:
                service.areas.set([area])
        if index == 0 and platform is not None:
            _accepted_link(provider, platform, users.get("gerente"))
        created.append(provider)
    manager = users.get("gerente")
    pathways = []
    if manager is not None:
        for provider in created:
            if provider.country != "GT":
                continue
            pathway = provider.pathways.filter(referring_organisation=demo_org, is_current=True).first()
            if pathway is None:
                shared = [*catalogue.DEFAULT_FIELDS, *(["needs_summary"] if provider.organisation else [])]
                pathway = services.save_pathway(
                    manager,
                    services.PathwayInput(
                        provider=provider,
                        title=f"POE de derivación OIM Guatemala — {provider.name}"[:200],
                        approved_on=today - timedelta(days=120),
                        transferred_fields=shared,
                        transfer_method=(
                            "Plataforma Reintegra (portal del proveedor); por teléfono solo el código de caso."
                        ),
                        consent_procedure=(
                            "Consentimiento informado firmado por la persona (o su tutor si es menor) antes de derivar."
                        ),
                        first_contact=(
                            "Punto focal de derivaciones, lunes a viernes 8:00–16:00; respuesta según la prioridad."
                        ),
                        response_time_hours=72,
                        follow_up=(
                            "El proveedor registra el resultado; la gestora de casos recoge la opinión de la persona."
                        ),
                        documentation=(
                            "Formulario interinstitucional de derivación y registro de resultado en la plataforma."
                        ),
                        cost_arrangements="Servicios gratuitos para la persona; materiales cubiertos por el programa.",
                    ),
                )
            pathways.append(pathway)
    referrals = 0
    cm = users.get("gestora")
    if platform is not None and cm is not None:
        provider = created[0]
        cases = list(
            Case.objects.filter(organisation=demo_org, case_manager=cm, returnee__anonymised_at__isnull=True)
            .exclude(status="closed")
            .select_related("returnee")
            .order_by("id")[:14]
        )
        services_of = list(provider.services.all())
        plan = [
            ("sent", 0),
            ("sent", 20),
            ("sent", 3),
            ("accepted", 5),
            ("accepted", 40),
            ("declined", 6),
            ("service_delivered", 30),
            ("no_show", 25),
            ("closed", 50),
            ("closed", 60),
            ("draft", 0),
            ("sent", 1),
        ]
        proveedor = users.get("proveedor")
        for case, (status, days_ago) in zip(cases, plan, strict=False):
            if Referral.objects.filter(case=case).exists():
                continue
            if not Consent.objects.filter(returnee=case.returnee, recipient_organisation=platform).exists():
                services_consent(cm, case, platform, today - timedelta(days=days_ago + 2))
            service = rng.choice(services_of)
            referral = services.create_referral(
                cm,
                case,
                service,
                reason="Derivación acordada en el plan de reintegración.",
                priority=rng.choice(["normal", "urgent", "emergency", "normal"]),
            )
            referrals += 1
            if status == "draft":
                continue
            referral = services.send_referral(cm, referral)
            _backdate(referral, days_ago)
            referral.refresh_from_db()
            if status == "sent" or proveedor is None:
                continue
            if status == "declined":
                services.decline_referral(proveedor, referral, reason="no_capacity", note="Cupo lleno este mes.")
                continue
            referral = services.accept_referral(proveedor, referral)
            if status == "accepted":
                continue
            outcome = "no_show" if status == "no_show" else "service_delivered"
            referral = services.record_outcome(proveedor, referral, outcome=outcome)
            if status == "closed":
                services.close_referral(cm, referral, satisfaction=rng.randint(3, 5), feedback="Buena atención.")
    return f"{len(created)} providers, {Service.objects.count()} services, {len(pathways)} SOPs, {referrals} referrals"


def services_consent(user: Any, case: Case, organisation: Any, given_on: Any) -> None:
    returnee = case.returnee
    minor = returnee.is_minor
    record_consent(
        user,
        returnee,
        ConsentPurpose.REFERRAL,
        ConsentMethod.SIGNED,
        given_on,
        recipient_organisation=organisation,
        guardian_name="Madre de la persona" if minor else "",
        child_assent=minor,
    )


def _accepted_link(provider: ServiceProvider, organisation: Any, requested_by: Any) -> None:
    """Demo only: the link of the entry to the provider's organisation, recorded as requested and accepted."""
    if provider.organisation_id == organisation.pk or requested_by is None:
        return
    now = timezone.now()
    ProviderLink.objects.create(
        provider=provider,
        organisation=organisation,
        status=LinkStatus.ACCEPTED,
        requested_by=requested_by,
        requested_at=now - timedelta(days=200),
        answered_at=now - timedelta(days=199),
    )
    ServiceProvider.objects.filter(pk=provider.pk).update(organisation=organisation)
    provider.organisation = organisation


def _backdate(referral: Referral, days: int) -> None:
    """Demo only: make the referral look sent `days` ago so deadlines (and overdue ones) show."""
    from reintegra.referrals import sla

    sent = timezone.now() - timedelta(days=days)
    Referral.objects.filter(pk=referral.pk).update(
        sent_at=sent, acceptance_due_at=sla.acceptance_deadline(sent, referral.priority), created_at=sent
    )

"""Demo content of labour intermediation (data/employment.yaml): eight employers of oim-gt's programme (the
private-sector stakeholders of the structural level and five more), twenty vacancies, up to sixty jobseekers on
oim-gt's open cases (each with the consent "employment", work abroad, skills some of them certified by
INTECAP), and placements in every state, a hire followed by its retention checks. Written through the
structural, protection and employment services by the programme manager ("gerente") and each case's manager."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reintegra.access.models import Programme
from reintegra.cases.choices import CaseStatus
from reintegra.cases.models import Case
from reintegra.demo import vocabulary
from reintegra.demo.levels.context import DemoContext
from reintegra.employment import cv, selectors, services
from reintegra.employment.models import JobseekerProfile, Placement
from reintegra.places.models import AdminArea
from reintegra.protection import services as protection_services
from reintegra.protection.choices import ConsentPurpose
from reintegra.referrals import services as referral_services
from reintegra.referrals.models import Referral, ReferralPathway, Service
from reintegra.structural import services as structural_services
from reintegra.structural.models import Stakeholder

_DATA = vocabulary.load("employment.yaml")
JOBSEEKERS = 60


def load(context: DemoContext) -> str:
    org = context.organisations.get("oim-gt")
    manager = context.users.get("gerente")
    programme = Programme.default_for(org.pk) if org is not None else None
    if org is None or manager is None or programme is None:
        return "Employment: no demo organisation."
    if JobseekerProfile.objects.filter(case__organisation=org).exists():
        return "Employment: demo data already present."
    rng = random.Random(context.seed)
    municipalities = list(AdminArea.objects.filter(country="GT", level=2).order_by("code")[:60])
    if not municipalities:
        return "Employment: no Guatemalan municipalities."
    employers = _employers(manager, programme)
    profiles = _jobseekers(org, municipalities, rng)
    vacancies = _vacancies(manager, programme, employers, profiles, municipalities, rng)
    placements = _placements(profiles, vacancies, _placement_service(context), context.users.get("proveedor"))
    return (
        f"Employment: {len(employers)} employers, {len(vacancies)} vacancies, {len(profiles)} jobseekers, "
        f"{placements} placements."
    )


def _employers(manager: Any, programme: Programme) -> list[Stakeholder]:
    for entry in _DATA["employers"]:
        stakeholder = Stakeholder(
            programme=programme,
            name=entry["name"],
            category="private_sector",
            level="local",
            country="GT",
            area=entry["area"],
            interest=entry["interest"],
            influence=entry["influence"],
            functions=["employ_returnees"],
        )
        structural_services.save_record(manager, stakeholder)
    return list(Stakeholder.objects.filter(programme=programme, category="private_sector").order_by("pk"))


def _profile_input(area: AdminArea, rng: random.Random) -> services.ProfileInput:
    isco = rng.choice(sorted(_DATA["skills"]))
    own = _DATA["skills"][isco]
    skills = [{"name": s, "evidence": rng.choice(["self_declared", "self_declared", "assessed"])} for s in own]
    certifications = []
    for cert in _DATA["certifications"]:
        if cert["skill"] in own and rng.random() < 0.5:
            issued = timezone.localdate() - timedelta(days=rng.randint(60, 900))
            certifications.append(
                {
                    "issuer": cert["issuer"],
                    "standard": cert["standard"],
                    "issued_on": issued.isoformat(),
                    "expires_on": "",
                }
            )
            for s in skills:
                if s["name"] == cert["skill"]:
                    s["evidence"] = "certified"
    languages = [{"language": "es", "level": "native"}]
    if rng.random() < 0.5:
        languages.append({"language": "en", "level": rng.choice(["A2", "B1", "B1", "B2", "C1"])})
    return services.ProfileInput(
        education_level=rng.choice(["1", "2", "2", "3", "3", "4"]),
        travel_reach=rng.choice(["municipality", "admin1", "admin1", "country"]),
        availability=rng.choice(["immediate", "immediate", "within_month", "later"]),
        municipality_id=area.pk,
        desired_occupation=isco,
        desired_wage=rng.choice([3000, 3500, 4000, 4500, None]),
        desired_contracts=rng.choice([[], ["permanent"], ["permanent", "fixed_term"]]),
        experience=[
            {
                "isco": isco,
                "years": rng.randint(1, 12),
                "abroad": True,
                "country": rng.choice(_DATA["host_countries"]),
                "sector": rng.choice(_DATA["sectors"]),
            }
        ],
        languages=languages,
        skills=skills,
        certifications=certifications,
    )


def _jobseekers(org: Any, municipalities: list[AdminArea], rng: random.Random) -> list[JobseekerProfile]:
    cases = (
        Case.objects.filter(organisation=org, case_manager__isnull=False)
        .exclude(status=CaseStatus.CLOSED)
        .select_related("returnee", "case_manager")
        .order_by("pk")
    )
    made: list[JobseekerProfile] = []
    today = timezone.localdate()
    for case in cases:
        if len(made) >= JOBSEEKERS:
            break
        user = case.case_manager
        area = case.returnee.municipality or rng.choice(municipalities)
        if user is None:
            continue
        try:
            protection_services.record_consent(
                user,
                case.returnee,
                "employment",
                "signed",
                today - timedelta(days=rng.randint(1, 90)),
                recipient_description="Servicio de intermediación laboral de OIM y empresas aliadas",
            )
            made.append(services.save_profile(user, case, _profile_input(area, rng)))
        except (ValidationError, PermissionDenied):
            continue  # a minor's consent, a case the manager no longer holds: left out of the demo
    return made


def _vacancies(
    manager: Any,
    programme: Programme,
    employers: list[Stakeholder],
    profiles: list[JobseekerProfile],
    municipalities: list[AdminArea],
    rng: random.Random,
) -> list[Any]:
    places = [p.municipality for p in profiles if p.municipality is not None] or municipalities
    made = []
    for i, entry in enumerate(_DATA["vacancies"]):
        language = entry.get("language")
        data = services.VacancyInput(
            programme_id=programme.pk,
            employer_id=employers[i % len(employers)].pk,
            title=entry["title"],
            occupation=entry["isco"],
            essential_skills=list(entry["essential"]),
            optional_skills=list(entry["optional"]),
            education_level=entry["education"],
            languages=[{"language": language[0], "level": language[1]}] if language else [],
            municipality_id=rng.choice(places).pk,
            wage_min=entry["wage"][0],
            wage_max=entry["wage"][1],
            contract_type=entry["contract"],
            positions=rng.randint(1, 6),
            closing_date=timezone.localdate() + timedelta(days=rng.randint(10, 60)),
            incentive=entry["incentive"],
        )
        made.append(services.save_vacancy(manager, data))
    return made


# The way each of the first candidates goes: (days ago it started, steps) — every state of the workflow.
WAYS: list[tuple[int, list[tuple[str, int, str]]]] = [
    (0, []),
    (5, [("interview", 2, "")]),
    (200, [("interview", 195, ""), ("hired", 190, "")]),
    (30, [("interview", 25, ""), ("not_hired", 20, "wage")]),
    (20, [("not_hired", 15, "no_show")]),
    (60, [("interview", 55, ""), ("hired", 50, "")]),
]


PLACEMENT_SERVICE = "sirg-empleo"


def _placement_service(context: DemoContext) -> Service | None:
    """oim-gt's job-placement SOP with the demo's intermediation service (linked to "servicios-gt"): the CV
    fields only, for that service alone (the provider's general SOP stays as it is)."""
    manager = context.users.get("gerente")
    service = Service.objects.filter(code=PLACEMENT_SERVICE).select_related("provider").first()
    if manager is None or service is None:
        return None
    if not ReferralPathway.objects.filter(service=service, is_current=True).exists():
        referral_services.save_pathway(
            manager,
            referral_services.PathwayInput(
                provider=service.provider,
                service=service,
                title="POE de colocación laboral",
                approved_on=timezone.localdate() - timedelta(days=400),
                transferred_fields=sorted(cv.CV_FIELDS),
                transfer_method="Perfil laboral en la plataforma; sin datos de salud ni de protección.",
                consent_procedure="Consentimiento firmado que nombra al servicio de intermediación.",
            ),
        )
    return service


def _refer(user: Any, placement: Placement, service: Service | None, provider_user: Any, started: int) -> bool:
    """The candidate's referral to the intermediation service, accepted by it, dated in the demo's history."""
    organisation = service.provider.organisation if service is not None else None
    if service is None or (organisation is not None and provider_user is None):
        return False
    today = timezone.localdate()
    returnee = placement.profile.case.returnee
    try:
        protection_services.record_consent(
            user,
            returnee,
            ConsentPurpose.REFERRAL,
            "signed",
            today - timedelta(days=started + 1),
            recipient_organisation=organisation,
            recipient_provider=None if organisation is not None else service.provider,
        )
        placement = services.refer_candidate(user, placement, service=service, note="")
    except (ValidationError, PermissionDenied):
        return False
    referral = placement.referral
    assert referral is not None
    referral_services.accept_referral(provider_user if organisation is not None else user, referral)
    sent = timezone.now() - timedelta(days=started)
    Referral.objects.filter(pk=referral.pk).update(
        created_at=sent,
        sent_at=sent,
        acceptance_due_at=sent + timedelta(days=2),
        answered_at=sent + timedelta(hours=20),
    )
    return True


def _placements(
    profiles: list[JobseekerProfile], vacancies: list[Any], service: Service | None = None, provider_user: Any = None
) -> int:
    today = timezone.localdate()
    count = 0
    for v_index, vacancy in enumerate(vacancies[:8]):
        for p_index, match in enumerate(selectors.matches_for_vacancy(vacancy.created_by, vacancy, limit=3)):
            profile = match.profile
            user = profile.case.case_manager
            if user is None:
                continue
            started, steps = WAYS[(v_index + p_index) % len(WAYS)]
            try:
                placement = services.shortlist(user, vacancy, profile)
            except (ValidationError, PermissionDenied):
                continue
            # The demo's history: the shortlisting happened `started` days ago.
            Placement.objects.filter(pk=placement.pk).update(shortlisted_on=today - timedelta(days=started))
            placement.refresh_from_db()
            # The employer hears of the candidate through the referral network; the interview follows its yes.
            if any(step == "interview" for step, _days, _reason in steps) and not _refer(
                user, placement, service, provider_user, started
            ):
                steps = []
            placement.refresh_from_db()
            for step, days_ago, reason in steps:
                placement = services.advance_placement(
                    user, placement, step=step, on=today - timedelta(days=days_ago), reason=reason
                )
            for check in placement.retention_checks.filter(due_on__lt=today - timedelta(days=7)):
                services.record_retention(user, check, outcome="employed", checked_on=check.due_on + timedelta(days=3))
            count += 1
    return count

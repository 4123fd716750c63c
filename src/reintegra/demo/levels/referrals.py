"""Demo data of the referral network (data/referrals.yaml): providers and services in Guatemala, Mexico,
Honduras and El Salvador, SOPs from oim-gt (one with the demo provider organisation "servicios-gt"), consents
naming servicios-gt for some demo cases, and referrals in every status (some overdue) so the portal of
"proveedor" has work.

Each entry is maintained by the demo office of its country (oim-gt, oim-mx, oim-hn, oim-sv). The link of
the first entry to servicios-gt is created already accepted (as if its programme manager had accepted it)."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.utils import timezone

from reintegra.access.models import Organisation, User
from reintegra.cases.models import Case
from reintegra.demo import vocabulary
from reintegra.demo.levels.context import DemoContext
from reintegra.places.models import AdminArea
from reintegra.protection.choices import ConsentMethod, ConsentPurpose
from reintegra.protection.models import Consent
from reintegra.protection.services import consent_needs_guardian, record_consent
from reintegra.referrals import catalogue, services, sla
from reintegra.referrals.choices import LinkStatus, PathwayPopulation
from reintegra.referrals.models import ContactPerson, ProviderLink, Referral, ReferralPathway, Service, ServiceProvider

_DATA = vocabulary.load("referrals.yaml")


def load(context: DemoContext) -> str:
    rng = random.Random(context.seed)
    providers = [_provider(entry, context, rng) for entry in _DATA["providers"]]
    platform = context.organisations.get("servicios-gt")
    if platform is not None:
        _accepted_link(providers[0], platform, context.users.get("gerente"))
    pathways = _pathways(providers, context)
    referrals = _referrals(providers[0], platform, context, rng) if platform is not None else 0
    services_count = Service.objects.count()
    return f"{len(providers)} providers, {services_count} services, {len(pathways)} SOPs, {referrals} referrals"


def _provider(entry: dict[str, Any], context: DemoContext, rng: random.Random) -> ServiceProvider:
    country = entry["country"]
    owner = context.organisations.get(f"oim-{country.lower()}") or context.organisations["oim-gt"]
    languages = _DATA["languages"].get(country, _DATA["languages"]["default"])
    provider, _new = ServiceProvider.objects.get_or_create(
        country=country,
        name=entry["name"],
        defaults={"organisation_type": entry["type"], "owner": owner, "languages": languages, "phone": entry["phone"]},
    )
    ContactPerson.objects.get_or_create(
        provider=provider,
        name=rng.choice(_DATA["contact_people"]),
        defaults={"position": _DATA["contact_position"], "availability": _DATA["opening_hours"]},
    )
    area = _area(country, entry["area"])
    for offered in entry["services"]:
        service, _s = Service.objects.get_or_create(
            code=offered["code"],
            defaults={
                **{key: value for key, value in offered.items() if key != "code"},
                "provider": provider,
                "country": country,
                "opening_hours": _DATA["opening_hours"],
                "target_response_days": rng.choice(_DATA["target_response_days"]),
                "languages": provider.languages,
            },
        )
        if area is not None:
            service.areas.set([area])
    return provider


def _area(country: str, name: str) -> AdminArea | None:
    return AdminArea.objects.filter(country=country, level=1, name__icontains=name).first() if name else None


def _pathways(providers: list[ServiceProvider], context: DemoContext) -> list[ReferralPathway]:
    """oim-gt's SOP with each Guatemalan provider (its programme manager's)."""
    manager = context.users.get("gerente")
    if manager is None:
        return []
    demo_org = context.organisations["oim-gt"]
    found = []
    for provider in providers:
        if provider.country != "GT":
            continue
        pathway = provider.pathways.filter(
            referring_organisation=demo_org, is_current=True, population=PathwayPopulation.EVERYONE
        ).first()
        found.append(pathway or services.save_pathway(manager, _pathway_input(provider)))
    # One child-focused SOP, with the first provider: the demo's child cases are referred under it.
    if found and not found[0].provider.pathways.filter(population=PathwayPopulation.CHILDREN).exists():
        services.save_pathway(manager, _pathway_input(found[0].provider, "child_pathway"))
    return found


def _pathway_input(provider: ServiceProvider, key: str = "pathway") -> services.PathwayInput:
    texts = dict(_DATA[key])
    approved_on = timezone.localdate() - timedelta(days=texts.pop("approved_days_ago"))
    shared = [*catalogue.DEFAULT_FIELDS, *(["needs_summary"] if provider.organisation else [])]
    return services.PathwayInput(
        provider=provider,
        title=texts.pop("title").format(provider=provider.name)[:200],
        approved_on=approved_on,
        transferred_fields=shared,
        **texts,
    )


def _referrals(provider: ServiceProvider, platform: Organisation, context: DemoContext, rng: random.Random) -> int:
    """Referrals of the demo case manager's open cases to the first provider, one per planned status."""
    case_manager, recipient = context.users.get("gestora"), context.users.get("proveedor")
    if case_manager is None:
        return 0
    cases = list(
        Case.objects.filter(
            organisation=context.organisations["oim-gt"],
            case_manager=case_manager,
            returnee__anonymised_at__isnull=True,
        )
        .exclude(status="closed")
        .select_related("returnee")
        .order_by("id")[:14]
    )
    offered = list(provider.services.all())
    made = 0
    for case, planned in zip(cases, _DATA["referrals"], strict=False):
        if Referral.objects.filter(case=case).exists():
            continue
        _consent(case_manager, case, platform, planned["days_ago"])
        referral = services.create_referral(
            case_manager,
            case,
            rng.choice(offered),
            reason=_DATA["referral"]["reason"],
            priority=rng.choice(_DATA["referral"]["priorities"]),
        )
        made += 1
        _move(referral, planned, case_manager, recipient, rng)
    return made


def _consent(user: User, case: Case, organisation: Organisation, days_ago: int) -> None:
    returnee = case.returnee
    if Consent.objects.filter(returnee=returnee, recipient_organisation=organisation).exists():
        return
    # The consent rule's own test (a minor, or someone whose case started as a child's), not the age today.
    minor = consent_needs_guardian(returnee)
    record_consent(
        user,
        returnee,
        ConsentPurpose.REFERRAL,
        ConsentMethod.SIGNED,
        timezone.localdate() - timedelta(days=days_ago + 2),
        recipient_organisation=organisation,
        guardian_name=_DATA["referral"]["guardian"] if minor else "",
        child_assent=minor,
    )


def _move(
    referral: Referral, planned: dict[str, Any], sender: User, recipient: User | None, rng: random.Random
) -> None:
    """Take a drafted referral to its planned status, through the services of each side."""
    status = planned["status"]
    if status == "draft":
        return
    referral = services.send_referral(sender, referral)
    _backdate(referral, planned["days_ago"])
    referral.refresh_from_db()
    if status == "sent" or recipient is None:
        return
    if status == "declined":
        decline = _DATA["referral"]["decline"]
        services.decline_referral(recipient, referral, reason=decline["reason"], note=decline["note"])
        return
    referral = services.accept_referral(recipient, referral)
    if status == "accepted":
        return
    outcome = "no_show" if status == "no_show" else "service_delivered"
    referral = services.record_outcome(recipient, referral, outcome=outcome)
    if status == "closed":
        feedback = _DATA["referral"]["feedback"]
        services.close_referral(sender, referral, satisfaction=rng.randint(3, 5), feedback=feedback)


def _accepted_link(provider: ServiceProvider, organisation: Organisation, requested_by: User | None) -> None:
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
    sent = timezone.now() - timedelta(days=days)
    Referral.objects.filter(pk=referral.pk).update(
        sent_at=sent, acceptance_due_at=sla.acceptance_deadline(sent, referral.priority), created_at=sent
    )

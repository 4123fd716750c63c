"""Demo data of cross-border hand-overs (docs/handover.md): oim-gt's programme manager ("gerente") registers a
partner installation (the consulates' Reintegra in Mexico, keys generated here: only its public half is kept)
and hands over three of oim-gt's cases under the "Marco de cooperación México–Guatemala", each with the
person's cross-border consent naming the recipient: one received in oim-mx's inbox (awaiting its answer),
one sent to the partner installation (its delivery waits in the outbox: no worker pushes it in the demo),
and a draft. Everything goes through the hand-over and protection services."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from reintegra.cases.choices import CaseStatus
from reintegra.cases.models import Case
from reintegra.demo.levels.context import DemoContext
from reintegra.handover import minimise, package, services
from reintegra.handover.models import HandOver
from reintegra.protection.choices import ConsentMethod, ConsentPurpose
from reintegra.protection.services import consent_needs_guardian, record_consent
from reintegra.structural.models import CooperationFramework


def load(context: DemoContext) -> str:
    manager = context.users.get("gerente")
    org, mexico = context.organisations.get("oim-gt"), context.organisations.get("oim-mx")
    if manager is None or org is None or mexico is None:
        return "Hand-overs: no manager or organisations; skipped."
    if HandOver.objects.filter(sending_organisation=org).exists():
        return "Hand-overs: demo data already present."
    framework = CooperationFramework.objects.filter(programme__organisation=org).first()
    party = None
    if framework is not None:
        party = next(
            (p for p in framework.parties.all() if set(services.allowed_categories(framework, p)) >= minimise.REQUIRED),
            None,
        )
    if framework is None or party is None:
        return "Hand-overs: no cooperation framework letting a party consult profiles; skipped."
    _private, public = package.generate_keys()
    partner = services.register_partner(
        manager,
        services.PartnerInput(
            name="Reintegra – Red consular de México",
            base_url="https://reintegra.consulados.example.mx",
            public_jwks=public,
            framework=framework,
            organisation=mexico,
            remote_organisation_code="sre-consulados",
        ),
    )
    open_cases = Case.objects.filter(organisation=org).exclude(status=CaseStatus.CLOSED).select_related("returnee")
    # Adults only: a child's hand-over needs the guardian's consent and the child's assent (kept out of the demo).
    cases = [case for case in open_cases.order_by("pk")[:40] if not consent_needs_guardian(case.returnee)][:3]
    if len(cases) < 2:
        return "Hand-overs: a partner installation; fewer than two open cases of adults, no hand-over."
    given_on = timezone.localdate() - timedelta(days=3)
    reason = "Continuidad de la asistencia con la red consular y la oficina en México"
    plans = [
        (services.HandOverInput(framework, party, reason, recipient_organisation=mexico), True),  # received
        (services.HandOverInput(framework, party, reason, partner=partner), True),  # sent, delivery waiting
        (services.HandOverInput(framework, party, reason, recipient_organisation=mexico), False),  # a draft
    ]
    for case, (data, send) in zip(cases, plans, strict=False):
        record_consent(
            manager,
            case.returnee,
            ConsentPurpose.CROSS_BORDER,
            ConsentMethod.SIGNED,
            given_on,
            recipient_organisation=mexico,
        )
        handover = services.create_handover(manager, case, data)
        if send:
            services.send_handover(manager, handover)
    return (
        f"Hand-overs: a partner installation; {min(len(cases), 3)} hand-overs (received, sent to the partner, draft)."
    )

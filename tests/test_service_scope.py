"""The write services of the apps above the platform check the object's scope themselves, whoever calls them.

Each row calls one service directly (no page or API in front of it) with a record outside the user's reach:
another organisation's, or a case shared with the user's organisation (seen there, changed only by the
organisation that holds it). The service must answer PermissionDenied and change nothing. The services of
`cases` have their own table, with every relation and a successful control call
(src/reintegra/cases/tests/test_service_permissions.py).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from reintegra.access import services as access_services
from reintegra.access.models import Organisation, Programme, User
from reintegra.access.roles import Role
from reintegra.cases.models import Case
from reintegra.protection import services as protection_services
from reintegra.protection.models import CaseShare, Consent
from reintegra.referrals import services as referral_services
from reintegra.referrals.models import Referral, Service, ServiceProvider
from reintegra.regional import services as regional_services
from reintegra.regional.models import RegionalAction
from reintegra.reminders import services as reminder_services
from reintegra.reminders.models import Reminder
from reintegra.structural import choices as structural_choices
from reintegra.structural import services as structural_services
from reintegra.structural.models import Stakeholder, WriteGrant
from reintegra.sustainability import services as sustainability_services
from reintegra.sustainability.models import FeasibilityApproach, SurveyRound
from reintegra.testing import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@dataclass
class World:
    org: Organisation
    other_org: Organisation
    third_org: Organisation
    case_manager: User
    manager: User  # the holding organisation's programme manager
    other_supervisor: User  # the receiving organisation: sees the shared case
    other_manager: User
    third_supervisor: User
    case: Case
    share: CaseShare


@pytest.fixture
def world(org, other_org, case_manager, other_supervisor) -> World:
    third_org = factories.organisation("tercera", country="HN")
    manager = factories.user(org, Role.PROGRAMME_MANAGER, username="jefa")
    case = factories.case(case_manager)
    for recipient in (other_org, third_org):
        protection_services.record_consent(
            case_manager,
            case.returnee,
            "cross_border" if protection_services.is_cross_border(case.organisation, recipient) else "referral",
            "signed",
            TODAY() - timedelta(days=5),
            recipient_organisation=recipient,
        )
    share = protection_services.share_case(case_manager, case, other_org, "Seguimiento")
    return World(
        org=org,
        other_org=other_org,
        third_org=third_org,
        case_manager=case_manager,
        manager=manager,
        other_supervisor=other_supervisor,
        other_manager=factories.user(other_org, Role.PROGRAMME_MANAGER, username="jefe-gt"),
        third_supervisor=factories.user(third_org, Role.SUPERVISOR, username="supervisora-hn"),
        case=case,
        share=share,
    )


Call = Callable[[], Any]
Snapshot = Callable[[], Any]


def share_onward(w: World) -> tuple[Call, Snapshot]:
    return (
        lambda: protection_services.share_case(w.other_supervisor, w.case, w.third_org, "Reenvío"),
        lambda: CaseShare.objects.count(),
    )


def revoke_share(w: World) -> tuple[Call, Snapshot]:
    return (
        lambda: protection_services.revoke_share(w.third_supervisor, w.share),
        lambda: CaseShare.objects.values_list("revoked_at", flat=True).get(pk=w.share.pk),
    )


def record_consent(w: World) -> tuple[Call, Snapshot]:
    return (
        lambda: protection_services.record_consent(
            w.third_supervisor, w.case.returnee, "referral", "signed", TODAY(), recipient_organisation=w.third_org
        ),
        lambda: Consent.objects.count(),
    )


def withdraw_consent(w: World) -> tuple[Call, Snapshot]:
    consent = Consent.objects.filter(returnee=w.case.returnee).first()
    assert consent is not None
    return (
        lambda: protection_services.withdraw_consent(w.third_supervisor, consent),
        lambda: Consent.objects.values_list("withdrawn_on", flat=True).get(pk=consent.pk),
    )


def record_round(w: World) -> tuple[Call, Snapshot]:
    data = sustainability_services.RoundInput("rss", TODAY(), {})
    return (
        lambda: sustainability_services.record_round(w.other_supervisor, w.case, data),
        lambda: SurveyRound.objects.count(),
    )


def save_approach(w: World) -> tuple[Call, Snapshot]:
    programme = Programme.objects.get(organisation=w.org)
    values = {"dimension": "economic", "approach": "Crédito"}
    return (
        lambda: sustainability_services.save_approach(w.other_manager, programme, values),
        lambda: FeasibilityApproach.objects.filter(programme=programme).count(),
    )


def _provider(owner: Organisation) -> Service:
    provider = ServiceProvider.objects.create(name="Centro", organisation_type="ngo", country="MX", owner=owner)
    return Service.objects.create(
        provider=provider, code="centro-empleo", name="Empleo", dimension="economic", sector="employment", country="MX"
    )


def create_referral(w: World) -> tuple[Call, Snapshot]:
    service = _provider(w.other_org)
    return (
        lambda: referral_services.create_referral(w.other_supervisor, w.case, service, reason="Empleo"),
        lambda: Referral.objects.count(),
    )


def save_provider(w: World) -> tuple[Call, Snapshot]:
    provider = _provider(w.org).provider
    changed = referral_services.ProviderInput.of(provider)
    changed.name = "Centro tomado"
    return (
        lambda: referral_services.save_provider(w.other_manager, changed, provider),
        lambda: ServiceProvider.objects.values_list("revision", "name").get(pk=provider.pk),
    )


def save_structural_record(w: World) -> tuple[Call, Snapshot]:
    programme = Programme.objects.get(organisation=w.org)
    stakeholder = structural_services.save_record(
        w.manager,
        Stakeholder(
            programme=programme,
            name="Ministerio",
            category=structural_choices.StakeholderCategory.NATIONAL_AUTHORITY,
            level=structural_choices.GeographicLevel.NATIONAL,
            country="MX",
            interest=5,
            influence=4,
        ),
        {},
    )
    stakeholder.name = "Ministerio tomado"
    return (
        lambda: structural_services.save_record(w.other_manager, stakeholder, {}),
        lambda: Stakeholder.objects.values_list("revision", "name").get(pk=stakeholder.pk),
    )


def revoke_grant(w: World) -> tuple[Call, Snapshot]:
    grant = structural_services.grant_write(w.manager, w.other_org, structural_choices.GrantScope.REGIONAL)
    return (
        lambda: structural_services.revoke_grant(w.other_manager, grant),
        lambda: WriteGrant.objects.values_list("revoked_at", flat=True).get(pk=grant.pk),
    )


def update_action(w: World) -> tuple[Call, Snapshot]:
    data = regional_services.ActionInput(
        country="MX", title="Intermediación", levels=["structural"], dimensions=["social"]
    )
    action = regional_services.create_action(w.manager, data)
    data.title = "Intermediación tomada"
    return (
        lambda: regional_services.update_action(w.other_manager, action, data),
        lambda: RegionalAction.objects.values_list("revision", "title").get(pk=action.pk),
    )


def update_programme(w: World) -> tuple[Call, Snapshot]:
    programme = Programme.objects.get(organisation=w.org)
    return (
        lambda: access_services.update_programme(w.other_manager, programme, {"stakeholder_high_threshold": 3}),
        lambda: Programme.objects.values_list("revision", "stakeholder_high_threshold").get(pk=programme.pk),
    )


def mark_read(w: World) -> tuple[Call, Snapshot]:
    reminder = Reminder.objects.create(recipient=w.case_manager, kind="test", key="k", message="m")
    return (
        lambda: reminder_services.mark_read(w.other_supervisor, reminder),
        lambda: Reminder.objects.values_list("read_at", flat=True).get(pk=reminder.pk),
    )


ROWS: dict[str, Callable[[World], tuple[Call, Snapshot]]] = {
    "protection.share_case: onward, by the receiving organisation": share_onward,
    "protection.revoke_share: by an organisation on neither side": revoke_share,
    "protection.record_consent: another organisation's person": record_consent,
    "protection.withdraw_consent: another organisation's person": withdraw_consent,
    "sustainability.record_round: a case shared with the user's organisation": record_round,
    "sustainability.save_approach: another organisation's programme": save_approach,
    "referrals.create_referral: a case shared with the user's organisation": create_referral,
    "referrals.save_provider: another organisation's directory entry": save_provider,
    "structural.save_record: another organisation's programme, no write grant": save_structural_record,
    "structural.revoke_grant: another organisation's grant": revoke_grant,
    "regional.update_action: another organisation's action, no write grant": update_action,
    "access.update_programme: another organisation's programme": update_programme,
    "reminders.mark_read: someone else's reminder": mark_read,
}


@pytest.mark.parametrize("row", sorted(ROWS))
def test_a_service_refuses_a_record_outside_the_user_s_scope(row, world):
    call, snapshot = ROWS[row](world)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        call()
    assert snapshot() == before

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from reintegra.access.models import AccessEvent
from reintegra.access.roles import Role
from reintegra.access.transitions import TransitionError
from reintegra.cases import selectors as case_selectors
from reintegra.cases.models import Returnee
from reintegra.protection import selectors, services
from reintegra.protection.models import CaseShare, Consent
from reintegra.protection.services import ConsentRequired
from reintegra.testing import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def consent(user, returnee, purpose="referral", recipient=None, **kwargs):
    kwargs.setdefault("method", "signed")
    kwargs.setdefault("given_on", TODAY() - timedelta(days=1))
    return services.record_consent(user, returnee, purpose, recipient_organisation=recipient, **kwargs)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# --- the ledger ----------------------------------------------------------------------------------


def test_valid_expired_and_withdrawn(case_manager, other_org):
    returnee = factories.returnee(case_manager)
    today = TODAY()
    c = consent(
        case_manager,
        returnee,
        recipient=other_org,
        given_on=today - timedelta(days=30),
        expires_on=today + timedelta(days=30),
    )
    assert services.valid_consent(returnee, "referral", other_org) == c
    assert services.valid_consent(returnee, "referral", other_org, day=today + timedelta(days=30)) == c
    assert services.valid_consent(returnee, "referral", other_org, day=today + timedelta(days=31)) is None  # expired
    assert (
        services.valid_consent(returnee, "referral", other_org, day=today - timedelta(days=31)) is None
    )  # not yet given
    assert services.valid_consent(returnee, "data_sharing", other_org) is None  # other purpose

    services.withdraw_consent(case_manager, c, today, "Ya no quiere")
    assert services.valid_consent(returnee, "referral", other_org) is None
    assert services.valid_consent(returnee, "referral", other_org, day=today - timedelta(days=1)) == c  # history kept
    c.refresh_from_db()
    assert (c.withdrawn_on, c.withdrawal_note) == (today, "Ya no quiere")
    assert Consent.objects.filter(pk=c.pk).exists()  # recorded, never deleted


def test_consent_covers_only_the_named_organisation(case_manager, org, other_org):
    third = factories.organisation("ong-hn", country="HN")
    returnee = factories.returnee(case_manager)
    consent(case_manager, returnee, recipient=other_org)
    # A description alone names no recipient: the ledger refuses it for a sharing purpose (issue 18.4)...
    with pytest.raises(ValidationError) as refused:
        consent(case_manager, returnee, recipient_description="Cualquier clínica pública")
    assert refused.value.error_dict["recipient_organisation"][0].code == "recipient_required"
    assert services.valid_consent(returnee, "referral", third) is None
    # ...and no consent authorises an unnamed recipient.
    assert services.valid_consent(returnee, "referral") is None
    assert services.valid_consent(returnee, "referral", other_org).recipient_organisation == other_org


def test_sharing_consent_needs_a_recipient(case_manager):
    returnee = factories.returnee(case_manager)
    with pytest.raises(ValidationError) as err:
        consent(case_manager, returnee, purpose="data_sharing")
    assert "recipient_organisation" in err.value.message_dict
    # Assistance needs no recipient.
    assert consent(case_manager, returnee, purpose="assistance").pk


@pytest.mark.parametrize(
    ("guardian", "assent", "missing"),
    [
        ("", False, {"guardian_name", "child_assent"}),
        ("Rosa Pérez", False, {"child_assent"}),
        ("", True, {"guardian_name"}),
    ],
)
def test_minor_needs_guardian_and_assent(case_manager, other_org, guardian, assent, missing):
    child = factories.returnee(case_manager, birth_date=TODAY() - timedelta(days=365 * 12))
    assert child.is_minor
    with pytest.raises(ValidationError) as err:
        consent(
            case_manager,
            child,
            recipient=other_org,
            given_by_returnee=False,
            guardian_name=guardian,
            child_assent=assent,
        )
    assert set(err.value.message_dict) == missing
    assert "minor" in " ".join(m for ms in err.value.message_dict.values() for m in ms)
    assert not Consent.objects.exists()


def test_minor_consent_with_guardian_and_assent(case_manager, other_org):
    child = factories.returnee(case_manager, birth_date=TODAY() - timedelta(days=365 * 12))
    c = consent(
        case_manager, child, recipient=other_org, given_by_returnee=False, guardian_name="Rosa Pérez", child_assent=True
    )
    assert c.guardian_name == "Rosa Pérez" and c.child_assent


def test_child_without_birth_date_counts_as_minor(case_manager, other_org):
    child = factories.returnee(case_manager, attention_flags=["unaccompanied_minor"])
    # A record without a known age (registration requires one now; older records and imports may lack it).
    Returnee.objects.filter(pk=child.pk).update(birth_date=None, estimated_birth_year=None, birth_year=None)
    child.refresh_from_db()
    assert not child.is_minor  # no age known
    with pytest.raises(ValidationError) as err:
        consent(case_manager, child, recipient=other_org)
    assert set(err.value.message_dict) == {"guardian_name", "child_assent"}


def test_representative_named_when_not_given_by_the_person(case_manager):
    returnee = factories.returnee(case_manager)
    with pytest.raises(ValidationError) as err:
        consent(case_manager, returnee, purpose="assistance", given_by_returnee=False)
    assert "guardian_name" in err.value.message_dict


def test_consent_dates_validated(case_manager, other_org):
    returnee = factories.returnee(case_manager)
    with pytest.raises(ValidationError):
        consent(case_manager, returnee, recipient=other_org, given_on=TODAY() + timedelta(days=1))
    with pytest.raises(ValidationError):
        consent(case_manager, returnee, recipient=other_org, given_on=TODAY(), expires_on=TODAY())
    with pytest.raises(ValidationError):
        consent(case_manager, returnee, purpose="marketing", recipient=other_org)


def test_only_consent_managers_who_see_the_person(case_manager, me_officer, other_case_manager, other_org):
    returnee = factories.returnee(case_manager)
    for user in (me_officer, other_case_manager):
        with pytest.raises(PermissionDenied):
            consent(user, returnee, recipient=other_org)
    assert not Consent.objects.exists()


def test_withdrawal_checks(case_manager, other_org, me_officer):
    returnee = factories.returnee(case_manager)
    c = consent(case_manager, returnee, recipient=other_org)
    with pytest.raises(PermissionDenied):
        services.withdraw_consent(me_officer, c, TODAY(), "")
    with pytest.raises(ValidationError):
        services.withdraw_consent(case_manager, c, TODAY() + timedelta(days=1), "")
    services.withdraw_consent(case_manager, c, note="Por teléfono")
    with pytest.raises(TransitionError) as again:
        services.withdraw_consent(case_manager, c, TODAY(), "otra vez")
    assert again.value.code == "already_withdrawn"


def test_consent_ledger_selector(case_manager, other_case_manager, dpo, other_org):
    returnee = factories.returnee(case_manager)
    c = consent(case_manager, returnee, recipient=other_org)
    services.withdraw_consent(case_manager, c, note="")
    assert list(selectors.consents_for(case_manager, returnee)) == [c]
    assert list(selectors.consents_for(dpo, returnee)) == [c]  # the consent registry of the organisation
    with pytest.raises(PermissionDenied):
        selectors.consents_for(other_case_manager, returnee)


# --- sharing -------------------------------------------------------------------------------------


def test_sharing_refused_without_consent(case_manager, other_org):
    case = factories.case(case_manager)
    with pytest.raises(ConsentRequired) as err:
        services.share_case(case_manager, case, other_org, "Atención médica")
    assert isinstance(err.value, PermissionDenied)
    assert str(err.value) == (
        "No valid consent from this person for sharing with ONG Guatemala. Record the consent first."
    )
    assert not CaseShare.objects.exists()
    assert not AccessEvent.objects.exists()


def test_consent_for_another_organisation_or_a_description_does_not_allow_sharing(case_manager, other_org):
    third = factories.organisation("ong-hn", country="HN", name="ONG Honduras")
    case = factories.case(case_manager)
    consent(case_manager, case.returnee, recipient=third)
    consent(case_manager, case.returnee, recipient=third, recipient_description="ONG Guatemala y similares")
    with pytest.raises(ConsentRequired):
        services.share_case(case_manager, case, other_org, "Atención médica")
    assert not CaseShare.objects.exists()


def test_sharing_allowed_with_consent(case_manager, other_org, other_supervisor):
    case = factories.case(case_manager)
    assert not case_selectors.cases_for(other_supervisor).filter(pk=case.pk).exists()
    c = consent(case_manager, case.returnee, purpose="data_sharing", recipient=other_org)
    share = services.share_case(case_manager, case, other_org, "Seguimiento de salud")
    assert (share.consent, share.organisation, share.granted_by, share.revoked_at) == (c, other_org, case_manager, None)
    assert case_selectors.cases_for(other_supervisor).filter(pk=case.pk).exists()
    assert case.events.filter(kind="updated", data__what="shared").exists()
    with pytest.raises(ValidationError):  # already shared
        services.share_case(case_manager, case, other_org, "otra vez")


def test_share_needs_a_reason_and_the_owning_organisation(case_manager, other_org, other_supervisor, me_officer):
    case = factories.case(case_manager)
    consent(case_manager, case.returnee, recipient=other_org)
    with pytest.raises(ValidationError):
        services.share_case(case_manager, case, other_org, "  ")
    services.share_case(case_manager, case, other_org, "Referencia")
    third = factories.organisation("ong-hn", country="HN")
    # The receiving organisation sees the case but cannot pass it on.
    with pytest.raises(PermissionDenied):
        services.share_case(other_supervisor, case, third, "Referencia")
    with pytest.raises(PermissionDenied):
        services.share_case(me_officer, case, other_org, "Referencia")


def test_withdrawal_blocks_sharing_and_revokes_active_shares(case_manager, other_org, other_supervisor):
    case = factories.case(case_manager)
    c = consent(case_manager, case.returnee, recipient=other_org)
    share = services.share_case(case_manager, case, other_org, "Referencia a salud")
    services.withdraw_consent(case_manager, c, TODAY(), "Retira su consentimiento")
    share.refresh_from_db()
    assert share.revoked_at is not None
    assert not case_selectors.cases_for(other_supervisor).filter(pk=case.pk).exists()
    with pytest.raises(ConsentRequired):
        services.share_case(case_manager, case, other_org, "De nuevo")
    assert CaseShare.objects.filter(revoked_at__isnull=True).count() == 0


def test_withdrawal_dated_in_the_past_still_revokes_now(case_manager, other_org):
    case = factories.case(case_manager)
    c = consent(case_manager, case.returnee, recipient=other_org, given_on=TODAY() - timedelta(days=20))
    share = services.share_case(case_manager, case, other_org, "Referencia")
    services.withdraw_consent(case_manager, c, TODAY() - timedelta(days=5), "Lo dijo por teléfono la semana pasada")
    share.refresh_from_db()
    assert share.revoked_at is not None


def test_revoke_share(case_manager, other_org, other_supervisor):
    case = factories.case(case_manager)
    consent(case_manager, case.returnee, recipient=other_org)
    share = services.share_case(case_manager, case, other_org, "Referencia")
    services.revoke_share(case_manager, share)
    assert share.revoked_at is not None
    assert not case_selectors.cases_for(other_supervisor).filter(pk=case.pk).exists()
    assert services.revoke_share(case_manager, share).revoked_at == share.revoked_at  # idempotent


def test_receiving_organisation_can_return_the_case(case_manager, other_org, other_supervisor):
    case = factories.case(case_manager)
    consent(case_manager, case.returnee, recipient=other_org)
    share = services.share_case(case_manager, case, other_org, "Referencia")
    services.revoke_share(other_supervisor, share)
    assert share.revoked_at is not None


def test_expired_consent_lapses_its_shares(case_manager, other_org):
    case = factories.case(case_manager)
    c = consent(case_manager, case.returnee, recipient=other_org, expires_on=TODAY() + timedelta(days=10))
    share = services.share_case(case_manager, case, other_org, "Referencia")
    assert services.revoke_lapsed_shares(TODAY()) == 0
    assert services.revoke_lapsed_shares(TODAY() + timedelta(days=11), dry_run=True) == 1
    share.refresh_from_db()
    assert share.revoked_at is None
    assert services.revoke_lapsed_shares(TODAY() + timedelta(days=11)) == 1
    share.refresh_from_db()
    assert share.revoked_at is not None and share.consent == c


# --- life-at-risk exception ----------------------------------------------------------------------


def test_life_at_risk_exception_for_a_mental_health_professional(psychologist, other_org):
    case = factories.case(psychologist)
    justification = "Riesgo suicida alto evaluado hoy; requiere atención psiquiátrica inmediata"
    share = services.share_case(
        psychologist, case, other_org, "Atención psiquiátrica urgente", life_at_risk_justification=justification
    )
    assert share.consent is None
    event = AccessEvent.objects.get()
    assert (event.user, event.action, event.flagged) == (psychologist, "consent_exception", True)
    assert (event.object_type, event.object_id, event.purpose) == (
        "cases.returnee",
        str(case.returnee_id),
        justification,
    )


def test_life_at_risk_exception_refused_to_others(case_manager, other_org):
    case = factories.case(case_manager)
    with pytest.raises(ConsentRequired) as err:
        services.share_case(case_manager, case, other_org, "Urgente", life_at_risk_justification="Riesgo suicida")
    assert "mental-health professional" in str(err.value)
    assert not CaseShare.objects.exists()
    assert not AccessEvent.objects.exists()


def test_life_at_risk_exception_needs_a_justification(psychologist, other_org):
    case = factories.case(psychologist)
    with pytest.raises(ConsentRequired):
        services.share_case(psychologist, case, other_org, "Urgente", life_at_risk_justification="   ")
    assert not CaseShare.objects.exists()
    assert not AccessEvent.objects.exists()


def test_valid_consent_wins_over_the_exception(psychologist, other_org):
    case = factories.case(psychologist)
    c = consent(psychologist, case.returnee, recipient=other_org)
    share = services.share_case(psychologist, case, other_org, "Referencia", life_at_risk_justification="Riesgo")
    assert share.consent == c
    assert not AccessEvent.objects.exists()


def test_require_consent_checks_visibility(case_manager, other_case_manager, other_org):
    returnee = factories.returnee(case_manager)
    consent(case_manager, returnee, recipient=other_org)
    assert services.require_consent_for_sharing(case_manager, returnee, "referral", other_org)
    with pytest.raises(PermissionDenied):
        services.require_consent_for_sharing(other_case_manager, returnee, "referral", other_org)


def test_programme_manager_can_share(org, other_org):
    pm = factories.user(org, Role.PROGRAMME_MANAGER)
    case = factories.case(pm)
    consent(pm, case.returnee, recipient=other_org)
    assert services.share_case(pm, case, other_org, "Referencia").pk

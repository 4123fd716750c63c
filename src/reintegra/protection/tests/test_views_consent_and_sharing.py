"""Consent ledger (/proteccion/personas/<id>/consentimientos/) and case sharing (/proteccion/casos/<id>/compartir/)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reintegra.access.models import AccessEvent
from reintegra.access.roles import Role
from reintegra.protection import services
from reintegra.protection.models import CaseShare, Consent
from reintegra.testing import factories
from reintegra.testing.trail import access_events

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def case(case_manager):
    return factories.case(case_manager)


@pytest.fixture
def cm_client(client, case_manager):
    client.force_login(case_manager)
    return client


def ledger_url(returnee_id):
    return reverse("protection:consents", args=[returnee_id])


def shares_url(case_id):
    return reverse("protection:shares", args=[case_id])


def consent(user, returnee, purpose="referral", recipient=None, **kwargs):
    kwargs.setdefault("method", "signed")
    kwargs.setdefault("given_on", TODAY() - timedelta(days=10))
    return services.record_consent(user, returnee, purpose, recipient_organisation=recipient, **kwargs)


def consent_post(**overrides):
    data = {
        "purpose": "referral",
        "method": "signed",
        "given_on": TODAY().isoformat(),
        "expires_on": "",
        "recipient_organisation": "",
        "recipient_description": "Centro de salud Zqx",
        "given_by_returnee": "on",
        "guardian_name": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _text(response) -> str:
    return response.content.decode()


# --- the ledger ----------------------------------------------------------------------------------


def test_ledger_lists_entries_with_their_status(cm_client, case_manager, case, other_org):
    returnee = case.returnee
    consent(case_manager, returnee, recipient=other_org, recipient_description="Clínica Zqx")
    consent(
        case_manager,
        returnee,
        purpose="assistance",
        given_on=TODAY() - timedelta(days=40),
        expires_on=TODAY() - timedelta(days=1),
    )
    withdrawn = consent(case_manager, returnee, purpose="research")
    services.withdraw_consent(case_manager, withdrawn, TODAY(), "Ya no desea participar")
    response = cm_client.get(ledger_url(returnee.pk))
    assert response.status_code == 200
    text = _text(response)
    for expected in (
        "Consent ledger",
        returnee.full_name,
        "ONG Guatemala",
        "Clínica Zqx",
        "Referral to an organisation or service",
        "Signed form",
        "Valid",
        "Expired",
        "Withdrawn",
        "Ya no desea participar",
        "Record a consent",
        case.case_number,
    ):
        assert expected in text, expected
    assert AccessEvent.objects.filter(
        user=case_manager, action="view", object_type="cases.returnee", object_id=str(returnee.pk)
    ).exists()


def test_ledger_of_someone_not_visible_is_not_found(client, case, other_case_manager, me_officer):
    for user in (other_case_manager, me_officer):
        client.force_login(user)
        assert client.get(ledger_url(case.returnee_id)).status_code == 404
        assert client.post(ledger_url(case.returnee_id), consent_post()).status_code in (403, 404)
    assert not Consent.objects.exists()


@pytest.mark.parametrize("pk", [999999, 2**63 + 5])
def test_unknown_person_is_not_found(cm_client, pk):
    assert cm_client.get(ledger_url(pk)).status_code == 404


def test_data_protection_officer_reads_but_cannot_record(client, dpo, case, case_manager, other_org):
    consent(case_manager, case.returnee, recipient=other_org)
    client.force_login(dpo)
    response = client.get(ledger_url(case.returnee_id))
    assert response.status_code == 200
    assert "ONG Guatemala" in _text(response)
    assert "Record a consent" not in _text(response)
    assert client.post(ledger_url(case.returnee_id), consent_post()).status_code == 403
    assert Consent.objects.count() == 1


def test_record_a_consent(cm_client, case_manager, case, other_org):
    response = cm_client.post(
        ledger_url(case.returnee_id),
        consent_post(recipient_organisation=other_org.pk, expires_on=(TODAY() + timedelta(days=365)).isoformat()),
    )
    assert response.status_code == 302
    assert response["Location"] == ledger_url(case.returnee_id)
    saved = Consent.objects.get()
    assert (saved.purpose, saved.recipient_organisation, saved.recorded_by) == ("referral", other_org, case_manager)
    assert saved.given_by_returnee and saved.recipient_description == "Centro de salud Zqx"
    assert "The consent was recorded." in _text(cm_client.get(ledger_url(case.returnee_id)))


def test_minor_rule_redisplays_the_form_and_keeps_input(cm_client, case_manager):
    child = factories.returnee(case_manager, birth_date=TODAY().replace(year=TODAY().year - 12))
    response = cm_client.post(
        ledger_url(child.pk), consent_post(purpose="assistance", recipient_description="Escuela Zqx-7")
    )
    assert response.status_code == 200
    text = _text(response)
    assert "This person is a minor: record the name of the parent or guardian" in text
    assert "the child&#x27;s own assent is also required" in text
    assert "Nothing was saved yet." in text
    assert 'value="Escuela Zqx-7"' in text
    assert not Consent.objects.exists()
    response = cm_client.post(
        ledger_url(child.pk),
        consent_post(purpose="assistance", guardian_name="Rosa Pérez", child_assent="on", given_by_returnee=None),
    )
    assert response.status_code == 302
    assert Consent.objects.get().guardian_name == "Rosa Pérez"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"given_on": "2025-02-30"}, "Enter a valid date."),
        ({"given_on": (TODAY() + timedelta(days=2)).isoformat()}, "The consent date cannot be in the future."),
        ({"purpose": "marketing"}, "Select a valid choice."),
        ({"recipient_description": "Any clinic"}, "A description alone does not allow sharing."),
        ({"expires_on": (TODAY() - timedelta(days=3)).isoformat()}, "The expiry date must be after"),
        ({"given_by_returnee": None}, "record the name of who gave it"),
        ({"recipient_organisation": "999999"}, "Select a valid choice."),
    ],
)
def test_bad_input_redisplays_the_form(cm_client, case, overrides, message):
    response = cm_client.post(ledger_url(case.returnee_id), consent_post(**overrides))
    assert response.status_code == 200
    assert message in _text(response)
    assert not Consent.objects.exists()


def test_withdraw(cm_client, case_manager, case, other_org, other_supervisor):
    given = consent(case_manager, case.returnee, recipient=other_org)
    share = services.share_case(case_manager, case, other_org, "Atención en salud")
    url = reverse("protection:consent_withdraw", args=[given.pk])
    response = cm_client.post(url, {"withdrawn_on": TODAY().isoformat(), "note": "Lo pidió por teléfono"})
    assert response.status_code == 302
    given.refresh_from_db()
    share.refresh_from_db()
    assert (given.withdrawn_on, given.withdrawal_note) == (TODAY(), "Lo pidió por teléfono")
    assert share.revoked_at is not None
    # Twice: said so, nothing changes, no error page.
    response = cm_client.post(url, {"withdrawn_on": TODAY().isoformat()})
    assert response.status_code == 200
    assert "This consent was already withdrawn" in _text(response)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"withdrawn_on": (TODAY() + timedelta(days=1)).isoformat()}, "the date cannot be in the future."),
        ({"withdrawn_on": (TODAY() - timedelta(days=30)).isoformat()}, "cannot be before the consent was given"),
        ({"withdrawn_on": "yesterday"}, "Enter a valid date."),
    ],
)
def test_bad_withdrawal_redisplays_the_form(cm_client, case_manager, case, data, message):
    given = consent(case_manager, case.returnee, "assistance", recipient_description="Clínica")
    response = cm_client.post(reverse("protection:consent_withdraw", args=[given.pk]), {**data, "note": "Nota Zqx"})
    assert response.status_code == 200
    text = _text(response)
    assert message in text
    assert "Nota Zqx" in text
    assert "<details open>" in text
    given.refresh_from_db()
    assert given.withdrawn_on is None


def test_withdraw_permissions(client, case_manager, case, me_officer, other_case_manager):
    given = consent(case_manager, case.returnee, "assistance", recipient_description="Clínica")
    url = reverse("protection:consent_withdraw", args=[given.pk])
    client.force_login(me_officer)
    assert client.post(url, {}).status_code == 403
    client.force_login(other_case_manager)
    assert client.post(url, {}).status_code == 404
    assert client.get(url).status_code == 405
    given.refresh_from_db()
    assert given.withdrawn_on is None


# --- sharing -------------------------------------------------------------------------------------


def test_share_page_lists_shares(cm_client, case_manager, case, other_org):
    consent(case_manager, case.returnee, recipient=other_org)
    services.share_case(case_manager, case, other_org, "Derivación a salud Zqx")
    response = cm_client.get(shares_url(case.pk))
    assert response.status_code == 200
    text = _text(response)
    assert "Derivación a salud Zqx" in text and "ONG Guatemala" in text
    assert "Revoke" in text
    assert "life_at_risk_justification" not in text  # not a mental-health professional
    assert access_events(action="view", object_type="cases.case", purpose="shares")


def test_share_page_of_an_invisible_case_is_not_found(client, case, other_case_manager, dpo, me_officer):
    for user in (other_case_manager, dpo, me_officer):
        client.force_login(user)
        assert client.get(shares_url(case.pk)).status_code == 404
    client.force_login(other_case_manager)
    assert client.get(shares_url(2**63 + 1)).status_code == 404


def test_sharing_without_consent_is_explained_and_input_kept(cm_client, case, other_org):
    response = cm_client.post(shares_url(case.pk), {"organisation": other_org.pk, "reason": "Atención Zqx-salud"})
    assert response.status_code == 200
    text = _text(response)
    assert "No valid consent from this person for sharing with ONG Guatemala" in text
    assert ledger_url(case.returnee_id) in text
    assert "Atención Zqx-salud" in text
    assert not CaseShare.objects.exists()


def test_share_with_consent(cm_client, case_manager, case, other_org, other_supervisor):
    consent(case_manager, case.returnee, recipient=other_org)
    response = cm_client.post(shares_url(case.pk), {"organisation": other_org.pk, "reason": "Atención en salud"})
    assert response.status_code == 302
    share = CaseShare.objects.get()
    assert (share.organisation, share.granted_by, share.reason) == (other_org, case_manager, "Atención en salud")
    assert "The case is now shared with ONG Guatemala." in _text(cm_client.get(shares_url(case.pk)))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": "Salud"}, "This field is required."),
        ({"organisation": "999999", "reason": "Salud"}, "Select a valid choice."),
        ({"organisation": "ORG", "reason": ""}, "This field is required."),
    ],
)
def test_bad_share_input_redisplays_the_form(cm_client, case, data, message):
    response = cm_client.post(shares_url(case.pk), data)
    assert response.status_code == 200
    assert message in _text(response)
    assert not CaseShare.objects.exists()


def test_sharing_twice_is_explained(cm_client, case_manager, case, other_org):
    consent(case_manager, case.returnee, recipient=other_org)
    services.share_case(case_manager, case, other_org, "Salud")
    response = cm_client.post(shares_url(case.pk), {"organisation": other_org.pk, "reason": "Otra vez"})
    assert response.status_code == 200
    assert "already shared with this organisation" in _text(response)
    assert CaseShare.objects.count() == 1


def test_life_at_risk_exception_for_a_mental_health_professional(client, psychologist, other_org):
    case = factories.case(psychologist)
    client.force_login(psychologist)
    assert "life_at_risk_justification" in _text(client.get(shares_url(case.pk)))
    response = client.post(
        shares_url(case.pk),
        {"organisation": other_org.pk, "reason": "Urgencia", "life_at_risk_justification": "Riesgo suicida alto"},
    )
    assert response.status_code == 302
    share = CaseShare.objects.get()
    assert share.consent is None
    assert AccessEvent.objects.get(action="consent_exception").flagged
    assert "Life-at-risk exception" in _text(client.get(shares_url(case.pk)))


def test_justification_from_others_is_ignored(cm_client, case, other_org):
    response = cm_client.post(
        shares_url(case.pk),
        {"organisation": other_org.pk, "reason": "Urgencia", "life_at_risk_justification": "Riesgo"},
    )
    assert response.status_code == 200
    assert "No valid consent" in _text(response)
    assert not CaseShare.objects.exists()
    assert not AccessEvent.objects.filter(action="consent_exception").exists()


def test_only_case_editors_of_the_holding_organisation_share(client, case_manager, case, other_org, other_supervisor):
    consent(case_manager, case.returnee, recipient=other_org)
    services.share_case(case_manager, case, other_org, "Salud")
    # The receiving organisation sees the case but cannot share it onward.
    client.force_login(other_supervisor)
    response = client.get(shares_url(case.pk))
    assert response.status_code == 200
    assert "Share with another organisation" not in _text(response)
    assert client.post(shares_url(case.pk), {"organisation": case.organisation_id, "reason": "x"}).status_code == 403
    client.force_login(factories.user(case.organisation, Role.ME_OFFICER))
    assert client.post(shares_url(case.pk), {"organisation": other_org.pk, "reason": "x"}).status_code == 403
    assert CaseShare.objects.count() == 1


def test_revoke(cm_client, case_manager, case, other_org):
    consent(case_manager, case.returnee, recipient=other_org)
    share = services.share_case(case_manager, case, other_org, "Salud")
    response = cm_client.post(reverse("protection:share_revoke", args=[share.pk]))
    assert response.status_code == 302
    assert response["Location"] == shares_url(case.pk)
    share.refresh_from_db()
    assert share.revoked_at is not None
    text = _text(cm_client.get(shares_url(case.pk)))
    assert "Earlier shares (revoked)" in text
    assert "The case is not shared with any other organisation." in text


def test_receiving_organisation_returns_the_case(client, case_manager, case, other_org, other_supervisor):
    consent(case_manager, case.returnee, recipient=other_org)
    share = services.share_case(case_manager, case, other_org, "Salud")
    client.force_login(other_supervisor)
    response = client.post(reverse("protection:share_revoke", args=[share.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")  # the case is no longer theirs to see
    share.refresh_from_db()
    assert share.revoked_at is not None


def test_revoke_permissions(client, case_manager, case, other_org, other_case_manager, me_officer):
    consent(case_manager, case.returnee, recipient=other_org)
    share = services.share_case(case_manager, case, other_org, "Salud")
    url = reverse("protection:share_revoke", args=[share.pk])
    client.force_login(me_officer)
    assert client.post(url).status_code == 403
    client.force_login(other_case_manager)  # same receiving organisation, but not a viewer of shared cases
    assert client.post(url).status_code == 404
    client.force_login(factories.user(factories.organisation("tercera"), Role.SUPERVISOR))
    assert client.post(url).status_code == 404
    share.refresh_from_db()
    assert share.revoked_at is None


def test_ledger_and_share_pages_work_for_an_anonymised_person(cm_client, case_manager, case):
    services.anonymise_returnee(case.returnee_id)
    response = cm_client.get(ledger_url(case.returnee_id))
    assert response.status_code == 200
    assert "Record a consent" not in _text(response)
    response = cm_client.post(ledger_url(case.returnee_id), consent_post())
    assert response.status_code == 200
    assert "anonymised" in _text(response)
    assert not Consent.objects.exists()


def test_minor_notice_on_the_ledger(cm_client, case_manager):
    child = factories.returnee(case_manager, birth_date=date(TODAY().year - 10, 1, 1))
    assert "This person is a minor" in _text(cm_client.get(ledger_url(child.pk)))

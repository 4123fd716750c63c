"""Consent ledger and case shares through the API (/api/v1/returnees/{id}/consents/, /api/v1/cases/{id}/shares/...)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from reintegra.access.models import AccessEvent
from reintegra.access.roles import Role
from reintegra.protection import services
from reintegra.protection.models import CaseShare, Consent
from reintegra.testing import factories
from reintegra.testing.trail import access_events

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def client_for(user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def api(case_manager):
    return client_for(case_manager)


@pytest.fixture
def case(case_manager):
    return factories.case(case_manager)


def consents_url(returnee_id):
    return f"/api/v1/returnees/{returnee_id}/consents/"


def shares_url(case_id):
    return f"/api/v1/cases/{case_id}/shares/"


def consent(user, returnee, purpose="referral", recipient=None, **kwargs):
    kwargs.setdefault("method", "signed")
    kwargs.setdefault("given_on", TODAY() - timedelta(days=10))
    return services.record_consent(user, returnee, purpose, recipient_organisation=recipient, **kwargs)


def payload(**overrides):
    data = {"purpose": "referral", "method": "verbal", "given_on": TODAY().isoformat()}
    data.update(overrides)
    return data


# --- consents ------------------------------------------------------------------------------------


def test_record_and_list_consents(api, case_manager, case, other_org):
    response = api.post(
        consents_url(case.returnee_id),
        payload(recipient_organisation=other_org.pk, expires_on=(TODAY() + timedelta(days=90)).isoformat()),
        format="json",
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["status"] == "valid"
    assert created["recipient_organisation"] == {"id": other_org.pk, "code": "ong-gt", "name": "ONG Guatemala"}
    assert created["recorded_by"] == {"id": case_manager.pk, "name": "Ana Pérez"}
    assert created["given_by_returnee"] is True and created["child_assent"] is False
    expired = consent(
        case_manager,
        case.returnee,
        purpose="assistance",
        given_on=TODAY() - timedelta(days=9),
        expires_on=TODAY() - timedelta(days=1),
    )
    response = api.get(consents_url(case.returnee_id))
    assert response.status_code == 200
    assert {row["id"]: row["status"] for row in response.json()} == {created["id"]: "valid", expired.pk: "expired"}
    assert access_events(action="view", purpose="consent ledger", channel="api")


def test_ledger_visibility(case_manager, case, other_case_manager, me_officer, dpo, other_org):
    consent(case_manager, case.returnee, recipient=other_org)
    url = consents_url(case.returnee_id)
    assert client_for(other_case_manager).get(url).status_code == 404
    assert client_for(me_officer).get(url).status_code == 404
    assert client_for(case_manager).get(consents_url(999999)).status_code == 404
    assert client_for(case_manager).get(consents_url(2**64)).status_code == 404
    # The data-protection officer reads the consent registry of the organisation, and may not write it.
    response = client_for(dpo).get(url)
    assert response.status_code == 200 and len(response.json()) == 1
    assert client_for(dpo).post(url, payload(recipient_description="x"), format="json").status_code == 403


def test_recording_permissions(case, other_case_manager, me_officer):
    url = consents_url(case.returnee_id)
    assert client_for(me_officer).post(url, payload(recipient_description="x"), format="json").status_code == 403
    assert (
        client_for(other_case_manager).post(url, payload(recipient_description="x"), format="json").status_code == 404
    )
    assert client_for().post(url, payload(recipient_description="x"), format="json").status_code in (401, 403)
    assert not Consent.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"purpose": "marketing"}, "purpose"),
        ({"method": None}, "method"),
        ({"given_on": "2025-02-30"}, "given_on"),
        ({"given_on": (TODAY() + timedelta(days=3)).isoformat()}, "given_on"),
        ({"expires_on": (TODAY() - timedelta(days=3)).isoformat(), "recipient_description": "x"}, "expires_on"),
        ({}, "recipient_organisation"),  # a sharing purpose names a recipient
        ({"recipient_organisation": 999999}, "recipient_organisation"),
        ({"recipient_organisation": "abc"}, "recipient_organisation"),
        ({"recipient_description": "x" * 201}, "recipient_description"),
        ({"given_by_returnee": False, "recipient_description": "x"}, "guardian_name"),
    ],
)
def test_bad_consents_answer_400_with_field_errors(api, case, overrides, field):
    data = {key: value for key, value in payload(**overrides).items() if value is not None}
    response = api.post(consents_url(case.returnee_id), data, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Consent.objects.exists()


def test_minor_needs_guardian_and_assent(api, case_manager):
    child = factories.returnee(case_manager, birth_date=TODAY().replace(year=TODAY().year - 15))
    response = api.post(
        consents_url(child.pk), payload(purpose="assistance", recipient_description="Escuela"), format="json"
    )
    assert response.status_code == 400
    assert {error["field"] for error in response.json()["errors"]} == {"guardian_name", "child_assent"}
    response = api.post(
        consents_url(child.pk),
        payload(purpose="assistance", recipient_description="Escuela", guardian_name="Rosa Pérez", child_assent=True),
        format="json",
    )
    assert response.status_code == 201


def test_withdraw(api, case_manager, case, other_org):
    given = consent(case_manager, case.returnee, recipient=other_org)
    share = services.share_case(case_manager, case, other_org, "Salud")
    url = f"/api/v1/consents/{given.pk}/withdraw/"
    response = api.post(url, {"note": "Por teléfono"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert response.json()["withdrawn_on"] == TODAY().isoformat()
    share.refresh_from_db()
    assert share.revoked_at is not None
    again = api.post(url, {}, format="json")
    assert again.status_code == 400
    assert again.json()["code"] == "already_withdrawn"
    assert "already withdrawn" in again.json()["detail"]


@pytest.mark.parametrize(
    "data",
    [
        {"withdrawn_on": "not a date"},
        {"withdrawn_on": (TODAY() + timedelta(days=1)).isoformat()},
        {"withdrawn_on": (TODAY() - timedelta(days=60)).isoformat()},
        {"note": "x" * 301},
    ],
)
def test_bad_withdrawal_answers_400(api, case_manager, case, data):
    given = consent(case_manager, case.returnee, "assistance", recipient_description="Clínica")
    response = api.post(f"/api/v1/consents/{given.pk}/withdraw/", data, format="json")
    assert response.status_code == 400
    assert set(response.json()) & {"withdrawn_on", "note"}
    given.refresh_from_db()
    assert given.withdrawn_on is None


def test_withdraw_permissions(case_manager, case, me_officer, other_case_manager, dpo):
    given = consent(case_manager, case.returnee, "assistance", recipient_description="Clínica")
    url = f"/api/v1/consents/{given.pk}/withdraw/"
    assert client_for(me_officer).post(url, {}, format="json").status_code == 403
    assert client_for(dpo).post(url, {}, format="json").status_code == 403
    assert client_for(other_case_manager).post(url, {}, format="json").status_code == 404
    assert client_for(case_manager).post("/api/v1/consents/999999/withdraw/", {}, format="json").status_code == 404
    assert client_for(case_manager).get(url).status_code == 405
    given.refresh_from_db()
    assert given.withdrawn_on is None


# --- shares --------------------------------------------------------------------------------------


def test_share_without_consent_is_refused_with_its_code(api, case, other_org):
    response = api.post(shares_url(case.pk), {"organisation": other_org.pk, "reason": "Salud"}, format="json")
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "consent_required"
    assert "No valid consent from this person for sharing with ONG Guatemala" in body["detail"]
    assert not CaseShare.objects.exists()


def test_share_list_and_revoke(api, case_manager, case, other_org):
    consent(case_manager, case.returnee, recipient=other_org)
    response = api.post(shares_url(case.pk), {"organisation": other_org.pk, "reason": "Salud"}, format="json")
    assert response.status_code == 201
    share = response.json()
    assert share["organisation"]["code"] == "ong-gt"
    assert share["active"] is True and share["consent_exception"] is False and share["consent"] is not None
    assert share["granted_by"]["id"] == case_manager.pk
    listed = api.get(shares_url(case.pk))
    assert listed.status_code == 200 and [row["id"] for row in listed.json()] == [share["id"]]
    revoked = api.post(f"/api/v1/shares/{share['id']}/revoke/")
    assert revoked.status_code == 200
    assert revoked.json()["active"] is False and revoked.json()["revoked_at"]
    assert api.get(shares_url(case.pk)).json()[0]["active"] is False


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"reason": "Salud"}, "organisation"),
        ({"organisation": 999999, "reason": "Salud"}, "organisation"),
        ({"organisation": "ORG", "reason": ""}, "reason"),
        ({"organisation": "ORG", "reason": "x" * 301}, "reason"),
        ({"organisation": "OWN", "reason": "Salud"}, "organisation"),
    ],
)
def test_bad_shares_answer_400(api, case, other_org, data, field):
    data = dict(data)
    if data.get("organisation") == "ORG":
        data["organisation"] = other_org.pk
    elif data.get("organisation") == "OWN":
        data["organisation"] = case.organisation_id
    response = api.post(shares_url(case.pk), data, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_life_at_risk_exception(psychologist, case_manager, other_org):
    case = factories.case(psychologist)
    data = {"organisation": other_org.pk, "reason": "Urgencia", "life_at_risk_justification": "Riesgo suicida alto"}
    response = client_for(psychologist).post(shares_url(case.pk), data, format="json")
    assert response.status_code == 201
    assert response.json()["consent_exception"] is True
    event = AccessEvent.objects.get(action="consent_exception")
    assert event.flagged and event.channel == "api"
    # Anyone else invoking it is refused as without consent.
    other = factories.case(case_manager)
    response = client_for(case_manager).post(shares_url(other.pk), data, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "consent_required"
    assert "mental-health professional" in response.json()["detail"]


def test_share_permissions(case_manager, case, other_org, other_case_manager, other_supervisor, me_officer):
    consent(case_manager, case.returnee, recipient=other_org)
    data = {"organisation": other_org.pk, "reason": "Salud"}
    assert client_for(me_officer).get(shares_url(case.pk)).status_code == 403
    assert client_for(me_officer).post(shares_url(case.pk), data, format="json").status_code == 403
    assert client_for(other_case_manager).get(shares_url(case.pk)).status_code == 404
    assert client_for(other_case_manager).post(shares_url(case.pk), data, format="json").status_code == 404
    assert client_for(case_manager).get(shares_url(999999)).status_code == 404
    share = services.share_case(case_manager, case, other_org, "Salud")
    # The receiving organisation sees the case, may not share it onward, may give it back.
    receiver = client_for(other_supervisor)
    assert receiver.get(shares_url(case.pk)).status_code == 200
    onward = {"organisation": case.organisation_id, "reason": "x"}
    assert receiver.post(shares_url(case.pk), onward, format="json").status_code == 403
    assert client_for(me_officer).post(f"/api/v1/shares/{share.pk}/revoke/").status_code == 403
    assert client_for(other_case_manager).post(f"/api/v1/shares/{share.pk}/revoke/").status_code == 404
    assert receiver.post(f"/api/v1/shares/{share.pk}/revoke/").status_code == 200
    assert client_for(case_manager).post("/api/v1/shares/999999/revoke/").status_code == 404


def test_programme_manager_can_share(org, other_org, case_manager, case):
    manager = factories.user(org, Role.PROGRAMME_MANAGER)
    consent(case_manager, case.returnee, recipient=other_org, purpose="data_sharing")
    response = client_for(manager).post(
        shares_url(case.pk), {"organisation": other_org.pk, "reason": "Seguimiento"}, format="json"
    )
    assert response.status_code == 201

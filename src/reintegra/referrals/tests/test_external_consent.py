"""A consent names its recipient (docs/domain-referrals.md §4, issue 18.4): an organisation of the platform or
a directory provider outside it. A consent that only describes a recipient lets nothing go, and the ledger
no longer records one for a sharing purpose; web and API refuse the same input with the same code."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from reintegra.access.roles import Role
from reintegra.protection.choices import ConsentMethod, ConsentPurpose
from reintegra.protection.models import Consent
from reintegra.protection.services import record_consent
from reintegra.referrals import services
from reintegra.referrals.models import Service, ServiceProvider
from reintegra.referrals.tests.conftest import SOP_FIELDS
from reintegra.testing import factories

YESTERDAY = timezone.localdate() - timedelta(days=1)


@pytest.fixture
def external(world):
    """A clinic of the directory that is not on the platform, with a service and an SOP."""
    provider = ServiceProvider.objects.create(
        name="Clínica Zqx", organisation_type="ngo", country="GT", owner=world.org
    )
    service = Service.objects.create(
        provider=provider,
        code="zqx-salud",
        name="Consulta Zqx",
        dimension="psychosocial",
        sector="health",
        country="GT",
    )
    services.save_pathway(
        factories.user(world.org, Role.PROGRAMME_MANAGER, username="pm-zqx"),
        services.PathwayInput(
            provider=provider, title="POE Zqx", approved_on=timezone.localdate(), transferred_fields=list(SOP_FIELDS)
        ),
    )
    return service


def _described_only(world):
    # Recorded before the rule (the ledger now refuses it): it describes a recipient and names none.
    return Consent.objects.create(
        returnee=world.case.returnee,
        purpose=ConsentPurpose.REFERRAL,
        method=ConsentMethod.SIGNED,
        given_on=YESTERDAY,
        recipient_description="Cualquier clínica pública",
        recorded_by=world.manager,
    )


def _api(user):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def _web(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_a_description_alone_is_refused_by_the_service_the_page_and_the_api(world):
    returnee = world.case.returnee
    with pytest.raises(ValidationError) as refused:
        record_consent(
            world.manager, returnee, "referral", "signed", YESTERDAY, recipient_description="Cualquier clínica"
        )
    assert refused.value.error_dict["recipient_organisation"][0].code == "recipient_required"
    page = _web(world.manager).post(
        reverse("protection:consents", args=[returnee.pk]),
        {
            "purpose": "referral",
            "method": "signed",
            "given_on": YESTERDAY.isoformat(),
            "given_by_returnee": "on",
            "recipient_description": "Cualquier clínica",
        },
    )
    assert page.status_code == 200
    assert "A description alone does not allow sharing." in page.content.decode()
    answer = _api(world.manager).post(
        f"/api/v1/returnees/{returnee.pk}/consents/",
        {
            "purpose": "referral",
            "method": "signed",
            "given_on": YESTERDAY.isoformat(),
            "recipient_description": "Cualquier clínica",
        },
        format="json",
    )
    assert answer.status_code == 400
    assert {(e["field"], e["code"]) for e in answer.json()["errors"]} == {
        ("recipient_organisation", "recipient_required")
    }
    assert not Consent.objects.exists()


def test_an_external_referral_needs_a_consent_naming_the_provider(world, external):
    _described_only(world)
    referral = world.referral(service=external)
    # Web: refused with the reason, nothing sent.
    page = _web(world.manager).post(reverse("referrals:action", args=[referral.pk, "send"]), {})
    assert page.status_code == 400
    assert "No valid consent from this person naming Clínica Zqx" in page.content.decode()
    # API: the same refusal, with its code.
    refused = _api(world.manager).post(f"/api/v1/referrals/{referral.pk}/send/", {}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "consent_required")
    referral.refresh_from_db()
    assert referral.status == "draft"
    # A consent naming the provider lets it go.
    recorded = _api(world.manager).post(
        f"/api/v1/returnees/{world.case.returnee_id}/consents/",
        {
            "purpose": "referral",
            "method": "signed",
            "given_on": YESTERDAY.isoformat(),
            "recipient_provider": external.provider_id,
        },
        format="json",
    )
    assert recorded.status_code == 201, recorded.content
    assert recorded.json()["recipient_provider"] == external.provider_id
    sent = _api(world.manager).post(f"/api/v1/referrals/{referral.pk}/send/", {}, format="json")
    assert sent.json()["status"] == "sent"
    referral.refresh_from_db()
    assert referral.consent.recipient_provider_id == external.provider_id


def test_the_ledger_form_offers_providers_outside_the_platform(world, external):
    returnee = world.case.returnee
    client = _web(world.manager)
    url = reverse("protection:consents", args=[returnee.pk])
    form = client.get(url).content.decode()
    assert "Clínica Zqx" in form and f'value="{world.provider.pk}"' not in form.split("recipient_provider")[1]
    saved = client.post(
        url,
        {
            "purpose": "referral",
            "method": "signed",
            "given_on": YESTERDAY.isoformat(),
            "given_by_returnee": "on",
            "recipient_provider": external.provider_id,
        },
    )
    assert saved.status_code == 302
    assert Consent.objects.get().recipient_provider_id == external.provider_id


@pytest.mark.parametrize(
    ("extra", "code"),
    [({"organisation": True}, "one_recipient"), ({}, "invalid_choice")],
)
def test_a_provider_on_the_platform_or_two_recipients_are_refused(world, external, extra, code):
    # A provider linked to an organisation is named through the organisation.
    provider = external.provider if extra else world.provider
    kwargs = {"recipient_organisation": world.provider_org} if extra else {}
    with pytest.raises(ValidationError) as refused:
        record_consent(
            world.manager, world.case.returnee, "referral", "signed", YESTERDAY, recipient_provider=provider, **kwargs
        )
    assert refused.value.error_dict["recipient_provider"][0].code == code
    body = {
        "purpose": "referral",
        "method": "signed",
        "given_on": YESTERDAY.isoformat(),
        "recipient_provider": provider.pk,
    }
    if extra:
        body["recipient_organisation"] = world.provider_org.pk
    answer = _api(world.manager).post(f"/api/v1/returnees/{world.case.returnee_id}/consents/", body, format="json")
    assert answer.status_code == 400
    assert ("recipient_provider", code) in {(e["field"], e["code"]) for e in answer.json()["errors"]}

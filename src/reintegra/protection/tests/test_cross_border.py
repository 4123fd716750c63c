"""Sharing a case with an organisation in another country needs a cross-border consent naming it (issue 14):
the same rule for the service, the API and the web page."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from reintegra.protection import services
from reintegra.protection.models import CaseShare
from reintegra.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def abroad():
    return factories.organisation("ong-sv", country="SV", name="ONG El Salvador")


@pytest.fixture
def case(case_manager):
    return factories.case(case_manager)


def _consent(user, case, purpose, recipient):
    return services.record_consent(
        user,
        case.returnee,
        purpose,
        "signed",
        timezone.localdate() - timedelta(days=2),
        recipient_organisation=recipient,
    )


def test_data_sharing_consent_is_not_enough_across_a_border(case_manager, case, abroad):
    _consent(case_manager, case, "data_sharing", abroad)
    with pytest.raises(services.CrossBorderConsentRequired) as refused:
        services.share_case(case_manager, case, abroad, "Seguimiento")
    assert refused.value.code == "cross_border_consent_required"
    assert "ONG El Salvador is in another country" in str(refused.value)
    assert not CaseShare.objects.exists()


def test_a_cross_border_consent_naming_the_recipient_allows_it(case_manager, case, abroad):
    consent = _consent(case_manager, case, "cross_border", abroad)
    share = services.share_case(case_manager, case, abroad, "Seguimiento")
    assert share.consent == consent


def test_within_the_country_the_usual_consents_still_do(case_manager, case):
    here = factories.organisation("ong-mx2", country="MX")
    _consent(case_manager, case, "data_sharing", here)
    assert services.share_case(case_manager, case, here, "Seguimiento").organisation == here


def test_api_and_page_refuse_the_same(case_manager, case, abroad, client):
    _consent(case_manager, case, "data_sharing", abroad)
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(case_manager)
    response = api.post(
        f"/api/v1/cases/{case.pk}/shares/", {"organisation": abroad.pk, "reason": "Salud"}, format="json"
    )
    assert response.status_code == 403 and response.json()["code"] == "cross_border_consent_required"
    client.force_login(case_manager)
    page = client.post(
        f"/proteccion/casos/{case.pk}/compartir/",
        {"organisation": abroad.pk, "reason": "Salud"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert page.status_code == 200 and "is in another country" in page.content.decode()
    assert not CaseShare.objects.exists()

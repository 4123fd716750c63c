"""The printable case file (issue 18.15): a PDF of what its reader may see of the case, audited as an export,
only for those who see the case (404 otherwise, 403 from the API for a role that reads no case), with the
sections of the levels above (referrals, the RSS trajectory) and dates in the reader's language."""

from __future__ import annotations

from datetime import date

import pytest
import weasyprint
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from reintegra.access.models import AccessEvent
from reintegra.access.roles import Role
from reintegra.cases import case_file, services
from reintegra.testing import factories

pytestmark = pytest.mark.django_db

SECRET_HEALTH = "Diabetes tipo 2 controlada"
SECRET_NOTES = "Habla de pesadillas recurrentes"
DOCUMENT = "G12345678"


@pytest.fixture
def case(case_manager):
    returnee = factories.returnee(
        case_manager,
        documents=[services.DocumentInput(document_type="passport", number=DOCUMENT, issuing_country="MX")],
    )
    case = factories.case(case_manager, returnee, case_manager=case_manager, return_date=date(2026, 3, 9))
    services.record_assessment(
        case_manager,
        case,
        {
            "assessed_on": timezone.localdate(),
            "economic_need": "high",
            "protection_concerns": "Amenazas del grupo local",
            "health_notes": SECRET_HEALTH,
        },
    )
    services.record_counselling_session(
        case_manager, case, {"held_on": timezone.localdate(), "topics": "Duelo", "notes": SECRET_NOTES}
    )
    case.refresh_from_db()
    return case


def _html(user, case, language="en") -> str:
    with translation.override(language):
        return case_file.case_file_html(user, case)


def _client(user, language="en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def test_the_case_manager_gets_a_pdf_that_opens_and_the_export_is_recorded(case_manager, case):
    response = _client(case_manager).get(reverse("cases:file", args=[case.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and case.case_number.lower() in disposition.lower()
    assert "Hern" not in disposition  # no name of the person in the file name
    event = AccessEvent.objects.get(action="export")
    assert (event.user, event.object_type, event.object_id) == (case_manager, "cases.case", str(case.pk))
    assert event.purpose == "case file (PDF)" and event.channel == "web"
    document = weasyprint.HTML(string=_html(case_manager, case)).render()
    assert len(document.pages) >= 1


def test_the_file_holds_every_section_in_the_order_of_the_tabs(case_manager, case):
    html = _html(case_manager, case)
    headings = [
        "Personal details",
        "Return and causes of migration",
        "Assessments",
        "Counselling sessions",
        "Reintegration plan",
        "Referrals",
        "Follow-up",
        "Reintegration Sustainability Survey",
        "Closure",
    ]
    positions = [html.index(f"<h2>{heading}</h2>") for heading in headings]
    assert positions == sorted(positions)
    assert "María José" in html and DOCUMENT in html and SECRET_HEALTH in html and SECRET_NOTES in html
    # No button, form or script: the file is for reading.
    assert "<form" not in html and "<button" not in html and "<script" not in html


def test_the_file_shows_no_more_than_the_screen_for_the_role(case_manager, case, org):
    manager = factories.user(org, Role.PROGRAMME_MANAGER)  # sees the case, not health or psychosocial notes
    html = _html(manager, case)
    assert "Amenazas del grupo local" in html and DOCUMENT in html
    assert SECRET_HEALTH not in html and SECRET_NOTES not in html
    assert "Psychosocial notes are only shown to roles allowed to read them." in html
    # What the case page itself shows that role: the same fields hidden.
    client = _client(manager)
    assert SECRET_HEALTH not in client.get(reverse("cases:assessments", args=[case.pk])).content.decode()
    assert client.get(reverse("cases:file", args=[case.pk])).status_code == 200


@pytest.mark.parametrize("role", [Role.ME_OFFICER, Role.SERVICE_PROVIDER, Role.COORDINATOR, Role.ADMIN])
def test_roles_that_read_no_case_get_nothing(role, case, org):
    outsider = factories.user(org, role)
    assert _client(outsider).get(reverse("cases:file", args=[case.pk])).status_code == 404
    api = APIClient()
    api.force_authenticate(outsider)
    assert api.get(f"/api/v1/cases/{case.pk}/file.pdf").status_code == 403
    assert not AccessEvent.objects.filter(action="export").exists()


def test_another_organisation_gets_a_404_like_a_missing_case(case, other_case_manager):
    client = _client(other_case_manager)
    assert client.get(reverse("cases:file", args=[case.pk])).status_code == 404
    assert client.get(reverse("cases:file", args=[999_999])).status_code == 404
    api = APIClient()
    api.force_authenticate(other_case_manager)
    assert api.get(f"/api/v1/cases/{case.pk}/file.pdf").status_code == 404
    assert not AccessEvent.objects.filter(action="export").exists()


def test_the_api_serves_the_same_file_and_records_it(case_manager, case):
    api = APIClient()
    api.force_authenticate(case_manager)
    response = api.get(f"/api/v1/cases/{case.pk}/file.pdf", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AccessEvent.objects.get(action="export").channel == "api"


def test_dates_and_words_in_the_reader_language(case_manager, case):
    spanish, english = _html(case_manager, case, "es"), _html(case_manager, case, "en")
    assert "9 de marzo de 2026" in spanish and "Datos personales" in spanish and 'lang="es"' in spanish
    assert "March 9, 2026" in english and "Personal details" in english and 'lang="en"' in english
    french = _html(case_manager, case, "fr")
    assert "9 mars 2026" in french and 'lang="fr"' in french


def test_the_case_page_offers_the_file(case_manager, case):
    page = _client(case_manager).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("cases:file", args=[case.pk]) in page and "Case file (PDF)" in page

"""The audit trail reads as a data-protection officer needs it (issue 18.11): events in the reader's language,
translated object types and field names, human values, local time to the minute, people by their names, and a
link to the object only when the reader may see it. The CSV export alike; `?codes=1` keeps the stored codes."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from reintegra.access import audit, trail_words
from reintegra.access.models import AccessEvent
from reintegra.access.roles import Role
from reintegra.cases import services as case_services
from reintegra.testing import factories
from reintegra.testing.sensitive_cases import HEALTH_NOTE

pytestmark = pytest.mark.django_db

URL = reverse("access:audit")
EXPORT_URL = reverse("access:audit_export")
AT = datetime(2026, 3, 1, 18, 30, 45, 123456, tzinfo=UTC)  # 12:30 in America/Mexico_City


@pytest.fixture
def officer(org):
    """A data-protection officer who also supervises (so sees the organisation's cases)."""
    return factories.user(
        org, Role.DATA_PROTECTION_OFFICER, Role.SUPERVISOR, username="dpd1", first_name="Dora", last_name="Paz"
    )


@pytest.fixture
def plain_officer(org):
    return factories.user(org, Role.DATA_PROTECTION_OFFICER, username="dpd2")


@pytest.fixture
def activity(case_manager, settings):
    settings.TIME_ZONE = "America/Mexico_City"
    case = factories.case(case_manager)
    case_services.record_assessment(
        case_manager,
        case,
        {"assessed_on": case.return_date, "economic_need": "high", "health_notes": HEALTH_NOTE},
    )
    AccessEvent.objects.create(
        user=case_manager,
        action="view",
        object_type="cases.case",
        object_id=str(case.pk),
        purpose="case page: plan",
        at=AT,
    )
    return case


def _page(client, user, language, **params):
    client.cookies["django_language"] = language
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def _csv(client, user, language, **params):
    client.cookies["django_language"] = language
    client.force_login(user)
    response = client.get(EXPORT_URL, params)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_spanish_page(client, officer, activity):
    case = activity
    text = _page(client, officer, "es")
    assert "Página del caso: plan" in text and "case page: plan" not in text
    assert f"Caso #{case.pk}" in text and ">cases.case" not in text and "cases.case #" not in text
    assert "01/03/2026 12:30" in text and "18:30" not in text
    assert "Ana Pérez" in text and 'title="Usuario: gestora"' in text
    assert f'href="{reverse("cases:detail", args=[case.pk])}"' in text
    assert f'href="{reverse("cases:assessments", args=[case.pk])}"' in text
    # The assessment's change: translated field names, choice labels, a person by name, protected values.
    assert "Necesidad económica</strong>: Ninguna → Alta" in text or "Necesidad económica</strong>: — → Alta" in text
    assert "economic_need" not in text and "high" not in text
    assert "Evaluado por</strong>: — → Ana Pérez" in text
    assert 'Salud</strong>: <span class="muted">cambió (valor protegido, no se muestra)' in text
    assert HEALTH_NOTE not in text and audit.REDACTED not in text


def test_english_page(client, officer, activity):
    text = _page(client, officer, "en")
    assert "Case page: plan" in text
    assert f"Case #{activity.pk}" in text
    assert "03/01/2026 12:30" in text or "01/03/2026 12:30" in text or "2026-03-01 12:30" in text
    assert "Economic need</strong>:" in text and "→ High" in text
    assert "Assessed by</strong>: — → Ana Pérez" in text


def test_no_link_when_the_reader_does_not_see_the_object(client, plain_officer, activity):
    text = _page(client, plain_officer, "es")
    assert f"Caso #{activity.pk}" in text
    assert reverse("cases:detail", args=[activity.pk]) not in text


def test_export_in_the_readers_language_and_with_codes(client, officer, activity):
    rows = _csv(client, officer, "es", source="access")
    assert rows[0] == ["Cuándo", "Quién", "Usuario", "Acción", "Evento", "Objeto", "Cambios", "Señalado", "Canal"]
    viewed = next(row for row in rows[1:] if row[4] == "Página del caso: plan")
    assert viewed[0] == "01/03/2026 12:30"
    assert viewed[1:4] == ["Ana Pérez", "gestora", "Consulta"]
    assert viewed[5] == f"Caso #{activity.pk}"
    assert viewed[7] == "No"
    changes = _csv(client, officer, "es", source="change")
    assert any("Salud: cambió" in row[6] for row in changes[1:])
    assert not any(HEALTH_NOTE in cell for row in changes for cell in row)
    coded = _csv(client, officer, "es", source="access", codes="1")
    assert coded[0][:3] == ["source", "at", "user_id"]
    assert any(row[8] == "case page: plan" for row in coded[1:])
    assert AccessEvent.objects.filter(action="export", purpose__isnull=False).count() == 3


@pytest.mark.parametrize(
    ("stored", "spanish"),
    [
        ("case page: form assess", "Página del caso: formulario «nueva evaluación»"),
        ("referral (provider)", "Derivación (lado de proveedor)"),
        ("service gaps (GT) (CSV)", "Brechas de servicios (GT) (CSV)"),
        ("regional actions (XLSX, codes)", "Acciones regionales (XLSX, códigos de máquina)"),
        ("something typed by a person", "something typed by a person"),
    ],
)
def test_stored_purposes_are_translated_at_display(stored, spanish):
    from django.utils import translation

    with translation.override("es"):
        assert trail_words.describe_purpose(stored) == spanish
    with translation.override("en"):
        assert trail_words.describe_purpose(stored) != "" and "«" not in trail_words.describe_purpose(stored)

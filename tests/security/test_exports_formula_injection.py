"""Issue 10, item 8: no export holds a live formula typed by a user (CSV / formula injection).

Each export is fed the probe's payloads through the fields users type, then downloaded as a user would:
in CSV every such cell comes back as inert text (a leading apostrophe, which spreadsheets show as text
and our importers take off again); in XLSX as a string cell (never a formula), flagged "quote prefix",
with the text unchanged. Every download is recorded in the access trail.
"""

import csv
import io
from datetime import date
from pathlib import Path

import pytest
import yaml
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from reintegra.access import audit
from reintegra.access.models import Programme
from reintegra.access.roles import Role
from reintegra.cases import services as case_services
from reintegra.places.models import AdminArea
from reintegra.referrals import directory_io
from reintegra.referrals.models import ContactPerson, Service, ServiceProvider
from reintegra.regional import services as regional_services
from reintegra.regional.models import RegionalAction
from reintegra.sustainability import services as sustainability_services
from reintegra.sustainability.models import Instrument
from reintegra.testing import factories
from reintegra.testing.trail import access_events

pytestmark = pytest.mark.django_db

RSS = Path(sustainability_services.__file__).parent / "instruments" / "rss.yaml"
PAYLOADS = ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\t=1"]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _csv_cells(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = _body(response).decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _assert_csv_inert(response, payloads=PAYLOADS) -> None:
    cells = _csv_cells(response)
    for payload in payloads:
        assert payload not in cells, f"live formula {payload!r} in a CSV cell"
        assert "'" + payload in cells, f"{payload!r} missing from the CSV export"


def _xlsx_cells(response) -> list:
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    workbook = load_workbook(io.BytesIO(_body(response)))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def _assert_xlsx_inert(response, payloads=PAYLOADS) -> None:
    cells = _xlsx_cells(response)
    assert not [c.coordinate for c in cells if c.data_type == "f"], "a cell is a formula"
    for payload in payloads:
        matches = [c for c in cells if c.value == payload]
        assert matches, f"{payload!r} missing from the XLSX export"
        assert all(c.data_type == "s" and c.quotePrefix for c in matches)


def _assert_recorded(user, purpose_part: str) -> None:
    assert any(purpose_part in event.purpose for event in access_events(user=user, action="export"))


# --- service directory (referrals) ---------------------------------------------------------------


@pytest.fixture
def directory_manager():
    org = factories.organisation("oim-gt", "GT")
    manager = factories.user(org, Role.PROGRAMME_MANAGER)
    provider = ServiceProvider.objects.create(
        name=PAYLOADS[0], organisation_type="ngo", country="GT", languages=PAYLOADS[1], organisation=org, owner=org
    )
    ContactPerson.objects.create(provider=provider, name=PAYLOADS[2], phone="+502 5555 0000")
    Service.objects.create(
        provider=provider,
        code="svc-1",
        name=PAYLOADS[3],
        description=PAYLOADS[4],
        dimension="economic",
        sector="employment",
        country="GT",
    )
    return manager


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_directory_export_is_inert_and_recorded(directory_manager, fmt):
    response = _client(directory_manager).get(reverse("referrals:directory"), {"format": fmt})
    (_assert_csv_inert if fmt == "csv" else _assert_xlsx_inert)(response)
    _assert_recorded(directory_manager, "service directory")


def test_directory_csv_round_trips_through_the_import(directory_manager):
    response = _client(directory_manager).get(reverse("referrals:directory"), {"format": "csv", "codes": "1"})
    rows = directory_io.read_upload("directorio.csv", _body(response))
    # the importer trims the spaces and tabs around a cell, and takes our apostrophe off
    assert (rows[0]["provider_name"], rows[0]["service_name"], rows[0]["description"]) == (
        PAYLOADS[0],
        PAYLOADS[3],
        PAYLOADS[4].strip(),
    )


def test_service_gaps_export_is_inert(directory_manager):
    org = directory_manager.organisation
    case_manager = factories.user(org, Role.CASE_MANAGER)
    state = AdminArea.objects.create(country="GT", level=1, code="GT-X", name="Departamento")
    for index, payload in enumerate(PAYLOADS):
        area = AdminArea.objects.create(country="GT", level=2, code=f"GT-X-{index}", name=payload, parent=state)
        returnee = factories.returnee(
            case_manager, given_names=f"P{index}", return_country="GT", admin1_id=state.pk, municipality_id=area.pk
        )
        case = factories.case(case_manager, returnee)
        case_services.record_assessment(case_manager, case, {"assessed_on": date.today(), "economic_need": "high"})
    response = _client(directory_manager).get(reverse("referrals:gaps"), {"format": "csv", "area": state.pk})
    _assert_csv_inert(response)
    _assert_recorded(directory_manager, "service gaps")


# --- regional actions ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_regional_actions_export_is_inert_and_recorded(fmt):
    manager = factories.user(factories.organisation(country="GT"), Role.PROGRAMME_MANAGER)
    for index, payload in enumerate(PAYLOADS):
        regional_services.create_action(
            manager,
            regional_services.ActionInput(
                country="GT",
                title=f"{payload}",
                levels=["structural"],
                dimensions=["social"],
                description=payload,
                institution_name=f"Institución {index}",
                starts_on=date(2024, 1, 1),
            ),
        )
    stored = set(RegionalAction.objects.values_list("title", flat=True))  # titles are trimmed: "\t=1" is "=1"
    assert stored == {payload.strip() for payload in PAYLOADS}
    response = _client(manager).get(reverse("regional:export"), {"format": fmt})
    (_assert_csv_inert if fmt == "csv" else _assert_xlsx_inert)(response, stored)
    _assert_recorded(manager, "regional actions")


# --- data protection: audit trail and pseudonymised rows -----------------------------------------


@pytest.fixture
def org():
    return factories.organisation("oim-mx", country="MX")


@pytest.fixture
def supervisor(org):
    return factories.user(org, Role.SUPERVISOR)


def test_audit_trail_export_is_inert(org):
    dpo = factories.user(org, Role.DATA_PROTECTION_OFFICER)
    staff = factories.user(org, Role.CASE_MANAGER)
    for payload in PAYLOADS:
        audit.record_access(staff, "view", object_type="cases.case", purpose=payload)
    response = _client(dpo).get(reverse("access:audit_export"))
    _assert_csv_inert(response)
    _assert_recorded(dpo, "audit trail")


@pytest.mark.parametrize("api", [False, True])
def test_pseudonymised_rows_export_is_inert(org, supervisor, api):
    officer = factories.user(org, Role.ME_OFFICER)
    Programme.objects.update(suppression_threshold=2)
    state = AdminArea.objects.create(country="MX", level=1, code="MX-X", name="Estado")
    for index, payload in enumerate(PAYLOADS):
        area = AdminArea.objects.create(country="MX", level=2, code=f"MX-X-{index}", name=payload, parent=state)
        for twin in range(2):
            factories.case(
                supervisor, factories.returnee(supervisor, given_names=f"P{index}-{twin}", municipality_id=area.pk)
            )
    if api:
        client = APIClient()
        client.force_authenticate(officer)
        response = client.get("/api/v1/analytics/cases/", {"format": "csv"})
    else:
        response = _client(officer).get(reverse("monitoring:analytics_export"))
    _assert_csv_inert(response)
    _assert_recorded(officer, "pseudonymised case rows")


# --- sustainability: the XLSForm of an instrument ------------------------------------------------


@pytest.mark.parametrize("api", [False, True])
def test_xlsform_export_is_inert_and_recorded(org, api):
    manager = factories.user(org, Role.PROGRAMME_MANAGER)
    raw = yaml.safe_load(RSS.read_text(encoding="utf-8"))
    raw["code"] = "inyeccion"
    for question, payload in zip(raw["questions"], PAYLOADS, strict=False):
        question["labels"]["es"] = payload
    programme = Programme.objects.get(organisation=org)
    version = sustainability_services.load_instrument(manager, raw, programme=programme, publish=True).version
    if api:
        client = APIClient()
        client.force_authenticate(manager)
        response = client.get(reverse("api:instrument-xlsform", args=["inyeccion"]))
    else:
        response = _client(manager).get(reverse("sustainability:version-xlsform", args=[version.pk]))
    _assert_xlsx_inert(response)
    assert Instrument.objects.filter(code="inyeccion").exists()
    _assert_recorded(manager, "XLSForm")


def test_the_writer_never_fails_on_what_users_type():
    """Control characters (XML cannot hold them: openpyxl raised, a 500) and aware datetimes (Excel has no
    time zones: openpyxl raised) are written as text; numbers stay numbers."""
    from datetime import UTC, datetime

    from reintegra.access import exports

    content = exports.workbook_bytes(
        [("data", [["name", "when", "n"], ["a\x01b\x0bc", datetime(2025, 1, 2, 3, 4, tzinfo=UTC), -2]])]
    )
    sheet = load_workbook(io.BytesIO(content)).active
    assert [c.value for c in sheet[2]] == ["a\ufffdb\ufffdc", "2025-01-02T03:04:00+00:00", -2]
    assert sheet["C2"].data_type == "n"

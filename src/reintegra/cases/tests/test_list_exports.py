"""Exports of the case list, returnees and follow-up visits (issue 19, "Exports"): scoped like the pages,
streamed in key-ordered batches, in the reader's language or machine codes, field-level protection,
formula-safe cells, audited; the same tables through the API."""

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from reintegra.access import exports
from reintegra.access.models import AccessEvent
from reintegra.access.roles import Role
from reintegra.cases import services
from reintegra.testing import factories

pytestmark = pytest.mark.django_db


def _csv(response):
    assert response.status_code == 200, response.content[:300] if not response.streaming else ""
    assert response.streaming
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def _as_dicts(rows):
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.fixture
def cases(case_manager, other_case_manager):
    mine = [
        factories.case(case_manager, factories.returnee(case_manager, given_names=name), case_manager=case_manager)
        for name in ("Zoila", "=HYPERLINK(1)", "Yadira")
    ]
    hidden = factories.case(other_case_manager, factories.returnee(other_case_manager, given_names="Oculta"))
    return mine, hidden


def test_case_list_export_in_spanish_scoped_and_formula_safe(client, case_manager, cases, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_BATCH", 2)  # several batches: the keyset moves on
    client.force_login(case_manager)
    client.cookies["django_language"] = "es"
    rows = _as_dicts(_csv(client.get(reverse("cases:list"), {"format": "csv"})))
    names = sorted(row["Nombre(s)"] for row in rows)
    assert names == ["'=HYPERLINK(1)", "Yadira", "Zoila"]  # decrypted, neutralised, the other org's hidden
    assert rows[0]["Sexo"] == "Mujer"
    assert rows[0]["Número de caso"] == cases[0][0].case_number
    assert "Oculta" not in str(rows)
    event = AccessEvent.objects.get(action="export")
    assert event.purpose == "case list (CSV)" and event.object_type == "cases.case"


def test_case_list_export_keeps_the_filters_and_gives_codes(client, case_manager, cases):
    first = cases[0][0]
    client.force_login(case_manager)
    rows = _csv(client.get(reverse("cases:list"), {"format": "csv", "codes": "1", "q": first.case_number}))
    assert rows[0][:3] == ["case_number", "given_names", "first_family_name"]
    assert [row[0] for row in rows[1:]] == [first.case_number]
    assert rows[1][4] == "female"


def test_xlsx_export(client, case_manager, cases):
    client.force_login(case_manager)
    response = client.get(reverse("cases:list"), {"format": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert len(values) == 4
    assert "=HYPERLINK(1)" in [row[1] for row in values]  # a text cell (quote prefix), never a formula
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_a_large_xlsx_is_streamed_from_its_temporary_file(client, case_manager, cases, monkeypatch):
    """Past the in-memory spool the workbook is answered from its file, chunk by chunk (issue 19: memory does not
    grow with the rows; the bench measures the peak RSS)."""
    monkeypatch.setattr(exports, "_SPOOL_BYTES", 1024)
    client.force_login(case_manager)
    response = client.get(reverse("cases:list"), {"format": "xlsx"})
    assert response.status_code == 200 and response.streaming
    body = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(body)
    assert response["Content-Disposition"].startswith("attachment; filename=")
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    assert sheet.max_row == 4


def test_returnee_export_shows_documents_only_to_readers_of_identity_documents(client, case_manager, monkeypatch):
    person = factories.returnee(
        case_manager, documents=[services.DocumentInput("passport", "G123456", "MX")], phone="+525512345678"
    )
    factories.case(case_manager, person, case_manager=case_manager)
    client.force_login(case_manager)
    rows = _as_dicts(_csv(client.get(reverse("cases:export_returnees"), {"codes": "1"})))
    assert rows[0]["documents"] == "passport G123456"
    assert rows[0]["phone"] == "'+525512345678"  # E.164 starts with "+": neutralised like any formula start
    from reintegra.cases import exports as case_exports

    monkeypatch.setattr(case_exports, "_sees_documents", lambda user: False)
    rows = _as_dicts(_csv(client.get(reverse("cases:export_returnees"), {"codes": "1"})))
    assert "documents" not in rows[0] and "G123456" not in str(rows)


def test_follow_up_export(client, case_manager):
    case = factories.agreed_case(case_manager, case_manager=case_manager)
    day = timezone.localdate() - timedelta(days=1)
    services.record_follow_up(case_manager, case, {"visited_on": day, "mode": "phone", "notes": "+1 llamó"})
    client.force_login(case_manager)
    rows = _as_dicts(_csv(client.get(reverse("cases:export_follow_ups"), {"format": "csv"})))
    assert len(rows) == 1
    assert rows[0]["Número de caso"] == case.case_number
    assert rows[0]["Modalidad"] == "Llamada telefónica" or rows[0]["Modalidad"] != "phone"
    assert rows[0]["Realizada por"] == case_manager.display_name()
    assert rows[0]["Notas"] == "'+1 llamó"


def test_roles_without_cases_cannot_export(client, org):
    client.force_login(factories.user(org, Role.ME_OFFICER))
    assert client.get(reverse("cases:export_returnees")).status_code == 403
    assert client.get(reverse("cases:list"), {"format": "csv"}).status_code == 403


def test_unknown_format_is_not_found(client, case_manager):
    client.force_login(case_manager)
    assert client.get(reverse("cases:export_follow_ups"), {"format": "pdf"}).status_code == 404


def test_api_exports(case_manager, cases):
    api = APIClient()
    api.force_authenticate(case_manager)
    response = api.get(reverse("api:case-export-csv"), {"status": "registered", "codes": "true"})
    rows = _csv(response)
    assert rows[0][0] == "case_number" and len(rows) == 4
    assert api.get(reverse("api:case-export-csv"), {"bogus": "1"}).status_code == 400
    xlsx = api.get(reverse("api:returnee-export-xlsx"))
    assert xlsx.status_code == 200 and xlsx["Content-Type"] == exports.XLSX_TYPE
    assert AccessEvent.objects.filter(action="export", channel="api").count() == 2


def test_the_list_offers_its_export_menu_with_the_filters_kept(client, case_manager, org):
    client.force_login(case_manager)
    page = client.get(reverse("cases:list"), {"status": "registered", "page": "1"}).content.decode()
    assert 'class="export-menu"' in page
    assert "?status=registered&amp;format=csv" in page and "page=1&amp;format" not in page
    assert reverse("cases:export_returnees") in page and reverse("cases:export_follow_ups") in page
    client.force_login(factories.user(org, Role.ME_OFFICER))
    assert client.get(reverse("cases:list")).content.decode().count('class="export-menu"') == 0


def test_referral_export_is_data_minimised(client, case_manager):
    from reintegra.referrals import exports as referral_exports

    codes = [column.code for column in referral_exports.referral_columns()]
    assert not {"reason", "provider_note", "feedback", "given_names"} & set(codes)
    client.force_login(case_manager)
    rows = _csv(client.get(reverse("referrals:list"), {"format": "csv", "codes": "1"}))
    assert rows[0] == codes

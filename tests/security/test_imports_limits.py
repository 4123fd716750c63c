"""Issue 10, items 9 and 12: every import caps file size, rows, columns and cell length, answers with a
clear report (row and column of each bad cell), writes nothing when anything is wrong, and never a 5xx;
the feasibility grid refuses a file with nothing to import instead of reporting "0 rows imported".

The probe's cases: CSV cells over 128 KB (Python's csv limit) crashed 4 import endpoints with a 500, and a
52 MB submissions upload was accepted and processed for 22 s.
"""

import io
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook
from rest_framework.test import APIClient

from reintegra.access.models import Programme
from reintegra.access.roles import Role
from reintegra.referrals.models import Service
from reintegra.regional.models import RegionalAction
from reintegra.sustainability import services as sustainability_services
from reintegra.sustainability.models import FeasibilityApproach, InstrumentVersion, SurveyRound
from reintegra.testing import factories

pytestmark = pytest.mark.django_db

BIG = "x" * (130 * 1024)  # over Python's csv field limit (128 KB)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def org():
    return factories.organisation("oim-gt", "GT")


def _client(user) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def _api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- the shared reader ---------------------------------------------------------------------------


def test_reader_reports_each_bad_cell_with_row_and_column():
    from reintegra.access import uploads

    limits = uploads.Limits(max_bytes=1024 * 1024, max_rows=10, max_columns=4, max_cell_chars=100)
    text = "name,notes\nuno,ok\ndos," + "y" * 101 + "\ntres,ok,,,,extra\n"
    with pytest.raises(uploads.UploadError) as caught:
        uploads.read_table(text.encode(), "f.csv", limits)
    assert [(p.row, p.column) for p in caught.value.problems] == [(3, "notes"), (4, "")]
    assert "Row 3, column notes: The cell is too long (101 characters); at most 100." in caught.value.messages()
    with pytest.raises(uploads.UploadError, match="Too many rows"):
        uploads.read_table(("a\n" + "1\n" * 11).encode(), "f.csv", limits)
    with pytest.raises(uploads.UploadError, match="too large"):
        uploads.read_table(b"a" * (1024 * 1024 + 1), "f.csv", limits)


def test_reader_refuses_a_workbook_that_unpacks_too_far_before_opening_it():
    from reintegra.access import uploads

    limits = uploads.Limits(max_unpacked_bytes=1024 * 1024)
    content = _xlsx([["a"], ["b" * 30000]] * 40)  # ~1.2 MB of text, a few KB packed
    assert len(content) < 100 * 1024
    with pytest.raises(uploads.UploadError, match="unpacks to"):
        uploads.read_table(content, "f.xlsx", limits)
    with pytest.raises(uploads.UploadError, match="not a readable XLSX"):
        uploads.read_table(b"PK\x03\x04 not a zip", "f.xlsx", uploads.Limits())


# --- service directory (web) ---------------------------------------------------------------------

DIRECTORY_HEADER = "provider_name,provider_type,provider_country,service_name,dimension,sector,country,description\n"


def test_directory_import_reports_a_huge_cell_and_writes_nothing(org):
    manager = factories.user(org, Role.PROGRAMME_MANAGER)
    text = DIRECTORY_HEADER + f"Centro,ngo,GT,Empleo,economic,employment,GT,{BIG}\n"
    for name, content in (("d.csv", text.encode()), ("d.xlsx", _xlsx([row.split(",") for row in text.splitlines()]))):
        response = _client(manager).post(
            reverse("referrals:directory-import"), {"file": SimpleUploadedFile(name, content)}
        )
        assert response.status_code == 400
        errors = response.context["form"].errors["file"]
        assert any("Row 2, column description: The cell is too long" in e for e in errors), errors
    assert not Service.objects.exists()


def test_directory_import_refuses_too_many_rows(org):
    manager = factories.user(org, Role.PROGRAMME_MANAGER)
    text = DIRECTORY_HEADER + "Centro,ngo,GT,Empleo,economic,employment,GT,d\n" * 5001
    response = _client(manager).post(
        reverse("referrals:directory-import"), {"file": SimpleUploadedFile("d.csv", text.encode())}
    )
    assert response.status_code == 400
    assert any("Too many rows; at most 5000" in e for e in response.context["form"].errors["file"])
    assert not Service.objects.exists()


# --- regional actions (web and command) ----------------------------------------------------------

REGIONAL = "country,action,level,dimension,description\nGT,Empleo,individual,social,ok\nGT,Dos,individual,social,{}\n"


def test_regional_import_reports_a_huge_cell_and_writes_nothing(org):
    manager = factories.user(org, Role.PROGRAMME_MANAGER)
    upload = SimpleUploadedFile("acciones.csv", REGIONAL.format(BIG).encode())
    response = _client(manager).post(reverse("regional:import"), {"file": upload})
    assert response.status_code == 200
    assert [(e.row, e.column) for e in response.context["row_errors"]] == [(3, "description")]
    assert "too long" in str(response.context["row_errors"][0])
    assert not RegionalAction.objects.exists()


def test_regional_import_refuses_a_file_over_the_size_limit(org):
    manager = factories.user(org, Role.PROGRAMME_MANAGER)
    upload = SimpleUploadedFile(
        "acciones.csv", b"country,action,level,dimension\n" + b"GT,x,individual,social\n" * 500_000
    )
    response = _client(manager).post(reverse("regional:import"), {"file": upload})
    assert response.status_code == 200
    assert "too large" in str(response.context["row_errors"][0])
    assert not RegionalAction.objects.exists()


def test_import_regional_actions_command_reports_and_writes_nothing(org, tmp_path):
    path = tmp_path / "acciones.csv"
    path.write_text(REGIONAL.format(BIG), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_regional_actions", str(path), "--organisation", org.code, stderr=err)
    assert "Row 3, column description" in err.getvalue()
    assert not RegionalAction.objects.exists()


# --- sustainability: submissions (web and API), instruments, grid --------------------------------


@pytest.fixture
def importer(org):
    return factories.user(org, Role.SUPERVISOR)


def _submissions(case_number: str, value: str) -> bytes:
    return f"case_number,survey_date,eco_satisfaction\n{case_number},2025-01-02,{value}\n".encode()


def test_submissions_with_a_huge_cell_are_refused_on_the_web_and_the_api(importer):
    case = factories.case(importer)
    version = InstrumentVersion.objects.get(instrument__code="rss", instrument__programme=None)
    content = _submissions(case.case_number, BIG)
    web = _client(importer).post(
        reverse("sustainability:version-submissions", args=[version.pk]), {"file": SimpleUploadedFile("s.csv", content)}
    )
    assert web.status_code == 400
    assert any("Row 2, column eco_satisfaction" in e for e in web.context["form"].errors["file"])
    api = _api(importer).post(
        reverse("api:instrument-submissions", args=["rss"]), {"file": SimpleUploadedFile("s.csv", content)}
    )
    assert api.status_code == 400
    assert any("Row 2, column eco_satisfaction" in e for e in api.json()["file"])
    assert not SurveyRound.objects.exists()


def test_a_huge_submissions_upload_is_refused_before_it_is_processed(importer):
    case = factories.case(importer)
    row = f"{case.case_number},2025-01-02,satisfied\n".encode()
    content = b"case_number,survey_date,eco_satisfaction\n" + row * (11 * 1024 * 1024 // len(row))
    assert len(content) > 10 * 1024 * 1024
    response = _api(importer).post(
        reverse("api:instrument-submissions", args=["rss"]), {"file": SimpleUploadedFile("s.csv", content)}
    )
    assert response.status_code == 400
    assert any("too large" in e and "10" in e for e in response.json()["file"])
    assert not SurveyRound.objects.exists()


def test_submissions_json_nested_too_deeply_is_refused(importer):
    content = ("[" * 100_000 + "]" * 100_000).encode()
    response = _api(importer).post(
        reverse("api:instrument-submissions", args=["rss"]), {"file": SimpleUploadedFile("s.json", content)}
    )
    assert response.status_code == 400 and "file" in response.json()


def test_xlsform_and_definition_uploads_have_limits(org):
    manager = factories.user(org, Role.PROGRAMME_MANAGER)
    programme = Programme.objects.get(organisation=org)
    before = InstrumentVersion.objects.count()
    workbook = _xlsx([["type", "name", "label"], ["text", "q1", BIG[:20_000]]])
    response = _client(manager).post(
        reverse("sustainability:instrument-upload"),
        {"programme": programme.pk, "file": SimpleUploadedFile("f.xlsx", workbook)},
    )
    assert response.status_code == 400
    assert any("column label: The cell is too long" in e for e in response.context["upload_form"].errors["file"])
    definition = b"code: big\nlabels: {es: " + b"x" * (1024 * 1024) + b"}\n"
    response = _client(manager).post(
        reverse("sustainability:instrument-upload"),
        {"programme": programme.pk, "file": SimpleUploadedFile("d.yaml", definition)},
    )
    assert response.status_code == 400
    assert any("too large" in e for e in response.context["upload_form"].errors["file"])
    bomb = b"a: &a [x,x,x,x,x,x,x,x,x,x]\n" + b"".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n".encode() for i in range(8)
    )
    with pytest.raises(sustainability_services.ValidationError, match="too many values"):
        sustainability_services.read_definition_file(bomb)
    assert InstrumentVersion.objects.count() == before


def _grid_messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "g.csv",
            f"dimension,approach,useful_for\neconomic,Capital semilla,{BIG}\n".encode(),
            "Row 2, column useful_for",
        ),
        ("g.csv", b"\x89PNG\r\n\x1a\n\x00\x00garbage", "UTF-8"),
        ("g.csv", b"lorem ipsum dolor\nsit amet\n", "columns are missing"),
        ("g.csv", b"dimension,approach\n", "no grid rows"),
        ("g.xlsx", "empty workbook", "empty"),
        ("g.yaml", b"rows: []\n", "no grid rows"),
        ("g.yaml", b"just a string\n", "must list the grid rows"),
    ],
)
def test_grid_import_refuses_garbage_and_huge_cells(org, name, content, expected):
    manager = factories.user(org, Role.PROGRAMME_MANAGER)
    programme = Programme.objects.get(organisation=org)
    if content == "empty workbook":
        content = _xlsx([])
    response = _client(manager).post(
        reverse("sustainability:grid-import"), {"programme": programme.pk, "file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 302
    messages = _grid_messages(response)
    assert any(expected in m for m in messages), messages
    assert not any("Grid imported" in m for m in messages)
    assert not FeasibilityApproach.objects.filter(programme=programme).exists()


def test_load_grid_command_refuses_garbage(org, tmp_path):
    path = tmp_path / "grid.csv"
    path.write_bytes(b"lorem ipsum\n")
    with pytest.raises(CommandError, match="columns are missing"):
        call_command("load_grid", str(path), "--programme", Programme.objects.get(organisation=org).code)
    path.write_text(f"dimension,approach,useful_for\neconomic,Capital,{BIG}\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Row 2, column useful_for"):
        call_command("load_grid", str(path), "--programme", Programme.objects.get(organisation=org).code)
    assert not FeasibilityApproach.objects.filter(programme__organisation=org).exists()

"""Large exports in the background (issue 19, "Exports"; `access.export_jobs`): above the threshold a list's
export is queued (the task runs at once in tests), written as its requester into the private directory, listed
on "My exports" with its progress, downloaded by its requester only (audited, capabilities checked again), 410
Gone once expired, its file deleted by the periodic job; the same through `/api/v1/exports/`. Also the
permission matrix of these routes."""

import csv
import io
import stat
from datetime import timedelta

import openpyxl
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from reintegra.access import export_jobs, exports
from reintegra.access.choices import ExportStatus
from reintegra.access.models import AccessEvent, ExportJob, RoleAssignment, User
from reintegra.access.roles import Role
from reintegra.testing import factories
from reintegra.testing.routes import routes_of_app

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_dir(settings, tmp_path):
    settings.REINTEGRA_EXPORT_DIR = tmp_path / "private" / "exports"
    settings.REINTEGRA_EXPORT_BACKGROUND_ROWS = 2  # three cases are "large"
    return settings.REINTEGRA_EXPORT_DIR


@pytest.fixture
def cases(case_manager, other_case_manager):
    mine = [
        factories.case(case_manager, factories.returnee(case_manager, given_names=name), case_manager=case_manager)
        for name in ("Zoila", "=HYPERLINK(1)", "Yadira")
    ]
    factories.case(other_case_manager, factories.returnee(other_case_manager, given_names="Oculta"))
    return mine


def _csv_text(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _file_of(job: ExportJob, directory) -> bytes:
    return (directory / job.stored_as).read_bytes()


def test_a_large_list_export_is_prepared_in_the_background_and_downloaded_by_its_requester(
    client, case_manager, cases, private_dir
):
    client.force_login(case_manager)
    client.cookies["django_language"] = "es"
    response = client.get(reverse("cases:list"), {"format": "csv"})
    assert response.status_code == 302 and response["Location"] == reverse("exports:list")
    job = ExportJob.objects.get()
    assert (job.kind, job.fmt, job.language, job.status) == ("cases", "csv", "es", ExportStatus.DONE)
    assert job.rows_total == job.rows_done == 3
    assert job.expires_at - job.finished_at == timedelta(hours=24)
    path = private_dir / job.stored_as
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # the server's user only; not under static or media
    assert not AccessEvent.objects.filter(action="export").exists()  # nothing left the server yet

    page = client.get(reverse("exports:list"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Mis exportaciones" in text and "Listo" in text and reverse("exports:download", args=[job.pk]) in text

    download = client.get(reverse("exports:download", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    assert download["Content-Disposition"].startswith('attachment; filename="reintegra-cases-')
    rows = _csv_text(b"".join(download.streaming_content))
    assert rows[0][:2] == ["Número de caso", "Nombre(s)"]
    assert sorted(row[1] for row in rows[1:]) == ["'=HYPERLINK(1)", "Yadira", "Zoila"]  # scoped, formula-safe
    event = AccessEvent.objects.get(action="export")
    assert event.user == case_manager and event.purpose == "case list (CSV, background)"
    assert event.object_type == "cases.case"


def test_small_exports_stay_immediate(client, case_manager, cases, settings):
    settings.REINTEGRA_EXPORT_BACKGROUND_ROWS = 3
    client.force_login(case_manager)
    response = client.get(reverse("cases:list"), {"format": "csv"})
    assert response.status_code == 200 and response.streaming
    assert not ExportJob.objects.exists()


def test_the_file_keeps_the_filters_the_language_and_the_codes_of_the_request(client, case_manager, cases, private_dir):
    client.force_login(case_manager)
    client.cookies["django_language"] = "fr"
    client.get(reverse("cases:export_returnees"), {"format": "csv"})
    client.get(reverse("cases:export_follow_ups"), {"format": "csv", "codes": "1"})
    first = cases[0]
    client.get(reverse("cases:list"), {"format": "csv", "q": first.case_number})  # one row: immediate
    assert ExportJob.objects.count() == 1  # follow-ups: none yet, an empty list is small
    job = ExportJob.objects.get()
    assert (job.kind, job.language) == ("returnees", "fr")
    client.cookies["django_language"] = "es"  # downloaded later in another language: the file stays French
    rows = _csv_text(b"".join(client.get(reverse("exports:download", args=[job.pk])).streaming_content))
    assert rows[0][1] == "Prénom(s)"
    params = {"search": "Zoila", "status": "", "case_manager": None, "return_from": "2020-01-01"}
    job = export_jobs.start(case_manager, "cases", params, fmt="csv", codes=True)
    rows = _csv_text(_file_of(job, private_dir))
    assert rows[0][:2] == ["case_number", "given_names"] and [row[1] for row in rows[1:]] == ["Zoila"]


@pytest.mark.parametrize(
    ("route", "params", "kind", "header"),
    [
        ("referrals:list", {"status": "sent"}, "referrals", "Derivación"),
        ("sustainability:export-rounds", {}, "survey-rounds", "Ronda"),
    ],
)
def test_referrals_and_survey_rounds_too(client, case_manager, settings, private_dir, route, params, kind, header):
    settings.REINTEGRA_EXPORT_BACKGROUND_ROWS = -1  # even an empty list goes to the background here
    client.force_login(case_manager)
    client.cookies["django_language"] = "es"
    response = client.get(reverse(route), {**params, "format": "csv"})
    assert response.status_code == 302 and response["Location"] == reverse("exports:list")
    job = ExportJob.objects.get()
    assert (job.kind, job.status, job.params.get("status", "")) == (kind, ExportStatus.DONE, params.get("status", ""))
    rows = _csv_text(b"".join(client.get(reverse("exports:download", args=[job.pk])).streaming_content))
    assert rows[0][0].startswith(header)


def test_xlsx_in_the_background(client, case_manager, cases, private_dir):
    client.force_login(case_manager)
    client.get(reverse("cases:list"), {"format": "xlsx"})
    job = ExportJob.objects.get()
    download = client.get(reverse("exports:download", args=[job.pk]))
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert len(values) == 4 and "=HYPERLINK(1)" in [row[1] for row in values]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_progress_is_recorded_while_the_rows_are_written(case_manager, cases, monkeypatch):
    seen = []
    monkeypatch.setattr(export_jobs, "PROGRESS_ROWS", 1)
    monkeypatch.setattr(exports, "EXPORT_BATCH", 1)  # progress is counted batch by batch
    original = ExportJob.objects.filter

    def spy(*args, **kwargs):
        queryset = original(*args, **kwargs)
        seen.append(kwargs)
        return queryset

    monkeypatch.setattr(ExportJob.objects, "filter", spy)
    job = export_jobs.start(case_manager, "cases", {}, fmt="csv")
    assert job.rows_done == 3 and job.percent == 100
    assert len([kw for kw in seen if "pk" in kw]) >= 3  # one update per row at this setting


def test_nobody_else_downloads_it_and_it_is_gone_after_expiry(client, case_manager, supervisor, cases, private_dir):
    job = export_jobs.start(case_manager, "cases", {}, fmt="csv")
    client.force_login(supervisor)  # same organisation, sees the cases, but did not ask
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 404
    assert job.pk not in [j.pk for j in export_jobs.jobs_of(supervisor)]
    client.force_login(case_manager)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    client.cookies["django_language"] = "es"
    gone = client.get(reverse("exports:download", args=[job.pk]))
    assert gone.status_code == 410 and "Esta exportación ya no está disponible" in gone.content.decode()
    assert (private_dir / job.stored_as).exists()
    call_command("send_reminders", stdout=io.StringIO())  # the periodic job deletes expired files
    job.refresh_from_db()
    assert job.status == ExportStatus.EXPIRED and not job.stored_as and not list(private_dir.iterdir())
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 410
    assert not AccessEvent.objects.filter(action="export").exists()
    out = io.StringIO()
    call_command("purge_exports", stdout=out)
    assert "0" in out.getvalue()


def test_the_requesters_rights_are_checked_when_the_task_runs_and_at_download(client, case_manager, cases, private_dir):
    job = ExportJob.objects.create(requested_by=case_manager, kind="cases", fmt="csv", language="es", rows_total=3)
    RoleAssignment.objects.filter(user=case_manager).delete()
    job = export_jobs.run(job.pk)
    assert (job.status, job.error, job.stored_as) == (ExportStatus.FAILED, "permission_denied", "")
    assert not private_dir.exists() or not list(private_dir.iterdir())

    user = User.objects.get(pk=case_manager.pk)
    RoleAssignment.objects.create(user=user, role=Role.CASE_MANAGER)
    user = User.objects.get(pk=user.pk)
    job = export_jobs.start(user, "cases", {}, fmt="csv")
    assert job.status == ExportStatus.DONE
    RoleAssignment.objects.filter(user=user).delete()
    client.force_login(User.objects.get(pk=user.pk))
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 403


def test_field_level_protection_is_applied_as_the_requester(case_manager, private_dir):
    from reintegra.cases import services

    person = factories.returnee(case_manager, documents=[services.DocumentInput("passport", "G123456", "MX")])
    factories.case(case_manager, person, case_manager=case_manager)
    org = case_manager.organisation
    monitoring = factories.user(org, Role.PROGRAMME_MANAGER, username="pm-docs")
    for user in (case_manager, monitoring):
        job = export_jobs.start(user, "returnees", {}, fmt="csv", codes=True, rows_total=1)
        header = _csv_text(_file_of(job, private_dir))[0]
        from reintegra.access import scoping
        from reintegra.access.roles import SensitiveCategory

        assert ("documents" in header) == scoping.can_see(user, SensitiveCategory.IDENTITY_DOCUMENT)


def test_not_ready_yet(client, case_manager):
    job = ExportJob.objects.create(requested_by=case_manager, kind="cases", fmt="csv", language="es")
    client.force_login(case_manager)
    response = client.get(reverse("exports:download", args=[job.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("exports:list")
    page = client.get(reverse("exports:list"))
    assert 'hx-trigger="every 2s"' in page.content.decode()  # polled while pending; a Refresh link without script
    partial = client.get(reverse("exports:list"), headers={"HX-Request": "true", "HX-Target": "export-jobs"})
    assert partial.content.decode().lstrip().startswith('<div id="export-jobs"')


# --- API -----------------------------------------------------------------------------------------------


def test_api_start_status_download_and_expiry(case_manager, supervisor, cases):
    api = APIClient()
    api.force_authenticate(case_manager)
    started = api.post(
        reverse("api:export-list"),
        {"kind": "cases", "format": "csv", "filters": {"search": "Yadira"}},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert started.status_code == 202, started.content
    body = started.json()
    assert started["Location"] == reverse("api:export-detail", args=[body["id"]])
    assert body["status"] == "done" and body["rows_total"] == 1 and body["language"] == "en"
    status = api.get(reverse("api:export-detail", args=[body["id"]])).json()
    assert status["download"] == reverse("api:export-download", args=[body["id"]])
    assert [job["id"] for job in api.get(reverse("api:export-list")).json()] == [body["id"]]
    download = api.get(status["download"])
    assert download.status_code == 200
    rows = _csv_text(b"".join(download.streaming_content))
    assert rows[0][1] == "Given names" and [row[1] for row in rows[1:]] == ["Yadira"]
    assert AccessEvent.objects.get(action="export").channel == "api"

    other = APIClient()
    other.force_authenticate(supervisor)
    assert other.get(status["download"]).status_code == 404
    assert other.get(reverse("api:export-detail", args=[body["id"]])).status_code == 404

    ExportJob.objects.filter(pk=body["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    gone = api.get(status["download"], HTTP_ACCEPT_LANGUAGE="es")
    assert gone.status_code == 410
    assert gone.json()["code"] == "expired" and "ya no está disponible" in gone.json()["detail"]


def test_api_refuses_bad_input_with_codes(case_manager, cases):
    api = APIClient()
    api.force_authenticate(case_manager)
    url = reverse("api:export-list")
    bad_kind = api.post(url, {"kind": "nope"}, format="json", HTTP_ACCEPT_LANGUAGE="es")
    assert bad_kind.status_code == 400
    assert bad_kind.json()["errors"] == [
        {"field": "kind", "message": "Elija una opción válida.", "code": "invalid_choice"}
    ]
    bad_format = api.post(url, {"kind": "cases", "format": "pdf"}, format="json")
    assert bad_format.status_code == 400 and "invalid_choice" in bad_format.content.decode()
    bad_filter = api.post(url, {"kind": "cases", "filters": {"return_from": "ayer"}}, format="json")
    assert bad_filter.status_code == 400 and "filters" in bad_filter.content.decode()
    no_filters = api.post(url, {"kind": "returnees", "filters": {"x": 1}}, format="json")
    assert no_filters.status_code == 400 and "unknown_parameter" in no_filters.content.decode()
    assert not ExportJob.objects.exists()


def test_api_not_ready_and_no_capability(case_manager, org):
    job = ExportJob.objects.create(requested_by=case_manager, kind="cases", fmt="csv", language="es")
    api = APIClient()
    api.force_authenticate(case_manager)
    response = api.get(reverse("api:export-download", args=[job.pk]))
    assert response.status_code == 409 and response.json()["code"] == "not_ready"
    outsider = APIClient()
    outsider.force_authenticate(factories.user(org, Role.DATA_PROTECTION_OFFICER, username="dpd-x"))
    refused = outsider.post(reverse("api:export-list"), {"kind": "cases"}, format="json")
    assert refused.status_code == 403


# --- permission matrix of these routes -----------------------------------------------------------------

# (route name, method) -> (anonymous answer, the requester's answer on their own finished export)
MATRIX = {
    ("exports:list", "GET"): (302, 200),
    ("exports:download", "GET"): (302, 200),
    ("api:export-list", "GET"): (401, 200),
    ("api:export-list", "POST"): (401, 202),
    ("api:export-detail", "GET"): (401, 200),
    ("api:export-download", "GET"): (401, 200),
}


def test_every_route_has_a_row():
    exposed = {
        (name, method)
        for module in ("reintegra.access.export_job_views", "reintegra.access.export_job_api")
        for name, methods in routes_of_app(module).items()
        for method in methods
    }
    assert exposed == set(MATRIX)


@pytest.mark.parametrize("route", sorted(MATRIX))
def test_anonymous_requester_and_someone_else(route, case_manager, supervisor, cases):
    job = export_jobs.start(case_manager, "cases", {}, fmt="csv")
    name, method = route
    url = reverse(name, args=[job.pk]) if name.endswith(("download", "detail")) else reverse(name)
    anonymous, requester = MATRIX[route]
    client = APIClient() if name.startswith("api:") else Client()
    data = {"kind": "cases"} if method == "POST" else None
    kwargs = {"format": "json"} if method == "POST" else {}
    assert getattr(client, method.lower())(url, data, **kwargs).status_code == anonymous
    for user, expected in ((case_manager, requester), (supervisor, None)):
        if isinstance(client, APIClient):
            client.force_authenticate(user)
        else:
            client.force_login(user)
        answer = getattr(client, method.lower())(url, data, **kwargs).status_code
        if expected is not None:
            assert answer == expected
        elif name.endswith(("download", "detail")):
            assert answer == 404  # another person's export does not exist for them

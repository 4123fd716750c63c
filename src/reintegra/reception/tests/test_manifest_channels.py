"""Manifest imports through the API, the pages and the command line; another organisation sees none of them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.test import APIClient

from reintegra.access.versioning import STALE
from reintegra.cases.models import Returnee
from reintegra.reception.manifest_choices import ManifestStatus, ReviewDecision
from reintegra.reception.manifest_models import ManifestImport, ManifestMapping, ManifestReview
from reintegra.reception.models import Intake
from reintegra.reception.tests.manifest_helpers import HEADER, Desk, desk, manifest, row, start
from reintegra.testing import factories as f

__all__ = ["desk"]


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(content: bytes, name: str = "lista.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


# --- API --------------------------------------------------------------------------------------------


def test_api_import_answers_a_task_id_whose_status_has_the_report(desk: Desk) -> None:
    response = api(desk.manager).post(
        "/api/v1/arrivals/import/",
        {"file": upload(manifest(row(), row("Juan", "Pérez"))), "point": desk.point.pk, "mapping": desk.mapping.pk},
        format="multipart",
    )
    assert response.status_code == 202, response.content
    task_id = response.json()["task_id"]
    assert task_id
    status = api(desk.manager).get(f"/api/v1/tasks/{task_id}/")
    assert status.status_code == 200
    body = status.json()
    assert body["status"] == ManifestStatus.DONE
    assert body["counts"]["new_returnees"] == 2 and body["progress"]["rows_total"] == 2
    assert body["problems"] == []


def test_api_reports_bad_rows_with_row_and_column(desk: Desk) -> None:
    response = api(desk.manager).post(
        "/api/v1/arrivals/import/",
        {"file": upload(manifest(row(), row(sex="?"))), "point": desk.point.pk, "mapping": desk.mapping.pk},
        format="multipart",
    )
    body = api(desk.manager).get(f"/api/v1/tasks/{response.json()['task_id']}/").json()
    assert body["status"] == ManifestStatus.FAILED
    assert [(p["row"], p["column"], p["code"]) for p in body["problems"]] == [(3, "Sexo", "invalid_sex")]
    assert not Returnee.objects.filter(organisation=desk.org).exists()


def test_api_refuses_another_organisations_point_and_a_missing_file(desk: Desk) -> None:
    response = api(desk.manager).post(
        "/api/v1/arrivals/import/",
        {"file": upload(manifest(row())), "point": desk.other_point.pk, "mapping": desk.mapping.pk},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "point"
    missing = api(desk.manager).post(
        "/api/v1/arrivals/import/", {"point": desk.point.pk, "mapping": desk.mapping.pk}, format="multipart"
    )
    assert missing.status_code == 400 and "file" in missing.json()


def test_another_organisation_cannot_see_the_task_or_the_import(desk: Desk) -> None:
    record = start(desk, manifest(row()))
    assert api(desk.other_manager).get(f"/api/v1/tasks/{record.task_id}/").status_code == 404
    assert web(desk.other_manager).get(f"/recepcion/manifiestos/{record.pk}/").status_code == 404
    assert web(desk.other_manager).get(f"/recepcion/manifiestos/{record.pk}/revision/").status_code == 404
    assert record.file_name not in web(desk.other_manager).get("/recepcion/manifiestos/").content.decode()


def test_without_the_capability_the_api_answers_403(desk: Desk) -> None:
    response = api(desk.case_manager).post(
        "/api/v1/arrivals/import/",
        {"file": upload(manifest(row())), "point": desk.point.pk, "mapping": desk.mapping.pk},
        format="multipart",
    )
    assert response.status_code == 403
    assert api(desk.case_manager).get("/api/v1/tasks/whatever/").status_code == 403


def test_api_lists_the_organisations_mappings_only(desk: Desk) -> None:
    names = [m["name"] for m in api(desk.manager).get("/api/v1/manifest-mappings/").json()]
    assert names == [desk.mapping.name]
    assert api(desk.other_manager).get("/api/v1/manifest-mappings/").json() == []


# --- pages ------------------------------------------------------------------------------------------


def test_upload_page_imports_then_shows_the_report(desk: Desk) -> None:
    client = web(desk.manager)
    assert client.get("/recepcion/manifiestos/nuevo/").status_code == 200
    response = client.post(
        "/recepcion/manifiestos/nuevo/",
        {"file": upload(manifest(row())), "point": desk.point.pk, "mapping": desk.mapping.pk},
    )
    assert response.status_code == 302
    record = ManifestImport.objects.get()
    assert response["Location"] == f"/recepcion/manifiestos/{record.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert 'id="manifest-counts"' in page
    again = client.post(
        "/recepcion/manifiestos/nuevo/",
        {"file": upload(manifest(row())), "point": desk.point.pk, "mapping": desk.mapping.pk},
    )
    second = client.get(again["Location"]).content.decode()
    assert "Nada cambió" in second or "Nothing changed" in second


def test_upload_page_shows_the_services_errors(desk: Desk) -> None:
    response = web(desk.manager).post("/recepcion/manifiestos/nuevo/", {"mapping": desk.mapping.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["file"] and response.context["form"].errors["point"]
    assert not ManifestImport.objects.exists()


def test_progress_fragment_for_htmx_and_a_refresh_link_without_js(desk: Desk) -> None:
    record = ManifestImport.objects.create(
        organisation=desk.org,
        point=desk.point,
        mapping=desk.mapping,
        file_name="x.csv",
        created_by=desk.manager,
        status=ManifestStatus.RUNNING,
        rows_total=100,
        rows_checked=100,
        rows_written=40,
    )
    client = web(desk.manager)
    page = client.get(f"/recepcion/manifiestos/{record.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in page and f'href="/recepcion/manifiestos/{record.pk}/"' in page
    fragment = client.get(f"/recepcion/manifiestos/{record.pk}/", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and b'value="70"' in fragment.content
    ManifestImport.objects.filter(pk=record.pk).update(status=ManifestStatus.DONE)
    finished = client.get(f"/recepcion/manifiestos/{record.pk}/", headers={"HX-Request": "true"})
    assert finished.status_code == 204 and finished["HX-Refresh"] == "true"


def test_failed_import_page_lists_each_problem(desk: Desk) -> None:
    record = start(desk, manifest(row(given=""), row(sex="?")))
    page = web(desk.manager).get(f"/recepcion/manifiestos/{record.pk}/").content.decode()
    assert 'id="manifest-problems"' in page and "Nombres" in page and "Sexo" in page


def test_review_screen_links_a_row_to_the_registered_person(desk: Desk) -> None:
    existing = f.returnee(desk.manager, birth_date=None, estimated_age=36)
    record = start(desk, manifest(row(born="", age="36")))
    client = web(desk.manager)
    page = client.get(f"/recepcion/manifiestos/{record.pk}/revision/")
    assert page.status_code == 200 and "Hernández" in page.content.decode()
    review = ManifestReview.objects.get()
    assert (
        web(desk.other_manager)
        .post(f"/recepcion/manifiestos/revision/{review.pk}/", {"decision": "distinct"})
        .status_code
        == 404
    )
    response = client.post(
        f"/recepcion/manifiestos/revision/{review.pk}/", {"decision": "linked", "candidate": existing.pk}
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.decision == ReviewDecision.LINKED and Intake.objects.get().returnee_id == existing.pk


def test_mapping_page_offers_the_files_columns_then_saves(desk: Desk) -> None:
    client = web(desk.manager)
    step = client.post("/recepcion/manifiestos/correspondencias/nueva/", {"sample": upload(manifest(row()))})
    assert step.status_code == 200
    form = step.context["form"]
    assert ("Apellidos", "Apellidos") in form.fields["col_family_names"].choices
    # A column headed with a field's name (any language, capitals and accents aside) is offered first; the
    # host country is chosen from the list of countries, not typed as a code.
    assert (form["col_sex"].value(), form["col_age"].value(), form["col_phone"].value()) == ("Sexo", "Edad", "Teléfono")
    assert 'value="US"' in str(form["host_country"])
    data = {
        "name": "Lista de bus",
        "header": form["header"].value(),
        "date_format": "dmy",
        "letter_m": "female",
        "document_type": "passport",
        "means": "bus",
        "return_type": "forced",
        "col_given_names": "Nombres",
        "col_family_names": "Apellidos",
    }
    missing = client.post("/recepcion/manifiestos/correspondencias/nueva/", {**data, "col_given_names": ""})
    assert missing.status_code == 200 and missing.context["form"].errors["col_given_names"]
    saved = client.post("/recepcion/manifiestos/correspondencias/nueva/", data)
    assert saved.status_code == 302
    mapping = ManifestMapping.objects.get(name="Lista de bus")
    assert mapping.columns == {"given_names": "Nombres", "family_names": "Apellidos"} and mapping.means == "bus"
    client.post("/recepcion/manifiestos/correspondencias/nueva/", {**data, "name": "Vuelos", "host_country": "US"})
    assert ManifestMapping.objects.get(name="Vuelos").host_country == "US"


def test_pages_need_the_capability(desk: Desk) -> None:
    assert web(desk.case_manager).get("/recepcion/manifiestos/").status_code == 403
    assert web(desk.case_manager).get("/recepcion/manifiestos/nuevo/").status_code == 403


# --- the command line -------------------------------------------------------------------------------


def test_cli_imports_prints_progress_and_the_report(desk: Desk, tmp_path: Path) -> None:
    path = tmp_path / "vuelo.csv"
    path.write_bytes(manifest(row(), row("Juan", "Pérez")))
    out, err = io.StringIO(), io.StringIO()
    call_command("import_arrivals", str(path), "--point", "fag", "--mapping", desk.mapping.name,
                 "--organisation", desk.org.code, stdout=out, stderr=err)  # fmt: skip
    assert "2 new returnees" in out.getvalue()
    assert "checked" in err.getvalue() or "written" in err.getvalue() or err.getvalue() == ""
    again = io.StringIO()
    call_command("import_arrivals", str(path), "--point", "fag", "--mapping", desk.mapping.name,
                 "--organisation", desk.org.code, stdout=again, stderr=io.StringIO())  # fmt: skip
    assert "Nothing changed" in again.getvalue()
    assert Returnee.objects.filter(organisation=desk.org).count() == 2


def test_cli_prints_every_bad_row_and_writes_nothing(desk: Desk, tmp_path: Path) -> None:
    path = tmp_path / "vuelo.csv"
    path.write_bytes(manifest(row(given=""), row(born="99/99/1990")))
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_arrivals", str(path), "--point", "fag", "--mapping", desk.mapping.name,
                     "--organisation", desk.org.code, stdout=io.StringIO(), stderr=err)  # fmt: skip
    assert "Row 2, column Nombres" in err.getvalue() and "Row 3, column Fecha de nacimiento" in err.getvalue()
    assert not Returnee.objects.filter(organisation=desk.org).exists()


def test_cli_needs_the_organisation_when_the_point_code_is_shared(desk: Desk, tmp_path: Path) -> None:
    path = tmp_path / "vuelo.csv"
    path.write_bytes(manifest(row()))
    with pytest.raises(CommandError, match="--organisation"):
        call_command("import_arrivals", str(path), "--point", "fag", "--mapping", desk.mapping.name)


def test_cli_reads_xlsx(desk: Desk, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(row())
    path = tmp_path / "vuelo.xlsx"
    book.save(path)
    out = io.StringIO()
    call_command("import_arrivals", str(path), "--point", "fag", "--mapping", desk.mapping.name,
                 "--organisation", desk.org.code, stdout=out, stderr=io.StringIO())  # fmt: skip
    assert "1 new returnees" in out.getvalue()


# --- a saved mapping changed -------------------------------------------------------------------------


def test_mapping_edit_page_shows_it_refuses_like_creation_and_keeps_the_change_in_history(desk: Desk) -> None:
    from auditlog.models import LogEntry

    other = web(desk.manager).post(  # a second mapping, whose name the edit may not take
        "/recepcion/manifiestos/correspondencias/nueva/",
        {
            "name": "Lista de bus",
            "header": '["Nombres", "Apellidos"]',
            "date_format": "dmy",
            "letter_m": "female",
            "document_type": "passport",
            "means": "bus",
            "return_type": "forced",
            "col_given_names": "Nombres",
            "col_family_names": "Apellidos",
        },
    )
    assert other.status_code == 302
    client = web(desk.manager)
    url = f"/recepcion/manifiestos/correspondencias/{desk.mapping.pk}/"
    assert url in client.get("/recepcion/manifiestos/").content.decode()  # reachable from the list
    page = client.get(url)
    form = page.context["form"]
    assert form["name"].value() == desk.mapping.name
    assert form["col_given_names"].value() == desk.mapping.columns["given_names"]
    # A new sample file offers its columns, the saved ones kept.
    step = client.post(url, {"sample": upload(b"Nombre completo,Apellidos,Fecha\nAna,Paz,01/02/1990\n")})
    choices = [c for c, _label in step.context["form"].fields["col_given_names"].choices]
    assert "Nombre completo" in choices and desk.mapping.columns["given_names"] in choices
    data = {
        "revision": step.context["record_version"],
        "name": "INM — lista nueva",
        "header": step.context["form"]["header"].value(),
        "date_format": "ymd",
        "letter_m": "female",
        "document_type": "passport",
        "means": "flight",
        "return_type": "forced",
        "col_given_names": "Nombre completo",
        "col_family_names": "Apellidos",
    }
    for wrong, field in [
        ({"col_given_names": ""}, "col_given_names"),
        ({"name": "lista de BUS"}, "name"),
        ({"name": ""}, "name"),
    ]:
        refused = client.post(url, {**data, **wrong})
        assert refused.status_code == 200 and refused.context["form"].errors[field], wrong
    desk.mapping.refresh_from_db()
    assert desk.mapping.name == "INM — lista de vuelo"
    assert client.post(url, data).status_code == 302
    desk.mapping.refresh_from_db()
    assert (desk.mapping.name, desk.mapping.date_format) == ("INM — lista nueva", "ymd")
    # A second editor who read the page before that save is told, and changes nothing.
    stale = client.post(url, {**data, "name": "Otra lista", "revision": data["revision"]})
    assert stale.status_code == 200
    assert [e.code for e in stale.context["form"].non_field_errors().as_data()] == [STALE]
    assert stale.context["record_version"] == desk.mapping.revision
    desk.mapping.refresh_from_db()
    assert desk.mapping.name == "INM — lista nueva"
    assert desk.mapping.columns == {"given_names": "Nombre completo", "family_names": "Apellidos"}
    changes = LogEntry.objects.get_for_object(desk.mapping).filter(action=LogEntry.Action.UPDATE)
    assert changes.count() == 1 and changes.get().actor_id == desk.manager.pk
    # Another organisation's mapping does not exist for the user.
    assert web(desk.other_manager).get(url).status_code == 404


def test_api_changes_a_mapping_with_the_same_rules(desk: Desk) -> None:
    url = f"/api/v1/manifest-mappings/{desk.mapping.pk}/"
    client = api(desk.manager)
    read = client.get(url)
    assert read.json()["name"] == desk.mapping.name and read["ETag"] == f'"{desk.mapping.revision}"'
    client.credentials(HTTP_IF_MATCH=read["ETag"])
    body = {
        "name": "INM 2027",
        "columns": {"given_names": "Nombres", "family_names": "Apellidos"},
        "return_type": "forced",
        "means": "bus",
    }
    refused = client.put(url, {**body, "columns": {"family_names": "Apellidos", "shoe_size": "Talla"}}, format="json")
    assert refused.status_code == 400
    assert {(e["field"], e["code"]) for e in refused.json()["errors"]} == {
        ("columns.given_names", "required"),
        ("columns.shoe_size", "invalid_choice"),
    }
    changed = client.put(url, body, format="json")
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["name"], changed.json()["means"]) == ("INM 2027", "bus")
    # The old ETag is stale now (412, nothing changed); without If-Match the change is refused (428).
    stale = client.put(url, {**body, "name": "INM 2028"}, format="json")
    assert stale.status_code == 412 and stale.json()["current_version"] == changed.json()["version"]
    client.credentials()
    assert client.put(url, body, format="json").status_code == 428
    desk.mapping.refresh_from_db()
    assert desk.mapping.name == "INM 2027"
    assert api(desk.other_manager).put(url, body, format="json").status_code == 404

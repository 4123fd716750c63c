"""Issue 10, item 9 (platform parts): deep JSON, body and upload size limits, unknown API paths."""

import json
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from rest_framework.test import APIClient

from reintegra.access.roles import Role
from reintegra.api.parsers import nesting_depth
from reintegra.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_manager(db):
    org = factories.organisation("oim-mx", country="MX", name="OIM México")
    return factories.user(org, Role.CASE_MANAGER, team=factories.team(org, "Equipo"), username="gestora")


@pytest.fixture
def api(case_manager):
    client = APIClient()
    client.force_authenticate(case_manager)
    return client


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


# --- deeply nested JSON -----------------------------------------------------------------------------------


@pytest.mark.parametrize("levels", [33, 5_000, 200_000])
def test_deep_json_to_the_unauthenticated_token_endpoint_is_a_400(client, levels):
    response = client.post("/api/v1/auth/token/", deep(levels), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert set(response.json()) == {"detail", "code"}  # field-less


def test_deep_json_objects_are_refused_too(client):
    body = '{"username": ' * 3000 + '"x"' + "}" * 3000
    response = client.post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "parse_error"


def test_deep_json_on_an_authenticated_endpoint_is_a_400(api):
    response = api.post("/api/v1/returnees/", deep(10_000), content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "parse_error"


def test_ordinary_nesting_still_parses(api):
    response = api.post(
        "/api/v1/returnees/",
        json.dumps({"documents": [{"document_type": "passport"}]}),
        content_type="application/json",
    )
    assert response.status_code == 400  # field errors, not a parse error
    assert response.json()["code"] == "invalid"


def test_nesting_depth():
    assert nesting_depth(1, 32) == 0
    assert nesting_depth({"a": [1, {"b": []}]}, 32) == 4
    assert nesting_depth(json.loads(deep(40)), 32) == 33  # stops counting past the limit


# --- request size limits -----------------------------------------------------------------------------------


@override_settings(REINTEGRA_MAX_BODY_BYTES=1000)
def test_api_body_over_the_limit_is_a_413_with_json(api):
    body = json.dumps({"given_names": "x" * 2000})
    response = api.post("/api/v1/returnees/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert response.json()["limit_bytes"] == 1000


@override_settings(REINTEGRA_MAX_BODY_BYTES=1000)
def test_unauthenticated_body_over_the_limit_is_refused_before_anything_reads_it(client):
    response = client.post("/api/v1/auth/token/", "x" * 5000, content_type="application/json")
    assert response.status_code == 413


@override_settings(REINTEGRA_MAX_BODY_BYTES=1000)
def test_web_body_over_the_limit_is_a_translated_413_page(client, case_manager):
    client.force_login(case_manager)
    form = urlencode({"given_names": "x" * 5000})
    response = client.post(
        "/casos/nuevo/", form, content_type="application/x-www-form-urlencoded", HTTP_ACCEPT_LANGUAGE="es"
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert "demasiado grande" in response.content.decode()


@override_settings(REINTEGRA_MAX_BODY_BYTES=1000, REINTEGRA_MAX_UPLOAD_BYTES=20_000)
def test_uploads_have_their_own_larger_limit(client, case_manager):
    client.force_login(case_manager)
    small = SimpleUploadedFile("submissions.csv", b"a,b\n" * 1000)  # 4 KB: over the body limit, under the upload one
    response = client.post("/sostenibilidad/instrumentos/cargar/", {"file": small})
    assert response.status_code != 413  # through to the view (which decides what it makes of it)
    big = SimpleUploadedFile("submissions.csv", b"a,b\n" * 10_000)  # 40 KB
    response = client.post("/sostenibilidad/instrumentos/cargar/", {"file": big})
    assert response.status_code == 413


@override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=5)
def test_too_many_form_fields_is_a_400_not_a_500(client, case_manager):
    client.force_login(case_manager)
    fields = {f"field{i}": "x" for i in range(20)}
    assert client.post("/casos/nuevo/", fields).status_code == 400
    response = client.post("/api/v1/auth/token/", fields)
    assert response.status_code == 400 and response.json()["code"] == "too_many_fields"


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_form_fields_over_djangos_limit_are_a_413(client, case_manager):
    client.force_login(case_manager)
    # Multipart, under our upload limit but its form fields over Django's own limit.
    response = client.post("/casos/nuevo/", {"given_names": "x" * 5000, "file": SimpleUploadedFile("a.txt", b"a")})
    assert response.status_code == 413
    response = client.post("/api/v1/auth/token/", {"username": "x" * 5000, "file": SimpleUploadedFile("a.txt", b"a")})
    assert response.status_code == 413 and response.json()["code"] == "request_too_large"


# --- unknown paths ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/nope/", "/api/whatever", "/api/v1/cases/1/nope/", "/api/v2/cases/"])
def test_unknown_api_paths_answer_json_404(api, path):
    response = api.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_unknown_api_paths_answer_json_404_when_signed_out(client):
    response = client.post("/api/v1/nope/", {})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_unknown_web_paths_keep_the_translated_html_page(client, case_manager):
    client.force_login(case_manager)
    response = client.get("/no-existe/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "Página no encontrada" in response.content.decode()


def test_static_files_are_served_with_debug_off(client, settings):
    assert settings.DEBUG is False
    response = client.get("/static/css/reintegra.css")
    assert response.status_code == 200

"""Every table download speaks the reader's language, with machine codes on request (issue 18.13): walks
`reintegra.testing.routes.EXPORT_ROUTES` — Spanish headers and values by default, the codes with `?codes=1` —
and checks each download stays recorded in the access trail."""

import csv
import io
from pathlib import Path

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from reintegra.access.models import AccessEvent
from reintegra.access.roles import Role
from reintegra.referrals.models import Service, ServiceProvider
from reintegra.testing import factories
from reintegra.testing.routes import EXPORT_ROUTES

pytestmark = pytest.mark.django_db
SRC = Path(__file__).resolve().parents[1] / "src" / "reintegra"


@pytest.fixture
def data(org, case_manager):
    factories.case(case_manager)
    provider = ServiceProvider.objects.create(
        name="Centro Zqx", organisation_type="ngo", country="MX", organisation=org, owner=org
    )
    Service.objects.create(
        provider=provider,
        code="zqx-empleo",
        name="Empleo Zqx",
        dimension="economic",
        sector="employment",
        country="MX",
        sexes=["female"],
    )


def _rows(client, route, params, language="es"):
    client.cookies["django_language"] = language
    response = client.get(reverse(route), params)
    assert response.status_code == 200, route
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


@pytest.mark.parametrize(("route", "role", "params", "spanish", "code"), EXPORT_ROUTES)
def test_headers_in_spanish_by_default_and_codes_on_request(client, org, data, route, role, params, spanish, code):
    client.force_login(factories.user(org, Role(role)))
    assert _rows(client, route, params)[0][0] == spanish
    assert _rows(client, route, {**params, "codes": "1"})[0][0] == code
    exported = AccessEvent.objects.filter(action="export").order_by("at", "id")
    assert exported.count() == 2
    assert exported.last().purpose.endswith("CSV, codes)")


def test_every_module_that_writes_a_table_download_is_walked():
    """A new `exports.download` caller needs its row in EXPORT_ROUTES (or a reason in the comment there)."""
    callers = {
        path.relative_to(SRC).parts[0]
        for path in SRC.rglob("*.py")
        if "tests" not in path.parts and "exports.download(" in path.read_text(encoding="utf-8")
    }
    walked = {route.partition(":")[0] for route, *_rest in EXPORT_ROUTES}
    # monitoring's IPTT and logframe are labelled tables already (no codes), walked by their own tests.
    assert callers - {"access"} <= walked | {"monitoring"}


def test_values_are_labelled_and_codes_kept_on_request(client, org, data):
    client.force_login(factories.user(org, Role.ME_OFFICER))
    spanish = _rows(client, "referrals:directory", {"format": "csv"})
    row = dict(zip(spanish[0], spanish[-1], strict=True))
    assert row["Tipo de organización"] == "Organización no gubernamental"
    assert row["Dimensión"] == "Económica"
    assert row["Sexos atendidos"] == "Mujer"
    english = _rows(client, "referrals:directory", {"format": "csv"}, language="en")
    assert dict(zip(english[0], english[-1], strict=True))["Dimension"] == "Economic"
    coded = _rows(client, "referrals:directory", {"format": "csv", "codes": "1"})
    row = dict(zip(coded[0], coded[-1], strict=True))
    assert (row["provider_type"], row["dimension"], row["sexes"]) == ("ngo", "economic", "female")


def test_pseudonymised_rows_api_takes_the_codes_parameter(client, org, data):
    api = APIClient()
    api.force_authenticate(factories.user(org, Role.ME_OFFICER))
    coded = api.get("/api/v1/analytics/cases/", {"format": "csv", "codes": "true"}, HTTP_ACCEPT_LANGUAGE="es")
    assert b"".join(coded.streaming_content).decode("utf-8-sig").startswith('"case_pid"')
    spanish = api.get("/api/v1/analytics/cases/", {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="es")
    text = b"".join(spanish.streaming_content).decode("utf-8-sig")
    assert text.startswith('"Id seudónimo del caso"')

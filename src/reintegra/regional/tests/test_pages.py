"""The web pages: matrix drill-down, forms that keep what was typed, import errors, exports, the API matrix."""

import csv
import io
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from reintegra.access.roles import Role
from reintegra.regional import services
from reintegra.regional.models import RegionalAction
from reintegra.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return factories.user(factories.organisation(country="GT"), Role.PROGRAMME_MANAGER)


def _add(user, **values):
    data = {"country": "GT", "title": "Intermediación laboral", "levels": ["structural"], "dimensions": ["social"]}
    data.update(values)
    return services.create_action(user, services.ActionInput(**data))


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_matrix_page_shows_counts_gaps_duplicates_and_links_to_the_filtered_list(manager):
    _add(manager, institution_name="Ministerio de Trabajo")
    _add(manager, title="Intermediación laboral municipal", institution_name="Municipalidad de Quetzaltenango")
    _add(manager, title="Acceso al empleo", country="MX", levels=["individual"], dimensions=["economic"])
    page = _client(manager).get(reverse("regional:matrix"), {"country": "GT"}).content.decode()
    assert 'data-level="structural" data-dimension="social"' in page
    assert "heat-0" in page  # gaps are flagged
    assert "heat-dup" in page
    assert "/acciones-regionales/acciones/?level=structural&amp;dimension=social&amp;country=GT" in page
    listing = _client(manager).get(
        reverse("regional:list"), {"level": "structural", "dimension": "social", "country": "GT"}
    )
    assert [a.title for a in listing.context["actions"]] == [
        "Intermediación laboral",
        "Intermediación laboral municipal",
    ]
    assert len(listing.context["duplicates"]) == 1


def test_api_matrix_has_nine_cells_with_zeros(manager):
    _add(manager)
    client = APIClient()
    client.force_authenticate(manager)
    body = client.get(reverse("api:regional-action-matrix"), {"country": "GT"}).json()
    assert len(body["cells"]) == 9
    counts = {(c["level"], c["dimension"]): c["count"] for c in body["cells"]}
    assert counts[("structural", "social")] == 1 and sum(counts.values()) == 1
    assert client.get(reverse("api:regional-action-matrix"), {"country": "ZZ"}).status_code == 400
    assert len(client.get(reverse("api:regional-action-matrix")).json()["cells"]) == 9


def test_api_create_reports_field_errors_and_partial_update_keeps_the_rest(manager):
    client = APIClient()
    client.force_authenticate(manager)
    bad = client.post(
        reverse("api:regional-action-list"),
        {
            "country": "GT",
            "title": "X",
            "levels": ["individual"],
            "dimensions": ["social"],
            "evaluation_status": "good_practice",
        },
        format="json",
    )
    assert bad.status_code == 400 and "evaluated_on" in bad.json()
    action = _add(manager, target_population="Jóvenes de 18 a 24 años")
    response = client.patch(
        reverse("api:regional-action-detail", args=[action.pk]),
        {"title": "Nuevo"},
        format="json",
        HTTP_IF_MATCH=f'"{action.revision}"',
    )
    assert response.status_code == 200
    action.refresh_from_db()
    assert (action.title, action.target_population) == ("Nuevo", "Jóvenes de 18 a 24 años")


def test_form_keeps_what_was_typed_and_explains_the_good_practice_rule(manager):
    client = _client(manager)
    response = client.post(
        reverse("regional:create"),
        {
            "title": "Casa de acogida",
            "country": "SV",
            "institution_kind": "ngo",
            "levels": ["community"],
            "dimensions": ["psychosocial"],
            "funding_source": "international_cooperation",
            "evaluation_status": "good_practice",
        },
    )
    assert response.status_code == 200
    assert "evaluated_on" in response.context["form"].errors
    assert 'value="Casa de acogida"' in response.content.decode()
    assert RegionalAction.objects.count() == 0
    response = client.post(
        reverse("regional:create"),
        {
            "title": "Casa de acogida",
            "country": "SV",
            "institution_kind": "ngo",
            "levels": ["community"],
            "dimensions": ["psychosocial"],
            "funding_source": "international_cooperation",
            "evaluation_status": "good_practice",
            "evaluated_on": "2024-03-01",
            "evaluation_reference": "Informe final",
        },
    )
    action = RegionalAction.objects.get()
    assert response.status_code == 302 and action.evaluated_on == date(2024, 3, 1)
    edit = client.get(reverse("regional:edit", args=[action.pk])).content.decode()
    assert 'value="2024-03-01"' in edit


def test_import_page_lists_each_bad_row_and_saves_nothing(manager):
    upload = io.BytesIO(b"country,action,level,dimension\nGT,Uno,individual,social\nGT,Dos,nacional,social\n")
    upload.name = "acciones.csv"
    response = _client(manager).post(reverse("regional:import"), {"file": upload})
    assert response.status_code == 200
    assert [(e.row, e.column) for e in response.context["row_errors"]] == [(3, "level")]
    assert RegionalAction.objects.count() == 0
    wrong_type = io.BytesIO(b"x")
    wrong_type.name = "acciones.pdf"
    assert _client(manager).post(reverse("regional:import"), {"file": wrong_type}).context["form"].errors


def test_exports_follow_the_filters_and_can_be_imported_again(manager):
    _add(manager)
    _add(manager, title="Alimentación", country="MX", levels=["individual"], dimensions=["economic"])
    client = _client(manager)
    # With machine codes (issue 18.13) the file is the import's format ...
    response = client.get(reverse("regional:export"), {"country": "MX", "codes": "1"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["country"], r["action"], r["levels"]) for r in rows] == [("MX", "Alimentación", "individual")]
    # ... by default it speaks the reader's language.
    client.cookies["django_language"] = "es"
    readable = b"".join(client.get(reverse("regional:export"), {"country": "MX"}).streaming_content).decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(readable)))
    assert (row["País"], row["Niveles"], row["Dimensiones"]) == ("México", "Individual", "Económica")
    from reintegra.regional import importing

    assert importing.parse(io.BytesIO(text.encode()), "export.csv").ok
    xlsx = client.get(reverse("regional:export"), {"format": "xlsx"})
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True).worksheets[0]
    assert len(list(sheet.iter_rows(values_only=True))) == 3


def test_list_survives_nonsense_filters(manager):
    _add(manager)
    response = _client(manager).get(reverse("regional:list"), {"level": "cosmic", "institution": "abc", "page": "x"})
    assert response.status_code == 200
    assert response.context["invalid_filters"]

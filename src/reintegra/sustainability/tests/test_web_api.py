"""The pages and the API end to end: record a round, see scores and chart, grid on the plan, imports."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from reintegra.sustainability.models import FeasibilityApproach, Instrument, SurveyRound

from .conftest import best_answers, economic_answers, rss_raw, submissions_csv

pytestmark = pytest.mark.django_db


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_record_a_round_from_the_case_page(world):
    c = _client(world.manager)
    url = reverse("sustainability:round-new", args=[world.case.pk])
    page = c.get(url)
    assert page.status_code == 200
    assert "¿Qué tan satisfecho/a está con su situación económica actual?" in page.content.decode()
    data = {"taken_on": timezone.localdate().isoformat(), "round_month": "0", "instrument": "rss"}
    for code, value in best_answers().items():
        data[f"q_{code}"] = value
    response = c.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    tab = c.get(reverse("sustainability:case-rounds", args=[world.case.pk])).content.decode()
    assert 'data-chart="rss-trajectory"' in tab and 'id="rss-rounds"' in tab
    assert "1,00" in tab or "1.00" in tab


def test_a_bad_round_form_is_shown_again_with_errors(world):
    c = _client(world.manager)
    url = reverse("sustainability:round-new", args=[world.case.pk])
    future = (timezone.localdate() + timezone.timedelta(days=3)).isoformat()
    response = c.post(url, {"taken_on": future, "q_eco_satisfaction": "satisfied", "q_eco_borrowing_times": "x"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "alert--error" in body and 'value="satisfied" ' in body.replace('value="satisfied"', 'value="satisfied" ')
    assert not SurveyRound.objects.exists()


def test_plan_page_highlights_the_weakest_dimension_and_the_form_offers_the_grid(world):
    from reintegra.testing import factories

    world.case = factories.assessed_case(world.manager, case_manager=world.manager)
    answers = best_answers()
    worst = best_answers(best=False)
    for code in answers:
        if code.startswith("soc_"):
            answers[code] = worst[code]
    api = _api(world.manager)
    response = api.post(
        reverse("api:case-sustainability", args=[world.case.pk]),
        {"instrument": "rss", "date": timezone.localdate().isoformat(), "answers": answers},
        format="json",
    )
    assert response.status_code == 201, response.json()
    c = _client(world.manager)
    plan = c.get(reverse("cases:plan", args=[world.case.pk])).content.decode()
    assert "rss-weakest" in plan and "Apoyo para vivienda" in plan
    form = c.get(reverse("cases:plan_edit", args=[world.case.pk])).content.decode()
    assert 'id="feasibility-approaches"' in form and 'list="feasibility-approaches"' in form
    assert "data-use-approach" in form and "Criterios: comunitario" in form
    # The weakest dimension's approaches come first in the picker.
    assert form.index("Apoyo para vivienda") < form.index("Asistencia en efectivo")


def test_api_round_and_listing(world):
    api = _api(world.manager)
    url = reverse("api:case-sustainability", args=[world.case.pk])
    thin = api.post(
        url,
        {"instrument": "rss", "date": timezone.localdate().isoformat(), "answers": {"eco_satisfaction": "satisfied"}},
        format="json",
    )
    assert thin.status_code == 400
    assert [(e["field"], e["code"]) for e in thin.json()["errors"]] == [("answers", "too_few_answers")]
    response = api.post(
        url,
        {"instrument": "rss", "date": timezone.localdate().isoformat(), "answers": economic_answers()},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["scores"]["economic"] is not None and body["scores"]["composite"] is None
    assert set(body["bands"]) == {"economic", "social", "psychosocial", "composite"}
    bad = api.post(
        url, {"instrument": "rss", "date": "2020-01-01", "answers": {"eco_satisfaction": "x"}}, format="json"
    )
    assert bad.status_code == 400 and "answers" in bad.json()
    assert len(api.get(url).json()) == 1
    # Hidden case: 404 for someone else's organisation.
    assert _api(world.outsider).get(url).status_code == 404


def test_api_instruments_and_xlsform(world):
    api = _api(world.manager)
    listing = api.get(reverse("api:instrument-list")).json()
    assert any(i["code"] == "rss" for i in listing["results"])
    detail = api.get(reverse("api:instrument-detail", args=["rss"])).json()
    question = detail["versions"][0]["definition"]["questions"][0]
    assert {"code", "dimension", "weight", "composite_weight", "options"} <= set(question)
    assert "score" in question["options"][0]
    response = api.get(reverse("api:instrument-xlsform", args=["rss"]))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert {"survey", "choices", "settings"} <= set(wb.sheetnames)


def test_api_submissions_import(world):
    api = _api(world.supervisor)
    today = timezone.localdate().isoformat()
    content = submissions_csv([f"{world.case.case_number},{today},satisfied,agree,u1", f"X-9,{today},ok,agree,u2"])
    response = api.post(
        reverse("api:instrument-submissions", args=["rss"]),
        {"file": SimpleUploadedFile("kobo.csv", content, content_type="text/csv")},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    report = response.json()
    assert report["imported"] == 1 and report["rejected"] == 1
    assert {(e["row"], e["column"]) for e in report["errors"]} == {(3, "case_number")}


def test_programme_manager_loads_an_instrument_and_edits_the_grid(world):
    c = _client(world.pm)
    raw = rss_raw()
    raw["version"] = 2
    import yaml

    upload = SimpleUploadedFile("rss-oficial.yaml", yaml.safe_dump(raw, allow_unicode=True).encode())
    response = c.post(
        reverse("sustainability:instrument-upload"),
        {"programme": world.programme.pk, "file": upload, "publish": "on"},
    )
    assert response.status_code == 302
    assert Instrument.objects.filter(programme=world.programme, code="rss").exists()
    response = c.post(
        reverse("sustainability:grid-new") + f"?programa={world.programme.pk}",
        {"dimension": "economic", "approach": "Capital semilla", "position": 0, "is_active": "on"},
    )
    assert response.status_code == 302
    own = FeasibilityApproach.objects.filter(programme=world.programme)
    assert own.filter(approach="Capital semilla").exists() and own.count() > 1  # copied from the default
    page = c.get(reverse("sustainability:grid") + f"?programa={world.programme.pk}").content.decode()
    assert "Capital semilla" in page


def test_xlsform_import_makes_a_draft_that_is_completed_then_published(world):
    from reintegra.sustainability import definition, xlsform

    content = xlsform.to_xlsform(definition.parse(rss_raw()))
    c = _client(world.pm)
    response = c.post(
        reverse("sustainability:instrument-upload"),
        {"programme": world.programme.pk, "file": SimpleUploadedFile("rss.xlsx", content)},
    )
    assert response.status_code == 302
    version = Instrument.objects.get(programme=world.programme).versions.get()
    assert version.status == "draft"
    publish = reverse("sustainability:version-publish", args=[version.pk])
    assert c.post(publish, {"revision": str(version.revision)}).status_code == 302
    version.refresh_from_db()
    assert version.status == "published"


def test_due_page_and_distribution(world):
    c = _client(world.manager)
    page = c.get(reverse("sustainability:due")).content.decode()
    assert world.case.case_number in page
    assert _client(world.me).get(reverse("sustainability:distribution")).status_code == 200

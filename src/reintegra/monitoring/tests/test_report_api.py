"""The values endpoint, the downloads (XLSX opened by openpyxl, HXL parsed by libhxl), the donor report PDF
and the public statistics page."""

from __future__ import annotations

import csv
import io
from datetime import date

import hxl
import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from reintegra.access.models import AccessEvent
from reintegra.monitoring import pdf, reports
from reintegra.monitoring.tests import report_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return report_world.build(public=True)


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _web(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _values(world, user, **params):
    url = reverse("api:indicator-values", args=[world.per_period.pk])
    return _api(user).get(url, params)


def test_values_shape_exact_for_the_manager(world):
    response = _values(world, world.manager, period_start="2026-01-01", period_end="2026-06-30", disaggregate="sex")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["indicator"]["code"] == "ret-per" and body["indicator"]["programme"] == world.programme.pk
    assert body["total"] == {"numerator": 3.0, "denominator": None, "value": 3.0}
    assert body["cells"] == [
        {"sex": "female", "numerator": 2.0, "denominator": None, "value": 2.0, "suppressed": False},
        {"sex": "male", "numerator": 1.0, "denominator": None, "value": 1.0, "suppressed": False},
    ]
    assert body["suppression_threshold"] == 5 and body["suppressed"] is False
    assert sum(cell["numerator"] for cell in body["cells"]) == body["total"]["numerator"]


def test_values_crossed_and_suppressed_for_the_officer(world):
    response = _values(
        world, world.officer, period_start="2026-01-01", period_end="2026-06-30", disaggregate="sex,age_band"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["suppressed"] is True
    assert body["total"] == {"numerator": None, "denominator": None, "value": None}
    assert body["cells"] and all(cell["suppressed"] and cell["value"] is None for cell in body["cells"])
    assert set(body["cells"][0]) == {"sex", "age_band", "numerator", "denominator", "value", "suppressed"}


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"period_start": "2026-13-01"}, "period_start", "invalid"),
        ({"period_start": "2026-06-01", "period_end": "2026-01-01"}, "period_end", "ends_before_start"),
        ({"disaggregate": "sex,shoe_size"}, "disaggregate", "invalid_choice"),
        ({"disaggregate": "sex,sex"}, "disaggregate", "out_of_range"),
        ({"colour": "red"}, None, "unknown_parameter"),
    ],
)
def test_values_refuses_bad_parameters(world, params, field, code):
    response = _values(world, world.manager, **params)
    assert response.status_code == 400, response.content
    body = response.json()
    if field is None:
        assert body["code"] == code
    else:
        assert field in body
        assert any(e["field"] == field and e["code"] == code for e in body["errors"]), body


def test_values_of_a_hand_reported_indicator_is_a_400(world):
    url = reverse("api:indicator-values", args=[world.reported.pk])
    response = _api(world.manager).get(url)
    assert response.status_code == 400 and response.json()["errors"][0]["code"] == "not_computed"


def test_values_404_outside_the_users_programmes(world):
    assert _values(world, world.outsider).status_code == 404
    assert (
        _api(world.outsider).get(reverse("api:indicator-iptt-xlsx"), {"programme": world.programme.pk}).status_code
        == 404
    )


def test_iptt_xlsx_opens_with_numbers_and_is_recorded(world):
    response = _api(world.manager).get(reverse("api:indicator-iptt-xlsx"), {"programme": world.programme.pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(_body(response)), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:2] == ("Código", "Indicador")
    by_code = {row[0]: row for row in rows[1:]}
    lop_actual = header.index("Vida del programa · Real")
    assert by_code["ret-per"][lop_actual] == 3  # a number, not text
    assert by_code["ret-per"][header.index("Vida del programa · Meta")] == 5
    assert AccessEvent.objects.filter(user=world.manager, action="export", channel="api").exists()


def test_iptt_csv_page_download_with_suppression_for_the_officer(world):
    url = reverse("monitoring:iptt-download", args=[world.programme.pk, "csv"])
    response = _web(world.officer).get(url, {"por": "sex"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(_body(response).decode("utf-8-sig"))))
    ret = next(row for row in rows if row[0] == "ret-per")
    assert "< 5" in ret
    assert AccessEvent.objects.filter(user=world.officer, action="export").exists()


def test_logframe_downloads(world):
    response = _web(world.manager).get(reverse("monitoring:logframe-download", args=[world.programme.pk, "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(_body(response)), read_only=True).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row]
    assert "Reintegración sostenible" in " ".join(str(c) for c in cells if c)
    assert "forzados" in cells and "Recortes" in cells


def _hxl(content: bytes):
    """The file as libhxl reads it: it finds the hashtag row under the header itself."""
    return hxl.data(io.BytesIO(content))


def test_hxl_values_parse_with_libhxl(world):
    response = _api(world.manager).get(reverse("api:indicator-values-hxl"), {"programme": world.programme.pk})
    assert response.status_code == 200
    source = _hxl(_body(response))
    for tag in ("#indicator+code", "#date+period+start", "#date+period+end", "#adm1+code", "#sex", "#indicator+value"):
        assert tag in source.display_tags
    rows = list(source)
    totals = {
        (r.get("#indicator+code"), r.get("#date+period+start")): r.get("#indicator+value")
        for r in rows
        if not r.get("#sex") and not r.get("#age+band") and not r.get("#adm1+code") and not r.get("#adm2+code")
    }
    assert totals[("ret-per", "2026-01-01")] == "2.0"
    assert totals[("ret-cum", "2026-04-01")] == "3.0"
    female_q1 = [
        r.get("#indicator+num")
        for r in rows
        if r.get("#indicator+code") == "ret-per"
        and r.get("#sex") == "female"
        and r.get("#date+period+end") == "2026-03-31"
    ]
    assert female_q1 == ["1.0"]
    assert AccessEvent.objects.filter(user=world.manager, action="export").exists()


def test_donor_report_pdf(world):
    response = _api(world.manager).get(reverse("api:reporting-period-report", args=[world.q2.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert _body(response).startswith(b"%PDF")
    html = pdf.donor_report_html(world.manager, world.q2)
    for text in ("Reintegración sostenible", "Contexto del trimestre.", "Avances.", "<svg", "k = 5", "T2 2026"):
        assert text in html
    charts = pdf.charts(reports.iptt_for(world.manager, world.programme, up_to=world.q2))
    assert ">3</text>" in charts[world.per_period.pk]  # the LoP actual, as a number, in the chart
    hidden = pdf.charts(reports.iptt_for(world.officer, world.programme, up_to=world.q2))
    assert "&lt; 5</text>" in hidden[world.per_period.pk] and ">3</text>" not in hidden[world.per_period.pk]
    page = _web(world.officer).get(reverse("monitoring:donor-report", args=[world.q1.pk]))
    assert page.status_code == 200 and _body(page).startswith(b"%PDF")
    assert _web(world.outsider).get(reverse("monitoring:donor-report", args=[world.q1.pk])).status_code == 404


def test_file_downloads_answer_a_client_asking_for_their_type(world):
    """`Accept: application/pdf` (or the workbook's, or CSV's type) gets the file, not 406; as the case file's API."""
    api = _api(world.manager)
    pdf_response = api.get(reverse("api:reporting-period-report", args=[world.q2.pk]), HTTP_ACCEPT="application/pdf")
    assert pdf_response.status_code == 200 and _body(pdf_response).startswith(b"%PDF")
    hxl = api.get(reverse("api:indicator-values-hxl"), {"programme": world.programme.pk}, HTTP_ACCEPT="text/csv")
    assert hxl.status_code == 200
    missing = api.get(reverse("api:reporting-period-report", args=[999999]), HTTP_ACCEPT="application/pdf")
    assert missing.status_code == 404


def test_iptt_page_disaggregates_on_screen(world):
    response = _web(world.manager).get(reverse("monitoring:iptt", args=[world.programme.pk]), {"por": "sex"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Sexo: Mujer" in text and "Encaminado" in text and "Rezagado" in text
    officer = _web(world.officer).get(reverse("monitoring:iptt", args=[world.programme.pk]), {"por": "sex"})
    assert "&lt; 5" in officer.content.decode()


def test_public_page_shows_only_opted_in_indicators_of_submitted_periods(world):
    from reintegra.monitoring import services

    services.submit_period(world.manager, world.q1)
    client = _web()
    response = client.get(reverse("statistics:programme", args=[world.programme.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "ret-per" in text and "ret-cum" not in text and "forzados" not in text
    assert "&lt; 5" in text  # always suppressed, even where a reader of the cases would see 2
    assert len(response.content) < 100_000 and '<script src="/static/vendor/chart' not in text
    assert "T1 2026" in text and "T2 2026" not in text  # the open quarter's values are still moving
    assert world.programme.name in client.get(reverse("statistics:home")).content.decode()
    hxl_file = client.get(reverse("statistics:download-hxl", args=[world.programme.pk]))
    rows = list(_hxl(_body(hxl_file)))
    assert {r.get("#indicator+code") for r in rows} == {"ret-per"}
    assert {r.get("#date+period+start") for r in rows} == {"2026-01-01"}
    assert client.get(reverse("statistics:download-csv", args=[world.programme.pk])).status_code == 200


def test_public_page_404_when_not_published(world):
    world.framework.is_public = False
    world.framework.save()
    client = _web()
    assert client.get(reverse("statistics:programme", args=[world.programme.pk])).status_code == 404
    assert client.get(reverse("statistics:download-hxl", args=[world.programme.pk])).status_code == 404
    assert client.get(reverse("statistics:programme", args=[999999])).status_code == 404
    assert world.programme.name not in client.get(reverse("statistics:home")).content.decode()


def test_today_is_after_the_quarters():
    assert date.today() >= date(2026, 4, 1)  # the world's Q2 has started (the LoP reads the started periods)


def test_hxl_area_rows_carry_the_area_codes(world):
    from reintegra.places.models import AdminArea
    from reintegra.testing import factories as f

    state = AdminArea.objects.create(country="MX", level=1, code="MX-JAL", name="Jalisco")
    town = AdminArea.objects.create(country="MX", level=2, code="14039", name="Guadalajara", parent=state)
    person = f.returnee(world.manager, sex="female", municipality_id=town.pk)
    f.case(world.manager, person, return_date=date(2026, 3, 1), return_type="forced")
    response = _web(world.manager).get(reverse("monitoring:values-hxl", args=[world.programme.pk]))
    rows = [r for r in _hxl(_body(response)) if r.get("#indicator+code") == "ret-per"]
    q1 = [r for r in rows if r.get("#date+period+start") == "2026-01-01"]
    assert {(r.get("#adm1+code"), r.get("#indicator+num")) for r in q1 if r.get("#adm1+code")} == {
        ("MX-JAL", "1.0"),
        ("unknown", "2.0"),
    }
    assert ("14039", "1.0") in {(r.get("#adm2+code"), r.get("#indicator+num")) for r in q1}

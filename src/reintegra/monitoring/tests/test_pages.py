"""The results framework's pages: what an M&E officer and a programme manager see and do, and what the
others are refused."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from reintegra.access.roles import Role
from reintegra.monitoring import services as s
from reintegra.monitoring.models import Indicator, ReportedValue, ReportingPeriod, ResultNode, Snapshot
from reintegra.testing import factories as f

pytestmark = pytest.mark.django_db

COUNT_CASES = {"population": "cases", "unit": "case", "date": "return_date"}


@pytest.fixture
def world():
    org = f.organisation("mon")
    programme = org.programmes.get()
    officer = f.user(org, Role.ME_OFFICER)
    framework = s.create_framework(officer, programme)
    impact = s.add_node(officer, framework, s.NodeInput(kind="impact", title="Reintegración sostenible"))
    outcome = s.add_node(officer, framework, s.NodeInput(kind="outcome", title="Autosuficiencia", parent=impact.pk))
    indicator = s.create_indicator(
        officer,
        framework,
        s.IndicatorInput(
            node=outcome.pk,
            code="casos",
            name_es="Casos abiertos",
            measure="count",
            is_computed=True,
            definition=COUNT_CASES,
        ),
    )
    return {
        "org": org,
        "programme": programme,
        "officer": officer,
        "framework": framework,
        "impact": impact,
        "outcome": outcome,
        "indicator": indicator,
    }


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def read_urls(w):
    p = w["programme"].pk
    return [
        reverse("monitoring:index"),
        reverse("monitoring:framework", args=[p]),
        reverse("monitoring:logframe", args=[p]),
        reverse("monitoring:indicators", args=[p]),
        reverse("monitoring:library", args=[p]),
        reverse("monitoring:targets", args=[p]),
        reverse("monitoring:periods", args=[p]),
    ]


def manage_urls(w):
    p = w["programme"].pk
    return [
        reverse("monitoring:framework_edit", args=[p]),
        reverse("monitoring:node_create", args=[p]),
        reverse("monitoring:node_edit", args=[w["outcome"].pk]),
        reverse("monitoring:indicator_create", args=[p]),
        reverse("monitoring:indicator_edit", args=[w["indicator"].pk]),
    ]


@pytest.mark.parametrize("role", [Role.ME_OFFICER, Role.PROGRAMME_MANAGER])
def test_managers_open_every_page(world, role):
    client = client_for(f.user(world["org"], role))
    for url in read_urls(world) + manage_urls(world):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(reverse("monitoring:framework", args=[world["programme"].pk]))
    assert "Autosuficiencia" in page.content.decode() and "casos" in page.content.decode()


def test_others_are_refused(world):
    stranger = client_for(f.user(f.organisation("otra"), Role.ME_OFFICER))
    for url in read_urls(world)[1:] + manage_urls(world):
        assert stranger.get(url).status_code == 404, url
    case_manager = client_for(f.user(world["org"], Role.CASE_MANAGER))
    for url in read_urls(world):
        assert case_manager.get(url).status_code == 403, url
    dpo = client_for(f.user(world["org"], Role.DATA_PROTECTION_OFFICER))  # reads aggregates, changes nothing
    assert dpo.get(read_urls(world)[1]).status_code == 200
    for url in manage_urls(world):
        assert dpo.get(url).status_code == 403, url


def test_node_under_the_wrong_kind_is_shown_on_the_form(world):
    client = client_for(world["officer"])
    url = reverse("monitoring:node_create", args=[world["programme"].pk])
    response = client.post(url, {"kind": "activity", "title": "Talleres", "parent": world["impact"].pk})
    assert response.status_code == 200
    assert "wrong_kind" in {e.code for e in response.context["form"].errors.as_data()["parent"]}
    response = client.post(url, {"kind": "output", "title": "Planes", "parent": world["outcome"].pk})
    assert response.status_code == 302 and ResultNode.objects.filter(title="Planes").exists()


def test_indicator_form_preview_and_definition_errors(world):
    officer = world["officer"]
    f.case(f.user(world["org"], Role.CASE_MANAGER), return_date=date.today())
    client = client_for(officer)
    url = reverse("monitoring:indicator_create", args=[world["programme"].pk])
    data = {
        "node": world["outcome"].pk,
        "code": "ret",
        "name_es": "Retornados",
        "measure": "count",
        "direction": "increase",
        "time_aggregation": "per_period",
        "frequency": "quarterly",
        "is_computed": "on",
        "definition": json.dumps({**COUNT_CASES, "unit": "person"}),
    }
    preview = client.post(url, {**data, "preview": "1", "disaggregate": "sex"})
    assert preview.status_code == 200 and preview.context["preview"]["cells"]
    assert not Indicator.objects.filter(code="ret").exists()
    bad = client.post(url, {**data, "definition": json.dumps({**COUNT_CASES, "unit": "nobody"})})
    assert "invalid_choice" in {e.code for e in bad.context["form"].errors.as_data()["definition"]}
    assert client.post(url, data).status_code == 302
    assert Indicator.objects.get(code="ret").definition["unit"] == "person"


def test_periods_submit_and_recompute(world):
    client = client_for(world["officer"])
    p = world["programme"].pk
    assert client.post(reverse("monitoring:quarters", args=[p]), {"year": "2026"}).status_code == 302
    refused = client.post(
        reverse("monitoring:periods", args=[p]), {"kind": "custom", "starts_on": "2026-03-01", "ends_on": "2026-01-01"}
    )
    assert "ends_before_start" in {e.code for e in refused.context["form"].errors.as_data()["ends_on"]}
    q1 = ReportingPeriod.objects.get(label="2026-T1")
    assert client.get(reverse("monitoring:period_submit", args=[q1.pk])).status_code == 200
    assert client.post(reverse("monitoring:period_submit", args=[q1.pk]), {"revision": q1.revision}).status_code == 302
    assert Snapshot.objects.filter(period=q1).count() == 1
    again = client.post(reverse("monitoring:period_submit", args=[q1.pk]), {"revision": "2"}, follow=True)
    assert "already submitted" in again.content.decode() or "ya" in again.content.decode()
    changes = client.get(reverse("monitoring:period_recompute", args=[q1.pk]))
    assert changes.status_code == 200 and changes.context["rows"][0]["change"].reason == "unchanged"
    # A case returned in the submitted quarter changes its cells; they are named in words, not stored codes.
    f.case(f.user(world["org"], Role.CASE_MANAGER), return_date=date(2026, 2, 10))
    changed = client.get(reverse("monitoring:period_recompute", args=[q1.pk]), HTTP_ACCEPT_LANGUAGE="es")
    names = [item["name"] for row in changed.context["rows"] for item in row["cells"]]
    assert any(name.startswith("Sexo · ") for name in names), names
    text = changed.content.decode()
    assert "sex · " not in text and "· female" not in text and "flag_" not in text


def test_reported_value_with_evidence(world):
    officer = world["officer"]
    by_hand = s.create_indicator(
        officer,
        world["framework"],
        s.IndicatorInput(node=world["outcome"].pk, code="talleres", name_es="Talleres", measure="count"),
    )
    (q1, *_rest) = s.create_quarters(officer, world["programme"], 2026)
    client = client_for(officer)
    url = reverse("monitoring:reported_value", args=[q1.pk, by_hand.pk])
    assert client.get(url).status_code == 200
    wrong = client.post(url, {"numerator": "10", "cells": '{"sex": {"female": 3}}', "revision": "0"})
    assert "does_not_add_up" in {e.code for e in wrong.context["form"].errors.as_data()["cells"]}
    evidence = SimpleUploadedFile("lista.pdf", b"%PDF-1.4 lista", content_type="application/pdf")
    saved = client.post(
        url, {"numerator": "10", "cells": '{"sex": {"female": 3, "male": 7}}', "revision": "0", "evidence": evidence}
    )
    assert saved.status_code == 302
    stored = ReportedValue.objects.get(indicator=by_hand, period=q1)
    assert stored.numerator == 10 and stored.evidence.name.endswith(".pdf")


def test_preview_hides_small_counts_from_aggregate_readers(world):
    case_manager = f.user(world["org"], Role.CASE_MANAGER)
    f.case(case_manager, f.returnee(case_manager, sex="female"), return_date=date.today())
    data = {
        "node": world["outcome"].pk,
        "code": "ret",
        "name_es": "Retornados",
        "measure": "count",
        "is_computed": "on",
        "definition": json.dumps(COUNT_CASES),
        "preview": "1",
        "disaggregate": "sex",
    }
    url = reverse("monitoring:indicator_create", args=[world["programme"].pk])
    officer = client_for(world["officer"]).post(url, data).context["preview"]  # reads aggregates only
    assert officer["total"] is None and officer["suppressed"]
    assert all(row["cell"] is None for row in officer["cells"])
    manager = client_for(f.user(world["org"], Role.PROGRAMME_MANAGER)).post(url, data).context["preview"]
    assert manager["total"].value == 1 and not manager["suppressed"]
    assert {row["bucket"]: row["cell"].value for row in manager["cells"]} == {"Mujer": 1}

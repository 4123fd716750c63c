"""The M&E dashboards on a small dataset: KPI tiles against targets, suppression for an M&E officer and exact
numbers for a programme manager, every chart with its table, snapshots of submitted periods, the
cross-organisation dashboard, the drill-down (refused, audited) and the home panel."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reintegra.access.roles import Role
from reintegra.monitoring import case_facts, dashboard, engine, presenting
from reintegra.monitoring.models import (
    Indicator,
    ReportingPeriod,
    ResultNode,
    ResultsFramework,
    Snapshot,
    StandardIndicator,
    Target,
)
from reintegra.testing import factories as f
from reintegra.testing.trail import access_events

pytestmark = pytest.mark.django_db

PEOPLE = {"population": "cases", "unit": "person", "date": "return_date"}
URL = reverse("monitoring:dashboard_home")
CROSS_URL = reverse("monitoring:cross_organisation")
K = 3


def _people(manager, sexes):
    return [f.case(manager, f.returnee(manager, sex=sex)) for sex in sexes]


@pytest.fixture
def world():
    org = f.organisation("dash")
    programme = org.programmes.get()
    programme.suppression_threshold = K
    programme.save()
    manager = f.user(org, Role.CASE_MANAGER)
    cases = _people(manager, ["female"] * 4 + ["male"] * 3 + ["intersex"])
    today = timezone.localdate()
    period = ReportingPeriod.objects.create(
        programme=programme, label="Trimestre", starts_on=today - timedelta(days=60), ends_on=today + timedelta(days=5)
    )
    framework = ResultsFramework.objects.create(programme=programme)
    impact = ResultNode.objects.create(framework=framework, kind="impact", title="Reintegración sostenible")
    indicator = Indicator.objects.create(
        framework=framework,
        node=impact,
        code="ret",
        name_es="Personas retornadas registradas",
        name_en="Returnees registered",
        measure="count",
        definition=PEOPLE,
        is_kpi=True,
        baseline_value=0,
    )
    Target.objects.create(indicator=indicator, period=period, value=10)
    return {
        "org": org,
        "programme": programme,
        "period": period,
        "indicator": indicator,
        "cases": cases,
        "officer": f.user(org, Role.ME_OFFICER),
        "pm": f.user(org, Role.PROGRAMME_MANAGER),
        "coordinator": f.user(f.organisation("mesa"), Role.COORDINATOR),
        "provider": f.user(f.organisation("prov"), Role.SERVICE_PROVIDER),
    }


def _page(client, user, url=URL, **query):
    client.force_login(user)
    response = client.get(url, query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response.status_code
    return response


def test_tile_against_the_period_target(world):
    officer, programme = world["officer"], world["programme"]
    spans = dashboard.spans_of(programme)
    assert [s.period for s in spans] == [world["period"]]
    (tile,) = dashboard.kpi_tiles(officer, programme, spans, dashboard.protection_for(officer, [programme]))
    assert tile.point.total.value == 8
    assert tile.target == 10 and tile.achieved == pytest.approx(80.0)
    assert tile.status == "attention"


def test_an_officer_sees_small_cells_suppressed_a_manager_exact(world, client):
    officer, pm, indicator = world["officer"], world["pm"], world["indicator"]
    spans = dashboard.spans_of(world["programme"])
    start = dashboard.programme_start(world["programme"], spans)
    hidden = dashboard.disaggregation(
        indicator, spans[:1], "sex", dashboard.protection_for(officer, [world["programme"]]), start
    )
    # intersex (1) is below k; male (3), the smallest other, is hidden with it so 8 - 4 gives only a sum.
    assert hidden.cells["female"].value == 4
    assert hidden.cells["intersex"].suppressed and hidden.cells["intersex"].value is None
    assert hidden.cells["male"].suppressed and hidden.cells["male"].value is None
    exact = dashboard.disaggregation(
        indicator, spans[:1], "sex", dashboard.protection_for(pm, [world["programme"]]), start
    )
    assert {b: c.value for b, c in exact.cells.items()} == {"female": 4, "male": 3, "intersex": 1}

    text = _page(client, officer, programme=world["programme"].pk, by="sex").content.decode()
    assert "&lt; 3" in text
    # The chart gets no number for a hidden cell: its data are 4 and two nulls.
    chart = re.search(r'id="disaggregation-chart"[^>]*>(.*?)</script>', text, re.S).group(1)
    assert '"data": [4.0, null, null]' in chart
    text = _page(client, pm, programme=world["programme"].pk, by="sex").content.decode()
    assert "&lt; 3" not in text
    chart = re.search(r'id="disaggregation-chart"[^>]*>(.*?)</script>', text, re.S).group(1)
    assert '"data": [4.0, 3.0, 1.0]' in chart  # Female, Male, Intersex: the choices' order (issue 18.16)


def test_every_chart_has_its_figures_as_a_table(world, client):
    text = _page(client, world["officer"], by="sex").content.decode()
    charts = re.findall(r'<canvas data-chart="([^"]+)"', text)
    assert charts == ["trend-ret", "disaggregation-chart"]
    tables = re.findall(r"<details class=\"chart-data\".*?<table.*?<caption class=\"visually-hidden\">", text, re.S)
    assert len(tables) == len(charts)
    assert "The figures of this chart as a table" in text
    drill = reverse("monitoring:drilldown", args=[world["indicator"].pk]) + "?period=0"
    # the period's value in the table opens its records (an M&E officer may see them pseudonymised)
    assert f'<th scope="row">Trimestre</th><td class="num"><a href="{drill}">8</a></td><td class="num">10</td>' in text


def test_a_submitted_period_shows_its_snapshot(world):
    period, indicator, officer = world["period"], world["indicator"], world["officer"]
    period.status = "submitted"
    period.save()
    Snapshot.objects.create(
        period=period,
        indicator=indicator,
        definition_hash="x",
        values={
            "total": {"numerator": 12, "denominator": None, "value": 12},
            "dimensions": {"sex": {"female": {"numerator": 7, "value": 7}, "male": {"numerator": 5, "value": 5}}},
        },
    )
    spans = dashboard.spans_of(world["programme"])
    protection = dashboard.protection_for(officer, [world["programme"]])
    (tile,) = dashboard.kpi_tiles(officer, world["programme"], spans, protection)
    assert tile.point.total.value == 12  # frozen, not the 8 counted today
    point = dashboard.disaggregation(indicator, spans[:1], "sex", protection, spans[0].starts_on)
    assert {b: c.value for b, c in point.cells.items()} == {"female": 7, "male": 5}


def test_empty_state_links_to_where_indicators_are_made(world, client):
    other = f.programme(world["org"], "vacio", name="Programa vacío")
    text = _page(client, world["officer"], programme=other.pk).content.decode()
    assert "This programme has no indicators yet" in text and 'href="/seguimiento/"' in text


def test_the_programme_dashboard_is_scoped(world, client):
    foreign = f.organisation("otra").programmes.get()
    client.force_login(world["officer"])
    assert client.get(URL, {"programme": foreign.pk}).status_code == 404
    assert client.get(URL, {"programme": "x"}).status_code == 404
    client.force_login(world["provider"])
    assert client.get(URL).status_code == 403


def _drill_events():
    return [e for e in access_events(object_type="cases.case") if "drill-down" in e.purpose]


def _drill(indicator, **query):
    return reverse("monitoring:drilldown", args=[indicator.pk]), {"period": 0, **query}


def test_drilldown_refused_to_coordinators_and_providers(world, client):
    url, query = _drill(world["indicator"])
    for role in ("coordinator", "provider"):
        client.force_login(world[role])
        assert client.get(url, query).status_code == 403
    assert not _drill_events()


def test_drilldown_gives_an_officer_pseudonymised_rows_and_records_it(world, client):
    url, query = _drill(world["indicator"], by="sex", bucket="female")
    response = _page(client, world["officer"], url, **query)
    text = response.content.decode()
    assert "4 cases counted" in text
    assert "María José" not in text and "Hernández" not in text
    assert not any(case.case_number in text for case in world["cases"])
    rows, withheld = response.context["rows"], response.context["withheld"]
    assert len(rows) + withheld == 4
    for row in rows:
        assert row["case_pid"] in text
    (event,) = _drill_events()
    assert event.user == world["officer"] and "ret" in event.purpose and "sex=female" in event.purpose


def test_drilldown_of_a_hidden_cell_lists_nothing(world, client):
    url, query = _drill(world["indicator"], by="sex", bucket="intersex")
    response = _page(client, world["officer"], url, **query)
    assert response.context["hidden"] and "rows" not in response.context
    assert not _drill_events()


def test_drilldown_gives_a_manager_the_cases_through_the_access_layer(world, client):
    url, query = _drill(world["indicator"], by="sex", bucket="male")
    text = _page(client, world["pm"], url, **query).content.decode()
    males = [c for c in world["cases"] if c.returnee.sex == "male"]
    for case in world["cases"]:
        assert (case.case_number in text) == (case in males)
    assert reverse("cases:detail", args=[males[0].pk]) in text
    assert [e.user for e in _drill_events()] == [world["pm"]]
    foreign = f.user(f.organisation("ajena"), Role.PROGRAMME_MANAGER)
    client.force_login(foreign)
    assert client.get(url, query).status_code == 404


def test_cross_organisation_dashboard_is_suppressed_and_for_coordinators(world, client):
    StandardIndicator.objects.create(code="std-ret", name_es="Retornados", measure="count", definition=PEOPLE)
    spans = dashboard.last_quarters()
    latest = dashboard.latest_index(spans)  # the last quarter that has ended
    returned = spans[latest].starts_on + timedelta(days=1)
    type(world["cases"][0]).objects.filter(pk__in=[c.pk for c in world["cases"]]).update(return_date=returned)
    case_facts.refresh([c.pk for c in world["cases"]])  # a queryset update sends no signal
    other_org = f.organisation("segunda")
    f.case(f.user(other_org, Role.CASE_MANAGER), return_date=returned)  # one person: below k in its organisation
    response = _page(client, world["coordinator"], CROSS_URL, indicator="std-ret", by="organisation")
    rows = response.context["disaggregation"]["rows"]
    shown = {label: cell for label, cell, _link in rows}
    assert shown[other_org.name].suppressed
    # complementary: the only other organisation is hidden too, so 9 - x cannot be read
    assert shown[world["org"].name].suppressed
    (points,) = [points for standard, points in response.context["rows"] if standard.code == "std-ret"]
    assert points[latest].total.value == 9
    for role in ("pm", "officer"):
        client.force_login(world[role])
        assert client.get(CROSS_URL).status_code == 403


def test_cross_organisation_values_are_computed_once_per_cache_window(world, monkeypatch):
    standard = StandardIndicator.objects.create(code="std-x", name_es="Retornados", measure="count", definition=PEOPLE)
    spans = dashboard.last_quarters()
    calls = []
    compute = dashboard._computed
    monkeypatch.setattr(dashboard, "_computed", lambda *args: calls.append(args) or compute(*args))
    ids = [world["programme"].pk]
    first = dashboard.standard_series(standard, ids, spans, None, spans[0].starts_on)
    again = dashboard.standard_series(standard, ids, spans, None, spans[0].starts_on)
    assert len(calls) == 1 and [r.total for r in again] == [r.total for r in first]
    dashboard.standard_series(standard, ids, spans, "sex", spans[0].starts_on)  # another question
    assert len(calls) == 2


def test_the_officer_home_shows_the_kpi_tiles(world, client):
    text = _page(client, world["officer"], reverse("dashboard")).content.decode()
    assert "Key indicators" in text and "Returnees registered" in text
    client.force_login(world["provider"])
    assert "Key indicators" not in client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_a_percentage_hides_cells_whose_numerator_or_denominator_is_small():
    span = dashboard.Span("T1", timezone.localdate(), timezone.localdate())
    raw = dashboard.Raw(
        engine.make_cell("percentage", 13, 30),
        {
            "female": engine.make_cell("percentage", 10, 20),
            "male": engine.make_cell("percentage", 1, 6),  # 1 person in the numerator: below k
            "unknown": engine.make_cell("percentage", 2, 4),  # 4 in the denominator: below k
        },
    )
    point = dashboard.protect(raw, span, "percentage", dashboard.Protection(exact=False, k=5))
    assert point.total.value == pytest.approx(100 * 13 / 30)
    assert point.cells["male"].suppressed and point.cells["unknown"].suppressed
    # With two hidden numerators (1 + 2 = 3), female's 10 could still be shown: the total minus it is a sum.
    assert point.cells["female"].value == 50.0
    exact = dashboard.protect(raw, span, "percentage", dashboard.Protection(exact=True, k=5))
    assert not any(c.suppressed for c in exact.cells.values())


def test_a_kpi_meant_to_fall_is_achieved_by_falling(world):
    indicator = world["indicator"]
    indicator.direction, indicator.baseline_value = "decrease", 20
    span = dashboard.spans_of(world["programme"])[0]
    point = dashboard.Point(span, presenting.Shown(numerator=12.0, denominator=None, value=12.0))
    tile = dashboard.tile(indicator, point)  # from 20 towards 10, now 12: 80 %
    assert tile.achieved == pytest.approx(80.0) and tile.status == "attention"


def test_tiles_show_the_last_period_that_has_ended():
    today = timezone.localdate()
    spans = dashboard.last_quarters(today=today)
    assert spans[-1].starts_on <= today <= spans[-1].ends_on
    assert dashboard.latest_index(spans, today) == len(spans) - 2
    assert dashboard.latest_index(spans[-1:], today) == 0  # none has ended: the one begun

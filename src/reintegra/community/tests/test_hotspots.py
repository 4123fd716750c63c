"""Return hotspots from the database: cases by municipality of return, reception intakes without a case,
repeat returns, population, k-suppression, the page, the exports and the API."""

from __future__ import annotations

from datetime import datetime, time

import pytest
from django.urls import reverse
from django.utils import timezone

from reintegra.access.models import AccessEvent, Programme
from reintegra.cases.choices import CaseStatus
from reintegra.cases.models import Case
from reintegra.community import selectors
from reintegra.reception.models import Arrival, Intake, ReceptionPoint
from reintegra.testing import factories as f
from reintegra.testing.api_clients import api_client_for

from .conftest import days_ago

pytestmark = pytest.mark.django_db


def _returns(office, muni, days: list[int], *, repeat_of: int = 0):
    """Cases returning `days` ago to `muni`; the first `repeat_of` people had returned once before too."""
    for i, day in enumerate(days):
        person = f.returnee(office.case_manager, return_country="GT", nationality="GT", municipality_id=muni.pk)
        if i < repeat_of:
            earlier = f.case(office.case_manager, person, return_date=days_ago(day + 500))
            Case.objects.filter(pk=earlier.pk).update(
                status=CaseStatus.CLOSED, closure_reason="support_ended", closed_on=days_ago(day + 400)
            )  # an earlier return, closed
        f.case(office.case_manager, person, return_date=days_ago(day))


@pytest.fixture
def returns(office):
    Programme.objects.filter(organisation=office.org).update(suppression_threshold=2)
    _returns(office, office.muni, [5, 20, 40, 200], repeat_of=2)  # + 2 older (repeat) returns, 500+ days ago
    _returns(office, office.muni2, [10, 30, 100])
    # reception: two people received for Chiantla (no case), one for Huehuetenango whose case counts already
    point = ReceptionPoint.objects.create(organisation=office.org, code="fag", name="FAG", country="GT", kind="airport")
    arrived = timezone.make_aware(datetime.combine(days_ago(15), time(10)))
    arrival = Arrival.objects.create(
        organisation=office.org, point=point, arrived_at=arrived, means="flight", return_type="forced"
    )
    for _i in range(2):
        person = f.returnee(office.case_manager, return_country="GT", nationality="GT")
        Intake.objects.create(arrival=arrival, returnee=person, municipality_of_destination=office.muni2)
    return office


def test_hotspots_count_cases_and_intakes_per_municipality(returns):
    found = selectors.hotspots_for(returns.me_officer, period_days=365)
    by_code = {row.area.code: row for row in found.rows}
    huehue, chiantla = by_code["GT-1301"].spot, by_code["GT-1302"].spot
    assert (huehue.returns, huehue.returns_90, huehue.returns_365) == (4, 3, 4)
    assert (chiantla.returns, chiantla.returns_90, chiantla.returns_365) == (5, 4, 5)  # 3 cases + 2 intakes
    assert huehue.population == 20_000 and huehue.returns_per_1000 == pytest.approx(0.2)
    assert chiantla.population is None and chiantla.returns_per_1000 is None
    assert huehue.repeat_share == pytest.approx(0.5)
    assert [row.area.code for row in found.rows] == ["GT-1301", "GT-1302"]  # ranked by rate; no rate last
    assert found.rows[0].community == returns.community
    assert found.k == 2


def test_small_counts_are_hidden_and_another_organisation_s_returns_do_not_count(returns):
    pm = returns.other_pm
    f.case(pm, f.returnee(pm, return_country="GT", municipality_id=returns.muni.pk), return_date=days_ago(3))
    found = selectors.hotspots_for(returns.me_officer, period_days=90)
    huehue = {row.area.code: row for row in found.rows}["GT-1301"].spot
    assert huehue.returns == 3  # the other organisation's case is not counted
    # Huehuetenango's 1 return of the previous 90 days is below k: hidden, with another cell.
    assert huehue.previous_returns is None


def test_the_page_shows_ranked_rows_with_sparklines_and_downloads_are_audited(returns, client):
    client.force_login(returns.me_officer)
    page = client.get(reverse("community:hotspots"))
    assert page.status_code == 200
    body = page.content.decode()
    assert body.count('class="sparkline"') == 2
    assert 'id="chart-hotspots"' in body
    assert body.index("Huehuetenango") < body.index("Chiantla")
    download = client.get(reverse("community:hotspots"), {"format": "csv"})
    assert download.status_code == 200
    text = b"".join(download.streaming_content).decode()
    assert "GT-1301" in text and "GT-1302" in text
    assert AccessEvent.objects.filter(user=returns.me_officer, action="export").exists()
    assert client.get(reverse("community:hotspots"), {"format": "xlsx"}).status_code == 200


def test_the_api_answers_the_issue_s_fields(returns):
    answer = api_client_for(returns.me_officer).get("/api/v1/communities/hotspots/", {"period_days": 365})
    assert answer.status_code == 200
    first = answer.json()[0]
    assert {
        "community",
        "admin_code",
        "returns",
        "population",
        "returns_per_1000",
        "previous_returns",
        "repeat_share",
    } <= set(first)
    assert (first["admin_code"], first["returns"], first["community"]) == ("GT-1301", 4, returns.community.pk)
    bad = api_client_for(returns.me_officer).get("/api/v1/communities/hotspots/", {"period_days": 30})
    assert bad.status_code == 400 and "period_days" in bad.json()


@pytest.mark.parametrize("role", ["case_manager", "provider"])
def test_hotspots_are_for_aggregate_readers(returns, client, role):
    user = getattr(returns, role)
    client.force_login(user)
    assert client.get(reverse("community:hotspots")).status_code == 403
    assert api_client_for(user).get("/api/v1/communities/hotspots/").status_code == 403


def test_the_api_changes_a_community_only_with_its_current_etag(office):
    from rest_framework.test import APIClient

    url = f"/api/v1/communities/{office.community.pk}/"
    api = APIClient()
    api.force_authenticate(office.programme_manager)
    read = api.get(url)
    body = {"municipality": office.muni.pk, "population": 25_000, "population_year": 2024, "population_source": "INE"}
    assert api.put(url, body, format="json").status_code == 428
    assert api.put(url, body, format="json", HTTP_IF_MATCH=read["ETag"]).status_code == 200
    stale = api.put(url, body, format="json", HTTP_IF_MATCH=read["ETag"])
    assert stale.status_code == 412 and stale.json()["code"] == "stale"
    checklist = f"{url}site-checklist/"
    scores = {"scores": [{"criterion": "stability", "score": 2, "evidence": "Sin incidentes en 2025"}]}
    assert api.put(checklist, scores, format="json", HTTP_IF_MATCH=read["ETag"]).status_code == 412
    etag = api.get(checklist)["ETag"]
    answer = api.put(checklist, scores, format="json", HTTP_IF_MATCH=etag)
    assert answer.status_code == 200 and answer.json()["total"] == 2

"""`GET /api/v1/audit/`: the merged audit trail for the data-protection officer; read-only."""

import base64
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.utils import timezone
from rest_framework.test import APIClient

from reintegra.access import audit
from reintegra.access.models import AccessEvent
from reintegra.access.roles import Role
from reintegra.testing import factories
from reintegra.testing.sensitive_cases import HEALTH_NOTE, detailed_case
from reintegra.testing.trail import access_events

pytestmark = pytest.mark.django_db

URL = "/api/v1/audit/"


def client_for(user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def api(dpo):
    return client_for(dpo)


@pytest.fixture
def trail(case_manager, other_case_manager):
    own = factories.case(case_manager)
    audit.record_access(case_manager, "view", own, purpose="seguimiento", channel="api")
    audit.record_access(case_manager, "consent_exception", own.returnee, purpose="riesgo vital", flagged=True)
    foreign = factories.case(other_case_manager)
    audit.record_access(other_case_manager, "view", foreign, purpose="ZQX-FOREIGN-PURPOSE")
    return own, foreign


def test_merged_trail_with_source(api, trail, case_manager):
    own, _ = trail
    response = api.get(URL)
    assert response.status_code == 200
    results = response.json()["results"]
    assert {row["source"] for row in results} == {"change", "access"}
    times = [row["at"] for row in results]
    assert times == sorted(times, reverse=True)
    view = next(row for row in results if row["source"] == "access" and row["action"] == "view")
    assert view == {
        "source": "access",
        "id": view["id"],
        "at": view["at"],
        "user": case_manager.pk,
        "username": "gestora",
        "action": "view",
        "object_type": "cases.case",
        "object_id": str(own.pk),
        "changes": None,
        "purpose": "seguimiento",
        "flagged": False,
        "channel": "api",
    }
    change = next(row for row in results if row["source"] == "change" and row["object_type"] == "cases.case")
    assert change["action"] == "create"
    assert change["changes"]["status"] == ["None", "registered"]
    assert change["purpose"] is None and change["channel"] is None
    assert "ZQX-FOREIGN-PURPOSE" not in response.content.decode()


@pytest.mark.parametrize(
    "role",
    [Role.CASE_MANAGER, Role.SUPERVISOR, Role.PROGRAMME_MANAGER, Role.ME_OFFICER, Role.COORDINATOR, Role.ADMIN],
)
def test_other_roles_are_refused(org, role):
    assert client_for(factories.user(org, role)).get(URL).status_code == 403


def test_anonymous_is_refused():
    assert client_for().get(URL).status_code in (401, 403)


def test_sensitive_values_stay_protected(api, case_manager, places):
    detailed_case(case_manager, places)
    response = api.get(URL, {"object_type": "cases.assessment", "page_size": 200})
    assert response.status_code == 200
    assessment = next(row for row in response.json()["results"] if "health_notes" in row["changes"])
    assert assessment["changes"]["health_notes"] == [audit.REDACTED, audit.REDACTED]
    assert HEALTH_NOTE not in response.content.decode()


@pytest.mark.parametrize(
    ("params", "check"),
    [
        ({"source": "access"}, lambda rows: {r["source"] for r in rows} == {"access"}),
        ({"source": "change"}, lambda rows: {r["source"] for r in rows} == {"change"}),
        ({"flagged": "true"}, lambda rows: [r["purpose"] for r in rows] == ["riesgo vital"]),
        ({"action": "consent_exception"}, lambda rows: [r["action"] for r in rows] == ["consent_exception"]),
        ({"action": "create"}, lambda rows: rows and {r["action"] for r in rows} == {"create"}),
        (
            {"object_type": "cases.returnee"},
            lambda rows: rows and {r["object_type"] for r in rows} == {"cases.returnee"},
        ),
    ],
)
def test_filters(api, trail, params, check):
    response = api.get(URL, {**params, "page_size": 200})
    assert response.status_code == 200
    assert check(response.json()["results"])


def test_filter_by_object_user_and_period(api, trail, supervisor):
    own, _ = trail
    audit.record_access(supervisor, "view", own, purpose="supervision")
    rows = api.get(URL, {"object_type": "cases.case", "object_id": own.pk, "user": supervisor.pk}).json()["results"]
    assert [row["purpose"] for row in rows] == ["supervision"]
    today = timezone.localdate()
    assert api.get(URL, {"since": today, "until": today}).json()["results"]
    assert api.get(URL, {"since": today + timedelta(days=1)}).json()["results"] == []
    assert api.get(URL, {"until": today - timedelta(days=1)}).json()["results"] == []


def test_user_of_another_organisation_gives_nothing(api, trail, other_case_manager):
    response = api.get(URL, {"user": other_case_manager.pk})
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"action": "truncate"}, "action"),
        ({"source": "both"}, "source"),
        ({"since": "2025-13-01"}, "since"),
        ({"since": "2025-05-02", "until": "2025-05-01"}, "until"),
        ({"user": "abc"}, "user"),
        ({"user": str(2**70)}, "user"),
        ({"cursor": "garbage"}, "cursor"),
        ({"page_size": "1000"}, "page_size"),
    ],
)
def test_bad_parameters_answer_400(api, params, field):
    response = api.get(URL, params)
    assert response.status_code == 400
    assert field in response.json()


def test_next_pages_cover_everything_once(api, case_manager):
    for i in range(12):
        audit.record_access(case_manager, "view", object_type="cases.case", object_id=i)
    expected = (
        AccessEvent.objects.count() + LogEntry.objects.filter(actor__organisation=case_manager.organisation).count()
    )
    seen = []
    url, params = URL, {"page_size": 5}
    while url:
        body = api.get(url, params).json()
        assert len(body["results"]) <= 5
        seen += [(row["source"], row["id"]) for row in body["results"]]
        url, params = body["next"], None
    assert len(seen) == len(set(seen)) == expected


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_trail_cannot_be_altered_through_the_api(api, trail, case_manager, method):
    events, changes = AccessEvent.objects.count(), LogEntry.objects.count()
    (event,) = access_events(purpose="seguimiento")
    payload = {"purpose": "borrado", "flagged": False}
    assert getattr(api, method)(URL, payload, format="json").status_code == 405
    assert getattr(api, method)(f"{URL}{event.pk}/", payload, format="json").status_code == 404
    # Anyone else is refused before the method is even considered.
    assert getattr(client_for(case_manager), method)(URL, payload, format="json").status_code == 403
    assert (AccessEvent.objects.count(), LogEntry.objects.count()) == (events, changes)
    event.refresh_from_db()
    assert event.purpose == "seguimiento"


def test_edges_of_the_calendar(api, trail):
    response = api.get(URL, {"since": "0001-01-01", "until": "9999-12-31"})
    assert response.status_code == 200
    assert response.json()["results"]
    token = base64.urlsafe_b64encode(b"0001-01-01T00:00:00+14:00|access|1").decode().rstrip("=")
    assert api.get(URL, {"cursor": token}).status_code == 400

"""The audit-trail page for the data-protection officer (/proteccion/auditoria/) and its CSV export."""

import csv
import io
import re
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from reintegra.access import audit, selectors
from reintegra.access.models import AccessEvent
from reintegra.access.roles import Role
from reintegra.cases.models import Case
from reintegra.testing import factories
from reintegra.testing.sensitive_cases import HEALTH_NOTE, detailed_case

pytestmark = pytest.mark.django_db

URL = reverse("access:audit")
EXPORT_URL = reverse("access:audit_export")


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def dpo_client(client, dpo):
    client.force_login(dpo)
    return client


@pytest.fixture
def trail(case_manager, other_case_manager):
    """Activity of oim-mx (case manager) and of ong-gt (another organisation's case manager)."""
    own = factories.case(case_manager)
    audit.record_access(case_manager, "view", own, purpose="control mensual")
    audit.record_access(case_manager, "consent_exception", own.returnee, purpose="riesgo vital", flagged=True)
    foreign = factories.case(other_case_manager)
    audit.record_access(other_case_manager, "view", foreign, purpose="ZQX-FOREIGN-PURPOSE")
    return own, foreign


def _text(response) -> str:
    return response.content.decode()


def _csv_rows(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


@pytest.mark.parametrize(
    "role",
    [
        Role.CASE_MANAGER,
        Role.SUPERVISOR,
        Role.PROGRAMME_MANAGER,
        Role.ME_OFFICER,
        Role.SERVICE_PROVIDER,
        Role.COORDINATOR,
        Role.ADMIN,
    ],
)
def test_only_the_data_protection_officer(client, org, role):
    client.force_login(factories.user(org, role))
    assert client.get(URL).status_code == 403
    assert client.get(EXPORT_URL).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_officer_without_organisation_is_refused(client):
    client.force_login(factories.user(None, Role.DATA_PROTECTION_OFFICER))
    assert client.get(URL).status_code == 403


def test_both_trails_of_the_own_organisation_only(dpo_client, trail):
    own, _foreign = trail
    response = dpo_client.get(URL)
    assert response.status_code == 200
    text = _text(response)
    assert "control mensual" in text and "riesgo vital" in text  # access events
    assert f"Case #{own.pk}" in text and "cases.case #" not in text  # change log, by translated type
    assert "Flagged" in text
    assert "ZQX-FOREIGN-PURPOSE" not in text
    assert "gestor-gt" not in text


def test_changes_show_field_names_and_protected_values(dpo_client, case_manager, places):
    detailed_case(case_manager, places)
    text = _text(dpo_client.get(URL, {"object_type": "cases.assessment"}))
    assert '<strong>Health</strong>: <span class="muted">changed (protected value, not shown)' in text
    assert "health_notes" not in text and audit.REDACTED not in text
    assert HEALTH_NOTE not in text


@pytest.mark.parametrize(
    ("params", "expected", "absent"),
    [
        ({"action": "consent_exception"}, ["riesgo vital"], ["control mensual"]),
        ({"flagged": "on"}, ["riesgo vital"], ["control mensual"]),
        ({"source": "access", "object_type": "cases.case"}, ["control mensual"], ["riesgo vital"]),
        ({"source": "change"}, ["cases.returnee"], ["control mensual", "riesgo vital"]),
    ],
)
def test_filters(dpo_client, trail, params, expected, absent):
    text = _text(dpo_client.get(URL, params))
    for value in expected:
        assert value in text
    for value in absent:
        assert value not in text


def test_filter_by_object_user_and_dates(dpo_client, trail, case_manager, supervisor):
    own, _ = trail
    audit.record_access(supervisor, "view", own, purpose="supervision")
    text = _text(dpo_client.get(URL, {"object_type": "cases.case", "object_id": own.pk, "user": supervisor.pk}))
    assert "supervision" in text
    assert "control mensual" not in text
    today = timezone.localdate()
    assert "control mensual" in _text(dpo_client.get(URL, {"since": today, "until": today}))
    later = today + timedelta(days=1)
    assert "No entry matches these filters." in _text(dpo_client.get(URL, {"since": later}))


def test_user_of_another_organisation_is_not_a_choice(dpo_client, trail, other_case_manager):
    response = dpo_client.get(URL, {"user": other_case_manager.pk})
    assert response.status_code == 200
    assert "Some filters are not valid" in _text(response)
    assert "ZQX-FOREIGN-PURPOSE" not in _text(response)


@pytest.mark.parametrize(
    "params",
    [
        {"since": "2026-02-30"},
        {"since": "2025-05-02", "until": "2025-05-01"},
        {"action": "drop_table"},
        {"object_type": "nope.nope"},
        {"user": "abc"},
    ],
)
def test_bad_filters_are_shown_not_a_crash(dpo_client, trail, params):
    response = dpo_client.get(URL, params)
    assert response.status_code == 200
    assert "Some filters are not valid" in _text(response)
    assert dpo_client.get(EXPORT_URL, params).status_code == 400
    assert not AccessEvent.objects.filter(action="export").exists()


def test_pages_follow_position_without_gaps_or_repeats(dpo_client, case_manager):
    for i in range(60):
        audit.record_access(case_manager, "view", object_type="cases.case", object_id=i, purpose=f"lectura-{i:03d}")
    first = _text(dpo_client.get(URL, {"source": "access"}))
    assert "Older" in first
    token = first.split("before=")[1].split('"')[0].replace("&amp;", "&").split("&")[0]
    second = _text(dpo_client.get(URL, {"source": "access", "before": token}))
    seen_first = {int(n) for n in re.findall(r"lectura-(\d{3})", first)}
    seen_second = {int(n) for n in re.findall(r"lectura-(\d{3})", second)}
    assert len(seen_first) == 50
    assert seen_first | seen_second == set(range(60))
    assert not seen_first & seen_second
    assert "Newest" in second


def test_a_bad_position_shows_the_newest_page(dpo_client, trail):
    response = dpo_client.get(URL, {"before": "not-a-position"})
    assert response.status_code == 200
    assert "control mensual" in _text(response)


def test_merged_paging_handles_simultaneous_entries(dpo, case_manager):
    """Entries of both trails with the same timestamp are neither lost nor repeated across pages."""
    moment = timezone.now()
    content_type = ContentType.objects.get_for_model(Case)
    for i in range(9):
        AccessEvent.objects.create(user=case_manager, action="view", object_type="cases.case", object_id=i, at=moment)
        LogEntry.objects.create(
            content_type=content_type,
            object_pk=str(i),
            object_repr=f"cases.case#{i}",
            action=LogEntry.Action.UPDATE,
            actor=case_manager,
            timestamp=moment,
        )
    everything = list(selectors.audit_trail(dpo))
    collected, position = [], None
    while True:
        page = list(selectors.audit_trail(dpo, older_than=position, limit=4))
        if not page:
            break
        collected += page
        position = page[-1].position
    assert [(e.source, e.id) for e in collected] == [(e.source, e.id) for e in everything]
    assert len(collected) == 18
    keys = [e.sort_key for e in collected]
    assert keys == sorted(keys, reverse=True)


def test_export_is_filtered_recorded_and_spreadsheet_safe(dpo_client, dpo, trail, case_manager):
    audit.record_access(case_manager, "search", object_type="cases.returnee", purpose="=HYPERLINK(1)")
    response = dpo_client.get(EXPORT_URL, {"source": "access", "codes": "1"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv_rows(response)
    purposes = {row["purpose"] for row in rows}
    assert {"control mensual", "riesgo vital", "'=HYPERLINK(1)"} <= purposes
    assert "ZQX-FOREIGN-PURPOSE" not in purposes
    assert {row["source"] for row in rows} == {"access"}
    flagged = next(row for row in rows if row["purpose"] == "riesgo vital")
    assert flagged["flagged"] == "true"
    event = AccessEvent.objects.get(action="export")
    assert event.user == dpo
    assert event.channel == "web"
    assert "audit trail" in event.purpose and "source=access" in event.purpose
    assert event.purpose.endswith("(CSV, codes)")


def test_export_of_changes_holds_protected_values_only(dpo_client, case_manager, places):
    detailed_case(case_manager, places)
    coded = "".join(row["changes"] for row in _csv_rows(dpo_client.get(EXPORT_URL, {"source": "change", "codes": "1"})))
    assert "health_notes" in coded
    assert HEALTH_NOTE not in coded
    readable = "".join(row["Changes"] for row in _csv_rows(dpo_client.get(EXPORT_URL, {"source": "change"})))
    assert "Health: changed" in readable
    assert HEALTH_NOTE not in readable and "health_notes" not in readable


def test_edges_of_the_calendar(dpo_client, trail):
    response = dpo_client.get(URL, {"since": "0001-01-01", "until": "9999-12-31"})
    assert response.status_code == 200
    assert "control mensual" in _text(response)
    assert dpo_client.get(EXPORT_URL, {"since": "0001-01-01", "until": "9999-12-31"}).status_code == 200

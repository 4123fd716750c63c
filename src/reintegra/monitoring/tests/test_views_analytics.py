"""The analytics page (/seguimiento/analitica/, formerly /proteccion/analitica/) and its pseudonymised CSV."""

import csv
import io
from collections import Counter

import pytest
from django.urls import reverse

from reintegra.access.models import AccessEvent, Programme
from reintegra.access.roles import Role
from reintegra.monitoring import analytics
from reintegra.protection import pseudonymise
from reintegra.testing import factories
from reintegra.testing.sensitive_cases import ADDRESS, DOCUMENT_NUMBER, LOCALITY, PHONE, detailed_case

pytestmark = pytest.mark.django_db

URL = reverse("monitoring:analytics")
CSV_URL = reverse("monitoring:analytics_export")

QUASI_IDENTIFIERS = (
    "sex",
    "age_band",
    "nationality",
    "return_type",
    "return_period",
    "return_country",
    "admin1",
    "municipality",
)
# Direct identifiers of the people in `cases` (names, phone, document, address, locality, birth date).
IDENTIFIERS = [
    "María José",
    "Hernández",
    "López",
    PHONE,
    DOCUMENT_NUMBER,
    ADDRESS,
    LOCALITY,
    "1990-05-17",
    "17/05/1990",
]


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def cases(supervisor, other_case_manager, places):
    """Six cases in oim-mx (one detailed, with every identifier; one voluntary return), one in ong-gt."""
    detailed_case(supervisor, places)
    for i in range(5):
        return_type = "voluntary_assisted" if i == 0 else "forced"
        factories.case(supervisor, factories.returnee(supervisor, given_names=f"Persona {i}"), return_type=return_type)
    factories.case(other_case_manager)


def _text(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize(
    "role",
    [Role.ME_OFFICER, Role.PROGRAMME_MANAGER, Role.SUPERVISOR, Role.DATA_PROTECTION_OFFICER],
)
def test_roles_with_aggregates_see_the_page(client, org, cases, role):
    client.force_login(factories.user(org, role))
    response = client.get(URL)
    assert response.status_code == 200
    text = _text(response)
    assert '<h2 id="counts-title">Case status</h2>' in text
    assert "Registered" in text or "In follow-up" in text


def test_coordinator_counts_all_organisations(client, coordinator, cases):
    client.force_login(coordinator)
    response = client.get(URL, {"by": "nationality", "k": 1})
    assert response.status_code == 200
    text = _text(response)
    assert "Case counts across all organisations." in text
    assert "Mexico" in text
    assert "Download pseudonymised case rows" not in text


@pytest.mark.parametrize("role", [Role.CASE_MANAGER, Role.SERVICE_PROVIDER, Role.ADMIN])
def test_other_roles_are_refused(client, org, role):
    client.force_login(factories.user(org, role))
    assert client.get(URL).status_code == 403
    assert client.get(CSV_URL).status_code == 403


def test_small_cells_are_hidden(client, me_officer, supervisor, cases):
    client.force_login(me_officer)
    text = _text(client.get(URL, {"by": "return_type"}))
    assert "Counts below 5 are hidden" in text
    # 5 forced and 1 voluntary: the 1 is hidden, and so is the 5 (else 6 - 5 gives it away).
    assert text.count("Hidden: too few cases</span>") == 2
    factories.case(supervisor, factories.returnee(supervisor, given_names="Otra"), return_type="voluntary_assisted")
    Programme.objects.update(suppression_threshold=2)  # the programme's setting, not the request, lowers k
    text = _text(client.get(URL, {"by": "return_type", "k": 1}))
    assert "Counts below 2 are hidden" in text
    assert "Hidden: too few cases" not in text
    assert ">5<" in text and ">2<" in text


@pytest.mark.parametrize("params", [{"by": "name"}, {"k": "0"}, {"k": "abc"}, {"k": "100000"}])
def test_bad_choices_are_shown_not_a_crash(client, me_officer, cases, params):
    client.force_login(me_officer)
    response = client.get(URL, params)
    assert response.status_code == 200
    assert "Correct the choice above." in _text(response)


@pytest.mark.parametrize(
    "by", ["status", "return_type", "sex", "nationality", "municipality", "closure_category", "return_year"]
)
def test_every_breakdown_holds_no_identifier(client, me_officer, cases, by):
    client.force_login(me_officer)
    response = client.get(URL, {"by": by, "k": 1})
    assert response.status_code == 200
    text = _text(response)
    for identifier in IDENTIFIERS:
        assert identifier not in text


def test_csv_download_is_pseudonymised_and_recorded(client, me_officer, cases):
    client.force_login(me_officer)
    response = client.get(CSV_URL, {"codes": "1"})  # the machine-code layout: the release's own keys as headers
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "pseudonymised-cases" in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    summary = analytics.pseudonymised_release(me_officer).summary
    assert len(rows) == summary["released"] and summary["released"] + summary["suppressed"] == 6  # own organisation
    assert min(Counter(tuple(row[c] for c in QUASI_IDENTIFIERS) for row in rows).values()) >= summary["k"]
    assert tuple(rows[0]) == pseudonymise.ROW_KEYS
    assert {row["organisation"] for row in rows} == {"oim-mx"}
    for identifier in IDENTIFIERS:
        assert identifier not in body
    event = AccessEvent.objects.get(action="export")
    assert (event.user, event.object_type, event.channel) == (me_officer, "cases.case", "web")
    assert f"{len(rows)} rows" in event.purpose


@pytest.mark.parametrize(
    "role", [Role.COORDINATOR, Role.SUPERVISOR, Role.PROGRAMME_MANAGER, Role.DATA_PROTECTION_OFFICER]
)
def test_case_level_rows_only_for_monitoring_and_evaluation(client, org, cases, role):
    client.force_login(factories.user(None if role == Role.COORDINATOR else org, role))
    assert client.get(CSV_URL).status_code == 403
    assert not AccessEvent.objects.filter(action="export").exists()


def test_the_old_paths_redirect_to_the_new_ones_with_their_query(client):
    response = client.get("/proteccion/analitica/?by=sex&k=7")
    assert response.status_code == 301
    assert response["Location"] == reverse("monitoring:analytics") + "?by=sex&k=7"
    response = client.get(reverse("protection:analytics_export"))
    assert response.status_code == 301 and response["Location"] == CSV_URL


def test_rows_follow_the_lifecycle_not_the_alphabet(client, org, supervisor):
    """Issue 18.16: case statuses (and the other choices) are listed in their own order, not by code or label."""
    from reintegra.cases.choices import CaseStatus
    from reintegra.cases.models import Case

    statuses = [CaseStatus.CLOSED, CaseStatus.REGISTERED, CaseStatus.IN_FOLLOW_UP, CaseStatus.ASSESSED]
    for status in statuses:
        case = factories.case(supervisor)
        closure = {"closure_reason": "support_ended", "closed_on": case.return_date} if status == "closed" else {}
        Case.objects.filter(pk=case.pk).update(status=status, **closure)
    officer = factories.user(org, Role.ME_OFFICER)
    rows = analytics.aggregate_cases(officer, by="status", k=1)
    assert [row["status"] for row in rows] == [s for s in CaseStatus.values if s in statuses]
    client.force_login(officer)
    text = _text(client.get(URL))
    positions = [text.index(f"<td>{CaseStatus(s).label}</td>") for s in CaseStatus.values if s in statuses]
    assert positions == sorted(positions)

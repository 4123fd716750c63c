"""The analytics page (/proteccion/analitica/) and the pseudonymised CSV download."""

import csv
import io

import pytest
from django.test import override_settings
from django.urls import reverse

from reintegra.access import pseudonymise
from reintegra.access.models import AccessEvent
from reintegra.access.roles import Role
from reintegra.access.tests.conftest import ADDRESS, DOCUMENT_NUMBER, LOCALITY, PHONE, detailed_case
from reintegra.testing import factories

pytestmark = pytest.mark.django_db

URL = reverse("access:analytics")
CSV_URL = reverse("access:analytics_export")

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


def test_small_cells_are_hidden(client, me_officer, cases):
    client.force_login(me_officer)
    with override_settings(REINTEGRA_MIN_CELL_SIZE=5):
        text = _text(client.get(URL, {"by": "return_type"}))
    assert "Counts below 5 are hidden" in text
    # 5 forced and 1 voluntary: the 1 is hidden, and so is the 5 (else 6 - 5 gives it away).
    assert text.count("Hidden: too few cases</span>") == 2
    with override_settings(REINTEGRA_MIN_CELL_SIZE=1):
        text = _text(client.get(URL, {"by": "return_type", "k": 1}))
    assert "Hidden: too few cases" not in text
    assert ">5<" in text and ">1<" in text


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
    response = client.get(CSV_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "pseudonymised-cases" in response["Content-Disposition"]
    body = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 6  # own organisation only
    assert tuple(rows[0]) == pseudonymise.ROW_KEYS
    assert {row["organisation"] for row in rows} == {"oim-mx"}
    for identifier in IDENTIFIERS:
        assert identifier not in body
    event = AccessEvent.objects.get(action="export")
    assert (event.user, event.object_type, event.channel) == (me_officer, "cases.case", "web")
    assert "6 rows" in event.purpose


@pytest.mark.parametrize(
    "role", [Role.COORDINATOR, Role.SUPERVISOR, Role.PROGRAMME_MANAGER, Role.DATA_PROTECTION_OFFICER]
)
def test_case_level_rows_only_for_monitoring_and_evaluation(client, org, cases, role):
    client.force_login(factories.user(None if role == Role.COORDINATOR else org, role))
    assert client.get(CSV_URL).status_code == 403
    assert not AccessEvent.objects.filter(action="export").exists()

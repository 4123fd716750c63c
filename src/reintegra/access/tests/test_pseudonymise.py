import json
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.test import override_settings

from reintegra.access import crypto, pseudonymise, selectors
from reintegra.access.roles import Role
from reintegra.access.tests.conftest import (
    ADDRESS,
    DOCUMENT_NUMBER,
    GBV_NOTE,
    HEALTH_NOTE,
    LOCALITY,
    MENTAL_NOTE,
    PHONE,
    close_long_ago,
    detailed_case,
)
from reintegra.cases.models import Case
from reintegra.testing import factories

pytestmark = pytest.mark.django_db


def test_pseudonymised_rows(supervisor, me_officer, places, other_case_manager):
    case = detailed_case(supervisor, places)
    factories.case(other_case_manager)  # another organisation: not included
    rows = selectors.pseudonymised_cases(me_officer)
    assert len(rows) == 1
    row = rows[0]
    assert tuple(row) == pseudonymise.ROW_KEYS
    assert row["pid"] == crypto.pseudonym("returnee", case.returnee_id)
    assert row["case_pid"] == crypto.pseudonym("case", case.pk)
    assert row["pid"] != str(case.returnee_id) and len(row["pid"]) == 16
    assert row["organisation"] == "oim-mx"
    assert (row["sex"], row["birth_year"], row["nationality"], row["return_country"]) == ("female", 1990, "MX", "MX")
    assert (row["admin1"], row["municipality"]) == ("Baja California", "Tijuana")
    assert row["return_month"] == case.return_date.replace(day=1)
    assert row["return_type"] == "forced"
    assert row["causes_of_migration"] == ["economic", "violence"]
    assert row["attention_flags"] == ["victim_of_violence"]
    assert (row["status"], row["closure_category"]) == ("in_follow_up", "")
    assert (row["assessments"], row["follow_ups"]) == (1, 1)
    assert row["plan_dimensions"] == ["economic", "psychosocial"]


def test_pseudonymised_rows_hold_no_direct_identifiers(supervisor, me_officer, places):
    case = detailed_case(supervisor, places, given_names="Zqxmaría", first_family_name="Zqxhernández")
    close_long_ago(supervisor, case, days_ago=0)
    returnee = case.returnee
    serialized = json.dumps(selectors.pseudonymised_cases(me_officer), cls=DjangoJSONEncoder, ensure_ascii=False)
    forbidden = [
        returnee.given_names,
        returnee.first_family_name,
        returnee.second_family_name,
        returnee.full_name,
        PHONE,
        ADDRESS,
        LOCALITY,
        DOCUMENT_NUMBER,
        crypto.document_index(DOCUMENT_NUMBER),
        returnee.birth_date.isoformat(),
        case.return_date.isoformat() if case.return_date.day != 1 else "never-matches",
        case.case_number,
        HEALTH_NOTE,
        MENTAL_NOTE,
        GBV_NOTE,
        "Zqx",  # every free-text note of the fixture carries it
        "mujer trans",
        "k'iche'",
    ]
    for value in forbidden:
        assert value not in serialized, value
    assert '"closed"' in serialized


@pytest.mark.parametrize("role", [Role.CASE_MANAGER, Role.SUPERVISOR, Role.COORDINATOR, Role.DATA_PROTECTION_OFFICER])
def test_pseudonymised_rows_need_the_capability(org, role):
    user = factories.user(org, role)
    with pytest.raises(PermissionDenied):
        selectors.pseudonymised_cases(user)


def test_pseudonym_is_stable_and_keyed(case_manager):
    assert crypto.pseudonym("returnee", 7) == crypto.pseudonym("returnee", 7)
    assert crypto.pseudonym("returnee", 7) != crypto.pseudonym("case", 7)
    with override_settings(REINTEGRA_PSEUDONYM_KEY="otra-clave"):
        other = crypto.pseudonym("returnee", 7)
    assert other != crypto.pseudonym("returnee", 7)


# --- aggregates ----------------------------------------------------------------------------------


@pytest.fixture
def many_cases(case_manager, other_case_manager):
    """oim-mx: 7 forced (6 registered + 1 closed), 3 voluntary_assisted registered; ong-gt: 2 cases."""
    for i in range(7):
        factories.case(case_manager, factories.returnee(case_manager, given_names=f"Persona {i}"))
    for i in range(3):
        factories.case(
            case_manager, factories.returnee(case_manager, given_names=f"Otra {i}"), return_type="voluntary_assisted"
        )
    Case.objects.filter(pk=Case.objects.filter(return_type="forced").first().pk).update(
        status="closed", closure_reason="support_ended", closure_category="planned", closed_on=date(2025, 1, 1)
    )
    for i in range(2):
        factories.case(other_case_manager, factories.returnee(other_case_manager, given_names=f"GT {i}"))


def move_two_to_spontaneous():
    ids = Case.objects.filter(organisation__code="oim-mx", return_type="forced", status="registered").values_list(
        "pk", flat=True
    )[:2]
    Case.objects.filter(pk__in=list(ids)).update(return_type="voluntary_spontaneous")


def by_key(rows, key):
    return {row[key]: (row["count"], row["suppressed"]) for row in rows}


def test_aggregates_with_small_cell_suppression(me_officer, many_cases):
    rows = selectors.aggregate_cases(me_officer, by=["return_type"])
    # 3 is below k; with only two cells, 7 would give it away (the total is 10 in any other breakdown).
    assert by_key(rows, "return_type") == {"forced": (None, True), "voluntary_assisted": (None, True)}
    assert by_key(selectors.aggregate_cases(me_officer, by="status"), "status") == {
        "closed": (None, True),
        "registered": (None, True),
    }
    with override_settings(REINTEGRA_MIN_CELL_SIZE=3):
        rows = selectors.aggregate_cases(me_officer, by=["return_type"])
    assert by_key(rows, "return_type") == {"forced": (7, False), "voluntary_assisted": (3, False)}


def test_only_small_cells_and_their_complement_are_hidden(me_officer, many_cases):
    move_two_to_spontaneous()  # forced 5, voluntary_assisted 3, voluntary_spontaneous 2
    rows = selectors.aggregate_cases(me_officer, by=["return_type"])
    assert by_key(rows, "return_type") == {
        "forced": (5, False),
        "voluntary_assisted": (None, True),
        "voluntary_spontaneous": (None, True),
    }


def test_aggregates_by_several_dimensions(me_officer, many_cases):
    with override_settings(REINTEGRA_MIN_CELL_SIZE=1):
        rows = selectors.aggregate_cases(me_officer, by=["sex", "year", "status"])
    year = Case.objects.first().return_date.year
    assert {(r["sex"], r["return_year"], r["status"]): r["count"] for r in rows} == {
        ("female", year, "closed"): 1,
        ("female", year, "registered"): 9,
    }


def test_k_can_be_raised_not_lowered(me_officer, many_cases):
    move_two_to_spontaneous()  # forced 5, voluntary_assisted 3, voluntary_spontaneous 2
    rows = selectors.aggregate_cases(me_officer, by=["return_type"], k=1)  # below the floor of 5: ignored
    assert [row["count"] for row in rows] == [5, None, None]
    rows = selectors.aggregate_cases(me_officer, by=["return_type"], k=6)
    assert [row["count"] for row in rows] == [None, None, None]


def test_coordinator_sees_all_organisations(coordinator, me_officer, many_cases):
    with override_settings(REINTEGRA_MIN_CELL_SIZE=1):
        assert by_key(selectors.aggregate_cases(coordinator, by=["nationality"]), "nationality") == {"MX": (12, False)}
        assert by_key(selectors.aggregate_cases(me_officer, by=["nationality"]), "nationality") == {"MX": (10, False)}


def test_aggregates_by_municipality(supervisor, me_officer, places):
    for _ in range(5):
        factories.case(supervisor, factories.returnee(supervisor, municipality_id=places[1].pk))
    factories.case(supervisor)
    rows = selectors.aggregate_cases(me_officer, by=["municipality"], k=5)
    assert rows == [
        {"municipality": None, "count": None, "suppressed": True, "municipality_id": None},
        {"municipality": "Tijuana", "count": None, "suppressed": True, "municipality_id": places[1].pk},
    ] or rows == [
        {"municipality": "Tijuana", "count": None, "suppressed": True, "municipality_id": places[1].pk},
        {"municipality": None, "count": None, "suppressed": True, "municipality_id": None},
    ]
    with override_settings(REINTEGRA_MIN_CELL_SIZE=1):
        rows = selectors.aggregate_cases(me_officer, by=["municipality"])
    assert {r["municipality"]: r["count"] for r in rows} == {"Tijuana": 5, None: 1}


def test_aggregates_need_the_capability(org, case_manager, many_cases):
    with pytest.raises(PermissionDenied):
        selectors.aggregate_cases(case_manager, by=["status"])
    admin = factories.user(None, Role.ADMIN)
    with pytest.raises(PermissionDenied):
        selectors.aggregate_cases(admin, by=["status"])


def test_aggregates_refuse_unknown_dimensions(me_officer):
    for dimension in ("given_names", "returnee__phone", "address"):
        with pytest.raises(ValidationError):
            selectors.aggregate_cases(me_officer, by=[dimension])


def suppress(counts, k=5):
    rows = [{"cell": i, "count": n} for i, n in enumerate(counts)]
    selectors._suppress(rows, k)
    return [row["count"] for row in rows]


def test_suppression_rules():
    assert suppress([10, 20]) == [10, 20]
    assert suppress([1, 20, 30]) == [None, None, 30]  # complementary
    assert suppress([1, 2, 20, 30]) == [None, None, None, 30]  # hidden cells together under k
    assert suppress([1, 4, 20, 30]) == [None, None, 20, 30]  # two hidden, together 5
    assert suppress([3]) == [None]
    assert suppress([]) == []

import json
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.test import override_settings

from reintegra.access import crypto
from reintegra.access.models import Programme
from reintegra.access.roles import Role
from reintegra.cases.models import Case
from reintegra.monitoring import analytics
from reintegra.protection import kanonymity, pseudonymise
from reintegra.testing import factories
from reintegra.testing.sensitive_cases import (
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

pytestmark = pytest.mark.django_db


def set_k(k, organisation=None):
    """The suppression threshold of the organisation's programmes (every programme without one)."""
    programmes = Programme.objects.all()
    if organisation is not None:
        programmes = programmes.filter(organisation=organisation)
    programmes.update(suppression_threshold=k)


def similar_cases(by, places, n):
    """n more cases like `detailed_case`'s (same sex, birth date, nationality, return, municipality)."""
    for i in range(n):
        factories.case(by, factories.returnee(by, given_names=f"Par {i}", municipality_id=places[1].pk))


def test_pseudonymised_rows(supervisor, me_officer, places, other_case_manager):
    case = detailed_case(supervisor, places)
    similar_cases(supervisor, places, 4)
    factories.case(other_case_manager)  # another organisation: not included
    release = analytics.pseudonymised_release(me_officer)
    rows = analytics.pseudonymised_cases(me_officer)
    assert len(rows) == 5 and release.summary["suppressed"] == 0 and release.summary["smallest_class"] == 5
    pid = pseudonymise.case_pid(case.pk, release.fingerprint)
    row = next(row for row in rows if row["case_pid"] == pid)
    assert tuple(row) == pseudonymise.ROW_KEYS
    assert pid != str(case.pk) and len(pid) == 16
    assert [r["case_pid"] for r in rows] == sorted(r["case_pid"] for r in rows)
    assert row["organisation"] == "oim-mx"
    age = case.returnee.age_on(case.return_date)
    assert (row["sex"], row["age_band"], row["nationality"], row["return_type"]) == (
        "female",
        kanonymity.age_band(age),
        "MX",
        "forced",
    )
    quarter = (case.return_date.month - 1) // 3 + 1
    assert row["return_period"] == f"{case.return_date.year}-Q{quarter}"
    assert (row["area_level"], row["return_country"], row["municipality"]) == ("municipality", "MX", "Tijuana")
    assert (row["status"], row["closure_category"]) == ("in_follow_up", "")
    assert (row["assessments"], row["follow_ups"]) == (1, 1)
    assert row["plan_dimensions"] == ["economic", "psychosocial"]
    # never in a row: attention flags ("victim_of_violence"), causes of migration ("violence"), birth year
    assert "attention_flags" not in row and "causes_of_migration" not in row and "birth_year" not in row
    assert "attention_mask" not in row and "return_year" not in row
    assert "victim_of_violence" not in repr(rows) and "'violence'" not in repr(rows)


def test_rows_below_k_are_generalised_then_withheld(supervisor, me_officer, places):
    detailed_case(supervisor, places)
    similar_cases(supervisor, places, 2)  # 3 alike
    factories.case(supervisor, factories.returnee(supervisor, given_names="Otra", sex="male"))
    set_k(3)
    release = analytics.pseudonymised_release(me_officer)
    assert release.summary["k"] == 3 and release.summary["released"] + release.summary["suppressed"] == 4
    assert min(release.release.classes.values()) >= 3
    set_k(5)
    release = analytics.pseudonymised_release(me_officer)
    assert release.summary == release.summary | {"k": 5, "released": 0, "suppressed": 4, "smallest_class": None}
    assert analytics.pseudonymised_cases(me_officer) == []


def test_case_ids_change_with_the_release(supervisor, me_officer, places):
    detailed_case(supervisor, places)
    similar_cases(supervisor, places, 4)
    first = {pid for pid, _id, _released in analytics.pseudonymised_release(me_officer).entries}
    assert first == {pid for pid, _id, _released in analytics.pseudonymised_release(me_officer).entries}
    similar_cases(supervisor, places, 1)
    second = {pid for pid, _id, _released in analytics.pseudonymised_release(me_officer).entries}
    assert len(second) == 6 and not first & second


def test_pseudonymised_rows_hold_no_direct_identifiers(supervisor, me_officer, places):
    case = detailed_case(supervisor, places, given_names="Zqxmaría", first_family_name="Zqxhernández")
    similar_cases(supervisor, places, 4)
    close_long_ago(supervisor, case, days_ago=0)
    returnee = case.returnee
    rows = analytics.pseudonymised_cases(me_officer)
    assert len(rows) == 5
    serialized = json.dumps(rows, cls=DjangoJSONEncoder, ensure_ascii=False)
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
        str(returnee.birth_date.year),
        case.return_date.isoformat(),
        case.case_number,
        HEALTH_NOTE,
        MENTAL_NOTE,
        GBV_NOTE,
        "Zqx",  # every free-text note of the fixture carries it
        "mujer trans",
        "k'iche'",
        "victim_of_violence",
    ]
    for value in forbidden:
        assert value not in serialized, value
    assert '"closed"' in serialized


@pytest.mark.parametrize("role", [Role.CASE_MANAGER, Role.SUPERVISOR, Role.COORDINATOR, Role.DATA_PROTECTION_OFFICER])
def test_pseudonymised_rows_need_the_capability(org, role):
    user = factories.user(org, role)
    with pytest.raises(PermissionDenied):
        analytics.pseudonymised_cases(user)


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
    rows = analytics.aggregate_cases(me_officer, by=["return_type"])
    # 3 is below k; with only two cells, 7 would give it away (the total is 10 in any other breakdown).
    assert by_key(rows, "return_type") == {"forced": (None, True), "voluntary_assisted": (None, True)}
    assert by_key(analytics.aggregate_cases(me_officer, by="status"), "status") == {
        "closed": (None, True),
        "registered": (None, True),
    }
    set_k(3)
    rows = analytics.aggregate_cases(me_officer, by=["return_type"])
    assert by_key(rows, "return_type") == {"forced": (7, False), "voluntary_assisted": (3, False)}


def test_only_small_cells_and_their_complement_are_hidden(me_officer, many_cases):
    move_two_to_spontaneous()  # forced 5, voluntary_assisted 3, voluntary_spontaneous 2
    rows = analytics.aggregate_cases(me_officer, by=["return_type"])
    assert by_key(rows, "return_type") == {
        "forced": (5, False),
        "voluntary_assisted": (None, True),
        "voluntary_spontaneous": (None, True),
    }


def test_aggregates_by_several_dimensions(me_officer, many_cases):
    Case.objects.filter(pk=Case.objects.filter(organisation__code="oim-mx", status="registered").first().pk).update(
        status="closed", closure_reason="support_ended", closure_category="planned", closed_on=date(2025, 1, 1)
    )
    set_k(2)
    rows = analytics.aggregate_cases(me_officer, by=["sex", "year", "status"])
    year = Case.objects.first().return_date.year
    assert {(r["sex"], r["return_year"], r["status"]): r["count"] for r in rows} == {
        ("female", year, "closed"): 2,
        ("female", year, "registered"): 8,
    }


def test_k_can_be_raised_not_lowered(me_officer, many_cases):
    move_two_to_spontaneous()  # forced 5, voluntary_assisted 3, voluntary_spontaneous 2
    rows = analytics.aggregate_cases(me_officer, by=["return_type"], k=1)  # below the floor of 5: ignored
    # Rows in the choices' (lifecycle) order: voluntary assisted, voluntary spontaneous, forced.
    assert [row["count"] for row in rows] == [None, None, 5]
    rows = analytics.aggregate_cases(me_officer, by=["return_type"], k=6)
    assert [row["count"] for row in rows] == [None, None, None]


def test_coordinator_sees_all_organisations(coordinator, me_officer, many_cases):
    set_k(2)
    assert by_key(analytics.aggregate_cases(coordinator, by=["nationality"]), "nationality") == {"MX": (12, False)}
    assert by_key(analytics.aggregate_cases(me_officer, by=["nationality"]), "nationality") == {"MX": (10, False)}


def test_the_strictest_programme_sets_k(coordinator, me_officer, many_cases):
    set_k(2)
    assert analytics.aggregate_threshold(me_officer) == 2
    Programme.objects.filter(organisation__code="ong-gt").update(suppression_threshold=20)
    assert analytics.aggregate_threshold(me_officer) == 2  # only oim-mx's cases are counted
    assert analytics.aggregate_threshold(coordinator) == 20  # every organisation's
    assert by_key(analytics.aggregate_cases(coordinator, by=["nationality"]), "nationality") == {"MX": (None, True)}


def test_aggregates_by_municipality(supervisor, me_officer, places):
    for _ in range(5):
        factories.case(supervisor, factories.returnee(supervisor, municipality_id=places[1].pk))
    factories.case(supervisor)
    factories.case(supervisor)
    rows = analytics.aggregate_cases(me_officer, by=["municipality"], k=5)
    assert rows == [
        {"municipality": None, "count": None, "suppressed": True, "municipality_id": None},
        {"municipality": "Tijuana", "count": None, "suppressed": True, "municipality_id": places[1].pk},
    ] or rows == [
        {"municipality": "Tijuana", "count": None, "suppressed": True, "municipality_id": places[1].pk},
        {"municipality": None, "count": None, "suppressed": True, "municipality_id": None},
    ]
    set_k(2)
    rows = analytics.aggregate_cases(me_officer, by=["municipality"])
    assert {r["municipality"]: r["count"] for r in rows} == {"Tijuana": 5, None: 2}


def test_aggregates_need_the_capability(org, case_manager, many_cases):
    with pytest.raises(PermissionDenied):
        analytics.aggregate_cases(case_manager, by=["status"])
    admin = factories.user(None, Role.ADMIN)
    with pytest.raises(PermissionDenied):
        analytics.aggregate_cases(admin, by=["status"])


def test_aggregates_refuse_unknown_dimensions(me_officer):
    for dimension in ("given_names", "returnee__phone", "address"):
        with pytest.raises(ValidationError):
            analytics.aggregate_cases(me_officer, by=[dimension])
    with pytest.raises(ValidationError):  # a list is counted alone
        analytics.aggregate_cases(me_officer, by=["attention_flag", "sex"])


def test_attention_flags_and_causes_are_counted_with_their_complement(supervisor, me_officer, places):
    for i in range(6):
        flags = ["victim_of_violence"] if i < 5 else []
        factories.case(
            supervisor,
            factories.returnee(supervisor, given_names=f"F{i}", attention_flags=flags),
            causes_of_migration=["violence", "economic"] if i < 3 else ["economic"],
        )
    set_k(2)
    rows = {
        r["attention_flag"]: (r["count"], r["suppressed"])
        for r in analytics.aggregate_cases(me_officer, "attention_flag")
    }
    assert rows["disability"] == (None, True)  # 0 cases
    assert rows["victim_of_violence"] == (None, True)  # 5 of 6: the one without would be disclosed
    set_k(2)
    causes = {r["cause_of_migration"]: r["count"] for r in analytics.aggregate_cases(me_officer, "cause_of_migration")}
    assert causes["violence"] == 3 and causes["economic"] is None and causes["health"] is None


def suppress(counts, k=5):
    rows = [{"cell": i, "count": n} for i, n in enumerate(counts)]
    analytics._suppress(rows, k)
    return [row["count"] for row in rows]


def test_suppression_rules():
    assert suppress([10, 20]) == [10, 20]
    assert suppress([1, 20, 30]) == [None, None, 30]  # complementary
    assert suppress([1, 2, 20, 30]) == [None, None, None, 30]  # hidden cells together under k
    assert suppress([1, 4, 20, 30]) == [None, None, 20, 30]  # two hidden, together 5
    assert suppress([3]) == [None]
    assert suppress([]) == []


@pytest.mark.parametrize(
    ("birth_year", "return_date", "band", "quarter"),
    [
        # The age is the one reached in the year of return: the exact birth date is encrypted.
        (2000, date(2017, 12, 31), "0-17", 4),
        (2000, date(2018, 1, 1), "18-24", 1),
        (1966, date(2025, 12, 31), "45-59", 4),
        (1960, date(2024, 3, 1), "60+", 1),
        (None, date(2024, 7, 1), "unknown", 3),
    ],
)
def test_age_band_and_quarter_are_computed_by_the_database(supervisor, birth_year, return_date, band, quarter):
    returnee = factories.returnee(supervisor)
    type(returnee).objects.filter(pk=returnee.pk).update(birth_year=birth_year)
    case = factories.case(supervisor, returnee)
    Case.objects.filter(pk=case.pk).update(return_date=return_date)
    (qi,) = pseudonymise.grouped_counts(Case.objects.filter(pk=case.pk))
    assert (qi.age_band, qi.return_year, qi.return_quarter) == (band, return_date.year, quarter)


def test_a_class_left_short_by_a_concurrent_change_is_not_released(supervisor, me_officer, places, monkeypatch):
    """The cases are counted, then listed: a case changed in between must not leave a class below k."""
    detailed_case(supervisor, places)
    similar_cases(supervisor, places, 4)
    counted = pseudonymise.raw_counts(Case.objects.all())
    case = Case.objects.order_by("pk").last()
    type(case.returnee).objects.filter(pk=case.returnee_id).update(sex="male")
    monkeypatch.setattr(pseudonymise, "raw_counts", lambda cases: counted)
    release = analytics.pseudonymised_release(me_officer)
    assert release.entries == [] and release.summary["released"] == 0 and release.summary["suppressed"] == 5

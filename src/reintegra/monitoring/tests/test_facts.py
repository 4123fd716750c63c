"""The facts the engine groups on (a returnee's attention flags as one integer, a case's return year) are
computed by the database whenever the record is written: writing through the services moves the indicator's
disaggregated values at once, with no rebuild."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reintegra.access.roles import Role
from reintegra.cases import services
from reintegra.cases.choices import ATTENTION_FLAG_BITS, AttentionFlag, Sex
from reintegra.cases.models import Case, Returnee
from reintegra.monitoring import definition, dimensions, engine
from reintegra.monitoring.indicators import age_band
from reintegra.testing import factories as f

pytestmark = pytest.mark.django_db

SPAN = (date(2024, 1, 1), date(2026, 6, 30))
CASES = {"population": "cases", "unit": "case", "date": "return_date"}
FLAG_KEYS = [f"flag_{code}" for code in AttentionFlag.values]


def _buckets(programme_id: int) -> dict[str, str]:
    """The bucket of the programme's only case in each standard disaggregation of the case count."""
    keys = ["sex", "age_band", *FLAG_KEYS]
    found = engine.compute_sets(
        definition.parse(CASES, "count"),
        "count",
        programme_ids=[programme_id],
        periods=[SPAN],
        sets=[(k,) for k in keys],
    )
    buckets = {}
    for key in keys:
        (values,) = found[(key,)]
        assert values.total.value == 1
        ((bucket,),) = values.cells
        buckets[key] = bucket
    return buckets


def _expected(flags: list[str], sex: str, birth_year: int, return_year: int) -> dict[str, str]:
    return {
        "sex": sex,
        "age_band": age_band(return_year - birth_year),
        **{f"flag_{code}": "yes" if code in flags else "no" for code in AttentionFlag.values},
    }


@pytest.fixture
def world():
    org = f.organisation("facts")
    manager = f.user(org, Role.CASE_MANAGER)
    case = f.case(manager, f.returnee(manager, birth_date=date(1990, 5, 17)), return_date=date(2026, 2, 1))
    return manager, case


def test_the_mask_holds_each_flag_bit():
    assert sorted(ATTENTION_FLAG_BITS) == sorted(AttentionFlag.values)
    assert sorted(ATTENTION_FLAG_BITS.values()) == [1 << i for i in range(len(AttentionFlag.values))]
    assert set(FLAG_KEYS) <= set(dimensions.STANDARD)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    flags=st.lists(st.sampled_from(AttentionFlag.values), unique=True),
    sex=st.sampled_from(Sex.values),
    birth_year=st.integers(1950, 2024),
    return_day=st.dates(SPAN[0], SPAN[1]),
)
def test_writing_through_the_services_moves_the_disaggregated_values(world, flags, sex, birth_year, return_day):
    manager, case = world
    returnee = Returnee.objects.get(pk=case.returnee_id)
    data = f.returnee_input(attention_flags=flags, sex=sex, birth_date=date(birth_year, 3, 1))
    services.update_returnee(manager, returnee, data, documents=False)
    case = Case.objects.get(pk=case.pk)
    services.update_return_information(manager, case, f.return_input(return_date=return_day))

    stored = Returnee.objects.values_list("attention_mask", flat=True).get(pk=returnee.pk)
    assert stored == sum(ATTENTION_FLAG_BITS[code] for code in flags)
    assert Case.objects.values_list("return_year", flat=True).get(pk=case.pk) == return_day.year
    assert _buckets(case.programme_id) == _expected(flags, sex, birth_year, return_day.year)


def test_a_flag_set_and_cleared_moves_the_count_between_buckets(world):
    manager, case = world
    returnee = Returnee.objects.get(pk=case.returnee_id)
    assert _buckets(case.programme_id)["flag_indigenous"] == "no"
    services.update_returnee(manager, returnee, f.returnee_input(attention_flags=["indigenous", "youth"]))
    after = _buckets(case.programme_id)
    assert (after["flag_indigenous"], after["flag_youth"], after["flag_disability"]) == ("yes", "yes", "no")
    returnee = Returnee.objects.get(pk=returnee.pk)
    services.update_returnee(manager, returnee, f.returnee_input(attention_flags=[], birth_date=date(2010, 1, 1)))
    cleared = _buckets(case.programme_id)
    assert (cleared["flag_indigenous"], cleared["age_band"]) == ("no", "12-17")

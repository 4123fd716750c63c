"""The engine against the database: one unit in one bucket, buckets adding up, percentages and cumulative
periods counted as the rules say (docs/domain-monitoring.md)."""

from __future__ import annotations

from datetime import date

import pytest

from reintegra.access.roles import Role
from reintegra.monitoring import definition, engine
from reintegra.testing import factories as f

pytestmark = pytest.mark.django_db

Q1 = (date(2026, 1, 1), date(2026, 3, 31))
Q2 = (date(2026, 4, 1), date(2026, 6, 30))


@pytest.fixture
def world():
    org = f.organisation("mon")
    manager = f.user(org, Role.CASE_MANAGER)
    programme = org.programmes.get()
    return org, manager, programme


def _values(raw, measure, programme, periods, by=()):
    return engine.compute(definition.parse(raw, measure), measure, programme_ids=[programme.pk], periods=periods, by=by)


def test_people_counted_once_in_the_bucket_of_their_latest_case(world):
    _org, manager, programme = world
    person = f.returnee(manager, sex="male")
    first = f.case(manager, person, return_date=date(2026, 1, 10), return_type="forced")
    type(first).objects.filter(pk=first.pk).update(
        status="closed", closure_reason="support_ended", closure_category="planned", closed_on=date(2026, 2, 1)
    )  # a second return, after the first case
    f.case(manager, person, return_date=date(2026, 2, 10), return_type="voluntary_assisted")
    f.case(manager, f.returnee(manager, sex="female"), return_date=date(2026, 5, 1))
    raw = {"population": "cases", "unit": "person", "date": "return_date"}
    q1, q2 = _values(raw, "count", programme, [Q1, Q2], by=("return_type", "sex"))
    assert q1.total.value == 1
    assert q1.cells == {("voluntary_assisted", "male"): engine.Cell(1.0, None, 1.0)}
    assert q2.total.value == 1 and q2.marginal("sex", "count")["female"].value == 1
    (cases,) = _values({**raw, "unit": "case"}, "count", programme, [Q1])
    assert cases.total.value == 2


def test_percentage_keeps_its_parts_and_cumulative_counts_distinct(world):
    _org, manager, programme = world
    for day in (5, 20):
        f.case(manager, return_date=date(2026, 1, day), return_type="forced")
    f.case(manager, return_date=date(2026, 4, 2), return_type="voluntary_assisted")
    raw = {
        "population": "cases",
        "unit": "case",
        "date": "return_date",
        "numerator": [{"field": "return_type", "op": "in", "value": ["forced"]}],
    }
    q1, q2 = _values(raw, "percentage", programme, [Q1, Q2], by=("return_type",))
    assert (q1.total.numerator, q1.total.denominator, q1.total.value) == (2, 2, 100.0)
    assert q2.total.value == 0.0
    lop = _values(raw, "percentage", programme, [(Q1[0], Q1[1]), (Q1[0], Q2[1])])
    assert [v.total.denominator for v in lop] == [2, 3]
    assert lop[1].total.value == pytest.approx(200 / 3)


def test_flags_age_and_plan_days(world):
    _org, manager, programme = world
    f.case(
        manager,
        f.returnee(manager, birth_date=date(2010, 1, 1), attention_flags=["indigenous"]),
        return_date=date(2026, 2, 1),
    )
    raw = {
        "population": "cases",
        "unit": "case",
        "date": "return_date",
        "filters": [{"field": "is_minor", "op": "is", "value": True}],
    }
    (q1,) = _values(raw, "count", programme, [Q1], by=("age_band", "flag_indigenous", "adm1"))
    assert q1.total.value == 1
    assert list(q1.cells) == [("12-17", "yes", "unknown")]
    mean = {"population": "cases", "unit": "case", "date": "return_date", "value": "plan_days"}
    (m,) = _values(mean, "median", programme, [Q1])
    assert m.total.value is None

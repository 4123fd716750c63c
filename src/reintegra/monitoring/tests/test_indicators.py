"""The arithmetic of indicators: the mistakes other M&E tools make are ruled out on random data."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reintegra.monitoring.indicators import (
    UNKNOWN,
    Direction,
    Ratio,
    Record,
    achievement,
    age_band,
    cumulative_distinct,
    disaggregate,
    per_period,
    suppress,
    total,
)

START = date(2026, 1, 1)

records_strategy = st.lists(
    st.builds(
        Record,
        unit=st.integers(0, 30),
        on=st.integers(0, 364).map(lambda d: START + timedelta(days=d)),
        attributes=st.fixed_dictionaries(
            {"sex": st.sampled_from(["female", "male", "", None]), "adm1": st.sampled_from(["GT-01", "GT-16", None])}
        ),
        in_numerator=st.booleans(),
        in_denominator=st.booleans(),
    ),
    max_size=80,
)


def _sum(ratios):
    result = None
    for ratio in ratios:
        result = ratio if result is None else result + ratio
    return result


@given(records_strategy, st.sampled_from(["sex", "adm1"]), st.booleans())
def test_every_disaggregation_adds_up_to_the_total(records, by, percentage):
    buckets = disaggregate(records, by, percentage=percentage)
    expected = total(records, percentage=percentage)
    if not records:
        assert buckets == {}
        return
    assert _sum(buckets.values()) == expected


@given(records_strategy)
def test_a_missing_attribute_is_counted_as_unknown_not_dropped(records):
    counted = [Record(r.unit, r.on, r.attributes) for r in records]  # a plain count: every record counts
    buckets = disaggregate(counted, "sex", percentage=False)
    never_named = {r.unit for r in counted} - {r.unit for r in counted if r.attributes.get("sex")}
    if never_named:
        assert buckets[UNKNOWN].numerator >= len(never_named)


@given(records_strategy)
def test_life_of_programme_counts_distinct_people_not_the_sum_of_periods(records):
    counted = [Record(r.unit, r.on, r.attributes) for r in records]  # a plain count: every record counts
    quarters = [
        (date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 10, 1), date(2026, 12, 31)),
    ]
    periods = per_period(counted, quarters, percentage=False)
    life = cumulative_distinct(counted, date(2026, 12, 31), percentage=False)
    assert life.numerator == len({r.unit for r in counted})
    assert max((p.numerator for p in periods), default=0) <= life.numerator <= sum(p.numerator for p in periods)


def test_a_person_counted_in_two_quarters_is_one_person_over_the_year():
    records = [Record("ana", date(2026, 2, 1), {}), Record("ana", date(2026, 5, 1), {})]
    quarters = [(date(2026, 1, 1), date(2026, 3, 31)), (date(2026, 4, 1), date(2026, 6, 30))]
    assert [p.numerator for p in per_period(records, quarters, percentage=False)] == [1, 1]
    assert cumulative_distinct(records, date(2026, 6, 30), percentage=False).numerator == 1


def test_a_person_in_two_municipalities_is_placed_by_the_latest_record():
    records = [
        Record("ana", date(2026, 2, 1), {"adm2": "GT-0101"}),
        Record("ana", date(2026, 5, 1), {"adm2": "GT-1601"}),
    ]
    assert disaggregate(records, "adm2", percentage=False) == {"GT-1601": Ratio(1)}


def test_percentages_are_added_as_counts_never_averaged():
    # 1 of 1 and 1 of 9: the average of the percentages would be 55.6 %; the programme's value is 20 %.
    assert (Ratio(1, 1) + Ratio(1, 9)).value == pytest.approx(20.0)
    assert Ratio(0, 0).value is None
    with pytest.raises(ValueError):
        Ratio(1) + Ratio(1, 2)


@pytest.mark.parametrize(
    ("baseline", "target", "actual", "direction", "expected"),
    [
        (10, 20, 15, Direction.INCREASE, 50.0),
        (None, 200, 50, Direction.INCREASE, 25.0),  # no baseline: from zero
        (40, 10, 25, Direction.DECREASE, 50.0),  # falling is progress
        (40, 10, 10, Direction.DECREASE, 100.0),
        (40, 10, 50, Direction.DECREASE, pytest.approx(-33.333, rel=1e-3)),  # rising is negative progress
        (None, 10, 5, Direction.DECREASE, None),  # a fall from an unknown start cannot be measured
        (10, 20, 15, Direction.DECREASE, None),  # misdefined: the target is above the baseline
        (10, 10, 12, Direction.INCREASE, None),  # nothing to achieve
        (None, 80, 80, Direction.MAINTAIN, 100.0),
        (None, 80, 72, Direction.MAINTAIN, 90.0),
        (None, 80, 88, Direction.MAINTAIN, 90.0),
    ],
)
def test_achievement_in_each_direction(baseline, target, actual, direction, expected):
    assert achievement(baseline, target, actual, direction) == expected


finite = st.floats(-1e6, 1e6, allow_nan=False)


@given(finite, finite, finite, finite)
def test_achievement_moves_with_the_indicator_direction(baseline, target, low, high):
    low, high = sorted((low, high))
    up = [achievement(baseline, target, actual, Direction.INCREASE) for actual in (low, high)]
    if None not in up:
        assert up[0] <= up[1] + 1e-9
        assert achievement(baseline, target, target, Direction.INCREASE) == pytest.approx(100.0)
    down = (
        achievement(baseline, target, low, Direction.DECREASE),
        achievement(baseline, target, high, Direction.DECREASE),
    )
    if None not in down:
        assert down[0] >= down[1] - 1e-9
        assert achievement(baseline, target, target, Direction.DECREASE) == pytest.approx(100.0)


@given(st.dictionaries(st.text(min_size=1, max_size=4), st.integers(0, 40), max_size=8), st.integers(2, 10))
def test_a_hidden_cell_cannot_be_recovered_from_the_total(cells, k):
    shown = suppress(cells, k)
    assert shown.keys() == cells.keys()
    if sum(cells.values()) < k:
        assert all(v is None for v in shown.values())
        return
    hidden = [name for name, value in shown.items() if value is None]
    assert len(hidden) != 1
    assert all(v is None or v == 0 or v >= k for v in shown.values())
    assert all(shown[name] == cells[name] for name in cells if name not in hidden)


def test_complementary_suppression_hides_the_next_smallest_cell():
    assert suppress({"f": 3, "m": 40, "x": 12}, 5) == {"f": None, "m": 40, "x": None}
    assert suppress({"f": 3, "m": 2}, 10) == {"f": None, "m": None}


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (0, "0-11"),
        (11, "0-11"),
        (12, "12-17"),
        (17, "12-17"),
        (18, "18-24"),
        (24, "18-24"),
        (25, "25-59"),
        (59, "25-59"),
        (60, "60+"),
        (None, UNKNOWN),
        (-1, UNKNOWN),
    ],
)
def test_age_bands(age, band):
    assert age_band(age) == band


def test_the_arithmetic_imports_neither_django_nor_the_apps():
    """A pure core: runnable and testable on its own, and cheap inside a rebuild over a million records."""
    import ast
    from pathlib import Path

    import reintegra.monitoring.indicators as module

    tree = ast.parse(Path(module.__file__).read_text())
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not {m for m in imported if m.split(".")[0] in ("django", "reintegra", "rest_framework")}

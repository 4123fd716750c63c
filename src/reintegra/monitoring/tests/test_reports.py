"""The IPTT's numbers (reports.py) and the presenter's suppression (presenting.py) on a small programme."""

from __future__ import annotations

import itertools
import random
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reintegra.monitoring import dashboard, engine, presenting, reports, services
from reintegra.monitoring.models import ReportedValue, Snapshot
from reintegra.monitoring.tests import report_world
from reintegra.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return report_world.build()


def _row(report, indicator):
    (row,) = [r for r in report.rows if r.indicator.pk == indicator.pk]
    return row


def _actuals(row):
    return [c.actual.value for c in row.columns], row.lop.actual.value


def test_per_period_life_of_programme_counts_distinct_people_and_keeps_its_own_target(world):
    row = _row(reports.iptt_for(world.manager, world.programme), world.per_period)
    periods, lop = _actuals(row)
    assert periods == [2.0, 2.0]
    assert lop == 3.0  # A came back in Q2: three people, not 2 + 2
    assert [c.target for c in row.columns] == [2.0, 4.0]
    assert row.lop.target == 5.0  # the indicator's own target, not 2 + 4
    assert [c.achieved for c in row.columns] == [100.0, 50.0]
    assert [c.status for c in row.columns] == [reports.ON_TRACK, reports.OFF_TRACK]
    assert row.lop.achieved == pytest.approx(60.0) and row.lop.status == reports.AT_RISK


def test_cumulative_counts_from_the_programme_start(world):
    row = _row(reports.iptt_for(world.manager, world.programme), world.cumulative)
    assert _actuals(row) == ([2.0, 3.0], 3.0)
    assert [c.status for c in row.columns] == [reports.ON_TRACK, reports.ON_TRACK]


def test_a_decreasing_percentage_measures_progress_downwards(world):
    row = _row(reports.iptt_for(world.manager, world.programme), world.forced)
    q1, q2 = row.columns
    assert (q1.actual.numerator, q1.actual.denominator, q1.actual.value) == (1.0, 2.0, 50.0)
    assert q1.achieved == pytest.approx(100.0) and q1.status == reports.ON_TRACK  # 80 % → 50 %: all the way
    assert q2.actual.value == 100.0
    assert q2.achieved == pytest.approx(-66.67, abs=0.01) and q2.status == reports.OFF_TRACK  # went up
    assert row.lop.actual.value == 75.0  # 3 of 4 cases over the programme, not the mean of 50 and 100
    assert row.lop.achieved == pytest.approx(16.67, abs=0.01)


def test_a_submitted_period_shows_its_snapshot(world):
    world.q1.status = "submitted"
    world.q1.save()
    Snapshot.objects.create(
        period=world.q1,
        indicator=world.per_period,
        definition_hash="x",
        values={
            "total": {"numerator": 7, "denominator": None, "value": 7},
            "dimensions": {"sex": {"male": {"numerator": 3}, "female": {"numerator": 4}}},
        },
    )
    report = reports.iptt_for(world.manager, world.programme, by="sex")
    q1, q2 = _row(report, world.per_period).columns
    assert q1.frozen and q1.actual.value == 7.0
    assert [(b, v.value) for b, _label, v in q1.cells] == [("female", 4.0), ("male", 3.0)]
    assert not q2.frozen and q2.actual.value == 2.0


def test_hand_reported_values_and_their_life_of_programme(world):
    ReportedValue.objects.create(indicator=world.reported, period=world.q1, numerator=4, cells={"sex": {"female": 4}})
    ReportedValue.objects.create(indicator=world.reported, period=world.q2, numerator=3)
    row = _row(reports.iptt_for(world.manager, world.programme, by="sex"), world.reported)
    assert _actuals(row) == ([4.0, 3.0], 7.0)
    assert row.lop.target == 10.0


def test_latest_value_is_the_last_one_reported(world):
    world.reported.time_aggregation = "latest"
    world.reported.save()
    ReportedValue.objects.create(indicator=world.reported, period=world.q1, numerator=6)
    row = _row(reports.iptt_for(world.manager, world.programme), world.reported)
    assert row.columns[1].actual is None  # Q2 not reported yet
    assert row.lop.actual.value == 6.0 and row.lop.target == 10.0


def test_disaggregation_on_screen_adds_up_for_the_manager_and_is_suppressed_for_the_officer(world):
    exact = _row(reports.iptt_for(world.manager, world.programme, by="sex"), world.per_period)
    assert exact.lop.actual.value == 3.0
    assert {b: v.value for b, _l, v in exact.lop.cells} == {"female": 2.0, "male": 1.0}
    officer_report = reports.iptt_for(world.officer, world.programme, by="sex")
    assert officer_report.k == 5 and officer_report.suppressed
    hidden = _row(officer_report, world.per_period)
    assert hidden.lop.actual.suppressed and hidden.lop.achieved is None and hidden.lop.status == ""
    assert all(value.suppressed for _b, _l, value in hidden.lop.cells)
    forced = _row(officer_report, world.forced).columns[0]
    assert forced.actual.suppressed  # 1 of 2: the denominator is a small count too


def test_complementary_suppression_leaves_no_single_hidden_cell():
    def cells(counts):
        return {(k,): engine.Cell(float(n), None, float(n)) for k, n in counts.items()}

    hidden = presenting.suppressed_buckets("count", cells({"male": 40, "female": 3, "unknown": 8}), 5)
    assert hidden == {("female",), ("unknown",)}  # 3 alone would be 51 − 40 − 8
    assert presenting.suppressed_buckets("count", cells({"male": 40, "female": 30}), 5) == set()
    shown = presenting.breakdown("count", cells({"male": 40, "female": 3, "unknown": 8}), 5)
    assert shown[("male",)].value == 40 and shown[("female",)].suppressed


def test_crossed_cells_are_protected_along_every_slice():
    rng = random.Random(12)
    sexes, bands = ("female", "male", "unknown"), ("0-11", "12-17", "18-24", "25-59")
    everything_hidden = 0
    for _round in range(200):
        counts = {(s, b): rng.choice([0, 1, 2, 3, 6, 9, 15, 40]) for s, b in itertools.product(sexes, bands)}
        cells = {key: engine.Cell(float(n), None, float(n)) for key, n in counts.items() if n}
        hidden = presenting.suppressed_buckets("count", cells, 5)
        everything_hidden += hidden == set(cells)
        assert all(cells[key].numerator >= 5 for key in cells if key not in hidden)
        slices = [[key for key in cells if key[i] == v] for i in range(2) for v in {key[i] for key in cells}]
        assert sum(key in hidden for key in cells) != 1
        for group in slices:
            # One hidden cell in a slice only when the slice's total (another breakdown's cell) is hidden too.
            if sum(key in hidden for key in group) == 1:
                assert sum(cells[key].numerator for key in group) < 5, (counts, hidden, group)
    assert everything_hidden < 20  # the fallback (hide the whole table) stays the exception


def test_indicators_of_another_organisation_are_not_found(world):
    with pytest.raises(reports.Indicator.DoesNotExist):
        reports.indicator_for(world.outsider, world.per_period.pk)


def test_a_cumulative_value_that_grew_by_a_small_count_is_hidden_from_aggregate_readers(world):
    # Six people in Q1 besides A and B: eight by Q1's end; C makes nine by Q2's: Q2 − Q1 would show one person.
    for day in range(6):
        f.case(world.manager, f.returnee(world.manager, sex="female"), return_date=date(2026, 3, 1 + day))
    exact = _row(reports.iptt_for(world.manager, world.programme), world.cumulative)
    assert _actuals(exact) == ([8.0, 9.0], 9.0)
    officer = _row(reports.iptt_for(world.officer, world.programme), world.cumulative)
    assert officer.columns[0].actual.value == 8.0
    assert officer.columns[1].actual.suppressed and officer.lop.actual.suppressed
    # The same rule where the trend is drawn.
    spans = dashboard.spans_of(world.programme)
    protection = dashboard.protection_for(world.officer, [world.programme])
    points = dashboard.trend(world.cumulative, spans, protection, date(2026, 1, 1))
    assert [p.total.known for p in points] == [True, False]


def _cells(counts):
    return {(bucket,): engine.Cell(float(n), None, float(n)) for bucket, n in counts.items()}


def test_cumulative_series_hide_each_small_increase_and_keep_complements():
    (q1, q2) = presenting.series_suppressed(
        "count",
        [
            (engine.Cell(20.0, None, 20.0), _cells({"a": 10, "b": 10})),
            (engine.Cell(32.0, None, 32.0), _cells({"a": 12, "b": 20})),
        ],
        5,
    )
    assert q1 == (False, set())
    assert q2 == (False, {("a",), ("b",)})  # a grew by 2; b is its complement (32 − b would give a)


increases = st.lists(st.dictionaries(st.sampled_from("abcd"), st.integers(0, 12), min_size=1), min_size=1, max_size=6)


@given(increases=increases)
def test_no_two_shown_values_of_a_cumulative_series_differ_by_a_small_count(increases):
    k = 5
    running: dict[str, int] = {}
    series = []
    for added in increases:
        for bucket, n in added.items():
            running[bucket] = running.get(bucket, 0) + n
        total = float(sum(running.values()))
        series.append((engine.Cell(total, None, total), _cells(running)))
    verdicts = presenting.series_suppressed("count", series, k)
    for (_total, cells), (total_hidden, hidden) in zip(series, verdicts, strict=True):
        shown = {b: c.numerator for b, c in cells.items() if b not in hidden and not total_hidden}
        assert all(n == 0 or n >= k for n in shown.values())  # each period keeps its own rule
        if not total_hidden:
            assert sum(1 for b in hidden if cells[b].numerator) != 1  # never one hidden cell beside its total
    for i, j in itertools.combinations(range(len(series)), 2):
        (total_i, cells_i), (total_j, cells_j) = series[i], series[j]
        if not verdicts[i][0] and not verdicts[j][0]:
            assert total_j.numerator - total_i.numerator == 0 or total_j.numerator - total_i.numerator >= k
        for bucket in cells_i.keys() & cells_j.keys():
            if all(not v[0] and bucket not in v[1] for v in (verdicts[i], verdicts[j])):
                difference = cells_j[bucket].numerator - cells_i[bucket].numerator
                assert difference == 0 or difference >= k, (i, j, bucket)


def test_the_life_of_programme_of_a_submitted_last_period_is_the_one_it_froze(world):
    for period in (world.q1, world.q2):
        services.submit_period(world.manager, period)
    # A return recorded after the submission, in Q1: the submitted report does not move.
    f.case(world.manager, f.returnee(world.manager, sex="male"), return_date=date(2026, 2, 20))
    row = _row(reports.iptt_for(world.manager, world.programme, by="sex"), world.per_period)
    assert row.lop.frozen and row.lop.actual.value == 3.0
    assert {b: v.value for b, _l, v in row.lop.cells} == {"female": 2.0, "male": 1.0}
    assert Snapshot.objects.get(period=world.q2, indicator=world.per_period).values["lop_dimensions"]["sex"]

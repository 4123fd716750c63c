"""The round windows (schedule.py, issue 18.1): never overlapping, each holding its own due date when it is
wide enough, and a date matched to at most one round."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from reintegra.sustainability import schedule

months_st = st.lists(st.integers(min_value=0, max_value=36), min_size=1, max_size=6, unique=True)
day_st = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@given(day_st, months_st, st.integers(1, 120), st.integers(1, 200))
def test_windows_never_overlap_and_are_in_month_order(returned, months, baseline_days, round_days):
    windows = schedule.windows(returned, months, baseline_days, round_days)
    assert [w.month for w in windows] == sorted(w.month for w in windows)
    for earlier, later in itertools.pairwise(windows):
        assert earlier.ends_on < later.starts_on
    for window in windows:
        assert window.starts_on <= window.ends_on


@given(day_st, months_st, st.integers(0, 900), st.integers(1, 120), st.integers(1, 200))
def test_a_date_counts_for_the_round_whose_window_holds_it_unless_done(
    returned, months, offset, baseline_days, round_days
):
    taken = returned + timedelta(days=offset)
    holding = [w.month for w in schedule.windows(returned, months, baseline_days, round_days) if w.holds(taken)]
    assert len(holding) <= 1
    found = schedule.round_for_date(returned, taken, months, (), baseline_days, round_days)
    assert found == (holding[0] if holding else None)
    if holding:
        assert schedule.round_for_date(returned, taken, months, holding, baseline_days, round_days) is None


def test_the_default_schedule():
    returned = date(2026, 1, 10)
    windows = {w.month: (w.starts_on, w.ends_on) for w in schedule.windows(returned, [0, 6, 12, 18], 30, 60)}
    assert windows[0] == (date(2026, 1, 10), date(2026, 2, 9))
    assert windows[6] == (date(2026, 5, 11), date(2026, 9, 8))
    assert windows[18] == (date(2027, 5, 11), date(2027, 9, 8))
    assert schedule.round_for_date(returned, date(2026, 1, 13), [0, 6, 12, 18], [0]) is None
    assert schedule.round_for_date(returned, date(2026, 4, 1), [0, 6, 12, 18]) is None
    assert schedule.round_for_date(returned, date(2026, 8, 1), [0, 6, 12, 18]) == 6

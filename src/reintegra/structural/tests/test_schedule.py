"""Due dates of reviews, renewals and action items (schedule.py), property-tested."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from reintegra.structural import schedule

dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))
months = st.integers(min_value=1, max_value=24)


@given(day=dates, n=months)
def test_add_months_lands_in_the_right_month_and_never_past_the_day(day, n):
    result = schedule.add_months(day, n)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == n
    assert result.day <= day.day
    assert result > day


def test_add_months_clamps_to_month_end():
    assert schedule.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert schedule.add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)


@given(engaged=dates, n=months)
def test_first_review_is_months_after_engagement(engaged, n):
    assert schedule.next_review_on(engaged, None, None, n) == schedule.add_months(engaged, n)


@given(engaged=dates, gap=st.integers(0, 400), n=months)
def test_a_review_restarts_the_clock(engaged, gap, n):
    reviewed = engaged + timedelta(days=gap)
    assert schedule.next_review_on(engaged, reviewed, None, n) == schedule.add_months(reviewed, n)


@given(engaged=st.none() | dates, reviewed=st.none() | dates, change=dates, n=months)
def test_an_unreviewed_significant_change_is_due_at_once(engaged, reviewed, change, n):
    result = schedule.next_review_on(engaged, reviewed, change, n)
    if reviewed is None or change > reviewed:
        assert result == change
    else:
        assert result == schedule.add_months(reviewed, n)


def test_no_engagement_no_review():
    assert schedule.next_review_on(None, None, None, 3) is None


@given(ends=dates, notice=st.integers(0, 365), today=dates)
def test_renewal_window(ends, notice, today):
    due = schedule.renewal_is_due(ends, notice, today)
    assert due == (ends - timedelta(days=notice) <= today <= ends)


@given(due=st.none() | dates, done=st.booleans(), today=dates)
def test_overdue(due, done, today):
    assert schedule.is_overdue(due, done, today) == (not done and due is not None and due < today)

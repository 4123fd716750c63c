"""When RSS rounds are due for a case. Pure Python, no Django import.

A programme's schedule is a list of months after return (default [0, 6, 12, 18]); month 0 is the
baseline, due within `baseline_window_days` of return (docs/domain-sustainability.md §4: plan and baseline within
about a month). A follow-up round for month m is due m calendar months after the return date.

A survey counts for the scheduled round whose window holds its date: the baseline's window is the return date
to `baseline_window_days` after it; a follow-up's is `round_window_days` either side of its due date, cut where
it would overlap the neighbouring rounds (at the midpoint between two due dates, and after the baseline's
window), so that windows never overlap. A survey outside every window (or only in the window of a round already
done) is unscheduled.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

DEFAULT_MONTHS = (0, 6, 12, 18)
DEFAULT_ROUND_WINDOW_DAYS = 60


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class ScheduledRound:
    month: int  # months after return; 0 = baseline
    due_on: date
    done: bool

    @property
    def is_baseline(self) -> bool:
        return self.month == 0


def due_date(return_date: date, month: int, baseline_window_days: int = 30) -> date:
    if month == 0:
        return return_date + timedelta(days=baseline_window_days)
    return add_months(return_date, month)


def schedule(
    return_date: date, months: Iterable[int], done_months: Iterable[int | None] = (), baseline_window_days: int = 30
) -> list[ScheduledRound]:
    done = {m for m in done_months if m is not None}
    clean = sorted({int(m) for m in months if int(m) >= 0})
    return [ScheduledRound(m, due_date(return_date, m, baseline_window_days), m in done) for m in clean]


def next_due(
    return_date: date, months: Iterable[int], done_months: Iterable[int | None] = (), baseline_window_days: int = 30
) -> ScheduledRound | None:
    """The earliest scheduled round not yet done (None when all are done)."""
    return next((r for r in schedule(return_date, months, done_months, baseline_window_days) if not r.done), None)


def is_due(round_: ScheduledRound, today: date, notice_days: int = 14) -> bool:
    """Due for a reminder: not done and its date is at most `notice_days` away (or past)."""
    return not round_.done and round_.due_on <= today + timedelta(days=notice_days)


@dataclass(frozen=True)
class Window:
    month: int
    starts_on: date
    ends_on: date  # inclusive

    def holds(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


def _midpoint(a: date, b: date) -> date:
    return a + timedelta(days=(b - a).days // 2)


def windows(
    return_date: date,
    months: Iterable[int],
    baseline_window_days: int = 30,
    round_window_days: int = DEFAULT_ROUND_WINDOW_DAYS,
) -> list[Window]:
    """Each scheduled round's window, in month order; no two overlap."""
    clean = sorted({int(m) for m in months if int(m) >= 0})
    anchors = [add_months(return_date, m) for m in clean]
    baseline_end = return_date + timedelta(days=baseline_window_days)
    result = []
    for i, month in enumerate(clean):
        if month == 0:
            result.append(Window(0, return_date, baseline_end))
            continue
        due = anchors[i]
        start = due - timedelta(days=round_window_days)
        end = due + timedelta(days=round_window_days)
        if i > 0:
            start = max(start, _midpoint(anchors[i - 1], due) + timedelta(days=1))
        if 0 in clean:
            start = max(start, baseline_end + timedelta(days=1))
        if i + 1 < len(clean):
            end = min(end, _midpoint(due, anchors[i + 1]))
        if start <= end:
            result.append(Window(month, start, end))
    return result


def window_of(
    return_date: date,
    month: int,
    months: Iterable[int],
    baseline_window_days: int = 30,
    round_window_days: int = DEFAULT_ROUND_WINDOW_DAYS,
) -> Window | None:
    return next(
        (w for w in windows(return_date, months, baseline_window_days, round_window_days) if w.month == month), None
    )


def round_for_date(
    return_date: date,
    taken_on: date,
    months: Iterable[int],
    done_months: Iterable[int | None] = (),
    baseline_window_days: int = 30,
    round_window_days: int = DEFAULT_ROUND_WINDOW_DAYS,
) -> int | None:
    """The scheduled round, not yet done, whose window holds `taken_on`; None: the survey is unscheduled."""
    done = {m for m in done_months if m is not None}
    for window in windows(return_date, months, baseline_window_days, round_window_days):
        if window.holds(taken_on):
            return None if window.month in done else window.month
    return None

"""When RSS rounds are due for a case. Pure Python, no Django import.

A programme's schedule is a list of months after return (default [0, 6, 12, 18]); month 0 is the
baseline, due within `baseline_window_days` of return (docs/domain-sustainability.md §4: plan and baseline within
about a month). A follow-up round for month m is due m calendar months after the return date.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

DEFAULT_MONTHS = (0, 6, 12, 18)


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


def suggest_month(
    return_date: date, taken_on: date, months: Iterable[int], done_months: Iterable[int | None] = ()
) -> int | None:
    """The scheduled round a survey taken on `taken_on` most likely counts for: the nearest not yet done."""
    options = [r for r in schedule(return_date, months, done_months) if not r.done]
    if not options:
        return None
    return min(options, key=lambda r: abs((add_months(return_date, r.month) - taken_on).days)).month

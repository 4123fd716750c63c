"""When structural-level things fall due: stakeholder reviews, agreement renewals, action items.

Pure Python, no Django; the reminder producers (reminders.py) and the pages read these.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it is shorter (31 Jan + 1 -> 28/29 Feb).

    Dates past the calendar's end (year 9999) stay at its last day rather than failing."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    if year > date.max.year:
        return date.max
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_review_on(
    engaged_on: date | None,
    last_reviewed_on: date | None,
    significant_change_on: date | None,
    months: int,
) -> date | None:
    """When the engagement with a stakeholder must next be reviewed.

    A few months (`months`) after initial engagement; then again `months` after each review; and at once
    after a significant change not yet reviewed. None when engagement has not started.
    """
    if significant_change_on is not None and (last_reviewed_on is None or significant_change_on > last_reviewed_on):
        return significant_change_on
    if last_reviewed_on is not None:
        return add_months(last_reviewed_on, months)
    if engaged_on is not None:
        return add_months(engaged_on, months)
    return None


def review_is_due(next_review: date | None, today: date) -> bool:
    return next_review is not None and next_review <= today


def renewal_notice_on(ends_on: date | None, notice_days: int) -> date | None:
    """The day from which an agreement's renewal must be prepared (`notice_days` before it ends)."""
    if ends_on is None:
        return None
    return ends_on - timedelta(days=notice_days) if ends_on - date.min > timedelta(days=notice_days) else date.min


def renewal_is_due(ends_on: date | None, notice_days: int, today: date) -> bool:
    """Inside the notice window and not yet ended (an ended agreement is expired, not up for renewal)."""
    notice = renewal_notice_on(ends_on, notice_days)
    return notice is not None and ends_on is not None and notice <= today <= ends_on


def is_overdue(due_on: date | None, done: bool, today: date) -> bool:
    return not done and due_on is not None and due_on < today

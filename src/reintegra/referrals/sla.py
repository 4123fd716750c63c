"""Deadlines of a referral and whether they are kept (docs/domain-referrals.md §5, IASC referral form).
No Django import.

- Acceptance: the provider answers within the priority's deadline from sending: emergency 24 hours,
  urgent 72 hours, normal 14 days.
- Outcome: once accepted, the outcome (seen, no-show, referred onward) is due after the agreed time:
  the service's target response time in days (or what the provider agreed when accepting).
"""

from __future__ import annotations

from datetime import datetime, timedelta

PRIORITY_HOURS = {"emergency": 24, "urgent": 72, "normal": 14 * 24}
DEFAULT_OUTCOME_DAYS = 30

ON_TIME = "on_time"
OVERDUE = "overdue"
MET = "met"
MISSED = "missed"  # answered, but after the deadline
NONE = "none"


def acceptance_deadline(sent_at: datetime, priority: str) -> datetime:
    return sent_at + timedelta(hours=PRIORITY_HOURS[priority])


def outcome_deadline(accepted_at: datetime, days: int | None) -> datetime:
    return accepted_at + timedelta(days=days if days and days > 0 else DEFAULT_OUTCOME_DAYS)


def _kept(deadline: datetime | None, done_at: datetime | None, now: datetime) -> str:
    if deadline is None:
        return NONE
    if done_at is not None:
        return MET if done_at <= deadline else MISSED
    return OVERDUE if now > deadline else ON_TIME


def acceptance_state(
    status: str, acceptance_due_at: datetime | None, answered_at: datetime | None, now: datetime
) -> str:
    if status == "draft":
        return NONE
    return _kept(acceptance_due_at, answered_at, now)


def outcome_state(status: str, outcome_due_at: datetime | None, outcome_at: datetime | None, now: datetime) -> str:
    if status in ("draft", "sent", "declined"):
        return NONE
    return _kept(outcome_due_at, outcome_at, now)


def sla_state(
    status: str,
    *,
    acceptance_due_at: datetime | None,
    answered_at: datetime | None,
    outcome_due_at: datetime | None,
    outcome_at: datetime | None,
    now: datetime,
) -> str:
    """One state for a badge: the deadline that matters now (acceptance while sent, outcome while accepted);
    once both are past, whether the last one was kept."""
    if status == "draft":
        return NONE
    if status == "sent":
        return acceptance_state(status, acceptance_due_at, answered_at, now)
    if status == "accepted":
        return outcome_state(status, outcome_due_at, outcome_at, now)
    if status == "declined":
        return acceptance_state(status, acceptance_due_at, answered_at, now)
    state = outcome_state(status, outcome_due_at, outcome_at, now)
    return state if state != NONE else acceptance_state(status, acceptance_due_at, answered_at, now)


def is_overdue(state: str) -> bool:
    return state == OVERDUE

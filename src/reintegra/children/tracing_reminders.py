"""Reminder producer "reunification_follow_up_due": each planned post-reunification visit, to the case
manager, from a week before it is due until it is recorded (case numbers only, never names)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from django.urls import reverse
from django.utils.translation import gettext_noop

from reintegra.children import tracing_selectors
from reintegra.reminders.registry import Due

NOTICE_DAYS = 7


def reunification_follow_ups_due(today: date) -> Iterator[Due]:
    for follow_up in tracing_selectors.pending_follow_ups(today, today + timedelta(days=NOTICE_DAYS)):
        case = follow_up.case
        assert case.case_manager_id is not None
        yield Due(
            recipient_id=case.case_manager_id,
            key=f"{case.pk}:{follow_up.milestone}:{follow_up.due_on.isoformat()}",
            message=gettext_noop("Case %(number)s: post-reunification follow-up visit due on %(date)s"),
            params={"number": case.case_number, "date": follow_up.due_on.isoformat()},
            url=reverse("children:tracing", args=[case.pk]),
            due_on=follow_up.due_on,
        )

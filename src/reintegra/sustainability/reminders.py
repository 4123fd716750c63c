"""Reminder producer "rss_round_due": the next scheduled RSS round of each open case, to its case manager."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.urls import reverse
from django.utils.translation import gettext_noop

from reintegra.cases.models import Case
from reintegra.reminders.registry import Due
from reintegra.sustainability import selectors

NOTICE_DAYS = 14


def rss_rounds_due(today: date) -> Iterator[Due]:
    # Only cases that can still have a round to do: returned at most (last round + a year) ago.
    cases = Case.objects.filter(case_manager__isnull=False, return_date__gte=date(today.year - 3, 1, 1))
    for due in selectors.due_rounds(cases, today, NOTICE_DAYS):
        case = due.case
        assert case.case_manager_id is not None
        yield Due(
            recipient_id=case.case_manager_id,
            key=f"{case.pk}:{due.month}",
            message=gettext_noop("Case %(number)s: RSS round at %(month)s months due on %(date)s")
            if due.month
            else gettext_noop("Case %(number)s: RSS baseline due on %(date)s"),
            params={"number": case.case_number, "month": due.month, "date": due.due_on.isoformat()},
            url=reverse("sustainability:case-rounds", args=[case.pk]),
            due_on=due.due_on,
        )

"""Reminder producers: best-interests assessments due within a day and past their deadline (high 2 days,
medium 1 week, low 30 days by default; per programme), sent back for revision, and determinations due for
review. The assessor and the case manager are reminded; the message names the case number, never the child.
The key holds the record and its date: one reminder per deadline."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_noop

from reintegra.cases.choices import CaseStatus
from reintegra.children.choices import BiaPriority, BiaStatus
from reintegra.children.models import BestInterestsAssessment, BestInterestsDetermination
from reintegra.reminders.registry import Due

# One message per priority: a reminder is worded in its reader's language when read, so the priority is in the
# message and never a code among its parameters.
_OVERDUE = {
    BiaPriority.HIGH: gettext_noop(
        "The high-priority best-interests assessment of case %(number)s was due on %(date)s."
    ),
    BiaPriority.MEDIUM: gettext_noop(
        "The medium-priority best-interests assessment of case %(number)s was due on %(date)s."
    ),
    BiaPriority.LOW: gettext_noop("The low-priority best-interests assessment of case %(number)s was due on %(date)s."),
}
_DUE_SOON = {
    BiaPriority.HIGH: gettext_noop(
        "The high-priority best-interests assessment of case %(number)s is due on %(date)s."
    ),
    BiaPriority.MEDIUM: gettext_noop(
        "The medium-priority best-interests assessment of case %(number)s is due on %(date)s."
    ),
    BiaPriority.LOW: gettext_noop("The low-priority best-interests assessment of case %(number)s is due on %(date)s."),
}
# A BIA still in progress is reminded from this many days before its deadline (the high priority's is 2 days).
DUE_SOON_DAYS = 1
# A determination's review is reminded from this many days before its date.
REVIEW_NOTICE_DAYS = 7


def _assessments_in_progress(messages: dict[BiaPriority, str], **due: Any) -> Iterator[Due]:
    """The assessor and the case manager of each assessment in progress whose deadline matches `due`, with the
    message of its priority."""
    rows = (
        BestInterestsAssessment.objects.filter(status=BiaStatus.IN_PROGRESS, **due)
        .values_list(
            "pk", "due_on", "priority", "assessed_by_id", "case_id", "case__case_manager_id", "case__case_number"
        )
        .order_by("pk")
    )
    for pk, due_on, priority, assessor, case_id, case_manager, number in rows:
        url = reverse("children:case", args=[case_id])
        params = {"number": number, "date": due_on.isoformat()}
        for recipient in sorted({assessor, case_manager} - {None}):
            yield Due(recipient, f"{pk}:{due_on.isoformat()}", messages[BiaPriority(priority)], params, url, due_on)


def bias_overdue(today: date) -> Iterator[Due]:
    return _assessments_in_progress(_OVERDUE, due_on__lt=today)


def bias_due_soon(today: date) -> Iterator[Due]:
    """Assessments in progress whose deadline is today or within `DUE_SOON_DAYS`: the assessor and the case
    manager, before it passes (the overdue reminder follows if it does)."""
    return _assessments_in_progress(_DUE_SOON, due_on__gte=today, due_on__lte=today + timedelta(days=DUE_SOON_DAYS))


def determinations_to_review(today: date) -> Iterator[Due]:
    """Decided determinations of open cases whose review date is within `REVIEW_NOTICE_DAYS` (or passed): the
    case manager, once per review date (a revised determination sets the next one)."""
    rows = (
        BestInterestsDetermination.objects.exclude(decision="")
        .filter(review_on__lte=today + timedelta(days=REVIEW_NOTICE_DAYS), case__case_manager__isnull=False)
        .exclude(case__status=CaseStatus.CLOSED)
        .values_list("pk", "review_on", "case_id", "case__case_manager_id", "case__case_number")
        .order_by("pk")
    )
    message = gettext_noop("The best-interests determination of case %(number)s is to be reviewed on %(date)s.")
    for pk, review_on, case_id, case_manager, number in rows:
        assert review_on is not None and case_manager is not None  # filtered above
        url = reverse("children:determination", args=[case_id])
        params = {"number": number, "date": review_on.isoformat()}
        yield Due(case_manager, f"{pk}:{review_on.isoformat()}", message, params, url, review_on)


def bias_returned(today: date) -> Iterator[Due]:
    """Assessments a supervisor sent back: their author is reminded once per return."""
    rows = (
        BestInterestsAssessment.objects.filter(status=BiaStatus.IN_PROGRESS, returned_on__isnull=False)
        .values_list("pk", "returned_on", "assessed_by_id", "case_id", "case__case_number")
        .order_by("pk")
    )
    message = gettext_noop(
        "The best-interests assessment of case %(number)s was sent back for revision on %(date)s: see the "
        "supervisor's note."
    )
    for pk, returned_on, assessor, case_id, number in rows:
        assert returned_on is not None  # filtered above
        url = reverse("children:assessment", args=[case_id, pk])
        params = {"number": number, "date": returned_on.isoformat()}
        yield Due(assessor, f"{pk}:{returned_on.isoformat()}", message, params, url, returned_on)

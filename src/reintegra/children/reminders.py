"""Reminder producer: best-interests assessments past their deadline (high 2 days, medium 1 week, low 30
days by default; per programme). The assessor and the case manager are reminded; the message names the
case number, never the child. The key holds the assessment and its deadline: one reminder per deadline."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.urls import reverse
from django.utils.translation import gettext_noop

from reintegra.children.choices import BiaStatus
from reintegra.children.models import BestInterestsAssessment
from reintegra.reminders.registry import Due


def bias_overdue(today: date) -> Iterator[Due]:
    rows = (
        BestInterestsAssessment.objects.filter(status=BiaStatus.IN_PROGRESS, due_on__lt=today)
        .values_list(
            "pk", "due_on", "priority", "assessed_by_id", "case_id", "case__case_manager_id", "case__case_number"
        )
        .order_by("pk")
    )
    message = gettext_noop(
        "The best-interests assessment of case %(number)s (priority %(priority)s) was due on %(date)s."
    )
    for pk, due_on, priority, assessor, case_id, case_manager, number in rows:
        url = reverse("children:case", args=[case_id])
        params = {"number": number, "priority": priority, "date": due_on.isoformat()}
        for recipient in sorted({assessor, case_manager} - {None}):
            yield Due(recipient, f"{pk}:{due_on.isoformat()}", message, params, url, due_on)


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

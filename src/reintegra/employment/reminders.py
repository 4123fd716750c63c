"""Reminder producer: retention checks (3, 6 and 12 months after a hire) due and not yet made. The case
manager is reminded; the message names the case number, never the person."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.urls import reverse
from django.utils.translation import gettext_noop

from reintegra.employment.models import RetentionCheck
from reintegra.reminders.registry import Due


def retention_checks_due(today: date) -> Iterator[Due]:
    rows = (
        RetentionCheck.objects.filter(checked_on__isnull=True, due_on__lte=today)
        .values_list(
            "pk",
            "months",
            "due_on",
            "placement__profile__case_id",
            "placement__profile__case__case_manager_id",
            "placement__profile__case__case_number",
        )
        .order_by("pk")
    )
    message = gettext_noop("The %(months)s-month retention check of case %(number)s was due on %(date)s.")
    for pk, months, due_on, case_id, case_manager, number in rows:
        if case_manager is None:
            continue
        url = reverse("employment:case", args=[case_id])
        params = {"months": months, "number": number, "date": due_on.isoformat()}
        yield Due(case_manager, f"{pk}:{due_on.isoformat()}", message, params, url, due_on)

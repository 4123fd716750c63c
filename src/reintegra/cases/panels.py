"""What the cases app shows on the home dashboard (`web.dashboard`, registered in `CasesConfig.ready()`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from reintegra.access import scoping
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.cases import selectors
from reintegra.cases.choices import CaseStatus


def dashboard_panel(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    """The user's own cases: counts by status, plans and follow-up visits due, the recently updated ones."""
    today = timezone.localdate()
    board = selectors.dashboard_for(request.user, today)
    deadline_days = settings.REINTEGRA_PLAN_DEADLINE_DAYS
    plans_due = []
    for case in board.plans_due:
        deadline = case.return_date + timedelta(days=deadline_days)
        plans_due.append({"case": case, "deadline": deadline, "overdue": today > deadline})
    visits_due = [{"case": c, "due": c.next_due, "overdue": c.next_due < today} for c in board.visits_due]
    return {
        "board": board,
        "status_counts": [(s.value, s.label, board.counts.get(s.value, 0)) for s in CaseStatus],
        "plans_due": plans_due,
        "visits_due": visits_due,
        "can_edit": scoping.can_edit_cases(request.user),
    }

"""What the cases app shows on the home dashboard (`web.dashboard`, registered in `CasesConfig.ready()`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from reintegra.access import scoping
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.roles import Capability
from reintegra.cases import selectors
from reintegra.cases.choices import CaseStatus


def dashboard_panel(request: AuthenticatedHttpRequest) -> dict[str, Any] | None:
    """The user's own cases: counts by status, plans and follow-up visits due, the recently updated ones.
    Only for those who hold cases (issue 18.9): a role without cases (provider, M&E, DPO, admin...) never
    sees it, and a manager who reads the organisation's cases sees it once some are theirs."""
    user = request.user
    if not user.has_capability(Capability.VIEW_ASSIGNED_CASES):
        return None
    if user.has_capability(Capability.VIEW_ORGANISATION_CASES) and not selectors.holds_cases(user):
        return None
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


def organisation_panel(request: AuthenticatedHttpRequest) -> dict[str, Any] | None:
    """The organisation's caseload for those who read it (supervisors, programme managers): cases by status in
    lifecycle order, the open ones without a case manager, overdue plans, the case managers' load."""
    if not request.user.has_capability(Capability.VIEW_ORGANISATION_CASES):
        return None
    board = selectors.organisation_board(request.user)
    return {
        "board": board,
        "status_counts": [(s.value, s.label, board.counts.get(s.value, 0)) for s in CaseStatus],
        "can_assign": request.user.has_capability(Capability.ASSIGN_CASES),
    }

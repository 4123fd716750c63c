"""What this app adds to other pages: the plan tab's panel of a child case (what the agreement still waits
for: the same rule the service applies) and the navigation's count of BIAs awaiting approval."""

from __future__ import annotations

from typing import Any

from reintegra.access.transitions import TransitionError
from reintegra.cases.models import Case
from reintegra.children import selectors, services


def plan_panel_context(request: Any, case: Case) -> dict[str, Any] | None:
    if not selectors.is_child_case(case):
        return None
    try:
        services.check_plan_agreement(case)
    except TransitionError as exc:
        return {"waiting_for": exc.message, "code": exc.code}
    return {"waiting_for": "", "code": ""}


def awaiting_badge(user: Any) -> int:
    return selectors.awaiting_approval_count(user)

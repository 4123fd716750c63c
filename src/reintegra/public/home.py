"""The feedback focal point's home panel (`web.dashboard`, registered in `wiring.register()`, issue 18.9): the
queue of items still to acknowledge, answer or close, overdue and sensitive ones first. Tracking codes,
types and deadlines only: what was said stays on the item's page. And the question at a case's closure (a
panel of the case's closure page)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone

from reintegra.access.roles import Capability
from reintegra.cases import permissions as case_permissions
from reintegra.cases.choices import CaseStatus
from reintegra.public import selectors
from reintegra.public.choices import FeedbackChannel

if TYPE_CHECKING:
    from reintegra.access.http import AuthenticatedHttpRequest

QUEUE_ROWS = 20


def focal_panel(request: AuthenticatedHttpRequest) -> dict[str, Any] | None:
    if not request.user.has_capability(Capability.HANDLE_SENSITIVE_FEEDBACK):
        return None
    rows = selectors.feedback_queue(request.user, timezone.localdate())
    return {"total": len(rows), "rows": rows[:QUEUE_ROWS], "overdue": sum(1 for row in rows if row.overdue)}


def closure_voice_panel(request: AuthenticatedHttpRequest, case: Any) -> dict[str, Any] | None:
    """On a case's closure page, for whoever may change the case: ask the person how the support went (the
    satisfaction survey) and record what they say as feedback heard at closure, the case already named."""
    if case.status == CaseStatus.CLOSED or not case_permissions.can_change_case(request.user, case):
        return None
    return {
        "case": case,
        "can_record_feedback": request.user.has_capability(Capability.HANDLE_FEEDBACK),
        "channel": FeedbackChannel.CASE_CLOSURE,
    }

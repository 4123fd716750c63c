"""The feedback focal point's home panel (`web.dashboard`, registered in `wiring.register()`, issue 18.9): the
queue of items still to acknowledge, answer or close, overdue and sensitive ones first. Tracking codes,
types and deadlines only: what was said stays on the item's page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone

from reintegra.access.roles import Capability
from reintegra.public import selectors

if TYPE_CHECKING:
    from reintegra.access.http import AuthenticatedHttpRequest

QUEUE_ROWS = 20


def focal_panel(request: AuthenticatedHttpRequest) -> dict[str, Any] | None:
    if not request.user.has_capability(Capability.HANDLE_SENSITIVE_FEEDBACK):
        return None
    rows = selectors.feedback_queue(request.user, timezone.localdate())
    return {"total": len(rows), "rows": rows[:QUEUE_ROWS], "overdue": sum(1 for row in rows if row.overdue)}

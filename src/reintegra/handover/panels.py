"""What this app adds to other pages: the case page's hand-over panel."""

from __future__ import annotations

from typing import Any

from reintegra.cases import permissions as case_permissions
from reintegra.cases.models import Case
from reintegra.handover import selectors


def case_panel_context(request: Any, case: Case) -> dict[str, Any] | None:
    user = request.user
    if not selectors.can_use(user):
        return None
    return {
        "handovers": list(selectors.of_case(user, case)[:5]),
        "can_create": case_permissions.can_change_case(user, case),
        "case": case,
    }

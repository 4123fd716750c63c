"""The child plan, follow-up and closure section of the "Children" tab (a panel of that tab: the tab's view
has checked the protection category and the case's scope; a page of another tab never shows it)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.cases.models import Case
from reintegra.children import permissions, plan_selectors, selectors


def section_context(request: Any, case: Case) -> dict[str, Any] | None:
    if not selectors.is_child_case(case) or not permissions.can_see_child_details(request.user, case):
        return None
    checklist = plan_selectors.closure_checklist_of(case)
    monitoring = plan_selectors.monitoring_of(case)
    child_plan = plan_selectors.child_plan_of(case)
    return {
        "case": case,
        "child_plan": child_plan,
        "terms": [(_("Short term"), child_plan.short_term), (_("Long term"), child_plan.long_term)],
        "follow_ups": plan_selectors.follow_ups_of(case)[:5],
        "monitoring": monitoring,
        "monitoring_overdue": monitoring is not None and monitoring.due_on < timezone.localdate(),
        "checklist": checklist,
        "checklist_current": plan_selectors.checklist_is_current(case, checklist),
        "can_edit": permissions.can_change_case(request.user, case) and not case.is_closed,
    }


def _step_links(request: Any, case: Case) -> dict[str, Any] | None:
    if not selectors.is_child_case(case) or not permissions.can_see_child_details(request.user, case):
        return None
    return {"case": case, "can_edit": permissions.can_change_case(request.user, case) and not case.is_closed}


def follow_up_context(request: Any, case: Case) -> dict[str, Any] | None:
    """On the case's Follow-up tab: a child's visits are recorded in the child-focused form (vulnerabilities,
    monitoring frequency), so the tab points there."""
    context = _step_links(request, case)
    if context is None:
        return None
    monitoring = plan_selectors.monitoring_of(case)
    return context | {
        "monitoring": monitoring,
        "monitoring_overdue": monitoring is not None and monitoring.due_on < timezone.localdate(),
    }


def closure_context(request: Any, case: Case) -> dict[str, Any] | None:
    """On the case's Closure tab: what closing a child's case needs (the checklist, the child's say)."""
    context = _step_links(request, case)
    if context is None:
        return None
    checklist = plan_selectors.closure_checklist_of(case)
    return context | {"checklist": checklist, "checklist_current": plan_selectors.checklist_is_current(case, checklist)}

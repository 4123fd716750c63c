"""What the child plan, the child's follow-up and the closure checklist register (called once from
`ChildrenConfig.ready()`): the closure rule, the reminder of overdue child follow-ups, the section of the
"Children" tab, the audit of the models, the timeline's wording of their events."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from reintegra.reminders.registry import Due


def follow_ups_overdue(today: date) -> Iterator[Due]:
    """Child cases whose next visit at the agreed monitoring frequency is overdue: the case manager is
    reminded, by case number; the key holds the due date, so a visit that moves it makes a new reminder."""
    from reintegra.children import plan_selectors

    message = gettext_noop(
        "The follow-up visit of child case %(number)s was due on %(date)s (agreed frequency: %(frequency)s)."
    )
    for row in plan_selectors.monitoring_due():
        if row.due_on >= today or row.case_manager_id is None:
            continue
        params = {"number": row.case_number, "frequency": row.frequency, "date": row.due_on.isoformat()}
        url = reverse("children:case", args=[row.case_id])
        yield Due(row.case_manager_id, f"{row.case_id}:{row.due_on.isoformat()}", message, params, url, row.due_on)


def describe(data: dict[str, Any]) -> list[str]:
    lines = {
        "child_plan_saved": _("Child plan saved (%(measures)s measures)"),
        "child_follow_up": _("Child follow-up recorded"),
        "closure_checklist_saved": _("Child closure checklist saved as a draft"),
        "closure_checklist_completed": _("Child closure checklist completed"),
    }
    text = lines.get(data.get("what", ""))
    return [text % {"measures": data.get("measures", 0)}] if text else []


def _with_plan_events(core: Callable[[dict[str, Any]], list[str]]) -> Callable[[dict[str, Any]], list[str]]:
    def both(data: dict[str, Any]) -> list[str]:
        return core(data) or describe(data)

    return both


def register() -> None:
    from reintegra.access import audit
    from reintegra.cases import extensions
    from reintegra.cases.choices import CaseEventKind
    from reintegra.children import plan_panels, plan_services, timeline
    from reintegra.reminders.registry import register as register_reminder

    extensions.register_step_check(extensions.CLOSURE, plan_services.check_closure_checklist)
    register_reminder("child_follow_up_overdue", follow_ups_overdue)
    extensions.register_panel("children", "children/plan/section.html", plan_panels.section_context, order=40)
    extensions.register_panel(
        "follow_up", "children/plan/follow_up_panel.html", plan_panels.follow_up_context, order=10
    )
    extensions.register_panel("closure", "children/plan/closure_panel.html", plan_panels.closure_context, order=10)
    extensions.register_event_describer(CaseEventKind.CHILD, _with_plan_events(timeline.describe))
    for label in ("ChildPlanItem", "ChildFollowUp", "ChildClosureChecklist"):
        audit.register_model(f"children.{label}", personal=True)

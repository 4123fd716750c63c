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


def case_file_section(user: Any, case: Case) -> dict[str, Any] | None:
    """The child's records in the printable case file (`cases.extensions.register_case_file_section`): what the
    "Children" tab shows this reader and nothing more. Left out of an adult's case and for a reader without the
    protection category (the tab answers them 403); the determination only for its panel, the case manager
    and supervisors (`permissions.can_see_determination`), as on screen. The reads are audited like the tab's."""
    from reintegra.children import permissions

    if not selectors.is_child_case(case) or not permissions.can_see_child_details(user, case):
        return None
    determination = selectors.current_determination(case)
    sees_determination = permissions.can_see_determination(user, case, determination)
    return {
        "profile": selectors.profile_of(case),
        "assessments": selectors.assessments_of(user, case),
        "sees_determination": sees_determination,
        "determination": (
            selectors.read_determination(user, determination) if determination and sees_determination else None
        ),
        "panel": selectors.panel_of(determination) if sees_determination else [],
        "participations": selectors.participations_of(case),
    }

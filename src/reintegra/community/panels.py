"""What the community level shows on the case page (registered in `apps.py`): the community projects the
case takes part in, with the plan item that says so."""

from __future__ import annotations

from typing import Any

from reintegra.community import selectors


def case_projects_context(request: Any, case: Any) -> dict[str, Any] | None:
    """The projects of the user's organisation the case takes part in; None (no panel) when there are none."""
    links = selectors.projects_of_case(request.user, case)
    if not links:
        return None
    return {"links": links}

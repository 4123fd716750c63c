"""What this app adds to other pages: the returns of the person recorded at reception, on the case summary
(the "history" a repeat return is added to)."""

from __future__ import annotations

from typing import Any

from reintegra.cases.models import Case
from reintegra.reception import selectors


def returns_panel(request: Any, case: Case) -> dict[str, Any] | None:
    """The case was read through the cases selectors (the user sees it); its person's arrivals, newest first."""
    intakes = list(selectors.intakes_of_returnee(case.returnee_id)[:20])
    if not intakes:
        return None
    return {"intakes": intakes}

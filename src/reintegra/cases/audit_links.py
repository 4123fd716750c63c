"""Where the audit trail links a case record to (issue 18.11; registered with `access.audit.register_link`):
the case's page, or the tab that shows the record, when the reader may see the case (`cases.selectors`
decides: a hidden or missing record gets no link, existence is not revealed)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from reintegra.cases import selectors

if TYPE_CHECKING:
    from collections.abc import Callable

    from reintegra.access.models import User

# model (lower case) -> (the path from the record to its case id, the case page that shows it)
RECORD_TABS: dict[str, tuple[str, str]] = {
    "case": ("id", "cases:detail"),
    "assessment": ("case_id", "cases:assessments"),
    "counsellingsession": ("case_id", "cases:counselling"),
    "reintegrationplan": ("case_id", "cases:plan"),
    "planitem": ("plan__case_id", "cases:plan"),
    "followupvisit": ("case_id", "cases:follow_up"),
    "returnee": ("returnee_id", "cases:detail"),
}


def finder(model_name: str) -> Callable[[User, str], str | None]:
    path, url_name = RECORD_TABS[model_name]

    def find(user: User, object_id: str) -> str | None:
        case_id = selectors.visible_case_of_record(user, model_name, path, object_id)
        return reverse(url_name, args=[case_id]) if case_id is not None else None

    return find


def register() -> None:
    from reintegra.access import audit

    for model_name in RECORD_TABS:
        audit.register_link(f"cases.{model_name}", finder(model_name))

"""The single action plan of a mainstreaming process (Figure 4.5, step 6) as a PDF (WeasyPrint).

It absorbs every related action: the process's steps, its sectoral opportunities and its action items.
Names of institutions only: no contact person, e-mail or phone reaches the document.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from reintegra.structural import choices as c
from reintegra.structural import selectors
from reintegra.structural.models import MainstreamingProcess


def action_plan_context(process: MainstreamingProcess) -> dict[str, Any]:
    def steps(kind: str) -> list[Any]:
        checklist = selectors.checklist(process.programme, kind, process=process)
        return list(checklist.steps.all()) if checklist else []

    return {
        "process": process,
        "preconditions": steps(c.ChecklistKind.PRECONDITIONS),
        "steps": steps(c.ChecklistKind.MAINSTREAMING),
        "opportunities": list(process.opportunities.all()),
        "actions": list(process.action_items.select_related("owner_stakeholder").order_by("due_on", "id")),
        "generated_on": timezone.localdate(),
    }


def action_plan_html(process: MainstreamingProcess) -> str:
    return render_to_string("structural/pdf/action_plan.html", action_plan_context(process))


def action_plan_pdf(process: MainstreamingProcess) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=action_plan_html(process)).write_pdf()  # type: ignore[no-any-return]

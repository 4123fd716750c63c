"""The printable case file (issue 18.15) as a PDF (WeasyPrint, as `monitoring.pdf` and `public.leaflet`).

Everything of the case its reader may see and nothing more: the person as the summary tab shows them (document
numbers, sensitive assessment fields and psychosocial notes only for the roles that may read their category,
`access.scoping.can_see`; the hidden ones are not even read), the return, the assessments, counselling, the
plan, the follow-up visits, the closure, and the sections the levels above register
(`cases.extensions.register_case_file_section`: referrals, the RSS trajectory...). Dates and numbers are
written in the reader's language by the template's localisation. The caller fetched the case through
`cases.permissions.access_case_by_id` (404 when hidden); `response` records the export before the bytes leave.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from reintegra.access import exports, scoping
from reintegra.access.fields import sensitive_category
from reintegra.access.roles import SensitiveCategory
from reintegra.cases import extensions, selectors
from reintegra.cases.models import Assessment

if TYPE_CHECKING:
    from reintegra.access.models import User
    from reintegra.cases.models import Case

# The cases app's own sections, in the order of the case's tabs; the levels above place theirs after one.
SECTIONS = ["identity", "return", "assessments", "counselling", "plan", "follow_up", "closure"]


def hidden_assessment_fields(user: User) -> list[str]:
    """The sensitive fields of an assessment this user may not read (not even loaded)."""
    hidden = []
    for field in Assessment._meta.concrete_fields:
        category = sensitive_category(field)
        if category is not None and not scoping.can_see(user, category):
            hidden.append(field.name)
    return hidden


def case_file_context(user: User, case: Case) -> dict[str, Any]:
    with_numbers = scoping.can_see(user, SensitiveCategory.IDENTITY_DOCUMENT)
    with_notes = scoping.can_see(user, SensitiveCategory.PSYCHOSOCIAL)
    hidden = hidden_assessment_fields(user)
    return {
        "user": user,
        "case": case,
        "returnee": case.returnee,
        "documents": selectors.documents_of(case.returnee, with_numbers=with_numbers),
        "members": selectors.members_of(case.household),
        "assessments": list(selectors.assessments_of(case, hidden=hidden)),
        "assessments_restricted": bool(hidden),
        "sessions": list(selectors.counselling_sessions_of(case, with_notes=with_notes)),
        "notes_restricted": not with_notes,
        "plan": selectors.plan_for(case),
        "visits": list(selectors.follow_ups_of(case, progress_order=("item__dimension",))),
        "sections": extensions.case_file_sections(SECTIONS, user, case),
        "generated_on": timezone.localdate(),
        "generated_by": user.display_name,
    }


def case_file_html(user: User, case: Case) -> str:
    return render_to_string("cases/pdf/case_file.html", case_file_context(user, case))


def case_file_pdf(user: User, case: Case) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=case_file_html(user, case)).write_pdf()  # type: ignore[no-any-return]


def response(user: User, case: Case, *, channel: str = "web") -> HttpResponse:
    """The case file as an attachment, recorded in the access trail as an export (no name in the file name)."""
    return exports.pdf_download(
        user,
        case_file_pdf(user, case),
        f"expediente-{case.case_number}",
        obj=case,
        purpose="case file (PDF)",
        channel=channel,
    )

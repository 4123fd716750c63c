"""What the case forms show when a save is refused because someone else changed the record meanwhile
(`web.versioning`): the stored values in each form's terms, and edited lists as one line per row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from reintegra.access.versioning import StaleVersion
from reintegra.cases import forms
from reintegra.web import versioning

DOCUMENT_COLUMNS = ("document_type", "number", "issuing_country")
MEMBER_COLUMNS = ("given_names", "family_names", "relationship", "sex", "birth_date", "estimated_age", "returned_too")
ITEM_COLUMNS = (
    "dimension",
    "approach",
    "assistance_form",
    "amount",
    "currency",
    "responsible",
    "due_date",
    "status",
    "description",
)


def edit_version(request: HttpRequest, record: Any) -> int:
    """The version an edit form carries: the stored one on GET, the one it was rendered from on POST (so a
    form re-displayed for a typing error still detects a change made since it was first opened)."""
    if request.method == "POST":
        return versioning.posted_version(request.POST)
    return versioning.version_of(record)


def expected(request: HttpRequest) -> int:
    """The version the submitted form was rendered from, for the service's `expected_version`."""
    return versioning.posted_version(request.POST)


@dataclass(frozen=True)
class Versioning:
    """How a one-form step is versioned: the record whose version the form carries, its stored values in the
    form's terms, and lists to compare besides the form's fields."""

    record: Callable[[Any], Any]
    stored: Callable[[Any], dict[str, Any]]
    lists: Callable[[Any], list[versioning.Difference | None]] = lambda current: []


def stale_handler(ctx: dict[str, Any], form: Any, versioned: Versioning) -> Callable[[StaleVersion], None]:
    """Puts the conflict panel and the current version into the page context."""

    def show(exc: StaleVersion) -> None:
        current = exc.current
        stored = versioned.stored(current) if current is not None else {}
        lists = versioned.lists(current) if current is not None else []
        ctx["conflict"] = versioning.conflict(exc, [(form, stored)], lists)
        ctx["record_version"] = exc.current_version

    return show


def document_row(document: Any) -> dict[str, Any]:
    return {
        "document_type": document.document_type,
        "number": document.number,
        "issuing_country": document.issuing_country.code,
    }


def _posted(formset: Any, columns: tuple[str, ...]) -> list[str]:
    return versioning.row_lines(formset.empty_form, [f.cleaned_data for f in formset.kept_forms()], columns)


def documents_difference(current: Any, documents: Any) -> versioning.Difference | None:
    """Identity documents (only for users who see them: `documents` is their formset)."""
    stored = [document_row(d) for d in current.documents.all()] if current is not None else []
    return versioning.list_difference(
        _("Identity documents"),
        versioning.row_lines(documents.empty_form, stored, DOCUMENT_COLUMNS),
        _posted(documents, DOCUMENT_COLUMNS),
    )


def members_difference(current: Any, members: Any) -> versioning.Difference | None:
    stored = [forms.MemberForm.initial_for(m) for m in current.members.all()] if current is not None else []
    return versioning.list_difference(
        _("Household members"),
        versioning.row_lines(members.empty_form, stored, MEMBER_COLUMNS),
        _posted(members, MEMBER_COLUMNS),
    )


def plan_item_lines(plan: Any) -> list[str]:
    stored = [forms.PlanItemForm.initial_for(i) for i in plan.items.all()] if plan is not None else []
    return versioning.row_lines(forms.PlanItemForm(), stored, ITEM_COLUMNS)


def items_difference(current: Any, items: Any) -> versioning.Difference | None:
    return versioning.list_difference(_("Plan items"), plan_item_lines(current), _posted(items, ITEM_COLUMNS))


def agreed_plan_lists(current: Any) -> list[versioning.Difference | None]:
    """Agreeing is about the plan's content: on a conflict, show its items as they are now."""
    return [versioning.Difference(_("Plan items"), plan_item_lines(current) or ["—"], [_("Not part of this form")])]

"""Template helpers of the case UI: badges, translated labels of stored codes, field protection."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from django import template
from django.db.models import TextChoices
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_countries import countries

from reintegra.access import scoping
from reintegra.access.models import ROLE_LABELS
from reintegra.cases import extensions
from reintegra.cases.choices import (
    AssessmentKind,
    AttentionFlag,
    CaseEventKind,
    CaseStatus,
    ClosureCategory,
    ClosureReason,
    ContactMode,
    MigrationCause,
    NeedLevel,
    PlanItemStatus,
    ReceptionAssistance,
    ReturnType,
)
from reintegra.vocabulary.choices import choice_label

if TYPE_CHECKING:
    from reintegra.access.models import User

register = template.Library()

# Stored lists of codes (JSON fields) and the vocabulary that labels them.
VOCABULARIES: dict[str, type[TextChoices]] = {
    "attention_flags": AttentionFlag,
    "reception_assistance": ReceptionAssistance,
    "causes_of_migration": MigrationCause,
    "status": CaseStatus,
    "plan_item_status": PlanItemStatus,
    "need": NeedLevel,
    "closure_reason": ClosureReason,
    "closure_category": ClosureCategory,
    "return_type": ReturnType,
    "mode": ContactMode,
    "assessment_kind": AssessmentKind,
}


# Reasons given by the duplicate matcher (cases/matching.py), in words.
def _match_reason_label(code: str) -> str:
    labels = {
        "document": _("Same identity document"),
        "exact_name": _("Same name"),
        "phonetic_name": _("Name sounds the same"),
        "similar_name": _("Similar name"),
        "surnames_swapped": _("Family names in the other order"),
        "missing_second_surname": _("Second family name missing in one record"),
        "missing_second_given_name": _("Second given name missing in one record"),
        "same_birth_date": _("Same birth date"),
        "birth_date_close": _("Birth date nearly the same"),
        "birth_year_close": _("Birth year nearly the same"),
        "birth_date_conflict": _("Different birth date"),
    }
    return labels.get(code, code)


def label_of(vocabulary: str, code: Any) -> str:
    choices = VOCABULARIES.get(vocabulary)
    if choices is None:
        return "" if code is None else str(code)
    return choice_label(choices, code)


@register.filter
def label(code: Any, vocabulary: str) -> str:
    """`{{ item.status|label:"plan_item_status" }}`: the translated label of a stored code."""
    return label_of(vocabulary, code)


@register.filter
def labels(codes: Any, vocabulary: str) -> list[str]:
    """Translated labels of a stored list of codes."""
    return [label_of(vocabulary, c) for c in (codes or [])]


@register.filter
def country_name(code: Any) -> str:
    code = getattr(code, "code", code)
    return str(countries.name(code)) if code else ""


@register.filter
def country_names(codes: Any) -> list[str]:
    return [str(countries.name(c)) for c in (codes or []) if c]


@register.filter
def age_in_years(birth_date: Any) -> int | None:
    """Completed years of age today, from a birth date."""
    if not birth_date:
        return None
    today = timezone.localdate()
    born: date = birth_date
    return today.year - born.year - int((today.month, today.day) < (born.month, born.day))


@register.filter
def can_see(user: User, category: str) -> bool:
    """`{% if user|can_see:"health" %}`: field-level protection, the same check as views and API."""
    return scoping.can_see(user, category)


@register.filter
def percent(value: Any) -> str:
    try:
        return f"{round(float(value) * 100)} %"
    except (TypeError, ValueError):
        return ""


@register.filter
def match_reasons(reasons: Any) -> list[str]:
    return [_match_reason_label(r) for r in (reasons or [])]


@register.filter
def role_names(user: User) -> list[str]:
    return [str(ROLE_LABELS.get(r, r)) for r in sorted(getattr(user, "roles", ()))]


@register.simple_tag
def status_badge(status: str) -> str:
    return format_html('<span class="badge badge--{}">{}</span>', status or "none", label_of("status", status))


# One row of the case list, as `cases/case_list.html` wrote it with template tags (the same markup, whitespace
# included): rendered here, 25 rows of eight template lookups, a URL reversal and a date filter each were most of
# the list's rendering time (docs/scaling.md, "Fifth pass").
_CASE_ROW = (
    "\n            <tr>"
    '\n              <td class="nowrap"><a href="{url}">{number}</a></td>'
    "\n              <td>{name}</td>"
    "\n              <td>{badge}</td>"
    '\n              <td class="nowrap">{returned}<br><span class="muted small">{return_type}</span></td>'
    "\n              <td>{municipality}</td>"
    "\n              <td>{manager}</td>"
    "\n            </tr>\n          "
)
_SOME_ID = 987654321  # reversed once: a case's address is this one with its own id in place


@register.simple_tag
def case_list_rows(cases: Any) -> str:
    """The rows (`<tr>`) of the case list for `cases` (selectors.search_cases: returnee, municipality and case
    manager already joined). Every value is escaped as the template escaped it."""
    before, after = reverse("cases:detail", args=[_SOME_ID]).split(str(_SOME_ID))
    rows = []
    for case in cases:
        returnee = case.returnee
        municipality = returnee.municipality
        manager = case.case_manager
        rows.append(
            _CASE_ROW.format(
                url=conditional_escape(f"{before}{case.pk}{after}"),
                number=conditional_escape(case.case_number),
                name=conditional_escape(returnee.full_name),
                badge=status_badge(case.status),
                returned=conditional_escape(date_filter(case.return_date, "SHORT_DATE_FORMAT")),
                return_type=conditional_escape(label_of("return_type", case.return_type)),
                municipality=conditional_escape((municipality.name if municipality else "") or "—"),
                manager=conditional_escape((manager.display_name() if manager else "") or "—"),
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value is escaped above


@register.simple_tag
def need_badge(level: str) -> str:
    return format_html('<span class="need need--{}">{}</span>', level or "none", label_of("need", level))


@register.simple_tag
def item_status_badge(status: str) -> str:
    return format_html(
        '<span class="badge badge--item-{}">{}</span>', status or "planned", label_of("plan_item_status", status)
    )


def _date(value: Any) -> str:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return str(value)
    return date_format(value, "SHORT_DATE_FORMAT") if value else ""


def describe_event(kind: str, data: dict[str, Any], note: str = "") -> list[str]:
    """What a timeline event says, in words (its data holds codes, dates and counts only; free text such as
    a reopening reason is the event's encrypted `note`)."""
    describe = _CASE_EVENT_LINES.get(kind)
    if describe is None:
        return extensions.describe_extra(kind, data or {})
    return describe(data or {}, note)


def _status_changed_lines(data: dict[str, Any], note: str) -> list[str]:
    old, new = label_of("status", data.get("old")), label_of("status", data.get("new"))
    return [_("Status: %(old)s → %(new)s") % {"old": old, "new": new}]


def _registered_lines(data: dict[str, Any], note: str) -> list[str]:
    if not data.get("return_type"):
        return []
    return [_("Return type: %(type)s") % {"type": label_of("return_type", data["return_type"])}]


def _updated_lines(data: dict[str, Any], note: str) -> list[str]:
    lines: list[str] = []
    what = {
        "returnee": _("Personal details updated"),
        "household": _("Household updated"),
        "return": _("Return information updated"),
        # Written by the migration that made identity documents unique per organisation.
        "duplicate_document": _(
            "An identity document was removed from this record: another person of the organisation holds "
            "the same document. Ask a supervisor to check whether both records are the same person."
        ),
    }.get(data.get("what", ""))
    if what:
        lines.append(what)
    if "members" in data:
        n = int(data["members"] or 0)
        lines.append(ngettext("%(n)d household member", "%(n)d household members", n) % {"n": n})
    return lines


def _assigned_lines(data: dict[str, Any], note: str) -> list[str]:
    if not data.get("case_manager"):
        return []
    return [_("Case manager: %(name)s") % {"name": data["case_manager"]}]


def _assessment_lines(data: dict[str, Any], note: str) -> list[str]:
    return [label_of("assessment_kind", data["assessment_kind"])] if data.get("assessment_kind") else []


def _contact_lines(data: dict[str, Any], note: str) -> list[str]:
    return [_("Mode: %(mode)s") % {"mode": label_of("mode", data["mode"])}] if data.get("mode") else []


def _plan_agreed_lines(data: dict[str, Any], note: str) -> list[str]:
    lines: list[str] = []
    if data.get("agreed_on"):
        lines.append(_("Agreed on %(date)s") % {"date": _date(data["agreed_on"])})
    if data.get("late"):
        lines.append(_("Agreed more than one month after the return"))
    return lines


def _closed_lines(data: dict[str, Any], note: str) -> list[str]:
    lines = [
        _("Reason: %(reason)s (%(category)s)")
        % {
            "reason": label_of("closure_reason", data.get("reason")),
            "category": label_of("closure_category", data.get("category")),
        }
    ]
    if data.get("old"):
        lines.append(_("Status before closing: %(status)s") % {"status": label_of("status", data["old"])})
    lines.extend(_settled_lines(data.get("settled") or []))
    return lines


def _settled_lines(settled: list[dict[str, str]]) -> list[str]:
    """What the closure did with what was still open (cases.services.close_case), counted by decision."""
    counts: dict[tuple[str, str], int] = {}
    for entry in settled:
        key = (entry.get("kind", ""), entry.get("choice", ""))
        counts[key] = counts.get(key, 0) + 1
    words = {
        ("plan_item", "completed"): _("Plan items marked completed: %(count)s"),
        ("plan_item", "cancelled"): _("Plan items cancelled: %(count)s"),
        ("referral", "withdraw"): _("Referrals withdrawn (providers told): %(count)s"),
        ("referral", "discard"): _("Draft referrals discarded: %(count)s"),
        ("referral", "close"): _("Referrals closed: %(count)s"),
        ("referral", "leave"): _("Referrals left to close later: %(count)s"),
        ("final_round", "close_without"): _("Closed without a final sustainability survey round"),
    }
    return [str(words[key]) % {"count": n} for key, n in counts.items() if key in words]


def _reopened_lines(data: dict[str, Any], note: str) -> list[str]:
    lines: list[str] = []
    if note:
        lines.append(_("Reason: %(reason)s") % {"reason": note})
    if data.get("previous_reason"):
        lines.append(
            _("Had been closed for: %(reason)s") % {"reason": label_of("closure_reason", data["previous_reason"])}
        )
    if data.get("new"):
        lines.append(_("Status: %(status)s") % {"status": label_of("status", data["new"])})
    return lines


# The words of the events cases writes; other apps' events are worded by what they register in
# `cases.extensions` (describe_extra).
_CASE_EVENT_LINES: dict[str, Callable[[dict[str, Any], str], list[str]]] = {
    CaseEventKind.STATUS_CHANGED: _status_changed_lines,
    CaseEventKind.REGISTERED: _registered_lines,
    CaseEventKind.UPDATED: _updated_lines,
    CaseEventKind.ASSIGNED: _assigned_lines,
    CaseEventKind.ASSESSMENT: _assessment_lines,
    CaseEventKind.COUNSELLING: _contact_lines,
    CaseEventKind.FOLLOW_UP: _contact_lines,
    CaseEventKind.PLAN_AGREED: _plan_agreed_lines,
    CaseEventKind.CLOSED: _closed_lines,
    CaseEventKind.REOPENED: _reopened_lines,
}


@register.filter
def event_title(event: Any) -> str:
    try:
        return str(CaseEventKind(event.kind).label)
    except ValueError:
        return str(event.kind)


@register.filter
def event_lines(event: Any) -> list[str]:
    return describe_event(event.kind, event.data, event.note)


@register.filter
def can_edit_cases(user: User) -> bool:
    return scoping.can_edit_cases(user)

"""Optimistic concurrency in the web forms (see `reintegra.access.versioning`).

Every edit form carries the version the page was rendered from in a hidden `revision` field
(`web/includes/version_field.html`, context variable `record_version`). The view hands
`posted_version(request.POST)` to the service; when the service raises `StaleVersion`, the view re-displays
the form bound to what the user typed, with `conflict(...)` in the context (`web/includes/conflict.html`):
the message, who changed the record and when, and the stored values next to the user's wherever they differ.
The hidden field then carries the current version, so saving again applies the user's values on top.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

FIELD = "revision"
_EMPTY = "—"


class Stale(Protocol):
    """What the conflict panel reads from `access.versioning.StaleVersion` (web imports no app)."""

    current: Any  # the record as stored now, or None when it was deleted
    current_version: int


def posted_version(data: Mapping[str, Any]) -> int:
    """The version a submitted form was rendered from; -1 (never current) when missing or garbled, so an old
    page without the field shows the conflict panel instead of overwriting."""
    raw = str(data.get(FIELD) or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 12 else -1


def version_of(instance: Any) -> int:
    """The version of an `access.versioning.Versioned` record; 0 while it does not exist."""
    return int(instance.revision) if instance is not None and instance.pk is not None else 0


@dataclass(frozen=True)
class Difference:
    label: str
    theirs: list[str]
    mine: list[str]


@dataclass
class Conflict:
    current_version: int
    differences: list[Difference] = field(default_factory=list)
    changed_by: str = ""
    changed_at: datetime | None = None


def _choice_labels(form_field: forms.Field) -> dict[str, str]:
    labels: dict[str, str] = {}
    for key, label in getattr(form_field, "choices", None) or []:
        if isinstance(label, list | tuple):  # an optgroup
            labels.update({str(k): str(v) for k, v in label})
        else:
            labels[str(getattr(key, "value", key))] = str(label)
    return labels


def _show_one(value: Any, labels: dict[str, str]) -> str:
    if value is None or value == "":
        return _EMPTY
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return date_format(value, "SHORT_DATE_FORMAT")
    key = str(getattr(value, "pk", value))
    return labels.get(key, str(value))


def show(form_field: forms.Field, value: Any) -> list[str]:
    """A value as the form would show it (choice labels, local dates), as lines."""
    labels = _choice_labels(form_field)
    if isinstance(value, list | tuple | set) or hasattr(value, "all"):
        values = list(value.all()) if hasattr(value, "all") else list(value)
        return [", ".join(_show_one(v, labels) for v in values)] if values else [_EMPTY]
    return [_show_one(value, labels)]


def form_differences(form: forms.BaseForm, stored: Mapping[str, Any]) -> list[Difference]:
    """The visible fields of a bound form whose submitted value differs from the `stored` one."""
    found = []
    for name, form_field in form.fields.items():
        if name not in stored or isinstance(form_field.widget, forms.HiddenInput) or form_field.disabled:
            continue
        bound = form[name]
        if not form_field.has_changed(stored[name], bound.data):
            continue
        mine = getattr(form, "cleaned_data", {}).get(name, bound.data)
        found.append(Difference(str(form_field.label or name), show(form_field, stored[name]), show(form_field, mine)))
    return found


def list_difference(label: str, theirs: Iterable[str], mine: Iterable[str]) -> Difference | None:
    """Rows edited as a list (plan items, household members, contacts): both lists when they differ."""
    theirs, mine = [str(t) for t in theirs], [str(m) for m in mine]
    if theirs == mine:
        return None
    return Difference(label, theirs or [_EMPTY], mine or [_EMPTY])


def _last_change(instance: Any) -> tuple[str, datetime | None]:
    if instance is None or instance.pk is None:
        return "", None
    from auditlog.models import LogEntry

    entry = LogEntry.objects.get_for_object(instance).select_related("actor").order_by("-timestamp", "-pk").first()
    if entry is not None:
        actor = entry.actor
        name = actor.display_name() if actor is not None and hasattr(actor, "display_name") else str(actor or "")
        return name, entry.timestamp
    return "", getattr(instance, "updated_at", None)


def conflict(
    exc: Stale,
    forms_with_stored: Iterable[tuple[forms.BaseForm | None, Mapping[str, Any]]] = (),
    lists: Iterable[Difference | None] = (),
) -> Conflict:
    """What the conflict panel shows: every form compared with the stored values, then the edited lists."""
    differences: list[Difference] = []
    for form, stored in forms_with_stored:
        if form is not None:
            differences += form_differences(form, stored)
    differences += [d for d in lists if d is not None]
    changed_by, changed_at = _last_change(exc.current)
    return Conflict(exc.current_version, differences, changed_by, changed_at)


def row_lines(form: forms.BaseForm, rows: Iterable[Mapping[str, Any]], names: Iterable[str]) -> list[str]:
    """Rows of a list (stored ones, or a formset's cleaned rows) as one line each, for `list_difference`."""
    names = list(names)
    lines = []
    for row in rows:
        parts = [show(form.fields[n], row.get(n))[0] for n in names if row.get(n) not in (None, "", False, [])]
        lines.append(" · ".join(parts))
    return lines


def text_difference(label: str, theirs: str, mine: str, limit: int = 40) -> Difference | None:
    """A long text (a definition file): only the lines that differ on each side, at most `limit` each."""
    import difflib

    theirs_lines, mine_lines = theirs.splitlines(), mine.splitlines()
    if theirs_lines == mine_lines:
        return None
    only_theirs: list[str] = []
    only_mine: list[str] = []
    matcher = difflib.SequenceMatcher(a=theirs_lines, b=mine_lines, autojunk=False)
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag != "equal":
            only_theirs += [f"{n + 1}: {theirs_lines[n]}" for n in range(a1, a2)]
            only_mine += [f"{n + 1}: {mine_lines[n]}" for n in range(b1, b2)]
    return Difference(label, only_theirs[:limit] or [_EMPTY], only_mine[:limit] or [_EMPTY])

"""The audit trail as a data-protection officer reads it (issue 18.11): who by full name (login beside it),
when in the installation's time zone to the minute, what in words (`trail_words`), the object by its
translated type with a link when the reader may see it (`audit.register_link`), and each changed field by its
translated name with human values: choice labels, yes/no, local dates, a related record by its label (a
person's record by type and id only). Masked and encrypted fields say "changed", never a value.

Shared by the page and the CSV export (`access.views`); machine codes stay available in the export
(`?codes=1`) and the API (`access.api`).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import ForeignObjectRel
from django.utils import dateparse, formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reintegra.access import audit, selectors
from reintegra.access.exports import Column
from reintegra.access.models import AccessEvent
from reintegra.access.trail_words import describe_purpose

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from reintegra.access.models import User

EMPTY = "—"
CHANGE_ACTION_LABELS = {
    "create": gettext_lazy("Created"),
    "update": gettext_lazy("Changed"),
    "delete": gettext_lazy("Deleted"),
}
ACCESS_ACTION_LABELS = dict(AccessEvent.Action.choices)
CHANNEL_LABELS = {"web": gettext_lazy("web page"), "api": gettext_lazy("API"), "cli": gettext_lazy("command")}


@dataclass(frozen=True)
class ShownChange:
    field: str
    old: str
    new: str
    protected: bool  # masked or encrypted: only THAT it changed is shown


@dataclass(frozen=True)
class ShownEntry:
    entry: selectors.TrailEntry
    at: datetime  # local time, to the minute
    who: str
    login: str
    action: str
    event: str
    object_label: str
    link: str | None
    channel: str
    changes: list[ShownChange] = field(default_factory=list)

    def changes_text(self) -> str:
        parts = []
        for change in self.changes:
            if change.protected:
                parts.append(_("%(field)s: changed") % {"field": change.field})
            else:
                parts.append(f"{change.field}: {change.old} → {change.new}")
        return "; ".join(parts)


def model_of(object_type: str) -> type[models.Model] | None:
    app_label, _dot, name = object_type.partition(".")
    if not name:
        return None
    try:
        return apps.get_model(app_label, name)
    except (LookupError, ValueError):
        return None


def type_label(object_type: str) -> str:
    model = model_of(object_type)
    if model is None:
        return object_type or EMPTY
    return str(capfirst(model._meta.verbose_name))


class _Presenter:
    """One page (or export) of entries; related records looked up once each."""

    def __init__(self, reader: User) -> None:
        self.reader = reader
        self._related: dict[tuple[str, str], str] = {}

    def entry(self, entry: selectors.TrailEntry) -> ShownEntry:
        if entry.source == selectors.CHANGE:
            action = CHANGE_ACTION_LABELS.get(entry.action, entry.action)
            event = ""
        else:
            action = ACCESS_ACTION_LABELS.get(entry.action, entry.action)
            # A consent exception's purpose is the justification the person typed: shown as written.
            event = entry.purpose or "" if entry.action == "consent_exception" else describe_purpose(entry.purpose)
        return ShownEntry(
            entry=entry,
            at=timezone.localtime(entry.at).replace(second=0, microsecond=0),
            who=entry.user_name or entry.username or EMPTY,
            login=entry.username,
            action=str(action),
            event=event,
            object_label=self.object_label(entry),
            link=audit.object_link(self.reader, entry.object_type, entry.object_id),
            channel=str(CHANNEL_LABELS.get(entry.channel or "", entry.channel or "")),
            changes=self.changes(entry),
        )

    def object_label(self, entry: selectors.TrailEntry) -> str:
        if not entry.object_type:
            return EMPTY
        label = type_label(entry.object_type)
        personal = audit.is_personal_label(entry.object_type.lower())
        shown = entry.object_repr
        if shown and not personal and not shown.startswith(f"{entry.object_type.lower()}#"):
            return f"{label}: {shown}"
        return f"{label} #{entry.object_id}" if entry.object_id else label

    def changes(self, entry: selectors.TrailEntry) -> list[ShownChange]:
        if not entry.changes:
            return []
        model = model_of(entry.object_type)
        masked = set(audit.masked_field_names(model)) if model is not None else set()
        shown = []
        for name, values in entry.changes.items():
            model_field = _field(model, name)
            if model_field is _SKIP:
                continue
            label = _field_label(model_field, name)
            old, new = (values[0], values[-1]) if len(values) >= 2 else (None, values[0] if values else None)
            protected = (
                name in masked
                or audit.REDACTED in (old, new)
                or isinstance(model_field, models.JSONField)  # structured data: the page of the record shows it
            )
            if protected:
                shown.append(ShownChange(label, "", "", True))
                continue
            before, after = self.value(model_field, old), self.value(model_field, new)
            if before != after:  # None and "" on a new record: nothing to say
                shown.append(ShownChange(label, before, after, False))
        return sorted(shown, key=lambda change: change.field.lower())

    def value(self, model_field: models.Field[Any, Any] | None, raw: str | None) -> str:
        if raw is None or raw == "None" or raw == "":
            return EMPTY
        if model_field is None:
            return raw
        if model_field.choices:
            return _choice(model_field, raw)
        if isinstance(model_field, models.BooleanField):
            return _("Yes") if raw == "True" else _("No") if raw == "False" else raw
        if isinstance(model_field, models.ForeignKey):
            return self.related(model_field.related_model, raw)
        return _typed(model_field, raw)

    def related(self, model: Any, pk: str) -> str:
        label_lower = model._meta.label_lower
        key = (label_lower, pk)
        if key not in self._related:
            if audit.is_personal_label(label_lower):
                # A person's record is named by type and id, as in the log itself: never by the person's name.
                self._related[key] = f"{capfirst(model._meta.verbose_name)} #{pk}"
            else:
                try:
                    found = model._default_manager.filter(pk=pk).first()
                except (ValueError, ValidationError):
                    found = None
                if found is None:
                    self._related[key] = f"{capfirst(model._meta.verbose_name)} #{pk}"
                else:  # a person working on the platform by their name (their login is on the user's page)
                    name = getattr(found, "display_name", None)
                    self._related[key] = name() if callable(name) else str(found)
        return self._related[key]


_SKIP = object()
# Timestamps many models declare without a verbose name (Django would show the English "Created at").
_COMMON_NAMES = {"created_at": gettext_lazy("created at"), "updated_at": gettext_lazy("updated at")}


def _field_label(model_field: Any, name: str) -> str:
    if model_field is None:
        return name
    if name in _COMMON_NAMES and model_field.verbose_name == name.replace("_", " "):
        return str(capfirst(_COMMON_NAMES[name]))
    return str(capfirst(model_field.verbose_name))


def _field(model: type[models.Model] | None, name: str) -> Any:
    """The model field a change names; None when unknown (a field since removed: its stored name is shown);
    _SKIP for the primary key and reverse relations, which say nothing a reader needs."""
    if model is None:
        return None
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if isinstance(found, ForeignObjectRel) or getattr(found, "primary_key", False):
        return _SKIP
    return found


def _choice(model_field: Any, raw: str) -> str:
    labels = {str(value): str(label) for value, label in model_field.flatchoices}
    if raw.startswith("["):  # a list of codes (an array of choices)
        try:
            items = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            items = None
        if isinstance(items, list):
            return ", ".join(labels.get(str(item), str(item)) for item in items)
    return labels.get(raw, raw)


def _typed(model_field: Any, raw: str) -> str:
    if isinstance(model_field, models.DateTimeField):
        moment = dateparse.parse_datetime(raw)
        if moment is not None:
            if timezone.is_naive(moment):
                moment = moment.replace(tzinfo=UTC)
            return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
        return raw
    if isinstance(model_field, models.DateField):
        day = dateparse.parse_date(raw)
        return formats.date_format(day, "SHORT_DATE_FORMAT") if day is not None else raw
    if isinstance(model_field, models.DecimalField | models.FloatField):
        try:
            return formats.number_format(float(raw), use_l10n=True)
        except ValueError:
            return raw
    return raw


def present(reader: User, entries: Iterable[selectors.TrailEntry]) -> Iterator[ShownEntry]:
    presenter = _Presenter(reader)
    return (presenter.entry(entry) for entry in entries)


# --- the CSV export -------------------------------------------------------------------------------------------

# In the reader's language (the default) ...
TRAIL_COLUMNS = (
    Column("at", gettext_lazy("When")),
    Column("user_name", gettext_lazy("Who")),
    Column("username", gettext_lazy("Login")),
    Column("action", gettext_lazy("Action")),
    Column("event", gettext_lazy("Event")),
    Column("object", gettext_lazy("Object")),
    Column("changes", gettext_lazy("Changes")),
    Column("flagged", gettext_lazy("Flagged")),
    Column("channel", gettext_lazy("Channel")),
)


def trail_rows(reader: User, entries: Iterable[selectors.TrailEntry]) -> Iterator[list[Any]]:
    for shown in present(reader, entries):
        yield [
            shown.at,
            shown.who,
            shown.login,
            shown.action,
            shown.event if shown.entry.source == selectors.ACCESS else "",
            shown.object_label,
            shown.changes_text(),
            shown.entry.flagged,
            shown.channel,
        ]

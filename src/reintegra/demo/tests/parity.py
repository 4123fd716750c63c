"""Helpers of the parity test: play a story through the services, and read back every row a set of models
holds in a form two databases can be compared in (ids, timestamps and ciphertexts left out)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.apps import apps
from django.db import connection, models
from django.utils import timezone

from reintegra.access import crypto
from reintegra.access.fields import is_encrypted
from reintegra.access.models import User
from reintegra.cases import services
from reintegra.cases.models import Case, CaseEvent
from reintegra.demo import stories
from reintegra.testing import factories
from reintegra.testing.closure import suggested_decisions

# ---------------------------------------------------------------------------------------------------------
# Playing a story through the services, at the moments it happened
# ---------------------------------------------------------------------------------------------------------


class Clock:
    """Stands in for django.utils.timezone.now: the services' "now" and "today" are the step's moment."""

    def __init__(self) -> None:
        self.moment: datetime | None = None

    def __call__(self) -> datetime:
        assert self.moment is not None
        return self.moment


class _Play:
    def __init__(self, user: User) -> None:
        self.user = user
        self.case: Case | None = None
        self.item_ids: list[int] = []

    @property
    def open_case(self) -> Case:
        assert self.case is not None
        return self.case

    def registration(self, step: stories.Registration) -> None:
        returnee = services.register_returnee(self.user, step.returnee, confirmation=factories.VOUCHED)
        self.case = services.open_case(self.user, returnee, step.return_information)

    def household(self, step: stories.HouseholdRecorded) -> None:
        services.set_household(self.user, self.open_case, step.members, step.notes)

    def session(self, step: stories.SessionHeld) -> None:
        services.record_counselling_session(self.user, self.open_case, dict(step.values))

    def assessment(self, step: stories.Assessed) -> None:
        services.record_assessment(self.user, self.open_case, dict(step.values))

    def plan(self, step: stories.PlanDrafted) -> None:
        plan = services.save_plan(
            self.user, self.open_case, goals=step.goals, motivations=step.motivations, items=step.items
        )
        self.item_ids = list(plan.items.order_by("id").values_list("id", flat=True))

    def agreement(self, step: stories.PlanAgreed) -> None:
        services.agree_plan(self.user, self.open_case, agreed_on=step.agreed_on, late_reason=step.late_reason)

    def visit(self, step: stories.Visited) -> None:
        progress = [services.ProgressInput(self.item_ids[at], status, note) for at, status, note in step.progress]
        services.record_follow_up(self.user, self.open_case, dict(step.values), progress)

    def closure(self, step: stories.Closed) -> None:
        services.close_case(
            self.user,
            self.open_case,
            reason=step.reason,
            note=step.note,
            closed_on=step.closed_on,
            open_matters={
                **suggested_decisions(self.open_case),
                **{f"plan-item-{pk}": step.open_items_become for pk in self.item_ids},
            },
        )


_PLAYERS: dict[type[Any], Callable[[_Play, Any], None]] = {
    stories.Registration: _Play.registration,
    stories.HouseholdRecorded: _Play.household,
    stories.SessionHeld: _Play.session,
    stories.Assessed: _Play.assessment,
    stories.PlanDrafted: _Play.plan,
    stories.PlanAgreed: _Play.agreement,
    stories.Visited: _Play.visit,
    stories.Closed: _Play.closure,
}


def play(story: stories.CaseStory, clock: Clock) -> None:
    """Each step of the story through its service, as the case manager, at the step's moment."""
    player = _Play(User.objects.get(pk=story.slot.manager_id))
    for step in story.steps:
        clock.moment = step.at
        _PLAYERS[type(step)](player, step)


# ---------------------------------------------------------------------------------------------------------
# Reading rows back in a comparable form
# ---------------------------------------------------------------------------------------------------------


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def written(before: dict[str, int], after: dict[str, int]) -> set[str]:
    """The models that gained rows."""
    return {label for label, count in after.items() if count != before.get(label, 0)}


# Timeline payloads that name a row of the case by its id.
EVENT_REFERENCES = {
    "session": "cases.CounsellingSession",
    "assessment": "cases.Assessment",
    "visit": "cases.FollowUpVisit",
}


def _compared_fields(model: type[models.Model]) -> list[models.Field]:
    """Every column but the id and the timestamps."""
    return [f for f in model._meta.concrete_fields if not f.primary_key and not isinstance(f, models.DateTimeField)]


def _parent(model: type[models.Model], labels: set[str]) -> models.ForeignKey | None:
    for f in model._meta.concrete_fields:
        if isinstance(f, models.ForeignKey) and f.related_model._meta.label in labels:  # type: ignore[union-attr]
            return f
    return None


# Rows known by their case's number.
_ROOTS = ("cases.Case", "cases.Returnee", "cases.Household")


class Snapshot:
    """Every row of `labels` (models), keyed by where it stands rather than by its id: a case by its number,
    a returnee or household by its case's number, any other row by its parent row and rank among its
    siblings (id order), a row without a parent among them by its values."""

    def __init__(self, labels: Iterable[str]) -> None:
        self.labels = set(labels)
        self.refs: dict[str, dict[int, Any]] = defaultdict(dict)
        self.rows: dict[str, dict[Any, dict[str, Any]]] = {}
        cases = list(Case.objects.order_by("id").values_list("id", "case_number", "returnee_id", "household_id"))
        for pk, number, returnee_id, household_id in cases:
            self.refs["cases.Case"][pk] = number
            self.refs["cases.Returnee"][returnee_id] = number
            if household_id is not None:
                self.refs["cases.Household"][household_id] = number
        for label in self._parents_first():
            self.rows[label] = self._read(apps.get_model(label))

    def _parents_first(self) -> list[str]:
        ordered: list[str] = []
        pending = sorted(self.labels)
        while pending:
            ready = [
                label
                for label in pending
                if (parent := _parent(apps.get_model(label), self.labels)) is None
                or parent.related_model._meta.label in ordered  # type: ignore[union-attr]
                or label in _ROOTS
            ]
            assert ready, f"circular parents among {pending}"
            ordered.extend(ready)
            pending = [label for label in pending if label not in ready]
        return ordered

    def _read(self, model: type[models.Model]) -> dict[Any, dict[str, Any]]:
        label = model._meta.label
        parent = None if label in _ROOTS else _parent(model, self.labels)
        rank: dict[Any, int] = defaultdict(int)
        rows = {}
        for obj in model._default_manager.order_by("pk"):
            values = {f.name: self._value(obj, f) for f in _compared_fields(model)}
            if isinstance(obj, CaseEvent):
                values["data"] = self._event_data(obj.data)
            if label in _ROOTS:
                ref = self.refs[label][obj.pk]
            elif parent is not None:
                # (a row whose parent is its primary key, such as a case's fact row: not a compared column)
                owner = values[parent.name] if parent.name in values else self._value(obj, parent)
                ref = (owner, rank[owner])
                rank[owner] += 1
            else:
                ref = tuple(sorted(values.items()))
            self.refs[label][obj.pk] = ref
            rows[ref] = values
        return rows

    def _value(self, obj: models.Model, f: models.Field) -> Any:
        value = getattr(obj, f.attname)
        if value is not None and isinstance(f, models.ForeignKey) and f.related_model._meta.label in self.labels:  # type: ignore[union-attr]
            return (f.related_model._meta.label, self.refs[f.related_model._meta.label].get(value))  # type: ignore[union-attr]
        return str(value) if f.get_internal_type() == "CharField" and value is not None else value

    def _event_data(self, data: dict[str, Any]) -> dict[str, Any]:
        return {
            key: (EVENT_REFERENCES[key], self.refs[EVENT_REFERENCES[key]].get(value))
            if key in EVENT_REFERENCES
            else value
            for key, value in data.items()
        }


def differences(generated: Snapshot, built: Snapshot) -> list[str]:
    """What the services wrote that the generator did not write the same way, one line each."""
    found = []
    for label in sorted(built.labels):
        ours, theirs = generated.rows.get(label, {}), built.rows[label]
        for ref in theirs.keys() - ours.keys():
            found.append(f"{label} {ref}: written by the services, not by the generator")
        for ref in ours.keys() - theirs.keys():
            found.append(f"{label} {ref}: written by the generator, not by the services")
        for ref in theirs.keys() & ours.keys():
            for name, value in theirs[ref].items():
                if ours[ref].get(name) != value:
                    found.append(f"{label} {ref} .{name}: services {value!r}, generator {ours[ref].get(name)!r}")
    return found


def clear_at_rest(labels: Iterable[str]) -> list[str]:
    """Encrypted columns holding anything but a ciphertext (raw SQL: the ORM would decrypt)."""
    found = []
    quote = connection.ops.quote_name
    for label in sorted(labels):
        model = apps.get_model(label)
        for f in model._meta.concrete_fields:
            if not is_encrypted(f):
                continue
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {quote(f.column)} FROM {quote(model._meta.db_table)}")  # noqa: S608
                clear = [v for (v,) in cursor.fetchall() if v and not str(v).startswith(crypto.ENCRYPTED_PREFIX)]
            if clear:
                found.append(f"{label}.{f.name}: {len(clear)} value(s) in clear")
    return found


def freeze(monkeypatch: Any) -> Clock:
    clock = Clock()
    monkeypatch.setattr(timezone, "now", clock)
    return clock


def constant_columns(snapshot: Snapshot) -> list[str]:
    """Columns that hold one and the same value in every compared row: a comparison of them proves little."""
    found = []
    for label, rows in sorted(snapshot.rows.items()):
        values: dict[str, set[str]] = defaultdict(set)
        for row in rows.values():
            for name, value in row.items():
                values[name].add(repr(value))
        found.extend(f"{label}.{name}" for name, seen in sorted(values.items()) if len(seen) == 1)
    return found

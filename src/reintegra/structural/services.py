"""Every write of the structural level: permission check, consistency, then the change (audited).

Changes are recorded by the audit log (apps.py registers every model); contact persons and member
representatives are registered as personal, so their names never reach the log in clear.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.access import versioning
from reintegra.structural import choices as c
from reintegra.structural import selectors
from reintegra.structural.models import (
    ActionItem,
    Checklist,
    ChecklistStep,
    CooperationFramework,
    CoordinationMechanism,
    DataExchangeRule,
    MainstreamingProcess,
    ProgrammeRecord,
    Stakeholder,
    StakeholderReview,
)


def require_edit(user: Any, programme_id: int | None) -> None:
    """EDIT_STRUCTURAL on a programme the user sees; a hidden programme is not found, not forbidden."""
    if not selectors.can_edit(user):
        raise PermissionDenied(_("You do not have permission to do this."))
    if programme_id is None or programme_id not in selectors.visible_programme_ids(user):
        raise ValidationError({"programme": _("Choose one of your programmes.")})


def _check_same_programme(instance: ProgrammeRecord, m2m: Mapping[str, Iterable[Any]]) -> None:
    """Every linked record (stakeholder, mechanism, agreement...) belongs to the record's programme."""
    errors: dict[str, str] = {}
    message = _("Choose a record of the same programme.")
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.ForeignKey) and field.name != "programme":
            related = getattr(instance, field.name, None)
            if isinstance(related, ProgrammeRecord) and related.programme_id != instance.programme_id:
                errors[field.name] = message
    for name, values in m2m.items():
        if any(getattr(v, "programme_id", instance.programme_id) != instance.programme_id for v in values):
            errors[name] = message
    if errors:
        raise ValidationError(errors)


def _after_stakeholder(user: Any, stakeholder: Stakeholder) -> None:
    stakeholder.refresh_next_review()
    Stakeholder.objects.filter(pk=stakeholder.pk).update(next_review_on=stakeholder.next_review_on)


def _after_review(user: Any, review: StakeholderReview) -> None:
    """A review resets the review clock of its stakeholder (schedule.next_review_on)."""
    stakeholder = Stakeholder.objects.select_related("programme").get(pk=review.stakeholder_id)
    if stakeholder.last_reviewed_on is None or review.reviewed_on >= stakeholder.last_reviewed_on:
        stakeholder.last_reviewed_on = review.reviewed_on
    stakeholder.refresh_next_review()
    stakeholder.save(update_fields=["last_reviewed_on", "next_review_on", "updated_at"])


def _before_action_item(user: Any, item: ActionItem) -> None:
    if item.meeting is not None and item.mechanism_id is None:
        item.mechanism_id = item.meeting.mechanism_id
    if item.status == c.WorkStatus.DONE and item.completed_on is None:
        item.completed_on = timezone.localdate()
    if item.status != c.WorkStatus.DONE:
        item.completed_on = None


def _after_mechanism(user: Any, mechanism: CoordinationMechanism) -> None:
    ensure_checklist(mechanism.programme_id, c.ChecklistKind.COORDINATION, mechanism=mechanism)


def _after_framework(user: Any, framework: CooperationFramework) -> None:
    ensure_checklist(framework.programme_id, c.ChecklistKind.COOPERATION, framework=framework)


def _after_process(user: Any, process: MainstreamingProcess) -> None:
    ensure_checklist(process.programme_id, c.ChecklistKind.PRECONDITIONS, process=process)
    ensure_checklist(process.programme_id, c.ChecklistKind.MAINSTREAMING, process=process)


def _before_step(user: Any, step: ChecklistStep) -> None:
    if step.status == c.StepStatus.DONE and step.completed_on is None:
        step.completed_on = timezone.localdate()
    if step.status in (c.StepStatus.IN_PROGRESS, c.StepStatus.DONE) and step.started_on is None:
        step.started_on = step.completed_on or timezone.localdate()


BEFORE: dict[type[models.Model], Callable[[Any, Any], None]] = {
    ActionItem: _before_action_item,
    ChecklistStep: _before_step,
}
AFTER: dict[type[models.Model], Callable[[Any, Any], None]] = {
    Stakeholder: _after_stakeholder,
    StakeholderReview: _after_review,
    CoordinationMechanism: _after_mechanism,
    CooperationFramework: _after_framework,
    MainstreamingProcess: _after_process,
}


def save_record(
    user: Any,
    instance: ProgrammeRecord,
    m2m: Mapping[str, Iterable[Any]] | None = None,
    *,
    expected_version: int | None = None,
) -> Any:
    """Create or update any structural record (form or API), with its many-to-many links.

    `expected_version` (updates): the version the user read; a stale one raises StaleVersion."""
    m2m = {name: list(values) for name, values in (m2m or {}).items()}
    require_edit(user, instance.programme_id)
    if instance.pk is not None:
        stored = type(instance)._default_manager.filter(pk=instance.pk).values_list("programme_id", flat=True).first()
        if stored is None or stored not in selectors.visible_programme_ids(user):
            raise PermissionDenied(_("You do not have permission to do this."))
        if stored != instance.programme_id:
            raise ValidationError({"programme": _("A record cannot move to another programme.")})
    _check_same_programme(instance, m2m)
    with transaction.atomic():
        if instance.pk is not None:
            stored_row = type(instance)._default_manager.select_for_update().filter(pk=instance.pk).first()
            versioning.check(stored_row, expected_version)
        if type(instance) in BEFORE:
            BEFORE[type(instance)](user, instance)
        instance.full_clean(exclude=[f.name for f in instance._meta.concrete_fields if f.name == "file"])
        instance.save()
        for name, values in m2m.items():
            getattr(instance, name).set(values)
        if type(instance) in AFTER:
            AFTER[type(instance)](user, instance)
    return instance


def ensure_checklist(programme_id: int, kind: str, **owner: Any) -> Checklist:
    """The checklist of a kind for a programme (or a mechanism, framework or process), with every step."""
    lookup = {"mechanism": None, "framework": None, "process": None, **owner}
    checklist, _created = Checklist.objects.get_or_create(programme_id=programme_id, kind=kind, **lookup)
    existing = set(checklist.steps.values_list("code", flat=True))
    ChecklistStep.objects.bulk_create(
        [
            ChecklistStep(programme_id=programme_id, checklist=checklist, code=code, position=i)
            for i, (code, _label, _guidance) in enumerate(c.CHECKLIST_STEPS[kind])
            if code not in existing
        ]
    )
    return checklist


def open_programme_checklist(user: Any, programme_id: int, kind: str) -> Checklist:
    require_edit(user, programme_id)
    with transaction.atomic():
        return ensure_checklist(programme_id, kind)


def set_exchange_matrix(
    user: Any,
    framework: CooperationFramework,
    cells: set[tuple[int, str, str]],
    *,
    expected_version: int | None = None,
) -> list[DataExchangeRule]:
    """Replace the information-exchange agreement: `cells` = {(party id, data category, "enter"|"consult")}.

    The rules are part of the framework: `expected_version` is the framework's version the user read."""
    require_edit(user, framework.programme_id)
    parties = {p.pk for p in framework.parties.all()}
    unknown = {party for party, _cat, _right in cells if party not in parties}
    if unknown or any(
        cat not in c.DataCategory.values or right not in ("enter", "consult") for _p, cat, right in cells
    ):
        raise ValidationError(_("The matrix names a party or data category outside the framework."))
    with transaction.atomic():
        versioning.lock(framework, expected_version)
        framework.save(update_fields=["updated_at"])  # the agreement changed: so did the framework's version
        DataExchangeRule.objects.filter(framework=framework).delete()
        rules = []
        for party in sorted(parties):
            for category in c.DataCategory.values:
                enter = (party, category, "enter") in cells
                consult = (party, category, "consult") in cells
                if enter or consult:
                    rules.append(
                        DataExchangeRule(
                            programme_id=framework.programme_id,
                            framework=framework,
                            party_id=party,
                            category=category,
                            may_enter=enter,
                            may_consult=consult,
                        )
                    )
        return DataExchangeRule.objects.bulk_create(rules)

"""Every write of the structural level: permission check, consistency, then the change (audited).

Changes are recorded by the audit log (apps.py registers every model); contact persons and member
representatives are registered as personal, so their names never reach the log in clear.

Ownership: a programme's organisation owns its structural records. Another organisation's coordinators
change them only under a write grant the owner's programme managers give (`grant_write`, `revoke_grant`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from auditlog.context import set_actor
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.access import permissions, versioning
from reintegra.access.models import Organisation, Programme, User
from reintegra.access.roles import Capability
from reintegra.access.scoping import active_with_organisation
from reintegra.structural import choices as c
from reintegra.structural import permissions as structural_permissions
from reintegra.structural import selectors
from reintegra.structural.models import (
    ActionItem,
    Checklist,
    ChecklistStep,
    CooperationFramework,
    CoordinationMechanism,
    DataExchangeRule,
    Document,
    MainstreamingProcess,
    ProgrammeRecord,
    Stakeholder,
    StakeholderReview,
    WriteGrant,
)


def require_edit(user: User, programme_id: int | None) -> None:
    """EDIT_STRUCTURAL on a programme the user may change; a hidden programme is not found, not forbidden;
    one the user sees but does not own (and was not granted) is forbidden."""
    permissions.require(user, Capability.EDIT_STRUCTURAL)
    if programme_id is None or programme_id not in selectors.visible_programme_ids(user):
        raise ValidationError({"programme": ValidationError(_("Choose one of your programmes."), "invalid_choice")})
    structural_permissions.require_programme_edit(user, programme_id)


def _user_fields(instance: ProgrammeRecord) -> list[models.ForeignKey[Any, Any]]:
    return [f for f in instance._meta.concrete_fields if isinstance(f, models.ForeignKey) and f.related_model is User]


def _check_people(instance: ProgrammeRecord) -> None:
    """A person a record names (owner, responsible...) is an active user of the programme's organisation or
    of a coordination body it granted write access; values the record already had are left alone."""
    fields = _user_fields(instance)
    stored: dict[str, Any] = {}
    if instance.pk is not None and fields:
        stored = (
            type(instance)._default_manager.filter(pk=instance.pk).values(*(f.attname for f in fields)).first() or {}
        )
    changed = {
        f.name: getattr(instance, f.attname)
        for f in fields
        if getattr(instance, f.attname) is not None and getattr(instance, f.attname) != stored.get(f.attname)
    }
    if not changed:
        return
    allowed = set(
        User.objects.filter(
            pk__in=changed.values(), is_active=True, organisation_id__in=selectors.writers_of([instance.programme_id])
        ).values_list("pk", flat=True)
    )
    errors = {
        name: ValidationError(_("Choose a person of the programme's organisation."), code="foreign_user")
        for name, pk in changed.items()
        if pk not in allowed
    }
    if errors:
        raise ValidationError(errors)


def _check_same_programme(instance: ProgrammeRecord, m2m: Mapping[str, Iterable[Any]]) -> None:
    """Every linked record (stakeholder, mechanism, agreement...) belongs to the record's programme."""
    errors: dict[str, ValidationError] = {}
    message = ValidationError(_("Choose a record of the same programme."), "invalid_choice")
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


def _after_stakeholder(user: User, stakeholder: Stakeholder) -> None:
    stakeholder.refresh_next_review()
    Stakeholder.objects.filter(pk=stakeholder.pk).update(next_review_on=stakeholder.next_review_on)


def _after_review(user: User, review: StakeholderReview) -> None:
    """A review resets the review clock of its stakeholder (schedule.next_review_on)."""
    stakeholder = Stakeholder.objects.select_related("programme").get(pk=review.stakeholder_id)
    if stakeholder.last_reviewed_on is None or review.reviewed_on >= stakeholder.last_reviewed_on:
        stakeholder.last_reviewed_on = review.reviewed_on
    stakeholder.refresh_next_review()
    stakeholder.save(update_fields=["last_reviewed_on", "next_review_on", "updated_at"])


def _before_action_item(user: User, item: ActionItem) -> None:
    if item.meeting is not None and item.mechanism_id is None:
        item.mechanism_id = item.meeting.mechanism_id
    if item.status == c.WorkStatus.DONE and item.completed_on is None:
        item.completed_on = timezone.localdate()
    if item.status != c.WorkStatus.DONE:
        item.completed_on = None


def _after_mechanism(user: User, mechanism: CoordinationMechanism) -> None:
    ensure_checklist(mechanism.programme_id, c.ChecklistKind.COORDINATION, mechanism=mechanism)


def _after_framework(user: User, framework: CooperationFramework) -> None:
    ensure_checklist(framework.programme_id, c.ChecklistKind.COOPERATION, framework=framework)


def _after_process(user: User, process: MainstreamingProcess) -> None:
    ensure_checklist(process.programme_id, c.ChecklistKind.PRECONDITIONS, process=process)
    ensure_checklist(process.programme_id, c.ChecklistKind.MAINSTREAMING, process=process)


def _before_step(user: User, step: ChecklistStep) -> None:
    if step.status == c.StepStatus.DONE and step.completed_on is None:
        step.completed_on = timezone.localdate()
    if step.status in (c.StepStatus.IN_PROGRESS, c.StepStatus.DONE) and step.started_on is None:
        step.started_on = step.completed_on or timezone.localdate()


MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


def _before_document(user: User, document: Document) -> None:
    upload = document.file
    # A new upload only (a stored file was checked when it came).
    if upload and not getattr(upload, "_committed", True) and upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError({"file": ValidationError(_("The file is larger than 20 MB."), "too_large")})


BEFORE: dict[type[models.Model], Callable[[Any, Any], None]] = {
    ActionItem: _before_action_item,
    ChecklistStep: _before_step,
    Document: _before_document,
}
AFTER: dict[type[models.Model], Callable[[Any, Any], None]] = {
    Stakeholder: _after_stakeholder,
    StakeholderReview: _after_review,
    CoordinationMechanism: _after_mechanism,
    CooperationFramework: _after_framework,
    MainstreamingProcess: _after_process,
}


def save_record(
    user: User,
    instance: ProgrammeRecord,
    m2m: Mapping[str, Iterable[Any]] | None = None,
    *,
    expected_version: int | None = None,
) -> Any:
    """Create or update any structural record (form or API), with its many-to-many links.

    `expected_version` (updates): the version the user read; a stale one raises StaleVersion."""
    m2m = {name: list(values) for name, values in (m2m or {}).items()}
    if instance.pk is not None:
        stored = type(instance)._default_manager.filter(pk=instance.pk).values_list("programme_id", flat=True).first()
        if stored is None or stored not in selectors.visible_programme_ids(user):
            raise permissions.denied()
        require_edit(user, stored)
        if stored != instance.programme_id:
            raise ValidationError(
                {"programme": ValidationError(_("A record cannot move to another programme."), "invalid_choice")}
            )
    require_edit(user, instance.programme_id)
    _check_same_programme(instance, m2m)
    _check_people(instance)
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


def open_programme_checklist(user: User, programme_id: int, kind: str) -> Checklist:
    require_edit(user, programme_id)
    with transaction.atomic():
        return ensure_checklist(programme_id, kind)


def set_exchange_matrix(
    user: User,
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


# --- write grants --------------------------------------------------------------------------------


def can_manage_grants(user: User) -> bool:
    """The owner's programme managers give and revoke write access to their organisation's records."""
    return active_with_organisation(user) and permissions.has_any(user, Capability.MANAGE_PROGRAMME)


def _grant_errors(user: User, grantee: Organisation | None, scope: str, programme: Programme | None) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    if grantee is None or not grantee.is_active:
        errors["grantee"] = _("Choose an active organisation.")
    elif grantee.pk == user.organisation_id:
        errors["grantee"] = _("Your organisation already changes its own records.")
    if scope not in c.GrantScope.values:
        errors["scope"] = _("Choose what the grant covers from the list.")
    elif scope == c.GrantScope.STRUCTURAL and (programme is None or programme.organisation_id != user.organisation_id):
        errors["programme"] = _("Choose one of your organisation's programmes.")
    return errors


def grant_write(user: User, grantee: Organisation | None, scope: str, programme: Programme | None = None) -> WriteGrant:
    """Give `grantee`'s coordinators write access to the structural records of `programme` (one of the
    user's organisation's), or to the regional actions the user's organisation entered."""
    if not can_manage_grants(user):
        raise permissions.denied()
    errors = _grant_errors(user, grantee, scope, programme)
    if errors:
        raise ValidationError(errors)
    assert grantee is not None
    organisation_id = permissions.own_organisation_id(user)
    if scope == c.GrantScope.REGIONAL:
        programme = None
    with transaction.atomic(), set_actor(user):
        if WriteGrant.objects.filter(
            organisation_id=organisation_id,
            grantee=grantee,
            scope=scope,
            programme=programme,
            revoked_at__isnull=True,
        ).exists():
            raise ValidationError(
                {"grantee": ValidationError(_("This organisation already has this access."), code="already_granted")}
            )
        return WriteGrant.objects.create(
            organisation_id=organisation_id, grantee=grantee, scope=scope, programme=programme, granted_by=user
        )


def revoke_grant(user: User, grant: WriteGrant) -> WriteGrant:
    """End a grant now (the owner's programme managers); it stays, dated, in the list."""
    if not (can_manage_grants(user) and permissions.holds(user, grant)):
        raise permissions.denied()
    with transaction.atomic(), set_actor(user):
        locked = WriteGrant.objects.select_for_update().get(pk=grant.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.revoked_by = user
            locked.save(update_fields=["revoked_at", "revoked_by"])
        return locked

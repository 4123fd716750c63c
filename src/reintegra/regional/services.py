"""Every write to the regional catalogue, with its permission check, inside a transaction (audited by auditlog).

Who may edit (issue 6 §7, issue 10 item 13): a user with EDIT_STRUCTURAL of the organisation that entered
the action (its owner), or a coordinator whose coordination body that organisation granted write access
to its regional actions (structural.WriteGrant, scope "regional"). Reading stays open to every reader.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_countries import countries

from reintegra.access import permissions, versioning
from reintegra.access.models import Organisation
from reintegra.access.roles import Capability, Role
from reintegra.access.scoping import active_with_organisation
from reintegra.regional.choices import Dimension, EvaluationStatus, FundingSource, InstitutionKind, InterventionLevel
from reintegra.regional.duplication import normalise
from reintegra.regional.matrix import cell_product
from reintegra.regional.models import ActionCell, Institution, RegionalAction
from reintegra.structural.selectors import has_regional_grant
from reintegra.validation import FieldErrors

if TYPE_CHECKING:
    from reintegra.access.models import User


@dataclass
class ActionInput:
    country: str
    title: str
    levels: list[str]
    dimensions: list[str]
    description: str = ""
    institution_name: str = ""
    institution_kind: str = InstitutionKind.OTHER
    target_population: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    funding_source: str = FundingSource.UNKNOWN
    evaluation_status: str = EvaluationStatus.NOT_EVALUATED
    evaluated_on: date | None = None
    evaluation_reference: str = ""
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_action(cls, action: RegionalAction) -> ActionInput:
        return cls(
            country=str(action.country),
            title=action.title,
            levels=list(action.levels),
            dimensions=list(action.dimensions),
            description=action.description,
            institution_name=action.institution.name if action.institution else "",
            institution_kind=action.institution.kind if action.institution else InstitutionKind.OTHER,
            target_population=action.target_population,
            starts_on=action.starts_on,
            ends_on=action.ends_on,
            funding_source=action.funding_source,
            evaluation_status=action.evaluation_status,
            evaluated_on=action.evaluated_on,
            evaluation_reference=action.evaluation_reference,
            source=action.source,
        )


INPUT_FIELDS = [f.name for f in fields(ActionInput) if f.name != "extra"]


def validation_errors(data: ActionInput) -> dict[str, list[str]]:
    """Field -> translated messages for everything wrong with an action's data (empty when valid)."""
    return action_errors(data).messages()


def action_errors(data: ActionInput) -> FieldErrors:
    """Everything wrong with an action's data, by field, with codes (web form, API and import alike)."""
    errors = FieldErrors()
    _check_names(errors, data)
    _check_choices(errors, data)
    _check_dates(errors, data)
    return errors


def _check_names(errors: FieldErrors, data: ActionInput) -> None:
    if not data.country or data.country not in dict(countries):
        errors.add("country", _("Choose a valid country."), "invalid_choice")
    if not data.title.strip():
        errors.add("title", _("Give the action's name."), "required")
    elif len(data.title) > 300:
        errors.add("title", _("The name is too long (300 characters at most)."), "max_length")
    if len(data.institution_name) > 200:
        errors.add("institution_name", _("The name is too long (200 characters at most)."), "max_length")
    if len(data.target_population) > 300:
        errors.add("target_population", _("The text is too long (300 characters at most)."), "max_length")


def _check_choices(errors: FieldErrors, data: ActionInput) -> None:
    if not data.levels:
        errors.add("levels", _("Choose at least one level."), "required")
    elif any(v not in InterventionLevel.values for v in data.levels):
        errors.add("levels", _("Unknown level: use individual, community or structural."), "invalid_choice")
    if not data.dimensions:
        errors.add("dimensions", _("Choose at least one dimension."), "required")
    elif any(v not in Dimension.values for v in data.dimensions):
        errors.add("dimensions", _("Unknown dimension: use economic, social or psychosocial."), "invalid_choice")
    for name, value, allowed, message in (
        ("institution_kind", data.institution_kind, InstitutionKind.values, _("Choose a valid kind of institution.")),
        ("funding_source", data.funding_source, FundingSource.values, _("Choose a valid funding source.")),
        (
            "evaluation_status",
            data.evaluation_status,
            EvaluationStatus.values,
            _("Choose a valid evaluation status."),
        ),
    ):
        if value not in allowed:
            errors.add(name, message, "invalid_choice")


def _check_dates(errors: FieldErrors, data: ActionInput) -> None:
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        errors.add("ends_on", _("The end date cannot be before the start date."), "ends_before_start")
    if data.evaluation_status == EvaluationStatus.GOOD_PRACTICE:
        # CRM 2022 report §4: "good practice" only after an evaluation with a specific methodology.
        if not data.evaluated_on:
            errors.add("evaluated_on", _("A good practice needs the date of its evaluation."), "required")
        if not data.evaluation_reference.strip():
            errors.add(
                "evaluation_reference",
                _("A good practice needs a reference to or a summary of its evaluation."),
                "required",
            )
    if data.evaluated_on and data.evaluated_on > date.today():
        errors.add("evaluated_on", _("The evaluation date cannot be in the future."), "in_future")


def can_create(user: User) -> bool:
    return active_with_organisation(user) and permissions.has_any(user, Capability.EDIT_STRUCTURAL)


def can_edit(user: User, action: RegionalAction) -> bool:
    if not can_create(user):
        return False
    if permissions.holds(user, action.entered_by_organisation_id):
        return True
    coordinator = Role.COORDINATOR in user.roles
    return coordinator and has_regional_grant(action.entered_by_organisation_id, user.organisation_id)


def institution_for(country: str, name: str, kind: str) -> Institution | None:
    """The country's institution of that (normalised) name, created when new; None for no name."""
    name = " ".join(name.split())
    key = normalise(name)[:200]
    if not key:
        return None
    institution, created = Institution.objects.get_or_create(
        country=country, normalised_name=key, defaults={"name": name[:200], "kind": kind}
    )
    # An institution is shared by every organisation's actions: an action fills in a kind still unknown,
    # it never overwrites the kind others gave.
    if not created and institution.kind == InstitutionKind.OTHER and kind != InstitutionKind.OTHER:
        institution.kind = kind
        institution.save(update_fields=["kind"])
    return institution


def _search_text(action: RegionalAction) -> str:
    parts = [action.title, action.description, action.target_population]
    if action.institution:
        parts.append(action.institution.name)
    return normalise(" ".join(parts))


def _apply(action: RegionalAction, data: ActionInput) -> None:
    action.country = data.country
    action.title = " ".join(data.title.split())
    action.institution = institution_for(data.country, data.institution_name, data.institution_kind)
    # Stored in the matrix's order, whatever order they came in.
    action.levels = [v for v in InterventionLevel.values if v in data.levels]
    action.dimensions = [v for v in Dimension.values if v in data.dimensions]
    action.target_population = data.target_population.strip()
    action.description = data.description.strip()
    action.starts_on = data.starts_on
    action.ends_on = data.ends_on
    action.funding_source = data.funding_source
    action.evaluation_status = data.evaluation_status
    action.evaluated_on = data.evaluated_on
    action.evaluation_reference = data.evaluation_reference.strip()
    action.source = data.source.strip()[:300]
    action.search_text = _search_text(action)


def _write_cells(actions: Sequence[RegionalAction]) -> None:
    ActionCell.objects.filter(action__in=[a.pk for a in actions]).delete()
    ActionCell.objects.bulk_create(
        [
            ActionCell(action=a, country=a.country, level=level, dimension=dimension)
            for a in actions
            for level, dimension in cell_product(a.levels, a.dimensions)
        ],
        batch_size=1000,
    )


def _check(data: ActionInput) -> None:
    action_errors(data).raise_if_any()


def create_action(user: User, data: ActionInput) -> RegionalAction:
    if not can_create(user):
        raise PermissionDenied(_("You may not add actions to the regional catalogue."))
    _check(data)
    with transaction.atomic():
        action = RegionalAction(entered_by_organisation_id=permissions.own_organisation_id(user), created_by=user)
        _apply(action, data)
        action.save()
        _write_cells([action])
    return action


def update_action(
    user: User, action: RegionalAction, data: ActionInput, *, expected_version: int | None = None
) -> RegionalAction:
    """`expected_version`: the version the user read (access.versioning); a stale one raises StaleVersion."""
    if not can_edit(user, action):
        raise PermissionDenied(
            _(
                "Only the organisation that entered this action, or a coordination body it gave write access, "
                "may change it."
            )
        )
    _check(data)
    with transaction.atomic():
        action = RegionalAction.objects.select_for_update().get(pk=action.pk)
        versioning.check(action, expected_version)
        _apply(action, data)
        action.save()
        _write_cells([action])
    return action


@dataclass
class ImportResult:
    created: int = 0
    skipped: int = 0  # already in the catalogue (same country, institution and name)


def import_actions(rows: Sequence[ActionInput], organisation: Organisation, user: User | None = None) -> ImportResult:
    """Add validated rows to the catalogue in one transaction; rows already in it are skipped.

    The caller validates every row first (`importing.parse`) and never calls this with a bad one; the
    rows are checked again here so that nothing invalid is written whichever way it arrives."""
    if user is not None and not can_create(user):
        raise PermissionDenied(_("You may not add actions to the regional catalogue."))
    for number, data in enumerate(rows, start=1):
        errors = validation_errors(data)
        if errors:
            raise ValidationError(_("Row %(row)s is not valid.") % {"row": number})
    result = ImportResult()
    with transaction.atomic():
        existing: set[tuple[str, str, int | None]] = {
            (str(country), normalise(title), institution)
            for country, title, institution in RegionalAction.objects.filter(
                country__in={r.country for r in rows}
            ).values_list("country", "title", "institution_id")
        }
        created = []
        for data in rows:
            action = RegionalAction(entered_by_organisation=organisation, created_by=user)
            _apply(action, data)
            key = (str(action.country), normalise(action.title), action.institution_id)
            if key in existing:
                result.skipped += 1
                continue
            existing.add(key)
            action.save()
            created.append(action)
        _write_cells(created)
        result.created = len(created)
    return result

"""A programme's child-protection settings: the days to complete a best-interests assessment by priority.
Programme managers of the programme's organisation change them; the deadlines of BIAs started later follow."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from auditlog.context import set_actor
from django.db import transaction
from django.utils.translation import gettext as _

from reintegra.access import permissions, versioning
from reintegra.access.roles import Capability
from reintegra.children.models import ChildProtectionSettings
from reintegra.validation import FieldErrors

if TYPE_CHECKING:
    from reintegra.access.models import Programme, User

# Longest deadline a programme may set, by priority (days); the model's validators say the same.
LIMITS = {"high_priority_days": 90, "medium_priority_days": 90, "low_priority_days": 180}


@dataclass(frozen=True)
class DeadlineInput:
    high_priority_days: int
    medium_priority_days: int
    low_priority_days: int


def _errors(data: DeadlineInput) -> FieldErrors:
    errors = FieldErrors()
    for name, most in LIMITS.items():
        value = getattr(data, name)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= most:
            errors.add(name, _("Give a whole number of days from 1 to %(most)s.") % {"most": most}, "out_of_range")
    if not errors and not data.high_priority_days <= data.medium_priority_days <= data.low_priority_days:
        errors.add(
            "medium_priority_days",
            _("A higher priority cannot have a longer deadline: high ≤ medium ≤ low."),
            "priority_order",
        )
    return errors


def save_deadlines(
    user: User, programme: Programme, data: DeadlineInput, *, expected_version: int | None = None
) -> ChildProtectionSettings:
    """Create or change the programme's BIA deadlines (version 0: still the defaults)."""
    permissions.require(user, Capability.MANAGE_PROGRAMME)
    permissions.require_holding_organisation(user, programme)
    _errors(data).raise_if_any()
    with transaction.atomic(), set_actor(user):
        found = ChildProtectionSettings.objects.select_for_update().filter(programme=programme).first()
        versioning.check(found, expected_version)
        found = found or ChildProtectionSettings(programme=programme)
        found.high_priority_days = data.high_priority_days
        found.medium_priority_days = data.medium_priority_days
        found.low_priority_days = data.low_priority_days
        found.save()
        return found

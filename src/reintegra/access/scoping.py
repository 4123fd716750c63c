"""Scoping primitives every app builds its visibility rules on: who counts as an active member of an
organisation, field-level protection by sensitive category (`can_see`) and the capability questions the
pages ask. Which cases and returnees a user sees is `cases.scoping` (cases sit above this app).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from reintegra.access import permissions
from reintegra.access.roles import CATEGORY_CAPABILITY, Capability, SensitiveCategory

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from reintegra.access.models import User

NOTHING = Q(pk__in=[])


def active_with_organisation(user: User) -> bool:
    """Signed in, active and a member of an organisation: the precondition of seeing any case data."""
    return bool(user and user.is_authenticated and user.is_active and user.organisation_id)


def can_see(user: User | AnonymousUser | None, category: SensitiveCategory | str | None) -> bool:
    """Field-level protection: may this user read fields of this sensitive category?"""
    if category is None:
        return True
    return permissions.has_any(user, CATEGORY_CAPABILITY[SensitiveCategory(category)])


def can_edit_cases(user: User) -> bool:
    return permissions.has_any(user, Capability.EDIT_CASES)


def can_search_documents(user: User) -> bool:
    # Searching by document number would reveal it to someone who may not read it.
    return can_see(user, SensitiveCategory.IDENTITY_DOCUMENT)

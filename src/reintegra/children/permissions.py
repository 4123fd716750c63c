"""Who may read and change a child's case records, and the fetch-and-authorise helper of pages and the API.

Child-protection details (profile, BIA, participation) are read by users who see the case and hold the
protection capability; they are changed by those who may also change the case (its holding organisation).
A determination (BID) is read only by its panel members, the case manager and supervisors
(Capability.APPROVE_BEST_INTERESTS) of the holding organisation. Approving a BIA is a supervisor's step,
never the assessor's own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from reintegra.access import permissions, scoping
from reintegra.access.roles import Capability, SensitiveCategory
from reintegra.cases import permissions as case_permissions
from reintegra.cases import scoping as case_scoping
from reintegra.children import selectors

if TYPE_CHECKING:
    from reintegra.access.models import User
    from reintegra.cases.models import Case
    from reintegra.children.models import BestInterestsAssessment, BestInterestsDetermination


def can_see_child_details(user: User, case: Case) -> bool:
    """For pages, on a case read through the selectors: whether the child-protection details are shown."""
    return scoping.can_see(user, SensitiveCategory.PROTECTION)


def require_child_read(user: User, case: Case) -> None:
    """PermissionDenied unless the user sees the case and the protection category."""
    if not case_scoping.can_see_case(user, case) or not scoping.can_see(user, SensitiveCategory.PROTECTION):
        raise permissions.denied()


def require_child_write(user: User, case: Case) -> None:
    """The case's write rule (capability, scope, holder) and the protection category."""
    case_permissions.require_case_write(user, case)
    if not scoping.can_see(user, SensitiveCategory.PROTECTION):
        raise permissions.denied()


def is_supervisor_of(user: User, case: Case) -> bool:
    return permissions.has_any(user, Capability.APPROVE_BEST_INTERESTS) and permissions.holds(user, case)


def can_see_determination(user: User, case: Case, determination: BestInterestsDetermination | None) -> bool:
    """Panel members, the case manager and the holding organisation's supervisors (with the protection
    category, on a case they see)."""
    if not case_scoping.can_see_case(user, case) or not scoping.can_see(user, SensitiveCategory.PROTECTION):
        return False
    if case.case_manager_id == user.pk or is_supervisor_of(user, case):
        return True
    return selectors.is_panel_member(user, determination)


def require_determination_read(user: User, case: Case, determination: BestInterestsDetermination | None) -> None:
    if not can_see_determination(user, case, determination):
        raise permissions.denied(_("Only the panel members, the case manager and supervisors see the determination."))


def require_determination_write(user: User, case: Case, determination: BestInterestsDetermination | None) -> None:
    require_child_write(user, case)
    require_determination_read(user, case, determination)


def require_approver(user: User, bia: BestInterestsAssessment) -> None:
    """A supervisor of the holding organisation, who is not the assessor."""
    require_child_write(user, bia.case)
    permissions.require(user, Capability.APPROVE_BEST_INTERESTS)
    if bia.assessed_by_id == user.pk:
        raise permissions.denied(_("A best-interests assessment is approved by a supervisor other than its author."))


def access_child_case_by_id(user: User, case_id: Any, *, for_write: bool = False) -> Case:
    """The case (Case.DoesNotExist when hidden: 404), whose child-protection details the user may read
    (PermissionDenied otherwise: 403); `for_write`: and change."""
    case = case_permissions.access_case_by_id(user, case_id, for_write=for_write)
    if not scoping.can_see(user, SensitiveCategory.PROTECTION):
        raise permissions.denied()
    return case


def can_change_case(user: User, case: Case) -> bool:
    """For pages: whether the child's records of this case may be changed by the user (no query)."""
    return case_permissions.can_change_case(user, case) and scoping.can_see(user, SensitiveCategory.PROTECTION)

"""Who may change a case or a returnee, and the fetch-and-authorise helpers of the pages and the API.

Reading is `cases.scoping` (through `selectors.get_case`...). Changing needs Capability.EDIT_CASES (or the
step's own capability) on a case the user sees *and* their organisation holds: a case shared with another
organisation is read there, never changed (it stays managed, assessed and planned by its holder). Every
service of `cases.services` starts with `require_case_write` / `require_returnee_write`; pages and the API
fetch with `access_case_by_id(user, pk, for_write=True)` for an early answer (hidden: Case.DoesNotExist, so
404; visible but not writable: PermissionDenied, so 403).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from reintegra.access import permissions
from reintegra.access.roles import Capability
from reintegra.cases import scoping, selectors
from reintegra.cases.models import Case, Returnee

if TYPE_CHECKING:
    from reintegra.access.models import User


def _holder_only() -> str:
    return _("Only the organisation that holds the case can change it.")


def can_change_case(user: User, case: Case) -> bool:
    """For pages, on a case read through the selectors: whether the user may change it (no query)."""
    return permissions.has_any(user, Capability.EDIT_CASES) and permissions.holds(user, case)


def require_holder(user: User, case: Case) -> None:
    """PermissionDenied unless the user's organisation holds the case (a shared case is read, not changed)."""
    permissions.require_holding_organisation(user, case, _holder_only())


def require_case_write(user: User, case: Case, capability: Capability = Capability.EDIT_CASES) -> None:
    """PermissionDenied unless the user holds `capability`, their organisation holds the case and they see
    it (a case manager: their own and their team's). Services call it first, whoever called them."""
    permissions.require(user, capability)
    if not scoping.can_see_case(user, case):
        raise permissions.denied()  # hidden: nothing said about whose it is
    require_holder(user, case)


def require_returnee_write(user: User, returnee: Returnee) -> None:
    """The same rule for a person's record: their organisation registered them and the user sees them."""
    permissions.require(user, Capability.EDIT_CASES)
    if not scoping.can_see_returnee(user, returnee):
        raise permissions.denied()
    permissions.require_holding_organisation(user, returnee)


def access_case_by_id(
    user: User, case_id: Any, *, for_write: bool = False, capability: Capability = Capability.EDIT_CASES
) -> Case:
    """The case the user may see (Case.DoesNotExist otherwise: existence is not revealed); `for_write`: one
    they may also change with `capability` (PermissionDenied otherwise)."""
    case = selectors.get_case(user, case_id)
    if for_write:
        permissions.require(user, capability)
        require_holder(user, case)
    return case


def access_returnee_by_id(user: User, returnee_id: Any, *, for_write: bool = False) -> Returnee:
    """The person the user may see (Returnee.DoesNotExist otherwise); `for_write`: one they may change."""
    returnee = selectors.get_returnee(user, returnee_id)
    if for_write:
        permissions.require(user, Capability.EDIT_CASES)
        permissions.require_holding_organisation(user, returnee)
    return returnee

"""Who may read and change monitoring and evaluation records.

Reading (indicators, values, dashboards, evaluations, lessons) needs VIEW_AGGREGATES or MANAGE_MONITORING, on
the programmes of the user's organisation (all organisations' with VIEW_AGGREGATES_ALL_ORGANISATIONS, the
coordinators). Changing needs MANAGE_MONITORING on a programme of the user's own organisation (403 otherwise).

Small counts: a user who reads the organisation's cases themselves (VIEW_ORGANISATION_CASES) sees the exact
counts of their own organisation's programmes; everyone else (M&E officers, coordinators, data-protection
officers, the public page) sees cells below the programme's threshold k suppressed, with complementary
suppression (`monitoring.indicators.suppress`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from reintegra.access import permissions
from reintegra.access.models import DEFAULT_SUPPRESSION_THRESHOLD, Programme
from reintegra.access.roles import Capability
from reintegra.monitoring import selectors

if TYPE_CHECKING:
    from reintegra.access.models import User

READ = (Capability.VIEW_AGGREGATES, Capability.MANAGE_MONITORING)


def require_view(user: User) -> None:
    permissions.require(user, *READ)


def require_manage(user: User, programme: Programme) -> None:
    """MANAGE_MONITORING on a programme of the user's organisation (PermissionDenied otherwise)."""
    permissions.require(user, Capability.MANAGE_MONITORING)
    permissions.require_holding_organisation(user, programme)


def can_manage(user: User, programme: Programme) -> bool:
    return permissions.has_any(user, Capability.MANAGE_MONITORING) and permissions.holds(user, programme)


def access_programme_by_id(user: User, pk: Any, *, for_write: bool = False) -> Programme:
    """A programme the user may read the monitoring of (`Programme.DoesNotExist` → 404 otherwise);
    `for_write`: one they may change (PermissionDenied → 403)."""
    require_view(user)
    programme = selectors.programmes_for(user).get(pk=pk)
    if for_write:
        require_manage(user, programme)
    return programme


def sees_small_counts(user: User | None, programmes: Iterable[Programme]) -> bool:
    """Whether the user sees exact small counts of these programmes (the public: never)."""
    if user is None or not permissions.has_any(user, Capability.VIEW_ORGANISATION_CASES):
        return False
    return all(permissions.holds(user, programme) for programme in programmes)


def threshold(programmes: Iterable[Programme]) -> int:
    """The k of these programmes together: the strictest (largest) of their thresholds."""
    return max((p.suppression_threshold for p in programmes), default=DEFAULT_SUPPRESSION_THRESHOLD)

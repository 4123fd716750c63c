"""Who may read and change reception records, and the fetch-and-authorise helpers of pages and the API.

Reception points, arrivals and intakes belong to one organisation. Its staff holding
Capability.RECORD_RECEPTION read and record them; programme managers (Capability.MANAGE_PROGRAMME) manage
its reception points. Another organisation's records are hidden (DoesNotExist: 404); a visible record the
user may not change raises PermissionDenied (403).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reintegra.access import permissions
from reintegra.access.roles import Capability
from reintegra.reception.models import Arrival, Intake, ReceptionPoint

if TYPE_CHECKING:
    from reintegra.access.models import User

RECORD = Capability.RECORD_RECEPTION
MANAGE_POINTS = Capability.MANAGE_PROGRAMME
# The dashboard shows counts only (k-suppressed for those who do not record reception themselves).
VIEW_STATISTICS = (Capability.RECORD_RECEPTION, Capability.VIEW_AGGREGATES, Capability.MANAGE_MONITORING)


def can_record(user: User) -> bool:
    return permissions.has_any(user, RECORD) and bool(user.organisation_id)


def can_manage_points(user: User) -> bool:
    return permissions.has_any(user, MANAGE_POINTS) and bool(user.organisation_id)


def can_view_statistics(user: User) -> bool:
    return permissions.has_any(user, *VIEW_STATISTICS) and bool(user.organisation_id)


def require_record(user: User) -> None:
    permissions.require(user, RECORD)
    permissions.own_organisation_id(user)


def require_arrival_write(user: User, arrival: Arrival) -> None:
    """The capability, and the arrival is the user's organisation's."""
    permissions.require(user, RECORD)
    permissions.require_holding_organisation(user, arrival)


def require_point_write(user: User, point: ReceptionPoint | None) -> None:
    permissions.require(user, MANAGE_POINTS)
    permissions.own_organisation_id(user)
    if point is not None:
        permissions.require_holding_organisation(user, point)


def _own(user: User) -> int:
    """The user's organisation id, 0 (no organisation: nothing matches) when none or not active."""
    return (user.organisation_id or 0) if permissions.is_active_user(user) else 0


def access_point_by_id(user: User, point_id: Any, *, for_write: bool = False) -> ReceptionPoint:
    """A reception point of the user's organisation (DoesNotExist otherwise); `for_write`: one they manage."""
    point = ReceptionPoint.objects.get(pk=point_id, organisation_id=_own(user))
    if for_write:
        require_point_write(user, point)
    elif not (can_record(user) or can_manage_points(user)):
        raise permissions.denied()
    return point


def access_arrival_by_id(user: User, arrival_id: Any, *, for_write: bool = False) -> Arrival:
    """An arrival of the user's organisation (DoesNotExist otherwise: 404) that they may read (PermissionDenied
    otherwise: 403); `for_write`: and record intakes at."""
    arrival = Arrival.objects.select_related("point").get(pk=arrival_id, organisation_id=_own(user))
    permissions.require(user, RECORD)
    if for_write:
        require_arrival_write(user, arrival)
    return arrival


def access_intake_by_id(user: User, intake_id: Any) -> Intake:
    intake = Intake.objects.select_related("arrival", "arrival__point").get(
        pk=intake_id, arrival__organisation_id=_own(user)
    )
    permissions.require(user, RECORD)
    return intake

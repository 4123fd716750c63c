"""Who may read and change community records, and the fetch-and-authorise helpers of pages and the API.

A community belongs to the organisation that works on it. Its staff who read the structural level
(Capability.VIEW_STRUCTURAL: programme managers, supervisors, case managers, M&E officers, coordinators)
read its communities; those who edit the structural level (Capability.EDIT_STRUCTURAL: programme managers
and coordinators) change them. Return hotspots are aggregates (Capability.VIEW_AGGREGATES or
MANAGE_MONITORING), always k-suppressed. Another organisation's community is hidden (DoesNotExist: 404); a
visible one the user may not change raises PermissionDenied (403).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reintegra.access import permissions
from reintegra.access.roles import Capability
from reintegra.community.models import Community, CommunityProfile, CommunityProject, ParticipatorySession

if TYPE_CHECKING:
    from reintegra.access.models import User

READ = Capability.VIEW_STRUCTURAL
EDIT = Capability.EDIT_STRUCTURAL
HOTSPOTS = (Capability.VIEW_AGGREGATES, Capability.MANAGE_MONITORING)


def can_read(user: User) -> bool:
    return permissions.has_any(user, READ, EDIT) and bool(user.organisation_id)


def can_edit(user: User) -> bool:
    return permissions.has_any(user, EDIT) and bool(user.organisation_id)


def can_view_hotspots(user: User) -> bool:
    return permissions.has_any(user, *HOTSPOTS) and bool(user.organisation_id)


def require_edit(user: User) -> None:
    permissions.require(user, EDIT)
    permissions.own_organisation_id(user)


def require_community_write(user: User, community: Community) -> None:
    """The capability, and the community is the user's organisation's."""
    permissions.require(user, EDIT)
    permissions.require_holding_organisation(user, community)


def require_hotspots(user: User) -> None:
    permissions.require(user, *HOTSPOTS)
    permissions.own_organisation_id(user)


def own(user: User) -> int:
    """The user's organisation id, 0 (nothing matches) when none or not active."""
    return (user.organisation_id or 0) if permissions.is_active_user(user) else 0


def access_community_by_id(user: User, community_id: Any, *, for_write: bool = False) -> Community:
    """A community of the user's organisation (DoesNotExist otherwise: 404) they may read (PermissionDenied
    otherwise: 403); `for_write`: and change."""
    community = Community.objects.select_related("municipality", "municipality__parent").get(
        pk=community_id, organisation_id=own(user)
    )
    if for_write:
        require_community_write(user, community)
    elif not can_read(user):
        raise permissions.denied()
    return community


def access_session_by_id(user: User, session_id: Any, *, for_write: bool = False) -> ParticipatorySession:
    session = ParticipatorySession.objects.select_related("community", "community__municipality").get(
        pk=session_id, community__organisation_id=own(user)
    )
    if for_write:
        require_community_write(user, session.community)
    elif not can_read(user):
        raise permissions.denied()
    return session


def holds_and_edits(user: User, community: Community) -> bool:
    """For pages: whether to offer the edit buttons."""
    return can_edit(user) and permissions.holds(user, community)


# --- Community projects ------------------------------------------------------------------------------
# Readers of the structural level read the organisation's projects; its editors change them. A returnee is
# linked by someone who may also change that case (cases.permissions.require_case_write: a case manager
# links their own cases); non-migrant participants are recorded by the project's editors.


def require_project_write(user: User, project: CommunityProject) -> None:
    permissions.require(user, EDIT)
    permissions.require_holding_organisation(user, project)


def require_project_read(user: User, project: CommunityProject) -> None:
    """Hidden (another organisation's): PermissionDenied without saying whose; no reading role: the same."""
    if project.organisation_id != own(user) or not can_read(user):
        raise permissions.denied()


def access_project_by_id(user: User, project_id: Any, *, for_write: bool = False) -> CommunityProject:
    """A project of the user's organisation (DoesNotExist otherwise: 404) they may read (PermissionDenied
    otherwise: 403); `for_write`: and change."""
    project = CommunityProject.objects.get(pk=project_id, organisation_id=own(user))
    if for_write:
        require_project_write(user, project)
    elif not can_read(user):
        raise permissions.denied()
    return project


def project_editable(user: User, project: CommunityProject) -> bool:
    return can_edit(user) and permissions.holds(user, project)


def access_profile_by_id(user: User, profile_id: Any) -> CommunityProfile:
    profile = CommunityProfile.objects.select_related("community", "community__municipality").get(
        pk=profile_id, community__organisation_id=own(user)
    )
    if not can_read(user):
        raise permissions.denied()
    return profile

"""Who may change the referral network's records, and the fetch-and-authorise helpers of its pages and API.

- Directory entries (a provider, its services and contact persons) are read by every organisation and
  changed only by their owner's directory managers (`links.require_owner`: 403, code `not_owner`).
- SOPs are read by the referring organisation and the provider's; new versions only by the referring one.
- A referral's steps are checked side by side in `services` (the referring organisation's case writers, the
  receiving organisation's provider users); cases follow `cases.permissions`.

The read capability (Capability.VIEW_SERVICE_DIRECTORY) is the caller's gate, checked before any lookup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reintegra.access import permissions
from reintegra.access.roles import Capability
from reintegra.access.scoping import active_with_organisation
from reintegra.api.fields import parse_id
from reintegra.referrals import links, selectors
from reintegra.referrals.models import ReferralPathway, Service, ServiceProvider

if TYPE_CHECKING:
    from reintegra.access.models import User


def can_manage_directory(user: User) -> bool:
    """May add entries to the directory (and change those their organisation owns: links.can_edit_provider)."""
    return active_with_organisation(user) and permissions.has_any(user, Capability.MANAGE_SERVICE_DIRECTORY)


def require_directory_manager(user: User) -> None:
    if not can_manage_directory(user):
        raise permissions.denied()


def can_manage_pathways(user: User) -> bool:
    return active_with_organisation(user) and permissions.has_any(
        user, Capability.MANAGE_SERVICE_DIRECTORY, Capability.MANAGE_PROGRAMME
    )


def access_provider_by_id(user: User, provider_id: Any, *, for_write: bool = False) -> ServiceProvider:
    """The directory entry (ServiceProvider.DoesNotExist when there is none); `for_write`: PermissionDenied
    unless the user manages the directory for the organisation that owns it."""
    provider = ServiceProvider.objects.select_related("organisation", "owner").get(pk=parse_id(provider_id) or 0)
    if for_write:
        require_directory_manager(user)
        links.require_owner(user, provider)
    return provider


def access_service_by_id(user: User, service_id: Any, *, for_write: bool = False) -> Service:
    """A service of the directory; `for_write`: the same rule as its provider."""
    service = Service.objects.select_related("provider__owner").get(pk=parse_id(service_id) or 0)
    if for_write:
        require_directory_manager(user)
        links.require_owner(user, service.provider)
    return service


def access_pathway_by_id(user: User, pathway_id: Any, *, for_write: bool = False) -> ReferralPathway:
    """An SOP the user's organisation refers under or provides for (ReferralPathway.DoesNotExist otherwise);
    `for_write` (a new version): PermissionDenied unless their organisation is the referring one."""
    pathway = selectors.pathways_for(user).get(pk=parse_id(pathway_id) or 0)
    if for_write:
        if not can_manage_pathways(user):
            raise permissions.denied()
        permissions.require_holding_organisation(user, pathway.referring_organisation_id)
    return pathway

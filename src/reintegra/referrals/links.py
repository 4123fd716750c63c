"""Who may change a directory entry, and the link between an entry and an organisation on the platform.

Ownership: a directory entry (provider, its services and contact persons) is shared by every
organisation but changed only by the organisation that owns it (`ServiceProvider.owner`, the creating
user's organisation). Coordinators follow the same rule: they change the entries their coordination
body owns.

Links: the owner may ask to link its entry to an organisation on the platform, so that referrals to the
provider reach that organisation's portal. The link exists only once a programme manager of that
organisation accepts (`answer_link`); until then the provider is not on the platform and receives
nothing. Removing a link needs no acceptance (nobody receives more). Referrals already sent keep the
recipient they were sent to (`Referral.recipient_organisation`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from auditlog.context import set_actor
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.access import permissions
from reintegra.access.models import Organisation
from reintegra.access.roles import Capability
from reintegra.access.scoping import active_with_organisation
from reintegra.referrals.choices import LinkStatus
from reintegra.referrals.models import ProviderLink, ServiceProvider

if TYPE_CHECKING:
    from reintegra.access.models import User


class NotOwner(PermissionDenied):
    """A change to a directory entry by a user of another organisation than its owner (a 403)."""

    code = "not_owner"


class NotLinkTarget(PermissionDenied):
    """An answer to a link request by someone who may not answer for the organisation it names (a 403)."""

    code = "not_link_target"


class Unchanged:
    """The link is left as it is (a partial update that does not name `organisation`)."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED = Unchanged()


def owns(user: User, provider: ServiceProvider) -> bool:
    return permissions.holds(user, provider.owner_id)


def can_edit_provider(user: User, provider: ServiceProvider) -> bool:
    return owns(user, provider) and permissions.has_any(user, Capability.MANAGE_SERVICE_DIRECTORY)


def require_owner(user: User, provider: ServiceProvider) -> None:
    if not owns(user, provider):
        raise NotOwner(
            _("This directory entry is maintained by %(organisation)s: only its users can change it.")
            % {"organisation": provider.owner.name}
        )


def can_answer_links(user: User) -> bool:
    """Programme managers answer the link requests addressed to their organisation."""
    return active_with_organisation(user) and permissions.has_any(user, Capability.MANAGE_PROGRAMME)


def requests_for(user: User) -> QuerySet[ProviderLink]:
    """Link requests addressed to the user's organisation or made for entries it owns."""
    if not active_with_organisation(user):
        return ProviderLink.objects.none()
    return ProviderLink.objects.filter(
        Q(organisation_id=user.organisation_id) | Q(provider__owner_id=user.organisation_id)
    ).select_related("provider__owner", "organisation", "requested_by", "answered_by")


def pending_for(user: User) -> QuerySet[ProviderLink]:
    """The requests waiting for the user's answer (none unless they may answer)."""
    if not can_answer_links(user) or user.organisation_id is None:
        return ProviderLink.objects.none()
    return requests_for(user).filter(organisation_id=user.organisation_id, status=LinkStatus.PENDING)


def pending_count(user: User) -> int:
    return pending_for(user).count()


def request_to_answer(user: User, pk: Any) -> ProviderLink:
    """A request addressed to the user's organisation; `ProviderLink.DoesNotExist` otherwise (a 404)."""
    return requests_for(user).get(pk=pk, organisation_id=getattr(user, "organisation_id", None) or 0)


def pending_request(provider: ServiceProvider) -> ProviderLink | None:
    return provider.link_requests.filter(status=LinkStatus.PENDING).select_related("organisation").first()


def _close(request: ProviderLink, user: User, status: str) -> None:
    request.status = status
    request.answered_by = user
    request.answered_at = timezone.now()
    request.save(update_fields=["status", "answered_by", "answered_at"])


def _check_target(provider: ServiceProvider, target: Organisation) -> None:
    if not target.is_active:
        raise ValidationError(
            {"organisation": ValidationError(_("This organisation is no longer active."), code="inactive")}
        )
    taken = ServiceProvider.objects.filter(organisation=target).exclude(pk=provider.pk).first()
    if taken is not None:
        raise ValidationError(
            {
                "organisation": ValidationError(
                    _("%(organisation)s is already linked to another directory entry (%(provider)s).")
                    % {"organisation": target.name, "provider": taken.name},
                    code="already_linked",
                )
            }
        )


def check_link_change(provider: ServiceProvider, target: Organisation | Unchanged | None) -> None:
    """What `change_link` would refuse, checked before anything is written."""
    if isinstance(target, Organisation) and target.pk != provider.organisation_id:
        _check_target(provider, target)


def change_link(user: User, provider: ServiceProvider, target: Organisation | Unchanged | None) -> ProviderLink | None:
    """The owner asks for `target` as the entry's organisation (None: no organisation). Called inside the
    owner's save of the entry (`services.save_provider`), which has checked ownership. Returns the request
    made, if any: pending, or accepted at once when the user is a programme manager of `target` itself."""
    if isinstance(target, Unchanged):
        return None
    require_owner(user, provider)
    pending = pending_request(provider)
    if target is None or target.pk == provider.organisation_id:
        if pending is not None:
            _close(pending, user, LinkStatus.WITHDRAWN)
        if target is None and provider.organisation_id is not None:
            provider.organisation = None
            provider.save(update_fields=["organisation", "updated_at"])
        return None
    if pending is not None and pending.organisation_id == target.pk:
        return pending
    _check_target(provider, target)
    if pending is not None:
        _close(pending, user, LinkStatus.WITHDRAWN)
    request = ProviderLink.objects.create(provider=provider, organisation=target, requested_by=user)
    if can_answer_links(user) and permissions.holds(user, target.pk):
        _accept(request, user)
    return request


def _accept(request: ProviderLink, user: User) -> None:
    provider = ServiceProvider.objects.select_for_update().get(pk=request.provider_id)
    _check_target(provider, request.organisation)
    provider.organisation = request.organisation
    try:
        with transaction.atomic():
            provider.save(update_fields=["organisation", "updated_at"])
    except IntegrityError:  # linked to another entry at the same moment
        _check_target(provider, request.organisation)
        raise
    _close(request, user, LinkStatus.ACCEPTED)


def answer_link(user: User, request: ProviderLink, *, accept: bool) -> ProviderLink:
    """A programme manager of the organisation the request names accepts (the entry is linked) or refuses."""
    if not (can_answer_links(user) and permissions.holds(user, request)):
        raise NotLinkTarget(
            _("Only a programme manager of %(organisation)s can answer this request.")
            % {"organisation": request.organisation.name}
        )
    with transaction.atomic(), set_actor(user):
        locked = ProviderLink.objects.select_for_update().select_related("organisation").get(pk=request.pk)
        if locked.status != LinkStatus.PENDING:
            raise ValidationError(
                ValidationError(
                    _("This request was already answered or withdrawn (%(status)s).")
                    % {"status": LinkStatus(locked.status).label},
                    code="link_not_pending",
                )
            )
        if accept:
            _accept(locked, user)
        else:
            _close(locked, user, LinkStatus.REFUSED)
        return locked

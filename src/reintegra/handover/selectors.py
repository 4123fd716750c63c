"""Every read of the hand-over app, scoped to what the user may see: the sending side sees the hand-overs of
the cases it sees; the recipient organisation sees what was sent to it (not drafts); programme managers see
their organisation's partner installations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from reintegra.access import permissions
from reintegra.access.roles import Capability
from reintegra.cases import scoping
from reintegra.cases.models import Case
from reintegra.handover.choices import DeliveryStatus, HandOverDirection, HandOverStatus
from reintegra.handover.models import Delivery, HandOver, HandOverEvent, PartnerInstallation

if TYPE_CHECKING:
    from reintegra.access.models import User


def can_use(user: Any) -> bool:
    return permissions.has_any(user, Capability.EDIT_CASES, Capability.VIEW_ORGANISATION_CASES)


def _visible(user: User, case: Case | None = None) -> Q:
    """The hand-overs the user sees: the outgoing ones of the cases they see, and what was sent to their
    organisation (not drafts). With `case`, a case already known to be visible to the user (read through the
    cases selectors), the same rule for that case alone, without the subquery of every visible case."""
    if not permissions.is_active_user(user) or not can_use(user) or user.organisation_id is None:
        return Q(pk__in=[])
    received = Q(recipient_organisation_id=user.organisation_id) & ~Q(status=HandOverStatus.DRAFT)
    local_or_incoming = Q(partner__isnull=True) | Q(direction=HandOverDirection.INCOMING)
    if case is not None:
        return Q(case=case) & (Q(direction=HandOverDirection.OUTGOING) | (received & local_or_incoming))
    outgoing = Q(direction=HandOverDirection.OUTGOING, case__in=Case.objects.filter(scoping.case_visibility(user)))
    return outgoing | (received & local_or_incoming)


def handovers_for(user: User) -> QuerySet[HandOver]:
    return (
        HandOver.objects.filter(_visible(user))
        .select_related("case", "recipient_organisation", "partner", "sending_organisation", "accepted_case")
        .prefetch_related("events")
        .distinct()
    )


def get_handover(user: User, pk: Any) -> HandOver:
    """HandOver.DoesNotExist when the user may not see it (404, as for a missing one)."""
    return handovers_for(user).get(pk=pk)


def outbox(user: User) -> QuerySet[HandOver]:
    return (
        handovers_for(user)
        .filter(direction=HandOverDirection.OUTGOING)
        .exclude(recipient_organisation_id=user.organisation_id)
    )


def inbox(user: User) -> QuerySet[HandOver]:
    return (
        handovers_for(user).filter(recipient_organisation_id=user.organisation_id).exclude(status=HandOverStatus.DRAFT)
    )


def awaiting_count(user: Any) -> int:
    if not permissions.has_any(user, Capability.EDIT_CASES):
        return 0
    return inbox(user).filter(status=HandOverStatus.RECEIVED).count()


def of_case(user: User, case: Case) -> QuerySet[HandOver]:
    """The hand-overs of a case the user sees (read through the cases selectors: `cases.selectors.get_case`), as
    the case page's header lists them: `_visible`'s rule for one case, whose visibility is already known, so
    without the subquery of every visible case; only the recipient joined (what the panel shows)."""
    return HandOver.objects.filter(_visible(user, case)).select_related("recipient_organisation")


def failed_deliveries(user: User) -> QuerySet[Delivery]:
    return (
        Delivery.objects.filter(handover__in=handovers_for(user))
        .exclude(status=DeliveryStatus.DELIVERED)
        .select_related("partner", "handover")
    )


def events_of(handover: HandOver) -> QuerySet[HandOverEvent]:
    return handover.events.select_related("by", "by_partner")


def deliveries_of(handover: HandOver) -> QuerySet[Delivery]:
    return handover.deliveries.all()


def get_delivery(user: User, pk: Any) -> Delivery:
    return Delivery.objects.select_related("handover", "partner").get(pk=pk, handover__in=handovers_for(user))


def partners_for(user: User) -> QuerySet[PartnerInstallation]:
    if not permissions.is_active_user(user) or user.organisation_id is None or not can_use(user):
        return PartnerInstallation.objects.none()
    return PartnerInstallation.objects.filter(owner_id=user.organisation_id).select_related("framework", "organisation")


def get_partner(user: User, pk: Any) -> PartnerInstallation:
    return partners_for(user).get(pk=pk)


def package_of(user: User, handover: HandOver) -> Delivery | None:
    """The newest sealed hand-over package of an outgoing hand-over the user may change (the file to carry)."""
    if not permissions.has_any(user, Capability.EDIT_CASES) or handover.direction != HandOverDirection.OUTGOING:
        return None
    if not permissions.holds(user, handover.sending_organisation_id):
        return None
    return handover.deliveries.filter(kind="handover").order_by("-created_at", "-id").first()

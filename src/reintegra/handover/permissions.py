"""The fetch-and-authorise helpers of the hand-over app: hidden → DoesNotExist (404), visible but not
changeable → PermissionDenied (403). The services check again, whoever calls them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reintegra.access import permissions
from reintegra.access.roles import Capability
from reintegra.cases import permissions as case_permissions
from reintegra.handover import selectors
from reintegra.handover.choices import HandOverDirection
from reintegra.handover.models import HandOver, PartnerInstallation

if TYPE_CHECKING:
    from reintegra.access.models import User


def is_sender(user: Any, handover: HandOver) -> bool:
    return (
        handover.direction == HandOverDirection.OUTGOING
        and handover.case is not None
        and case_permissions.can_change_case(user, handover.case)
    )


def is_recipient(user: Any, handover: HandOver) -> bool:
    local_or_incoming = handover.partner_id is None or handover.direction == HandOverDirection.INCOMING
    return (
        local_or_incoming
        and permissions.has_any(user, Capability.EDIT_CASES)
        and permissions.holds(user, handover.recipient_organisation_id)
    )


def access_handover_by_id(user: User, pk: Any, *, side: str = "") -> HandOver:
    """`side`: "sender" or "recipient" for a write by that side (403 when the user is not it)."""
    handover = selectors.get_handover(user, pk)
    if side == "sender" and not is_sender(user, handover):
        raise permissions.denied()
    if side == "recipient" and not is_recipient(user, handover):
        raise permissions.denied()
    return handover


def access_partner_by_id(user: User, pk: Any, *, for_write: bool = False) -> PartnerInstallation:
    partner = selectors.get_partner(user, pk)
    if for_write:
        permissions.require(user, Capability.MANAGE_PROGRAMME)
    return partner

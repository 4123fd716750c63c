"""Ids typed by a user (form or API) as records, or None: the services refuse a None or a record out of
reach with the same field error for both channels."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reintegra.access.models import Organisation
from reintegra.cases import duplicates, scoping
from reintegra.cases.models import Returnee
from reintegra.handover import selectors
from reintegra.handover.services import AcceptInput, HandOverInput, PartnerInput
from reintegra.structural.models import CooperationFramework, Stakeholder

if TYPE_CHECKING:
    from reintegra.access.models import User


def _pk(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def organisation(value: Any) -> Organisation | None:
    pk = _pk(value)
    if pk is None:
        return None
    return Organisation.objects.filter(pk=pk).first()


def framework(value: Any) -> CooperationFramework | None:
    pk = _pk(value)
    if pk is None:
        return None
    return CooperationFramework.objects.select_related("programme").filter(pk=pk).first()


def handover_input(user: User, data: dict[str, Any]) -> HandOverInput:
    party_pk, partner_pk = _pk(data.get("recipient_party")), _pk(data.get("partner"))
    party = None if party_pk is None else Stakeholder.objects.filter(pk=party_pk).first()
    partner = None if partner_pk is None else selectors.partners_for(user).filter(pk=partner_pk).first()
    return HandOverInput(
        framework=framework(data.get("framework")),
        recipient_party=party,
        reason=str(data.get("reason") or ""),
        recipient_organisation=organisation(data.get("recipient_organisation")),
        partner=partner,
    )


def accept_input(user: User, existing: Any, distinct_from: list[Any] | None) -> AcceptInput:
    returnee = None
    existing_pk = _pk(existing)
    if existing_pk:
        returnee = Returnee.objects.filter(scoping.returnee_visibility(user), pk=existing_pk).first()
        if returnee is None:
            returnee = Returnee(pk=-1)  # refused by the service as out of reach
    seen = frozenset(pk for pk in (_pk(v) for v in distinct_from or []) if pk)
    return AcceptInput(
        existing_returnee=returnee,
        confirmation=duplicates.DistinctPersonConfirmation(seen=seen) if seen else None,
    )


def partner_input(data: dict[str, Any]) -> PartnerInput:
    return PartnerInput(
        name=str(data.get("name") or ""),
        base_url=str(data.get("base_url") or ""),
        public_jwks=data.get("public_jwks"),
        framework=framework(data.get("framework")),
        organisation=organisation(data.get("organisation")),
        remote_organisation_code=str(data.get("remote_organisation_code") or ""),
    )

"""Every read of the protection app's own records: the consent ledger and case shares (M&E rows and
aggregate counts are read in `monitoring.analytics`). Each checks the user's capability or scope first;
lookups of one object (`get_consent`, `get_share`...) raise DoesNotExist for what the user may not see, so
callers answer 404 without revealing whether it exists.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from reintegra.access import permissions
from reintegra.access.roles import Capability
from reintegra.cases import scoping
from reintegra.cases.models import Case, Returnee
from reintegra.protection.models import CaseShare, Consent

if TYPE_CHECKING:
    from reintegra.access.models import User


def _positive_id(value: Any, missing: type[Exception]) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise missing from None
    if not 0 < number < 2**63:
        raise missing
    return number


# --- consent ledger ------------------------------------------------------------------------------


def consents_for(user: User, returnee: Any) -> QuerySet[Consent]:
    """The consent ledger of a returnee the user may see (withdrawn and expired entries included), or of
    any returnee of their organisation for Capability.VIEW_CONSENT_REGISTRY (the data-protection officer)."""
    if not permissions.is_active_user(user):
        raise permissions.denied()
    if user.has_capability(Capability.VIEW_CONSENT_REGISTRY):
        visible = permissions.holds(user, returnee)
    else:
        visible = scoping.can_see_returnee(user, returnee)
    if not visible:
        raise permissions.denied()
    return (
        Consent.objects.filter(returnee=returnee)
        .select_related("recipient_organisation", "recipient_provider", "recorded_by")
        .order_by("-given_on", "-id")
    )


def consent_ledger_returnee(user: User, pk: Any) -> Returnee:
    """The returnee whose consent ledger the user may read (the same rule as `consents_for`): one they may
    see, or, for Capability.VIEW_CONSENT_REGISTRY, any returnee of their organisation. Raises
    Returnee.DoesNotExist otherwise (callers answer 404, never revealing existence)."""
    pk = _positive_id(pk, Returnee.DoesNotExist)
    if not permissions.is_active_user(user):
        raise Returnee.DoesNotExist
    visible = scoping.returnee_visibility(user)
    if user.has_capability(Capability.VIEW_CONSENT_REGISTRY) and user.organisation_id:
        visible |= Q(organisation_id=user.organisation_id)
    return Returnee.objects.filter(visible).get(pk=pk)


def get_consent(user: User, pk: Any) -> Consent:
    """A consent of a returnee the user may see (scoping.returnee_visibility); Consent.DoesNotExist otherwise."""
    pk = _positive_id(pk, Consent.DoesNotExist)
    visible = Returnee.objects.filter(scoping.returnee_visibility(user)).values("pk")
    return Consent.objects.select_related("returnee").get(pk=pk, returnee_id__in=visible)


def consent_status(consent: Consent, day: date | None = None) -> str:
    """The status shown on the ledger: "withdrawn", "expired" or "valid" on `day` (today)."""
    day = day or timezone.localdate()
    if consent.withdrawn_on and consent.withdrawn_on <= day:
        return "withdrawn"
    if consent.expires_on and consent.expires_on < day:
        return "expired"
    return "valid"


# --- case shares ---------------------------------------------------------------------------------


def cases_shared_with(organisation_id: int) -> QuerySet[CaseShare, Any]:
    """The ids of the cases actively shared with an organisation: its grant in `cases.scoping`."""
    return CaseShare.objects.filter(organisation_id=organisation_id, revoked_at__isnull=True).values("case_id")


def shares_of(case: Case) -> QuerySet[CaseShare]:
    """Every share of a case the caller already fetched through a scoped selector, newest first."""
    return (
        CaseShare.objects.filter(case=case)
        .select_related("organisation", "granted_by", "consent")
        .order_by("-granted_at", "-id")
    )


def reloaded_share(share: CaseShare) -> CaseShare:
    """A share the caller has just written, with what is shown of it. No scope check: a receiving
    organisation that returned the case sees its revoked share once more, in the answer to its own request."""
    return shares_of(share.case).get(pk=share.pk)


def get_share(user: User, pk: Any) -> CaseShare:
    """A share of a case the user may see (scoping.case_visibility); CaseShare.DoesNotExist otherwise."""
    pk = _positive_id(pk, CaseShare.DoesNotExist)
    visible = Case.objects.filter(scoping.case_visibility(user)).values("pk")
    return CaseShare.objects.select_related("case", "case__returnee", "organisation").get(pk=pk, case_id__in=visible)


# --- the data-protection officer's home (issue 18.9) ------------------------------------------------


def recent_withdrawals(user: User, since: date, limit: int = 8) -> tuple[int, list[Consent]]:
    """Consents of the user's organisation's returnees withdrawn since `since`: how many, and the latest
    `limit`. Capability.VIEW_CONSENT_REGISTRY (PermissionDenied otherwise)."""
    permissions.require(user, Capability.VIEW_CONSENT_REGISTRY)
    if not user.organisation_id:
        raise permissions.denied()
    withdrawn = Consent.objects.filter(
        returnee__organisation_id=user.organisation_id, withdrawn_on__isnull=False, withdrawn_on__gte=since
    )
    latest = list(withdrawn.select_related("recipient_organisation").order_by("-withdrawn_on", "-id")[:limit])
    return withdrawn.count(), latest

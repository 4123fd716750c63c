"""The structural level's home panel (`web.dashboard`, registered in `StructuralConfig.ready()`, issue 18.9):
for those who do structural work (coordination bodies, programme managers), what is due now: stakeholder
reviews, agreements to renew, overdue action items, stakeholders whose common products lag, with links to the
structural level's page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone

from reintegra.access.roles import Capability
from reintegra.structural import selectors

if TYPE_CHECKING:
    from reintegra.access.http import AuthenticatedHttpRequest


def structural_panel(request: AuthenticatedHttpRequest) -> dict[str, Any] | None:
    user = request.user
    if not user.has_capability(Capability.EDIT_STRUCTURAL):
        return None
    today = timezone.localdate()
    return {
        "reviews_due": selectors.reviews_due(user, today).count(),
        "agreements": len(selectors.agreements_expiring(user, today)),
        "overdue": selectors.overdue_action_items(user, today).count(),
        "insufficient": selectors.stakeholders_with_insufficient_progress(user, today).count(),
        "stakeholders": selectors.stakeholders_for(user).count(),
    }

"""What the protection app adds to the case pages and to the home dashboard (registered in
`apps.ProtectionConfig.ready`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

from reintegra.cases.models import Case

if TYPE_CHECKING:
    from reintegra.access.http import AuthenticatedHttpRequest


def case_header(request: HttpRequest, case: Case) -> dict[str, Any]:
    """The links to the person's consent ledger and the case's shares, in the header of every case page."""
    return {"returnee_id": case.returnee_id, "case_id": case.pk}


def _trail_link(**params: str) -> str:
    from django.urls import reverse
    from django.utils.http import urlencode

    return f"{reverse('access:audit')}?{urlencode(params)}"


def dpo_panel(request: AuthenticatedHttpRequest) -> dict[str, Any] | None:
    """The data-protection officer's home (issue 18.9): over the last days, the consent exceptions used, the
    exports and flagged events of the access trail, and the consents withdrawn, each with a link to the audit
    trail filtered on it. For readers of the audit trail or the consent registry only."""
    from reintegra.access import selectors as access_selectors
    from reintegra.access.roles import Capability
    from reintegra.protection import selectors

    user = request.user
    if not user.has_capability(Capability.VIEW_AUDIT) and not user.has_capability(Capability.VIEW_CONSENT_REGISTRY):
        return None
    if not user.organisation_id:
        return None
    context: dict[str, Any] = {"days": access_selectors.ALERT_DAYS}
    if user.has_capability(Capability.VIEW_AUDIT):
        alerts = access_selectors.access_alerts(user)
        since = alerts.since.isoformat()
        context["alerts"] = [
            ("consent_exception", alerts.consent_exceptions, _trail_link(action="consent_exception", since=since)),
            ("export", alerts.exports, _trail_link(action="export", since=since)),
            ("flagged", alerts.flagged, _trail_link(flagged="on", since=since)),
        ]
        context["trail_url"] = _trail_link()
        context["since"] = alerts.since
    if user.has_capability(Capability.VIEW_CONSENT_REGISTRY):
        from datetime import timedelta

        from django.utils import timezone

        since_day = timezone.localdate() - timedelta(days=access_selectors.ALERT_DAYS)
        context["withdrawals"], context["latest_withdrawals"] = selectors.recent_withdrawals(user, since_day)
    return context

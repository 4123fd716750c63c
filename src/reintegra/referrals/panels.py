"""What the referral network adds to the case page: the plan tab's panel and the timeline's lines."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from reintegra.referrals.choices import ReferralPriority, ReferralStatus


def plan_panel(request: Any, case: Any) -> dict[str, Any] | None:
    """A "Refer" action per plan item, with the item's referrals so far."""
    from reintegra.cases.permissions import can_change_case
    from reintegra.cases.selectors import plan_for
    from reintegra.referrals.models import Referral

    plan = plan_for(case)
    if plan is None:
        return None
    items = list(plan.items.all())
    if not items:
        return None
    referrals: dict[int, list[Referral]] = {}
    for referral in Referral.objects.filter(case=case, plan_item__in=items).select_related("service"):
        assert referral.plan_item_id is not None
        referrals.setdefault(referral.plan_item_id, []).append(referral)
    can_refer = can_change_case(request.user, case)
    return {
        "rows": [
            {
                "item": item,
                "referrals": referrals.get(item.pk, []),
                "url": reverse("referrals:case-new", args=[case.pk]) + f"?plan_item={item.pk}",
            }
            for item in items
        ],
        "can_refer": can_refer and not case.is_closed,
    }


def _local_date(value: str) -> str:
    """A date the event stored as ISO, in the reader's format (issue 18.12)."""
    from datetime import date

    from django.utils.formats import date_format

    try:
        return date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")
    except (TypeError, ValueError):
        return str(value)


def describe_event(data: dict[str, Any]) -> list[str]:
    from django.utils.translation import gettext

    action = data.get("action", "")
    lines = [
        gettext("%(reference)s to %(provider)s: %(status)s")
        % {
            "reference": data.get("reference", ""),
            "provider": data.get("provider", ""),
            "status": ReferralStatus(data["status"]).label if data.get("status") in ReferralStatus.values else "",
        }
    ]
    if action in ("created", "sent") and data.get("priority") in ReferralPriority.values:
        lines.append(gettext("Priority: %(priority)s") % {"priority": ReferralPriority(data["priority"]).label})
    if action == "sent" and data.get("acceptance_due"):
        lines.append(gettext("Answer due by %(date)s") % {"date": _local_date(data["acceptance_due"])})
    if action == "accepted" and data.get("outcome_due"):
        lines.append(gettext("Outcome due by %(date)s") % {"date": _local_date(data["outcome_due"])})
    if action == "discarded":
        lines.append(gettext("Draft discarded: it was never sent"))
    if data.get("consent_exception"):
        lines.append(gettext("Sent without consent under the life-at-risk exception"))
    return lines


def dashboard_panel(request: Any) -> dict[str, Any] | None:
    """Home dashboard: referrals by provider and status, and how many are overdue (report readers only)."""
    from reintegra.access.roles import Capability
    from reintegra.referrals import reports, selectors

    user = request.user
    if not user.has_capability(Capability.VIEW_REFERRAL_REPORTS):
        return None
    overview = reports.status_overview(reports.scope(user))
    if not overview["status_table"]:
        return None
    overdue = selectors.search_referrals(user, selectors.ReferralFilters(overdue=True)).count()
    return {**overview, "overdue": overdue}


def case_file_section(user: Any, case: Any) -> dict[str, Any] | None:
    """The case file's referrals (issue 18.15): those of the case tab, which every reader of the case sees."""
    from reintegra.referrals.selectors import referrals_of_case

    return {"referrals": list(referrals_of_case(case))}


PROVIDER_ROWS = 20


def provider_panel(request: Any) -> dict[str, Any] | None:
    """Home dashboard of a service provider: the referrals waiting for their answer or outcome, overdue
    emergencies first (issue 18.9). Only for those who receive referrals."""
    from reintegra.access.roles import Capability
    from reintegra.referrals import selectors

    if not request.user.has_capability(Capability.RECEIVE_REFERRALS):
        return None
    from reintegra.referrals.choices import SlaState

    rows = selectors.incoming_for_provider(request.user)
    shown = [
        {"referral": row.referral, "due_at": row.due_at, "sla": row.sla, "sla_label": SlaState(row.sla).label}
        for row in rows[:PROVIDER_ROWS]
    ]
    return {"total": len(rows), "rows": shown, "overdue": sum(1 for row in rows if row.overdue)}

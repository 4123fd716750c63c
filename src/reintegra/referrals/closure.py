"""What a case's closure asks about its referrals (issue 18.2), registered with `cases.extensions`.

A referral still moving when its case closes is settled with the closure: a draft is discarded; one sent or
accepted is withdrawn, which tells the provider at once; one answered by the provider but not yet closed by
the referring side is closed now, or left for later (closing it stays possible on a closed case).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from reintegra.cases.extensions import OpenMatter
from reintegra.referrals import lifecycle, selectors, services
from reintegra.referrals.choices import ReferralStatus

DISCARD, WITHDRAW, CLOSE, LEAVE = "discard", "withdraw", "close", "leave"


def _choices(status: str) -> tuple[tuple[str, str], ...]:
    if status == lifecycle.DRAFT:
        return ((DISCARD, _("Discard the draft (it was never shared)")),)
    if status in (lifecycle.SENT, lifecycle.ACCEPTED):
        return ((WITHDRAW, _("Withdraw it and tell the provider that nothing more is needed")),)
    return ((CLOSE, _("Close the referral now")), (LEAVE, _("Leave it to close later")))


def open_referrals(case: Any) -> list[OpenMatter]:
    return [
        OpenMatter(
            key=f"referral-{referral.pk}",
            kind="referral",
            label=_("Referral %(reference)s to %(provider)s (%(service)s) is %(status)s.")
            % {
                "reference": referral.reference,
                "provider": referral.provider.name,
                "service": referral.service.name,
                "status": ReferralStatus(referral.status).label.lower(),
            },
            choices=_choices(referral.status),
            url=reverse("referrals:detail", args=[referral.pk]),
            link_label=_("Open the referral %(reference)s") % {"reference": referral.reference},
            record=referral,
        )
        for referral in selectors.referrals_of_case(case)
        if referral.status not in (lifecycle.CLOSED, lifecycle.WITHDRAWN)
    ]


def settle(user: Any, case: Any, decisions: list[tuple[OpenMatter, str]]) -> None:
    reason = _("The case was closed.")
    for matter, choice in decisions:
        referral = matter.record
        if choice == DISCARD:
            services.discard_draft(user, referral)
        elif choice == WITHDRAW:
            services.withdraw_referral(user, referral, reason=reason)
        elif choice == CLOSE:
            services.close_referral(user, referral)

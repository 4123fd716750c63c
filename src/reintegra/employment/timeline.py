"""How the case timeline words the employment events (their data holds codes, numbers and dates only)."""

from __future__ import annotations

from typing import Any

from django.utils.formats import localize
from django.utils.translation import gettext as _

from reintegra.employment.choices import NotHiredReason, RetentionOutcome
from reintegra.vocabulary.choices import choice_label
from reintegra.web.dates import local_date


def describe(data: dict[str, Any]) -> list[str]:
    what = data.get("what", "")
    lines = {
        "profile_created": _("Jobseeker profile recorded"),
        "profile_updated": _("Jobseeker profile updated"),
        "shortlisted": _("Shortlisted for vacancy %(vacancy)s (score %(score)s)"),
        "referred": _("Referred to the employer for vacancy %(vacancy)s (referral %(referral)s)"),
        "interview": _("Interview for vacancy %(vacancy)s on %(on)s"),
        "hired": _("Hired for vacancy %(vacancy)s on %(on)s"),
        "not_hired": _("Not hired for vacancy %(vacancy)s: %(reason)s"),
        "retention": _("Retention check at %(months)s months: %(outcome)s"),
    }
    text = lines.get(what)
    if text is None:
        return []
    params = {
        "vacancy": data.get("vacancy", ""),
        "score": localize(data.get("score", "")),
        "on": local_date(data.get("on", "")),
        "months": data.get("months", ""),
        "referral": data.get("referral", ""),
        "reason": choice_label(NotHiredReason, data.get("reason", "")),
        "outcome": choice_label(RetentionOutcome, data.get("outcome", "")),
    }
    return [text % params]

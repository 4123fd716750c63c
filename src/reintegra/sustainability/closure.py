"""What a case's closure asks about its surveys (issue 18.2), registered with `cases.extensions`: a case
closing without a recent Reintegration Sustainability Survey round loses its end-point score, so the closure
says so and the user decides knowingly (take it first, or close without it)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.cases.extensions import OpenMatter
from reintegra.sustainability import selectors
from reintegra.sustainability.models import SurveyRound

KEY = "final-round"
CLOSE_WITHOUT = "close_without"


def missing_final_round(case: Any) -> list[OpenMatter]:
    if not selectors.instruments_for_case(case):
        return []  # the programme surveys nobody: nothing is missing
    days = selectors.round_window_days(case)
    since = timezone.localdate() - timedelta(days=days)
    if SurveyRound.objects.filter(case=case, taken_on__gte=since).exists():
        return []
    return [
        OpenMatter(
            key=KEY,
            kind="final_round",
            label=_(
                "No sustainability survey round in the last %(days)s days: the case would close without a final score."
            )
            % {"days": days},
            choices=((CLOSE_WITHOUT, _("Close without a final round (it cannot be taken)")),),
            url=reverse("sustainability:round-new", args=[case.pk]),
            link_label=_("Take the survey round first"),
        )
    ]

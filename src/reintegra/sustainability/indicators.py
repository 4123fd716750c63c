"""What an M&E indicator may count in sustainability: RSS rounds and their current scores (monitoring.registry),
read from each round's narrow fact row (`models.RoundFact`, kept by `round_facts`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from reintegra.monitoring import case_facts, registry
from reintegra.sustainability.definition import SCORES
from reintegra.sustainability.models import RoundFact


def _rounds() -> Any:
    # One narrow row per round: its date, month, current scores and its case's baseline composite
    # (docs/scaling.md, "Eighth pass"); before, the rounds' wide rows joined to their current score.
    return RoundFact.objects.all()


def _change_from_baseline(start: date, end: date) -> Any:
    """The round's current composite minus the current composite of its case's baseline round (the latest, if
    it was retaken): the same person measured twice, NULL when either is missing, so a mean of it is a paired
    mean."""
    return F("composite") - F("baseline_composite")


LABELS = {
    "economic": _("economic score"),
    "social": _("social score"),
    "psychosocial": _("psychosocial score"),
    "composite": _("composite score"),
}


def register_populations() -> None:
    registry.register(
        registry.Population(
            key="survey_rounds",
            label=_("RSS rounds"),
            rows=_rounds,
            app="sustainability",
            # The case's programme, organisation, person and disaggregations from its narrow fact row
            # (monitoring.case_facts), not from the cases' and returnees' wide rows.
            **case_facts.reading(RoundFact, _("rounds")),
            dates={"taken_on": registry.DateField(_("date of the round"), "taken_on")},
            fields={
                "round_month": registry.Number(_("round (months after return)"), "round_month"),
                # A round's score under the version it is currently scored with (NULL: unscored, or too few
                # answers).
                **{name: registry.Number(LABELS[name], name) for name in SCORES},
                "composite_change": registry.Number(
                    _("change of the composite score since the baseline round"), expression=_change_from_baseline
                ),
            },
        )
    )

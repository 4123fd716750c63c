"""What an M&E indicator may count in sustainability: RSS rounds and their current scores (monitoring.registry)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import F, FilteredRelation, FloatField, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from reintegra.monitoring import case_facts, registry
from reintegra.sustainability.definition import SCORES
from reintegra.sustainability.models import RoundScore, SurveyRound

BASELINE_MONTH = 0


CURRENT = "current_score"


def _rounds() -> Any:
    # A join to the round's current score (one at most: `round_score_one_current`), not a subquery per row.
    return SurveyRound.objects.alias(**{CURRENT: FilteredRelation("scores", condition=Q(scores__is_current=True))})


def _current(score: str) -> Any:
    """A round's score under the version it is currently scored with (NULL: unscored, or too few answers)."""
    return F(f"{CURRENT}__{score}")


def _score(score: str) -> registry.ExpressionFactory:
    return lambda start, end: _current(score)


def _change_from_baseline(start: date, end: date) -> Any:
    """The round's composite minus the composite of its case's baseline round (the latest, if it was retaken):
    the same person measured twice, NULL when either is missing, so a mean of it is a paired mean."""
    baseline = (
        RoundScore.objects.filter(
            round__case=OuterRef("case"), round__round_month=BASELINE_MONTH, is_current=True, composite__isnull=False
        )
        .order_by("-round__taken_on", "-round_id")
        .values("composite")[:1]
    )
    return _current("composite") - Subquery(baseline, output_field=FloatField())


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
            **case_facts.reading(SurveyRound, _("rounds")),
            dates={"taken_on": registry.DateField(_("date of the round"), "taken_on")},
            fields={
                "round_month": registry.Number(_("round (months after return)"), "round_month"),
                **{name: registry.Number(LABELS[name], expression=_score(name)) for name in SCORES},
                "composite_change": registry.Number(
                    _("change of the composite score since the baseline round"), expression=_change_from_baseline
                ),
            },
        )
    )

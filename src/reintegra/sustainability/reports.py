"""Statistics of the sustainability survey for a programme (the M&E pages): computed here, never in a view."""

from __future__ import annotations

from typing import Any

import numpy as np

from reintegra.access.models import Programme
from reintegra.sustainability import scoring
from reintegra.sustainability.definition import SCORES
from reintegra.sustainability.models import RoundScore


def distribution_data(programme: Programme, month: int | None) -> dict[str, Any]:
    """Score distributions of the current scores of one programme's rounds (optionally one scheduled round)."""
    scores = RoundScore.objects.filter(is_current=True, round__case__programme=programme)
    if month is not None:
        scores = scores.filter(round__round_month=month)
    values = np.array(list(scores.values_list(*SCORES)), dtype=np.float64).reshape(-1, len(SCORES))
    return {key: scoring.distribution(values[:, i]) for i, key in enumerate(SCORES)}

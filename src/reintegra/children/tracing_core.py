"""Pure cores of tracing (no Django): the post-reunification follow-up schedule, and the explanation of a
tracing match field by field.

A tracing match reuses the duplicate-matching core (`cases.matching.score_pair`): the person sought is a
`PersonRecord` and so is everyone registered. The core says *why* with reason codes; a child-protection
officer deciding whether to call someone also needs *how much* each field weighed. Each field's
contribution is measured by leaving it out on both sides and scoring again: the contribution is the score
with the field minus the score without it (positive: the field made the match likelier; negative: it spoke
against it). The explanation therefore never disagrees with the score the core gives.
"""

from __future__ import annotations

import calendar
import dataclasses
from dataclasses import dataclass
from datetime import date, timedelta

from reintegra.cases import matching

# Post-reunification follow-up visits (milestone code, days, months) from the reunification date
# (ISSUE 13: 2 weeks, 1, 3 and 6 months).
FOLLOW_UP_MILESTONES: tuple[tuple[str, int, int], ...] = (("2w", 14, 0), ("1m", 0, 1), ("3m", 0, 3), ("6m", 0, 6))

# The fields a tracing match compares, in the order they are shown.
GIVEN_NAMES, FAMILY_NAMES, BIRTH = "given_names", "family_names", "birth"
FIELDS = (GIVEN_NAMES, FAMILY_NAMES, BIRTH)


def add_months(start: date, months: int) -> date:
    """`start` plus whole calendar months; the 31st becomes the last day of a shorter month."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def follow_up_schedule(reunified_on: date) -> list[tuple[str, date]]:
    """The follow-up visits due after a reunification on `reunified_on`, earliest first."""
    return [
        (code, add_months(reunified_on, months) + timedelta(days=days)) for code, days, months in FOLLOW_UP_MILESTONES
    ]


@dataclass(frozen=True)
class FieldContribution:
    field: str
    contribution: float  # score with the field minus score without it, in [-1, 1]


@dataclass(frozen=True)
class Explanation:
    score: float
    reasons: tuple[str, ...]
    fields: tuple[FieldContribution, ...]


def _without(person: matching.PersonRecord, field: str) -> matching.PersonRecord:
    if field == GIVEN_NAMES:
        return dataclasses.replace(person, given_names="")
    if field == FAMILY_NAMES:
        return dataclasses.replace(person, first_family_name="", second_family_name="")
    return dataclasses.replace(person, birth_date=None, birth_year=None)


def explain(sought: matching.PersonRecord, candidate: matching.PersonRecord) -> Explanation:
    """The core's score and reasons for the pair, and each field's contribution to the score."""
    full = matching.score_pair(sought, candidate)
    contributions = tuple(
        FieldContribution(
            field, round(full.score - matching.score_pair(_without(sought, field), _without(candidate, field)).score, 3)
        )
        for field in FIELDS
    )
    return Explanation(score=full.score, reasons=full.reasons, fields=contributions)


def rank(
    sought: matching.PersonRecord,
    candidates: list[matching.PersonRecord],
    *,
    threshold: float,
    limit: int,
) -> list[tuple[int, Explanation]]:
    """The candidates (by id) scoring at least `threshold`, best first (ties by id), explained."""
    ranked = matching.rank_candidates(sought, candidates, threshold=threshold, limit=limit)
    by_id = {c.id: c for c in candidates}
    return [(m.id, explain(sought, by_id[m.id])) for m in ranked]

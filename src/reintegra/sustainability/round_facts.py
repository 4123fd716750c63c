"""The narrow fact row of each survey round the M&E engine's `survey_rounds` population reads
(`models.RoundFact`; docs/scaling.md, "Eighth pass"): the round's case, date and month, its current scores and
its case's baseline composite. The engine then scans about 60 bytes a round instead of the rounds' wide rows
(their encrypted answers) hash-joined to 2.4 million score rows, and reads the baseline from the row instead of
a subquery per counted round.

Each case's rows are its rounds as they stand, never an increment: a write that may change them deletes the
case's rows and inserts them again from the records, in the write's own transaction (the rebuild's statement
narrowed to those cases), so the rows are right whatever the order of the writes. A case's rows are rewritten
together because each carries the case's baseline composite, which any of its rounds or scores may change.

The receivers run on Django's `post_save` / `post_delete` of `SurveyRound` and `RoundScore` (connected in
`SustainabilityConfig.ready`); a round moved to another case rewrites the case it leaves too. The rescoring
service's `update` of `is_current` is followed by the save of the new current score (its receiver rewrites the
case). A case deleted deletes its rounds through the ORM's cascade (each round's receiver). Writes that bypass
the ORM's signals (the bench's bulk rows, `testing.me_records`) call `refresh(case_ids)`; `rebuild()` is one
set-based statement, idempotent (`reintegra rebuild-round-facts`; migration `0006_round_facts` runs it once).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from reintegra.monitoring import kept_rows
from reintegra.sustainability.models import RoundFact, RoundScore, SurveyRound

BASELINE_MONTH = 0
SCORES = ("economic", "social", "psychosocial", "composite")
COLUMNS = ("round_id", "case_id", "taken_on", "round_month", *SCORES, "baseline_composite")

# The baseline of a case: its latest round of month 0 (by date, then id) whose current composite is not NULL,
# ranked in one pass over the baselines (the engine's subquery looked it up once per round). `{cases}` narrows
# both sides to some cases ("" for all).
FILL_SQL = """
INSERT INTO {fact} ({columns})
SELECT r.id, r.case_id, r.taken_on, r.round_month, {scores}, b.composite
FROM {round} r
LEFT JOIN {score} s ON s.round_id = r.id AND s.is_current
LEFT JOIN (
    SELECT r0.case_id AS case_id, s0.composite AS composite,
           ROW_NUMBER() OVER (PARTITION BY r0.case_id ORDER BY r0.taken_on DESC, r0.id DESC) AS rank
    FROM {round} r0 JOIN {score} s0 ON s0.round_id = r0.id
    WHERE r0.round_month = {baseline} AND s0.is_current AND s0.composite IS NOT NULL{cases_r0}
) b ON b.case_id = r.case_id AND b.rank = 1
{where}
"""


def fill_sql(quote: Any, fact: str, round_: str, score: str, cases: str = "") -> str:
    """The statement filling the fact rows of every round (of the cases in `cases`, an SQL list of ids, if
    given); table names given, so that the migration runs it with its own historical tables."""
    return FILL_SQL.format(
        fact=quote(fact),
        columns=", ".join(quote(column) for column in COLUMNS),
        scores=", ".join(f"s.{name}" for name in SCORES),
        round=quote(round_),
        score=quote(score),
        baseline=BASELINE_MONTH,
        cases_r0=f" AND r0.case_id IN ({cases})" if cases else "",
        where=f"WHERE r.case_id IN ({cases})" if cases else "",
    )


def _narrowed(conn: Any, marks: str) -> tuple[str, int]:
    tables = (RoundFact._meta.db_table, SurveyRound._meta.db_table, RoundScore._meta.db_table)
    # The keys twice: the rounds and their baselines.
    return fill_sql(conn.ops.quote_name, *tables, cases=marks), 2


def refresh(case_ids: Iterable[int | None], using: str | None = None) -> None:
    """Make these cases' round fact rows what their rounds and scores say now (a deleted round: none)."""
    kept_rows.rewrite(RoundFact, "case_id", case_ids, _narrowed, using)


def rebuild(using: str | None = None) -> int:
    """Every round's fact row from the records (set-based, idempotent). Returns the number of rows."""
    return kept_rows.rebuild(RoundFact, _narrowed, using)


# --- The receivers: every ORM write that may change a fact row -----------------------------------------------

_ROUND_FIELDS = {"case", "taken_on", "round_month"}
_SCORE_FIELDS = {"round", "is_current", *SCORES}


def _concerned(update_fields: Any, fields: set[str]) -> bool:
    if update_fields is None:
        return True
    return bool({name.removesuffix("_id") for name in update_fields} & fields)


def _case_of(round_id: int | None, using: str | None) -> list[int]:
    if round_id is None:
        return []
    return list(SurveyRound.objects.using(using).filter(pk=round_id).values_list("case_id", flat=True))


def round_saved(
    sender: Any, instance: SurveyRound, raw: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    if not raw and _concerned(update_fields, _ROUND_FIELDS):
        # A round moved to another case leaves the rows (the baseline) of the case it was on too.
        using = kwargs.get("using")
        before = RoundFact.objects.using(using).filter(round_id=instance.pk).values_list("case_id", flat=True)
        refresh([instance.case_id, *before], using)


def round_deleted(sender: Any, instance: SurveyRound, **kwargs: Any) -> None:
    refresh([instance.case_id], kwargs.get("using"))


def score_saved(sender: Any, instance: RoundScore, raw: bool = False, update_fields: Any = None, **kwargs: Any) -> None:
    if not raw and _concerned(update_fields, _SCORE_FIELDS):
        using = kwargs.get("using")
        refresh(_case_of(instance.round_id, using), using)


def score_deleted(sender: Any, instance: RoundScore, **kwargs: Any) -> None:
    # Its round may be gone already (a cascade): then the round's own receiver rewrites the case.
    using = kwargs.get("using")
    refresh(_case_of(instance.round_id, using), using)


def connect() -> None:
    from django.db.models import signals

    uid = "sustainability.round_facts"
    signals.post_save.connect(round_saved, sender=SurveyRound, dispatch_uid=f"{uid}.round_saved")
    signals.post_delete.connect(round_deleted, sender=SurveyRound, dispatch_uid=f"{uid}.round_deleted")
    signals.post_save.connect(score_saved, sender=RoundScore, dispatch_uid=f"{uid}.score_saved")
    signals.post_delete.connect(score_deleted, sender=RoundScore, dispatch_uid=f"{uid}.score_deleted")


# --- For the tests: the rows as stored and as the records say -------------------------------------------------


def recount() -> dict[int, tuple[Any, ...]]:
    """Every round's fact as the records say now, through the ORM (not the fill statement)."""
    current = {
        s.round_id: tuple(getattr(s, name) for name in SCORES) for s in RoundScore.objects.filter(is_current=True)
    }
    rounds = list(
        SurveyRound.objects.order_by("-taken_on", "-pk").values_list("pk", "case_id", "taken_on", "round_month")
    )
    baseline: dict[int, float] = {}
    for pk, case_id, _taken_on, month in rounds:  # latest first: the first scored baseline of a case is its own
        composite = current.get(pk, (None,) * 4)[3]
        if month == BASELINE_MONTH and composite is not None:
            baseline.setdefault(case_id, composite)
    return {
        pk: (case_id, taken_on, month, *current.get(pk, (None,) * 4), baseline.get(case_id))
        for pk, case_id, taken_on, month in rounds
    }


def stored() -> dict[int, tuple[Any, ...]]:
    return {row[0]: tuple(row[1:]) for row in RoundFact.objects.values_list(*COLUMNS)}

"""The kept sums the hotspots' weakest dimension reads (`models.ScoreTally`), so the table does not rank millions
of RSS rounds on every view.

What the hotspot table asks (`selectors._scores`, as it was computed from the rounds): per municipality of
return, over the people with a case returned after a date `since` (of the reader's organisation, or of any
organisation for the all-organisations reader), each person's latest current score row among those cases (by
the round's date, then the score row's id), summed: people, and per dimension the sum and the count of the
scores present.

How a person is kept: sort the distinct return dates d1 < ... < dn of their scored cases (in one scope) and let
L_i be the latest current score row among the cases returned on or after d_i. For `since` in [d_{i-1}, d_i) the
answer is L_i. Storing +L_i at day d_i and -L_{i+1} at day d_i (nothing when they are the same row) makes the
rows of the days after `since` add up to exactly L_i (a telescoping sum). Each person has these rows twice: in
the scope of each organisation holding a scored case, and across organisations (organisation empty).

Kept in the transaction of every write that can move them (the receivers below, on Django's signals, connected
in `CommunityConfig.ready`; sustainability and cases sit below this app and do not know it): a score row saved
or deleted (scored, rescored, superseded: the service's `update` of `is_current` is followed by the save of the
new current row), a round's date or case changed, a case's return date, organisation or person changed, a
returnee's municipality changed. A refresh recomputes the person's rows from the records, compares them with the
person's rows last applied (`ScoreLedger`), replaces those, and adds the difference to `ScoreTally` (increments:
two writers on different people never overwrite each other; the person's returnee row is locked, so two writers
on one person wait for each other). Idempotent: a delete that cascades over many rows of one person refreshes it
many times, harmlessly.

Writes that bypass the signals (the synthetic generator's COPY, a bulk load) call `rebuild()`, set-based
statements from the records (`reintegra rebuild-return-tally` rebuilds both kept tallies; migration
`0008_score_tally` runs it once).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import IntegrityError, connections, transaction
from django.db.models import F, Q

from reintegra.cases.models import Case, Returnee
from reintegra.community.hotspots_core import DIMENSIONS
from reintegra.community.models import ScoreLedger, ScoreTally
from reintegra.sustainability.models import RoundScore, SurveyRound

MICRO = 1_000_000
FIELDS = ("people", *[f"{d}_{part}" for d in DIMENSIONS for part in ("sum", "n")])
Key = tuple[int | None, int, date]  # scope (organisation, None = across), municipality, day
Sums = tuple[int, ...]  # in FIELDS order
Rows = dict[Key, Sums]


def micro(value: float | None) -> int | None:
    """A score in millionths, rounded half up (the same as the rebuild's SQL)."""
    return None if value is None else math.floor(value * MICRO + 0.5)


def _vector(scores: tuple[int | None, ...], sign: int) -> Sums:
    out = [sign]
    for value in scores:
        out += [sign * (value or 0), sign * (value is not None)]
    return tuple(out)


def _add(a: Sums | None, b: Sums) -> Sums:
    return b if a is None else tuple(x + y for x, y in zip(a, b, strict=True))


def contributions(returnee_id: int) -> Rows:
    """The rows one person adds to the tally now (from the records)."""
    rows = list(
        RoundScore.objects.filter(
            is_current=True, round__case__returnee_id=returnee_id, round__case__returnee__municipality__isnull=False
        ).values_list(
            "round__case__organisation_id",
            "round__case__returnee__municipality_id",
            "round__case__return_date",
            "round__taken_on",
            "pk",
            *DIMENSIONS,
        )
    )
    if not rows:
        return {}
    out: Rows = {}
    for scope in {None} | {r[0] for r in rows}:
        mine = sorted((r for r in rows if scope is None or r[0] == scope), key=lambda r: (r[3], r[4]), reverse=True)
        best: dict[date, int] = {}  # per return date, the rank of its latest row
        for rank, r in enumerate(mine):
            best.setdefault(r[2], rank)
        later: int | None = None
        for day in sorted(best, reverse=True):
            here = best[day] if later is None else min(best[day], later)
            if here != later:
                area = mine[here][1]
                entry = _vector(tuple(micro(v) for v in mine[here][5:]), 1)
                if later is not None:
                    entry = _add(entry, _vector(tuple(micro(v) for v in mine[later][5:]), -1))
                if any(entry):
                    out[(scope, area, day)] = _add(out.get((scope, area, day)), entry)
            later = here
    return out


def _ledger(returnee_id: int) -> Rows:
    return {
        (org, area, day): tuple(rest)
        for org, area, day, *rest in ScoreLedger.objects.filter(returnee_id=returnee_id).values_list(
            "organisation_id", "municipality_id", "day", *FIELDS
        )
    }


def refresh(returnee_ids: Iterable[int | None]) -> None:
    """Bring these people's rows up to date with the records (in the caller's transaction)."""
    for person in sorted({i for i in returnee_ids if i}):  # one order for every writer: no deadlock
        with transaction.atomic():
            if not Returnee.objects.select_for_update().filter(pk=person).exists():
                continue  # deleted: the ledger rows go with the person, the tally by the score rows' deletes
            before, after = _ledger(person), contributions(person)
            if before == after:
                continue
            ScoreLedger.objects.filter(returnee_id=person).delete()
            ScoreLedger.objects.bulk_create(
                ScoreLedger(
                    returnee_id=person,
                    organisation_id=org,
                    municipality_id=area,
                    day=day,
                    **dict(zip(FIELDS, v, strict=True)),
                )
                for (org, area, day), v in after.items()
            )
            zero = (0,) * len(FIELDS)
            for key in sorted(set(before) | set(after), key=lambda k: (k[0] or 0, k[1], k[2])):
                delta = tuple(n - o for n, o in zip(after.get(key, zero), before.get(key, zero), strict=True))
                if any(delta):
                    _increment(key, delta)


def _increment(key: Key, delta: Sums) -> None:
    org, area, day = key
    scope = Q(organisation_id=org) if org is not None else Q(organisation__isnull=True)
    row = ScoreTally.objects.filter(scope, municipality_id=area, day=day)
    changes = {f: F(f) + d for f, d in zip(FIELDS, delta, strict=True) if d}
    if row.update(**changes):
        row.filter(**dict.fromkeys(FIELDS, 0)).delete()
        return
    try:
        with transaction.atomic():  # a savepoint: another writer may create the same row meanwhile
            ScoreTally.objects.create(
                organisation_id=org, municipality_id=area, day=day, **dict(zip(FIELDS, delta, strict=True))
            )
    except IntegrityError:
        row.update(**changes)


# --- The receivers -------------------------------------------------------------------------------------

_PEOPLE = "_score_tally_people"


def _people_of_rounds(round_ids: Iterable[int | None]) -> set[int]:
    return set(Case.objects.filter(survey_rounds__in=[i for i in round_ids if i]).values_list("returnee_id", flat=True))


def _after(instance: Any) -> None:
    people = instance.__dict__.pop(_PEOPLE, None)
    if people:
        refresh(people)


def score_post_save(sender: Any, instance: RoundScore, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        refresh(_people_of_rounds([instance.round_id]))


def score_pre_delete(sender: Any, instance: RoundScore, **kwargs: Any) -> None:
    setattr(instance, _PEOPLE, _people_of_rounds([instance.round_id]))


def round_pre_save(sender: Any, instance: SurveyRound, raw: bool = False, **kwargs: Any) -> None:
    if raw or instance.pk is None:
        return  # a new round has no score yet
    old = SurveyRound.objects.filter(pk=instance.pk).values_list("case_id", "taken_on").first()
    if old is not None and old != (instance.case_id, instance.taken_on):
        people = set(Case.objects.filter(pk__in=[old[0], instance.case_id]).values_list("returnee_id", flat=True))
        setattr(instance, _PEOPLE, people)


def case_pre_save(sender: Any, instance: Case, raw: bool = False, **kwargs: Any) -> None:
    if raw or instance.pk is None:
        return  # a new case has no round yet
    old = Case.objects.filter(pk=instance.pk).values_list("returnee_id", "organisation_id", "return_date").first()
    if old is not None and old != (instance.returnee_id, instance.organisation_id, instance.return_date):
        setattr(instance, _PEOPLE, {old[0], instance.returnee_id})


def returnee_pre_save(sender: Any, instance: Returnee, raw: bool = False, **kwargs: Any) -> None:
    if raw or instance.pk is None:
        return
    old = Returnee.objects.filter(pk=instance.pk).values_list("municipality_id", flat=True).first()
    if old != instance.municipality_id:
        setattr(instance, _PEOPLE, {instance.pk})


def post_write(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        _after(instance)


def connect() -> None:
    from django.db.models import signals

    uid = "community.score_tally"
    signals.post_save.connect(score_post_save, sender=RoundScore, dispatch_uid=f"{uid}.score_post_save")
    signals.pre_delete.connect(score_pre_delete, sender=RoundScore, dispatch_uid=f"{uid}.score_pre_delete")
    signals.post_delete.connect(post_write, sender=RoundScore, dispatch_uid=f"{uid}.score_post_delete")
    for model, pre in ((SurveyRound, round_pre_save), (Case, case_pre_save), (Returnee, returnee_pre_save)):
        name = model.__name__.lower()
        signals.pre_save.connect(pre, sender=model, dispatch_uid=f"{uid}.{name}_pre_save")
        signals.post_save.connect(post_write, sender=model, dispatch_uid=f"{uid}.{name}_post_save")


# --- Rebuilding from the records -----------------------------------------------------------------------


def _micro_sql(vendor: str, column: str) -> str:
    if vendor == "postgresql":
        return f"floor({column} * {MICRO} + 0.5)::bigint"
    return f"CAST({column} * {MICRO} + 0.5 AS INTEGER)"


def rebuild_sql(vendor: str, quote: Any, tables: dict[str, str]) -> list[str]:
    """The statements that recount the ledger and the tally (also run by the migration, with its models)."""
    t = {name: quote(table) for name, table in tables.items()}
    scores = ", ".join(f"{_micro_sql(vendor, 's.' + d)} AS {d}" for d in DIMENSIONS)
    dims = ", ".join(DIMENSIONS)
    sums = ", ".join(
        f"sum(g.sign * COALESCE(ra.{d}, 0)), sum(CASE WHEN ra.{d} IS NULL THEN 0 ELSE g.sign END)" for d in DIMENSIONS
    )
    fields = ", ".join(FIELDS)
    ledger = f"""
WITH scored AS (
    SELECT c.returnee_id AS person, c.organisation_id AS org, r.municipality_id AS area, c.return_date AS day,
           sr.taken_on, s.id AS sid, {scores}
    FROM {t["score"]} s JOIN {t["round"]} sr ON sr.id = s.round_id JOIN {t["case"]} c ON c.id = sr.case_id
         JOIN {t["returnee"]} r ON r.id = c.returnee_id
    WHERE s.is_current AND r.municipality_id IS NOT NULL
), scoped AS (
    SELECT 0 AS scope, person, area, day, taken_on, sid, {dims} FROM scored
    UNION ALL
    SELECT org AS scope, person, area, day, taken_on, sid, {dims} FROM scored
), ranked AS (
    SELECT scoped.*, row_number() OVER (PARTITION BY scope, person ORDER BY taken_on DESC, sid DESC) AS rk
    FROM scoped
), days AS (
    SELECT scope, person, area, day, min(rk) AS best FROM ranked GROUP BY scope, person, area, day
), steps AS (
    SELECT scope, person, area, day,
           min(best) OVER (PARTITION BY scope, person ORDER BY day DESC
                           ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS here,
           min(best) OVER (PARTITION BY scope, person ORDER BY day DESC
                           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS later
    FROM days
), signed AS (
    SELECT scope, person, area, day, 1 AS sign, here AS rk FROM steps WHERE later IS NULL OR later <> here
    UNION ALL
    SELECT scope, person, area, day, -1 AS sign, later AS rk FROM steps WHERE later IS NOT NULL AND later <> here
)
INSERT INTO {t["ledger"]} (returnee_id, organisation_id, municipality_id, day, {fields})
SELECT g.person, NULLIF(g.scope, 0), g.area, g.day, sum(g.sign), {sums}
FROM signed g JOIN ranked ra ON ra.scope = g.scope AND ra.person = g.person AND ra.rk = g.rk
GROUP BY g.scope, g.person, g.area, g.day
"""  # noqa: S608 (table and column names, no input)
    zero = " AND ".join(f"{f} = 0" for f in FIELDS)
    total = ", ".join(f"sum({f})" for f in FIELDS)
    return [
        f"DELETE FROM {t['ledger']}",  # noqa: S608 (table names)
        f"DELETE FROM {t['tally']}",  # noqa: S608
        ledger,
        f"DELETE FROM {t['ledger']} WHERE {zero}",  # noqa: S608
        f"INSERT INTO {t['tally']} (organisation_id, municipality_id, day, {fields}) "  # noqa: S608
        f"SELECT organisation_id, municipality_id, day, {total} FROM {t['ledger']} "
        f"GROUP BY organisation_id, municipality_id, day",
        f"DELETE FROM {t['tally']} WHERE {zero}",  # noqa: S608
    ]


def tables(get_model: Any) -> dict[str, str]:
    names = {
        "score": ("sustainability", "RoundScore"),
        "round": ("sustainability", "SurveyRound"),
        "case": ("cases", "Case"),
        "returnee": ("cases", "Returnee"),
        "ledger": ("community", "ScoreLedger"),
        "tally": ("community", "ScoreTally"),
    }
    return {name: get_model(app, model)._meta.db_table for name, (app, model) in names.items()}


def rebuild(using: str | None = None) -> int:
    """Recount the ledger and the tally from the score rows (set-based, idempotent). Returns the tally's rows."""
    from django.apps import apps

    conn = connections[using or "default"]
    statements = rebuild_sql(conn.vendor, conn.ops.quote_name, tables(apps.get_model))
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            # Writers wait for the recount (they would otherwise add to rows about to be replaced).
            cursor.execute(f"LOCK TABLE {conn.ops.quote_name(ScoreLedger._meta.db_table)} IN EXCLUSIVE MODE")
            cursor.execute(f"LOCK TABLE {conn.ops.quote_name(ScoreTally._meta.db_table)} IN EXCLUSIVE MODE")
        for sql in statements:
            cursor.execute(sql)
        return ScoreTally.objects.using(conn.alias).count()


def stored() -> Rows:
    """The kept tally (tests compare it with the recount)."""
    return {
        (org, area, day): tuple(rest)
        for org, area, day, *rest in ScoreTally.objects.values_list(
            "organisation_id", "municipality_id", "day", *FIELDS
        )
    }


def recount() -> Rows:
    """The tally as the records say now, person by person."""
    out: Rows = {}
    for person in Returnee.objects.values_list("pk", flat=True):
        for key, value in contributions(person).items():
            out[key] = _add(out.get(key), value)
    return {k: v for k, v in out.items() if any(v)}

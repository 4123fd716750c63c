"""The kept tally of case returns the hotspots count (`models.ReturnTally`): per organisation, municipality of
return and day, the returns and the repeat returns among them.

What a case counts: one return on its `return_date`, in its returnee's municipality of return (none: not
counted), for the organisation holding it; a repeat return when the same person has a case with an earlier
return date (whichever organisation holds it). So a write touches the tally when it adds, removes or moves a
case (its returnee, organisation or return date) or changes a returnee's municipality, and it may change the
repeat flag of the person's other cases.

Kept in the transaction of the write, whoever makes it: the receivers below run on Django's `pre_save` /
`post_save` / `pre_delete` / `post_delete` of `Case` and `Returnee` (connected in `CommunityConfig.ready`, since
`cases` sits below this app and does not know it), so every service that records a return (opening a case, a
return added to a person's history, a child's case, the hand-over's accepted case, an edit of the return date
or of the municipality) moves it. Each write takes the person's contribution before and after, and adds the
difference (an increment in the database, so two writers on different people never overwrite each other).

Writes that bypass the ORM's signals (the synthetic data generator's COPY, a bulk load) call `rebuild()`, one
set-based statement from the records, idempotent (`reintegra rebuild-return-tally`; migration
`0006_return_tally` runs it once).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import IntegrityError, connections, transaction
from django.db.models import F

from reintegra.cases.models import Case, Returnee
from reintegra.community.models import ReturnTally

Key = tuple[int, int, date]  # organisation, municipality, day
Tally = dict[Key, tuple[int, int]]  # returns, repeats


def contributions(returnee_ids: Iterable[int]) -> Tally:
    """What the cases of these people add to the tally now."""
    ids = {i for i in returnee_ids if i}
    if not ids:
        return {}
    rows = list(
        Case.objects.filter(returnee_id__in=ids, returnee__municipality__isnull=False).values_list(
            "returnee_id", "organisation_id", "returnee__municipality_id", "return_date"
        )
    )
    first: dict[int, date] = {}
    for person, _org, _area, day in rows:
        if person not in first or day < first[person]:
            first[person] = day
    returns: Counter[Key] = Counter()
    repeats: Counter[Key] = Counter()
    for person, org, area, day in rows:
        key = (org, area, day)
        returns[key] += 1
        repeats[key] += day > first[person]  # an earlier case of the same person exists
    return {key: (n, repeats[key]) for key, n in returns.items()}


def apply(before: Tally, after: Tally) -> None:
    """Add `after - before` to the stored tally (rows left at zero are removed)."""
    # In key order: two writers touching the same rows lock them in the same order (no deadlock).
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key, (0, 0)), after.get(key, (0, 0))
        returns, repeats = new[0] - old[0], new[1] - old[1]
        if returns or repeats:
            _add(key, returns, repeats)


def _add(key: Key, returns: int, repeats: int) -> None:
    org, area, day = key
    row = ReturnTally.objects.filter(organisation_id=org, municipality_id=area, day=day)
    if row.update(returns=F("returns") + returns, repeats=F("repeats") + repeats):
        row.filter(returns=0).delete()
        return
    try:
        with transaction.atomic():  # a savepoint: another writer may create the same row meanwhile
            ReturnTally.objects.create(
                organisation_id=org, municipality_id=area, day=day, returns=returns, repeats=repeats
            )
    except IntegrityError:
        row.update(returns=F("returns") + returns, repeats=F("repeats") + repeats)


# --- The receivers: every ORM write of a case or of a returnee's municipality ---------------------------

_BEFORE = "_return_tally_before"
_CASE_FIELDS = {"returnee", "returnee_id", "organisation", "organisation_id", "return_date"}
_RETURNEE_FIELDS = {"municipality", "municipality_id"}


def _concerned(update_fields: Any, fields: set[str]) -> bool:
    return update_fields is None or bool(set(update_fields) & fields)


def case_pre_save(sender: Any, instance: Case, raw: bool = False, update_fields: Any = None, **kwargs: Any) -> None:
    if raw or not _concerned(update_fields, _CASE_FIELDS):
        return
    people = {instance.returnee_id}
    if instance.pk is not None:
        stored = Case.objects.filter(pk=instance.pk).values_list("returnee_id", "organisation_id", "return_date")
        old = stored.first()
        if old is not None and old == (instance.returnee_id, instance.organisation_id, instance.return_date):
            return  # nothing the tally counts changed
        if old is not None:
            people.add(old[0])
    setattr(instance, _BEFORE, (people, contributions(people)))


def _after(instance: Any) -> None:
    pending = instance.__dict__.pop(_BEFORE, None)
    if pending is not None:
        people, before = pending
        apply(before, contributions(people))


def case_post_save(sender: Any, instance: Case, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        _after(instance)


def case_pre_delete(sender: Any, instance: Case, **kwargs: Any) -> None:
    people = {instance.returnee_id}
    setattr(instance, _BEFORE, (people, contributions(people)))


def case_post_delete(sender: Any, instance: Case, **kwargs: Any) -> None:
    _after(instance)


def returnee_pre_save(
    sender: Any, instance: Returnee, raw: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    if raw or instance.pk is None or not _concerned(update_fields, _RETURNEE_FIELDS):
        return  # a new person has no case yet
    old = Returnee.objects.filter(pk=instance.pk).values_list("municipality_id", flat=True).first()
    if old != instance.municipality_id:
        setattr(instance, _BEFORE, ({instance.pk}, contributions({instance.pk})))


def returnee_post_save(sender: Any, instance: Returnee, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        _after(instance)


def connect() -> None:
    from django.db.models import signals

    uid = "community.return_tally"
    signals.pre_save.connect(case_pre_save, sender=Case, dispatch_uid=f"{uid}.case_pre_save")
    signals.post_save.connect(case_post_save, sender=Case, dispatch_uid=f"{uid}.case_post_save")
    signals.pre_delete.connect(case_pre_delete, sender=Case, dispatch_uid=f"{uid}.case_pre_delete")
    signals.post_delete.connect(case_post_delete, sender=Case, dispatch_uid=f"{uid}.case_post_delete")
    signals.pre_save.connect(returnee_pre_save, sender=Returnee, dispatch_uid=f"{uid}.returnee_pre_save")
    signals.post_save.connect(returnee_post_save, sender=Returnee, dispatch_uid=f"{uid}.returnee_post_save")


# --- Rebuilding from the records -----------------------------------------------------------------------

REBUILD_SQL = """
INSERT INTO {tally} (organisation_id, municipality_id, day, returns, repeats)
SELECT organisation_id, municipality_id, return_date, count(*),
       sum(CASE WHEN return_date > first_return THEN 1 ELSE 0 END)
FROM (
    SELECT c.organisation_id, r.municipality_id, c.return_date,
           min(c.return_date) OVER (PARTITION BY c.returnee_id) AS first_return
    FROM {case} c JOIN {returnee} r ON r.id = c.returnee_id
) counted
WHERE municipality_id IS NOT NULL
GROUP BY organisation_id, municipality_id, return_date
"""


def rebuild(using: str | None = None) -> int:
    """Recount the whole tally from the cases (set-based, idempotent). Returns the number of rows."""
    conn = connections[using or "default"]
    quote = conn.ops.quote_name
    sql = REBUILD_SQL.format(
        tally=quote(ReturnTally._meta.db_table),
        case=quote(Case._meta.db_table),
        returnee=quote(Returnee._meta.db_table),
    )
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            # Writers wait for the recount (they would otherwise add to rows about to be replaced).
            cursor.execute(f"LOCK TABLE {quote(ReturnTally._meta.db_table)} IN EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {quote(ReturnTally._meta.db_table)}")  # noqa: S608 (a table name)
        cursor.execute(sql)
        return int(cursor.rowcount)


def recount() -> Tally:
    """The tally as the records say now (tests compare the kept one with it)."""
    return contributions(Returnee.objects.values_list("pk", flat=True))


def stored() -> Tally:
    return {
        (org, area, day): (n, rep)
        for org, area, day, n, rep in ReturnTally.objects.values_list(
            "organisation_id", "municipality_id", "day", "returns", "repeats"
        )
        if n or rep
    }

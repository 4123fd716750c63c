"""The narrow fact row of each case the `cases` population reads (`models.CaseFact`; docs/scaling.md, "Sixth
pass"): the case's programme, organisation, status, return type, closure category and dates, its plan's
agreement date, and its returnee's sex, birth year, attention mask and municipality. A million cases with their
returnees and plans are 1.5 kB of wide rows each; their facts about 100 bytes.

Each row is the case's record as it stands, never an increment: a write that may change it deletes the case's
row and inserts it again from the records, in the write's own transaction (the same statement as the rebuild,
narrowed to those cases), so a fact row is right whatever the order of the writes. The receivers run on
Django's `post_save` / `post_delete` of `Case`, `Returnee` and `ReintegrationPlan` (connected in
`MonitoringConfig.ready`: `cases` sits below this app and does not know it), and on `cases.signals.
returnees_rewritten`, which a bulk update of returnees sends. The municipality's state is read through the
areas' table (an area may move to another state; nothing to keep).

Writes that bypass the ORM's signals (the synthetic data generator's COPY) call `rebuild()`: one set-based
statement, idempotent (`reintegra rebuild-case-facts`; migration `0005_case_facts` runs it once).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from reintegra.cases.models import Case, ReintegrationPlan, Returnee
from reintegra.monitoring import kept_rows
from reintegra.monitoring.models import CaseFact

# The fact's columns and where each comes from (c: the case, r: its returnee, p: its plan).
COLUMNS = {
    "case_id": "c.id",
    "returnee_id": "c.returnee_id",
    "organisation_id": "c.organisation_id",
    "programme_id": "c.programme_id",
    "status": "c.status",
    "return_type": "c.return_type",
    "closure_category": "c.closure_category",
    "return_date": "c.return_date",
    "return_year": "c.return_year",
    "opened_on": "c.opened_on",
    "closed_on": "c.closed_on",
    "plan_agreed_on": "p.agreed_on",
    "plan_id": "p.id",
    "sex": "r.sex",
    "birth_year": "r.birth_year",
    "attention_mask": "r.attention_mask",
    "municipality_id": "r.municipality_id",
}

FILL_SQL = """
INSERT INTO {fact} ({columns})
SELECT {sources}
FROM {case} c
JOIN {returnee} r ON r.id = c.returnee_id
LEFT JOIN {plan} p ON p.case_id = c.id
"""


def fill_sql(quote: Any, fact: str, case: str, returnee: str, plan: str, columns: dict[str, str] | None = None) -> str:
    """The statement filling the fact rows of every case (a `WHERE` on `c` narrows it); table names given, so
    that the migrations run it with their own historical tables (and `columns`, those their table has)."""
    columns = COLUMNS if columns is None else columns
    return FILL_SQL.format(
        fact=quote(fact),
        columns=", ".join(quote(column) for column in columns),
        sources=", ".join(columns.values()),
        case=quote(case),
        returnee=quote(returnee),
        plan=quote(plan),
    )


def _fill(conn: Any) -> str:
    return fill_sql(
        conn.ops.quote_name,
        CaseFact._meta.db_table,
        Case._meta.db_table,
        Returnee._meta.db_table,
        ReintegrationPlan._meta.db_table,
    )


def _narrowed(conn: Any, marks: str) -> tuple[str, int]:
    return (f"{_fill(conn)} WHERE c.id IN ({marks})" if marks else _fill(conn)), 1


def refresh(case_ids: Iterable[int], using: str | None = None) -> None:
    """Make these cases' fact rows what their records say now (a deleted case: none)."""
    kept_rows.rewrite(CaseFact, "case_id", case_ids, _narrowed, using)


def refresh_people(returnee_ids: Iterable[int], using: str | None = None) -> None:
    """The fact rows of these people's cases (their sex, birth year, flags or municipality changed)."""
    ids = {int(i) for i in returnee_ids if i is not None}
    if ids:
        refresh(Case.objects.using(using).filter(returnee_id__in=ids).values_list("pk", flat=True), using)


def rebuild(using: str | None = None) -> int:
    """Every case's fact row from the records (set-based, idempotent). Returns the number of rows."""
    return kept_rows.rebuild(CaseFact, _narrowed, using)


# --- Reading them from the records that hang from a case ----------------------------------------------------------

RELATION = "case_fact"

# What the standard disaggregations read of a case (a path from the case) and where its fact row keeps it.
ON_FACT = {
    "returnee_id": "returnee_id",
    "programme_id": "programme_id",
    "organisation_id": "organisation_id",
    "return_type": "return_type",
    "return_year": "return_year",
    "returnee__sex": "sex",
    "returnee__birth_year": "birth_year",
    "returnee__attention_mask": "attention_mask",
    "returnee__municipality_id": "municipality_id",
    "returnee__municipality__parent_id": "municipality__parent_id",
}


def relate(model: Any, case_field: str = "case", fact_field: str = "case") -> str:
    """Give `model` (records with a foreign key `case_field` to their case) a relation to their case's fact row,
    `case_fact`, joined on the record's own case id: no column, nothing to keep, and no join to the cases' wide
    rows on the way (`case__fact__sex` would join both). Records of a plan give `case_field="plan"` and
    `fact_field="plan"`: joined on their plan id. Returns the relation's name."""
    from django.db.models import DO_NOTHING, ForeignObject

    if not any(f.name == RELATION for f in model._meta.private_fields):
        relation = ForeignObject(
            CaseFact, on_delete=DO_NOTHING, from_fields=[case_field], to_fields=[fact_field], related_name="+"
        )
        relation.contribute_to_class(model, RELATION, private_only=True)
    return RELATION


def columns(prefix: str = "") -> dict[str, str]:
    """`Population.case_columns` for rows reading their case's facts through `prefix` ("" on the facts)."""
    return {path: f"{prefix}__{column}" if prefix else column for path, column in ON_FACT.items()}


def reading(
    model: Any, records: Any, case_field: str = "case", fact_field: str = "case", case_path: str | None = None
) -> dict[str, Any]:
    """A population's paths for `model`, records of a case (`records`: what one is called), that read their
    case's programme, organisation, person and disaggregations from its fact row (`relate`; `case_path`: the
    path to the case, `case_field` unless the records hang from it through another record, their plan)."""
    from django.utils.translation import gettext_lazy as _

    from reintegra.monitoring import registry

    name = relate(model, case_field, fact_field)
    case_path = case_path or case_field
    return {
        "programme_path": f"{name}__programme_id",
        "organisation_path": f"{name}__organisation_id",
        "case_path": case_path,
        "units": {
            **registry.case_units(case_path, records),
            "person": registry.Unit(_("people (distinct returnees)"), f"{name}__returnee_id"),
        },
        "case_columns": columns(name),
    }


# --- The receivers: every ORM write that may change a fact row -----------------------------------------------

_CASE_FIELDS = {
    "returnee",
    "organisation",
    "programme",
    "status",
    "return_type",
    "closure_category",
    "return_date",
    "opened_on",
    "closed_on",
}
_RETURNEE_FIELDS = {"sex", "birth_year", "attention_flags", "municipality"}
_PLAN_FIELDS = {"case", "agreed_on"}


def _concerned(update_fields: Any, fields: set[str]) -> bool:
    if update_fields is None:
        return True
    named = {name.removesuffix("_id") for name in update_fields}
    return bool(named & fields)


def case_saved(sender: Any, instance: Case, raw: bool = False, update_fields: Any = None, **kwargs: Any) -> None:
    if not raw and _concerned(update_fields, _CASE_FIELDS):
        refresh([instance.pk], kwargs.get("using"))


def case_deleted(sender: Any, instance: Case, **kwargs: Any) -> None:
    # The cascade deleted the row already, unless a plan's receiver wrote it again meanwhile.
    CaseFact.objects.using(kwargs.get("using")).filter(case_id=instance.pk).delete()


def returnee_saved(
    sender: Any, instance: Returnee, raw: bool = False, created: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    # A new person has no case yet.
    if not raw and not created and _concerned(update_fields, _RETURNEE_FIELDS):
        refresh_people([instance.pk], kwargs.get("using"))


def returnees_rewritten(sender: Any, ids: Iterable[int], **kwargs: Any) -> None:
    refresh_people(ids)


def plan_saved(
    sender: Any, instance: ReintegrationPlan, raw: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    if not raw and _concerned(update_fields, _PLAN_FIELDS):
        # A plan moved to another case leaves the row of the case it was on (its plan id and date) too.
        using = kwargs.get("using")
        before = CaseFact.objects.using(using).filter(plan_id=instance.pk).values_list("case_id", flat=True)
        refresh([instance.case_id, *before], using)


def plan_deleted(sender: Any, instance: ReintegrationPlan, **kwargs: Any) -> None:
    refresh([instance.case_id], kwargs.get("using"))


def connect() -> None:
    from django.db.models import signals

    from reintegra.cases.signals import returnees_rewritten as rewritten

    uid = "monitoring.case_facts"
    signals.post_save.connect(case_saved, sender=Case, dispatch_uid=f"{uid}.case_saved")
    signals.post_delete.connect(case_deleted, sender=Case, dispatch_uid=f"{uid}.case_deleted")
    signals.post_save.connect(returnee_saved, sender=Returnee, dispatch_uid=f"{uid}.returnee_saved")
    signals.post_save.connect(plan_saved, sender=ReintegrationPlan, dispatch_uid=f"{uid}.plan_saved")
    signals.post_delete.connect(plan_deleted, sender=ReintegrationPlan, dispatch_uid=f"{uid}.plan_deleted")
    rewritten.connect(returnees_rewritten, dispatch_uid=f"{uid}.returnees_rewritten")


# --- For the tests: the rows as stored and as the records say -------------------------------------------------


def recount() -> dict[int, tuple[Any, ...]]:
    """Every case's fact as the records say now, through the ORM (not the fill statement)."""
    rows = Case.objects.values_list(
        "pk",
        "returnee_id",
        "organisation_id",
        "programme_id",
        "status",
        "return_type",
        "closure_category",
        "return_date",
        "return_year",
        "opened_on",
        "closed_on",
        "plan__agreed_on",
        "plan__id",
        "returnee__sex",
        "returnee__birth_year",
        "returnee__attention_mask",
        "returnee__municipality_id",
    )
    return {row[0]: tuple(row[1:]) for row in rows}


def stored() -> dict[int, tuple[Any, ...]]:
    rows = CaseFact.objects.values_list(*COLUMNS)
    return {row[0]: tuple(row[1:]) for row in rows}

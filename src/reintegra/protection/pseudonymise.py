"""Pseudonymised, k-anonymous case rows for monitoring and evaluation (IOM DP principles 2 and 6).

A row holds coded facts only: no names, contacts, documents, addresses, localities, exact dates or free
text. Its quasi-identifiers (sex, age band at return, nationality, return type, return quarter, area) are
generalised by `kanonymity` until every released row shares them with at least k − 1 others, k being the
programme's suppression threshold (`Programme.suppression_threshold`, the strictest of the organisation's
programmes); rows that cannot reach k are withheld and counted. A generalised value reads "*".

Never in a row, only in k-suppressed aggregates: attention flags (violence, disability, health, child
protection…) and causes of migration (see `kanonymity.SENSITIVE_ATTENTION_FLAGS` and `AGGREGATE_ONLY`).

`case_pid` is a keyed hash of the case *and of the release*: it stays the same while the released data
does not change (so pages of one download fit together) and changes with it, so that two downloads cannot
be joined row by row (a person's classes in two releases can intersect in a single row). Nor is there a
person-level id: it would join the rows of a returnee's several cases in the same way.

This module builds the database expressions and shapes rows; `analytics.pseudonymised_release` decides
who gets which rows. Quasi-identifiers are counted in SQL (`grouped_counts`), never row by row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db.models import Count, ExpressionWrapper, F, Func, IntegerField, QuerySet

from reintegra.access import crypto
from reintegra.protection.kanonymity import UNKNOWN, WITHHELD, QuasiIdentifiers, Released, age_band

if TYPE_CHECKING:
    from reintegra.cases.models import Case

ROW_KEYS = (
    "case_pid",
    "organisation",
    "sex",
    "age_band",
    "nationality",
    "return_type",
    "return_period",
    "area_level",
    "return_country",
    "admin1",
    "municipality",
    "status",
    "closure_category",
    "assessments",
    "follow_ups",
    "plan_dimensions",
)
# Columns read for the facts of a released row (Case.objects.values(*FACT_COLUMNS)); nothing identifying.
FACT_COLUMNS = ("id", "organisation__code", "status", "closure_category")


class DateNumber(Func):
    """A date as the whole number YYYYMMDD, computed by the database without a per-row function call
    (SQLite's date functions are Python callbacks). Whole years between two dates are then
    (later - earlier) // 10000, the year is n // 10000 and the month (n // 100) % 100."""

    output_field = IntegerField()
    template = "CAST(TO_CHAR(%(expressions)s, 'YYYYMMDD') AS INTEGER)"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Dates are stored as 'YYYY-MM-DD' text.
        return self.as_sql(compiler, connection, template="CAST(REPLACE(%(expressions)s, '-', '') AS INTEGER)", **extra)


def annotate_quasi_identifiers(cases: QuerySet[Case]) -> QuerySet[Case]:
    """The cases with their quasi-identifiers at the finest level (`QI_NAMES`): age at return (in whole
    years, from the birth year), year and quarter of return, area ids."""
    returned = DateNumber("return_date")
    # The exact birth date is encrypted: the age is the year of return minus the clear birth year (exact or
    # estimated), so it can be one year over the real age (banding absorbs it, except at a band's edge).
    age = ExpressionWrapper(returned / 10000 - F("returnee__birth_year"), output_field=IntegerField())
    return cases.annotate(
        qi_sex=F("returnee__sex"),
        qi_age=age,
        qi_nationality=F("returnee__nationality"),
        qi_return_type=F("return_type"),
        qi_return_year=ExpressionWrapper(returned / 10000, output_field=IntegerField()),
        qi_return_quarter=ExpressionWrapper(((returned / 100) % 100 + 2) / 3, output_field=IntegerField()),
        qi_country=F("returnee__return_country"),
        qi_admin1=F("returnee__admin1_id"),
        qi_municipality=F("returnee__municipality_id"),
    )


QI_NAMES = (
    "qi_sex",
    "qi_age",
    "qi_nationality",
    "qi_return_type",
    "qi_return_year",
    "qi_return_quarter",
    "qi_country",
    "qi_admin1",
    "qi_municipality",
)


def quasi_identifiers(values: Mapping[str, Any] | tuple[Any, ...]) -> QuasiIdentifiers:
    """A QuasiIdentifiers from a dict of QI_NAMES, or a tuple of them in that order."""
    raw = [values[name] for name in QI_NAMES] if isinstance(values, Mapping) else list(values)
    sex, age, nationality, return_type, year, quarter, country, admin1, municipality = raw
    return QuasiIdentifiers(
        sex=str(sex or UNKNOWN),
        age_band=age_band(age),
        nationality=str(nationality or ""),
        return_type=str(return_type or ""),
        return_year=year,
        return_quarter=quarter,
        country=str(country or ""),
        admin1=str(admin1) if admin1 else "",
        municipality=str(municipality) if municipality else "",
    )


def raw_counts(cases: QuerySet[Case]) -> dict[tuple[Any, ...], int]:
    """Cases per combination of the database's quasi-identifier values (QI_NAMES order), counted by the
    database; `quasi_identifiers` turns a combination into a QuasiIdentifiers (several may give one)."""
    grouped = annotate_quasi_identifiers(cases).values_list(*QI_NAMES).annotate(n=Count("id")).order_by()
    return {tuple(entry[:-1]): entry[-1] for entry in grouped}


def grouped_counts(cases: QuerySet[Case]) -> dict[QuasiIdentifiers, int]:
    """Cases per combination of quasi-identifiers, counted by the database."""
    counts: dict[QuasiIdentifiers, int] = {}
    for raw, n in raw_counts(cases).items():
        qi = quasi_identifiers(raw)
        counts[qi] = counts.get(qi, 0) + n
    return counts


def fingerprint(groups: Mapping[QuasiIdentifiers, int], k: int, organisation_id: int) -> str:
    """Identifies a release: the same counts and k give the same fingerprint (and the same case ids)."""
    digest = hashlib.sha256(f"{organisation_id}|{k}".encode())
    for qi, count in sorted(groups.items(), key=lambda item: repr(item[0])):
        digest.update(f"|{qi!r}={count}".encode())
    return digest.hexdigest()


def case_pid(case_id: int, release: str) -> str:
    return crypto.pseudonym(f"case@{release[:32]}", case_id)


def row(
    pid: str,
    released: Released,
    facts: Mapping[str, Any],
    *,
    area_names: Mapping[str, str],
    assessments: int,
    follow_ups: int,
    plan_dimensions: list[str],
) -> dict[str, Any]:
    """One released row: the generalised quasi-identifiers and the case's coded facts, nothing else."""

    def area(value: str) -> str | None:
        if value == WITHHELD:
            return WITHHELD
        return area_names.get(value) if value else None

    return {
        "case_pid": pid,
        "organisation": facts["organisation__code"],
        "sex": released.sex,
        "age_band": released.age_band,
        "nationality": released.nationality,
        "return_type": released.return_type,
        "return_period": released.return_period,
        "area_level": released.area_level,
        "return_country": released.country or None,
        "admin1": area(released.admin1),
        "municipality": area(released.municipality),
        "status": facts["status"],
        "closure_category": facts["closure_category"] or "",
        "assessments": assessments,
        "follow_ups": follow_ups,
        "plan_dimensions": sorted(set(plan_dimensions)),
    }

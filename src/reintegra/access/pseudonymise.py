"""Pseudonymised case rows for monitoring and evaluation (IOM DP principles 2 and 6).

A row carries stable pseudonymous ids (keyed hashes: the same person always gets the same id, and the id
cannot be turned back into the record without the key) and coded facts only: no names, contacts,
documents, addresses, localities, exact dates or free text. Dates are coarsened (birth → year, return →
first day of the month). Quasi-identifiers remain (municipality, birth year, sex...), so rows are still
personal data: they go only to roles with Capability.VIEW_PSEUDONYMISED, and published figures must come
from `selectors.aggregate_cases`, which suppresses small cells.

This module only shapes rows; `selectors.pseudonymised_cases` decides who gets which rows and reads only
the columns listed in `SOURCE_COLUMNS`, so identifying columns never leave the database.
"""

from datetime import date
from typing import Any

from reintegra.access import crypto

# Columns read for each case (Case.objects.values(*SOURCE_COLUMNS)); nothing identifying.
SOURCE_COLUMNS = (
    "id",
    "returnee_id",
    "organisation__code",
    "returnee__sex",
    "returnee__birth_date",
    "returnee__estimated_birth_year",
    "returnee__nationality",
    "returnee__return_country",
    "returnee__admin1__name",
    "returnee__municipality__name",
    "returnee__attention_flags",
    "return_date",
    "return_type",
    "causes_of_migration",
    "status",
    "closure_category",
)

ROW_KEYS = (
    "pid",
    "case_pid",
    "organisation",
    "sex",
    "birth_year",
    "nationality",
    "return_country",
    "admin1",
    "municipality",
    "return_month",
    "return_type",
    "causes_of_migration",
    "attention_flags",
    "status",
    "closure_category",
    "assessments",
    "follow_ups",
    "plan_dimensions",
)


def returnee_pid(returnee_id: int) -> str:
    return crypto.pseudonym("returnee", returnee_id)


def case_pid(case_id: int) -> str:
    return crypto.pseudonym("case", case_id)


def month_start(day: date | None) -> date | None:
    return day.replace(day=1) if day else None


def case_row(
    source: dict[str, Any], *, assessments: int, follow_ups: int, plan_dimensions: list[str]
) -> dict[str, Any]:
    """One pseudonymised row from a dict of SOURCE_COLUMNS."""
    birth = source["returnee__birth_date"]
    return {
        "pid": returnee_pid(source["returnee_id"]),
        "case_pid": case_pid(source["id"]),
        "organisation": source["organisation__code"],
        "sex": source["returnee__sex"],
        "birth_year": birth.year if birth else source["returnee__estimated_birth_year"],
        "nationality": str(source["returnee__nationality"] or ""),
        "return_country": str(source["returnee__return_country"] or ""),
        "admin1": source["returnee__admin1__name"],
        "municipality": source["returnee__municipality__name"],
        "return_month": month_start(source["return_date"]),
        "return_type": source["return_type"],
        "causes_of_migration": sorted(source["causes_of_migration"] or []),
        "attention_flags": sorted(source["returnee__attention_flags"] or []),
        "status": source["status"],
        "closure_category": source["closure_category"] or "",
        "assessments": assessments,
        "follow_ups": follow_ups,
        "plan_dimensions": sorted(plan_dimensions),
    }

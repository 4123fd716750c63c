"""Issue 10, item 4: the M&E case rows of seeded data are k-anonymous and carry no sensitive flag.

The probe found 186 of 186 demo rows unique on sex + birth year + municipality + return month, with
attention flags such as victim-of-violence in the rows. This seeds the demo's data (the demo command's
300 synthetic cases, seed and shares), downloads the rows as the demo's M&E officer would (API, JSON pages
and CSV), measures the smallest equivalence class on every quasi-identifier a row carries and prints it.

    .venv/bin/python -m pytest -q -s tests/security/test_kanonymity_seeded.py
"""

import csv
import io
from collections import Counter

import pytest
from rest_framework.test import APIClient

from reintegra.access.models import Programme
from reintegra.access.roles import Role
from reintegra.cases.choices import AttentionFlag, Dimension, MigrationCause
from reintegra.cases.models import Case
from reintegra.demo import seeding, staff
from reintegra.demo.site import DEMO_ORGANISATION, DEMO_SHARES
from reintegra.testing import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/analytics/cases/"
# Every column that tells something a neighbour may know, whatever the row layout (old and new names).
QUASI_IDENTIFIERS = (
    "sex",
    "birth_year",
    "age_band",
    "nationality",
    "return_type",
    "return_month",
    "return_period",
    "return_country",
    "admin1",
    "municipality",
)
FLAG_CODES = set(AttentionFlag.values)
CAUSE_CODES = set(MigrationCause.values) - set(Dimension.values)  # "economic" is also a plan dimension


@pytest.fixture
def seeded():
    organisations = {org.code: org for org in staff.default_organisations()}
    seeding.seed(
        300, seed=2024, organisations=[organisations[c] for c in DEMO_SHARES], weights=list(DEMO_SHARES.values())
    )
    organisation = organisations[DEMO_ORGANISATION]
    return organisation, factories.user(organisation, Role.ME_OFFICER, username="monitoreo")


def _classes(rows: list[dict]) -> Counter:
    columns = [name for name in QUASI_IDENTIFIERS if name in rows[0]]
    return Counter(tuple(str(row[name]) for name in columns) for row in rows)


def _all_pages(api: APIClient) -> tuple[list[dict], dict]:
    rows, url, first = [], URL + "?page_size=50", None
    while url:
        body = api.get(url).json()
        first = first or body
        rows.extend(body["results"])
        url = body["next"]
    return rows, first


def test_seeded_rows_are_k_anonymous_and_carry_no_flag(seeded):
    organisation, officer = seeded
    cases = Case.objects.filter(organisation=organisation).count()
    k = getattr(Programme.default_for(organisation.pk), "suppression_threshold", 5)  # the default, before it existed
    api = APIClient()
    api.force_authenticate(officer)

    rows, first = _all_pages(api)
    classes = _classes(rows)
    smallest = min(classes.values())
    suppressed = first.get("suppressed", 0)
    print(
        f"\n[k-anonymity] {organisation.code}: {cases} cases, {len(rows)} rows released, {suppressed} withheld, "
        f"{len(classes)} classes, smallest equivalence class {smallest} (k={k}); "
        f"generalisation {first.get('generalisation')}, areas {first.get('area_levels')}"
    )
    assert smallest >= k
    assert first["smallest_class"] == smallest and first["k"] == k
    assert len(rows) + suppressed == cases
    assert len(rows) >= cases // 2  # generalisation, not wholesale suppression

    response = api.get(URL, {"format": "csv"})
    assert response.status_code == 200
    table = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(table) == len(rows)
    assert min(_classes(table).values()) >= k

    for row in rows + table:
        assert not {"attention_flags", "causes_of_migration", "pid", "birth_year", "return_month"} & set(row)
        for value in row.values():
            parts = value if isinstance(value, list) else str(value).split(";")
            assert not (FLAG_CODES | CAUSE_CODES) & {str(p) for p in parts}, row


def test_sensitive_flags_are_counted_only_in_aggregates(seeded):
    from reintegra.protection.kanonymity import SENSITIVE_ATTENTION_FLAGS

    _organisation, officer = seeded
    assert FLAG_CODES >= SENSITIVE_ATTENTION_FLAGS
    api = APIClient()
    api.force_authenticate(officer)
    body = api.get("/api/v1/analytics/aggregates/", {"by": "attention_flag"}).json()
    assert {row["attention_flag"] for row in body["rows"]} == FLAG_CODES
    k = body["k"]
    assert all(row["count"] is None or row["count"] >= k for row in body["rows"])
    assert api.get("/api/v1/analytics/aggregates/", {"by": "attention_flag,sex"}).status_code == 400

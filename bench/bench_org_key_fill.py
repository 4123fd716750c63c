"""The organisation key's migration at scale (issue 19): seconds per table on PostgreSQL.

Runs, on a database migrated up to before the key (`cases.0015`, `sustainability.0004`, `referrals.0009`) and
filled (a seed, or a copy of the shared million-case database), the statements the migrations `cases.0016`,
`sustainability.0005` and `referrals.0010` run, table by table and timed one by one: the column added
nullable, the set-based fill (`access.org_key.fill_sql`), NOT NULL with the foreign key to the organisation,
the parents' unique `(id, organisation_id)`, and the composite foreign key (`access.org_key.keep_equal_sql`).
The case search tokens already hold their case's organisation: only their guard is timed (the case's own
foreign key dropped, the composite one added and validated).
Everything runs in one transaction that is rolled back at the end (`--keep` commits it), so the database is
left as it was; the tables are locked meanwhile: run it on your own database or a copy, never on a shared one
others read.

Prints one JSON object: per table its rows and the seconds of each step, the total, the 1-minute load average
before and after.

Usage: python bench/bench_org_key_fill.py --database-url postgres://… [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from reintegra.access.org_key import Link, fill_sql, keep_equal_sql  # noqa: E402

# As in the migrations: parents before children.
LINKS = [
    Link("cases_nametoken", "returnee_id", "cases_returnee"),
    Link("cases_matchkey", "returnee_id", "cases_returnee"),
    Link("cases_householdmember", "household_id", "cases_household"),
    Link("cases_assessment", "case_id", "cases_case"),
    Link("cases_counsellingsession", "case_id", "cases_case"),
    Link("cases_reintegrationplan", "case_id", "cases_case"),
    Link("cases_followupvisit", "case_id", "cases_case"),
    Link("cases_caseevent", "case_id", "cases_case"),
    Link("cases_planitem", "plan_id", "cases_reintegrationplan"),
    Link("cases_planitemprogress", "visit_id", "cases_followupvisit"),
    Link("sustainability_surveyround", "case_id", "cases_case"),
    Link("sustainability_roundscore", "round_id", "sustainability_surveyround"),
    Link("referrals_referral", "case_id", "cases_case"),
    Link("referrals_referralstatuschange", "referral_id", "referrals_referral"),
]
# Already keyed (cases.0015 wrote the case's organisation): the guard only.
GUARDED = [Link("cases_casesearchtoken", "case_id", "cases_case")]
TARGETS = [
    "cases_returnee",
    "cases_household",
    "cases_case",
    "cases_reintegrationplan",
    "cases_followupvisit",
    "sustainability_surveyround",
    "referrals_referral",
]


def timed(cursor: object, sql: str) -> float:
    start = time.perf_counter()
    cursor.execute(sql)  # type: ignore[attr-defined]
    return round(time.perf_counter() - start, 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--keep", action="store_true", help="Commit instead of rolling back.")
    args = parser.parse_args()
    import psycopg

    load_before = round(os.getloadavg()[0], 2)
    result: dict[str, object] = {"tables": {}, "load_average_before": load_before}
    tables: dict[str, dict[str, object]] = result["tables"]  # type: ignore[assignment]
    started = time.perf_counter()
    with psycopg.connect(args.database_url) as conn, conn.cursor() as cursor:
        # Parents first: a child's fill reads its parent's (already filled) column.
        for link in LINKS:
            cursor.execute(f'SELECT count(*) FROM "{link.child}"')  # noqa: S608 - constant table names
            rows = cursor.fetchone()[0]  # type: ignore[index]
            add = timed(cursor, f'ALTER TABLE "{link.child}" ADD COLUMN organisation_id bigint NULL')
            filled = timed(cursor, fill_sql(link, "postgresql"))
            required = timed(cursor, f'ALTER TABLE "{link.child}" ALTER COLUMN organisation_id SET NOT NULL')
            references = timed(
                cursor,
                f'ALTER TABLE "{link.child}" ADD CONSTRAINT "{link.child}_org_fk" FOREIGN KEY (organisation_id) '
                "REFERENCES access_organisation (id) DEFERRABLE INITIALLY DEFERRED",
            )
            tables[link.child] = {
                "rows": rows,
                "add_s": add,
                "fill_s": filled,
                "not_null_s": required,
                "fk_s": references,
            }
        for target in TARGETS:
            seconds = timed(
                cursor, f'ALTER TABLE "{target}" ADD CONSTRAINT "{target}_okey" UNIQUE (id, organisation_id)'
            )
            tables.setdefault(target, {})["unique_s"] = seconds
        for link in LINKS:
            (statement,) = keep_equal_sql(link, "postgresql")
            tables[link.child]["composite_fk_s"] = timed(cursor, statement)
        for link in GUARDED:
            cursor.execute(f'SELECT count(*) FROM "{link.child}"')  # noqa: S608 - constant table names
            entry: dict[str, object] = {"rows": cursor.fetchone()[0]}  # type: ignore[index]
            cursor.execute(
                "SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid = %s::regclass"
                " AND confrelid = %s::regclass",
                [link.child, link.parent],
            )
            dropped = 0.0
            for (name,) in cursor.fetchall():
                dropped += timed(cursor, f'ALTER TABLE "{link.child}" DROP CONSTRAINT "{name}"')
            entry["drop_case_fk_s"] = round(dropped, 3)
            (statement,) = keep_equal_sql(link, "postgresql")
            entry["composite_fk_s"] = timed(cursor, statement)
            tables[link.child] = entry
        if args.keep:
            conn.commit()
        else:
            conn.rollback()
    result["total_s"] = round(time.perf_counter() - started, 3)
    result["committed"] = args.keep
    result["load_average_after"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()

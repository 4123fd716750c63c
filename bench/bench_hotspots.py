"""Return hotspots at scale on PostgreSQL (issue 15's target: the hotspot table at 1,000,000 returnees in
<= 500 ms).

Loads only what the hotspot table reads, with set-based SQL (`generate_series`, no Python per row): N
returnees of one organisation, each with a municipality of return drawn from the gazetteer of GT, HN, SV and
MX with a skew (a few municipalities receive most returns, as in real hotspots) and one case returning in the
last three years; a tenth of them with an earlier case too (repeat returns: 1.1 cases per person). Their
names and other personal fields are left empty: the hotspot table never reads them. The organisation records
300 of the most-returned municipalities as communities with a population (the returns-per-1,000 rate). With
RSS rounds (the default; `--no-rss-rounds` leaves them out): every case has 1 to 4 rounds (2.5 on average: 3, 6,
12, 18 months after the return, those not in the future), each with one current score row (the dimensions drawn
at random, a tenth of them without the psychosocial score), as `bench1m` has about 2.4 per case. No reception
intake is loaded (its query runs, on an empty table).

`--existing` measures a database as it is (no wipe, no load; e.g. a migrated copy of `bench1m`), as an M&E
officer of the organisation with the most cases (one is created when it has none; rolled back at the end).

Then, as an M&E officer of that organisation, it times `community.selectors.hotspots_for` (every query, the
pure core and the suppression) for all countries and for one country, period 365 and 90 days, and the whole
page (`/comunidades/focos-de-retorno/?country=GT`, in-process Django test client). The weakest-dimension step
alone is timed both ways, back to back on the same data: read from the kept tally (`selectors._scores`) and
ranked from the rounds as before the tally (`selectors.scores_from_rounds`), and the all-countries table once
more with the ranking from the rounds (the figure before the tally).

Prints one JSON object (and writes bench/results/hotspots.json) with the load's seconds, the row counts, the
median / max milliseconds of each measure, and the 1-minute load average before and after measuring (the
machine may be shared: a busy machine explains slow figures).

Database: BENCH_DATABASE_URL (a PostgreSQL database it may wipe), or a throw-away PostgreSQL 15 under /tmp
(bench_duplicates_pg.database), removed at the end.

Usage: python bench/bench_hotspots.py [--returnees N] [--runs R] [--no-rss-rounds] [--existing]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_duplicates_pg import database, setup_django, wipe_and_migrate  # noqa: E402

SKEW = 3  # municipality index = n * random()^SKEW: the first municipalities receive most returns
REPEAT_EVERY = 10  # one person in ten has an earlier case
COMMUNITIES = 300
DAYS = 3 * 365


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def timed(function: Callable[[], Any], runs: int) -> dict[str, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}


def _fill_columns(cursor: Any, table: str, written: set[str]) -> tuple[list[str], list[str]]:
    """The NOT NULL columns without a default this loader does not name, with a neutral value for each: the
    schema may gain columns the hotspots never read."""
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'public'"
        " AND table_name = %s AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'"
        " AND is_generated = 'NEVER'",
        [table],
    )
    neutral = {
        "text": "''",
        "character varying": "''",
        "jsonb": "'[]'::jsonb",
        "boolean": "false",
        "integer": "0",
        "smallint": "0",
        "bigint": "0",
        "date": "current_date",
        "timestamp with time zone": "now()",
    }
    names, values = [], []
    for column, data_type in cursor.fetchall():
        if column in written:
            continue
        if data_type not in neutral:
            raise SystemExit(f"bench: {table}.{column} ({data_type}) is NOT NULL and has no neutral value here")
        names.append(column)
        values.append(neutral[data_type])
    return names, values


def load_rounds(cursor: Any, user_id: int, c0: int) -> None:
    """1 to 4 RSS rounds per case (3, 6, 12, 18 months after the return; none in the future), one current
    score row each."""
    from reintegra.access import crypto
    from reintegra.sustainability.models import InstrumentVersion

    version = InstrumentVersion.objects.order_by("pk").values_list("pk", flat=True).first()
    answers = crypto.encrypt("{}")  # one encrypted token for all: the hotspots never read answers
    cursor.execute("SELECT coalesce(max(id), 0) FROM sustainability_surveyround")
    s0 = cursor.fetchone()[0]
    written = {"id", "case_id", "version_id", "taken_on", "round_month", "answers", "recorded_by_id", "created_at"}
    written |= {"organisation_id"}  # the case's (access.org_key)
    extra, extra_values = _fill_columns(cursor, "sustainability_surveyround", written)
    cursor.execute(
        "INSERT INTO sustainability_surveyround (id, case_id, organisation_id, version_id, taken_on, round_month,"  # noqa: S608
        f" answers, recorded_by_id, created_at{''.join(', ' + c for c in extra)})"
        f" SELECT {s0} + row_number() OVER (), c.id, c.organisation_id, %s, c.return_date + 30 * m.month, m.month,"
        " %s, %s, now()"
        f"{''.join(', ' + v for v in extra_values)}"
        f" FROM cases_case c JOIN (VALUES (3, 0.0), (6, 0.3), (12, 0.6), (18, 0.8)) m(month, skip)"
        f" ON random() >= m.skip WHERE c.id > {c0} AND c.return_date + 30 * m.month <= current_date",
        [version, answers, user_id],
    )
    written = {"id", "round_id", "version_id", "economic", "social", "psychosocial", "composite", "is_current"}
    written |= {"computed_at", "computed_by_id", "bands", "answered_share", "organisation_id"}
    extra, extra_values = _fill_columns(cursor, "sustainability_roundscore", written)
    cursor.execute(
        "INSERT INTO sustainability_roundscore (round_id, organisation_id, version_id, economic, social,"  # noqa: S608
        " psychosocial, composite, is_current, computed_at, computed_by_id, bands, answered_share"
        f"{''.join(', ' + c for c in extra)})"
        " SELECT id, organisation_id, version_id, e, so, p, (e + so + coalesce(p, 0)) / 3, true, now(),"
        " recorded_by_id,"
        f" '{{}}'::jsonb, '{{}}'::jsonb{''.join(', ' + v for v in extra_values)}"
        " FROM (SELECT id, organisation_id, version_id, recorded_by_id, round(random()::numeric, 3)::float AS e,"
        " round(random()::numeric, 3)::float AS so, CASE WHEN random() < 0.1 THEN NULL"
        f" ELSE round(random()::numeric, 3)::float END AS p FROM sustainability_surveyround WHERE id > {s0}) s",
    )
    cursor.execute(
        "SELECT setval(pg_get_serial_sequence('sustainability_surveyround', 'id'),"
        " (SELECT max(id) FROM sustainability_surveyround))"
    )


def load(returnees: int, *, rounds: bool = True) -> dict[str, Any]:
    from django.db import connection

    from reintegra.access import crypto
    from reintegra.access.models import Organisation
    from reintegra.access.roles import Role
    from reintegra.community import return_tally, score_tally
    from reintegra.community.models import Community
    from reintegra.places.models import AdminArea
    from reintegra.places.services import load_gazetteer
    from reintegra.testing import factories

    load_gazetteer()
    org = Organisation.objects.create(code="bench-hotspots", name="Bench hotspots", country="GT")
    officer = factories.user(org, Role.ME_OFFICER, username="bench-me")
    started = time.perf_counter()
    # A person needs a name (a check constraint); one encrypted token for all: the hotspots never read it.
    name, family = crypto.encrypt("Bench"), crypto.encrypt("Hotspots")
    municipalities = list(AdminArea.objects.filter(level=2).order_by("?").values_list("id", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.15)")
        # Ids after whatever the migrations created, so the sequences stay right.
        cursor.execute("SELECT coalesce(max(id), 0) FROM cases_returnee")
        r0 = cursor.fetchone()[0]
        cursor.execute("SELECT coalesce(max(id), 0) FROM cases_case")
        c0 = cursor.fetchone()[0]
        cursor.execute("CREATE TEMP TABLE bench_muni (n int PRIMARY KEY, area_id bigint)")
        cursor.execute(
            "INSERT INTO bench_muni SELECT n, (%s::bigint[])[n] FROM generate_series(1, %s) n",
            [municipalities, len(municipalities)],
        )
        written = {
            "id",
            "organisation_id",
            "given_names",
            "first_family_name",
            "sex",
            "nationality",
            "return_country",
            "municipality_id",
            "created_at",
            "updated_at",
            "revision",
        }
        extra, extra_values = _fill_columns(cursor, "cases_returnee", written)
        # Every SQL below is built from constants, integer ids and column names read from information_schema.
        cursor.execute(
            "INSERT INTO cases_returnee (id, organisation_id, given_names, first_family_name, sex, nationality,"  # noqa: S608
            f" return_country, municipality_id, created_at, updated_at, revision{''.join(', ' + c for c in extra)})"
            f" SELECT {r0} + g, %s, %s, %s, CASE WHEN g %% 3 = 0 THEN 'female' ELSE 'male' END, m.country,"
            f" m.country, m.id, now(), now(), 1{''.join(', ' + v for v in extra_values)}"
            # The draw is materialised first: random() in a join condition would run for every pair.
            f" FROM (SELECT g, 1 + floor(%s * power(random(), {SKEW}))::int AS k FROM generate_series(1, %s) g"
            f" OFFSET 0) s JOIN bench_muni b ON b.n = s.k"
            f" JOIN places_adminarea m ON m.id = b.area_id",
            [org.pk, name, family, len(municipalities), returnees],
        )
        written = {
            "id",
            "case_number",
            "returnee_id",
            "organisation_id",
            "status",
            "opened_on",
            "return_date",
            "return_type",
            "created_at",
            "updated_at",
            "revision",
        }
        extra, extra_values = _fill_columns(cursor, "cases_case", written)
        columns = (
            "id, case_number, returnee_id, organisation_id, status, opened_on, return_date, return_type,"
            f" created_at, updated_at, revision{''.join(', ' + c for c in extra)}"
        )
        tail = "".join(", " + v for v in extra_values)
        # The latest return of each person, in the last three years.
        cursor.execute(
            f"INSERT INTO cases_case ({columns}) SELECT {c0} + g, 'HB-' || g, {r0} + g, %s, 'registered', d, d,"  # noqa: S608
            f" 'forced', now(), now(), 1{tail} FROM (SELECT g, current_date - floor(random() * {DAYS})::int AS d"
            f" FROM generate_series(1, %s) g) s",
            [org.pk, returnees],
        )
        # An earlier, closed return for one person in REPEAT_EVERY.
        extra, extra_values = _fill_columns(cursor, "cases_case", written | {"closure_reason"})
        columns = (
            "id, case_number, returnee_id, organisation_id, status, opened_on, return_date, return_type,"
            f" created_at, updated_at, revision{''.join(', ' + c for c in extra)}"
        )
        tail = "".join(", " + v for v in extra_values)
        cursor.execute(
            f"INSERT INTO cases_case ({columns}, closure_reason, closed_on) SELECT %s + id, 'HB-R-' || id,"  # noqa: S608
            f" returnee_id, %s, 'closed', d, d, 'forced', now(), now(), 1{tail}, 'support_ended', d + 180"
            f" FROM (SELECT id, returnee_id, return_date - 200 - floor(random() * 700)::int AS d FROM cases_case"
            f" WHERE id > {c0} AND id %% {REPEAT_EVERY} = 0 OFFSET 0) s",
            [returnees, org.pk],
        )
        if rounds:
            load_rounds(cursor, officer.pk, c0)
        cursor.execute("SELECT setval(pg_get_serial_sequence('cases_returnee', 'id'), %s)", [r0 + returnees + 1])
        cursor.execute("SELECT setval(pg_get_serial_sequence('cases_case', 'id'), %s)", [c0 + 2 * returnees + 1])
        cursor.execute(
            "SELECT r.municipality_id, count(*) FROM cases_returnee r GROUP BY 1 ORDER BY 2 DESC LIMIT %s",
            [COMMUNITIES],
        )
        top = cursor.fetchall()
    Community.objects.bulk_create(
        Community(
            organisation=org,
            municipality_id=area,
            population=max(5_000, n * 40),
            population_year=2024,
            population_source="bench",
        )
        for area, n in top
    )
    # The rows went in by SQL, past the services that keep the hotspots' tally: recount it as production
    # would after a bulk load (`reintegra rebuild-return-tally`).
    rebuild_started = time.perf_counter()
    tally_rows = return_tally.rebuild()
    rebuild_seconds = round(time.perf_counter() - rebuild_started, 1)
    score_started = time.perf_counter()
    score_rows = score_tally.rebuild()
    score_seconds = round(time.perf_counter() - score_started, 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM cases_case")
        cases = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM sustainability_surveyround")
        survey_rounds = cursor.fetchone()[0]
    return {
        "tally_rows": tally_rows,
        "tally_rebuild_seconds": rebuild_seconds,
        "score_tally_rows": score_rows,
        "score_tally_rebuild_seconds": score_seconds,
        "survey_rounds": survey_rounds,
        "returnees": returnees,
        "cases": cases,
        "municipalities": len(municipalities),
        "communities_with_population": len(top),
        "load_seconds": round(time.perf_counter() - started - rebuild_seconds - score_seconds, 1),
    }


def officer_of_largest() -> Any:
    """An M&E officer of the organisation with the most cases (created when it has none)."""
    from django.db.models import Count

    from reintegra.access.models import Organisation, User
    from reintegra.access.roles import Role
    from reintegra.testing import factories

    org = Organisation.objects.annotate(n=Count("cases")).order_by("-n").first()
    found = User.objects.filter(organisation=org, role_assignments__role=Role.ME_OFFICER, is_active=True).first()
    return found or factories.user(org, Role.ME_OFFICER, username="bench-hotspots-me")


def measure_scores(user: Any, runs: int) -> dict[str, Any]:
    """The weakest-dimension step both ways, back to back, and the table with the rounds ranked (before)."""
    from datetime import timedelta

    from django.utils import timezone

    from reintegra.community import selectors

    since = timezone.localdate() - timedelta(days=365)
    areas = {str(r.area.pk) for r in selectors.hotspots_for(user).rows} or {"0"}
    tally, rounds = selectors._scores(user, since, areas), selectors.scores_from_rounds(user, since, areas)
    people = sum(t.people for t in tally.values())
    assert people == sum(t.people for t in rounds.values()), "the kept tally and the rounds disagree"
    out: dict[str, Any] = {"scored_people_in_year": people}
    out["scores_from_tally"] = timed(lambda: selectors._scores(user, since, areas), runs)
    out["scores_from_rounds"] = timed(lambda: selectors.scores_from_rounds(user, since, areas), runs)
    kept = selectors._scores
    selectors._scores = selectors.scores_from_rounds
    try:
        out["selector_all_365d_ranking_rounds"] = timed(lambda: selectors.hotspots_for(user), runs)
    finally:
        selectors._scores = kept
    out["selector_all_365d_from_tally"] = timed(lambda: selectors.hotspots_for(user), runs)
    for key in ("scores_from_tally", "scores_from_rounds", "selector_all_365d_ranking_rounds"):
        log(f"bench: {key}: {out[key]}")
    return out


def measure(runs: int, user: Any = None) -> dict[str, Any]:
    from django.test import Client
    from django.urls import reverse

    from reintegra.access.models import User
    from reintegra.community import selectors

    user = user or User.objects.get(username="bench-me")
    found = selectors.hotspots_for(user)  # warm-up (and the figures reported)
    out: dict[str, Any] = {"places_in_table": len(found.rows), "k": found.k, "user_organisation": user.organisation_id}
    out["weakest_named"] = sum(1 for r in found.rows if r.spot.weakest_dimension)
    for country in ("", "GT"):
        for days in (365, 90):
            key = f"selector_{country or 'all'}_{days}d"
            out[key] = timed(lambda c=country, d=days: selectors.hotspots_for(user, country=c, period_days=d), runs)
            log(f"bench: {key}: {out[key]}")
    client = Client()
    client.force_login(user)
    url = reverse("community:hotspots")

    def page() -> None:
        answer = client.get(url, {"country": "GT"})
        assert answer.status_code == 200, answer.status_code

    page()
    out["page_gt_365d"] = timed(page, runs)
    log(f"bench: page: {out['page_gt_365d']}")
    return out | measure_scores(user, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--returnees", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-rss-rounds", dest="rounds", action="store_false", help="load no RSS round")
    parser.add_argument("--existing", action="store_true", help="measure BENCH_DATABASE_URL as it is (no load)")
    args = parser.parse_args()
    if args.existing:
        measure_existing(args.runs)
        return
    with database() as (url, _external):
        wipe_and_migrate(url)
        setup_django(url)
        load_before = load_average()
        loaded = load(args.returnees, rounds=args.rounds)
        log(f"bench: loaded {loaded}")
        load_measure = load_average()
        measured = measure(args.runs)
        from django.db import connections

        connections.close_all()
    result = {
        "database": "postgresql",
        **loaded,
        **measured,
        "target_ms": 500,
        "load_average_1m": {"before_load": load_before, "before_measure": load_measure, "after": load_average()},
        "cpus": os.cpu_count(),
    }
    print(json.dumps(result, indent=2))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "hotspots.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


def measure_existing(runs: int) -> None:
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if not url:
        raise SystemExit("--existing needs BENCH_DATABASE_URL")
    setup_django(url)
    from django.db import connection, transaction

    load_before = load_average()
    with transaction.atomic():  # a user created for the bench is not left behind
        with connection.cursor() as cursor:
            counts = {}
            for table in ("cases_case", "sustainability_surveyround", "community_scoretally", "community_scoreledger"):
                cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (constant names)
                counts[table] = cursor.fetchone()[0]
        measured = measure(runs, officer_of_largest())
        transaction.set_rollback(True)
    result = {
        "database": "postgresql (existing)",
        **counts,
        **measured,
        "target_ms": 500,
        "load_average_1m": {"before": load_before, "after": load_average()},
        "cpus": os.cpu_count(),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

"""M&E benchmark: every standard indicator (monitoring/library.yaml) for one year × 4 quarters × each standard
disaggregation, computed by `monitoring.engine` as a submitted period's snapshot computes them (one grouped
query per indicator for the total and all its disaggregations), and for a few of them the same numbers from a
hand-written SQL GROUP BY, timed side by side. The numbers must be equal: the bench stops with an error when they
differ.

    .venv/bin/python bench/bench_monitoring.py                    # 100k cases, temporary SQLite
    BENCH_SIZES=10000 .venv/bin/python bench/bench_monitoring.py
    BENCH_PG=1 BENCH_SIZES=1000000 .venv/bin/python bench/bench_monitoring.py   # throw-away PostgreSQL 15
    BENCH_DATABASE_URL=postgres://... .venv/bin/python bench/bench_monitoring.py  # a database to wipe and use
    BENCH_REUSE=1 BENCH_DATABASE_URL=sqlite:////tmp/m.sqlite3 ...  # seed once, then measure on the same data
    BENCH_INDICATORS=follow-ups-per-case,follow-up-visits ...     # only these library indicators
    BENCH_PARTS=indicators ...     # only some parts: sql (against hand-written SQL), indicators, dashboard
    BENCH_DUMP=/tmp/values.json ...  # every indicator's values written there, to compare two engines
    BENCH_CONNECTIONS=1 ...        # the library's batches on one connection (default: the setting, 2)

For each size a fresh database is seeded with `reintegra seed`'s generator (cases with plans, follow-ups and
closures), then referrals, RSS rounds with scores (baseline, 6, 12 and 18 months: about 3.1 a case, as issue 12
asks 3 million at a million cases) and structural records (stakeholders, agreements, trainings) are added in
bulk (reintegra.testing.me_records). The year measured is the last full calendar year before the seed's `as_of`
day. Prints one JSON object per size (and writes
bench/results/monitoring.json): seed times, per-indicator seconds (all quarters, the total and every
disaggregation), the whole set's seconds, and for the indicators with hand-written SQL the
engine's and the SQL's median milliseconds and their ratio, and the programme dashboard's p50/p95 once its
four quarters are submitted (rendered from their snapshots).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

AS_OF = date(2026, 6, 30)
YEAR = AS_OF.year - 1
QUARTERS = [
    (date(YEAR, 1, 1), date(YEAR, 3, 31)),
    (date(YEAR, 4, 1), date(YEAR, 6, 30)),
    (date(YEAR, 7, 1), date(YEAR, 9, 30)),
    (date(YEAR, 10, 1), date(YEAR, 12, 31)),
]
PROGRAMME_START = date(AS_OF.year - 3, 1, 1)  # seeded returns fall in the three years up to AS_OF
RUNS = 3
REUSE = bool(os.environ.get("BENCH_REUSE"))
UNKNOWN = "unknown"
# To iterate on one change: only these indicators (codes, comma-separated) and these parts of the bench.
ONLY = {code.strip() for code in os.environ.get("BENCH_INDICATORS", "").split(",") if code.strip()}
# BENCH_DUMP=/tmp/values.json: every indicator's values written there (to compare two versions of the engine).
DUMP = os.environ.get("BENCH_DUMP", "")
# BENCH_CONNECTIONS=n: the whole library's batches on n connections at once (`engine.compute_many`); unset: the
# setting REINTEGRA_MONITORING_CONNECTIONS.
CONNECTIONS = int(os.environ["BENCH_CONNECTIONS"]) if os.environ.get("BENCH_CONNECTIONS") else None
PARTS = {part.strip() for part in os.environ.get("BENCH_PARTS", "sql,indicators,dashboard").split(",")}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# A call under this many milliseconds is timed this many times (a median of three 0.3 ms calls is noise).
QUICK_MS, QUICK_RUNS = 50.0, 21


def median_ms(function: Callable[[], Any], runs: int = RUNS) -> tuple[float, Any]:
    times, result = [], None
    while len(times) < runs:
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
        if len(times) == 1 and times[0] < QUICK_MS:
            runs = max(runs, QUICK_RUNS)
    return round(statistics.median(times), 2), result


# ---------------------------------------------------------------------------------------------------
# Seeding
# ---------------------------------------------------------------------------------------------------


def seed(size: int) -> dict[str, Any]:
    from django.core.management import call_command

    from reintegra.access.models import Programme
    from reintegra.access.roles import Role
    from reintegra.cases.models import Case
    from reintegra.demo import seeding, staff
    from reintegra.places.services import load_gazetteer
    from reintegra.testing import factories, me_records

    call_command("migrate", verbosity=0)
    if REUSE and Case.objects.exists():
        # BENCH_REUSE=1: the database given keeps its seed between runs (to measure a change on the same data).
        return {"cases": Case.objects.count(), "reused_seed": True}
    load_gazetteer()
    started = time.perf_counter()
    result = seeding.seed(size, seed=1, as_of=AS_OF)
    seeded = time.perf_counter() - started
    organisation = staff.default_organisations()[0]
    user = factories.user(organisation, Role.PROGRAMME_MANAGER, username="bench-monitoring")
    started = time.perf_counter()
    rows = [
        me_records.CaseRow(*row)
        for row in Case.objects.values_list("id", "programme_id", "organisation_id", "return_date").order_by("id")
    ]
    written = me_records.add_case_records(rows, user, seed=1)
    for programme in Programme.objects.all():
        me_records.add_structural_records(
            programme, seed=1, stakeholders=60, start=PROGRAMME_START, end=AS_OF, written=written
        )
    return {
        "cases": result.cases,
        "seed_cases_seconds": round(seeded, 1),
        "seed_other_records_seconds": round(time.perf_counter() - started, 1),
        "referrals": written.referrals,
        "rss_rounds": written.rounds,
        "stakeholders": written.stakeholders,
        "agreements": written.agreements,
        "trainings": written.trainings,
    }


# ---------------------------------------------------------------------------------------------------
# The engine
# ---------------------------------------------------------------------------------------------------


def periods_of(entry: dict[str, Any]) -> list[tuple[date, date]]:
    if entry["time_aggregation"] == "cumulative":
        return [(PROGRAMME_START, end) for _start, end in QUARTERS]
    return list(QUARTERS)


def engine_cells(entry: dict[str, Any], programme_ids: list[int], by: tuple[str, ...]) -> dict[tuple, tuple]:
    """{(quarter, bucket…): (numerator, denominator)} as the engine computes them."""
    from reintegra.monitoring import definition, engine

    parsed = definition.parse(entry["definition"], entry["measure"])
    values = engine.compute(parsed, entry["measure"], programme_ids=programme_ids, periods=periods_of(entry), by=by)
    cells = {}
    for index, value in enumerate(values):
        for buckets, cell in value.cells.items():
            cells[(index, *buckets)] = (cell.numerator, cell.denominator)
    return cells


def _cell(cell: Any) -> list[Any]:
    # Rounded as a snapshot stores them: floating sums may differ in the last bits with the order of addition.
    return [None if x is None else round(x, 9) for x in (cell.numerator, cell.denominator, cell.value)]


def every_indicator(programme_ids: list[int]) -> tuple[dict[str, Any], float]:
    """Each library indicator for the four quarters: the total and every standard disaggregation, as a
    snapshot computes them (`engine.compute_many`: the indicators reading the same rows of a population from
    one grouped query, a batch; each indicator's "seconds" is its batch's, `batch` names the batch's first)."""
    from reintegra.monitoring import definition, dimensions, engine, library

    timings: dict[str, Any] = {}
    dumped: dict[str, Any] = {}
    entries = [entry for entry in library.entries() if not ONLY or entry["code"] in ONLY]
    requests = []
    for entry in entries:
        parsed = definition.parse(entry["definition"], entry["measure"])
        keys = list(dimensions.available(parsed.population))
        requests.append(
            engine.request(
                parsed,
                entry["measure"],
                programme_ids=programme_ids,
                periods=periods_of(entry),
                sets=[(), *((key,) for key in keys)],
            )
        )
    seconds_of: dict[int, float] = {}

    def timed(batch: list[int], seconds: float) -> None:
        seconds_of[batch[0]] = round(seconds, 3)
        log(f"bench: {' + '.join(entries[i]['code'] for i in batch)}: {round(seconds, 3)} s")

    started_all = time.perf_counter()
    computed = engine.compute_many(requests, connections_at_once=CONNECTIONS, timed=timed)
    whole = round(time.perf_counter() - started_all, 2)
    for batch in engine.batches(requests):
        codes = [entries[i]["code"] for i in batch]
        for index in batch:
            entry, found = entries[index], computed[index]
            timings[entry["code"]] = {
                "population": requests[index].definition.population.key,
                "disaggregations": len(requests[index].sets) - 1,
                "cells": sum(len(values.cells) for each in found.values() for values in each),
                "seconds": seconds_of[batch[0]],
                "batch": codes[0],
            }
            if DUMP:
                dumped[entry["code"]] = {
                    "/".join(s): [
                        [_cell(v.total), sorted(["|".join(b), *_cell(c)] for b, c in v.cells.items())] for v in each
                    ]
                    for s, each in found.items()
                }
    if DUMP:
        Path(DUMP).write_text(json.dumps(dumped, indent=0, sort_keys=True))
    return timings, whole


# ---------------------------------------------------------------------------------------------------
# Hand-written SQL
# ---------------------------------------------------------------------------------------------------


def _quarter_case(column: str) -> tuple[str, list[Any]]:
    whens, params = [], []
    for index, (start, end) in enumerate(QUARTERS):
        whens.append(f"WHEN {column} BETWEEN %s AND %s THEN {index}")
        params += [start, end]
    return f"CASE {' '.join(whens)} ELSE -1 END", params


def _in(ids: list[int]) -> str:
    return ", ".join(str(int(i)) for i in ids)


def _fetch(sql: str, params: list[Any]) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _bucket(value: Any) -> str:
    return UNKNOWN if value is None else str(value)


def sql_returnees_by_sex(programme_ids: list[int]) -> dict[tuple, tuple]:
    """returnees-registered by sex: distinct people per quarter (sex is the person's, whichever case)."""
    quarter, params = _quarter_case("c.return_date")
    # The SQL is built from constants and integer ids; the dates are parameters.
    rows = _fetch(
        f"""SELECT q, sex, COUNT(DISTINCT returnee_id) FROM (
                SELECT {quarter} AS q, r.sex AS sex, c.returnee_id AS returnee_id
                FROM cases_case c JOIN cases_returnee r ON r.id = c.returnee_id
                WHERE c.programme_id IN ({_in(programme_ids)})
            ) t WHERE q >= 0 GROUP BY q, sex""",  # noqa: S608
        params,
    )
    return {(q, _bucket(sex)): (float(n), None) for q, sex, n in rows}


def sql_plan_within_30_days_by_return_type(programme_ids: list[int]) -> dict[tuple, tuple]:
    """plan-within-30-days by return type: cases returned in the quarter, and those with a plan agreed within
    30 days of the return."""
    from django.db import connection

    quarter, params = _quarter_case("c.return_date")
    if connection.vendor == "postgresql":
        days = "(p.agreed_on - c.return_date)"
    else:
        days = "(julianday(p.agreed_on) - julianday(c.return_date))"
    # The SQL is built from constants and integer ids; the dates are parameters.
    rows = _fetch(
        f"""SELECT q, return_type, SUM(within), COUNT(*) FROM (
                SELECT {quarter} AS q, c.return_type AS return_type,
                       CASE WHEN p.agreed_on IS NOT NULL AND {days} <= 30 THEN 1 ELSE 0 END AS within
                FROM cases_case c LEFT JOIN cases_reintegrationplan p ON p.case_id = c.id
                WHERE c.programme_id IN ({_in(programme_ids)})
            ) t WHERE q >= 0 GROUP BY q, return_type""",  # noqa: S608
        params,
    )
    return {(q, _bucket(kind)): (float(n), float(d)) for q, kind, n, d in rows}


def sql_visits_by_adm1(programme_ids: list[int]) -> dict[tuple, tuple]:
    """follow-up-visits by state/department of the returnee's municipality."""
    quarter, params = _quarter_case("v.visited_on")
    # The SQL is built from constants and integer ids; the dates are parameters.
    rows = _fetch(
        f"""SELECT q, adm1, COUNT(*) FROM (
                SELECT {quarter} AS q, m.parent_id AS adm1
                FROM cases_followupvisit v JOIN cases_case c ON c.id = v.case_id
                JOIN cases_returnee r ON r.id = c.returnee_id
                LEFT JOIN places_adminarea m ON m.id = r.municipality_id
                WHERE c.programme_id IN ({_in(programme_ids)})
            ) t WHERE q >= 0 GROUP BY q, adm1""",  # noqa: S608
        params,
    )
    return {(q, _bucket(adm1)): (float(n), None) for q, adm1, n in rows}


def sql_people_trained_by_programme(programme_ids: list[int]) -> dict[tuple, tuple]:
    """people-trained by programme: the participants of the trainings held in the quarter."""
    quarter, params = _quarter_case("t.held_on")
    # The SQL is built from constants and integer ids; the dates are parameters.
    rows = _fetch(
        f"""SELECT q, programme_id, SUM(participants) FROM (
                SELECT {quarter} AS q, t.programme_id AS programme_id, t.participants AS participants
                FROM structural_training t WHERE t.programme_id IN ({_in(programme_ids)})
            ) s WHERE q >= 0 GROUP BY q, programme_id""",  # noqa: S608
        params,
    )
    return {(q, _bucket(programme)): (float(n), None) for q, programme, n in rows}


HAND_WRITTEN = [
    ("returnees-registered", "sex", sql_returnees_by_sex),
    ("plan-within-30-days", "return_type", sql_plan_within_30_days_by_return_type),
    ("follow-up-visits", "adm1", sql_visits_by_adm1),
    ("people-trained", "programme", sql_people_trained_by_programme),
]


def against_sql(programme_ids: list[int]) -> dict[str, Any]:
    from reintegra.monitoring import library

    entries = {entry["code"]: entry for entry in library.entries()}
    compared = {}
    for code, key, sql in HAND_WRITTEN:
        if ONLY and code not in ONLY:
            continue
        engine_ms, by_engine = median_ms(lambda code=code, key=key: engine_cells(entries[code], programme_ids, (key,)))
        sql_ms, by_sql = median_ms(lambda sql=sql: sql(programme_ids))
        by_engine = {k: v for k, v in by_engine.items() if v[0] or v[1]}
        by_sql = {k: v for k, v in by_sql.items() if v[0] or v[1]}
        if by_engine != by_sql:
            differing = sorted(set(by_engine.items()) ^ set(by_sql.items()))[:10]
            raise SystemExit(f"bench: {code} by {key}: the engine and the SQL disagree: {differing}")
        compared[f"{code} by {key}"] = {
            "cells": len(by_engine),
            "engine_ms": engine_ms,
            "sql_ms": sql_ms,
            "ratio": round(engine_ms / sql_ms, 2) if sql_ms else None,
        }
        log(f"bench: {code} by {key}: engine {engine_ms} ms, SQL {sql_ms} ms, equal")
    return compared


# ---------------------------------------------------------------------------------------------------
# The programme dashboard, from snapshots
# ---------------------------------------------------------------------------------------------------

DASHBOARD_REQUESTS = 50


def _framework_with_submitted_quarters(programme: Any, user: Any) -> float:
    """The programme's framework with every library indicator and the year's four quarters submitted (their
    snapshots written); the seconds the submissions took (0 when a reused database has them already)."""
    from reintegra.monitoring import choices, services
    from reintegra.monitoring.models import ReportingPeriod, ResultsFramework, StandardIndicator

    if ReportingPeriod.objects.filter(programme=programme, status=choices.PeriodStatus.SUBMITTED).count() >= 4:
        return 0.0
    framework = ResultsFramework.objects.filter(programme=programme).first()
    if framework is None:
        framework = services.create_framework(user, programme)
    node = services.add_node(user, framework, services.NodeInput(kind=choices.NodeKind.IMPACT, title="Bench"))
    for standard in StandardIndicator.objects.order_by("pk"):
        services.adopt_standard(user, framework, standard=standard.pk, node=node.pk)
    periods = services.create_quarters(user, programme, YEAR)
    started = time.perf_counter()
    for period in periods:
        services.submit_period(user, period)
    return time.perf_counter() - started


def dashboard_from_snapshots() -> dict[str, Any]:
    """The programme dashboard page (tiles, trends, a disaggregation) of a programme with four submitted
    quarters, rendered DASHBOARD_REQUESTS times through the test client after a first one: p50 and p95 milliseconds."""
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from reintegra.access.models import Programme, User

    user = User.objects.get(username="bench-monitoring")
    programme = Programme.objects.filter(organisation=user.organisation).order_by("pk").first()
    submitting = _framework_with_submitted_quarters(programme, user)
    client = Client(HTTP_HOST=next((h for h in settings.ALLOWED_HOSTS if "*" not in h), "localhost"))
    client.force_login(user)
    url = reverse("monitoring:dashboard", args=[programme.pk])
    started = time.perf_counter()
    client.get(url)  # the first request loads templates and translations
    first = (time.perf_counter() - started) * 1000
    times = []
    for _ in range(DASHBOARD_REQUESTS):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"bench: the dashboard answered {response.status_code}")
    cut = statistics.quantiles(times, n=20)
    result = {
        "requests": DASHBOARD_REQUESTS,
        "submit_four_quarters_seconds": round(submitting, 1),
        "first_request_ms": round(first, 1),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(cut[18], 1),
    }
    log(f"bench: dashboard from snapshots: p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms")
    return result


# ---------------------------------------------------------------------------------------------------
# One size, in its own process (a fresh database each)
# ---------------------------------------------------------------------------------------------------


def one_size(size: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection

    from reintegra.access.models import Programme

    seeded = seed(size)
    load_before = os.getloadavg()
    programme_ids = list(Programme.objects.values_list("pk", flat=True))
    compared = against_sql(programme_ids) if "sql" in PARTS else {}
    timings, total = every_indicator(programme_ids) if "indicators" in PARTS else ({}, 0.0)
    dashboard = dashboard_from_snapshots() if "dashboard" in PARTS else {}
    return {
        "database": connection.vendor,
        **seeded,
        "year": YEAR,
        "periods": len(QUARTERS),
        "indicators": len(timings),
        "all_indicators_seconds": total,
        "per_indicator": timings,
        "against_hand_written_sql": compared,
        "dashboard_from_snapshots": dashboard,
        # Other processes on the machine slow every figure: the 1-minute load average before and after.
        "load_average": [round(load_before[0], 1), round(os.getloadavg()[0], 1)],
    }


def database_urls() -> Any:
    """(url, wipe) for each size: BENCH_DATABASE_URL, a throw-away PostgreSQL (BENCH_PG=1), or SQLite files."""
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if url:
        return lambda: (url, True), None
    if os.environ.get("BENCH_PG"):
        from bench_duplicates_pg import database

        context = database()
        pg_url, _external = context.__enter__()
        return lambda: (pg_url, True), context
    return lambda: (f"sqlite:///{tempfile.mkstemp(suffix='.sqlite3')[1]}", False), None


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--size":
        print(json.dumps(one_size(int(sys.argv[2]))))
        return
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "100000").split(",") if s.strip()]
    next_url, context = database_urls()
    results = []
    try:
        for size in sizes:
            url, wipe = next_url()
            env = {
                **os.environ,
                "DATABASE_URL": url,
                "DJANGO_SETTINGS_MODULE": "reintegra.settings",
                "REINTEGRA_DEBUG": "0",
                "PYTHONPATH": str(ROOT / "src"),
            }
            if wipe and not REUSE:
                subprocess.run(
                    [sys.executable, "-m", "reintegra", "flush", "--no-input"],
                    env=env,
                    check=False,
                    capture_output=True,
                )
            out = subprocess.run(
                [sys.executable, __file__, "--size", str(size)], env=env, check=True, stdout=subprocess.PIPE, text=True
            )
            result = json.loads(out.stdout.strip().splitlines()[-1])
            print(json.dumps(result, indent=2), flush=True)
            results.append(result)
            if url.startswith("sqlite:///") and not REUSE:
                Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    finally:
        if context is not None:
            context.__exit__(None, None, None)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "monitoring.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

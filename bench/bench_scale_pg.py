"""National scale on PostgreSQL: seed a million cases, then time what a supervisor does all day.

    .venv/bin/python bench/bench_scale_pg.py                         # 1,000,000 cases, throw-away PostgreSQL 15
    BENCH_CASES=100000 .venv/bin/python bench/bench_scale_pg.py
    BENCH_DATABASE_URL=postgres://... .venv/bin/python bench/bench_scale_pg.py   # a database to wipe and use
    BENCH_REUSE=1 BENCH_DATABASE_URL=postgres://... ...              # keep a seeded database, measure again
    BENCH_REUSE=1 BENCH_ROLLBACK=1 BENCH_DATABASE_URL=postgres://...   # a shared database: nothing written stays

1. Seed: `reintegra seed --cases N` (COPY on PostgreSQL) in its own process: wall time, cases/s, rows/s and the
   peak resident memory of the largest seed process (the writer or one of its generating workers, from the
   kernel's accounting of waited-for children); then VACUUM ANALYZE (what autovacuum would do after a load).
2. Measure, in a second process (in-process WSGI through every middleware, no network), as a supervisor who
   sees the largest organisation: case search through the API; the case list (HTML) first page, a middle page
   and the last page it offers; the API case list first and a deep page; the case page; the supervisor's home.
   Each as p50/p95 next to the raw SQL of the same request (its statements captured, then re-executed with a
   cursor), with the number of statements and the measuring process's CPU per request (p50).

What the measuring writes: the bench supervisor and its role (created once, `get_or_create`), an API token,
the web client's session and the user's last login, the token's `last_used_at`, and whatever a request writes
(sessions refreshed). With BENCH_ROLLBACK=1 all of it is written inside one transaction that is rolled back at
the end (the requests' own atomic blocks become savepoints): use it on a database other people read (`integ1m`).

Prints one JSON object (also written to bench/results/scale_pg.json). The server runs with fsync off (as the
other benches': a throw-away cluster); the load average is reported next to the figures.
"""

from __future__ import annotations

import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT / "bench"))
CASES = int(os.environ.get("BENCH_CASES", "1000000"))
REUSE = bool(os.environ.get("BENCH_REUSE"))
ROLLBACK = bool(os.environ.get("BENCH_ROLLBACK"))
# BENCH_ONLY=search,api_case_list: only the series whose name contains one of these words.
ONLY = [word for word in os.environ.get("BENCH_ONLY", "").split(",") if word]
RUNS = int(os.environ.get("BENCH_RUNS", "20"))


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))], 2)


def summary(api: list[float], sql: list[float], statements: list[int], cpu: list[float]) -> dict[str, Any]:
    api_p50, sql_p50 = statistics.median(api), statistics.median(sql)
    return {
        "p50_ms": round(api_p50, 2),
        "p95_ms": percentile(api, 0.95),
        # The web process's own CPU per request (`time.process_time`: not the database's, not waiting): what the
        # request costs besides its SQL, less sensitive to other processes' load than the wall time.
        "cpu_p50_ms": round(statistics.median(cpu), 2),
        "sql_p50_ms": round(sql_p50, 2),
        "sql_p95_ms": percentile(sql, 0.95),
        "over_sql_p50": round(api_p50 / sql_p50, 2) if sql_p50 else None,
        "statements_max": max(statements),
        "runs": len(api),
    }


# ---------------------------------------------------------------------------------------------------
# Seeding (parent process)
# ---------------------------------------------------------------------------------------------------


def django_env(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "reintegra.settings",
        "REINTEGRA_DEBUG": "0",
        "REINTEGRA_DUPLICATE_CHECKS_PER_MINUTE": "100000000",
        "PYTHONPATH": str(ROOT / "src"),
    }


def count_cases(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        try:
            return int(conn.execute("SELECT count(*) FROM cases_case").fetchone()[0])  # type: ignore[index]
        except psycopg.errors.UndefinedTable:
            return 0


def seed(url: str) -> dict[str, Any]:
    from bench_duplicates_pg import wipe_and_migrate

    env = django_env(url)
    if ROLLBACK and not REUSE:
        raise SystemExit("BENCH_ROLLBACK measures a database as it is: set BENCH_REUSE=1 as well")
    if REUSE:
        # Never wipe a database the caller asked to keep, even one still being seeded (fewer cases than CASES).
        return {"reused_seed": True, "cases": count_cases(url)}
    wipe_and_migrate(url)
    reintegra = [sys.executable, "-m", "reintegra"]
    log(f"bench: seeding {CASES} cases")
    load_before = os.getloadavg()
    started = time.perf_counter()
    done = subprocess.run(
        [*reintegra, "seed", "--cases", str(CASES), "--seed", "1", "--no-progress", "--verbosity", "2"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    load_after = os.getloadavg()
    rows = sum(int(line.rsplit(":", 1)[1]) for line in done.stdout.splitlines() if line.startswith("  "))
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]  # type: ignore[index]
    return {
        "cases": CASES,
        "seed_seconds": round(seconds, 1),
        "seed_cases_per_second": round(CASES / seconds),
        "seed_rows": rows,
        "seed_rows_per_second": round(rows / seconds),
        "seed_peak_rss_mb": round(peak_kb / 1024),
        "seed_load_average_before_after": [round(load_before[0], 2), round(load_after[0], 2)],
        "vacuum_analyze_seconds": round(time.perf_counter() - started, 1),
        "database_size_mb": round(size / 2**20),
    }


# ---------------------------------------------------------------------------------------------------
# Measuring (child process, Django set up)
# ---------------------------------------------------------------------------------------------------


def timed(client: Any, path: str, params: dict[str, Any] | None = None) -> tuple[float, float, int, Any, float]:
    """One request's milliseconds, the milliseconds of its SQL statements re-executed raw, their number, the
    response, and the milliseconds of this process's CPU the request took."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        start, cpu = time.perf_counter(), time.process_time()
        response = client.get(path, params or {})
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        ms = (time.perf_counter() - start) * 1000
        cpu_ms = (time.process_time() - cpu) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{path} {params}: {response.status_code} {response.content[:300]!r}")
    statements = [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))]
    start = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
            cursor.fetchall()
    return ms, (time.perf_counter() - start) * 1000, len(ctx.captured_queries), response, cpu_ms


def series(client: Any, requests: list[tuple[str, dict[str, Any]]], before: Any = None) -> dict[str, Any]:
    """`before()` runs ahead of each request, untimed (e.g. emptying the cache to time the counting itself)."""
    for path, params in requests[:3]:
        timed(client, path, params)  # warm-up: plans, caches
    api: list[float] = []
    sql: list[float] = []
    statements: list[int] = []
    cpu: list[float] = []
    for path, params in requests:
        if before is not None:
            before()
        ms, sql_ms, count, _response, cpu_ms = timed(client, path, params)
        api.append(ms)
        sql.append(sql_ms)
        statements.append(count)
        cpu.append(cpu_ms)
    return summary(api, sql, statements, cpu)


def measure() -> dict[str, Any]:
    import django

    django.setup()
    from django.db import transaction

    if not ROLLBACK:
        return measured()
    with transaction.atomic():
        figures = measured()
        transaction.set_rollback(True)  # the user, token, session and every request's writes: nothing stays
    return {**figures, "rolled_back": True}


def measured() -> dict[str, Any]:
    from django.core.cache import cache
    from django.db.models import Count
    from django.test import Client

    from reintegra.access import api_tokens
    from reintegra.access.models import RoleAssignment, User
    from reintegra.cases.models import Case, Returnee

    biggest = Case.objects.values("organisation_id").annotate(n=Count("id")).order_by("-n").first()
    assert biggest is not None, "no case seeded"
    organisation_id, visible = biggest["organisation_id"], biggest["n"]
    user, _ = User.objects.get_or_create(
        username="bench-scale-supervisor", defaults={"organisation_id": organisation_id}
    )
    RoleAssignment.objects.get_or_create(user=user, role="supervisor")
    _token, secret = api_tokens.issue(user, name="bench", second_factor=True)
    api = Client(HTTP_AUTHORIZATION=f"Token {secret}")
    web = Client()
    web.force_login(user)
    rng = random.Random(7)

    people = list(
        Returnee.objects.filter(organisation_id=organisation_id)
        .order_by("id")
        .values_list("given_names", "first_family_name")[:20000]
    )
    sample = rng.sample(people, RUNS * 2)
    terms = [p[1] for p in sample[:RUNS]] + [f"{p[0].split()[0]} {p[1]}" for p in sample[RUNS:]]
    # The most frequent surname of the organisation's first 20,000 people: the search the token walk is for.
    surnames: dict[str, int] = {}
    for _given, surname in people:
        surnames[surname] = surnames.get(surname, 0) + 1
    common = max(surnames, key=lambda name: surnames[name])
    case_ids = list(Case.objects.filter(organisation_id=organisation_id).values_list("id", flat=True)[:50000])

    from django.test import RequestFactory

    from reintegra.cases import selectors
    from reintegra.cases.views import PAGE_SIZE
    from reintegra.web import pagination
    from reintegra.web.pagination import COUNT_LIMIT

    listed = selectors.search_cases(user, selectors.CaseFilters())
    last_page = pagination.page_of_ids(RequestFactory().get("/casos/"), listed, PAGE_SIZE)[0].paginator.num_pages
    # The API counts up to 10,000 results (api.pagination): its last page of 25 is the 400th; beyond, 404.
    deep_api_page = min(COUNT_LIMIT // 25, -(-visible // 25))
    beyond = api.get("/api/v1/cases/", {"page": 4000})
    timed_series: dict[str, Any] = {
        "search_api": lambda: series(api, [("/api/v1/cases/", {"search": term}) for term in terms]),
        "search_api_surname": lambda: series(api, [("/api/v1/cases/", {"search": term}) for term in terms[:RUNS]]),
        "search_api_full_name": lambda: series(api, [("/api/v1/cases/", {"search": term}) for term in terms[RUNS:]]),
        # (The surname itself is not printed: bench output is no place for names, even synthetic ones.)
        "search_api_common_surname": lambda: series(api, [("/api/v1/cases/", {"search": common})] * RUNS),
        "search_api_common_surname_found": lambda: api.get("/api/v1/cases/", {"search": common}).json()["count"],
        "case_list_first_page": lambda: series(web, [("/casos/", {})] * RUNS),
        "case_list_middle_page": lambda: series(web, [("/casos/", {"page": max(1, last_page // 2)})] * RUNS),
        "case_list_last_page": lambda: series(web, [("/casos/", {"page": last_page})] * RUNS),
        "case_list_filtered_first_page": lambda: series(web, [("/casos/", {"status": "follow_up"})] * RUNS),
        "api_case_list_first_page": lambda: series(api, [("/api/v1/cases/", {})] * RUNS),
        # The last page offered (400: the 10,000th result); page 4000, which the review measured, answers 404.
        "api_case_list_deep_page": lambda: series(api, [("/api/v1/cases/", {"page": deep_api_page})] * RUNS),
        "api_case_list_deep_page_number": lambda: deep_api_page,
        "api_case_list_page_4000": lambda: [beyond.status_code, beyond.json().get("code")],
        "case_page": lambda: series(web, [(f"/casos/{pk}/", {}) for pk in rng.sample(case_ids, RUNS)]),
        # The organisation's counts are kept a minute (cases.selectors.organisation_board): the home as most
        # visits find it, and as the first visit of each minute does (the cache emptied before each request).
        "supervisor_home": lambda: series(web, [("/", {})] * RUNS),
        "supervisor_home_counting": lambda: series(web, [("/", {})] * RUNS, before=cache.clear),
    }
    figures: dict[str, Any] = {"cases_visible_to_the_supervisor": visible, "case_list_pages_offered": last_page}
    for name, run in timed_series.items():
        if not ONLY or any(word in name for word in ONLY):
            figures[name] = run()
    figures["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return figures


def main() -> None:
    if sys.argv[1:] == ["--measure"]:
        print(json.dumps(measure()))
        return
    from bench_duplicates_pg import database

    with database() as (url, _external):
        result: dict[str, Any] = {"benchmark": "a million cases on PostgreSQL", **seed(url)}
        log(json.dumps(result))
        out = subprocess.run(
            [sys.executable, __file__, "--measure"], env=django_env(url), check=True, stdout=subprocess.PIPE, text=True
        )
        result.update(json.loads(out.stdout.strip().splitlines()[-1]))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "scale_pg.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

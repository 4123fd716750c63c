"""`make bench`: performance figures as JSON (stdout and bench/results/bench.json).

For each size (10k and 100k cases by default) a fresh database is seeded with `reintegra seed`, then:
- case search through the API (`GET /api/v1/cases/?search=…`, full middleware/auth/serializer stack,
  in-process WSGI, no network) as a supervisor who sees the whole organisation — p50/p95;
- the raw SQL of those same requests (captured, then re-executed with a cursor) — p50/p95, and the ratio
  API/SQL (goal ≤ 2×);
- the duplicate check (`POST /api/v1/returnees/duplicates/`) with perturbed names of seeded people (the
  per-user limit of checks a minute is lifted for the bench).
Database: a temporary SQLite file, or BENCH_DATABASE_URL (e.g. a PostgreSQL database to wipe and use).
Sizes: BENCH_SIZES=10000,100000.
Optionally, BENCH_DUPLICATES_PEOPLE=1000000 also runs bench/bench_duplicates_pg.py (the duplicate check
against that many people on PostgreSQL, BENCH_DATABASE_URL or a throw-away PostgreSQL 15) and adds its
figures as "duplicates_pg".
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return round(ordered[index], 3)


def prepare(database_url: str, cases: int) -> float:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "reintegra.settings"}
    reintegra = [sys.executable, "-m", "reintegra"]
    if database_url.startswith("postgres"):
        subprocess.run([*reintegra, "flush", "--no-input"], env=env, check=False, capture_output=True)
    subprocess.run([*reintegra, "migrate", "--verbosity", "0"], env=env, check=True)
    started = time.perf_counter()
    subprocess.run(
        [*reintegra, "seed", "--cases", str(cases), "--seed", "1"], env=env, check=True, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - started


def measure(database_url: str, cases: int, seed_seconds: float) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "reintegra.settings",
        "REINTEGRA_DEBUG": "0",
        "REINTEGRA_DUPLICATE_CHECKS_PER_MINUTE": "100000000",
        "PYTHONPATH": str(ROOT / "src"),
    }
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "measure_search.py")], env=env, check=True, capture_output=True, text=True
    )
    raw = json.loads(out.stdout.strip().splitlines()[-1])
    api_p50, sql_p50 = statistics.median(raw["api_ms"]), statistics.median(raw["sql_ms"])
    return {
        "cases": cases,
        "database": "postgresql" if database_url.startswith("postgres") else "sqlite",
        "seed_seconds": round(seed_seconds, 1),
        "search_queries": len(raw["api_ms"]),
        "search_api_p50_ms": round(api_p50, 2),
        "search_api_p95_ms": percentile(raw["api_ms"], 0.95),
        "search_sql_p50_ms": round(sql_p50, 2),
        "search_sql_p95_ms": percentile(raw["sql_ms"], 0.95),
        "search_api_over_sql_p50": round(api_p50 / sql_p50, 2) if sql_p50 else None,
        "search_median_hits": statistics.median(raw["hits"]),
        # Name searches that find the person the term was made from (a surname, a given name and a
        # surname, a prefix typed without accents).
        "search_found_share": round(raw["search_found"] / raw["search_name_queries"], 3),
        "duplicate_check_p50_ms": round(statistics.median(raw["dup_ms"]), 2),
        "duplicate_check_p95_ms": percentile(raw["dup_ms"], 0.95),
        "duplicate_check_found_share": round(raw["dup_found"] / raw["dup_queries"], 3),
    }


def main() -> None:
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "10000,100000").split(",")]
    base_url = os.environ.get("BENCH_DATABASE_URL", "")
    figures = []
    for cases in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            url = base_url or f"sqlite:///{tmp}/bench-{cases}.sqlite3"
            seconds = prepare(url, cases)
            figures.append(measure(url, cases, seconds))
            print(json.dumps(figures[-1]), file=sys.stderr)
    result: dict = {"benchmark": "case search and duplicate check", "runs": figures}
    people = os.environ.get("BENCH_DUPLICATES_PEOPLE", "")
    if people:
        out = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "bench_duplicates_pg.py"), "--people", people],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        result["duplicates_pg"] = json.loads(out.stdout.strip().splitlines()[-1])
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "bench.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

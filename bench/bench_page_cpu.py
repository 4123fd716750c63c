"""The server's own CPU per request, by kind of request, in one process (no gunicorn, no network, no load generator).

`bench_load.py` measures the whole stack under concurrent users; on two cores its throughput is bounded by the
CPU each request costs the web process. This bench isolates that cost: it signs a supervisor in, then requests
each kind of page the load's users request (case list, surname search, case page, API list, search and case,
home) many times through Django's request handler with the production settings (DEBUG off), and reports per kind
the median wall time and the process CPU time per request (`time.process_time`: this process only), plus the
statements per request. On a PostgreSQL server of this machine it also reports the CPU its backend (this
connection's server process, read from /proc) spent per request: planning and running the statements.

    DATABASE_URL=postgres://... REINTEGRA_HOME=/tmp/x .venv/bin/python bench/bench_page_cpu.py   # a seeded database
    BENCH_PAGE_RUNS=50 BENCH_PAGE_PROFILE=case_list .venv/bin/python bench/bench_page_cpu.py     # + cProfile, top 40

It writes one account (`bench-page-cpu`, supervisor of the organisation with most cases) and the access trail of
the requests it makes, like any user would.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reintegra.settings")
os.environ.setdefault("REINTEGRA_DEBUG", "0")
RUNS = int(os.environ.get("BENCH_PAGE_RUNS", "40"))
PROFILE = os.environ.get("BENCH_PAGE_PROFILE", "")


def main() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, reset_queries
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from reintegra.access import api_tokens
    from reintegra.access.models import RoleAssignment, User
    from reintegra.cases.models import Case, Returnee

    biggest = Case.objects.values("organisation_id").annotate(n=Count("id")).order_by("-n").first()
    assert biggest is not None, "no case seeded: run `reintegra seed --cases N` first"
    user, _ = User.objects.update_or_create(
        username="bench-page-cpu", defaults={"organisation_id": biggest["organisation_id"]}
    )
    RoleAssignment.objects.get_or_create(user=user, role="supervisor")
    _token, secret = api_tokens.issue(User.objects.get(pk=user.pk), name="bench-page-cpu", second_factor=True)
    rng = random.Random(19)
    cases = Case.objects.filter(organisation_id=biggest["organisation_id"])
    case_ids = list(cases.order_by("id").values_list("id", flat=True)[:: max(1, biggest["n"] // 500)])
    people = Returnee.objects.filter(organisation_id=biggest["organisation_id"]).order_by("id")[:300]
    surnames = sorted({p.first_family_name for p in people if p.first_family_name})
    pages = max(1, min(20, biggest["n"] // 25))

    client = Client(SERVER_NAME="127.0.0.1", HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(user)
    api = {"HTTP_AUTHORIZATION": f"Token {secret}"}
    kinds: dict[str, Any] = {
        "case_list": lambda: client.get(f"/casos/?page={rng.randint(1, pages)}"),
        "case_search": lambda: client.get("/casos/", {"q": rng.choice(surnames)}),
        "case_page": lambda: client.get(f"/casos/{rng.choice(case_ids)}/"),
        "api_case_list": lambda: client.get(f"/api/v1/cases/?page={rng.randint(1, pages)}", **api),
        "api_case_search": lambda: client.get("/api/v1/cases/", {"search": rng.choice(surnames)}, **api),
        "api_case": lambda: client.get(f"/api/v1/cases/{rng.choice(case_ids)}/", **api),
        "home": lambda: client.get("/"),
    }
    results: dict[str, Any] = {}
    for kind, request in kinds.items():
        for _ in range(3):  # warm: templates compiled, caches filled, the first minute's counts cached
            response = request()
            assert response.status_code == 200, (kind, response.status_code)
        walls, cpus, statements = [], [], []
        database_cpu = _backend_cpu(connection)
        profiler = cProfile.Profile(time.process_time) if kind == PROFILE else None  # CPU only: not the waits
        for _ in range(RUNS):
            reset_queries()
            with CaptureQueriesContext(connection) as queries:
                wall, cpu = time.perf_counter(), time.process_time()
                if profiler:
                    profiler.enable()
                response = request()
                if profiler:
                    profiler.disable()
                cpus.append((time.process_time() - cpu) * 1000)
                walls.append((time.perf_counter() - wall) * 1000)
            assert response.status_code == 200, (kind, response.status_code)
            statements.append(len(queries.captured_queries))
        results[kind] = {
            "wall_p50_ms": round(statistics.median(walls), 2),
            "cpu_p50_ms": round(statistics.median(cpus), 2),
            "cpu_mean_ms": round(statistics.fmean(cpus), 2),
            "statements_max": max(statements),
        }
        if database_cpu is not None:
            spent = _backend_cpu(connection)
            if spent is not None:
                results[kind]["database_backend_cpu_mean_ms"] = round((spent - database_cpu) / RUNS * 1000, 2)
        if profiler:
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out).sort_stats(os.environ.get("BENCH_PAGE_SORT", "cumulative"))
            stats.print_stats(int(os.environ.get("BENCH_PAGE_TOP", "40")))
            print(out.getvalue(), file=sys.stderr)
    mean_cpu = statistics.fmean(r["cpu_mean_ms"] for r in results.values())
    print(
        json.dumps(
            {
                "benchmark": "server CPU per request, by kind (one process, production settings)",
                "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
                "organisation_cases": biggest["n"],
                "runs_per_kind": RUNS,
                "kinds": results,
                "mean_cpu_ms_over_kinds": round(mean_cpu, 2),
                "load_average": [round(x, 2) for x in os.getloadavg()],
            },
            indent=2,
        )
    )


def _backend_cpu(connection: Any) -> float | None:
    """CPU seconds (user + system) of this connection's PostgreSQL backend so far; None elsewhere (SQLite, or a
    server on another machine, whose process this one cannot see)."""
    if connection.vendor != "postgresql":
        return None
    connection.ensure_connection()
    stat = Path(f"/proc/{connection.connection.info.backend_pid}/stat")
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()

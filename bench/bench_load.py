"""Concurrent users against the production stack: `reintegra serve` (gunicorn, its default worker count) on
PostgreSQL at 50 and 200 users, and on the embedded SQLite at 20, each for two minutes, driven by locust
(`bench/load_locustfile.py`: sign in, case list, surname search, case page, API list and case, home, and a write).

    .tools/bin/uv sync --group load            # locust is in its own dependency group (not needed by the tests)
    .venv/bin/python bench/bench_load.py                                  # both parts, throw-away PostgreSQL 15
    BENCH_LOAD_PARTS=sqlite BENCH_LOAD_SECONDS=30 .venv/bin/python bench/bench_load.py
    BENCH_DATABASE_URL=postgres://... .venv/bin/python bench/bench_load.py   # a PostgreSQL database to wipe and use

Settings (environment): BENCH_LOAD_CASES (PostgreSQL seed, default 30,000), BENCH_LOAD_SQLITE_CASES (5,000),
BENCH_LOAD_USERS (PostgreSQL user counts, "50,200"), BENCH_LOAD_SQLITE_USERS (20), BENCH_LOAD_SECONDS (120, the
counted window), BENCH_LOAD_SPAWN_RATE (users arriving a second, 2), BENCH_LOAD_PARTS ("pg,sqlite").

Everything stays on loopback. The load generator runs at lower priority (`nice -n 10`) on the same two cores as
the server and the database, so the figures are those of a machine that also generates its own load; the
1-minute load average before and after each run is reported with them. The users arrive at BENCH_LOAD_SPAWN_RATE
a second (default 2: 200 users over 100 s), each signing in first (Argon2 as Django sets it: about a quarter of a
CPU second per sign-in, its eight lanes on both cores); the figures are counted over the BENCH_LOAD_SECONDS after
the last one arrived (locust's --reset-stats), when every user is signed in and working. A sign-in storm (every
user within ten seconds: BENCH_LOAD_SPAWN_RATE=20 at 200 users) is a different question, the morning's rush
rather than the day's load; the spawn rate is in the output. Goals (issue 19, 2 cores): no errors at any size;
p95 ≤ 300 ms at 50 users and ≤ 1 s at 200.

Prints one JSON object and writes bench/results/load.json: per run the requests, failures (with the first
messages), requests/s, p50/p95/p99 overall and per kind of request, the server's logged tracebacks, and where the
cores went: CPU seconds of the web server (gunicorn's master and workers), of PostgreSQL (every `postgres` process
on the machine) and of the load generator, over the whole run and over the counted window alone (from the
moment the last user should have arrived), with the server's CPU milliseconds per counted request.
"""

from __future__ import annotations

import csv
import json
import math
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT / "bench"))
PG_CASES = int(os.environ.get("BENCH_LOAD_CASES", "30000"))
SQLITE_CASES = int(os.environ.get("BENCH_LOAD_SQLITE_CASES", "5000"))
PG_USERS = [int(n) for n in os.environ.get("BENCH_LOAD_USERS", "50,200").split(",") if n.strip()]
SQLITE_USERS = int(os.environ.get("BENCH_LOAD_SQLITE_USERS", "20"))
SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "120"))
SPAWN_RATE = float(os.environ.get("BENCH_LOAD_SPAWN_RATE", "2"))
PARTS = {p.strip() for p in os.environ.get("BENCH_LOAD_PARTS", "pg,sqlite").split(",")}
PASSWORD = "load-bench-password-1"  # noqa: S105 - synthetic accounts of a throw-away database


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


# --- where the cores went: CPU seconds per kind of process (Linux /proc) ------------------------------------------


def cpu_by_kind(server_pid: int) -> dict[str, float]:
    """CPU seconds so far of the web server (its master and workers) and of every PostgreSQL process on the
    machine (a shared cluster's other clients included: say so when reading it)."""
    from proc_stat import processes as running

    processes = running()
    children: dict[int, list[int]] = {}
    for pid, (_name, parent, _cpu) in processes.items():
        children.setdefault(parent, []).append(pid)
    server, stack = 0.0, [server_pid]
    while stack:
        pid = stack.pop()
        if pid in processes:
            server += processes[pid][2]
            stack.extend(children.get(pid, []))
    database = sum(cpu for name, _parent, cpu in processes.values() if name.startswith("postgres"))
    return {"server": server, "postgresql": database}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def django_env(url: str, home: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REINTEGRA_HOME": str(home),
        "REINTEGRA_DEBUG": "0",
        "REINTEGRA_STATIC_ROOT": str(home / "static"),
        "REINTEGRA_METRICS_TOKEN": "m" * 40,
        "PYTHONPATH": str(ROOT / "src"),
    }
    for name in ("DJANGO_SETTINGS_MODULE", "PROMETHEUS_MULTIPROC_DIR"):
        env.pop(name, None)
    return env


def reintegra(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "reintegra", *args], env=env, check=True, cwd=ROOT, capture_output=True)


# --- the accounts and ids the simulated users use (run in a Django process of its own) -------------------------


def prepare(accounts: int, fixture: Path) -> None:
    import random

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reintegra.settings")
    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db.models import Count

    from reintegra.access import api_tokens
    from reintegra.access.models import RoleAssignment, User
    from reintegra.cases.choices import CaseStatus
    from reintegra.cases.models import Case, Returnee

    biggest = Case.objects.values("organisation_id").annotate(n=Count("id")).order_by("-n").first()
    assert biggest is not None, "no case seeded"
    organisation_id = biggest["organisation_id"]
    hashed = make_password(PASSWORD)  # hashed once: every account shares the password
    rows = []
    for number in range(accounts):
        user, _ = User.objects.update_or_create(
            username=f"bench-load-{number:03d}", defaults={"organisation_id": organisation_id, "password": hashed}
        )
        RoleAssignment.objects.get_or_create(user=user, role="supervisor")
        _token, secret = api_tokens.issue(User.objects.get(pk=user.pk), name="bench-load", second_factor=True)
        rows.append({"username": user.username, "password": PASSWORD, "token": secret})
    rng = random.Random(19)
    cases = Case.objects.filter(organisation_id=organisation_id)
    case_ids = list(cases.order_by("?").values_list("id", flat=True)[:5000])
    open_ids = list(cases.exclude(status=CaseStatus.CLOSED).order_by("?").values_list("id", flat=True)[:2000])
    people = Returnee.objects.filter(organisation_id=organisation_id).order_by("?")[:400]
    surnames = sorted({p.first_family_name for p in people if p.first_family_name})
    fixture.write_text(
        json.dumps(
            {
                "accounts": rows,
                "case_ids": case_ids,
                "open_case_ids": open_ids,
                "surnames": rng.sample(surnames, min(200, len(surnames))),
                "organisation_cases": biggest["n"],
                # Pages that exist: the list's first 20 (of 25 cases), the API's first 40 (of 25).
                "list_pages": max(1, min(20, biggest["n"] // 25)),
                "api_pages": max(1, min(40, biggest["n"] // 25)),
            }
        ),
        encoding="utf-8",
    )


# --- the server and the load -----------------------------------------------------------------------------------


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=5) as answer:  # noqa: S310  # loopback only
            return bool(answer.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@contextmanager
def served(env: dict[str, str], home: Path) -> Iterator[tuple[str, int, Path]]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    output = home / "serve.log"
    with output.open("w", encoding="utf-8") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "reintegra", "serve", "--bind", f"127.0.0.1:{port}"],
            env=env,
            cwd=ROOT,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 300
            while not _healthy(base):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"reintegra serve did not start:\n{output.read_text(encoding='utf-8')[-3000:]}")
                time.sleep(0.5)
            # Each gunicorn worker loads the application on its first request: not the users' wait.
            for _ in range(40):
                urllib.request.urlopen(f"{base}/login/", timeout=60).read()  # noqa: S310  # loopback only
            yield base, server.pid, output
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()


def _row(row: dict[str, str]) -> dict[str, Any]:
    def ms(key: str) -> float | None:
        value = row.get(key, "N/A")
        return None if value in ("", "N/A") else float(value)

    return {
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "p50_ms": ms("50%"),
        "p95_ms": ms("95%"),
        "p99_ms": ms("99%"),
        "max_ms": ms("Max Response Time"),
    }


def run_locust(base: str, users: int, fixture: Path, work: Path, server: tuple[int, Path, bool]) -> dict[str, Any]:
    server_pid, server_log, on_postgresql = server
    prefix = work / f"locust-{users}"
    log_offset = server_log.stat().st_size
    env = {**os.environ, "BENCH_LOAD_FIXTURE": str(fixture)}
    spawning = math.ceil(users / SPAWN_RATE)
    command = [
        "nice", "-n", "10", sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "load_locustfile.py"),
        "--headless", "--users", str(users), "--spawn-rate", str(SPAWN_RATE),
        "--run-time", f"{spawning + SECONDS}s",
        "--host", base, "--csv", str(prefix), "--only-summary", "--reset-stats", "--stop-timeout", "10",
        "--loglevel", "WARNING",
    ]  # fmt: skip
    before = load_average()
    cpu = _Cores(server_pid, on_postgresql)
    started = time.perf_counter()
    with subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as done:
        cpu.generator_pid = done.pid  # `nice` executes locust in its own process
        # The window locust counts opens when the last user has arrived: the cores' CPU from then on.
        timer = threading.Timer(spawning, cpu.window_opens)
        timer.start()
        output, _ = done.communicate()
        timer.cancel()
    seconds = time.perf_counter() - started
    Path(f"{prefix}.log").write_text(output, encoding="utf-8")
    with open(f"{prefix}_stats.csv", encoding="utf-8", newline="") as stats:
        rows = list(csv.DictReader(stats))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    failures = []
    failures_file = Path(f"{prefix}_failures.csv")
    if failures_file.exists():
        with failures_file.open(encoding="utf-8", newline="") as found:
            failures = [f"{r['Method']} {r['Name']}: {r['Error']} ×{r['Occurrences']}" for r in csv.DictReader(found)]
    server_text = server_log.read_text(encoding="utf-8", errors="replace")[log_offset:]
    whole, window = cpu.finish()
    counted = int(total["Request Count"])
    return {
        "users": users,
        "spawn_rate_per_second": SPAWN_RATE,
        "seconds": round(seconds, 1),
        "counted_seconds": SECONDS,
        **_row(total),
        "requests_per_second": round(float(total["Requests/s"]), 1),
        "by_request": {r["Name"]: _row(r) for r in rows if r["Name"] != "Aggregated"},
        "failure_messages": failures[:10],
        "server_tracebacks": server_text.count("Traceback"),
        "locust_exit_code": done.returncode,
        "locust_output_tail": output[-1500:] if done.returncode not in (0, 1) else "",
        "load_average_1m": {"before": before, "after": load_average()},
        # Against 2 × the seconds of two cores: the whole run (arrivals and sign-ins included), then the counted
        # window alone, and the server's share of it per counted request.
        "cpu_seconds": whole,
        "cpu_seconds_counted_window": window,
        "server_cpu_ms_per_counted_request": round(1000 * window["server"] / counted, 1) if counted else None,
    }


class _Cores:
    """CPU seconds of the server, PostgreSQL (on SQLite the database is the server's own work) and the load
    generator, read at the run's start, when the counted window opens, and at the end."""

    def __init__(self, server_pid: int, on_postgresql: bool) -> None:
        self.server_pid = server_pid
        self.kinds = ("server", "postgresql") if on_postgresql else ("server",)
        self.generator_pid = 0
        self.children = _children_cpu()  # the load generator's, counted once it has exited
        self.start = self._read()
        self.opened: dict[str, float] | None = None

    def _read(self) -> dict[str, float]:
        found = cpu_by_kind(self.server_pid)
        return {kind: found[kind] for kind in self.kinds}

    def window_opens(self) -> None:
        from proc_stat import cpu_seconds

        self.opened = {**self._read(), "load_generator": cpu_seconds(self.generator_pid) or 0.0}

    def finish(self) -> tuple[dict[str, float], dict[str, float]]:
        """The whole run's and the counted window's CPU seconds, once the load generator has exited (its whole
        run is then known from this process's children; no /proc is left to read)."""
        end = {**self._read(), "load_generator": _children_cpu() - self.children}
        start = {**self.start, "load_generator": 0.0}
        opened = self.opened or start
        whole = {kind: round(end[kind] - start[kind], 1) for kind in end}
        return whole, {kind: round(end[kind] - opened[kind], 1) for kind in end}


def part(url: str, cases: int, user_counts: list[int], *, fresh: bool) -> dict[str, Any]:
    home = Path(tempfile.mkdtemp(prefix="reintegra-load."))
    try:
        env = django_env(url, home)
        if fresh:
            reintegra(env, "migrate", "--verbosity", "0")
        log(f"bench: seeding {cases} cases")
        started = time.perf_counter()
        reintegra(env, "seed", "--cases", str(cases), "--seed", "1", "--no-progress")
        seeded = time.perf_counter() - started
        fixture = home / "fixture.json"
        subprocess.run(
            [sys.executable, __file__, "--prepare", str(max(user_counts)), str(fixture)],
            env=env,
            cwd=ROOT,
            check=True,
        )
        organisation_cases = json.loads(fixture.read_text(encoding="utf-8"))["organisation_cases"]
        runs = []
        with served(env, home) as (base, server_pid, server_log):
            served_by = (server_pid, server_log, url.startswith("postgres"))
            for users in user_counts:
                log(f"bench: {users} users for {SECONDS} s")
                runs.append(run_locust(base, users, fixture, home, served_by))
                log(json.dumps({k: v for k, v in runs[-1].items() if k != "by_request"}))
        return {
            "cases": cases,
            "seed_seconds": round(seeded, 1),
            "cases_seen_by_each_user": organisation_cases,
            "runs": runs,
        }
    finally:
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    if sys.argv[1:2] == ["--prepare"]:
        prepare(int(sys.argv[2]), Path(sys.argv[3]))
        return
    try:
        import locust  # noqa: F401
    except ImportError:
        raise SystemExit("locust is not installed: .tools/bin/uv sync --group load") from None
    result: dict[str, Any] = {
        "benchmark": "concurrent users against reintegra serve",
        "seconds_per_run": SECONDS,
        "cpus": os.cpu_count(),
        "goals": {"errors": 0, "p95_ms_at_50_users": 300, "p95_ms_at_200_users": 1000},
    }
    if "pg" in PARTS:
        from bench_duplicates_pg import database, wipe_and_migrate

        with database() as (url, _external):
            wipe_and_migrate(url)
            result["postgresql"] = part(url, PG_CASES, PG_USERS, fresh=False)
    if "sqlite" in PARTS:
        folder = Path(tempfile.mkdtemp(prefix="reintegra-load-sqlite."))
        try:
            result["sqlite"] = part(f"sqlite:///{folder / 'load.sqlite3'}", SQLITE_CASES, [SQLITE_USERS], fresh=True)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(result, indent=2), flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "load.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

"""Export benchmark (issue 19, "Exports"): the CSV of the case list as a programme manager downloads it
(`cases.exports.case_table` through `access.exports.download_table`: keyset batches, names decrypted row by
row, cells in the reader's language, formula-safe, streamed), consumed to the last byte.

    .venv/bin/python bench/bench_exports.py                         # 100k cases, temporary SQLite
    BENCH_CASES=20000 .venv/bin/python bench/bench_exports.py
    BENCH_DATABASE_URL=postgres://... .venv/bin/python bench/bench_exports.py   # a database to wipe and use
    BENCH_REUSE=1 BENCH_DATABASE_URL=sqlite:////tmp/e.sqlite3 ...   # seed once, then measure the same data
    BENCH_REUSE=1 BENCH_ROLLBACK=1 BENCH_USER=<an account> BENCH_QUICK=1 BENCH_DATABASE_URL=...  # writes nothing
    BENCH_BREAKDOWN=1 ...   # where the CSV's wall time goes (`Breakdown`: the writer blocked, the reads' parts)
    BENCH_BATCH=5000 BENCH_READ_AHEAD=2 BENCH_SWITCH_INTERVAL=0.005 ...   # to weigh those (defaults otherwise)
    BENCH_TABLE=rounds BENCH_QUICK=1 ...   # the survey rounds' CSV instead of the case list's (about a million rows
                                           # for one organisation of `main1m`, where no one sees a million cases)

The database is seeded by `reintegra seed` in a subprocess; the export runs in a fresh process of its own so
that its peak RSS (`ru_maxrss`) is the export's (Django and the seeded data not counted twice). Prints one
JSON object (and writes bench/results/exports.json): rows, seconds, rows/s, rows per CPU second of this process
and of all the processes involved (this one and the PostgreSQL backends it used, from /proc), time to the first
byte, peak RSS
and its growth during the export, the rows/s of the same rows read without the encrypted columns (what the
per-row Fernet decryption costs) and in machine codes, and the load average (the machine is shared).
The goal of the issue: 1,000,000 rows at >= 50,000 rows/s, peak RSS <= 200 MB.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# BENCH_ROLLBACK=1 (with BENCH_REUSE=1): write nothing to the database (a shared one, e.g. a million cases): the
# account BENCH_USER (default bench-exports) must exist, and the export's audit record is rolled back.
ROLLBACK = bool(os.environ.get("BENCH_ROLLBACK"))
QUICK = bool(os.environ.get("BENCH_QUICK"))  # the case list's CSV only (no machine codes, reads, XLSX)
# BENCH_BREAKDOWN=1: where the CSV's wall time goes (`Breakdown`), in the JSON under "breakdown".
BREAKDOWN = bool(os.environ.get("BENCH_BREAKDOWN"))
TABLE = os.environ.get("BENCH_TABLE", "cases")  # "cases" or "rounds" (the survey rounds' list, with BENCH_QUICK)
RESULTS = ROOT / "bench" / "results"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "reintegra.settings",
        "REINTEGRA_DEBUG": "0",
        "PYTHONPATH": str(ROOT / "src"),
    }


def seed(database_url: str, cases: int) -> float:
    env = _env(database_url)
    reintegra = [sys.executable, "-m", "reintegra"]
    if database_url.startswith("postgres"):
        subprocess.run([*reintegra, "flush", "--no-input"], env=env, check=False, capture_output=True)
    subprocess.run([*reintegra, "migrate", "--verbosity", "0"], env=env, check=True)
    started = time.perf_counter()
    subprocess.run([*reintegra, "seed", "--cases", str(cases), "--seed", "1"], env=env, check=True)
    return time.perf_counter() - started


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _consume(response: Any) -> tuple[int, int, float]:
    """(bytes, lines, seconds to the first chunk) of a streamed response."""
    started = time.perf_counter()
    first = None
    size = lines = 0
    for chunk in response.streaming_content:
        if first is None:
            first = time.perf_counter() - started
        size += len(chunk)
        lines += chunk.count(b"\n")
    return size, lines, first or 0.0


class Backends:
    """The CPU time of the PostgreSQL backends this process's connections use (the read-ahead thread's too), read
    from /proc (the cluster runs on this machine): a connection's backend is noted when it opens, and its CPU
    time when any connection is closed (the read-ahead thread closes its own at the end of an export) and at
    `total()`. Empty on SQLite, or when /proc does not show the backend."""

    def __init__(self) -> None:
        self.start: dict[int, float] = {}
        self.seen: dict[int, float] = {}

    @staticmethod
    def cpu(pid: int) -> float | None:
        from proc_stat import cpu_seconds  # a sibling in bench/

        return cpu_seconds(pid)

    def opened(self, connection: Any, **kwargs: Any) -> None:
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        used = self.cpu(pid)
        if used is not None:
            self.start.setdefault(pid, used)
            self.seen[pid] = used

    def note(self) -> None:
        for pid in self.seen:
            used = self.cpu(pid)
            if used is not None:
                self.seen[pid] = used

    def total(self) -> float:
        self.note()
        return sum(self.seen[pid] - self.start[pid] for pid in self.seen)


class Breakdown:
    """Where the wall time of the case list's CSV goes, by wrapping the export's steps (the bench's process only):
    the consumer (the thread writing the CSV) blocked waiting for the next batch (`keyset_columns`'s `next`), its
    own thread CPU; and in the thread that reads (the read-ahead thread, or the consumer when there is none)
    each batch's query (`execute`: the server's planning and work and the transfer, with libpq's parsing),
    `fetchall` (the rows as Python tuples) and the rest of the batch's reading (columns, converters,
    decryption), each as wall time and as that thread's CPU time (`time.thread_time`). Its own cost, a few
    calls per batch, is negligible next to a batch's milliseconds."""

    def __init__(self) -> None:
        self.figures: dict[str, float] = {}
        self.batches = 0
        self.rows_per_batch: set[int] = set()

    def add(self, name: str, wall: float, cpu: float) -> None:
        self.figures[f"{name}_wall_s"] = self.figures.get(f"{name}_wall_s", 0.0) + wall
        self.figures[f"{name}_cpu_s"] = self.figures.get(f"{name}_cpu_s", 0.0) + cpu

    def timed(self, name: str, call: Any) -> Any:
        def timed_call(*args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), time.thread_time()
            try:
                return call(*args, **kwargs)
            finally:
                self.add(name, time.perf_counter() - wall, time.thread_time() - cpu)

        return timed_call

    def install(self) -> None:
        from django.db.backends import utils

        from reintegra.access import exports

        utils.CursorWrapper.execute = self.timed("read_execute", utils.CursorWrapper.execute)  # type: ignore[method-assign]
        utils.CursorWrapper.fetchall = self.timed("read_fetchall", lambda cursor: cursor.cursor.fetchall())  # type: ignore[attr-defined]
        for name in ("_read_columns", "_fetch"):  # a batch's whole read (main's; this branch's: the raw rows)
            if hasattr(exports, name):
                setattr(exports, name, self.timed("read_batch", getattr(exports, name)))
        if hasattr(exports, "_ColumnReader"):  # this branch: the columns converted by the writing thread
            reader = exports._ColumnReader
            reader.columns = self.timed("consumer_converting", reader.columns)  # type: ignore[method-assign]
        keyset_columns = exports.keyset_columns

        def timed_batches(*args: Any, **kwargs: Any) -> Any:
            batches = iter(keyset_columns(*args, **kwargs))
            while True:
                wall, cpu = time.perf_counter(), time.thread_time()
                try:
                    columns = next(batches)
                except StopIteration:
                    return
                finally:
                    self.add("consumer_waiting", time.perf_counter() - wall, time.thread_time() - cpu)
                self.batches += 1
                self.rows_per_batch.add(len(columns[0]))
                yield columns

        exports.keyset_columns = timed_batches

    def report(self, consumer_cpu: float) -> dict[str, Any]:
        figures = {name: round(value, 3) for name, value in sorted(self.figures.items())}
        waiting = self.figures.get("consumer_waiting_wall_s", 0.0) - self.figures.get("consumer_converting_wall_s", 0.0)
        return {
            **figures,
            # the consumer blocked on the next batch (its conversion, where it has one, taken out): what an idle
            # machine would still lose of the wall time
            "consumer_blocked_wall_s": round(waiting, 3),
            "consumer_thread_cpu_s": round(consumer_cpu, 3),
            "batches": self.batches,
            "largest_batch": max(self.rows_per_batch, default=0),
        }


def measure() -> dict[str, Any]:
    """Run inside the measuring process (Django set up from the environment)."""
    import django

    django.setup()
    from django import db
    from django.db.backends.signals import connection_created
    from django.db.models import Count
    from django.utils import translation

    from reintegra.access import audit, exports
    from reintegra.access.models import Organisation, RoleAssignment, User
    from reintegra.access.roles import Role
    from reintegra.cases import exports as case_exports
    from reintegra.cases import selectors

    if ROLLBACK:
        # A shared read-only database: an existing account, and the export's audit record rolled back.
        user = User.objects.get(username=os.environ.get("BENCH_USER", "bench-exports"))
        audit.record_access = _rolled_back(audit.record_access)
    else:
        org = Organisation.objects.annotate(n=Count("cases")).order_by("-n").first()
        assert org is not None, "nothing seeded"
        user, _created = User.objects.get_or_create(username="bench-exports", defaults={"organisation": org})
        RoleAssignment.objects.get_or_create(user=user, role=Role.PROGRAMME_MANAGER)
        user = User.objects.get(pk=user.pk)
    measured, visible = _measured_table(user)
    translation.activate("es")
    before = _peak_mb()
    backends = Backends()
    connection_created.connect(backends.opened, weak=False)
    close_all = db.connections.close_all

    def noting_close_all() -> None:
        backends.note()  # the read-ahead thread's backend, before it exits
        close_all()

    db.connections.close_all = noting_close_all  # type: ignore[method-assign]
    backends.opened(db.connection)
    backend_before = backends.total()

    # BENCH_BATCH / BENCH_READ_AHEAD: rows per query and batches read ahead, to weigh them (the defaults otherwise)
    if os.environ.get("BENCH_BATCH"):
        exports.EXPORT_BATCH = int(os.environ["BENCH_BATCH"])
    if os.environ.get("BENCH_READ_AHEAD") and hasattr(exports, "READ_AHEAD"):
        exports.READ_AHEAD = int(os.environ["BENCH_READ_AHEAD"])
    if os.environ.get("BENCH_SWITCH_INTERVAL"):  # Python's thread switch interval (5 ms by default), in seconds
        sys.setswitchinterval(float(os.environ["BENCH_SWITCH_INTERVAL"]))
    breakdown = Breakdown()
    if BREAKDOWN:
        breakdown.install()
    started, cpu_started, thread_started = time.perf_counter(), time.process_time(), time.thread_time()
    response = exports.download_table(user, "csv", measured())
    size, lines, first_byte = _consume(response)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    consumer_cpu = time.thread_time() - thread_started
    backend_seconds = backends.total() - backend_before
    peak = _peak_mb()
    extra = {"breakdown": breakdown.report(consumer_cpu)} if BREAKDOWN else {}

    if QUICK:
        assert lines - 1 == visible, (lines - 1, visible)
        return {**_figures(lines - 1, size, seconds, cpu_seconds, backend_seconds, first_byte, peak, before), **extra}
    started = time.perf_counter()
    coded = exports.download_table(user, "csv", case_exports.case_table(user, selectors.CaseFilters()), codes=True)
    _consume(coded)
    coded_seconds = time.perf_counter() - started

    # The same rows and batches without the three encrypted name columns: the decryption's share.
    names = ("returnee__given_names", "returnee__first_family_name", "returnee__second_family_name")
    clear = [f for f in case_exports._CASE_FIELDS if f not in names]
    started = time.perf_counter()
    read = sum(len(b) for b in exports.keyset_batches(selectors.search_cases(user, selectors.CaseFilters()), clear))
    clear_seconds = time.perf_counter() - started
    started = time.perf_counter()
    fields = case_exports._CASE_FIELDS
    read_all = sum(
        len(b) for b in exports.keyset_batches(selectors.search_cases(user, selectors.CaseFilters()), fields)
    )
    read_seconds = time.perf_counter() - started

    # The same list as XLSX (openpyxl write-only sheets, spooled to a temporary file and streamed from it): its
    # peak RSS after the CSV's shows whether the workbook grows with the rows.
    started, cpu_started = time.perf_counter(), time.process_time()
    workbook = exports.download_table(user, "xlsx", case_exports.case_table(user, selectors.CaseFilters()))
    xlsx_bytes = sum(len(chunk) for chunk in workbook) if workbook.streaming else len(workbook.content)
    xlsx_seconds, xlsx_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    xlsx_peak = _peak_mb()

    rows = lines - 1
    assert rows == visible == read == read_all, (rows, visible, read, read_all)
    return {
        **_figures(rows, size, seconds, cpu_seconds, backend_seconds, first_byte, peak, before),
        "codes_rows_per_second": round(rows / coded_seconds) if coded_seconds else None,
        "read_rows_per_second_with_names": round(read_all / read_seconds) if read_seconds else None,
        "read_rows_per_second_without_names": round(read / clear_seconds) if clear_seconds else None,
        "batch": exports.EXPORT_BATCH,
        "xlsx_bytes": xlsx_bytes,
        "xlsx_seconds": round(xlsx_seconds, 2),
        "xlsx_rows_per_cpu_second": round(rows / xlsx_cpu) if xlsx_cpu else None,
        "peak_rss_mb_after_xlsx": round(xlsx_peak, 1),
        **extra,
    }


def _measured_table(user: Any) -> tuple[Any, int]:
    """The table the CSV is timed on (a callable making it) and how many rows the user sees in it."""
    if TABLE == "rounds":
        from reintegra.sustainability import exports as round_exports
        from reintegra.sustainability import selectors as round_selectors

        if not QUICK:
            raise SystemExit("BENCH_TABLE=rounds measures the CSV only: give BENCH_QUICK=1")
        return (lambda: round_exports.round_table(user)), round_selectors.export_rounds(user).count()
    from reintegra.cases import exports as case_exports
    from reintegra.cases import selectors

    return (lambda: case_exports.case_table(user, selectors.CaseFilters())), selectors.cases_for(user).count()


def _figures(
    rows: int,
    size: int,
    seconds: float,
    cpu_seconds: float,
    backend_seconds: float,
    first_byte: float,
    peak: float,
    before: float,
) -> dict[str, Any]:
    return {
        "rows": rows,
        "bytes": size,
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds) if seconds else None,
        # CPU time of this process (SQLite runs in it): on a shared machine it says more than the wall time.
        "cpu_seconds": round(cpu_seconds, 2),
        "rows_per_cpu_second": round(rows / cpu_seconds) if cpu_seconds else None,
        # The database backends' CPU time too (PostgreSQL on this machine): every process the export used.
        "database_cpu_seconds": round(backend_seconds, 2),
        "rows_per_cpu_second_all_processes": round(rows / (cpu_seconds + backend_seconds)) if cpu_seconds else None,
        "first_byte_ms": round(first_byte * 1000, 1),
        "peak_rss_mb": round(peak, 1),
        "rss_growth_mb": round(peak - before, 1),
    }


class _RolledBack(Exception):
    pass


def _rolled_back(write: Any) -> Any:
    """`write` done in a transaction that is rolled back (its cost measured, nothing left behind)."""
    from django.db import transaction

    def rolled_back(*args: Any, **kwargs: Any) -> None:
        try:
            with transaction.atomic():
                write(*args, **kwargs)
                raise _RolledBack
        except _RolledBack:
            pass

    return rolled_back


def main() -> None:
    if os.environ.get("BENCH_EXPORTS_CHILD"):
        print(json.dumps(measure()))
        return
    cases = int(os.environ.get("BENCH_CASES", "100000"))
    base_url = os.environ.get("BENCH_DATABASE_URL", "")
    with tempfile.TemporaryDirectory() as tmp:
        url = base_url or f"sqlite:///{tmp}/bench-exports-{cases}.sqlite3"
        seed_seconds = None
        if ROLLBACK and not (os.environ.get("BENCH_REUSE") and base_url):
            raise SystemExit("BENCH_ROLLBACK measures a database as it is: give BENCH_REUSE=1 and BENCH_DATABASE_URL")
        if not (os.environ.get("BENCH_REUSE") and base_url):
            log(f"seeding {cases} cases into {url.split('@')[-1]}")
            seed_seconds = round(seed(url, cases), 1)
        log("exporting")
        out = subprocess.run(
            [sys.executable, __file__],
            env={**_env(url), "BENCH_EXPORTS_CHILD": "1"},
            check=True,
            capture_output=True,
            text=True,
        )
        figures = json.loads(out.stdout.strip().splitlines()[-1])
    result = {
        "benchmark": "survey rounds CSV export" if TABLE == "rounds" else "case list CSV export",
        "database": "postgresql" if url.startswith("postgres") else "sqlite",
        "cases_seeded": cases if seed_seconds is not None else None,  # None: the database was measured as it was
        "seed_seconds": seed_seconds,
        **figures,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpu_count": os.cpu_count(),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "exports.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

"""Manifest import benchmark: BENCH_ROWS manifest rows (default 100,000) imported at one reception point
against BENCH_PEOPLE returnees already registered in the organisation (default 100,000), measuring the import
alone: wall time and peak RSS (resource.getrusage of a process that does nothing else).

    .venv/bin/python bench/bench_manifest_import.py                       # 100k rows vs 100k people, SQLite
    BENCH_PEOPLE=10000 BENCH_ROWS=10000 .venv/bin/python bench/bench_manifest_import.py
    BENCH_PG=1 BENCH_PEOPLE=1000000 .venv/bin/python bench/bench_manifest_import.py     # throw-away PostgreSQL
    BENCH_DATABASE_URL=postgres://... BENCH_PEOPLE=1000000 ...            # a database to wipe and use
    BENCH_DATABASE_URL=postgres://.../run BENCH_TEMPLATE=seed1m BENCH_PEOPLE=1000000 ...  # seed once, reuse
    BENCH_REUSE=1 BENCH_ROLLBACK=1 BENCH_ORG=oim-mx BENCH_DATABASE_URL=postgres://.../bench1m ...  # a shared
        register: nothing seeded, migrated or kept (see BENCH_ROLLBACK below)

BENCH_TEMPLATE (PostgreSQL): the register is seeded once into the database of that name on the same server
(when it has no returnee yet), and every run imports into a fresh copy of it (CREATE DATABASE ... TEMPLATE),
so that a million people are seeded once, not before every measurement, and each run starts from the same
register (BENCH_REUSE keeps the database as the last run left it: its imported people included).

BENCH_ROLLBACK (with BENCH_REUSE, on a register someone else seeded and still uses, e.g. the million cases of
bench_monitoring.py): the first process only reads the register (BENCH_ORG's people, default oim-gt) and writes
the file; it neither migrates, loads the gazetteer, seeds nor creates anything. The second creates the bench's
reception point and mapping, imports the file, then imports it again, all inside one transaction that it rolls
back: the database is left as it was found (only the sequences moved on, and the dead rows wait for VACUUM).
What a commit would do is timed with it: the deferred foreign keys' checks (`commit_checks`).
The re-import then runs in the first import's process (its peak RSS is not told apart from the first's).
The import's duplicate check compares a row with its organisation's register only, so BENCH_ORG says which part
of the installation's people the file is matched against; the blocking keys of every organisation share one
table and its indexes.

Three processes: the first seeds the register with `reintegra seed`'s generator (one organisation, Guatemala;
seeding a million people takes a long while: about 15 minutes on two cores) and writes the manifest; the
second runs the import (`manifest_services.import_file`, as `reintegra import-arrivals` does) and reports
its time and peak RSS; the third imports the same file again (idempotence: nothing may change).

The manifest: 20 % people of the register (their names and birth dates as registered, some with the age
only: uncertain matches, sent to review), 2 % rows repeated later in the file, the rest new people whose
names are drawn from the register's names recombined (so that they collide with it as real names do), in
flights of 135 people over 60 days. Prints one JSON object (also written to bench/results/manifest.json).
"""

from __future__ import annotations

import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

AS_OF = date(2026, 6, 30)
ORG = os.environ.get("BENCH_ORG", "oim-gt")
ROLLBACK = bool(os.environ.get("BENCH_ROLLBACK"))
HEADER = ["Nombres", "Primer apellido", "Segundo apellido", "Sexo", "Fecha de nacimiento", "Edad", "Documento",
          "Fecha de llegada", "Vuelo"]  # fmt: skip
COLUMNS = {
    "given_names": "Nombres",
    "first_family_name": "Primer apellido",
    "second_family_name": "Segundo apellido",
    "sex": "Sexo",
    "birth_date": "Fecha de nacimiento",
    "age": "Edad",
    "document_number": "Documento",
    "arrival_date": "Fecha de llegada",
    "means_number": "Vuelo",
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)


# --- process 1: the register and the file --------------------------------------------------------


def register(people: int) -> tuple[Any, float]:
    """The organisation whose register the file is matched against, and the seconds spent seeding it."""
    from django.core.management import call_command

    from reintegra.access.models import Organisation
    from reintegra.access.roles import Role
    from reintegra.cases.models import Returnee
    from reintegra.demo import seeding, staff
    from reintegra.places.services import load_gazetteer
    from reintegra.testing import factories

    if ROLLBACK:
        # A register that is not ours: read it, change nothing (the import's process makes its point and mapping).
        if not os.environ.get("BENCH_REUSE"):
            raise SystemExit("BENCH_ROLLBACK reads an existing register: set BENCH_REUSE=1 as well")
        organisation = Organisation.objects.get(code=ORG)
        if not Returnee.objects.filter(organisation=organisation).exists():
            raise SystemExit(f"BENCH_ROLLBACK: {ORG} has no returnee to import against (it never seeds)")
        return organisation, 0.0
    call_command("migrate", verbosity=0)
    load_gazetteer()
    organisation = staff.ensure_organisation(ORG)
    started = time.perf_counter()
    seeded = 0.0
    if not (os.environ.get("BENCH_REUSE") and Returnee.objects.filter(organisation=organisation).exists()):
        seeding.seed(people, seed=1, organisations=[organisation], as_of=AS_OF)
        seeded = time.perf_counter() - started
    user = factories.user(organisation, Role.PROGRAMME_MANAGER, username=f"bench-manifest-{time.time_ns()}")
    bench_point_and_mapping(organisation, user)
    return organisation, seeded


def prepare(people: int, rows: int, path: Path) -> dict[str, Any]:
    import django

    django.setup()
    from reintegra.cases.models import Returnee

    organisation, seeded = register(people)
    # The register's people, as the file lists them (decrypted once, here).
    rng = random.Random(1)
    sample_ids = list(Returnee.objects.filter(organisation=organisation).values_list("pk", flat=True))
    rng.shuffle(sample_ids)
    known = []
    for chunk in range(0, min(len(sample_ids), max(rows // 4, 1000)), 2000):
        ids = sample_ids[chunk : chunk + 2000]
        known.extend(
            Returnee.objects.filter(pk__in=ids).values_list(
                "given_names", "first_family_name", "second_family_name", "sex", "birth_date", "estimated_birth_year"
            )
        )
    givens = [k[0] for k in known]
    surnames = [k[1] for k in known] + [k[2] for k in known if k[2]]
    written = []
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        start = AS_OF - timedelta(days=60)
        for number in range(rows):
            day = start + timedelta(days=(number // 135) % 60)
            flight = f"TA-{1000 + number // 135}"
            draw = rng.random()
            if draw < 0.02 and written:
                line = list(rng.choice(written))  # listed twice
            elif draw < 0.22 and known:
                given, first, second, sex, born, year = rng.choice(known)
                if born and rng.random() < 0.85:
                    birth, age = born.strftime("%d/%m/%Y"), ""
                else:
                    birth, age = "", str(day.year - (born.year if born else year or 1990))
                line = [
                    given,
                    first,
                    second,
                    "F" if sex == "female" else "H",
                    birth,
                    age,
                    "",
                    day.strftime("%d/%m/%Y"),
                    flight,
                ]
            else:
                born = date(1960, 1, 1) + timedelta(days=rng.randrange(0, 365 * 45))
                line = [rng.choice(givens), rng.choice(surnames), rng.choice(surnames), rng.choice("FH"),
                        born.strftime("%d/%m/%Y"), "", f"P{rng.randrange(10**8):08d}" if rng.random() < 0.5 else "",
                        day.strftime("%d/%m/%Y"), flight]  # fmt: skip
            writer.writerow(line)
            if len(written) < 5000:
                written.append(line)
    return {
        "organisation": ORG,
        "people": Returnee.objects.filter(organisation=organisation).count(),
        "people_in_installation": Returnee.objects.count(),
        "seed_seconds": round(seeded, 1),
        "manifest_rows": rows,
        "manifest_bytes": path.stat().st_size,
    }


def bench_point_and_mapping(organisation: Any, user: Any) -> tuple[Any, Any]:
    from reintegra.reception.manifest_models import ManifestMapping
    from reintegra.reception.models import ReceptionPoint

    point, _created = ReceptionPoint.objects.get_or_create(
        organisation=organisation,
        code="bench-manifest",
        defaults={"name": "Punto de recepción (benchmark)", "country": str(organisation.country), "kind": "airport"},
    )
    mapping, _created = ManifestMapping.objects.get_or_create(
        organisation=organisation,
        name="bench",
        defaults={"columns": COLUMNS, "return_type": "forced", "created_by": user},
    )
    return point, mapping


# --- process 2 and 3: the import ------------------------------------------------------------------


def cpu_seconds(who: int = resource.RUSAGE_SELF) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def server_cpu_seconds(connection: Any) -> float | None:
    """CPU seconds of the PostgreSQL backend serving `connection` (when it runs on this machine)."""
    if connection.vendor != "postgresql":
        return None
    from proc_stat import cpu_seconds

    connection.ensure_connection()
    return cpu_seconds(connection.connection.info.backend_pid)


def run_import(path: Path) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import transaction

    from reintegra.access.models import Organisation

    organisation = Organisation.objects.get(code=ORG)
    if not ROLLBACK:
        point, mapping = bench_point_and_mapping(organisation, None)
        return measure_import(path, organisation, point, mapping)
    # Both imports in one transaction, rolled back: the shared register is left as it was found.
    with transaction.atomic():
        point, mapping = bench_point_and_mapping(organisation, None)
        first = measure_import(path, organisation, point, mapping)
        again = measure_import(path, organisation, point, mapping, profile_suffix=".reimport")
        transaction.set_rollback(True)
    for name in ("peak_rss_mb", "peak_rss_sum_mb"):
        again.pop(name)  # the first import's process: not the re-import's own
    return {**first, "reimport": again, "rolled_back": True}


class ChildrenPeaks:
    """The peak RSS (VmHWM) of each child process of this one (the import's worker, `manifest_pool`; before,
    the scoring workers and multiprocessing's resource tracker), sampled twice a second.
    RUSAGE_CHILDREN's ru_maxrss is reported too, but Linux counts in it the RSS the child had between fork and
    exec (this process's own, shared), so it is not the workers' own memory."""

    def __init__(self) -> None:
        import threading

        self.peaks: dict[int, float] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        me = os.getpid()
        while not self.stop.wait(0.5):
            try:
                children = Path(f"/proc/{me}/task/{me}/children").read_text().split()
            except OSError:
                return
            for child in children:
                try:
                    # Only once it runs the worker's code (or multiprocessing's): between fork and exec a child
                    # still maps (and is counted with) this whole process.
                    command = Path(f"/proc/{child}/cmdline").read_bytes()
                    if b"manifest_pool" not in command and b"multiprocessing" not in command:
                        continue
                    status = Path(f"/proc/{child}/status").read_text()
                except OSError:
                    continue
                for line in status.splitlines():
                    if line.startswith("VmHWM:"):
                        peak = int(line.split()[1]) / 1024
                        self.peaks[int(child)] = max(self.peaks.get(int(child), 0.0), peak)

    def done(self) -> list[float]:
        self.stop.set()
        self.thread.join()
        return sorted((round(p, 1) for p in self.peaks.values()), reverse=True)


def commit_checks(connection: Any) -> float | None:
    """Under BENCH_ROLLBACK the import's transaction is a savepoint of the bench's, never committed: the checks
    of its deferred foreign keys (a row's each, some 23 s at a million before they were thinned) would never
    run, and the import would look faster than one that commits. They are run here, as a commit would run
    them (`SET CONSTRAINTS ALL IMMEDIATE` fires what is pending), and counted in the import's time."""
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return None
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return round(time.perf_counter() - started, 1)


def measure_import(path: Path, organisation: Any, point: Any, mapping: Any, profile_suffix: str = "") -> dict[str, Any]:
    from django.db import connection

    from reintegra.reception import manifest_phases, manifest_services

    # BENCH_BREAKDOWN=1: wall and thread CPU seconds per phase of the import's process (`manifest_phases`).
    manifest_phases.current = manifest_phases.Phases() if os.environ.get("BENCH_BREAKDOWN") else None
    before = rss_mb()
    server = server_cpu_seconds(connection)
    cpu = cpu_seconds()
    started = time.perf_counter()
    workers = cpu_seconds(resource.RUSAGE_CHILDREN)
    peaks = ChildrenPeaks()
    profile = os.environ.get("BENCH_PROFILE", "")
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    with path.open("rb") as source:
        record = manifest_services.import_file(
            organisation, point=point, mapping=mapping, source=source, file_name=path.name
        )
    checks = commit_checks(connection)
    seconds = time.perf_counter() - started
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile + profile_suffix)
    cpu = cpu_seconds() - cpu
    workers = cpu_seconds(resource.RUSAGE_CHILDREN) - workers
    worker_peaks = peaks.done()
    server_after = server_cpu_seconds(connection)
    return {
        "database": connection.vendor,
        "status": record.status,
        "problems": len(record.report.get("problems", [])),
        "seconds": round(seconds, 1),
        "rows_per_second": round(record.rows_total / seconds) if seconds else None,
        # Part of `seconds`: the foreign keys' checks a commit would run (BENCH_ROLLBACK; None when committed).
        "commit_checks_seconds": checks,
        # CPU time of this process and of its PostgreSQL backend: on a shared machine the wall time says how
        # busy the machine was as much as how costly the import is.
        "cpu_seconds": round(cpu, 1),
        # The scoring workers (`manifest_pool`): their CPU and their peak RSS.
        "workers_cpu_seconds": round(workers, 1),
        "workers_ru_maxrss_children_mb": rss_mb(resource.RUSAGE_CHILDREN),
        "workers_peak_rss_mb": worker_peaks,
        # This process's peak plus each worker's: the three never all peak at once, so this bounds the sum.
        "peak_rss_sum_mb": round(rss_mb() + sum(worker_peaks), 1),
        "db_cpu_seconds": round(server_after - server, 1) if server is not None and server_after is not None else None,
        "peak_rss_mb": rss_mb(),
        "rss_before_import_mb": before,
        "new_returnees": record.new_returnees,
        "repeat_returnees": record.repeat_returnees,
        "within_file_duplicates": record.within_file_duplicates,
        "unchanged": record.unchanged,
        "to_review": record.to_review,
        "arrivals": record.arrivals,
        **({"breakdown": manifest_phases.current.report()} if manifest_phases.current is not None else {}),
    }


def database_url() -> tuple[str, Any]:
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if url:
        return url, None
    if os.environ.get("BENCH_PG"):
        from bench_duplicates_pg import database

        context = database()
        pg_url, _external = context.__enter__()
        return pg_url, context
    return f"sqlite:///{tempfile.mkstemp(suffix='.sqlite3')[1]}", None


def clone_template(url: str, template: str, people: int, child: Any) -> dict[str, Any]:
    """Seed `template` once (on the server of `url`), then replace `url`'s database by a copy of it."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    target = parts.path.lstrip("/")
    if target == template:
        raise SystemExit("BENCH_TEMPLATE must name another database than BENCH_DATABASE_URL's")

    def on(database: str) -> str:
        return urlunsplit(parts._replace(path=f"/{database}"))

    with psycopg.connect(on("postgres"), autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone():
            admin.execute(f'CREATE DATABASE "{template}"')
    seeded: dict[str, Any] = {"seed_seconds": 0.0}
    with psycopg.connect(on(template)) as probe:
        # Two statements: in one, the planner would resolve the table before the first test could skip it.
        has_table = probe.execute("SELECT to_regclass('cases_returnee') IS NOT NULL").fetchone()
        has_people = (
            has_table
            if not (has_table and has_table[0])
            else probe.execute("SELECT EXISTS (SELECT 1 FROM cases_returnee)").fetchone()
        )
    if not (has_people and has_people[0]):
        log(f"bench: seeding {people} people into {template} (once)")
        manifest = Path(tempfile.mkstemp(suffix=".csv")[1])
        try:
            seeded = child("--prepare", str(people), "1", str(manifest), database_url=on(template))
        finally:
            manifest.unlink(missing_ok=True)
    with psycopg.connect(on("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{target}" TEMPLATE "{template}"')
    return seeded


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--import":
        print(json.dumps(run_import(Path(sys.argv[2]))))
        return
    if len(sys.argv) == 5 and sys.argv[1] == "--prepare":
        print(json.dumps(prepare(int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4]))))
        return
    people = int(os.environ.get("BENCH_PEOPLE", "100000"))
    rows = int(os.environ.get("BENCH_ROWS", "100000"))
    url, context = database_url()
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    manifest = Path(tempfile.mkstemp(suffix=".csv")[1])
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "reintegra.settings",
        "REINTEGRA_DEBUG": "0",
        "PYTHONPATH": str(ROOT / "src"),
    }

    def child(*args: str, database_url: str = "") -> dict[str, Any]:
        environment = {**env, "DATABASE_URL": database_url} if database_url else env
        out = subprocess.run(
            [sys.executable, __file__, *args], env=environment, check=True, stdout=subprocess.PIPE, text=True
        )
        return json.loads(out.stdout.strip().splitlines()[-1])

    template = os.environ.get("BENCH_TEMPLATE", "")
    if ROLLBACK and (template or not os.environ.get("BENCH_REUSE")):
        raise SystemExit("BENCH_ROLLBACK reads a register as it is: set BENCH_REUSE=1, and no BENCH_TEMPLATE")
    seeded: dict[str, Any] = {}
    try:
        if template and url.startswith("postgres"):
            seeded = clone_template(url, template, people, child)
            env["BENCH_REUSE"] = "1"  # the copy holds the register: write the file only
            log(f"bench: register from {template} ({seeded})")
        elif url.startswith("postgres") and not os.environ.get("BENCH_REUSE"):
            subprocess.run(
                [sys.executable, "-m", "reintegra", "flush", "--no-input"], env=env, check=False, capture_output=True
            )
        doing = f"reading {ORG}'s register" if ROLLBACK else f"seeding {people} people"
        log(f"bench: {doing}, writing {rows} rows")
        prepared = child("--prepare", str(people), str(rows), str(manifest))
        log(f"bench: {prepared}")
        first = child("--import", str(manifest))
        log(f"bench: first import {first}")
        # Rolled back: the re-import ran in the first one's transaction (a second process would find nothing).
        again = first.pop("reimport") if ROLLBACK else child("--import", str(manifest))
        result = {**prepared, "import": first, "reimport": again}
        # The machine is shared: its load (1, 5, 15 minutes) when the bench started and ended.
        result["load_average"] = {"start": load_at_start, "end": [round(x, 2) for x in os.getloadavg()]}
        if template:
            result["template"] = {"name": template, **seeded}
    finally:
        manifest.unlink(missing_ok=True)
        if url.startswith("sqlite:///") and not os.environ.get("BENCH_REUSE"):
            Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        if context is not None:
            context.__exit__(None, None, None)
    print(json.dumps(result, indent=2), flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "manifest.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

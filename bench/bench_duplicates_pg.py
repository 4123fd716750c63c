"""Duplicate check against a large register on PostgreSQL (the issue's target: 1,000,000 people, p50 <= 50 ms).

Loads N synthetic people (bench_matching_core's deterministic generator, Zipf-like Hispanic names) into
one organisation of a migrated Reintegra database, fast and as the services store them: returnees with
their names and birth dates encrypted (one Fernet token per value, no reuse) and the derived columns,
their blocking keys as keyed hashes (name_index.identity_index), one case each and, for 5% of them, an
identity document, all written with PostgreSQL COPY (secondary indexes and foreign keys are dropped
during the load and rebuilt after it), then VACUUM ANALYZE. The name search index (NameToken) is not
loaded: the duplicate check does not read it. Then, as a supervisor of that organisation (who may see its
whole register: a case manager would be shown the loaded people, none of whom is theirs, only as "a
possible match exists"), it times:

- ``selectors.duplicate_candidates`` (key lookup, candidate fetch, scoring, case numbers) for Q queries:
  half perturbed copies of loaded people (a typo, swapped surnames, a dropped second surname, or
  accents stripped and upper-cased), half new people, plus 20 queries carrying the document number
  of a loaded holder (half with a perturbed name, half under another person's name);
- ``POST /api/v1/returnees/duplicates/`` with a token (in-process Django test client) for A of them (the
  per-user rate limit is lifted for the bench: REINTEGRA_DUPLICATE_CHECKS_PER_MINUTE).

Prints one JSON object on stdout and writes bench/results/duplicates_pg.json:

  load_seconds                                 generate + COPY + rebuild indexes + VACUUM ANALYZE
  check_p50_ms / check_p95_ms / check_max_ms   whole selector call, wall clock
  check_cpu_p50_ms / check_cpu_p95_ms          CPU time of this process and its PostgreSQL backend
                                               per call: about the wall time on an idle machine
                                               (load_average_1m says how busy this one was)
  api_p50_ms / api_p95_ms / api_max_ms         whole API request (auth, validation, audit, JSON)
  mean_candidates                              distinct people sharing a query key (key table)
  recall_at_1                                  perturbed queries whose original is ranked first
  document_found_first                         document queries whose holder is ranked first
  false_positive_rate                          new-person queries with a candidate scoring >= 0.8
  second_given_name_alone_recall_at_1          Q/10 more people now giving only their second given name

Database: BENCH_DATABASE_URL (a PostgreSQL database it may wipe), or else a throw-away PostgreSQL 15
started under /tmp (run as the postgres user when running as root) and removed at the end.

Usage: python bench/bench_duplicates_pg.py [--people N] [--queries Q] [--api-queries A] [--seed S]
       [--workers W] [--explain] [--key-returnee-index] [--skip-load]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import multiprocessing
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_matching_core import DEFAULT_SEED, MALE_GIVEN, Generator  # noqa: E402

from reintegra.cases import matching  # noqa: E402  (pure Python, no Django)

PGBIN = Path(os.environ.get("BENCH_PGBIN", "/usr/lib/postgresql/15/bin"))
# Durability is irrelevant for a throw-away database; query-time settings stay at PostgreSQL's defaults.
PG_OPTIONS = (
    "-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    " -c max_wal_size=8GB -c maintenance_work_mem=512MB"
)
INITDB_OPTIONS = ("--encoding=UTF8", "--locale=C.UTF-8")
LOADED_TABLES = ("cases_returnee", "cases_case", "cases_matchkey", "cases_identitydocument")
WHAT_IF_INDEX = "bench_match_key_returnee_idx"
CHUNK = 10_000
PROGRESS_EVERY = 100_000
DOCUMENT_QUERIES = 20
# Stored key ids are person id * KEY_SLOTS + n, so they are unique without coordination between workers.
KEY_SLOTS = 16
NATIONALITIES = ("MX", "MX", "MX", "MX", "GT", "GT", "HN", "HN", "SV", "SV")
CASE_STATUSES = ("registered", "assessed", "plan_agreed", "in_follow_up")
TIMESTAMP = "2025-01-15 12:00:00+00"
_MALE_FIRST_NAMES = frozenset(MALE_GIVEN)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------------
# The database
# ---------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def database() -> Iterator[tuple[str, bool]]:
    """(url, external): BENCH_DATABASE_URL, or a PostgreSQL 15 started here and removed afterwards."""
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if url:
        if not url.startswith(("postgres://", "postgresql://")):
            raise SystemExit("BENCH_DATABASE_URL must be a PostgreSQL URL")
        yield url, True
        return
    if not (PGBIN / "initdb").exists():
        raise SystemExit(f"no PostgreSQL binaries in {PGBIN}; set BENCH_PGBIN or BENCH_DATABASE_URL")
    as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    root = Path(tempfile.mkdtemp(prefix="reintegra-bench-pg.", dir="/tmp"))
    root.chmod(0o777)  # the postgres user writes the cluster here
    data, port = root / "data", _free_port()
    started = False
    try:
        _run([*as_pg, str(PGBIN / "initdb"), "-D", str(data), "-U", "reintegra", "-A", "trust", *INITDB_OPTIONS])
        server = ["-l", str(root / "server.log"), "-o", f"-p {port} -k {root} {PG_OPTIONS}"]
        _run([*as_pg, str(PGBIN / "pg_ctl"), "-D", str(data), *server, "-w", "start"])
        started = True
        _run([*as_pg, str(PGBIN / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "reintegra", "reintegra"])
        log(f"bench: PostgreSQL started on 127.0.0.1:{port} in {root}")
        yield f"postgres://reintegra@127.0.0.1:{port}/reintegra", False
    finally:
        if started:
            subprocess.run(
                [*as_pg, str(PGBIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                check=False,
                capture_output=True,
            )
        shutil.rmtree(root, ignore_errors=True)
        log("bench: PostgreSQL stopped and removed" if started else "bench: PostgreSQL could not start")


def _run(command: list[str]) -> None:
    done = subprocess.run(command, check=False, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {(done.stderr or done.stdout)[-2000:]}")


def _connect(url: str) -> Any:
    import psycopg

    return psycopg.connect(url, autocommit=True)


def wipe_and_migrate(url: str) -> None:
    with _connect(url) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "reintegra.settings"}
    subprocess.run([sys.executable, "-m", "reintegra", "migrate", "--verbosity", "0"], env=env, check=True, cwd=ROOT)


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "reintegra.settings"
    os.environ.setdefault("REINTEGRA_DEBUG", "0")  # no query log in memory
    # The bench times the check, not the per-user limit that stops a user after 30 checks a minute.
    os.environ.setdefault("REINTEGRA_DUPLICATE_CHECKS_PER_MINUTE", "100000000")
    import django

    django.setup()


def bench_user() -> Any:
    from reintegra.access.models import Organisation, RoleAssignment, User
    from reintegra.access.roles import Role

    org, _ = Organisation.objects.get_or_create(code="bench", defaults={"name": "Bench", "country": "MX"})
    user, _ = User.objects.get_or_create(username="bench-supervisor", defaults={"organisation": org})
    RoleAssignment.objects.get_or_create(user=user, role=Role.SUPERVISOR)
    return User.objects.get(pk=user.pk)


# ---------------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------------

RETURNEE_COLUMNS = (
    "id, organisation_id, given_names, first_family_name, second_family_name, sex, gender_identity, birth_date,"
    " estimated_birth_year, nationality, phone, languages, return_country, locality, address, attention_flags,"
    " created_at, updated_at, birth_year, birth_date_index, match_record"
)
CASE_COLUMNS = (
    "id, case_number, returnee_id, organisation_id, status, opened_on, return_date, return_type, host_country,"
    " transit_countries, reception_place, reception_assistance, causes_of_migration, causes_note, closure_reason,"
    " closure_category, closure_note, created_at, updated_at"
)
KEY_COLUMNS = "id, returnee_id, organisation_id, key"
DOCUMENT_COLUMNS = "id, returnee_id, organisation_id, document_type, number, number_index, issuing_country"
COPY_COLUMNS = {
    "cases_returnee": RETURNEE_COLUMNS,
    "cases_case": CASE_COLUMNS,
    "cases_matchkey": KEY_COLUMNS,
    "cases_identitydocument": DOCUMENT_COLUMNS,
}

# Set before the worker pool forks, so workers read the people without pickling them.
_PEOPLE: list[matching.PersonRecord] = []
_ORG_ID = 0


def has_document(pid: int) -> bool:
    return pid % 20 == 7  # 5% of people


def document_number(pid: int) -> str:
    # A bijection on 10-digit numbers (the multiplier is prime to 10): unique, not sequential.
    return f"{NATIONALITIES[pid % 10]}{pid * 2654435761 % 10**10:010d}"


def case_number(pid: int) -> str:
    return f"BENCH-{2019 + pid % 7}-{pid:07d}"


def full_name(p: matching.PersonRecord) -> str:
    family = " ".join(part for part in (p.first_family_name, p.second_family_name) if part)
    return f"{p.given_names} {family}".strip()


def _rows(bounds: tuple[int, int]) -> dict[str, str]:
    """COPY text for people[start:end]: returnees, cases, blocking keys and documents."""
    from reintegra.access import crypto
    from reintegra.cases import name_index

    idx = name_index.indexer()
    encrypt = crypto.encrypt

    start, end = bounds
    returnees: list[str] = []
    cases: list[str] = []
    keys: list[str] = []
    documents: list[str] = []
    org = _ORG_ID
    day0 = date(2019, 1, 1).toordinal()
    for p in _PEOPLE[start:end]:
        pid = p.id
        nat = NATIONALITIES[pid % 10]
        sex = "male" if p.given_names.split()[0] in _MALE_FIRST_NAMES else "female"
        estimated = p.birth_year if p.birth_date is None else None
        identity = name_index.identity_index(
            idx, org, p.given_names, p.first_family_name, p.second_family_name, p.birth_date, estimated
        )
        birth_date = encrypt(p.birth_date.isoformat()) if p.birth_date else "\\N"
        estimated_year = str(estimated) if estimated is not None else "\\N"
        birth_year = str(identity.birth_year) if identity.birth_year is not None else "\\N"
        birth_index = str(identity.birth_date_index) if identity.birth_date_index is not None else "\\N"
        # Fernet tokens are base64: nothing to escape for COPY.
        given, first, second = (
            encrypt(s) if s else "" for s in (p.given_names, p.first_family_name, p.second_family_name)
        )
        returnees.append(
            f"{pid}\t{org}\t{given}\t{first}\t{second}\t{sex}\t\t{birth_date}\t{estimated_year}\t{nat}\t\t\t{nat}"
            f"\t\t\t[]\t{TIMESTAMP}\t{TIMESTAMP}\t{birth_year}\t{birth_index}\t{encrypt(identity.match_record)}\n"
        )
        number = case_number(pid)
        returned = date.fromordinal(day0 + pid * 7919 % 2400).isoformat()
        status = CASE_STATUSES[pid % 4]
        cases.append(
            f"{pid}\t{number}\t{pid}\t{org}\t{status}\t{returned}\t{returned}\tforced\tUS\t[]\t\t[]\t[]\t\t\t\t"
            f"\t{TIMESTAMP}\t{TIMESTAMP}\n"
        )
        stored = identity.match_keys
        if len(stored) > KEY_SLOTS:
            raise RuntimeError(f"{len(stored)} blocking keys for one person; raise KEY_SLOTS")
        keys.extend(f"{pid * KEY_SLOTS + n}\t{pid}\t{org}\t{key}\n" for n, key in enumerate(stored))
        if has_document(pid):
            doc = document_number(pid)
            kind = "passport" if pid % 3 else "national_id"
            documents.append(f"{pid}\t{pid}\t{org}\t{kind}\t{encrypt(doc)}\t{crypto.document_index(doc)}\t{nat}\n")
    return {
        "cases_returnee": "".join(returnees),
        "cases_case": "".join(cases),
        "cases_matchkey": "".join(keys),
        "cases_identitydocument": "".join(documents),
    }


def _check_columns(conn: Any) -> None:
    """Every NOT NULL column without a database default must be written, or COPY fails half-way."""
    required = conn.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'"
        " AND table_name = ANY(%s) AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'",
        [list(LOADED_TABLES)],
    ).fetchall()
    written = {table: {c.strip() for c in columns.split(",")} for table, columns in COPY_COLUMNS.items()}
    missing = sorted(f"{table}.{column}" for table, column in required if column not in written[table])
    if missing:
        raise SystemExit(f"bench: the schema has NOT NULL columns this loader does not write: {', '.join(missing)}")


def _drop_secondary(conn: Any) -> list[str]:
    """Drops the loaded tables' foreign keys and non-constraint indexes and turns their organisation-key triggers
    off; returns the DDL recreating them (and checking what the triggers would have)."""
    recreate: list[str] = []
    fks = conn.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
        [list(LOADED_TABLES)],
    ).fetchall()
    indexes = conn.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY(%s)"
        " AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))",
        [list(LOADED_TABLES)],
    ).fetchall()
    # The organisation key the blocking keys hold by a statement trigger (access.org_key.statement_key_sql): the
    # tables are loaded on connections of their own, so a COPY of keys ends before its people are committed.
    # Turned off for the load, then every loaded key checked at once, as adding a foreign key back checks it.
    guards = conn.execute(
        "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal"
        " AND tgrelid::regclass::text = ANY(%s) AND tgname LIKE '%%org_key_ins'",
        [list(LOADED_TABLES)],
    ).fetchall()
    for table, name, _definition in fks:
        conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    for table, name in guards:
        conn.execute(f'ALTER TABLE {table} DISABLE TRIGGER "{name}"')
    recreate.extend(definition for _name, definition in indexes)
    recreate.extend(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for table, name, definition in fks)
    for table, name in guards:
        recreate.append(f'ALTER TABLE {table} ENABLE TRIGGER "{name}"')
        recreate.append(
            f"DO $$ BEGIN IF EXISTS (SELECT 1 FROM {table} k WHERE NOT EXISTS (SELECT 1 FROM cases_returnee r"  # noqa: S608
            " WHERE r.id = k.returnee_id AND r.organisation_id = k.organisation_id)) THEN"
            f" RAISE EXCEPTION 'a row of {table} names no returnee of its organisation'; END IF; END $$"
        )
    return recreate


def load(url: str, people: list[matching.PersonRecord], org_id: int, workers: int) -> dict[str, Any]:
    global _PEOPLE, _ORG_ID
    from django.db import connections
    from psycopg import sql

    connections.close_all()  # nothing Django opened may cross the fork
    _PEOPLE, _ORG_ID = people, org_id
    started = time.perf_counter()
    with _connect(url) as ddl:
        _check_columns(ddl)
        recreate = _drop_secondary(ddl)
    conns = {table: _connect(url) for table in LOADED_TABLES}
    counts: dict[str, int] = defaultdict(int)
    try:
        with contextlib.ExitStack() as stack:
            copies = {}
            for table, conn in conns.items():
                conn.autocommit = False
                cursor = stack.enter_context(conn.cursor())
                copies[table] = stack.enter_context(cursor.copy(f"COPY {table} ({COPY_COLUMNS[table]}) FROM STDIN"))
            bounds = [(i, min(i + CHUNK, len(people))) for i in range(0, len(people), CHUNK)]
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                for (lo, hi), chunk in zip(bounds, pool.imap(_rows, bounds), strict=True):
                    for table, text in chunk.items():
                        if text:
                            copies[table].write(text)
                            counts[table] += text.count("\n")
                    if (hi // PROGRESS_EVERY) > (lo // PROGRESS_EVERY) or hi == len(people):
                        log(f"bench: loaded {hi:,}/{len(people):,} people ({time.perf_counter() - started:.0f} s)")
        for conn in conns.values():
            conn.commit()
    finally:
        for conn in conns.values():
            conn.close()
    copied = time.perf_counter() - started
    with _connect(url) as conn:
        for statement in recreate:
            conn.execute(statement)
        for table in LOADED_TABLES:
            top = conn.execute(sql.SQL("SELECT coalesce(max(id), 1) FROM {}").format(sql.Identifier(table))).fetchone()
            conn.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, top[0]])
        indexed = time.perf_counter() - started
        log(f"bench: indexes and foreign keys rebuilt ({indexed:.0f} s)")
        # The steady state autovacuum reaches on its own: statistics and a visibility map.
        conn.execute(f"VACUUM (ANALYZE) {', '.join(LOADED_TABLES)}")
    _PEOPLE = []
    total = time.perf_counter() - started
    log(f"bench: vacuumed and analysed ({total:.0f} s)")
    return {
        "copy_seconds": round(copied, 1),
        "index_seconds": round(indexed - copied, 1),
        "vacuum_analyze_seconds": round(total - indexed, 1),
        "rows": dict(counts),
    }


# ---------------------------------------------------------------------------------------------------
# Queries
# ---------------------------------------------------------------------------------------------------


def make_queries(
    gen: Generator, people: list[matching.PersonRecord], n_queries: int, seed: int
) -> list[dict[str, Any]]:
    """Perturbed copies, new people, then document queries; shuffled so caches warm evenly across kinds."""
    rng = gen.rng
    queries: list[dict[str, Any]] = []
    n_dup = n_queries // 2
    for _ in range(n_dup):
        original = people[rng.randrange(len(people))]
        kind, person = gen.perturb(original)
        queries.append({"kind": kind, "expected": original.id, "person": person, "documents": []})
    for _ in range(n_queries - n_dup):
        queries.append({"kind": "new", "expected": None, "person": gen.person(0), "documents": []})
    holders = [p for p in people if has_document(p.id)]
    for i in range(DOCUMENT_QUERIES):
        holder = holders[rng.randrange(len(holders))]
        if i % 2 == 0:
            kind, person = gen.perturb(holder)
            kind = f"document+{kind}"
        else:
            # Registered under another name (or a name typed beyond recognition): only the document links.
            kind, person = "document+other_name", gen.person(0)
        number = document_number(holder.id)
        typed = f"{number[:2]} {number[2:6]}-{number[6:]}"  # as typed: spaces and dashes, normalised away
        queries.append({"kind": kind, "expected": holder.id, "person": person, "documents": [typed]})
    random.Random(seed).shuffle(queries)
    return queries


def second_given_name_queries(people: list[matching.PersonRecord], n: int, seed: int) -> list[dict[str, Any]]:
    """People registered with two given names who now give only the second ("José Luis" -> "Luis").

    Not among the generator's perturbations; measured apart because its blocking rests on the surname
    pair key alone, which the candidate cap of a check at this scale must not lose.
    """
    rng = random.Random(seed + 1)
    queries: list[dict[str, Any]] = []
    while len(queries) < n:
        original = people[rng.randrange(len(people))]
        given = original.given_names.split()
        if len(given) != 2 or matching.normalize_name(given[1]) in {"de", "del"}:
            continue
        person = dataclasses.replace(original, id=0, given_names=given[1])
        queries.append({"kind": "second_given_name_alone", "expected": original.id, "person": person})
    return queries


def candidate_count(org_id: int, person: matching.PersonRecord) -> int:
    from django.db import connection

    from reintegra.cases import name_index

    keys = name_index.indexer().blocking_keys(org_id, matching.query_keys(person))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(DISTINCT mk.returnee_id) FROM cases_matchkey mk"
            " JOIN cases_returnee r ON r.id = mk.returnee_id WHERE mk.key = ANY(%s) AND r.organisation_id = %s",
            [keys, org_id],
        )
        return cursor.fetchone()[0]


def explain(user: Any, person: matching.PersonRecord) -> None:
    """EXPLAIN ANALYZE of every statement one duplicate check runs, on stderr."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reintegra.cases import selectors

    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        selectors.duplicate_candidates(user, person)
        elapsed = (time.perf_counter() - start) * 1000
    log(f"bench: explain {full_name(person)!r}: {len(ctx.captured_queries)} statements, {elapsed:.1f} ms in all")
    with connection.cursor() as cursor:
        for query in ctx.captured_queries:
            log(f"--- {query['time']} s: {query['sql'][:300]}")
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            log("\n".join(row[0] for row in cursor.fetchall()))


def _schedstat(pid: int | str) -> tuple[int, int] | None:
    """(ns on a CPU, ns waiting for one) of a local process, from the kernel's scheduler statistics."""
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            run, wait, _slices = f.read().split()
    except (OSError, ValueError):
        return None
    return int(run), int(wait)


class CpuMeter:
    """CPU time this process and its PostgreSQL backend spend on one call, and time they wait for a CPU.

    On a busy machine wall-clock time includes waiting for a CPU; the CPU time is roughly what the call
    takes on an idle one. The backend is only measured when PostgreSQL runs on this machine.
    """

    def __init__(self) -> None:
        self.cpu_ms: list[float] = []
        self.wait_ms: list[float] = []

    @contextlib.contextmanager
    def measure(self) -> Iterator[None]:
        from django.db import connection

        connection.ensure_connection()
        backend = connection.connection.info.backend_pid
        client0, server0 = _schedstat("self"), _schedstat(backend)
        yield
        client1, server1 = _schedstat("self"), _schedstat(backend)
        if client0 and server0 and client1 and server1:
            self.cpu_ms.append((client1[0] - client0[0] + server1[0] - server0[0]) / 1e6)
            self.wait_ms.append((client1[1] - client0[1] + server1[1] - server0[1]) / 1e6)

    def figures(self, prefix: str) -> dict[str, float | None]:
        if not self.cpu_ms:
            return {f"{prefix}_cpu_p50_ms": None, f"{prefix}_cpu_p95_ms": None, f"{prefix}_cpu_wait_p50_ms": None}
        return {
            f"{prefix}_cpu_p50_ms": ms(statistics.median(self.cpu_ms)),
            f"{prefix}_cpu_p95_ms": ms(percentile(self.cpu_ms, 0.95)),
            f"{prefix}_cpu_wait_p50_ms": ms(statistics.median(self.wait_ms)),
        }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def ms(value: float) -> float:
    return round(value, 2)


def api_params(query: dict[str, Any]) -> dict[str, str]:
    from django.utils import timezone

    person: matching.PersonRecord = query["person"]
    params = {
        "given_names": person.given_names,
        "first_family_name": person.first_family_name,
        "second_family_name": person.second_family_name,
    }
    if person.birth_date:
        params["birth_date"] = person.birth_date.isoformat()
    elif person.birth_year is not None:
        params["estimated_age"] = str(timezone.localdate().year - person.birth_year)
    if query["documents"]:
        params["document_number"] = query["documents"][0]
    return params


def _measure_api(user: Any, queries: list[dict[str, Any]], api_queries: int) -> dict[str, Any]:
    """The same check through the API, on a sample of the queries: times and recall."""
    from django.test import Client

    from reintegra.access import api_tokens

    _token, secret = api_tokens.issue(user, name="bench", second_factor=True)
    client = Client(HTTP_AUTHORIZATION=f"Token {secret}")
    api_sample = queries[:: max(1, len(queries) // api_queries)][:api_queries]
    url = "/api/v1/returnees/duplicates/"
    for query in api_sample[:5]:  # warm-up
        client.post(url, api_params(query), content_type="application/json")
    api_ms: list[float] = []
    api_cpu = CpuMeter()
    api_found = api_known = 0
    for query in api_sample:
        params = api_params(query)
        with api_cpu.measure():
            start = time.perf_counter()
            response = client.post(url, params, content_type="application/json")
            api_ms.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"API answered {response.status_code}: {response.content[:300]!r}")
        body = response.json()
        if query["expected"] is not None:
            api_known += 1
            found_ids = [c["id"] for c in body["candidates"]]
            api_found += bool(found_ids) and found_ids[0] == query["expected"]

    return {
        "api_queries": len(api_ms),
        "api_p50_ms": ms(statistics.median(api_ms)),
        "api_p95_ms": ms(percentile(api_ms, 0.95)),
        "api_max_ms": ms(max(api_ms)),
        **api_cpu.figures("api"),
        # Through the API: the known person (perturbed or document queries) first.
        "api_recall_at_1": round(api_found / api_known, 4) if api_known else None,
    }


def measure(
    user: Any, gen: Generator, queries: list[dict[str, Any]], api_queries: int, extra: list[dict[str, Any]]
) -> dict[str, Any]:
    from reintegra.cases import selectors

    for _ in range(20):  # warm-up: connection, caches; not counted
        selectors.duplicate_candidates(user, gen.person(0))

    timings: list[float] = []
    check_cpu = CpuMeter()
    by_kind: dict[str, list[float]] = defaultdict(list)
    name_hits = name_total = doc_hits = doc_total = false_positives = new_total = 0
    misses: dict[str, int] = defaultdict(int)
    for query in queries:
        with check_cpu.measure():
            start = time.perf_counter()
            found = selectors.duplicate_candidates(user, query["person"], query["documents"])
            elapsed = (time.perf_counter() - start) * 1000
        timings.append(elapsed)
        group = "document" if query["documents"] else ("new" if query["expected"] is None else "perturbed")
        by_kind[group].append(elapsed)
        first = found[0].returnee.pk if found else None
        if query["documents"]:
            doc_total += 1
            doc_hits += first == query["expected"]
        elif query["expected"] is None:
            new_total += 1
            false_positives += any(c.match.score >= 0.8 for c in found)
        else:
            name_total += 1
            if first == query["expected"]:
                name_hits += 1
            else:
                misses[query["kind"]] += 1

    extra_hits = 0
    for query in extra:  # recall only; not in the timings above
        found = selectors.duplicate_candidates(user, query["person"])
        extra_hits += bool(found) and found[0].returnee.pk == query["expected"]

    log("bench: counting candidates per query")
    counts = [candidate_count(user.organisation_id, q["person"]) for q in queries if not q["documents"]]

    api = _measure_api(user, queries, api_queries)

    return {
        "queries": len(queries),
        "perturbed_queries": name_total,
        "new_queries": new_total,
        "document_queries": doc_total,
        "check_p50_ms": ms(statistics.median(timings)),
        "check_p95_ms": ms(percentile(timings, 0.95)),
        "check_max_ms": ms(max(timings)),
        "check_mean_ms": ms(statistics.fmean(timings)),
        "check_p50_ms_by_kind": {kind: ms(statistics.median(values)) for kind, values in sorted(by_kind.items())},
        **check_cpu.figures("check"),
        **api,
        "mean_candidates": round(statistics.fmean(counts), 1),
        "median_candidates": statistics.median(counts),
        "p95_candidates": percentile([float(c) for c in counts], 0.95),
        "max_candidates": max(counts),
        "recall_at_1": round(name_hits / name_total, 4) if name_total else None,
        "misses_by_kind": dict(sorted(misses.items())),
        "second_given_name_alone_queries": len(extra),
        "second_given_name_alone_recall_at_1": round(extra_hits / len(extra), 4) if extra else None,
        "document_found_first": round(doc_hits / doc_total, 4) if doc_total else None,
        "false_positive_rate": round(false_positives / new_total, 4) if new_total else None,
    }


# ---------------------------------------------------------------------------------------------------


def run(url: str, external: bool, args: argparse.Namespace) -> dict[str, Any]:
    if not args.skip_load:
        log("bench: migrating")
        wipe_and_migrate(url)
    setup_django(url)
    from django.db import connection

    user = bench_user()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM cases_returnee WHERE organisation_id = %s", [user.organisation_id])
        present = cursor.fetchone()[0]

    started = time.perf_counter()
    gen = Generator(args.seed)
    people = gen.people(args.people)
    generated = time.perf_counter() - started
    log(f"bench: generated {len(people):,} people ({generated:.0f} s)")
    if args.skip_load:
        if present != args.people:
            raise SystemExit(f"--skip-load: the database holds {present} people of the bench organisation")
        loaded: dict[str, Any] = {}
        load_seconds = None
    else:
        loaded = load(url, people, user.organisation_id, args.workers)
        load_seconds = round(time.perf_counter() - started, 1)

    queries = make_queries(gen, people, args.queries, args.seed)
    extra = second_given_name_queries(people, args.queries // 10, args.seed)
    del people
    with _connect(url) as conn:
        # What-if only, not part of the schema: the key table indexed on (key, returnee_id) lets the key
        # lookup read the index alone instead of one table page per key row.
        if args.key_returnee_index:
            conn.execute(f"CREATE INDEX IF NOT EXISTS {WHAT_IF_INDEX} ON cases_matchkey (key, returnee_id)")
            conn.execute("VACUUM (ANALYZE) cases_matchkey")
        else:
            conn.execute(f"DROP INDEX IF EXISTS {WHAT_IF_INDEX}")
    if args.explain:
        common = matching.PersonRecord(0, "José Luis", "Hernández", "García", birth_date=date(1990, 5, 17))
        explain(user, common)
        explain(user, queries[0]["person"])
    load_before = os.getloadavg()[0]
    figures = measure(user, gen, queries, args.api_queries, extra)
    return {
        "benchmark": "duplicate check on PostgreSQL",
        "people": args.people,
        "database": f"postgresql {version}" + (" (BENCH_DATABASE_URL)" if external else " (throw-away, fsync=off)"),
        "cpu_count": os.cpu_count(),
        # Other work on the machine slows every figure below; this says how busy it was.
        "load_average_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "what_if_key_returnee_index": args.key_returnee_index,
        "seed": args.seed,
        "load_seconds": load_seconds,
        "generate_seconds": round(generated, 1),
        **{k: v for k, v in loaded.items() if k != "rows"},
        "loaded_rows": loaded.get("rows"),
        **figures,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=500, help="name queries (half perturbed, half new)")
    parser.add_argument("--api-queries", type=int, default=100)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes computing rows")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE one check's statements (stderr)")
    parser.add_argument(
        "--key-returnee-index",
        action="store_true",
        help="what-if: measure with an extra index on cases_matchkey (key, returnee_id), which no migration makes",
    )
    parser.add_argument(
        "--skip-load", action="store_true", help="with BENCH_DATABASE_URL: reuse the people an earlier run loaded"
    )
    args = parser.parse_args()
    if args.skip_load and not os.environ.get("BENCH_DATABASE_URL"):
        parser.error("--skip-load needs BENCH_DATABASE_URL")

    def stop(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)  # unwinds through database()'s finally

    signal.signal(signal.SIGTERM, stop)
    with database() as (url, external):
        result = run(url, external, args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "duplicates_pg.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main()

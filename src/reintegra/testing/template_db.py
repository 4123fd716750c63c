"""A migrated, empty database built once per test run and copied wherever the tests need a migrated database: each
xdist worker's test database (the root conftest.py's `django_db_setup`), the browser tests' server, the two
installations of the hand-over, `reintegra serve`.

Each of them ran all the migrations from scratch: about 40 s of CPU apiece, several times per run on a two-core
CI. The copy is what `reintegra migrate` makes on an empty database, built by that very command: a SQLite file
(loaded into a worker's in-memory test database with SQLite's backup), and on PostgreSQL (DATABASE_URL) a database
on the same server copied with CREATE DATABASE ... TEMPLATE. Both are kept for one run only (xdist's run id names
them), so a changed migration or data file can never leave a stale copy behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pickle
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(tempfile.gettempdir()) / "reintegra-test-templates"
# The size of the demo the demo content tests share (the root conftest.py's `demo_site`).
DEMO_CASES = 40
STALE_AFTER_SECONDS = 24 * 3600


def _run_id() -> str:
    # The same for the controller and every xdist worker of one run; a plain run uses its own process id.
    return os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"pid{os.getpid()}"


def _drop_stale() -> None:
    cutoff = time.time() - STALE_AFTER_SECONDS
    for path in ROOT.glob("*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass  # another run is cleaning up too


def _migrate(database_url: str) -> None:
    """`reintegra migrate` with the test settings on the (empty) database at `database_url`."""
    home = Path(tempfile.mkdtemp(prefix="reintegra-template-home-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REINTEGRA_", "DJANGO_", "DATABASE_"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "reintegra.settings.test",
        "DATABASE_URL": database_url,
        "REINTEGRA_HOME": str(home),
    }
    try:
        subprocess.run(
            [sys.executable, "-m", "reintegra", "migrate", "--no-input", "-v", "0"],
            env=env,
            check=True,
            capture_output=True,
            timeout=900,
        )
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _build(target: Path) -> None:
    partial = target.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    _migrate(f"sqlite:///{partial}")
    partial.replace(target)  # whole or absent: a worker never copies a half-migrated file


def migrated_sqlite() -> Path:
    """The run's migrated empty SQLite file, built by the first test that asks (the others wait for it)."""
    ROOT.mkdir(exist_ok=True)
    target = ROOT / f"{_run_id()}.sqlite3"
    if target.exists():
        return target
    with (ROOT / f"{_run_id()}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.exists():
            _drop_stale()
            _build(target)
    return target


def copy_migrated_sqlite(destination: Path) -> Path:
    """A migrated empty database at `destination`, as `reintegra migrate` would leave it."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(migrated_sqlite(), destination)
    return destination


# The test databases: each xdist worker's test database is a copy of the run's migrated template, not a migration of
# its own (the migrations take ~40 s of CPU; a copy takes well under a second).


def _postgres_url(settings_dict: dict[str, Any], name: str) -> str:
    user = quote(settings_dict.get("USER") or "")
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{quote(password)}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "localhost"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{name}"


def postgres_template_name() -> str:
    return f"reintegra_tpl_{_run_id()[:16]}".lower()


def migrated_postgres(connection: Any) -> str:
    """The run's migrated empty PostgreSQL database on the server of `connection`, built by `reintegra migrate` by
    the first process that asks (the others wait for it), used as a template (CREATE DATABASE ... TEMPLATE)."""
    ROOT.mkdir(exist_ok=True)
    name = postgres_template_name()
    ready = ROOT / f"{_run_id()}.{name}.ready"
    if ready.exists():
        return name
    with (ROOT / f"{_run_id()}.pg.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not ready.exists():
            with connection.creation._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                cursor.execute(f'CREATE DATABASE "{name}"')
            _migrate(_postgres_url(connection.settings_dict, name))
            ready.touch()
    return name


def clone_postgres(connection: Any, target: str) -> None:
    """`target` (dropped first if it exists) as a copy of the run's migrated PostgreSQL template."""
    template = migrated_postgres(connection)
    if target == connection.settings_dict["NAME"]:
        connection.close()
    with (ROOT / f"{_run_id()}.pg.lock").open("w") as lock:  # one copy of the template at a time
        fcntl.flock(lock, fcntl.LOCK_EX)
        with connection.creation._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{target}" TEMPLATE "{template}"')


def drop_postgres_template(connection: Any) -> None:
    """At the end of the run (the xdist controller, or the only process): the template goes."""
    name = postgres_template_name()
    ready = ROOT / f"{_run_id()}.{name}.ready"
    if not ready.exists():
        return
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    ready.unlink(missing_ok=True)


def load_template(connection: Any) -> None:
    """Fill the (new, empty) test database of `connection` with the run's migrated template: what Django's
    `create_test_db` gets from `migrate`, copied instead of replayed."""
    if connection.vendor == "sqlite":
        source = sqlite3.connect(migrated_sqlite())
        try:
            if connection.creation.is_in_memory_db(connection.settings_dict["NAME"]):
                connection.ensure_connection()
                source.backup(connection.connection)
            else:
                connection.close()
                target = sqlite3.connect(connection.settings_dict["NAME"])
                try:
                    source.backup(target)
                finally:
                    target.close()
        finally:
            source.close()
    elif connection.vendor == "postgresql":
        clone_postgres(connection, connection.settings_dict["NAME"])
    else:  # pragma: no cover - the project runs on SQLite and PostgreSQL only
        raise NotImplementedError(connection.vendor)


@contextlib.contextmanager
def databases_from_template() -> Iterator[None]:
    """While Django sets the test databases up, its `migrate` of the default database is a copy of the template."""
    from django.core import management
    from django.db import DEFAULT_DB_ALIAS, connections

    real = management.call_command

    def call_command(command_name: Any, *args: Any, **options: Any) -> str:
        alias = options.get("database", DEFAULT_DB_ALIAS)
        if command_name == "migrate" and options.get("run_syncdb") and not args and alias == DEFAULT_DB_ALIAS:
            load_template(connections[alias])
            return ""
        return real(command_name, *args, **options)

    management.call_command = call_command
    try:
        yield
    finally:
        management.call_command = real


def new_copy(connection: Any) -> str:
    """A fresh copy of the run's migrated template beside the test database of `connection`: a SQLite file's path or
    a PostgreSQL database's name (drop it with `drop_copy`)."""
    if connection.vendor == "sqlite":
        handle, name = tempfile.mkstemp(prefix="reintegra-copy-", suffix=".sqlite3")
        os.close(handle)
        shutil.copyfile(migrated_sqlite(), name)
        return name
    name = f"{connection.settings_dict['NAME'][:40]}_{os.urandom(4).hex()}"
    clone_postgres(connection, name)
    return name


def drop_copy(connection: Any, name: str) -> None:
    if connection.vendor == "sqlite":
        for leftover in (name, f"{name}-wal", f"{name}-shm"):
            Path(leftover).unlink(missing_ok=True)
        return
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def using_database(connection: Any, name: str) -> Iterator[None]:
    """For the block, `connection` works on the database `name` (a copy: `new_copy`) instead of the worker's test
    database, and outside any transaction. The in-memory SQLite test database is kept alive meanwhile."""
    from django.conf import settings
    from django.db.backends.base.base import BaseDatabaseWrapper

    saved = connection.settings_dict["NAME"]
    keeper = None
    if connection.vendor == "sqlite" and connection.creation.is_in_memory_db(saved):
        keeper = sqlite3.connect(saved, uri=True)
    BaseDatabaseWrapper.close(connection)  # really closed, even the in-memory one (the keeper holds it)
    connection.settings_dict["NAME"] = settings.DATABASES[connection.alias]["NAME"] = name
    try:
        yield
    finally:
        BaseDatabaseWrapper.close(connection)
        connection.settings_dict["NAME"] = settings.DATABASES[connection.alias]["NAME"] = saved
        if keeper is not None:
            connection.ensure_connection()  # back on the in-memory database before the keeper lets go of it
            keeper.close()


@contextlib.contextmanager
def own_database(connection: Any) -> Iterator[None]:
    """For the block, `connection` works on a fresh copy of the run's migrated template instead of the worker's test
    database: a test that unapplies and applies migrations does it there (no flush of the test database
    afterwards, and a failure half-way cannot leave the worker's database half-migrated for the tests after it)."""
    name = new_copy(connection)
    try:
        with using_database(connection, name):
            yield
    finally:
        drop_copy(connection, name)


def computed_once_per_run[T](name: str, compute: Callable[[], T]) -> T:
    """`compute()` run once per test run, whichever xdist worker asks first; the others read its pickled result
    (or wait for it). For a session fixture whose work is long and whose result is plain data, such as the one
    replay of the migrations (tests/migration_round_trip.py): once per worker, it ran on both workers of a run."""
    ROOT.mkdir(exist_ok=True)
    done = ROOT / f"{_run_id()}.{name}.pickle"
    with (ROOT / f"{_run_id()}.{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if done.exists():
            with done.open("rb") as stored:
                kept: T = pickle.load(stored)  # noqa: S301 - written by this very run, just below
            return kept
        result = compute()
        partial = done.with_suffix(".partial")
        with partial.open("wb") as out:
            pickle.dump(result, out)
        partial.replace(done)
        return result


def drop_run_files() -> None:
    """At the end of the run (the xdist controller, or the only process): the results `computed_once_per_run` kept."""
    for path in ROOT.glob(f"{_run_id()}.*.pickle"):
        path.unlink(missing_ok=True)
        path.with_suffix(".lock").unlink(missing_ok=True)

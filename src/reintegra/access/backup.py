"""Backup and restore of the whole database into an encrypted archive (`reintegra backup`, `reintegra restore`).

PostgreSQL: `pg_dump --format=custom` inside an exported snapshot, streamed into the archive; the manifest
(row count and checksum per table) is computed in the same snapshot, so it describes exactly what was dumped.
SQLite: the online backup API (`sqlite3.Connection.backup`) copies a consistent snapshot to a private
temporary file, the manifest is computed on that copy, and the copy is streamed into the archive.

A restore authenticates the whole archive first (to a private temporary file), refuses a database that is
not empty, loads it (`pg_restore --single-transaction`; the backup API), then recomputes every table's count
and checksum and compares them with the manifest. The audit trail's append-only guard is never lifted: the
rows are inserted (which it allows) and its triggers come with the data (pg_restore creates them after
loading the rows; SQLite copies the database file as it is); the restore checks they are in place.

Checksums (`TABLE_CHECKSUM`): SHA-256 over each row's text, length-prefixed, rows ordered by primary key,
computed by the same function on the backup's snapshot and on the restored database. Encrypted fields stay
encrypted throughout: a restored database needs the field keys it was written with (docs/backup.md).
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import IO, Any

import dj_database_url
import psycopg
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections

from reintegra.access import append_only
from reintegra.access.backup_archive import ArchiveWriter, OpenedArchive, key_id, open_archive
from reintegra.settings.keys import backup_keys

TABLE_CHECKSUM = "sha256 of length-prefixed row texts, ordered by primary key (v1)"
PG_DUMP_FORMAT = "pg_dump custom"
SQLITE_FORMAT = "sqlite database file"
# libpq parameters a Django OPTIONS dict may carry that pg_dump/pg_restore must see too (as PG* variables).
LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}
# Row texts independent of the session: the same rows give the same checksum on backup and on restore.
PG_STABLE_OUTPUT = (
    "SET LOCAL TimeZone = 'UTC'",
    "SET LOCAL DateStyle = 'ISO, YMD'",
    "SET LOCAL IntervalStyle = 'postgres'",
    "SET LOCAL extra_float_digits = 3",
    "SET LOCAL bytea_output = 'hex'",
)
Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot go on: the message says why and what to do."""


def _quiet(message: str) -> None:
    del message


# --- configuration ----------------------------------------------------------------------------------------


def configured_keys() -> list[bytes]:
    """The backup keys, newest first; a backup key that is also a field key is refused."""
    try:
        keys = backup_keys(list(settings.REINTEGRA_BACKUP_KEY), settings.REINTEGRA_BACKUP_KEY_FILE)
    except ImproperlyConfigured as exc:
        raise BackupError(str(exc)) from None
    field_keys = {value.strip().encode() for value in settings.REINTEGRA_FIELD_KEYS}
    if any(base64.urlsafe_b64encode(key) in field_keys for key in keys):
        raise BackupError(
            "A backup key is also in REINTEGRA_FIELD_KEYS. Backups need a key of their own (a stolen archive "
            "must not also need only the field keys): make one with `reintegra backup --generate-key`."
        )
    return keys


def database_settings(alias: str = "default", url: str | None = None) -> dict[str, Any]:
    """The connection settings of a Django database alias, or of a database URL."""
    if url:
        return dict(dj_database_url.parse(url))
    return dict(connections[alias].settings_dict)


def engine(config: dict[str, Any]) -> str:
    name = str(config.get("ENGINE", ""))
    if "postgresql" in name:
        return "postgresql"
    if "sqlite3" in name:
        return "sqlite"
    raise BackupError(f"Backups support PostgreSQL and SQLite, not {name}.")


def pg_bin(program: str) -> str:
    """Where a PostgreSQL client program is: REINTEGRA_PG_BIN, the newest /usr/lib/postgresql/*/bin, PATH."""
    places = [Path(settings.REINTEGRA_PG_BIN)] if settings.REINTEGRA_PG_BIN else []
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: _numeric(p.parent.name))
    places += list(reversed(versions))
    for place in places:
        if (place / program).is_file():
            return str(place / program)
    found = shutil.which(program)
    if not found:
        raise BackupError(f"{program} is not installed (install postgresql-client, or set REINTEGRA_PG_BIN).")
    return found


def _numeric(text: str) -> int:
    return int(text) if text.isdigit() else -1


def _pg_params(config: dict[str, Any]) -> dict[str, str]:
    params = {
        "dbname": str(config.get("NAME") or ""),
        "host": str(config.get("HOST") or ""),
        "port": str(config.get("PORT") or ""),
        "user": str(config.get("USER") or ""),
        "password": str(config.get("PASSWORD") or ""),
    }
    options = config.get("OPTIONS") or {}
    params.update({name: str(options[name]) for name in LIBPQ_OPTIONS if name in options})
    return {name: value for name, value in params.items() if value}


def _pg_environ(config: dict[str, Any]) -> dict[str, str]:
    """The client programs' connection, through PG* variables: a password never appears in a command line."""
    params = _pg_params(config)
    names = {"dbname": "PGDATABASE", "host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD"}
    names.update(LIBPQ_OPTIONS)
    environ = dict(os.environ)  # libpq reads PG* variables for Django's connection too: the same for both
    environ.update({names[name]: value for name, value in params.items()})
    return environ


def _pg_connect(config: dict[str, Any]) -> psycopg.Connection[Any]:
    try:
        conn = psycopg.connect(**_pg_params(config))  # type: ignore[arg-type]
    except psycopg.Error as exc:
        raise BackupError(f"Cannot connect to the database {config.get('NAME')!r}: {exc}".strip()) from None
    # One snapshot for everything the connection reads (the dump, the counts and checksums).
    conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    conn.read_only = True
    return conn


# --- table checksums: the same functions on backup and restore -------------------------------------------------


@dataclass
class TableDigest:
    rows: int
    sha256: str

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "sha256": self.sha256}


def _row_hash() -> tuple[Any, Callable[[bytes], None]]:
    digest = hashlib.sha256()

    def add(data: bytes) -> None:
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)

    return digest, add


def _sqlite_value(value: Any) -> bytes:
    if value is None:
        return b"N"
    if isinstance(value, bytes):
        return b"B" + value.hex().encode()
    if isinstance(value, float):
        return b"F" + repr(value).encode()
    if isinstance(value, int):
        return b"I" + str(value).encode()
    return b"S" + str(value).encode("utf-8", "surrogatepass")


def _sqlite_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
    ).fetchall()
    return [str(row[0]) for row in rows]


def sqlite_digests(conn: sqlite3.Connection) -> dict[str, TableDigest]:
    found = {}
    for table in sqlite_tables(conn):
        columns = conn.execute(f"PRAGMA table_info({_sqlite_quote(table)})").fetchall()
        keys = [str(column[1]) for column in sorted(columns, key=lambda c: c[5]) if column[5]]
        order = ", ".join(_sqlite_quote(key) for key in keys) if keys else "rowid"
        digest, add = _row_hash()
        count = 0
        # Table names come from the database's own catalogue, quoted.
        for row in conn.execute(f"SELECT * FROM {_sqlite_quote(table)} ORDER BY {order}"):  # noqa: S608
            add(b"\x1f".join(_sqlite_value(value) for value in row))
            count += 1
        found[table] = TableDigest(count, digest.hexdigest())
    return found


def _pg_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def pg_tables(conn: psycopg.Connection[Any]) -> list[tuple[str, str]]:
    """(schema, table) of every ordinary table outside the system schemas."""
    rows = conn.execute(
        "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
        "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%' ORDER BY 1, 2"
    ).fetchall()
    return [(str(schema), str(table)) for schema, table in rows]


def _pg_order(conn: psycopg.Connection[Any], qualified: str) -> str:
    rows = conn.execute(
        "SELECT a.attname, a.attcollation <> 0 FROM pg_index i "
        "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
        "WHERE i.indrelid = %s::regclass AND i.indisprimary "
        "ORDER BY array_position(i.indkey::int2[], a.attnum)",
        [qualified],
    ).fetchall()
    if not rows:
        return 'row_text COLLATE "C"'
    # Text keys sort byte-wise: the restored database may have another default collation.
    return ", ".join(
        f'r.{_pg_quote(name)} COLLATE "C"' if collatable else f"r.{_pg_quote(name)}" for name, collatable in rows
    )


def pg_digests(conn: psycopg.Connection[Any]) -> dict[str, TableDigest]:
    """Inside the caller's transaction (a REPEATABLE READ snapshot), one streamed pass per table."""
    for statement in PG_STABLE_OUTPUT:
        conn.execute(statement)
    found = {}
    for schema, table in pg_tables(conn):
        qualified = f"{_pg_quote(schema)}.{_pg_quote(table)}"
        order = _pg_order(conn, qualified)
        digest, add = _row_hash()
        count = 0
        # Names come from the database's own catalogue, quoted.
        query = f"SELECT ROW(r.*)::text AS row_text FROM {qualified} AS r ORDER BY {order}"  # noqa: S608
        with conn.cursor(name="reintegra_backup_rows") as cursor:
            cursor.itersize = 5000
            cursor.execute(query)
            for (text,) in cursor:
                add(text.encode())
                count += 1
        found[table if schema == "public" else f"{schema}.{table}"] = TableDigest(count, digest.hexdigest())
    return found


def _pg_migrations(conn: psycopg.Connection[Any]) -> dict[str, str]:
    if conn.execute("SELECT to_regclass('public.django_migrations')").fetchone() == (None,):
        return {}
    rows = conn.execute("SELECT app, max(name) FROM django_migrations GROUP BY app ORDER BY app").fetchall()
    return {str(app): str(name) for app, name in rows}


def _sqlite_migrations(conn: sqlite3.Connection) -> dict[str, str]:
    if "django_migrations" not in sqlite_tables(conn):
        return {}
    rows = conn.execute("SELECT app, max(name) FROM django_migrations GROUP BY app ORDER BY app").fetchall()
    return {str(app): str(name) for app, name in rows}


# --- backup -------------------------------------------------------------------------------------------------


def _reintegra_version() -> str:
    try:
        return version("reintegra")
    except PackageNotFoundError:
        return "unknown"


def default_archive_name(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return f"reintegra-{now.strftime('%Y%m%dT%H%M%SZ')}.backup"


@dataclass
class BackupResult:
    path: Path
    archive_bytes: int
    archive_sha256: str
    manifest: dict[str, Any]
    key_id: str


def backup(output: Path, *, alias: str = "default", progress: Progress = _quiet) -> BackupResult:
    """Write an encrypted archive of the database `alias` to `output` (a file, or a directory for a named one)."""
    keys = configured_keys()
    config = database_settings(alias)
    vendor = engine(config)
    if output.is_dir():
        output = output / default_archive_name()
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    try:
        # Only the owner reads an archive, even while it is written.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as stream:
            writer = ArchiveWriter(stream, keys[0])
            manifest = _manifest_base(vendor)
            if vendor == "postgresql":
                manifest.update(_dump_postgresql(config, writer, progress))
            else:
                manifest.update(_dump_sqlite(alias, writer, progress))
            manifest["dump"]["bytes"] = writer.dump_bytes
            manifest["dump"]["sha256"] = writer.dump_sha256
            writer.finish(manifest)
            stream.flush()
            os.fsync(stream.fileno())
        partial.replace(output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupResult(output, output.stat().st_size, _file_sha256(output), manifest, key_id(keys[0]))


def _manifest_base(vendor: str) -> dict[str, Any]:
    return {
        "format": "reintegra-backup",
        "version": 1,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "reintegra_version": _reintegra_version(),
        "engine": vendor,
        "table_checksum": TABLE_CHECKSUM,
    }


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while piece := stream.read(1024 * 1024):
            digest.update(piece)
    return digest.hexdigest()


def _dump_postgresql(config: dict[str, Any], writer: ArchiveWriter, progress: Progress) -> dict[str, Any]:
    with _pg_connect(config) as conn:
        # One snapshot for the dump and the manifest: writes during the backup are in neither.
        version_query = "SELECT pg_export_snapshot(), split_part(current_setting('server_version'), ' ', 1)"
        row = conn.execute(version_query).fetchone()
        assert row is not None
        snapshot, server_version = row
        progress(f"pg_dump (PostgreSQL {server_version}, snapshot {snapshot})")
        command = [pg_bin("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}"]
        with tempfile.TemporaryFile() as errors:
            with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, env=_pg_environ(config)) as dump:
                assert dump.stdout is not None
                writer.copy_dump(dump.stdout)
            if dump.returncode != 0:
                raise BackupError(f"pg_dump failed (exit {dump.returncode}): {_tail(errors)}")
        progress("Counting and checksumming every table in the same snapshot")
        tables = pg_digests(conn)
        migrations = _pg_migrations(conn)
        conn.rollback()
    return {
        "server_version": server_version,
        "dump": {"format": PG_DUMP_FORMAT},
        "tables": {name: digest.as_dict() for name, digest in tables.items()},
        "migrations": migrations,
    }


def _tail(stream: IO[bytes], limit: int = 2000) -> str:
    stream.seek(0)
    return stream.read().decode(errors="replace").strip()[-limit:]


@contextmanager
def _private_directory() -> Iterator[Path]:
    """A temporary directory only this user reads (the clear dump lives there for a moment), always removed."""
    with tempfile.TemporaryDirectory(prefix="reintegra-backup-") as name:
        os.chmod(name, 0o700)
        yield Path(name)


def _dump_sqlite(alias: str, writer: ArchiveWriter, progress: Progress) -> dict[str, Any]:
    source = connections[alias]
    source.ensure_connection()
    raw = source.connection
    with _private_directory() as work:
        snapshot = work / "snapshot.sqlite3"
        progress("SQLite online backup to a private temporary copy")
        target = sqlite3.connect(snapshot)
        try:
            raw.backup(target)  # one step: a consistent copy even while the application writes
        finally:
            target.close()
        with _closing_sqlite(snapshot) as copy:
            progress("Counting and checksumming every table of the copy")
            tables = sqlite_digests(copy)
            migrations = _sqlite_migrations(copy)
            server_version = sqlite3.sqlite_version
        with snapshot.open("rb") as stream:
            writer.copy_dump(stream)
    return {
        "server_version": server_version,
        "dump": {"format": SQLITE_FORMAT},
        "tables": {name: digest.as_dict() for name, digest in tables.items()},
        "migrations": migrations,
    }


@contextmanager
def _closing_sqlite(path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(path)
    try:
        yield conn
    finally:
        conn.close()


# --- restore ------------------------------------------------------------------------------------------------


@dataclass
class Verification:
    """How the restored database compares with the manifest."""

    tables: dict[str, TableDigest]
    expected: dict[str, dict[str, Any]]
    guarded: list[str] = field(default_factory=list)
    unguarded: list[str] = field(default_factory=list)

    @property
    def mismatches(self) -> list[str]:
        problems = []
        for name, want in sorted(self.expected.items()):
            got = self.tables.get(name)
            if got is None:
                problems.append(f"{name}: missing (expected {want['rows']} rows)")
            elif got.rows != want["rows"]:
                problems.append(f"{name}: {got.rows} rows, expected {want['rows']}")
            elif got.sha256 != want["sha256"]:
                problems.append(f"{name}: {got.rows} rows as expected, but their checksum differs")
        problems += [f"{name}: not in the backup" for name in sorted(set(self.tables) - set(self.expected))]
        problems += [f"{name}: the append-only guard (triggers) is missing" for name in self.unguarded]
        return problems

    @property
    def ok(self) -> bool:
        return not self.mismatches

    @property
    def rows(self) -> int:
        return sum(digest.rows for digest in self.tables.values())


@dataclass
class RestoreResult:
    archive: OpenedArchive
    verification: Verification


def check(archive: Path) -> OpenedArchive:
    """Authenticate an archive end to end (and its dump checksum) without restoring anything."""
    keys = configured_keys()
    with archive.open("rb") as stream:
        return open_archive(stream, keys)


def restore(
    archive: Path, *, alias: str = "default", url: str | None = None, progress: Progress = _quiet
) -> RestoreResult:
    """Restore `archive` into the empty database `alias` (or `url`), then verify it against the manifest."""
    keys = configured_keys()
    config = database_settings(alias, url)
    vendor = engine(config)
    with _private_directory() as work:
        dump = work / "dump"
        progress("Decrypting and authenticating the whole archive")
        descriptor = os.open(dump, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with archive.open("rb") as stream, os.fdopen(descriptor, "wb") as clear:
            opened = open_archive(stream, keys, clear)
        if opened.manifest.get("engine") != vendor:
            raise BackupError(
                f"This archive holds a {opened.manifest.get('engine')} database; the target is {vendor}. "
                "Restore it into the same kind of database."
            )
        if vendor == "postgresql":
            verification = _restore_postgresql(dump, config, opened, progress)
        else:
            verification = _restore_sqlite(dump, config, opened, progress)
    return RestoreResult(opened, verification)


def _not_empty(vendor: str, name: str, relations: list[str]) -> BackupError:
    sample = ", ".join(relations[:5]) + (", …" if len(relations) > 5 else "")
    how = "createdb NAME" if vendor == "postgresql" else "a new file name"
    return BackupError(
        f"The target database {name} is not empty ({len(relations)} tables, indexes or other objects: {sample}). "
        f"Nothing was restored. Restore into a new, empty database ({how}); do not run migrate on it first."
    )


def _restore_postgresql(dump: Path, config: dict[str, Any], opened: OpenedArchive, progress: Progress) -> Verification:
    with _pg_connect(config) as conn:
        relations = conn.execute(
            "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%' "
            "ORDER BY c.relkind <> 'r', 1"
        ).fetchall()
    if relations:
        raise _not_empty("postgresql", str(config.get("NAME")), [str(row[0]) for row in relations])
    progress("pg_restore into the empty database (one transaction)")
    command = [
        pg_bin("pg_restore"),
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={config.get('NAME')}",
        str(dump),
    ]
    result = subprocess.run(command, capture_output=True, env=_pg_environ(config), check=False)
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip()[-2000:]
        raise BackupError(f"pg_restore failed (exit {result.returncode}); nothing was restored: {message}")
    progress("Counting and checksumming every restored table")
    with _pg_connect(config) as conn:
        tables = pg_digests(conn)
        guarded = [table for table in append_only.TABLES if _pg_guarded(conn, table)]
        conn.rollback()
    return _verification(tables, opened, guarded)


def _pg_guarded(conn: psycopg.Connection[Any], table: str) -> bool:
    row = conn.execute(
        "SELECT count(*) FROM pg_trigger WHERE tgrelid = to_regclass(%s) AND tgname = %s AND tgenabled <> 'D'",
        [table, f"{table}_append_only"],
    ).fetchone()
    return bool(row and row[0])


def _sqlite_guarded(conn: sqlite3.Connection, table: str) -> bool:
    names = {f"{table}_no_update", f"{table}_no_delete"}
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", [table])
    return names <= {str(row[0]) for row in rows}


def _verification(tables: dict[str, TableDigest], opened: OpenedArchive, guarded: list[str]) -> Verification:
    expected = dict(opened.manifest.get("tables", {}))
    unguarded = [table for table in append_only.TABLES if table in expected and table not in guarded]
    return Verification(tables, expected, guarded, unguarded)


def _restore_sqlite(dump: Path, config: dict[str, Any], opened: OpenedArchive, progress: Progress) -> Verification:
    name = str(config.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        raise BackupError("Restore into an SQLite database file (DATABASE_URL=sqlite:////path/to/new.sqlite3).")
    target_path = Path(name)
    with _closing_sqlite(dump) as copy:
        if copy.execute("PRAGMA quick_check").fetchone() != ("ok",):
            raise BackupError("The database in the archive fails SQLite's integrity check; nothing was restored.")
        # The copy is checked before the target is touched: a mismatch leaves the target as it was.
        before = _verification(
            sqlite_digests(copy), opened, [t for t in append_only.TABLES if _sqlite_guarded(copy, t)]
        )
        if not before.ok:
            raise BackupError("The archive's database does not match its manifest: " + "; ".join(before.mismatches))
        if target_path.exists() and target_path.stat().st_size:
            with _closing_sqlite(target_path) as target:
                objects = target.execute(
                    "SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                    "ORDER BY type <> 'table', name"
                ).fetchall()
            if objects:
                raise _not_empty("sqlite", name, [str(row[0]) for row in objects])
        progress("SQLite online backup from the archive into the empty database")
        target_path.parent.mkdir(parents=True, exist_ok=True)
        with _closing_sqlite(target_path) as target:
            copy.backup(target)
    progress("Counting and checksumming every restored table")
    with _closing_sqlite(target_path) as restored:
        tables = sqlite_digests(restored)
        guarded = [table for table in append_only.TABLES if _sqlite_guarded(restored, table)]
    return _verification(tables, opened, guarded)

"""`reintegra backup` and `reintegra restore` on the suite's database (SQLite, and PostgreSQL with
DATABASE_URL): a round trip of every kind of record and the audit trail into a separate empty database,
verified against the manifest; a database that is not empty, a wrong key, an altered or a cut archive are
refused and nothing is restored."""

import sqlite3
import uuid
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from reintegra.access import append_only, backup, backup_archive, crypto
from reintegra.access.models import AccessEvent
from reintegra.cases.models import Case, Returnee
from reintegra.testing import factories
from reintegra.testing.personal_records import build_everything
from reintegra.testing.trail import empty_audit_tables


@pytest.fixture
def trail_emptied_after(transactional_db):
    """pg_dump and the SQLite backup read committed data, hence a transactional test; the flush after it
    deletes every row, which the audit trail's guard refuses: it is emptied first, its guard lifted then."""
    yield
    empty_audit_tables()


@pytest.fixture
def backup_key(settings):
    settings.REINTEGRA_BACKUP_KEY = [backup_archive.generate_key()]
    settings.REINTEGRA_BACKUP_KEY_FILE = ""
    return settings


@pytest.fixture
def scratch(tmp_path):
    """Makes new empty databases to restore into (PostgreSQL: CREATE DATABASE; SQLite: a new file)."""
    created: list[str] = []

    def make() -> str:
        if connection.vendor == "sqlite":
            return f"sqlite:///{tmp_path / f'restored-{uuid.uuid4().hex[:8]}.sqlite3'}"
        name = f"reintegra_restore_{uuid.uuid4().hex[:12]}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        config = connection.settings_dict
        user = quote(config["USER"] or "")
        password = f":{quote(config['PASSWORD'])}" if config["PASSWORD"] else ""
        return f"postgres://{user}{password}@{config['HOST'] or 'localhost'}:{config['PORT'] or 5432}/{name}"

    yield make
    for name in created:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def open_target(url: str):
    config = backup.database_settings(url=url)
    if backup.engine(config) == "sqlite":
        return sqlite3.connect(config["NAME"])
    return psycopg.connect(**backup._pg_params(config))


def tables_of(url: str) -> list[str]:
    config = backup.database_settings(url=url)
    if backup.engine(config) == "sqlite":
        if not Path(config["NAME"]).exists():
            return []
        target = sqlite3.connect(config["NAME"])
        try:
            return backup.sqlite_tables(target)
        finally:
            target.close()
    with open_target(url) as target:
        return [table for _, table in backup.pg_tables(target)]


def count(url: str, table: str) -> int:
    target = open_target(url)
    try:
        return target.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - a constant
    finally:
        target.close()


def run(name: str, *args: str) -> str:
    out = StringIO()
    call_command(name, *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def take_backup(tmp_path: Path) -> Path:
    output = run("backup", "--output", str(tmp_path))
    archives = list(tmp_path.glob("reintegra-*.backup"))
    assert len(archives) == 1, output
    return archives[0]


def test_round_trip_restores_every_row_and_the_audit_trail(trail_emptied_after, backup_key, scratch, tmp_path):
    built = build_everything()
    counts = {"cases_case": Case, "cases_returnee": Returnee, "access_accessevent": AccessEvent}
    counts = {table: model.objects.count() for table, model in counts.items()}
    assert counts["access_accessevent"]
    archive = take_backup(tmp_path)
    # Encrypted at rest: neither the dump nor the manifest can be read from the archive.
    data = archive.read_bytes()
    assert b"PGDMP" not in data and b"SQLite format" not in data and b"django_migrations" not in data
    sidecar = archive.with_name(archive.name + ".sha256").read_text()
    assert sidecar.split()[1] == archive.name
    # The backup is in the access trail (after the snapshot: the next archive holds that entry).
    assert AccessEvent.objects.filter(action="export", object_type="backup", channel="cli").count() == 1

    checked = run("restore", str(archive), "--check")
    assert "complete and authentic" in checked

    target = scratch()
    report = run("restore", str(archive), "--database-url", target)
    tables = set(tables_of(target))
    assert {"cases_case", "access_accessevent", "auditlog_logentry", "django_migrations"} <= tables
    assert f"Verified: {len(tables)} of {len(tables)} tables match the manifest" in report
    assert "append-only guard is in place on access_accessevent, auditlog_logentry" in report
    assert {table: count(target, table) for table in counts} == counts
    # Encrypted fields are restored as stored: still encrypted, read with the same field keys.
    source_name = Returnee.objects.filter(pk=built["case"].returnee_id).values_list("given_names", flat=True).get()
    restored = open_target(target)
    try:
        row = restored.execute(
            "SELECT given_names FROM cases_returnee WHERE id = " + str(int(built["case"].returnee_id))  # noqa: S608
        ).fetchone()
    finally:
        restored.close()
    assert row[0].startswith(crypto.ENCRYPTED_PREFIX) and crypto.decrypt(row[0]) == source_name

    # The restored trail is as append-only as the original: the restore lifted nothing.
    for table in append_only.TABLES:
        guarded = open_target(target)
        try:
            with pytest.raises((sqlite3.DatabaseError, psycopg.Error)):
                guarded.execute(f"DELETE FROM {table}")  # noqa: S608 - a constant
        finally:
            guarded.close()

    # Restoring again into the now full database is refused, and changes nothing.
    before = count(target, "auditlog_logentry")
    with pytest.raises(CommandError, match="is not empty"):
        run("restore", str(archive), "--database-url", target)
    assert count(target, "auditlog_logentry") == before


def test_a_wrong_key_an_altered_or_a_cut_archive_restores_nothing(
    trail_emptied_after, backup_key, scratch, tmp_path, case_manager
):
    factories.case(case_manager)
    archive = take_backup(tmp_path)
    data = archive.read_bytes()
    middle = len(data) // 2
    altered = tmp_path / "altered.backup"
    altered.write_bytes(data[:middle] + bytes([data[middle] ^ 0x40]) + data[middle + 1 :])
    cut = tmp_path / "cut.backup"
    cut.write_bytes(data[: len(data) - 100])
    for path, message in [(altered, "fails authentication"), (cut, "truncated")]:
        target = scratch()
        with pytest.raises(CommandError, match=message):
            run("restore", str(path), "--database-url", target)
        assert tables_of(target) == []
        with pytest.raises(CommandError, match=message):
            run("restore", str(path), "--check")

    written_with = backup_archive.key_id(backup.configured_keys()[0])
    backup_key.REINTEGRA_BACKUP_KEY = [backup_archive.generate_key()]
    target = scratch()
    with pytest.raises(CommandError, match=f"written with the backup key {written_with}, which is not configured"):
        run("restore", str(archive), "--database-url", target)
    assert tables_of(target) == []


def test_no_backup_key_no_archive(backup_key, tmp_path):
    backup_key.REINTEGRA_BACKUP_KEY = []
    with pytest.raises(CommandError, match="No backup key"):
        run("backup", "--output", str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_generate_key_prints_a_usable_key():
    out, err = StringIO(), StringIO()
    call_command("backup", "--generate-key", stdout=out, stderr=err)
    key = out.getvalue().strip()
    assert len(backup_archive.decode_key(key)) == 32
    assert backup_archive.key_id(backup_archive.decode_key(key)) in err.getvalue()

"""The append-only guard of the audit tables (created by migration 0003_append_only_trail): database
triggers that refuse UPDATE and DELETE. `suspended(table)` lifts it for one table inside the caller's
transaction, for the one legitimate rewrite of stored values: re-encryption under a new key
(`reintegra rotate-keys`), which changes ciphertexts, never what they say. DDL is transactional on SQLite
and PostgreSQL: if anything fails the triggers are back as they were.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection

TABLES = ("access_accessevent", "auditlog_logentry")


def drop_triggers(conn: Any, table: str) -> None:
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            for op in ("update", "delete"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")
        elif conn.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")


def create_triggers(conn: Any, table: str) -> None:
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            for op in ("UPDATE", "DELETE"):
                cursor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END"
                )
        elif conn.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            cursor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION reintegra_append_only()"
            )


@contextmanager
def suspended(table: str, conn: Any = connection) -> Iterator[None]:
    """Within a transaction (`transaction.atomic()`): `table` accepts updates until the block ends."""
    if table not in TABLES:
        yield
        return
    if not conn.in_atomic_block:
        raise RuntimeError("The append-only guard is only lifted inside a transaction.")
    drop_triggers(conn, table)
    yield
    create_triggers(conn, table)

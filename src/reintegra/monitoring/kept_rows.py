"""The mechanics of a table of rows kept by the writes (docs/ARCHITECTURE.md, "a row kept by the writes"): the
rows of some keys deleted and inserted again from the records, and the whole table refilled, both by one
set-based statement. `monitoring.case_facts` (a row per case) and `sustainability.round_facts` (a row per survey
round, rewritten by case) use them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import connections, router, transaction

# The statement inserting the rows from the records: given the connection and the SQL placeholders of the keys
# to narrow it to ("" for every row), its text and how many times the keys' parameters are repeated in it.
Fill = Callable[[Any, str], tuple[str, int]]


def rewrite(model: Any, column: str, keys: Iterable[int | None], fill: Fill, using: str | None = None) -> None:
    """Make the rows of `model` whose `column` is one of `keys` what the records say now (a key with no record:
    none), in the caller's transaction."""
    ids = sorted({int(i) for i in keys if i is not None})
    if not ids:
        return
    conn = connections[using or router.db_for_write(model)]
    table = conn.ops.quote_name(model._meta.db_table)
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {table} WHERE {conn.ops.quote_name(column)} IN ({marks})", chunk)  # noqa: S608
            statement, times = fill(conn, marks)
            cursor.execute(statement, chunk * times)


def rebuild(model: Any, fill: Fill, using: str | None = None) -> int:
    """Every row of `model` from the records (set-based, idempotent). Returns the number of rows."""
    conn = connections[using or router.db_for_write(model)]
    table = conn.ops.quote_name(model._meta.db_table)
    # TRUNCATE leaves no million dead rows behind, but not inside a transaction that wrote rows whose foreign
    # keys are still to be checked (the tests'; a caller's).
    alone = not conn.in_atomic_block
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        if conn.vendor == "postgresql" and alone:
            cursor.execute(f"TRUNCATE {table}")  # writers wait for the recount
        elif conn.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (a table name)
        else:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (a table name)
        cursor.execute(fill(conn, "")[0])
        rows = int(cursor.rowcount)
        if conn.vendor == "postgresql":
            cursor.execute(f"ANALYZE {table}")  # the planner's estimates for the engine's next query
        return rows

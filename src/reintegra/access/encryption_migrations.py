"""Data migrations that encrypt the existing values of columns turned into encrypted fields.

`encrypt_values(("app_label", "Model", "field"), ...)` is a `RunPython` operation to place after the
`AlterField`s: it encrypts every value still in clear (raw SQL, in batches, so no model code, signal or
change log runs and `updated_at` stays as it was). Its reverse decrypts them again, so the migration can be
unapplied (before the `AlterField`s are undone). Works on SQLite and PostgreSQL.
"""

from collections.abc import Iterable
from typing import Any

from django.db import migrations

from reintegra.access import crypto

BATCH = 500


def _columns(apps: Any, fields: Iterable[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    found = []
    for app_label, model_name, field_name in fields:
        meta = apps.get_model(app_label, model_name)._meta
        found.append((meta.db_table, meta.pk.column, meta.get_field(field_name).column))
    return found


def _convert(schema_editor: Any, table: str, pk: str, column: str, change: Any) -> int:
    connection = schema_editor.connection
    qn = connection.ops.quote_name
    # Identifiers come from model metadata, never from input.
    select = (
        f"SELECT {qn(pk)}, {qn(column)} FROM {qn(table)} "  # noqa: S608
        f"WHERE {qn(column)} IS NOT NULL AND {qn(pk)} > %s ORDER BY {qn(pk)} LIMIT %s"
    )
    update = f"UPDATE {qn(table)} SET {qn(column)} = %s WHERE {qn(pk)} = %s"  # noqa: S608
    changed, last = 0, -1
    with connection.cursor() as cursor:
        while True:
            cursor.execute(select, [last, BATCH])
            rows = cursor.fetchall()
            if not rows:
                return changed
            updates = []
            for row_pk, stored in rows:
                new = change(str(stored))
                if new is not None:
                    updates.append((new, row_pk))
            if updates:
                cursor.executemany(update, updates)
            changed += len(updates)
            last = rows[-1][0]


def check_deferred_constraints(schema_editor: Any) -> None:
    """PostgreSQL: run the foreign-key checks the updates queued (Django's constraints are deferred), so the
    same migration may ALTER the table next ("pending trigger events" otherwise)."""
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _encrypted(stored: str) -> str | None:
    if stored == "" or stored.startswith(crypto.ENCRYPTED_PREFIX):
        return None
    return crypto.encrypt(stored)


def _decrypted(stored: str) -> str | None:
    if not stored.startswith(crypto.ENCRYPTED_PREFIX):
        return None
    return crypto.decrypt(stored)


def encrypt_values(*fields: tuple[str, str, str]) -> migrations.RunPython:
    def forward(apps: Any, schema_editor: Any) -> None:
        for table, pk, column in _columns(apps, fields):
            _convert(schema_editor, table, pk, column, _encrypted)
        check_deferred_constraints(schema_editor)

    def backward(apps: Any, schema_editor: Any) -> None:
        for table, pk, column in _columns(apps, fields):
            _convert(schema_editor, table, pk, column, _decrypted)
        check_deferred_constraints(schema_editor)

    return migrations.RunPython(forward, backward, elidable=False)

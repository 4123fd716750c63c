"""`reintegra rotate-keys [--batch-size N] [--dry-run]`

Re-encrypts every encrypted field value of every model under the newest key of REINTEGRA_FIELD_KEYS.

Key rotation, step by step:
1. Generate a key: `python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`.
2. Put it FIRST in REINTEGRA_FIELD_KEYS, keeping the old keys after it; restart the application (new
   values are written under the new key, old ones still read).
3. Run `reintegra rotate-keys`.
4. Remove the old keys from REINTEGRA_FIELD_KEYS and restart. Old database backups still need the old
   key: keep it with the backups for as long as they are kept, and no longer.

Values are read and written as stored (raw SQL), so nothing is decrypted into Python objects beyond one
value at a time, the change log is not touched and `updated_at` timestamps stay as they were. All
tables are rotated in one transaction: on any error nothing changes. The access trail is append-only (its
triggers refuse UPDATE): they are lifted for its encrypted column within that transaction only. Blind
indexes (document numbers, name search, duplicate-check keys) and pseudonyms use their own keys and are
not affected; when REINTEGRA_BLIND_INDEX_KEY changes, run `reintegra rebuild-search-index` instead.
"""

from contextlib import nullcontext
from typing import Any

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils.translation import gettext as _

from reintegra.access import append_only, crypto
from reintegra.access.fields import is_encrypted


def encrypted_columns() -> list[tuple[str, str, str, str]]:
    """(label, table, primary-key column, column) of every encrypted field (text, names, dates) in the project."""
    found: dict[tuple[str, str], tuple[str, str, str, str]] = {}  # (table, column) -> ...
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        for field in meta.concrete_fields:
            if is_encrypted(field) or getattr(field, "sensitive_category", None):
                column, pk_column = str(field.column), str(meta.pk.column) if meta.pk else "id"
                found.setdefault(
                    (meta.db_table, column), (f"{meta.label}.{field.name}", meta.db_table, pk_column, column)
                )
    return sorted(found.values())


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field value under the newest key in REINTEGRA_FIELD_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="Rows read per query (default 500).")
        parser.add_argument("--dry-run", action="store_true", help="Count the values that would be re-encrypted.")

    def handle(self, *args: Any, **options: Any) -> None:
        batch = max(1, options["batch_size"])
        dry_run = options["dry_run"]
        if len(settings.REINTEGRA_FIELD_KEYS) < 2:
            self.stdout.write(
                self.style.WARNING(
                    "Only one key (or none) is configured in REINTEGRA_FIELD_KEYS: values are re-encrypted under "
                    "the same key. Put the new key first and keep the old ones after it to rotate."
                )
            )
        total = 0
        with transaction.atomic():
            for label, table, pk_column, column in encrypted_columns():
                # The access trail is append-only; re-encrypting changes ciphertexts, not what they say.
                with append_only.suspended(table) if not dry_run else nullcontext():
                    count = self._rotate(table, pk_column, column, batch, dry_run)
                total += count
                self.stdout.write(f"{label}: {count} value(s) {'to re-encrypt' if dry_run else 're-encrypted'}")
        verb = "would be re-encrypted (dry run, nothing changed)" if dry_run else "re-encrypted under the newest key"
        self.stdout.write(self.style.SUCCESS(f"{total} value(s) {verb}."))

    def _rotate(self, table: str, pk_column: str, column: str, batch: int, dry_run: bool) -> int:
        qn = connection.ops.quote_name
        # Table and column names come from model metadata, never from input.
        pk, col = qn(pk_column), qn(column)
        base = f"SELECT {pk}, {col} FROM {qn(table)} WHERE {col} IS NOT NULL AND {col} <> ''"  # noqa: S608
        first_page = f"{base} ORDER BY {pk} LIMIT %s"
        next_page = f"{base} AND {pk} > %s ORDER BY {pk} LIMIT %s"
        update = f"UPDATE {qn(table)} SET {col} = %s WHERE {pk} = %s"  # noqa: S608
        count = 0
        last: Any = None
        with connection.cursor() as cursor:
            while True:
                if last is None:
                    cursor.execute(first_page, [batch])
                else:
                    cursor.execute(next_page, [last, batch])
                rows = cursor.fetchall()
                if not rows:
                    return count
                updates = []
                for row_pk, stored in rows:
                    try:
                        rotated = crypto.rotate(stored)
                    except InvalidToken:
                        raise CommandError(
                            _(
                                "A value of %(table)s.%(column)s (row %(row)s) cannot be decrypted with the configured "
                                "keys. Nothing was changed. Add the key it was written with to REINTEGRA_FIELD_KEYS."
                            )
                            % {"table": table, "column": column, "row": row_pk}
                        ) from None
                    updates.append((rotated, row_pk))
                if not dry_run:
                    cursor.executemany(update, updates)
                count += len(updates)
                last = rows[-1][0]

"""Encrypt the consent ledger's free text and the access trail's purpose (it holds the justification typed
for a life-at-risk exception). Existing values are encrypted in place (docs/data-protection.md).

The access trail is append-only: its triggers refuse UPDATE. They are dropped for this migration and
created again at its end (on SQLite, altering the column rebuilds the table, which drops them anyway).
"""

from django.db import migrations

import reintegra.access.fields
from reintegra.access.encryption_migrations import encrypt_values

TABLE = "access_accessevent"


def create_trail_triggers(apps, schema_editor):
    # As in 0003_append_only_trail, for this table.
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for op in ("UPDATE", "DELETE"):
            schema_editor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_{op.lower()} BEFORE {op} ON {TABLE} "
                f"BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;"
            )
    elif vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};")
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            f"FOR EACH ROW EXECUTE FUNCTION reintegra_append_only();"
        )


def drop_trail_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for op in ("update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_{op};")
    elif vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};")


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0007_drop_plaintext_api_tokens"),
    ]

    operations = [
        migrations.RunPython(drop_trail_triggers, create_trail_triggers),
        migrations.AlterField(
            model_name='accessevent',
            name='purpose',
            field=reintegra.access.fields.EncryptedTextField(blank=True, default='', max_length=300),
        ),
        migrations.AlterField(
            model_name='consent',
            name='guardian_name',
            field=reintegra.access.fields.EncryptedTextField(blank=True, default='', max_length=200, verbose_name="guardian's name"),
        ),
        migrations.AlterField(
            model_name='consent',
            name='recipient_description',
            field=reintegra.access.fields.EncryptedTextField(blank=True, default='', max_length=200, verbose_name='recipient or service type'),
        ),
        migrations.AlterField(
            model_name='consent',
            name='withdrawal_note',
            field=reintegra.access.fields.EncryptedTextField(blank=True, default='', max_length=300, verbose_name='withdrawal note'),
        ),
        encrypt_values(
            ("access", "AccessEvent", "purpose"),
            ("access", "Consent", "guardian_name"),
            ("access", "Consent", "recipient_description"),
            ("access", "Consent", "withdrawal_note"),
        ),
        migrations.RunPython(create_trail_triggers, drop_trail_triggers),
    ]

"""Audit tables are append-only at the database level: no interface, admin or shell can alter them."""

from django.db import migrations

TABLES = ["access_accessevent", "auditlog_logentry"]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            for op in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;"
                )
        elif vendor == "postgresql":
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION reintegra_append_only();"
            )


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION reintegra_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'audit trail is append-only (%)', TG_TABLE_NAME; END $$ LANGUAGE plpgsql;",
            None,  # no parameters: the % above is PL/pgSQL's, not a placeholder
        )


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            for op in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op};")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0002_initial"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [
        migrations.RunPython(create_function, migrations.RunPython.noop),
        migrations.RunPython(create_triggers, drop_triggers),
    ]

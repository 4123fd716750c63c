"""PostgreSQL: the name-search tokens and the blocking keys keep one foreign key, the composite
`(returnee_id, organisation_id) -> cases_returnee (id, organisation_id)` (`access.org_key`), not also the two
single-column ones it implies (the returnee exists with that organisation, so both exist). Every foreign key
is checked row by row at commit: a manifest import of 100,000 rows writes some two million of these rows, and
the two implied checks took 14 of the commit's 23.5 seconds at a million people (docs/reception.md).

The models still declare both fields as foreign keys (Django's cascades and joins); only the database
constraints go. SQLite keeps them: there the composite key is a trigger that checks the organisation of an
existing parent, not the parent's existence."""

from typing import Any

from django.db import migrations

TABLES = ("nametoken", "matchkey")
IMPLIED = (("returnee", "cases_returnee"), ("organisation", "access_organisation"))


def _implied(schema_editor: Any, model: Any) -> list[tuple[Any, str]]:
    """(field, constraint name) of the implied single-column foreign keys `model`'s table still holds."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    found = []
    for field_name, target in IMPLIED:
        field = model._meta.get_field(field_name)
        for name, details in constraints.items():
            if details["columns"] == [field.column] and details["foreign_key"] == (target, "id"):
                found.append((field, name))
    return found


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        model = apps.get_model("cases", table)
        for _field, name in _implied(schema_editor, model):
            schema_editor.execute(
                f"ALTER TABLE {schema_editor.quote_name(model._meta.db_table)} "
                f"DROP CONSTRAINT {schema_editor.quote_name(name)}"
            )


def restore(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        model = apps.get_model("cases", table)
        present = {field.name for field, _name in _implied(schema_editor, model)}
        for field_name, _target in IMPLIED:
            if field_name not in present:
                field = model._meta.get_field(field_name)
                schema_editor.execute(schema_editor._create_fk_sql(model, field, "_fk_%(to_table)s_%(to_column)s"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0016_organisation_key")]

    operations = [migrations.RunPython(drop, restore, elidable=False)]

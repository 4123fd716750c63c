"""Loads the standard indicator library (monitoring/library.yaml, documented in docs/monitoring-indicators.md).

Running it again (or after the file changes) updates the entries by code; programmes' own indicators are copies
and are not touched."""

from typing import Any

from django.db import migrations

from reintegra.monitoring import library


def load(apps: Any, schema_editor: Any) -> None:
    standard = apps.get_model("monitoring", "StandardIndicator")
    for entry in library.entries():
        values = library.fields(entry)
        standard.objects.update_or_create(code=values.pop("code"), defaults=values)


def unload(apps: Any, schema_editor: Any) -> None:
    standard = apps.get_model("monitoring", "StandardIndicator")
    standard.objects.filter(code__in=[entry["code"] for entry in library.entries()]).delete()


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]

"""Loads the library again (0002's loader, by code): the children's path adds three indicators
(docs/monitoring-indicators.md §6.21–6.23)."""

from importlib import import_module

from django.db import migrations

standard_library = import_module("reintegra.monitoring.migrations.0002_standard_library")


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0003_lesson_is_shared")]

    operations = [migrations.RunPython(standard_library.load, migrations.RunPython.noop)]

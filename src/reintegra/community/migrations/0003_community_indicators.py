"""Loads the monitoring library again (monitoring 0002's loader, by code): the community level adds its
indicators (docs/monitoring-indicators.md §6.35–6.42)."""

from importlib import import_module

from django.db import migrations

standard_library = import_module("reintegra.monitoring.migrations.0002_standard_library")


class Migration(migrations.Migration):
    dependencies = [("community", "0002_projects_profiles"), ("monitoring", "0004_children_indicators")]

    operations = [migrations.RunPython(standard_library.load, migrations.RunPython.noop)]

"""Loads the standard library again (monitoring 0002's loader, by code): reception adds the people received,
the repeat-return rate and the share given each kind of immediate assistance (docs/monitoring-indicators.md
§6.24–6.34)."""

from importlib import import_module

from django.db import migrations

standard_library = import_module("reintegra.monitoring.migrations.0002_standard_library")


class Migration(migrations.Migration):
    dependencies = [("reception", "0002_arrival_programme"), ("monitoring", "0004_children_indicators")]

    operations = [migrations.RunPython(standard_library.load, migrations.RunPython.noop)]

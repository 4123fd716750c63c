"""Loads the standard library again (monitoring 0002's loader, by code): the number of arrivals at reception
and the share of hand-overs accepted within 15 days (docs/monitoring-indicators.md §6.54–6.55)."""

from importlib import import_module

from django.db import migrations

standard_library = import_module("reintegra.monitoring.migrations.0002_standard_library")


class Migration(migrations.Migration):
    dependencies = [
        ("handover", "0001_initial"),
        ("reception", "0004_manifest"),
        ("monitoring", "0004_children_indicators"),
    ]

    operations = [migrations.RunPython(standard_library.load, migrations.RunPython.noop)]

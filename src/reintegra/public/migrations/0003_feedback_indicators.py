"""Loads the standard library again (monitoring 0002's loader, by code): feedback and complaints add the items
received, the complaints, the shares acknowledged and resolved within their deadlines and closed with the loop
closed, and the cases' satisfaction surveys the mean score and the share who would recommend
(docs/monitoring-indicators.md §6.47–6.53)."""

from importlib import import_module

from django.db import migrations

standard_library = import_module("reintegra.monitoring.migrations.0002_standard_library")


class Migration(migrations.Migration):
    dependencies = [("public", "0002_feedback_provider_satisfaction_survey"), ("monitoring", "0004_children_indicators")]

    operations = [migrations.RunPython(standard_library.load, migrations.RunPython.noop)]

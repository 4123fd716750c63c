"""Load the ISCO-08 structure (es/en/fr) shipped in employment/data/isco08.csv (docs/employment.md)."""

from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from reintegra.employment import isco

    isco.load(apps.get_model("employment", "Occupation"))


class Migration(migrations.Migration):
    dependencies = [("employment", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

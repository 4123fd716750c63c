"""Ship the default RSS (global, published, equal weights) and the default feasibility grid (Spanish).

Written against the historical models with the pure definition parser, so it keeps working when the
models change later. Idempotent: reruns find what exists and leave it.
"""

from pathlib import Path

import yaml
from django.db import migrations
from django.utils import timezone

HERE = Path(__file__).resolve().parent.parent / "instruments"


def forwards(apps, schema_editor):
    from reintegra.sustainability.definition import label, parse

    Instrument = apps.get_model("sustainability", "Instrument")
    InstrumentVersion = apps.get_model("sustainability", "InstrumentVersion")
    FeasibilityApproach = apps.get_model("sustainability", "FeasibilityApproach")
    parsed = parse(yaml.safe_load((HERE / "rss.yaml").read_text(encoding="utf-8")))
    instrument, _ = Instrument.objects.get_or_create(
        programme=None, code=parsed.code, defaults={"labels": parsed.labels}
    )
    InstrumentVersion.objects.get_or_create(
        instrument=instrument,
        number=parsed.version,
        defaults={
            "definition": parsed.to_dict(),
            "status": "published",
            "published_at": timezone.now(),
            "source": "rss.yaml",
        },
    )
    grid = yaml.safe_load((HERE / "feasibility_grid.yaml").read_text(encoding="utf-8"))
    for position, row in enumerate(grid["rows"]):
        FeasibilityApproach.objects.get_or_create(
            programme=None,
            dimension=row["dimension"],
            approach=label(row["approach"], "es"),
            defaults={
                "useful_for": label(row.get("useful_for"), "es"),
                "criteria_individual": label(row.get("individual"), "es"),
                "criteria_community": label(row.get("community"), "es"),
                "criteria_structural": label(row.get("structural"), "es"),
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("sustainability", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

"""Regional catalogue at scale: the level × dimension matrix, a drill-down page and the duplicate check.

    .venv/bin/python bench/bench_regional_matrix.py            # 100k actions, temporary SQLite
    BENCH_ACTIONS=20000 BENCH_DATABASE_URL=postgres://... .venv/bin/python bench/bench_regional_matrix.py

Actions are spread over the 11 CRM countries, each covering 1-2 levels × 1-2 dimensions (about 2 cells on
average). Rows are written with bulk_create (what the service writes, without its per-row checks). Prints
JSON: median and p95 milliseconds of each read, over repeated runs.
"""

import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

COUNTRIES = ["BZ", "CA", "CR", "SV", "US", "GT", "HN", "MX", "NI", "PA", "DO"]
WORDS = [
    "intermediación",
    "laboral",
    "certificación",
    "competencias",
    "emprendimiento",
    "capital",
    "semilla",
    "atención",
    "psicosocial",
    "ventanilla",
    "mujeres",
    "jóvenes",
    "documentos",
    "identidad",
    "salud",
    "educación",
    "vivienda",
    "red",
    "comunitaria",
    "orientación",
    "empleo",
    "formación",
    "técnica",
    "alianzas",
    "sector",
    "privado",
    "coordinación",
    "interinstitucional",
    "política",
    "pública",
]


def timed(fn, runs: int) -> dict:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {"p50_ms": round(statistics.median(samples), 2), "p95_ms": round(samples[int(0.95 * (runs - 1))], 2)}


def main() -> None:
    size = int(os.environ.get("BENCH_ACTIONS", "100000"))
    database_url = os.environ.get("BENCH_DATABASE_URL")
    scratch = None
    if not database_url:
        scratch = tempfile.NamedTemporaryFile(suffix=".sqlite3", delete=False)  # noqa: SIM115
        database_url = f"sqlite:///{scratch.name}"
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reintegra.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from reintegra.access.roles import Role
    from reintegra.regional import matrix, selectors
    from reintegra.regional.models import ActionCell, RegionalAction
    from reintegra.testing import factories

    call_command("migrate", verbosity=0)
    if database_url.startswith("postgres"):
        ActionCell.objects.all().delete()
        RegionalAction.objects.all().delete()
    rng = random.Random(1)
    org = factories.organisation(country="GT")
    reader = factories.user(org, Role.CASE_MANAGER)
    started = time.perf_counter()
    batch = 5000
    for start in range(0, size, batch):
        actions = []
        for _ in range(min(batch, size - start)):
            levels = rng.sample(matrix.LEVELS, rng.choice([1, 1, 2]))
            dimensions = rng.sample(matrix.DIMENSIONS, rng.choice([1, 1, 2]))
            title = " ".join(rng.sample(WORDS, 3)).capitalize()
            actions.append(
                RegionalAction(
                    country=rng.choice(COUNTRIES),
                    title=title,
                    levels=levels,
                    dimensions=dimensions,
                    description=" ".join(rng.sample(WORDS, 12)),
                    search_text=title.lower(),
                    entered_by_organisation=org,
                )
            )
        created = RegionalAction.objects.bulk_create(actions, batch_size=1000)
        ActionCell.objects.bulk_create(
            [
                ActionCell(action=a, country=a.country, level=lv, dimension=d)
                for a in created
                for lv, d in matrix.cell_product(a.levels, a.dimensions)
            ],
            batch_size=2000,
        )
    load_seconds = round(time.perf_counter() - started, 1)
    cells = ActionCell.objects.count()
    filters = selectors.ActionFilters(country="GT", level="community", dimension="psychosocial")

    def drill_down_page() -> None:
        qs = selectors.filter_actions(selectors.actions_for(reader), filters).order_by("country", "title", "id")
        qs.count()
        list(qs[:25])

    result = {
        "database": "postgresql" if database_url.startswith("postgres") else "sqlite",
        "actions": size,
        "cells": cells,
        "load_seconds": load_seconds,
        "matrix_one_country": timed(lambda: selectors.matrix_counts(reader, "GT"), 30),
        "matrix_all_countries": timed(lambda: selectors.matrix_counts(reader, None), 30),
        "drill_down_page": timed(drill_down_page, 30),
        "duplicates_one_country_cell": timed(
            lambda: selectors.likely_duplicates(reader, "GT", "community", "psychosocial"), 3
        ),
        "duplicates_one_country_cell_actions": selectors.filter_actions(RegionalAction.objects.all(), filters).count(),
    }
    print(json.dumps(result, indent=2))
    if scratch is not None:
        Path(scratch.name).unlink(missing_ok=True)


if __name__ == "__main__":
    main()

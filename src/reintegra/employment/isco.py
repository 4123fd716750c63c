"""The ISCO-08 structure shipped as data (`data/isco08.csv`: code, en, es, fr; docs/employment.md says where it
comes from). Loaded by the migration `0002_isco08` and by `reintegra load-isco` (idempotent)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from reintegra.employment.matching import normalise_skill

DATA = Path(__file__).resolve().parent / "data" / "isco08.csv"


def rows() -> list[dict[str, str]]:
    with DATA.open(encoding="utf-8", newline="") as handle:
        return [dict(row) for row in csv.DictReader(handle)]


def search_text(row: dict[str, str]) -> str:
    return " ".join(normalise_skill(part) for part in (row["code"], row["en"], row["es"], row["fr"]))


def load(model: Any) -> int:
    """Create or update every group (parents first); returns how many rows the file has."""
    found = {o.code: o for o in model.objects.all()}
    data = sorted(rows(), key=lambda r: (len(r["code"]), r["code"]))
    for row in data:
        code = row["code"]
        values = {
            "level": len(code),
            "parent": found.get(code[:-1]) if len(code) > 1 else None,
            "title_en": row["en"],
            "title_es": row["es"],
            "title_fr": row["fr"],
            "search_text": search_text(row),
        }
        occupation = found.get(code)
        if occupation is None:
            occupation = model.objects.create(code=code, **values)
        else:
            for name, value in values.items():
                setattr(occupation, name, value)
            occupation.save()
        found[code] = occupation
    return len(data)

"""Loading the gazetteer (states / departments and municipalities) from the CSV files in `data/`.

`load_gazetteer()` is idempotent: rows are matched by country + code (the table's unique key), new
ones are created, changed names or parents are updated, and nothing is deleted (cases point at areas
with PROTECT). Used by `reintegra load-places`, `reintegra seed` and `reintegra demo`.
"""

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from reintegra.places import selectors
from reintegra.places.choices import AdminLevel
from reintegra.places.models import AdminArea

DATA_DIR = Path(__file__).resolve().parent / "data"
COLUMNS = ["country", "level", "code", "name", "parent_code"]


@dataclass(frozen=True)
class AreaRow:
    country: str
    level: int
    code: str
    name: str
    parent_code: str
    source: str  # "file:line", for error messages


@dataclass
class CountryCounts:
    states: int = 0
    municipalities: int = 0


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Rows in the files per country (level 1 and level 2).
    countries: dict[str, CountryCounts] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


class GazetteerError(ValueError):
    """A gazetteer file is malformed (unknown level, duplicate code, missing parent…)."""


def read_rows(data_dir: Path = DATA_DIR, countries: Iterable[str] | None = None) -> list[AreaRow]:
    """All rows of the CSV files in `data_dir`, validated, level 1 before level 2."""
    wanted = {c.upper() for c in countries} if countries else None
    rows: list[AreaRow] = []
    for path in sorted(data_dir.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames != COLUMNS:
                raise GazetteerError(f"{path.name}: expected columns {','.join(COLUMNS)}")
            for line, raw in enumerate(reader, start=2):
                row = _parse(raw, f"{path.name}:{line}")
                if wanted is None or row.country in wanted:
                    rows.append(row)
    _validate(rows)
    rows.sort(key=lambda r: (r.level, r.country, r.code))
    return rows


def _parse(raw: dict[str, str], source: str) -> AreaRow:
    values = {k: (v or "").strip() for k, v in raw.items()}
    try:
        level = int(values["level"])
    except ValueError:
        raise GazetteerError(f"{source}: level must be 1 or 2") from None
    if level not in (AdminLevel.FIRST, AdminLevel.SECOND):
        raise GazetteerError(f"{source}: level must be 1 or 2")
    country = values["country"].upper()
    if len(country) != 2 or not values["code"] or not values["name"]:
        raise GazetteerError(f"{source}: country (two letters), code and name are required")
    if level == AdminLevel.SECOND and not values["parent_code"]:
        raise GazetteerError(f"{source}: a municipality needs the code of its state / department")
    if level == AdminLevel.FIRST and values["parent_code"]:
        raise GazetteerError(f"{source}: a state / department has no parent")
    return AreaRow(country, level, values["code"], values["name"], values["parent_code"], source)


def _validate(rows: list[AreaRow]) -> None:
    seen: dict[tuple[str, str], AreaRow] = {}
    for row in rows:
        key = (row.country, row.code)
        if key in seen:
            raise GazetteerError(f"{row.source}: code {row.code} already used at {seen[key].source}")
        seen[key] = row
    for row in rows:
        if row.level == AdminLevel.SECOND:
            parent = seen.get((row.country, row.parent_code))
            if parent is None or parent.level != AdminLevel.FIRST:
                raise GazetteerError(f"{row.source}: unknown state / department {row.parent_code}")


def load_gazetteer(data_dir: Path = DATA_DIR, countries: Iterable[str] | None = None) -> LoadResult:
    """Create or update the administrative areas from the CSV files; returns what changed."""
    rows = read_rows(data_dir, countries)
    result = LoadResult()
    for row in rows:
        counts = result.countries.setdefault(row.country, CountryCounts())
        if row.level == AdminLevel.FIRST:
            counts.states += 1
        else:
            counts.municipalities += 1
    with transaction.atomic():
        existing = {
            (str(a.country), a.code): a
            for a in AdminArea.objects.filter(country__in=list(result.countries)).only(
                "id", "country", "level", "code", "name", "parent_id"
            )
        }
        # Level 1 first, so level-2 rows can point at their (possibly new) parents.
        for level in (AdminLevel.FIRST, AdminLevel.SECOND):
            _load_level([row for row in rows if row.level == level], level, existing, result)
    selectors.forget_municipalities(result.countries)
    return result


def _load_level(
    rows: list[AreaRow], level: int, existing: dict[tuple[str, str], AdminArea], result: LoadResult
) -> None:
    """Create or update the areas of one level; `existing` gains the new ones, with their ids."""
    new: list[AdminArea] = []
    changed: list[AdminArea] = []
    for row in rows:
        parent_id = existing[(row.country, row.parent_code)].pk if row.parent_code else None
        area = existing.get((row.country, row.code))
        if area is None:
            area = AdminArea(country=row.country, level=level, code=row.code, name=row.name, parent_id=parent_id)
            new.append(area)
            existing[(row.country, row.code)] = area
        elif (area.level, area.name, area.parent_id) != (level, row.name, parent_id):
            area.level, area.name, area.parent_id = level, row.name, parent_id
            changed.append(area)
        else:
            result.unchanged += 1
    if new:
        AdminArea.objects.bulk_create(new)
        if any(a.pk is None for a in new):  # backends that cannot return ids from bulk inserts
            _read_back_ids(new, list(result.countries), level)
    if changed:
        AdminArea.objects.bulk_update(changed, ["level", "name", "parent"])
    result.created += len(new)
    result.updated += len(changed)


def _read_back_ids(new: list[AdminArea], countries: list[str], level: int) -> None:
    ids = {
        (str(country), code): pk
        for country, code, pk in AdminArea.objects.filter(country__in=countries, level=level).values_list(
            "country", "code", "id"
        )
    }
    for area in new:
        area.pk = ids[(str(area.country), area.code)]

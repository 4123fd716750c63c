"""Service gaps and duplication for an area (docs/domain-referrals.md §2: mapping finds gaps and duplication).
No Django import.

A *need* is an open case, in an area, with a need in a dimension: its latest assessments rate that
dimension medium or high, or its plan has an item of that dimension not yet completed or cancelled.
For each area and dimension:

- **no service**: no active service of that dimension covers the area (the municipality, its
  state/department, or the whole country);
- **at capacity**: services exist but every one is full this month;
- **covered**: at least one has room; **duplication** is flagged when several providers offer the same
  dimension and sector in the area.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

NO_SERVICE = "no_service"
AT_CAPACITY = "at_capacity"
COVERED = "covered"


@dataclass(frozen=True)
class Area:
    id: int
    name: str
    parent_id: int | None
    country: str


@dataclass(frozen=True)
class Offer:
    service_id: int
    provider_id: int
    dimension: str
    sector: str
    country: str
    area_ids: frozenset[int]  # empty: the whole country
    places_left: int | None  # None: unlimited


@dataclass(frozen=True)
class GapRow:
    area: Area
    dimension: str
    cases: int
    services: int
    with_room: int
    places_left: int | None  # None: at least one unlimited
    state: str
    duplicated_sectors: tuple[str, ...]


def covers(offer: Offer, area: Area) -> bool:
    if offer.country != area.country:
        return False
    return (
        not offer.area_ids
        or area.id in offer.area_ids
        or (area.parent_id is not None and area.parent_id in offer.area_ids)
    )


def gap_rows(needs: dict[tuple[int, str], int], areas: dict[int, Area], offers: Iterable[Offer]) -> list[GapRow]:
    """`needs`: (area id, dimension) -> number of cases. Rows ordered gaps first, then by cases."""
    offers = list(offers)
    rows = []
    for (area_id, dimension), count in needs.items():
        area = areas.get(area_id)
        if area is None or count <= 0:
            continue
        matching = [o for o in offers if o.dimension == dimension and covers(o, area)]
        with_room = [o for o in matching if o.places_left is None or o.places_left > 0]
        if not matching:
            state = NO_SERVICE
        elif not with_room:
            state = AT_CAPACITY
        else:
            state = COVERED
        left: int | None = 0
        for o in with_room:
            if o.places_left is None:
                left = None
                break
            left = (left or 0) + o.places_left
        providers_by_sector: dict[str, set[int]] = {}
        for o in matching:
            providers_by_sector.setdefault(o.sector, set()).add(o.provider_id)
        duplicated = tuple(sorted(s for s, p in providers_by_sector.items() if len(p) > 1))
        rows.append(GapRow(area, dimension, count, len(matching), len(with_room), left, state, duplicated))
    order = {NO_SERVICE: 0, AT_CAPACITY: 1, COVERED: 2}
    return sorted(rows, key=lambda r: (order[r.state], -r.cases, r.area.name, r.dimension))


@dataclass(frozen=True)
class DuplicationRow:
    area: Area
    sector: str
    provider_ids: tuple[int, ...]
    service_ids: tuple[int, ...]


def duplication(areas: Iterable[Area], offers: Iterable[Offer]) -> list[DuplicationRow]:
    """Sectors offered in an area by more than one provider (docs/domain-referrals.md §2: avoid duplication).
    An offer is in the area when it covers it (see `covers`). Most providers first, then by area and sector."""
    offers = list(offers)
    rows = []
    for area in areas:
        by_sector: dict[str, list[Offer]] = {}
        for o in offers:
            if covers(o, area):
                by_sector.setdefault(o.sector, []).append(o)
        for sector, found in by_sector.items():
            providers = tuple(sorted({o.provider_id for o in found}))
            if len(providers) > 1:
                rows.append(DuplicationRow(area, sector, providers, tuple(sorted(o.service_id for o in found))))
    return sorted(rows, key=lambda r: (-len(r.provider_ids), r.area.name, r.area.id, r.sector))

"""Indicator values as the reader may see them: small counts suppressed for aggregate roles, with
complementary suppression, and the shape the API, the IPTT, the exports and the dashboards share.

Which parts of a value are counts of people to protect depends on the measure: a count's (or a total's)
numerator; a percentage's or ratio's numerator and denominator; a mean's or median's number of units (its
denominator). A cell is hidden when one of its parts is 1..k-1, and `monitoring.indicators.suppress` adds
the complementary cells, part by part and, for a crossed table, along every slice whose total is published
by another breakdown, so that no hidden cell is the difference of numbers shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reintegra.monitoring import engine, indicators
from reintegra.monitoring.choices import Measure

Buckets = tuple[str, ...]


@dataclass(frozen=True)
class Shown:
    """A value ready to show: its parts, or nothing when it is suppressed."""

    numerator: float | None
    denominator: float | None
    value: float | None
    suppressed: bool = False

    @property
    def known(self) -> bool:
        """A number the reader may see (not suppressed, and measurable)."""
        return self.value is not None and not self.suppressed

    def as_dict(self) -> dict[str, Any]:
        return {"numerator": self.numerator, "denominator": self.denominator, "value": self.value}


HIDDEN = Shown(None, None, None, suppressed=True)


def protected_parts(measure: str, cell: engine.Cell) -> list[float]:
    """The parts of a value that count people (what suppression looks at)."""
    if measure in (Measure.COUNT, Measure.SUM):
        return [cell.numerator]
    if measure in (Measure.PERCENTAGE, Measure.RATIO):
        return [cell.numerator, cell.denominator or 0.0]
    return [cell.denominator or 0.0]  # mean, median: the number of units behind it


def is_small(measure: str, cell: engine.Cell, k: int) -> bool:
    return any(0 < round(part) < k for part in protected_parts(measure, cell))


def shown(cell: engine.Cell, *, hidden: bool = False) -> Shown:
    if hidden:
        return HIDDEN
    return Shown(cell.numerator, cell.denominator, cell.value)


def _slices(cells: Iterable[Buckets], width: int) -> list[list[Buckets]]:
    keys = list(cells)
    return [[b for b in keys if b[i] == v] for i in range(width) for v in {b[i] for b in keys}]


def _close(counts: Mapping[Buckets, int], hidden: set[Buckets], width: int, k: int) -> set[Buckets]:
    """Complementary suppression along each slice of a crossed table (a slice's total is a cell of another
    breakdown): a slice never keeps exactly one hidden cell unless its total is small (and so hidden there
    too). A complement is taken where it is not alone in its other slices; if the table cannot be protected
    that way, every cell is hidden."""
    slices = _slices(counts, width)
    alone = {b for group in slices for b in group if sum(counts[o] > 0 for o in group) == 1}
    changed = True
    while changed:
        changed = False
        for group in slices:
            if sum(b in hidden for b in group) != 1:
                continue
            candidates = sorted((b in alone, counts[b], b) for b in group if b not in hidden and counts[b] > 0)
            if candidates:
                hidden.add(candidates[0][2])
                changed = True
    for group in slices:
        if sum(b in hidden for b in group) == 1 and sum(counts[b] for b in group) >= k:
            return set(counts)
    return hidden


def suppressed_buckets(
    measure: str, cells: Mapping[Buckets, engine.Cell], k: int, *, also: Iterable[Buckets] = ()
) -> set[Buckets]:
    """The cells of one breakdown to hide from a reader who does not see small counts (and `also` these,
    with their complements)."""
    if not cells:
        return set()
    width = len(next(iter(cells)))
    forced = set(also) & set(cells)
    hidden: set[Buckets] = set()
    parts = len(protected_parts(measure, next(iter(cells.values()))))
    for part in range(parts):
        counts = {b: round(protected_parts(measure, cell)[part]) for b, cell in cells.items()}
        as_text = {"\x1f".join(b): n for b, n in counts.items()}
        verdict = indicators.suppress(as_text, k, also={"\x1f".join(b) for b in forced})
        part_hidden = {b for b in counts if verdict["\x1f".join(b)] is None}
        if width > 1:
            part_hidden = _close(counts, part_hidden, width, k)
        hidden |= part_hidden
    return hidden


def _moved(measure: str, cell: engine.Cell, before: Sequence[int] | None, k: int) -> bool:
    """Whether a counted part of the cell differs by 1..k-1 from the value shown before (none: from 0)."""
    parts = [round(part) for part in protected_parts(measure, cell)]
    return any(0 < abs(part - earlier) < k for part, earlier in zip(parts, before or [0] * len(parts), strict=True))


def series_suppressed(
    measure: str, series: Sequence[tuple[engine.Cell | None, Mapping[Buckets, engine.Cell]]], k: int
) -> list[tuple[bool, set[Buckets]]]:
    """For a cumulative indicator, whose every period counts from the programme's start: per period, whether
    the total is hidden and which cells are. A value whose counted parts moved by 1..k-1 since the last value
    shown of the same cell (or total) is hidden too, as the difference would show a small count (the people
    added in the period); a hidden total hides its cells. Each period depends on the earlier ones only, so
    a period keeps what it showed when later ones are added."""
    shown_total: list[int] | None = None
    shown_cells: dict[Buckets, list[int]] = {}
    found = []
    for total, cells in series:
        total_hidden = total is not None and _moved(measure, total, shown_total, k)
        moved = {b for b, cell in cells.items() if _moved(measure, cell, shown_cells.get(b), k)}
        hidden = set(cells) if total_hidden else suppressed_buckets(measure, cells, k, also=moved)
        if total is not None and not total_hidden:
            shown_total = [round(part) for part in protected_parts(measure, total)]
        for b, cell in cells.items():
            if b not in hidden:
                shown_cells[b] = [round(part) for part in protected_parts(measure, cell)]
        found.append((total_hidden, hidden))
    return found


def breakdown(measure: str, cells: Mapping[Buckets, engine.Cell], k: int | None) -> dict[Buckets, Shown]:
    """Every cell as shown: exact when `k` is None (the reader sees small counts)."""
    hidden = set() if k is None else suppressed_buckets(measure, cells, k)
    return {b: shown(cell, hidden=b in hidden) for b, cell in cells.items()}


def total(measure: str, cell: engine.Cell, k: int | None) -> Shown:
    return shown(cell, hidden=k is not None and is_small(measure, cell, k))


def values_body(
    indicator: dict[str, Any], values: engine.Values, measure: str, *, k: int | None, threshold: int
) -> dict[str, Any]:
    """The body of `GET /api/v1/indicators/{id}/values/`: the total and one entry per crossed cell."""
    rows: list[dict[str, Any]] = []
    for buckets, value in sorted(breakdown(measure, values.cells, k).items()):
        row: dict[str, Any] = dict(zip(values.by, buckets, strict=True))
        row.update(value.as_dict())
        row["suppressed"] = value.suppressed
        rows.append(row)
    return {
        "indicator": indicator,
        "total": total(measure, values.total, k).as_dict(),
        "cells": rows,
        "suppression_threshold": threshold,
        "suppressed": k is not None,
    }


def cells_from_counts(by: Sequence[str], counts: Mapping[str, Any], measure: str) -> dict[Buckets, engine.Cell]:
    """Hand-reported or frozen cells ({bucket: n} or {bucket: {"numerator", "denominator", ...}}) as engine
    cells of one dimension."""
    found: dict[Buckets, engine.Cell] = {}
    for bucket, raw in counts.items():
        if isinstance(raw, Mapping):
            numerator = engine.as_number(raw.get("numerator"))
            denominator = raw.get("denominator")
            found[(str(bucket),)] = engine.make_cell(
                measure, numerator, None if denominator is None else engine.as_number(denominator)
            )
        else:
            found[(str(bucket),)] = engine.make_cell(measure, engine.as_number(raw), None)
    return found

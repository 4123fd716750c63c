"""The level × dimension matrix (docs/domain.md §2): nine cells, counts, gaps and heat-map shades. Pure Python."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from reintegra.vocabulary.codes import DIMENSIONS as DIMENSIONS  # the columns, for the matrix's readers
from reintegra.vocabulary.codes import INTERVENTION_LEVELS

LEVELS = INTERVENTION_LEVELS
SHADES = 5  # heat-map steps 1..5 for non-empty cells; 0 is a gap


@dataclass(frozen=True)
class MatrixCell:
    level: str
    dimension: str
    count: int
    shade: int  # 0 (gap) .. SHADES
    likely_duplicates: int = 0  # actions in the cell with a likely duplicate

    @property
    def is_gap(self) -> bool:
        return self.count == 0


def shade(count: int, highest: int) -> int:
    """Heat-map step of a count: 0 for none, else 1..SHADES proportional to the highest cell."""
    if count <= 0 or highest <= 0:
        return 0
    return max(1, min(SHADES, -(-count * SHADES // highest)))  # ceiling division


def build(
    counts: Iterable[tuple[str, str, int]], duplicates: Mapping[tuple[str, str], int] | None = None
) -> list[MatrixCell]:
    """All nine cells in level-then-dimension order, zeros included; unknown level/dimension rows ignored."""
    table = {(level, dimension): 0 for level in LEVELS for dimension in DIMENSIONS}
    for level, dimension, count in counts:
        if (level, dimension) in table:
            table[(level, dimension)] += count
    highest = max(table.values())
    duplicates = duplicates or {}
    return [
        MatrixCell(level, dimension, count, shade(count, highest), duplicates.get((level, dimension), 0))
        for (level, dimension), count in table.items()
    ]


def rows(cells: list[MatrixCell]) -> list[tuple[str, list[MatrixCell]]]:
    """The cells grouped by level (table rows), dimensions in order (columns)."""
    by_key = {(c.level, c.dimension): c for c in cells}
    return [(level, [by_key[(level, dimension)] for dimension in DIMENSIONS]) for level in LEVELS]


def cell_product(levels: Iterable[str], dimensions: Iterable[str]) -> list[tuple[str, str]]:
    """The cells an action covers: every level it names with every dimension it names (deduplicated)."""
    chosen_levels = [lv for lv in LEVELS if lv in set(levels)]
    chosen_dimensions = [d for d in DIMENSIONS if d in set(dimensions)]
    return [(lv, d) for lv in chosen_levels for d in chosen_dimensions]

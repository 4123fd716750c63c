"""The arithmetic of indicators. Plain Python with no Django import, for the monitoring app (issue 12) to use.

The M&E tools programmes use today get a few things wrong again and again. This module is where each one is
ruled out, and its property tests prove it:

- Disaggregated values that do not add up to the total. Here every counted unit (a person, a case, an
  event) is placed in exactly one bucket of a disaggregation, with an explicit `UNKNOWN` bucket, so the
  buckets always add up to the total. When one person's records disagree (two cases in two
  municipalities), the person's latest record in the period decides.
- Percentages averaged across groups or periods. Here a value is a `Ratio` (numerator and denominator),
  added part by part, and divided only when it is shown.
- Cumulative indicators summed across periods. Here "life of programme" is the number of distinct units
  over every period (`cumulative_distinct`), never the sum of the per-period counts.
- "% achieved" wrong for indicators that should fall. `achievement` measures progress from the baseline
  towards the target, in the indicator's direction.
- A hidden small cell recovered as the total minus the others. `suppress` adds complementary
  suppression, so a row of cells never has exactly one hidden cell.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

UNKNOWN = "unknown"
# The standard age bands of the platform's disaggregations (issue 12): lower bounds, in years.
AGE_BANDS: tuple[tuple[int, str], ...] = ((0, "0-11"), (12, "12-17"), (18, "18-24"), (25, "25-59"), (60, "60+"))


class Direction(StrEnum):
    INCREASE = "increase"
    DECREASE = "decrease"
    MAINTAIN = "maintain"


@dataclass(frozen=True)
class Ratio:
    """A value as its two counts. The denominator is None for a plain count."""

    numerator: int
    denominator: int | None = None

    def __add__(self, other: Ratio) -> Ratio:
        if (self.denominator is None) != (other.denominator is None):
            raise ValueError("a count and a ratio cannot be added")
        denominator = None if self.denominator is None else self.denominator + (other.denominator or 0)
        return Ratio(self.numerator + other.numerator, denominator)

    @property
    def value(self) -> float | None:
        """The count, or the percentage (None when the denominator is 0: nothing to measure)."""
        if self.denominator is None:
            return float(self.numerator)
        if self.denominator == 0:
            return None
        return 100.0 * self.numerator / self.denominator


@dataclass(frozen=True)
class Record:
    """One record of the base population: whose it is (`unit`), when it counts, and what it says.

    `in_numerator` / `in_denominator`: whether it meets the indicator's filters. For a count, only
    `in_numerator` is read."""

    unit: Hashable
    on: date
    attributes: Mapping[str, str | None]
    in_numerator: bool = True
    in_denominator: bool = True


def age_band(age: int | None) -> str:
    if age is None or age < 0:
        return UNKNOWN
    band = UNKNOWN
    for lower, name in AGE_BANDS:
        if age >= lower:
            band = name
    return band


def _latest_per_unit(records: Iterable[Record]) -> dict[Hashable, Record]:
    """Each unit's latest record; on the same day, the one that meets the numerator, so a unit is counted
    once and by one set of attributes."""
    latest: dict[Hashable, Record] = {}
    for record in records:
        held = latest.get(record.unit)
        if held is None or (record.on, record.in_numerator, record.in_denominator) > (
            held.on,
            held.in_numerator,
            held.in_denominator,
        ):
            latest[record.unit] = record
    return latest


def _units_ratio(units: Iterable[Record], *, percentage: bool) -> Ratio:
    numerator = denominator = 0
    for record in units:
        in_denominator = record.in_denominator or not percentage
        denominator += in_denominator
        numerator += record.in_numerator and in_denominator
    return Ratio(numerator, denominator if percentage else None)


def total(records: Iterable[Record], *, percentage: bool) -> Ratio:
    """The indicator's value over distinct units."""
    return _units_ratio(_latest_per_unit(records).values(), percentage=percentage)


def disaggregate(records: Iterable[Record], by: str, *, percentage: bool) -> dict[str, Ratio]:
    """The value per bucket of attribute `by` (a missing or empty value goes to UNKNOWN).

    Each unit is placed once, by its latest record, so the buckets add up exactly to `total`."""
    buckets: dict[str, list[Record]] = defaultdict(list)
    for record in _latest_per_unit(records).values():
        buckets[record.attributes.get(by) or UNKNOWN].append(record)
    return {bucket: _units_ratio(units, percentage=percentage) for bucket, units in buckets.items()}


def per_period(records: Iterable[Record], periods: Iterable[tuple[date, date]], *, percentage: bool) -> list[Ratio]:
    """The value in each period (start and end inclusive), over the units with a record in it."""
    kept = list(records)
    return [total((r for r in kept if start <= r.on <= end), percentage=percentage) for start, end in periods]


def cumulative_distinct(records: Iterable[Record], up_to: date, *, percentage: bool) -> Ratio:
    """Life of programme up to `up_to`: distinct units over every period, not the sum of the periods."""
    return total((r for r in records if r.on <= up_to), percentage=percentage)


def achievement(baseline: float | None, target: float, actual: float, direction: Direction) -> float | None:
    """% of the way from the baseline to the target, in the indicator's direction (None: cannot be said).

    Going up for an indicator meant to fall counts as negative progress. "Maintain" is 100 while the value
    holds at the target, and loses one point per percent of the target it drifts away."""
    if direction is Direction.MAINTAIN:
        if target == 0:
            return 100.0 if actual == 0 else 0.0
        return max(0.0, 100.0 - 100.0 * abs(actual - target) / abs(target))
    start = baseline if baseline is not None else (0.0 if direction is Direction.INCREASE else None)
    if start is None or start == target:
        return None
    wanted = target - start
    if (direction is Direction.INCREASE) != (wanted > 0):
        return None  # the target points the other way from the direction: the indicator is misdefined
    return 100.0 * (actual - start) / wanted


def suppress(cells: Mapping[str, int], k: int, *, also: Iterable[str] = ()) -> dict[str, int | None]:
    """Counts safe to publish next to their total: a count in 1..k-1 is hidden (None), and so are the cells
    named in `also` (hidden for another reason, e.g. a small change since an earlier period). If that leaves
    exactly one hidden non-zero cell, the smallest other non-zero cell is hidden too, so the total minus the
    shown cells gives only a sum. If the total is below k, nothing is shown."""
    if sum(cells.values()) < k:
        return dict.fromkeys(cells)
    hidden = {name for name, count in cells.items() if 0 < count < k} | (set(also) & set(cells))
    if sum(1 for name in hidden if cells[name]) == 1:
        others = sorted((count, name) for name, count in cells.items() if name not in hidden and count > 0)
        if others:
            hidden.add(others[0][1])
    return {name: (None if name in hidden else count) for name, count in cells.items()}

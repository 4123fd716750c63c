"""An indicator's values for reporting periods: live (computed now, or as reported by hand) and frozen
(the `Snapshot` a submitted period keeps), and what changed between the two.

The two reads other parts of the app build on (the IPTT, dashboards, exports):

- `live_values(indicator, periods, by=())` → one `engine.Values` per period, in order: computed from the
  data for a computed indicator, read from its `ReportedValue`s for one reported by hand (then `cells` holds
  only a single dimension of `by`, as reported; a period without a report has a total of None parts).
- `values_for(indicator, period, by=())` → the period's `engine.Values`: what its snapshot froze when the
  period is submitted (and `by` has at most one dimension: a snapshot keeps each dimension on its own),
  else the live values.

Below them, the reads the IPTT (`reports`) and the dashboards (`dashboard`) share with them, so that a value
is read one way wherever it shows: `computed` (the engine over the indicator's programme, or the programmes
given for a standard indicator), `submitted_snapshots` (what submitted periods froze) and `reports_of` (what
was reported by hand).

All are exact: suppressing small counts for the reader is the presenter's step (`visible_cells`).
A cumulative indicator's period runs from the programme's start (or its first reporting period's) to the
period's end, and counts distinct units over it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from reintegra.monitoring import choices as c
from reintegra.monitoring import definition as definitions
from reintegra.monitoring import dimensions, engine
from reintegra.monitoring.engine import Cell, Period, Values
from reintegra.monitoring.indicators import suppress
from reintegra.monitoring.models import Indicator, ReportedValue, ReportingPeriod, Snapshot, StandardIndicator


def definition_hash_of(indicator: Indicator) -> str:
    return definitions.definition_hash(indicator.definition if indicator.is_computed else {})


def programme_start(indicator: Indicator) -> date | None:
    programme = indicator.framework.programme
    if programme.starts_on is not None:
        return programme.starts_on
    first = ReportingPeriod.objects.filter(programme=programme).order_by("starts_on").first()
    return first.starts_on if first else None


def span(indicator: Indicator, period: ReportingPeriod, start: date | None = None) -> Period:
    """The dates a period's value covers: the period, or from the programme's start for a cumulative one."""
    if indicator.time_aggregation == c.TimeAggregation.CUMULATIVE:
        begin = start if start is not None else programme_start(indicator)
        return (min(begin or period.starts_on, period.starts_on), period.ends_on)
    return (period.starts_on, period.ends_on)


# --- the reads every value goes through (IPTT, exports, dashboards, snapshots) --------------------------


def computed(
    indicator: Indicator | StandardIndicator,
    spans: Sequence[Period],
    by: Sequence[str] = (),
    *,
    parsed: definitions.Definition | None = None,
    programme_ids: Sequence[int] | None = None,
) -> list[Values]:
    """The indicator's values computed now from the data, one per span (a programme indicator counts its own
    programme's records; a standard indicator the programmes given)."""
    return computed_sets(indicator, spans, [tuple(by)], parsed=parsed, programme_ids=programme_ids)[tuple(by)]


def computed_sets(
    indicator: Indicator | StandardIndicator,
    spans: Sequence[Period],
    sets: Sequence[Sequence[str]],
    *,
    parsed: definitions.Definition | None = None,
    programme_ids: Sequence[int] | None = None,
) -> dict[tuple[str, ...], list[Values]]:
    """As `computed`, for several sets of dimensions at once (one grouped query: `engine.compute_sets`)."""
    rule = parsed if parsed is not None else definitions.parse(indicator.definition, indicator.measure)
    if programme_ids is None:
        assert isinstance(indicator, Indicator)
        programme_ids = [indicator.framework.programme_id]
    return engine.compute_sets(rule, indicator.measure, programme_ids=programme_ids, periods=spans, sets=sets)


def submitted_snapshots(indicator: Indicator, period_ids: Iterable[int]) -> dict[int, Snapshot]:
    """The snapshots of the submitted periods among these, by period."""
    found = Snapshot.objects.filter(
        indicator=indicator, period_id__in=list(period_ids), period__status=c.PeriodStatus.SUBMITTED
    )
    return {snapshot.period_id: snapshot for snapshot in found}


def reports_of(indicator: Indicator, period_ids: Iterable[int]) -> dict[int, ReportedValue]:
    """The values reported by hand for these periods, by period."""
    return {r.period_id: r for r in ReportedValue.objects.filter(indicator=indicator, period_id__in=list(period_ids))}


def _computed(indicator: Indicator, spans: Sequence[Period], by: Sequence[str]) -> list[Values]:
    parsed = definitions.parse(indicator.definition, indicator.measure)
    usable = dimensions.available(parsed.population)
    if any(dimension not in usable for dimension in by):
        # A population without cases (stakeholders, trainings) has no sex nor age: nothing to split.
        return [Values(tuple(by), engine.make_cell(indicator.measure, 0.0, None), {}) for _ in spans]
    return computed(indicator, spans, by, parsed=parsed)


def reported_cell(measure: str, numerator: Any, denominator: Any) -> Cell:
    """A value reported by hand as the engine's parts. For a mean or median the number reported is the value
    itself and the denominator, when given, how many it is of; a mean is kept as sum and count (as the engine
    keeps it), so that hand-reported cells add up like computed ones."""
    n = float(numerator) if numerator is not None else 0.0
    d = float(denominator) if denominator is not None else None
    if measure == c.Measure.MEAN and d:
        return Cell(n * d, d, n)
    if measure in (c.Measure.MEAN, c.Measure.MEDIAN):
        return Cell(n, d, n if numerator is not None else None)
    if measure in (c.Measure.COUNT, c.Measure.SUM, c.Measure.QUALITATIVE):
        return Cell(n, None, n if numerator is not None else None)
    return engine.make_cell(measure, n, d or 0.0)


def _reported(indicator: Indicator, periods: Sequence[ReportingPeriod], by: Sequence[str]) -> list[Values]:
    reports = reports_of(indicator, [p.pk for p in periods])
    results = []
    for period in periods:
        report = reports.get(period.pk)
        if report is None:
            results.append(Values(tuple(by), Cell(0.0, None, None)))
            continue
        values = Values(tuple(by), reported_cell(indicator.measure, report.numerator, report.denominator))
        if len(by) == 1:
            for bucket, raw in (report.cells or {}).get(by[0], {}).items():
                if isinstance(raw, dict):
                    cell = reported_cell(indicator.measure, raw.get("numerator"), raw.get("denominator"))
                else:
                    cell = reported_cell(indicator.measure, raw, None)
                values.cells[(str(bucket),)] = cell
        results.append(values)
    return results


def live_values(indicator: Indicator, periods: Sequence[ReportingPeriod], by: Sequence[str] = ()) -> list[Values]:
    """The indicator's values for each period as they are now (see the module's docstring)."""
    if not periods:
        return []
    if not indicator.is_computed:
        return _reported(indicator, periods, by)
    start = programme_start(indicator)
    return _computed(indicator, [span(indicator, p, start) for p in periods], by)


def as_json(cell: Cell | None) -> dict[str, float | None] | None:
    if cell is None:
        return None
    return {"numerator": cell.numerator, "denominator": cell.denominator, "value": cell.value}


def from_json(raw: Mapping[str, Any] | None) -> Cell:
    if not raw:
        return Cell(0.0, None, None)
    return Cell(float(raw.get("numerator") or 0.0), raw.get("denominator"), raw.get("value"))


def snapshot_values(indicator: Indicator, period: ReportingPeriod) -> dict[str, Any]:
    """What a submitted period freezes of an indicator: the total, each standard disaggregation available
    for its population (or the disaggregations reported by hand) and the life-of-programme value up to the
    period's end (distinct units, never a sum of periods)."""
    (values,) = snapshot_values_many([indicator], period)
    return values


def snapshot_values_many(indicators: Sequence[Indicator], period: ReportingPeriod) -> list[dict[str, Any]]:
    """`snapshot_values` of each indicator, in order. The computed ones are asked together
    (`engine.compute_many`): those counting the same rows of a population (same unit, date and span) come from
    one grouped query, the total and every disaggregation of each."""
    starts: dict[int, date | None] = {}
    requests: list[engine.Request] = []
    # Per indicator: None (reported by hand), or its dimensions, span, and where its two requests are.
    plans: list[tuple[list[str], Period, int, int] | None] = []
    for indicator in indicators:
        if not indicator.is_computed:
            plans.append(None)
            continue
        programme_id = indicator.framework.programme_id
        if programme_id not in starts:
            starts[programme_id] = programme_start(indicator)
        start = starts[programme_id]
        period_span = span(indicator, period, start)
        parsed = definitions.parse(indicator.definition, indicator.measure)
        keys = list(dimensions.available(parsed.population))
        sets = [(), *((key,) for key in keys)]

        # The total and every disaggregation; the same for the life of the programme up to the period's end
        # (the period itself for a cumulative indicator).
        lop_span = (min(start or period.starts_on, period.starts_on), period.ends_on)
        spans = [period_span] if lop_span == period_span else [period_span, lop_span]
        for each in spans:
            requests.append(
                engine.request(parsed, indicator.measure, programme_ids=[programme_id], periods=[each], sets=sets)
            )
        plans.append((keys, period_span, len(requests) - len(spans), len(requests) - 1))
    computed = engine.compute_many(requests)
    results = []
    for indicator, plan in zip(indicators, plans, strict=True):
        if plan is None:
            results.append(_reported_snapshot(indicator, period))
            continue
        keys, period_span, found_at, lop_at = plan
        found, lop = computed[found_at], computed[lop_at]

        def cells_of(values: dict[tuple[str, ...], list[Values]], keys: list[str] = keys) -> dict[str, Any]:
            return {
                key: {bucket: as_json(cell) for (bucket,), cell in sorted(values[(key,)][0].cells.items())}
                for key in keys
            }

        results.append(
            {
                "total": as_json(found[()][0].total),
                "span": [period_span[0].isoformat(), period_span[1].isoformat()],
                "dimensions": cells_of(found),
                "lop": as_json(lop[()][0].total),
                "lop_dimensions": cells_of(lop),
            }
        )
    return results


def _reported_snapshot(indicator: Indicator, period: ReportingPeriod) -> dict[str, Any]:
    report = ReportedValue.objects.filter(indicator=indicator, period=period).first()
    if report is None:
        return {"total": None, "dimensions": {}, "text": ""}
    total = reported_cell(indicator.measure, report.numerator, report.denominator)
    by_dimension = {}
    for dimension in report.cells or {}:
        (split,) = _reported(indicator, [period], (dimension,))
        by_dimension[dimension] = {bucket: as_json(cell) for (bucket,), cell in split.cells.items()}
    return {"total": as_json(total), "dimensions": by_dimension, "text": report.text}


def frozen_values(snapshot: Snapshot, by: Sequence[str] = ()) -> Values:
    """A snapshot as `engine.Values` (`by`: none or one dimension)."""
    values = Values(tuple(by), from_json(snapshot.values.get("total")))
    if len(by) == 1:
        for bucket, raw in snapshot.values.get("dimensions", {}).get(by[0], {}).items():
            values.cells[(bucket,)] = from_json(raw)
    return values


def values_for(indicator: Indicator, period: ReportingPeriod, by: Sequence[str] = ()) -> Values:
    """The period's values: frozen for a submitted period (with `by` of at most one dimension), else live."""
    if period.status == c.PeriodStatus.SUBMITTED and len(by) <= 1:
        snapshot = submitted_snapshots(indicator, [period.pk]).get(period.pk)
        if snapshot is not None:
            return frozen_values(snapshot, by)
    return live_values(indicator, [period], by)[0]


# --- what changed since a period was submitted ---------------------------------------------------

UNCHANGED, DEFINITION, DATA, NEW = "unchanged", "definition", "data", "new"


@dataclass(frozen=True)
class CellChange:
    dimension: str  # "" for the total
    bucket: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass
class IndicatorChange:
    """One indicator: why its values differ from the snapshot (DEFINITION: its rule was edited since; DATA:
    records were added, corrected or deleted since; NEW: added to the framework after the submission)."""

    indicator: Indicator
    reason: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    cells: list[CellChange] = field(default_factory=list)


def _same(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> bool:
    def key(cell: Mapping[str, Any] | None) -> tuple[Any, ...]:
        if not cell:
            return (0.0, None, None)
        parts = (cell.get(k) for k in ("numerator", "denominator", "value"))
        return tuple(None if part is None else round(float(part), 6) for part in parts)

    return key(before) == key(after)


def _cell_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[CellChange]:
    changes = []
    if not _same(before.get("total"), after.get("total")):
        changes.append(CellChange("", "", before.get("total"), after.get("total")))
    old, new = before.get("dimensions", {}), after.get("dimensions", {})
    for dimension in sorted(set(old) | set(new)):
        buckets_before, buckets_after = old.get(dimension, {}), new.get(dimension, {})
        for bucket in sorted(set(buckets_before) | set(buckets_after)):
            if not _same(buckets_before.get(bucket), buckets_after.get(bucket)):
                changes.append(CellChange(dimension, bucket, buckets_before.get(bucket), buckets_after.get(bucket)))
    return changes


def differences(period: ReportingPeriod, indicators: Iterable[Indicator]) -> list[IndicatorChange]:
    """Recompute each indicator for the period and compare it with the snapshot submitted."""
    stored = {s.indicator_id: s for s in Snapshot.objects.filter(period=period)}
    indicators = list(indicators)
    found = []
    for indicator, now in zip(indicators, snapshot_values_many(indicators, period), strict=True):
        snapshot = stored.get(indicator.pk)
        if snapshot is None:
            found.append(IndicatorChange(indicator, NEW, None, now.get("total")))
            continue
        cells = _cell_changes(snapshot.values, now)
        if snapshot.definition_hash != definition_hash_of(indicator):
            reason = DEFINITION
        else:
            reason = DATA if cells else UNCHANGED
        found.append(IndicatorChange(indicator, reason, snapshot.values.get("total"), now.get("total"), cells))
    return found


# --- a definition's value before it is saved ------------------------------------------------------


def preview(raw: Any, measure: str, programme_id: int, dimension: str, *, today: date) -> Values:
    """A definition's values over the last 12 months in one programme, split by `dimension` ("": none).
    Raises the definition's ValidationError when it is not valid."""
    parsed = definitions.parse(raw, measure)
    by = (dimension,) if dimension and dimension in dimensions.available(parsed.population) else ()
    (values,) = engine.compute(
        parsed, measure, programme_ids=[programme_id], periods=[(today - timedelta(days=364), today)], by=by
    )
    return values


@dataclass(frozen=True)
class ShownCell:
    bucket: str
    cell: Cell | None  # None: suppressed


def _units(measure: str, cell: Cell) -> int:
    """How many units a cell is about, which is what a small count hides."""
    if measure in (c.Measure.COUNT, c.Measure.SUM) or cell.denominator is None:
        return round(cell.numerator)
    return round(cell.denominator or 0)


def visible_cells(values: Values, measure: str, *, k: int, exact: bool) -> tuple[Cell | None, list[ShownCell]]:
    """The total and the one-dimension cells as a reader sees them: everything when `exact`, else small
    counts suppressed with complementary suppression (`indicators.suppress`)."""
    cells = {buckets[0] if buckets else "": cell for buckets, cell in values.cells.items()}
    if exact:
        return values.total, [ShownCell(b, cell) for b, cell in sorted(cells.items())]
    units = {bucket: _units(measure, cell) for bucket, cell in cells.items()}
    kept = suppress(units, k) if units else {}
    total_units = _units(measure, values.total)
    total = values.total if total_units == 0 or total_units >= k else None
    return total, [ShownCell(b, cell if kept.get(b) is not None else None) for b, cell in sorted(cells.items())]


def for_reader(cell: Mapping[str, Any] | None, measure: str, *, k: int, exact: bool) -> dict[str, Any] | None:
    """A frozen or recomputed cell as a reader sees it: a small count (below k units) the reader may not see
    is not shown in a difference either."""
    if cell is None or exact:
        return dict(cell) if cell is not None else None
    units = cell.get("numerator") if measure in (c.Measure.COUNT, c.Measure.SUM) else cell.get("denominator")
    return dict(cell) if not units or float(units) >= k else {"suppressed": True}

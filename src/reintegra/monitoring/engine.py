"""Computes an indicator's values in the database: one grouped query per call, whatever the number of
periods (when they do not overlap) and disaggregations asked for.

Rules (docs/domain-monitoring.md, and `monitoring.indicators` for the same rules in plain Python):
- one row per counted unit and period: when a unit (a person, a case) has several records in a period, its
  latest (by the definition's date, then by id) is the one counted, so each unit sits in exactly one bucket
  of every disaggregation and the buckets add up to the total;
- a percentage keeps its numerator and denominator; a mean keeps its sum and count; both add up part by part;
- "cumulative" periods run from the programme's start, and count distinct units, never sums of periods.
"""

from __future__ import annotations

import contextvars
import functools
import itertools
import statistics
import threading
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from time import perf_counter
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import (
    BooleanField,
    Case,
    DateField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone

from reintegra.monitoring import dimensions, joins, registry
from reintegra.monitoring.choices import Measure
from reintegra.monitoring.definition import Condition, Definition
from reintegra.replica import read_alias, reading_from_replica

Period = tuple[date, date]
Buckets = tuple[str, ...]

_LOOKUPS = {"eq": "exact", "lt": "lt", "lte": "lte", "gt": "gt", "gte": "gte"}


@dataclass(frozen=True)
class Cell:
    """A value as its parts: a count (numerator only), a percentage or ratio (numerator and denominator), a
    mean (sum and count) or a median (the median and the count it is of)."""

    numerator: float
    denominator: float | None
    value: float | None


@dataclass
class Values:
    """One period's values: the total and the cells of the disaggregation asked for (keyed by bucket codes
    in the order of `by`). The cells of a count, percentage, ratio or mean add up to the total."""

    by: tuple[str, ...]
    total: Cell
    cells: dict[Buckets, Cell] = field(default_factory=dict)

    def marginal(self, dimension: str, measure: str) -> dict[str, Cell]:
        """The cells of one of the dimensions, rolled up from the crossed cells (not for a median)."""
        index = self.by.index(dimension)
        parts: dict[str, list[float | None]] = defaultdict(lambda: [0.0, None])
        for buckets, cell in self.cells.items():
            part = parts[buckets[index]]
            part[0] = (part[0] or 0.0) + cell.numerator
            if cell.denominator is not None:
                part[1] = (part[1] or 0.0) + cell.denominator
        return {bucket: make_cell(measure, n or 0.0, d) for bucket, (n, d) in parts.items()}


def make_cell(measure: str, numerator: float, denominator: float | None) -> Cell:
    if measure in (Measure.COUNT, Measure.SUM):
        return Cell(numerator, None, numerator)
    if not denominator:
        return Cell(numerator, denominator or 0.0, None)
    if measure == Measure.PERCENTAGE:
        return Cell(numerator, denominator, 100.0 * numerator / denominator)
    return Cell(numerator, denominator, numerator / denominator)  # ratio, mean (sum / count)


def compute(
    definition: Definition,
    measure: str,
    *,
    programme_ids: Iterable[int],
    periods: Sequence[Period],
    by: Sequence[str] = (),
) -> list[Values]:
    """The values of each period (in order), with the cells of `by` crossed."""
    return compute_sets(definition, measure, programme_ids=programme_ids, periods=periods, sets=[tuple(by)])[tuple(by)]


def compute_sets(
    definition: Definition,
    measure: str,
    *,
    programme_ids: Iterable[int],
    periods: Sequence[Period],
    sets: Sequence[Sequence[str]],
) -> dict[Buckets, list[Values]]:
    """The values of each period (in order) for each set of dimensions (`()`: the total alone; `("sex",)`:
    by sex; `("sex", "age_band")`: crossed), all from one grouped query (GROUPING SETS on PostgreSQL).
    Periods share that query, also when a field reads the period (visits in the period: each row takes its own
    period's value, a CASE on the period). Overlapping periods (cumulative ones) repeat each row once per
    period its date falls in, by a join to the list of periods (`joins.PeriodOf`): each period counts exactly
    what it would alone, in the same pass."""
    periods = list(periods)
    ids = list(programme_ids)
    wanted = list(dict.fromkeys(tuple(s) for s in sets))
    # Indicators are computed on the streaming replica when there is one (not inside a transaction of the
    # primary: a snapshot frozen while its period is submitted reads what that transaction sees).
    with reading_from_replica():
        return _compute(definition, measure, ids, periods, wanted)


def _overlap(periods: Sequence[Period]) -> bool:
    ordered = sorted(periods)
    return any(later[0] <= earlier[1] for earlier, later in itertools.pairwise(ordered))


def _in_period(definition: Definition, period: Period) -> Q:
    """The records whose date falls in the period. A date with a time is placed by its local date: compared
    with the local midnights that bound the period, which needs no conversion of each row (and can use an
    index), unlike `__date`."""
    spec = definition.population.dates[definition.date]
    if not spec.datetime:
        return Q(**{f"{spec.path}__range": period})
    zone = timezone.get_current_timezone()
    start, end = (datetime.combine(day, time.min, tzinfo=zone) for day in (period[0], period[1] + timedelta(days=1)))
    return Q(**{f"{spec.path}__gte": start, f"{spec.path}__lt": end})


def _period_index(definition: Definition, periods: Sequence[Period]) -> Any:
    if _overlap(periods):
        # A row belongs to several periods: it is repeated once per period (a join to the periods).
        spec = definition.population.dates[definition.date]
        bounds: list[tuple[Value, Value]]
        if spec.datetime:
            zone = timezone.get_current_timezone()

            def midnight(day: date) -> Value:
                return Value(datetime.combine(day, time.min, tzinfo=zone), output_field=DateTimeField())

            bounds = [(midnight(start), midnight(end + timedelta(days=1))) for start, end in periods]
        else:
            bounds = [
                (Value(start, output_field=DateField()), Value(end, output_field=DateField())) for start, end in periods
            ]
        return joins.PeriodOf(bounds, spec.path, exclusive_end=spec.datetime)
    return Case(
        *(When(_in_period(definition, period), then=Value(i)) for i, period in enumerate(periods)),
        default=Value(-1),
        output_field=IntegerField(),
    )


def _aliases(definition: Definition, periods: Sequence[Period]) -> dict[str, Any]:
    """Expressions the conditions and the value use, annotated under `_f_<field>`. A field that reads the period
    is, over several periods that do not overlap, a CASE on the row's period: each row takes its own period's
    value, in the same single pass."""
    names = {c.field for c in (*definition.filters, *definition.numerator)}
    if definition.value:
        names.add(definition.value)
    span = (min(p[0] for p in periods), max(p[1] for p in periods))
    found = {}
    for name in names:
        spec = definition.population.fields[name]
        expression = getattr(spec, "expression", None)
        if expression is None:
            continue
        if not getattr(spec, "periodic", False) or len(periods) == 1:
            found[f"_f_{name}"] = _column(expression(*span))
            continue
        per_periods = getattr(spec, "per_periods", None)
        made = (
            [_column(one) for one in per_periods(periods)]
            if per_periods
            else [_column(expression(*period)) for period in periods]
        )
        # Overlapping periods: the row's period is the joined one (`_period`), not the one its date falls in.
        overlap = _overlap(periods)
        found[f"_f_{name}"] = Case(
            *(
                When(Q(_period=i) if overlap else _in_period(definition, period), then=one)
                for i, (period, one) in enumerate(zip(periods, made, strict=True))
            ),
            default=None,
        )
    return found


def _column(made: Any) -> Any:
    # A condition (Q) becomes a yes/no column the filters compare with True / False.
    return ExpressionWrapper(made, output_field=BooleanField()) if isinstance(made, Q) else made


def _path(definition: Definition, name: str) -> str:
    spec = definition.population.fields[name]
    return f"_f_{name}" if getattr(spec, "expression", None) is not None else spec.path


def _condition(definition: Definition, condition: Condition) -> Q:
    path = _path(definition, condition.field)
    if condition.op == "in":
        return Q(**{f"{path}__in": condition.value})
    if condition.op == "not_in":
        return ~Q(**{f"{path}__in": condition.value})
    if condition.op == "is":
        return Q(**{path: condition.value})
    if condition.op in ("is_null", "not_null"):
        return Q(**{f"{path}__isnull": condition.op == "is_null"})
    spec = definition.population.fields[condition.field]
    value = timedelta(days=condition.value) if getattr(spec, "duration", False) else condition.value
    return Q(**{f"{path}__{_LOOKUPS[condition.op]}": value})


def _all(definition: Definition, conditions: Iterable[Condition]) -> Q:
    result = Q()
    for condition in conditions:
        result &= _condition(definition, condition)
    return result


def counted_rows(
    definition: Definition,
    measure: str,
    programme_ids: Sequence[int],
    periods: Sequence[Period],
    *,
    one_per_unit: bool = True,
    final: bool = False,
) -> QuerySet[Any]:
    """The rows counted: in the programmes, in one of the periods, passing the filters, one per unit and
    period, annotated with `_period` (the index of its period). Also what a drill-down lists.
    `one_per_unit=False`: every qualifying row (the caller counts distinct units itself). `final=True`: the
    caller only annotates and reads the rows (no further filter, which would run before the ranking)."""
    population = definition.population
    span = (min(p[0] for p in periods), max(p[1] for p in periods))
    conditions = list(definition.filters)
    if measure in (Measure.COUNT, Measure.SUM):
        conditions += definition.numerator  # a count: a unit counts if any of its records qualifies

    # Periods that follow each other without a gap cover their span: every row of the span is in one of them.
    gaps = any(later[0] > earlier[1] + timedelta(days=1) for earlier, later in itertools.pairwise(sorted(periods)))

    def scoped() -> QuerySet[Any]:
        found: QuerySet[Any] = (
            population.rows()
            .filter(**{f"{population.programme_path}__in": list(programme_ids)})
            .filter(_in_period(definition, span))  # the rows of the span only, before each is placed in a period
            .alias(_period=_period_index(definition, periods))
            .alias(**_aliases(definition, periods))
            .filter(_all(definition, conditions))
        )
        return found.exclude(_period=-1) if gaps and not _overlap(periods) else found

    rows = scoped()
    unit_path = population.units[definition.unit].path
    if unit_path != "pk" and one_per_unit:
        date_path = population.dates[definition.date].path
        if connection.vendor != "postgresql" or definition.value:
            # SQLite runs a correlated NOT EXISTS row by row without a usable index, and PostgreSQL plans the
            # joins of an averaged value (a score's change) worse around it: ranking is faster there (measured).
            ranked: QuerySet[Any] = rows.annotate(
                _rank=Window(
                    RowNumber(),
                    partition_by=[F(unit_path), F("_period")],
                    order_by=[F(date_path).desc(), F("pk").desc()],
                )
            ).filter(_rank=1)
            if final:
                # The ranked rows themselves, read in the same pass (PostgreSQL misjudges how many rows the
                # ranking keeps, and looked each one up again by nested loops: 7 s instead of 1 at 300,000
                # cases). A later filter would run before the ranking, hence only for a final reading.
                return ranked
            rows = scoped().filter(pk__in=ranked.values("pk"))
        else:
            # PostgreSQL: "no later record of the unit in the period" as an anti-join, cheaper than ranking
            # every row and looking the winners up again.
            later = (
                scoped()
                .filter(**{unit_path: OuterRef(unit_path)}, _period=OuterRef("_period"))
                .filter(
                    Q(**{f"{date_path}__gt": OuterRef(date_path)})
                    | Q(**{date_path: OuterRef(date_path), "pk__gt": OuterRef("pk")})
                )
            )
            rows = rows.filter(~Exists(later))
    return rows


@dataclass(frozen=True)
class _Grouping:
    """What the grouped query groups by: short column aliases of the expressions (`_d0`…), and for each
    dimension asked for, the columns its bucket is read from and how."""

    expressions: dict[str, Any]  # alias -> expression
    dimensions: dict[str, tuple[tuple[str, ...], Any]]  # dimension -> (aliases, bucket from their values)

    def columns_of(self, s: Buckets) -> tuple[str, ...]:
        """The columns a set of dimensions is grouped by, in the order of `expressions`."""
        used = {alias for key in s for alias in self.dimensions[key][0]}
        return tuple(alias for alias in self.expressions if alias in used)

    def buckets(self, s: Buckets, values: dict[str, Any]) -> Buckets:
        found = []
        for key in s:
            aliases, bucket = self.dimensions[key]
            found.append(bucket(tuple(values[alias] for alias in aliases)))
        return tuple(found)


def _same(values: tuple[Any, ...]) -> str:
    return str(values[0])


def _grouping(population: registry.Population, keys: Sequence[str], *, shared: bool = True) -> _Grouping:
    """`shared=False`: each dimension grouped by its own bucket expression (a median is not made of the
    medians of the groups a bucket gathers)."""
    available = dimensions.available(population)
    names: dict[str, str] = {}  # grouping column or dimension -> alias
    expressions: dict[str, Any] = {}
    found: dict[str, tuple[tuple[str, ...], Any]] = {}
    for key in keys:
        dimension = available[key]
        sources: list[tuple[str, Callable[[registry.Population], Any]]]
        # Columns shared with no other dimension asked (the state without the municipality): the bucket itself,
        # fewer groups, and PostgreSQL's estimate of them lets it aggregate in parallel workers (measured).
        alone = len(dimension.grouped_by) > 1 and not any(
            set(available[other].grouped_by) & set(dimension.grouped_by) for other in keys if other != key
        )
        if shared and dimension.grouped_by and dimension.bucket is not None and not alone:
            sources = [(f"g:{name}", dimensions.GROUPING[name]) for name in dimension.grouped_by]
            bucket = dimension.bucket
        else:
            sources, bucket = [(key, dimension.expression)], _same
        aliases = []
        for name, make in sources:
            if name not in names:
                names[name] = f"_d{len(names)}"  # short aliases: the outer query names them
                expressions[names[name]] = make(population)
            aliases.append(names[name])
        found[key] = (tuple(aliases), bucket)
    return _Grouping(expressions, found)


def _compute(
    definition: Definition, measure: str, programme_ids: Sequence[int], periods: Sequence[Period], sets: list[Buckets]
) -> dict[Buckets, list[Values]]:
    population = definition.population
    keys = list(dict.fromkeys(key for s in sets for key in s))
    if measure == Measure.MEDIAN and connections[read_alias()].vendor == "postgresql":
        return _medians_in_sql(definition, programme_ids, periods, sets, _grouping(population, keys, shared=False))
    grouping = _grouping(population, keys)
    if measure == Measure.MEDIAN:
        return _medians(
            _rows(definition, measure, programme_ids, periods, grouping), definition, grouping, len(periods), sets
        )
    prepared = _prepared(definition, measure, programme_ids, periods, grouping)
    by_columns = _by_columns(grouping, sets)
    return _rolled_up(
        measure,
        len(periods),
        sets,
        grouping,
        by_columns,
        _grouped(prepared, list(grouping.expressions), list(by_columns)),
        _is_duration(definition),
    )


def _by_columns(grouping: _Grouping, sets: Sequence[Buckets]) -> dict[tuple[str, ...], list[Buckets]]:
    """The sets of dimensions by the columns they are grouped by (several sets may share them)."""
    by_columns: dict[tuple[str, ...], list[Buckets]] = defaultdict(list)
    for s in sets:
        by_columns[grouping.columns_of(s)].append(s)
    return by_columns


def _rolled_up(
    measure: str,
    n_periods: int,
    sets: Sequence[Buckets],
    grouping: _Grouping,
    by_columns: dict[tuple[str, ...], list[Buckets]],
    groups: Iterable[tuple[tuple[str, ...], int, dict[str, Any], tuple[Any, Any]]],
    duration: bool,
) -> dict[Buckets, list[Values]]:
    """Each set's cells, added up from the groups of its columns (several groups make one bucket when the
    columns say more than the bucket: the municipalities of a state, the masks with a flag's bit)."""
    plain = measure in (Measure.COUNT, Measure.SUM)
    parts: dict[Buckets, list[dict[Buckets, list[float]]]] = {s: [{} for _ in range(n_periods)] for s in sets}
    for grouped_by, index, values, (numerator, denominator) in groups:
        n = _as_value(numerator, duration)
        d = float(denominator or 0)
        for s in by_columns[grouped_by]:
            cell = parts[s][index].setdefault(grouping.buckets(s, values), [0.0, 0.0])
            cell[0] += n
            cell[1] += d
    results: dict[Buckets, list[Values]] = {}
    for s in sets:
        results[s] = []
        for cells in parts[s]:
            value = Values(s, make_cell(measure, 0.0, None if plain else 0.0))
            total = [0.0, 0.0]
            for buckets, (n, d) in cells.items():
                value.cells[buckets] = make_cell(measure, n, None if plain else d)
                total[0] += n
                total[1] += d
            value.total = make_cell(measure, total[0], None if plain else total[1])
            results[s].append(value)
    return results


def _distinct(definition: Definition, measure: str, keys: Iterable[str]) -> bool:
    """A count whose buckets are attributes of the unit (people by sex, cases by return type) is the number of
    distinct units per bucket: no need to rank each unit's records to keep its latest."""
    population = definition.population
    unit_path = population.units[definition.unit].path
    return measure == Measure.COUNT and unit_path != "pk" and dimensions.fixed_by_unit(population, unit_path, keys)


def _rows(
    definition: Definition, measure: str, programme_ids: Sequence[int], periods: Sequence[Period], grouping: _Grouping
) -> QuerySet[Any]:
    distinct = _distinct(definition, measure, grouping.dimensions)
    rows = counted_rows(definition, measure, programme_ids, periods, one_per_unit=not distinct, final=True)
    annotated: QuerySet[Any] = rows.annotate(_p=F("_period"), **grouping.expressions)
    return annotated


@dataclass(frozen=True)
class _Prepared:
    """The counted rows' SQL, the aggregates the grouped query computes from them, and the database."""

    sql: str
    params: tuple[Any, ...]
    aggregates: str
    # The aggregates are counts and sums (not a median's): groups of groups add up.
    additive: bool
    alias: str
    # Held so that the id in the key stays this population's while the entry lives.
    population: registry.Population
    # The grouped query built on it for each (columns, sets), and the set each GROUPING() mask stands for:
    # built once (a tiny query's call is mostly the engine's own Python, docs/scaling.md).
    grouped: dict[tuple[Any, ...], tuple[str, dict[int, tuple[str, ...]]]] = field(default_factory=dict)
    # The grouped queries (same keys) whose last run was quick: run without `_TUNE`, settings for a large
    # population that a tiny query pays for in the server's time (a third of a 1 ms call, measured).
    quick: set[tuple[Any, ...]] = field(default_factory=set)
    # A quick grouped query with its parameters written in (same keys): prepared on the server (`_fetch_prepared`).
    literal: dict[tuple[Any, ...], str] = field(default_factory=dict)
    # Every row its own unit (no latest record ranked, no distinct units) and no median: nothing in the query
    # needs its rows sorted, so a large one runs with `_HASHED` (docs/scaling.md, "Eighth pass").
    whole: bool = False
    # Nested (cumulative) periods (`_nested_rows`): the groups by first period and how each period's aggregates
    # are picked from them, for PostgreSQL's grouping sets taken before the groups are repeated per period.
    nested: _Nested | None = None


@dataclass(frozen=True)
class _Nested:
    """`_nested_rows`' pieces: the rows grouped by their first period (`_f`) and every grouping column with each
    period's aggregates (`_g<i>`), the periods' ranks (`i`, `r`) and each aggregate of period `i` picked from the
    `_g` columns (a `CASE` on `i`)."""

    groups: str
    sums: tuple[str, ...]
    bounds: str
    picked: tuple[str, ...]


# The SQL compiled for the same question (definition, measure, programmes, periods, dimensions, database, time
# zone) is the same: building and compiling it through the ORM took 4 ms of a 5 ms call on a small population
# (docs/scaling.md). A registered field is a function of the period alone, so the SQL does not go stale.
_PREPARED: dict[tuple[Any, ...], _Prepared] = {}
_PREPARED_MAX = 512
# Guards the caches of this module shared by the threads of `compute_many`.
_LOCK = threading.Lock()


def _prepared(
    definition: Definition, measure: str, programme_ids: Sequence[int], periods: Sequence[Period], grouping: _Grouping
) -> _Prepared:
    key = (
        id(definition.population),
        definition.unit,
        definition.date,
        repr(definition.filters),
        repr(definition.numerator),
        definition.value,
        measure,
        tuple(programme_ids),
        tuple(periods),
        tuple(grouping.dimensions),
        read_alias(),
        timezone.get_current_timezone_name(),
    )
    found = _PREPARED.get(key)
    if found is None:
        if _nested(definition, measure, periods, grouping):
            sql, params, aggregates, db_alias, nested = _nested_rows(
                definition, measure, programme_ids, periods, grouping
            )
            found = _Prepared(sql, params, aggregates, True, db_alias, definition.population, whole=True, nested=nested)
        else:
            rows = _rows(definition, measure, programme_ids, periods, grouping)
            unit_path = definition.population.units[definition.unit].path
            distinct = _distinct(definition, measure, grouping.dimensions)
            inner, aggregates = _per_row(definition, measure, rows, ["_p", *grouping.expressions], distinct, unit_path)
            sql, params = inner.order_by().query.sql_with_params()
            # The connection the router chose for the queryset (the replica inside `reading_from_replica()`).
            additive = measure != Measure.MEDIAN
            whole = additive and unit_path == "pk"
            found = _Prepared(sql, tuple(params), aggregates, additive, inner.db, definition.population, whole=whole)
        with _LOCK:  # batches computed on several connections at once (`compute_many`)
            if len(_PREPARED) >= _PREPARED_MAX:
                _PREPARED.pop(next(iter(_PREPARED)), None)
            _PREPARED[key] = found
    return found


def _nested(definition: Definition, measure: str, periods: Sequence[Period], grouping: _Grouping) -> bool:
    """Cumulative periods (overlapping, all from the same first day) of a count, total, mean, percentage or ratio
    of rows kept whole (each row its own unit, no latest record to rank), whose filters read no period: each row
    is in every period ending on or after its date, so it is grouped once by the first of them (`_nested_rows`)
    instead of being repeated once per period before grouping."""
    if not _overlap(periods) or len({start for start, _end in periods}) != 1:
        return False
    if measure not in (Measure.COUNT, Measure.SUM, Measure.MEAN, Measure.PERCENTAGE, Measure.RATIO):
        return False
    population = definition.population
    if population.units[definition.unit].path != "pk" or _distinct(definition, measure, grouping.dimensions):
        return False
    conditions = [*definition.filters, *definition.numerator]
    return not any(getattr(population.fields[c.field], "periodic", False) for c in conditions)


def _nested_rows(
    definition: Definition, measure: str, programme_ids: Sequence[int], periods: Sequence[Period], grouping: _Grouping
) -> tuple[str, tuple[Any, ...], str, str, _Nested]:
    """The rows of nested (cumulative) periods, each read once: grouped by the first period (in order of their
    ends) their date falls in (`_f`) and the grouping columns, with the aggregates of every period side by side
    (a value read for each period: `_v<j>`, the visits up to that period's end); those few groups are then
    repeated for the periods that hold them (`_f` at most the period's rank) and each takes its period's
    aggregates. The same numbers as the rows joined to the periods (`joins.PeriodOf`) and grouped."""
    population = definition.population
    span = (periods[0][0], max(end for _start, end in periods))
    ends = sorted({end for _start, end in periods})
    rank = [ends.index(end) for _start, end in periods]
    conditions = list(definition.filters)
    if measure in (Measure.COUNT, Measure.SUM):
        conditions += definition.numerator
    names = {c.field for c in (*conditions, *definition.numerator)}
    aliases = {}
    for name in names:
        expression = getattr(population.fields[name], "expression", None)
        if expression is not None:
            aliases[f"_f_{name}"] = _column(expression(*span))
    rows: QuerySet[Any] = (
        population.rows()
        .filter(**{f"{population.programme_path}__in": list(programme_ids)})
        .filter(_in_period(definition, span))
        .alias(**aliases)
        .filter(_all(definition, conditions))
    )
    first = Case(
        *(When(_in_period(definition, (span[0], end)), then=Value(k)) for k, end in enumerate(ends)),
        output_field=IntegerField(),
    )
    annotations: dict[str, Any] = {"_f": first, **grouping.expressions}
    per_period: list[str] = []  # each period's aggregates over a group, in SQL over the group's columns
    q = connections[read_alias()].ops.quote_name
    if measure in (Measure.SUM, Measure.MEAN):
        spec = population.fields[definition.value]
        expression = getattr(spec, "expression", None)
        if expression is None:
            made = [F(spec.path)] * len(periods)
        elif getattr(spec, "periodic", False):
            per_periods = getattr(spec, "per_periods", None)
            made = [_column(one) for one in (per_periods(periods) if per_periods else [])] or [
                _column(expression(*period)) for period in periods
            ]
        else:
            made = [_column(expression(*span))] * len(periods)
        for j, one in enumerate(made):
            annotations[f"_v{j}"] = one
        sums = [f"SUM({q(f'_v{j}')})" for j in range(len(periods))]
        counts = [f"COUNT({q(f'_v{j}')})" for j in range(len(periods))]
        per_period = sums if measure == Measure.SUM else [*sums, *counts]
        width = 1 if measure == Measure.SUM else 2
    elif measure == Measure.COUNT:
        per_period, width = ["COUNT(*)"], 1
    else:
        annotations["_n"] = Case(
            When(_all(definition, definition.numerator), then=Value(1)), default=Value(0), output_field=IntegerField()
        )
        per_period, width = [f"SUM({q('_n')})", "COUNT(*)"], 2
    annotated = rows.annotate(**annotations).values(*annotations).order_by()
    sql, params = annotated.query.sql_with_params()
    columns = [q(column) for column in grouping.expressions]
    every = ", ".join([q("_f"), *columns])
    grouped = ", ".join(f"{part} AS {q(f'_g{i}')}" for i, part in enumerate(per_period))
    source = f"SELECT {every}, {grouped} FROM ({sql}) counted GROUP BY {every}"  # noqa: S608
    # Period j's aggregates: its own value's (`_v<j>`) when each period reads one, else the only ones.
    shared = len(per_period) == width
    picked = []
    for a in range(width):
        whens = " ".join(
            f"WHEN {j} THEN {q(f'_g{a if shared else a * len(periods) + j}')}" for j in range(len(periods))
        )
        picked.append(f"CASE {q('periods')}.{q('i')} {whens} END")
    bounds = " UNION ALL ".join(
        f"SELECT {j} AS {q('i')}, {r} AS {q('r')}" if j == 0 else f"SELECT {j}, {r}" for j, r in enumerate(rank)
    )
    named = [f"{one} AS {q(f'_a{a}')}" for a, one in enumerate(picked)]
    expanded = (
        f"SELECT {q('periods')}.{q('i')} AS {q('_p')}, {', '.join([*columns, *named])} "  # noqa: S608
        f"FROM ({source}) groups INNER JOIN ({bounds}) {q('periods')} "
        f"ON groups.{q('_f')} <= {q('periods')}.{q('r')}"
    )
    aggregates = ", ".join(f"SUM({q(f'_a{a}')})" for a in range(width))
    nested = _Nested(source, tuple(q(f"_g{i}") for i in range(len(per_period))), bounds, tuple(picked))
    return expanded, tuple(params), aggregates, annotated.db, nested


def _per_row(
    definition: Definition,
    measure: str,
    rows: QuerySet[Any],
    keys: list[str],
    distinct: bool,
    unit_path: str,
) -> tuple[QuerySet[Any], str]:
    """The counted rows as the columns the grouped query reads (`_p`, the buckets, `_n` and `_v`) and the
    aggregates it computes from them (numerator, then denominator when the measure has one)."""
    if distinct:
        return rows.annotate(_u=F(unit_path)).values(*keys, "_u").distinct(), "COUNT(*)"
    if measure == Measure.MEDIAN:
        # PostgreSQL: the two middle values (the same one when their number is odd) and how many there are; a
        # row without a value is left out by the aggregates, not by a filter (which would run before a ranking).
        per_row = rows.annotate(_v=F(_path(definition, definition.value))).values(*keys, "_v")
        return per_row, f'percentile_disc(ARRAY[0.5, {_UPPER_MIDDLE}]) WITHIN GROUP (ORDER BY "_v"), COUNT("_v")'

    if measure == Measure.COUNT:
        return rows.values(*keys), "COUNT(*)"
    if measure in (Measure.SUM, Measure.MEAN):
        per_row = rows.annotate(_v=F(_path(definition, definition.value))).values(*keys, "_v")
        return per_row, 'SUM("_v")' if measure == Measure.SUM else 'SUM("_v"), COUNT("_v")'
    numerator = Case(When(_all(definition, definition.numerator), then=Value(1)), default=Value(0))
    return rows.annotate(_n=numerator).values(*keys, "_n"), 'SUM("_n"), COUNT(*)'


def _grouped(
    prepared: _Prepared, columns: list[str], sets: list[tuple[str, ...]]
) -> Iterable[tuple[tuple[str, ...], int, dict[str, Any], tuple[Any, ...]]]:
    """(set of columns, period index, {column: value}, the aggregates: numerator and denominator, or what
    the measure computes) for each group of each set of columns, from one query over the counted rows:
    GROUPING SETS on PostgreSQL, a UNION ALL over the rows materialised once on SQLite."""
    sql, params, aggregates = prepared.sql, list(prepared.params), prepared.aggregates
    db = connections[prepared.alias]
    q = db.ops.quote_name
    period = q("_p")
    if db.vendor == "postgresql" and columns:
        key = (tuple(columns), tuple(sets))
        if key not in prepared.grouped:
            prepared.grouped[key] = _grouping_sets_query(prepared, columns, sets)
        query, bits = prepared.grouped[key]
        started = perf_counter()
        with db.cursor() as cursor:
            if key in prepared.quick:
                found = _fetch_prepared(db, cursor, prepared, key, query, params)
            else:
                found = _fetch_tuned(db, cursor, query, params, hashed=prepared.whole)
        # The settings change no number, only the plan of a large query: a question is quick or not by its data.
        if perf_counter() - started < _QUICK:
            prepared.quick.add(key)
        else:
            prepared.quick.discard(key)
        for mask, index, *rest in found:
            yield bits[mask], index, dict(zip(columns, rest, strict=False)), _parts(rest[len(columns) :])
        return
    selects = []
    for i, s in enumerate(sets):
        grouped_by = [period, *(q(column) for column in s)]
        selects.append(
            f"SELECT {i}, {', '.join(grouped_by)}{', NULL' * (len(columns) - len(s))}, {aggregates} "  # noqa: S608
            f"FROM counted GROUP BY {', '.join(grouped_by)}"
        )
    query = f"WITH counted AS MATERIALIZED ({sql}) " + " UNION ALL ".join(selects)
    with db.cursor() as cursor:
        cursor.execute(query, params)
        found = cursor.fetchall()
    for i, index, *rest in found:
        which = sets[i]
        yield which, index, dict(zip(which, rest, strict=False)), _parts(rest[len(columns) :])


def _grouping_sets_query(
    prepared: _Prepared, columns: list[str], sets: list[tuple[str, ...]]
) -> tuple[str, dict[int, tuple[str, ...]]]:
    """PostgreSQL's grouped query over the counted rows, and the set of columns each GROUPING() mask stands for."""
    sql, aggregates = prepared.sql, prepared.aggregates
    q = connections[prepared.alias].ops.quote_name
    period = q("_p")
    names = [q(column) for column in columns]
    if len(sets) == 1 and list(sets[0]) == columns:
        # One set of every column (a single disaggregation, as the IPTT asks): a plain GROUP BY, one level. A
        # tiny query's time is mostly the server's planning of the wider one (docs/scaling.md).
        query = (
            f"SELECT 0, {', '.join([period, *names])}, {aggregates} "  # noqa: S608
            f"FROM ({sql}) counted GROUP BY {', '.join([period, *names])}"
        )
        return query, {0: sets[0]}
    if prepared.nested is not None:
        return _nested_grouping_sets_query(prepared.nested, names, sets, q), _bits(columns, sets)
    grouping = ", ".join("(" + ", ".join([period, *(q(column) for column in s)]) + ")" for s in sets)
    source = f"({sql}) counted"
    if prepared.additive:
        # Counts and sums add up: the rows are first grouped by every column at once, a plain GROUP BY
        # that hashes each row once and that PostgreSQL may share among parallel workers (it never does
        # for GROUPING SETS), then the grouping sets add up those few groups.
        parts = [part.strip() for part in aggregates.split(",")]
        every = ", ".join([period, *names])
        inner = ", ".join(f"{part} AS {q(f'_a{i}')}" for i, part in enumerate(parts))
        source = f"(SELECT {every}, {inner} FROM {source} GROUP BY {every}) counted"  # noqa: S608
        aggregates = ", ".join(f"SUM({q(f'_a{i}')})" for i in range(len(parts)))
    query = (
        f"SELECT GROUPING({', '.join(names)}), {period}, {', '.join(names)}, {aggregates} "  # noqa: S608
        f"FROM {source} GROUP BY GROUPING SETS ({grouping})"
    )
    return query, _bits(columns, sets)


def _bits(columns: list[str], sets: list[tuple[str, ...]]) -> dict[int, tuple[str, ...]]:
    # GROUPING() sets the bit of each column a row is not grouped by (the first column's bit highest).
    return {sum(1 << (len(columns) - 1 - i) for i, column in enumerate(columns) if column not in s): s for s in sets}


def _nested_grouping_sets_query(
    nested: _Nested, names: list[str], sets: list[tuple[str, ...]], q: Callable[[str], str]
) -> str:
    """Nested (cumulative) periods on PostgreSQL: the grouping sets taken over the groups by first period
    (`_f`), before they are repeated for the periods holding them (`_f` at most the period's rank) and added up
    per period. The same sums as the groups repeated first and then grouped (`_nested_rows`' rows), from a few
    thousand rows repeated instead of every group: `follow-ups-per-case` at a million cases repeated 79,921
    groups into 232,826 rows, grouped them again into 158,880 and hashed those into eight sets (docs/scaling.md,
    "Ninth pass (b)")."""
    first = q("_f")
    grouping = ", ".join("(" + ", ".join([first, *(q(column) for column in s)]) + ")" for s in sets)
    mask = q("_m")
    sums = ", ".join(f"SUM({one}) AS {one}" for one in nested.sums)
    by_sets = (
        f"SELECT GROUPING({', '.join(names)}) AS {mask}, {first}, {', '.join(names)}, {sums} "  # noqa: S608
        f"FROM ({nested.groups}) groups GROUP BY GROUPING SETS ({grouping})"
    )
    period = f"{q('periods')}.{q('i')}"
    # A column a set is not grouped by is NULL in its rows, and the mask keeps the sets apart.
    every = ", ".join([mask, period, *names])
    return (
        f"SELECT {every}, {', '.join(f'SUM({one})' for one in nested.picked)} "  # noqa: S608
        f"FROM ({by_sets}) groups INNER JOIN ({nested.bounds}) {q('periods')} "
        f"ON groups.{first} <= {q('periods')}.{q('r')} GROUP BY {every}"
    )


# A grouped query quicker than this (seconds) runs without `_TUNE` the next time.
_QUICK = 0.02
# Compiling these wide expressions costs PostgreSQL's JIT seconds, more than the query (measured), and the rows
# are hashed into every grouping set in one pass when they have room (not sorted once per set). The room is
# judged by the planner's estimate of the groups, which takes a set of eight grouping columns over a subquery for
# the product of their values: 289,056 groups for the cases' 5,719 at a million cases, over the 128 MB that
# `work_mem` × the default `hash_mem_multiplier` (2) allows, so it sorted the first-level groups again for half of
# the 24 sets (1.7 of 4.1 s). Hash tables may take 8 × `work_mem` (a hash that outgrows it spills to disk as
# before; the cases' tables took 17 MB): docs/scaling.md, "Ninth pass (b)".
_TUNE = ("SET LOCAL jit = off", "SET LOCAL work_mem = '64MB'", "SET LOCAL hash_mem_multiplier = 8")
_RESET = ("SET LOCAL jit TO DEFAULT", "SET LOCAL work_mem TO DEFAULT", "SET LOCAL hash_mem_multiplier TO DEFAULT")
# And for rows kept whole (`_Prepared.whole`: no ranking, no median), no sort where a hash does: PostgreSQL
# estimates the groups of eight or nine grouping columns as their product (1,025,933 for the visits' 112,052 at
# a million cases), so it sorted a million rows by every column in parallel workers (each also hashing the
# visits' counts per case again) rather than hash them once in one process. Not for a ranking: with sorts
# disabled PostgreSQL walked a million cases by an index to have them in order (1 s for an empty population).
_HASHED = ("SET LOCAL enable_sort = off",)
_HASHED_RESET = ("SET LOCAL enable_sort TO DEFAULT",)


def _fetch_tuned(db: Any, cursor: Any, query: str, params: Sequence[Any], *, hashed: bool = False) -> list[Any]:
    """The rows of `query` run with `_TUNE` (and `_HASHED`: rows kept whole), the settings ending with it, in
    one round trip: the statements sent together are one transaction of their own (or reset at the end inside a
    longer one). A tiny query's time is mostly round trips: a transaction of its own around it took four."""
    import psycopg

    tune = (*_TUNE, *_HASHED) if hashed else _TUNE
    reset = (*_RESET, *_HASHED_RESET) if hashed else _RESET
    if not isinstance(cursor.cursor, psycopg.ClientCursor):
        # Binding on the server sends one statement at a time.
        with transaction.atomic(using=db.alias):
            for statement in tune:
                cursor.execute(statement)
            cursor.execute(query, params)
            found: list[Any] = cursor.fetchall()
            for statement in reset:
                cursor.execute(statement)
        return found
    statements = [*tune, query, *(reset if db.in_atomic_block else ())]
    cursor.execute("; ".join(statements), params)
    for _ in tune:
        cursor.nextset()  # past the SETs
    return list(cursor.fetchall())


# Each quick question's statement name (by its text), and the names prepared on each server connection.
_STATEMENTS: dict[str, str] = {}
_STATEMENTS_MAX = 4096
_PREPARED_ON: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


def _fetch_prepared(
    db: Any, cursor: Any, prepared: _Prepared, key: tuple[Any, ...], query: str, params: Sequence[Any]
) -> list[Any]:
    """The rows of a quick grouped query asked again, from a statement prepared on the server once per
    connection (`PREPARE` with the parameters written in, then `EXECUTE`: one plan for the question): parsing
    and planning were half the server's time of a 0.3 ms query (measured: 0.13 ms executed against 0.26 ms).
    A prepared statement lasts as long as its connection, whatever its transactions do. Not through pgbouncer
    in transaction pooling (`DISABLE_SERVER_SIDE_CURSORS`), where the next transaction may run on another
    connection, which has not prepared it."""
    literal = prepared.literal.get(key)
    if db.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS") or (literal is None and len(_STATEMENTS) >= _STATEMENTS_MAX):
        cursor.execute(query, params)
        return list(cursor.fetchall())
    if literal is None:
        literal = prepared.literal[key] = cursor.mogrify(query, params)
    with _LOCK:  # two threads naming two statements alike would run each other's on a connection
        name = _STATEMENTS.setdefault(literal, f"reintegra_monitoring_{len(_STATEMENTS)}")
        done = _PREPARED_ON.setdefault(db.connection, set())
    if name not in done:
        cursor.execute(f"PREPARE {name} AS {literal}")
        done.add(name)
    cursor.execute(f"EXECUTE {name}")
    return list(cursor.fetchall())


def _parts(aggregates: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(aggregates) if len(aggregates) > 1 else (aggregates[0], None)


def _is_duration(definition: Definition) -> bool:
    spec = definition.population.fields.get(definition.value) if definition.value else None
    return bool(getattr(spec, "duration", False))


def _as_value(raw: Any, duration: bool) -> float:
    """A number from the grouped query: SQLite keeps a duration as microseconds (PostgreSQL as an interval)."""
    if duration and isinstance(raw, int | float):
        return raw / 86_400_000_000
    return as_number(raw)


def as_number(value: Any) -> float:
    """A database number as a float; a duration (days between two dates) in days."""
    if value is None:
        return 0.0
    if isinstance(value, timedelta):
        return value.total_seconds() / 86400
    return float(value)


def _medians(
    rows: QuerySet[Any], definition: Definition, grouping: _Grouping, n_periods: int, sets: list[Buckets]
) -> dict[Buckets, list[Values]]:
    """Medians need every value: the values of the counted rows are read once and split in Python. A row
    without a value is skipped here, not filtered in SQL: the rows may be ranked to keep each unit's latest,
    and a filter would run before the ranking."""
    rows = rows.annotate(_v=F(_path(definition, definition.value)))
    columns = list(grouping.expressions)
    per_cell: dict[Buckets, list[dict[Buckets, list[float]]]] = {
        s: [defaultdict(list) for _ in range(n_periods)] for s in sets
    }
    # The values of each combination of grouping columns first, then each combination's buckets once per set
    # (not once per row and set); the rows fetched in one go (not a server-side cursor's round trips).
    per_group: dict[tuple[Any, ...], list[float]] = defaultdict(list)
    for row in rows.values_list("_p", *columns, "_v").order_by():
        if row[-1] is not None:
            per_group[row[:-1]].append(as_number(row[-1]))
    for group, group_values in per_group.items():
        values = dict(zip(columns, group[1:], strict=True))
        for s in sets:
            per_cell[s][group[0]][grouping.buckets(s, values)].extend(group_values)
    # A period's total is the same whatever the set: its median is taken once.
    totals = [[] for _ in range(n_periods)]  # type: list[list[float]]
    for group, group_values in per_group.items():
        totals[group[0]].extend(group_values)
    total_cells = [_median_cell(values) for values in totals]
    found: dict[Buckets, list[Values]] = {}
    for s in sets:
        found[s] = []
        for index, cells in enumerate(per_cell[s]):
            result = Values(s, total_cells[index])
            result.cells = {buckets: _median_cell(values) for buckets, values in cells.items()}
            found[s].append(result)
    return found


# The fraction whose `percentile_disc` is the upper middle value: PostgreSQL takes the value at position
# ceil(fraction × n), which is n/2 + 1 for an even n and the middle (n + 1)/2 for an odd one while n < 5 × 10^8;
# 0.5 gives the lower middle, n/2. Both from one sort of each group's values: the upper middle taken as the
# lower one in descending order sorted them twice (2.2 of 5.9 s for `days-to-acceptance` at a million cases).
_UPPER_MIDDLE = "0.500000001"


def _medians_in_sql(
    definition: Definition,
    programme_ids: Sequence[int],
    periods: Sequence[Period],
    sets: list[Buckets],
    grouping: _Grouping,
) -> dict[Buckets, list[Values]]:
    """PostgreSQL: each bucket's median from the grouped query itself (no value read into Python). Each
    dimension is grouped by its own bucket; the two middle values are taken as they are and averaged here
    as `statistics.median` does, so the numbers are those of `_medians` to the last bit."""
    prepared = _prepared(definition, Measure.MEDIAN, programme_ids, periods, grouping)
    columns = {s: grouping.columns_of(s) for s in sets}
    by_columns: dict[tuple[str, ...], list[Buckets]] = defaultdict(list)
    for s in sets:
        by_columns[columns[s]].append(s)
    totals = [_median_cell([]) for _ in periods]
    cells: dict[Buckets, list[dict[Buckets, Cell]]] = {s: [{} for _ in periods] for s in sets}
    for grouped_by, index, values, (middles, count) in _grouped(
        prepared, list(grouping.expressions), [*by_columns, *([()] if () not in by_columns else [])]
    ):
        if not count:  # no value in the group: no cell, as when the values are read
            continue
        lower, upper = middles
        low, high = as_number(lower), as_number(upper)
        middle = low if lower == upper else (low + high) / 2
        cell = Cell(middle, float(count), middle)
        if not grouped_by:
            totals[index] = cell
        for s in by_columns.get(grouped_by, ()):
            cells[s][index][grouping.buckets(s, values)] = cell
    found: dict[Buckets, list[Values]] = {}
    for s in sets:
        found[s] = [Values(s, totals[index], cells[s][index]) for index in range(len(periods))]
    return found


def _median_cell(values: list[float]) -> Cell:
    if not values:
        return Cell(0.0, 0.0, None)
    middle = statistics.median(values)
    return Cell(middle, float(len(values)), middle)


# --- several indicators in one pass -------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One indicator's question to `compute_many`: its rule and measure, the programmes, periods and sets of
    dimensions (as `compute_sets` takes them)."""

    definition: Definition
    measure: str
    programme_ids: tuple[int, ...]
    periods: tuple[Period, ...]
    sets: tuple[Buckets, ...]


def request(
    definition: Definition,
    measure: str,
    *,
    programme_ids: Iterable[int],
    periods: Sequence[Period],
    sets: Sequence[Sequence[str]],
) -> Request:
    return Request(
        definition,
        measure,
        tuple(programme_ids),
        tuple(periods),
        tuple(dict.fromkeys(tuple(s) for s in sets)),
    )


def _reads_period(asked: Request) -> bool:
    """Whether a field the definition uses is made for each period on the row's date (visits in the period)."""
    definition = asked.definition
    names = {c.field for c in (*definition.filters, *definition.numerator)} | {definition.value} - {""}
    fields = definition.population.fields
    return len(asked.periods) > 1 and any(getattr(fields.get(name), "periodic", False) for name in names)


def batches(requests: Sequence[Request]) -> list[list[int]]:
    """The requests (by index) computed together: those reading the rows of the same population for the same
    programmes, periods and sets of dimensions, whatever their filters, numerators, measures, units and dates.
    Different dates share a scan when each row's period is a CASE on each date (periods that do not overlap,
    no field made on the row's period); a count of distinct units keeps its own date and unit (its units are
    grouped by its own period). A batch ranks one set of rows at most: an indicator that keeps each unit's
    latest record among other rows than the batch's ranked ones (other filters, date or unit) gets a batch of
    its own kind (measured at a million cases: each ranking sorts the union of the batch's rows, and three RSS
    indicators together took 9.6 s against 6.9 s apart). A median needs its values ordered: computed alone."""
    found: list[list[int]] = []
    shared: dict[tuple[Any, ...], list[int]] = {}
    ranked: dict[tuple[Any, ...], tuple[Any, ...]] = {}  # batch key -> the rows its ranking is of
    for index, asked in enumerate(requests):
        definition = asked.definition
        if asked.measure == Measure.MEDIAN:
            found.append([index])
            continue
        keys = [key for s in asked.sets for key in s]
        distinct = _distinct(definition, asked.measure, keys)
        dated = distinct or _overlap(asked.periods) or _reads_period(asked)
        key: tuple[Any, ...] = (
            id(definition.population),
            asked.programme_ids,
            asked.periods,
            asked.sets,
            # A count of distinct units groups its units by its own period: its date and unit for the batch.
            (definition.date, definition.unit) if dated else None,
        )
        if definition.population.units[definition.unit].path != "pk" and not distinct:
            rows = (definition.date, definition.unit, repr(_counted_conditions(definition, asked.measure)))
            if ranked.setdefault(key, rows) != rows:
                key = (*key, rows)
                ranked.setdefault(key, rows)
        if key in shared:
            shared[key].append(index)
        else:
            shared[key] = [index]
            found.append(shared[key])
    return found


def compute_many(
    requests: Sequence[Request],
    *,
    connections_at_once: int | None = None,
    timed: Callable[[list[int], float], None] | None = None,
) -> list[dict[Buckets, list[Values]]]:
    """What `compute_sets` gives for each request, in order. The requests of one batch (`batches`: the same
    population, programmes, periods and dimensions) are computed from one scan of their rows: each indicator's
    numerator and denominator an aggregate of the rows it counts (its dates, its filters, its latest record per
    unit), grouped once by the columns of the dimensions and rolled up per indicator as `compute_sets` rolls up
    its own. A snapshot of a programme and the bench's whole library go through here.

    The batches run on up to `connections_at_once` connections at once (default: the setting
    `REINTEGRA_MONITORING_CONNECTIONS`), one thread each, on PostgreSQL outside a transaction only (another
    connection would not see what the transaction wrote): the server computes two batches on two cores where
    one query rarely keeps both busy (docs/scaling.md, "Fifth pass"). `timed(batch, seconds)` is told each
    batch's time (the bench)."""
    results: list[dict[Buckets, list[Values]] | None] = [None] * len(requests)
    found = batches(requests)

    def run(batch: list[int]) -> None:
        started = perf_counter()
        if len(batch) == 1:
            asked = requests[batch[0]]
            results[batch[0]] = _compute(
                asked.definition, asked.measure, list(asked.programme_ids), list(asked.periods), list(asked.sets)
            )
        else:
            for index, values in zip(batch, _compute_fused([requests[i] for i in batch]), strict=True):
                results[index] = values
        if timed is not None:
            timed(batch, perf_counter() - started)

    with reading_from_replica():
        workers = _connections_at_once(len(found), connections_at_once)
        _run_all([functools.partial(run, batch) for batch in found], workers)
    return [values for values in results if values is not None]


def _connections_at_once(tasks: int, asked: int | None) -> int:
    """How many connections `compute_many` reads on: 1 on SQLite, inside a transaction or for one batch."""
    wanted = asked if asked is not None else int(getattr(settings, "REINTEGRA_MONITORING_CONNECTIONS", 1))
    alias = read_alias()
    if (
        wanted <= 1
        or tasks <= 1
        or connections[alias].vendor != "postgresql"
        or connections[alias].in_atomic_block
        or connections[DEFAULT_DB_ALIAS].in_atomic_block
    ):
        return 1
    return _room(connections[alias].settings_dict, min(wanted, tasks))


def _room(settings_dict: dict[str, Any], wanted: int) -> int:
    """A connection pool lends each thread one of its own: never more than it holds (the pool's wait would fail)."""
    pool = (settings_dict.get("OPTIONS") or {}).get("pool")
    largest = pool.get("max_size", wanted) if isinstance(pool, dict) else wanted
    return max(1, min(wanted, largest))


class _Tasks:
    """Tasks taken in order by several threads, each once; the first error stops the taking."""

    def __init__(self, tasks: Sequence[Callable[[], None]]) -> None:
        self._pending = iter(tasks)
        self._lock = threading.Lock()
        self.failed: list[BaseException] = []

    def drain(self) -> None:
        while True:
            with self._lock:
                task = None if self.failed else next(self._pending, None)
            if task is None:
                return
            try:
                task()
            except BaseException as error:
                with self._lock:
                    self.failed.append(error)
                return

    def drain_and_close(self) -> None:
        try:
            self.drain()
        finally:
            connections.close_all()  # this thread's own


# Seconds the caller's thread computes alone before the other threads start: a small computation (a small
# programme's period, a few milliseconds) never pays for opening another connection.
_SPREAD_AFTER = 0.1


def _run_all(tasks: Sequence[Callable[[], None]], workers: int) -> None:
    """Each task run once, in order, by this thread and, once it has worked `_SPREAD_AFTER` seconds without
    finishing, `workers - 1` others taking the next task as they finish one. Each other thread reads on
    connections of its own (Django's are per thread), closed when it is done, and sees this thread's context (the
    replica routing, the time zone, the language). The first error stops the taking and is raised here."""
    if workers <= 1:
        for task in tasks:
            task()
        return
    queue = _Tasks(tasks)
    contexts = [contextvars.copy_context() for _ in range(1, workers)]
    threads: list[threading.Thread] = []

    def spread() -> None:
        for n, context in enumerate(contexts, start=1):
            thread = threading.Thread(target=context.run, args=(queue.drain_and_close,), name=f"monitoring-batch-{n}")
            thread.start()
            threads.append(thread)

    timer = threading.Timer(_SPREAD_AFTER, spread)
    timer.start()
    queue.drain()
    timer.cancel()
    timer.join()  # `spread` done, if it started
    for thread in threads:
        thread.join()
    if queue.failed:
        raise queue.failed[0]


def _counted_conditions(definition: Definition, measure: str) -> tuple[Condition, ...]:
    # As `counted_rows`: a count or total counts a unit if any of its records passes the numerator too.
    if measure in (Measure.COUNT, Measure.SUM):
        return (*definition.filters, *definition.numerator)
    return definition.filters


@dataclass(frozen=True)
class _FusedRows:
    """The rows of a batch as the columns its grouped query reads, and where each member's marks are."""

    sql: str
    params: tuple[Any, ...]
    alias: str
    grouping: _Grouping
    # The period of each date the members read (`_p`, `_p1`…), and which one each member's is.
    periods: list[str]
    period_of: list[int]
    # Per member: the SQL condition of the rows it keeps (its mark, and its rank when it keeps each unit's latest).
    selected: list[str]
    distinct: list[bool]
    # The members' values (`_v<k>`) and numerators (`_n<k>`) among the columns.
    values: set[str]


def _period_alias(index: int) -> str:
    # The first date's is `_period`, the name a field made on the row's period reads (`_aliases`).
    return "_period" if index == 0 else f"_period{index}"


def _fused_scope(
    members: Sequence[Request], conditions: list[tuple[Condition, ...]], dates: dict[str, Definition]
) -> QuerySet[Any]:
    """The rows of the batch's span (by any of its dates) in its programmes that some member counts, with
    their period by each date."""
    first = members[0]
    definition, periods = first.definition, list(first.periods)
    population = definition.population
    span = (min(p[0] for p in periods), max(p[1] for p in periods))
    in_span = Q()
    for dated in dates.values():
        in_span |= _in_period(dated, span)
    rows: QuerySet[Any] = (
        population.rows().filter(**{f"{population.programme_path}__in": list(first.programme_ids)}).filter(in_span)
    )
    for index, dated in enumerate(dates.values()):
        rows = rows.alias(**{_period_alias(index): _period_index(dated, periods)})
    aliases: dict[str, Any] = {}
    for member in members:
        aliases.update(_aliases(member.definition, periods))
    rows = rows.alias(**aliases)
    if all(conditions):
        either = Q()  # only the rows some member counts
        for member, condition in zip(members, conditions, strict=True):
            either |= _all(member.definition, condition) & (
                _in_period(member.definition, span) if len(dates) > 1 else Q()
            )
        rows = rows.filter(either)
    gaps = any(later[0] > earlier[1] + timedelta(days=1) for earlier, later in itertools.pairwise(sorted(periods)))
    return rows.exclude(_period=-1) if gaps and len(dates) == 1 and not _overlap(periods) else rows


def _fused_values(members: Sequence[Request], conditions: list[tuple[Condition, ...]]) -> dict[str, Any]:
    """Each member's value (`_v<k>`: a total or mean) or numerator (`_n<k>`: 1 or 0, a percentage or ratio)."""
    values: dict[str, Any] = {}
    for k, (member, condition) in enumerate(zip(members, conditions, strict=True)):
        if member.definition.value:
            value = F(_path(member.definition, member.definition.value))
            # Read on the member's own rows only: a value may be a subquery per row (an RSS change reads the
            # baseline round), and the other members' rows are not its to pay for (measured: a third of the
            # RSS batch's time).
            values[f"_v{k}"] = Case(When(_all(member.definition, condition), then=value)) if condition else value
        elif member.measure in (Measure.PERCENTAGE, Measure.RATIO) and member.definition.numerator:
            values[f"_n{k}"] = Case(
                When(_all(member.definition, member.definition.numerator), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
    return values


def _fused_mark(definition: Definition, condition: tuple[Condition, ...], period: str, several: bool) -> Any:
    """1 on the rows a member counts: its conditions, and its date in one of the periods when the batch reads
    several dates (a row of the span by another date may be in none of this one's)."""
    where = _all(definition, condition) if condition else Q()
    if several:
        where &= Q(**{f"{period}__gte": 0})
    if not where:
        return Value(1, output_field=IntegerField())
    return Case(When(where, then=Value(1)), default=Value(0), output_field=IntegerField())


def _fused_rows(members: Sequence[Request]) -> _FusedRows:
    """Each member marks the rows it counts (`_w`: its filters, and its numerator for a count, and its date in a
    period), and ranks them within its unit and period when it keeps each unit's latest record (`_r`:
    partitioned by its own mark, so the latest among its own rows, as `counted_rows` ranks them). Members with
    the same date and conditions share both."""
    first = members[0]
    population = first.definition.population
    grouping = _grouping(population, list(dict.fromkeys(key for s in first.sets for key in s)))
    conditions = [_counted_conditions(member.definition, member.measure) for member in members]
    dates: dict[str, Definition] = {}
    for member in members:
        dates.setdefault(member.definition.date, member.definition)
    order = list(dates)
    rows = _fused_scope(members, conditions, dates)
    q = connections[read_alias()].ops.quote_name
    marks: dict[tuple[str, str], str] = {}
    periods = {f"_p{index or ''}": F(_period_alias(index)) for index in range(len(order))}
    annotations: dict[str, Any] = {**periods, **grouping.expressions}
    ranks: dict[str, Any] = {}
    distinct = [_distinct(member.definition, member.measure, grouping.dimensions) for member in members]
    selected: list[str] = []
    period_of = [order.index(member.definition.date) for member in members]
    for member, condition, apart, at in zip(members, conditions, distinct, period_of, strict=True):
        mark = marks.setdefault((member.definition.date, repr(condition)), f"_w{len(marks)}")
        if mark not in annotations:
            annotations[mark] = _fused_mark(member.definition, condition, _period_alias(at), len(order) > 1)
        where = f"{q(mark)} = 1"
        unit_path = population.units[member.definition.unit].path
        if unit_path != "pk" and not apart:
            rank = f"_r{mark[2:]}"
            ranks[rank] = Window(
                RowNumber(),
                partition_by=[F(unit_path), F(_period_alias(at)), F(mark)],
                order_by=[F(population.dates[member.definition.date].path).desc(), F("pk").desc()],
            )
            where += f" AND {q(rank)} = 1"
        selected.append(where)
    values = _fused_values(members, conditions)
    if any(distinct):
        # One unit for all (`batches`: a count of distinct units keeps its own).
        annotations["_u"] = F(population.units[members[distinct.index(True)].definition.unit].path)
    annotated = rows.annotate(**annotations).annotate(**ranks, **values)
    names = [*annotations, *ranks, *values]
    sql, params = annotated.values(*names).order_by().query.sql_with_params()
    return _FusedRows(
        sql, tuple(params), annotated.db, grouping, list(periods), period_of, selected, distinct, set(values)
    )


def _fused_aggregates(
    members: Sequence[Request], rows: _FusedRows, q: Callable[[str], str]
) -> tuple[list[str], list[tuple[int, int | None, int]]]:
    """The aggregates of every member over the rows, and per member where its numerator, its denominator (None:
    a count or total) and its number of rows are among them."""
    parts: list[str] = []
    slots: list[tuple[int, int | None, int]] = []

    def add(expression: str) -> int:
        parts.append(expression)
        return len(parts) - 1

    for k, (member, where, apart) in enumerate(zip(members, rows.selected, rows.distinct, strict=True)):
        # Distinct units: the rows are grouped by unit first, where a unit counts once.
        counted = add(f"{'MAX' if apart else 'SUM'}(CASE WHEN {where} THEN 1 ELSE 0 END)")
        value = q(f"_v{k}")
        if apart or member.measure == Measure.COUNT:
            slots.append((counted, None, counted))
        elif member.measure == Measure.SUM:
            slots.append((add(f"SUM(CASE WHEN {where} THEN {value} END)"), None, counted))
        elif member.measure == Measure.MEAN:
            total = add(f"SUM(CASE WHEN {where} THEN {value} END)")
            how_many = add(f"SUM(CASE WHEN {where} AND {value} IS NOT NULL THEN 1 ELSE 0 END)")
            slots.append((total, how_many, counted))
        else:  # percentage, ratio: the rows counted are the denominator
            numerator = q(f"_n{k}") if f"_n{k}" in rows.values else "0"
            slots.append((add(f"SUM(CASE WHEN {where} THEN {numerator} ELSE 0 END)"), counted, counted))
    return parts, slots


def _fused_query(
    rows: _FusedRows, parts: list[str], wanted: list[tuple[int, tuple[str, ...]]]
) -> tuple[str, dict[int, int]]:
    """The grouped query of a batch: the aggregates grouped by every column at once (each row hashed once; with
    distinct units, by unit first), then each (period, set of columns) adds up those few groups (GROUPING SETS
    on PostgreSQL, a UNION ALL over them materialised on SQLite). `wanted`: (the period column's index, the
    columns). Its rows: (which, the period, the columns, the aggregates), and the index in `wanted` each value
    of the first column stands for."""
    db = connections[rows.alias]
    q = db.ops.quote_name
    columns = list(rows.grouping.expressions)
    periods = [q(period) for period in rows.periods]
    every = ", ".join([*periods, *(q(column) for column in columns)])
    first_level = ", ".join(f"{part} AS {q(f'_a{i}')}" for i, part in enumerate(parts))
    summed = ", ".join(f"SUM({q(f'_a{i}')})" for i in range(len(parts)))
    if any(rows.distinct):
        units = f"SELECT {every}, {first_level} FROM ({rows.sql}) counted GROUP BY {every}, {q('_u')}"  # noqa: S608
        again = ", ".join(f"SUM({q(f'_a{i}')}) AS {q(f'_a{i}')}" for i in range(len(parts)))
        source = f"SELECT {every}, {again} FROM ({units}) units GROUP BY {every}"  # noqa: S608
    else:
        source = f"SELECT {every}, {first_level} FROM ({rows.sql}) counted GROUP BY {every}"  # noqa: S608
    if db.vendor == "postgresql":
        names = [*rows.periods, *columns]
        sets = ", ".join("(" + ", ".join([periods[at], *(q(column) for column in s)]) + ")" for at, s in wanted)
        # The period of the row's set: the others are NULL in its row.
        period = periods[0] if len(periods) == 1 else f"COALESCE({', '.join(periods)})"
        query = (
            f"SELECT GROUPING({', '.join(q(name) for name in names)}), {period}, "  # noqa: S608
            f"{', '.join(q(column) for column in columns) + ', ' if columns else ''}{summed} "
            f"FROM ({source}) grouped GROUP BY GROUPING SETS ({sets})"
        )
        # GROUPING() sets the bit of each column a row is not grouped by (the first column's bit highest).
        bits = {
            sum(
                1 << (len(names) - 1 - i) for i, name in enumerate(names) if name not in s and name != rows.periods[at]
            ): index
            for index, (at, s) in enumerate(wanted)
        }
        return query, bits
    selects = []
    for index, (at, s) in enumerate(wanted):
        shown = [q(column) if column in s else "NULL" for column in columns]
        selects.append(
            f"SELECT {index}, {', '.join([periods[at], *shown])}, {summed} "  # noqa: S608
            f"FROM grouped GROUP BY {', '.join([periods[at], *(q(column) for column in s)])}"
        )
    return f"WITH grouped AS MATERIALIZED ({source}) " + " UNION ALL ".join(selects), {i: i for i in range(len(wanted))}


def _compute_fused(members: Sequence[Request]) -> list[dict[Buckets, list[Values]]]:
    """Indicators of one batch from one query (`_fused_rows`): each member sums what its measure needs over the
    rows it keeps, with how many they are (a group without any is no cell of that member, as alone), and its
    groups (those of its own period) are rolled up as `compute_sets` rolls up its own."""
    first = members[0]
    rows = _fused_rows(members)
    db = connections[rows.alias]
    parts, slots = _fused_aggregates(members, rows, db.ops.quote_name)
    by_columns = _by_columns(rows.grouping, first.sets)
    used = sorted(set(rows.period_of))
    wanted = [(at, s) for at in used for s in by_columns]
    query, which = _fused_query(rows, parts, wanted)
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            found = _fetch_tuned(db, cursor, query, rows.params)
        else:
            cursor.execute(query, rows.params)
            found = cursor.fetchall()
    columns = list(rows.grouping.expressions)
    results = []
    for member, at, (numerator_at, denominator_at, rows_at) in zip(members, rows.period_of, slots, strict=True):

        def groups(
            at: int = at,
            numerator_at: int = numerator_at,
            denominator_at: int | None = denominator_at,
            rows_at: int = rows_at,
        ) -> Iterable[tuple[tuple[str, ...], int, dict[str, Any], tuple[Any, Any]]]:
            for mark, index, *rest in found:
                aggregates = rest[len(columns) :]
                period_at, grouped_by = wanted[which[mark]]
                if period_at != at or not aggregates[rows_at]:
                    continue  # another date's period, or none of this member's rows: no cell, as when alone
                denominator = aggregates[denominator_at] if denominator_at is not None else None
                yield grouped_by, index, dict(zip(columns, rest, strict=False)), (aggregates[numerator_at], denominator)

        found_member = _rolled_up(
            member.measure,
            len(first.periods),
            first.sets,
            rows.grouping,
            by_columns,
            groups(),
            _is_duration(member.definition),
        )
        results.append(found_member)
    return results


__all__ = [
    "Cell",
    "Request",
    "Values",
    "batches",
    "compute",
    "compute_many",
    "compute_sets",
    "counted_rows",
    "make_cell",
    "registry",
    "request",
]

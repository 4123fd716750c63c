"""Reads of the M&E dashboards: KPI tiles against targets, each indicator's values per period, its
disaggregations, and the records behind a number (drill-down).

Values come from the period's `Snapshot` when the period was submitted (frozen, fast), computed by the
`engine` otherwise (cumulative indicators from the programme's start to the period's end), and from the
`ReportedValue` of an indicator reported by hand. For a reader who may not see small counts
(`permissions.sees_small_counts`), every cell is suppressed with `indicators.suppress` and the programmes'
threshold k: a suppressed cell carries no number at all, so no page, chart or table can show it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reintegra.access.models import Organisation, Programme
from reintegra.monitoring import (
    definition,
    dimensions,
    engine,
    indicators,
    permissions,
    presenting,
    registry,
    selectors,
    snapshots,
)
from reintegra.monitoring.choices import Measure, TimeAggregation
from reintegra.monitoring.models import Indicator, ReportedValue, ReportingPeriod, Snapshot, StandardIndicator, Target
from reintegra.places.models import AdminArea

if TYPE_CHECKING:
    from reintegra.access.models import User

# Dimensions offered on one programme's dashboard (a programme and its organisation are one bucket there).
SINGLE_PROGRAMME_EXCLUDED = ("programme", "organisation")
# Dimensions of the cross-organisation dashboard ("country" rolls the states up to their countries).
CROSS_DIMENSIONS = ("organisation", "country", "adm1", "programme")
# % achieved from which a KPI is on track / needs attention (below: off track).
ON_TRACK, ATTENTION = 90.0, 75.0
STATUS_LABELS = {
    "on_track": _("On track"),
    "attention": _("Needs attention"),
    "off_track": _("Off track"),
    "no_target": _("No target"),
    "no_data": _("No data"),
    "suppressed": _("Hidden: too few records"),
}


@dataclass(frozen=True)
class Span:
    """A period the dashboard shows: a reporting period of the programme, or a calendar quarter."""

    label: str
    starts_on: date
    ends_on: date
    period: ReportingPeriod | None = None


@dataclass
class Point:
    """One period of one indicator, as shown: the total and the cells of one disaggregation."""

    span: Span
    total: presenting.Shown
    cells: dict[str, presenting.Shown] = field(default_factory=dict)


@dataclass(frozen=True)
class Protection:
    """How a reader's numbers are protected: exact, or suppressed below k."""

    exact: bool
    k: int


# --- periods -------------------------------------------------------------------------------------


def _quarter(day: date) -> tuple[date, date]:
    first = 3 * ((day.month - 1) // 3) + 1
    end = date(day.year, 12, 31) if first == 10 else date(day.year, first + 3, 1) - timedelta(days=1)
    return date(day.year, first, 1), end


def last_quarters(n: int = 4, today: date | None = None) -> list[Span]:
    """The last `n` calendar quarters up to the current one (what a programme without periods shows)."""
    start, end = _quarter(today or timezone.localdate())
    spans = []
    for _index in range(n):
        spans.append(Span(f"{start.year}-T{(start.month - 1) // 3 + 1}", start, end))
        start, end = _quarter(start - timedelta(days=1))
    return spans[::-1]


def spans_of(programme: Programme) -> list[Span]:
    """The programme's reporting periods that have begun, in order; the last four quarters if it has none."""
    today = timezone.localdate()
    periods = ReportingPeriod.objects.filter(programme=programme, starts_on__lte=today).order_by("starts_on", "ends_on")
    spans = [Span(p.label, p.starts_on, p.ends_on, p) for p in periods]
    return spans or last_quarters(today=today)


# --- values --------------------------------------------------------------------------------------


def _cell(raw: Any) -> engine.Cell:
    raw = raw if isinstance(raw, dict) else {}
    value = raw.get("value")
    denominator = raw.get("denominator")
    return engine.Cell(
        float(raw.get("numerator") or 0.0),
        None if denominator is None else float(denominator),
        None if value is None else float(value),
    )


@dataclass
class Raw:
    """An indicator's values in one period before protection: the total and one disaggregation's cells."""

    total: engine.Cell
    cells: dict[str, engine.Cell] = field(default_factory=dict)


def _from_snapshot(snapshot: Snapshot, by: str | None) -> Raw:
    values = snapshot.values if isinstance(snapshot.values, dict) else {}
    cells = (values.get("dimensions") or {}).get(by, {}) if by else {}
    return Raw(_cell(values.get("total")), {str(bucket): _cell(c) for bucket, c in cells.items()})


def _from_report(indicator: Indicator, reported: ReportedValue | None, by: str | None) -> Raw | None:
    if reported is None or reported.numerator is None:
        return None
    numerator = float(reported.numerator)
    denominator = None if reported.denominator is None else float(reported.denominator)
    cells_raw = (reported.cells or {}).get(by, {}) if by else {}
    cells = {
        str(bucket): engine.make_cell(indicator.measure, float(n), None)
        for bucket, n in cells_raw.items()
        if isinstance(n, int | float)
    }
    return Raw(snapshots.reported_cell(indicator.measure, numerator, denominator), cells)


def programme_start(programme: Programme, spans: Sequence[Span]) -> date:
    return programme.starts_on or min((s.starts_on for s in spans), default=timezone.localdate())


def _computed(
    indicator: Indicator | StandardIndicator,
    programme_ids: Sequence[int],
    spans: Sequence[Span],
    by: str | None,
    start: date,
) -> list[Raw | None]:
    try:
        rule = definition.parse(indicator.definition, indicator.measure)
    except ValidationError:  # a definition that no longer validates shows as "no data", not a 500
        return [None] * len(spans)
    if by is not None and by not in _dimension_keys(rule.population):
        by = None
    cumulative = indicator.time_aggregation == TimeAggregation.CUMULATIVE
    periods = [((start if cumulative else s.starts_on), s.ends_on) for s in spans]
    found = snapshots.computed(indicator, periods, (by,) if by else (), parsed=rule, programme_ids=programme_ids)
    return [Raw(values.total, {bucket[0]: c for bucket, c in values.cells.items()} if by else {}) for values in found]


def _dimension_keys(population: Any) -> set[str]:
    return set(dimensions.available(population))


def raw_series(indicator: Indicator, spans: Sequence[Span], by: str | None, start: date) -> list[Raw | None]:
    """The indicator's values in each span (None: nothing to show), from snapshots where frozen."""
    if indicator.measure == Measure.QUALITATIVE:
        return [None] * len(spans)
    period_ids = [s.period.pk for s in spans if s.period is not None]
    if not indicator.is_computed:
        reports = snapshots.reports_of(indicator, period_ids)
        return [_from_report(indicator, reports.get(s.period.pk) if s.period else None, by) for s in spans]
    frozen = snapshots.submitted_snapshots(indicator, period_ids)
    series: list[Raw | None] = [None] * len(spans)
    missing = []
    for index, span in enumerate(spans):
        snapshot = frozen.get(span.period.pk) if span.period is not None else None
        if snapshot is not None and (by is None or by in (snapshot.values.get("dimensions") or {})):
            series[index] = _from_snapshot(snapshot, by)
        else:
            missing.append(index)
    if missing:
        programme_id = indicator.framework.programme_id
        computed = _computed(indicator, [programme_id], [spans[i] for i in missing], by, start)
        for index, raw in zip(missing, computed, strict=True):
            series[index] = raw
    return series


# --- protection ----------------------------------------------------------------------------------


def protection_for(user: User | None, programmes: Iterable[Programme]) -> Protection:
    programmes = list(programmes)
    return Protection(permissions.sees_small_counts(user, programmes), permissions.threshold(programmes))


def _hidden(cells: dict[str, engine.Cell], measure: str, k: int) -> set[str]:
    return {b for (b,) in presenting.suppressed_buckets(measure, {(b,): c for b, c in cells.items()}, k)}


def protect(raw: Raw | None, span: Span, measure: str, protection: Protection) -> Point:
    """The point a reader sees: exact, or with every small cell (and its complement) and a small total hidden."""
    if raw is None:
        return Point(span, presenting.Shown(None, None, None))
    if protection.exact:
        return Point(span, presenting.shown(raw.total), {b: presenting.shown(c) for b, c in raw.cells.items()})
    total_hidden = presenting.is_small(measure, raw.total, protection.k)
    # A zero total has no cell to hide; below k, `suppress` hides every cell.
    hidden = _hidden(raw.cells, measure, protection.k) if raw.cells else set()
    cells = {b: presenting.shown(c, hidden=total_hidden or b in hidden) for b, c in raw.cells.items()}
    return Point(span, presenting.shown(raw.total, hidden=total_hidden), cells)


def cumulative_protected(indicator: Indicator | StandardIndicator, protection: Protection) -> bool:
    """Whether the reader's view of the indicator depends on its earlier periods (a cumulative one with
    small counts hidden: see `presenting.series_suppressed`)."""
    return not protection.exact and indicator.time_aggregation == TimeAggregation.CUMULATIVE


def protect_series(
    raws: Sequence[Raw | None], spans: Sequence[Span], indicator: Indicator | StandardIndicator, protection: Protection
) -> list[Point]:
    """The points a reader sees, each protected on its own, or as a series for a cumulative indicator (no
    difference of two points shows a small count)."""
    measure = indicator.measure
    if not cumulative_protected(indicator, protection):
        return [protect(raw, span, measure, protection) for raw, span in zip(raws, spans, strict=True)]
    series: list[tuple[engine.Cell | None, Mapping[tuple[str, ...], engine.Cell]]] = [
        (raw.total, {(b,): c for b, c in raw.cells.items()}) if raw else (None, {}) for raw in raws
    ]
    points = []
    for raw, span, (total_hidden, hidden) in zip(
        raws, spans, presenting.series_suppressed(measure, series, protection.k), strict=True
    ):
        if raw is None:
            points.append(Point(span, presenting.Shown(None, None, None)))
            continue
        cells = {b: presenting.shown(c, hidden=total_hidden or (b,) in hidden) for b, c in raw.cells.items()}
        points.append(Point(span, presenting.shown(raw.total, hidden=total_hidden), cells))
    return points


def point_at(indicator: Indicator, spans: Sequence[Span], by: str | None, protection: Protection, start: date) -> Point:
    """The last span's value as the reader sees it (split by `by`); a cumulative one is protected over the
    spans before it too."""
    needed = list(spans) if cumulative_protected(indicator, protection) else list(spans[-1:])
    return protect_series(raw_series(indicator, needed, by, start), needed, indicator, protection)[-1]


# --- KPI tiles -----------------------------------------------------------------------------------


@dataclass
class Tile:
    indicator: Indicator
    point: Point
    target: float | None
    achieved: float | None
    status: str

    @property
    def status_label(self) -> Any:
        return STATUS_LABELS[self.status]


def target_of(indicator: Indicator, span: Span) -> float | None:
    """The period's target; a cumulative indicator's life-of-programme target when the period has none."""
    if span.period is not None:
        found = Target.objects.filter(indicator=indicator, period=span.period).values_list("value", flat=True).first()
        if found is not None:
            return float(found)
    if indicator.time_aggregation == TimeAggregation.CUMULATIVE and indicator.lop_target is not None:
        return float(indicator.lop_target)
    return None


def status_of(point: Point, achieved: float | None, target: float | None) -> str:
    if point.total.suppressed:
        return "suppressed"
    if point.total.value is None:
        return "no_data"
    if target is None or achieved is None:
        return "no_target"
    if achieved >= ON_TRACK:
        return "on_track"
    return "attention" if achieved >= ATTENTION else "off_track"


def tile(indicator: Indicator, point: Point) -> Tile:
    target = target_of(indicator, point.span)
    achieved = None
    if target is not None and point.total.known:
        baseline = None if indicator.baseline_value is None else float(indicator.baseline_value)
        assert point.total.value is not None
        achieved = indicators.achievement(
            baseline, target, point.total.value, indicators.Direction(indicator.direction)
        )
    return Tile(indicator, point, target, achieved, status_of(point, achieved, target))


def programme_indicators(user: User, programme: Programme) -> QuerySet[Indicator]:
    return (
        selectors.indicators_for(user)
        .filter(framework__programme=programme)
        .exclude(measure=Measure.QUALITATIVE)
        .order_by("-is_kpi", "order", "code")
    )


def kpi_indicators(user: User, programme: Programme) -> list[Indicator]:
    return list(programme_indicators(user, programme).filter(is_kpi=True))


def latest_index(spans: Sequence[Span], today: date | None = None) -> int:
    """The last span that has ended (a quarter just begun says little); the last one begun if none has."""
    today = today or timezone.localdate()
    ended = [index for index, span in enumerate(spans) if span.ends_on < today]
    return ended[-1] if ended else len(spans) - 1


def kpi_tiles(user: User, programme: Programme, spans: Sequence[Span], protection: Protection) -> list[Tile]:
    start = programme_start(programme, spans)
    upto = spans[: latest_index(spans) + 1]
    return [tile(i, point_at(i, upto, None, protection, start)) for i in kpi_indicators(user, programme)]


def trend(indicator: Indicator, spans: Sequence[Span], protection: Protection, start: date) -> list[Point]:
    return protect_series(raw_series(indicator, spans, None, start), spans, indicator, protection)


def disaggregation(indicator: Indicator, spans: Sequence[Span], by: str, protection: Protection, start: date) -> Point:
    """The last of `spans` split by `by` (the spans before it protect a cumulative indicator)."""
    return point_at(indicator, spans, by, protection, start)


def dimensions_of(indicator: Indicator | StandardIndicator, exclude: Sequence[str] = ()) -> list[tuple[str, Any]]:
    """The disaggregations offered for an indicator: its population's for a computed one; for one reported by
    hand, those it was reported with."""
    if not indicator.is_computed:
        return [(key, d.label) for key, d in dimensions.STANDARD.items() if key not in exclude]
    population = registry.get(str((indicator.definition or {}).get("population", "")))
    if population is None:
        return []
    return [(key, d.label) for key, d in dimensions.available(population).items() if key not in exclude]


# --- labels of buckets ---------------------------------------------------------------------------


def bucket_labels(by: str, buckets: Iterable[str]) -> dict[str, str]:
    """A label per bucket code: choice labels, names of areas, organisations and programmes."""
    buckets = list(buckets)
    labels: dict[str, str] = {
        indicators.UNKNOWN: str(_("Unknown")),
        dimensions.WITHHELD: str(dimensions.WITHHELD_LABEL),
    }
    ids = [int(b) for b in buckets if b.isdigit()]
    if by in ("adm1", "adm2"):
        labels |= {str(pk): name for pk, name in AdminArea.objects.filter(pk__in=ids).values_list("pk", "name")}
    elif by == "organisation":
        labels |= {str(pk): name for pk, name in Organisation.objects.filter(pk__in=ids).values_list("pk", "name")}
    elif by == "programme":
        labels |= {str(pk): name for pk, name in Programme.objects.filter(pk__in=ids).values_list("pk", "name")}
    elif by == "country":
        from django_countries import countries

        labels |= {code: str(countries.name(code) or code) for code in buckets if code != indicators.UNKNOWN}
    elif (found := dimensions.get(by)) is not None and found.choices is not None:
        labels |= {str(code): str(label) for code, label in found.choices()}
    return {b: labels.get(b, b) for b in buckets}


def dimension_label(by: str) -> Any:
    if by == "country":
        return _("Country")
    found = dimensions.get(by)
    return found.label if found is not None else by


# --- cross-organisation ----------------------------------------------------------------------------


def standard_indicators() -> list[StandardIndicator]:
    return list(
        StandardIndicator.objects.filter(is_computed=True).exclude(measure=Measure.QUALITATIVE).order_by("code")
    )


def _countries(cells: dict[str, engine.Cell], measure: str) -> dict[str, engine.Cell]:
    """States rolled up to their countries, part by part (an unknown state is an unknown country)."""
    ids = [int(b) for b in cells if b.isdigit()]
    country_of = {str(pk): str(code) for pk, code in AdminArea.objects.filter(pk__in=ids).values_list("pk", "country")}
    parts: dict[str, list[float]] = {}
    plain = measure in (Measure.COUNT, Measure.SUM)
    for bucket, cell in cells.items():
        part = parts.setdefault(country_of.get(bucket, indicators.UNKNOWN), [0.0, 0.0])
        part[0] += cell.numerator
        part[1] += cell.denominator or 0.0
    return {b: engine.make_cell(measure, n, None if plain else d) for b, (n, d) in parts.items()}


# Values over many programmes are computed live (a standard indicator has no snapshot): kept this long per
# server process, so the cross-organisation dashboard does not recompute the library on every visit.
CROSS_ORGANISATION_SECONDS = 15 * 60


def standard_series(
    standard: StandardIndicator, programme_ids: Sequence[int], spans: Sequence[Span], by: str | None, start: date
) -> list[Raw | None]:
    """A standard indicator over many programmes, with its own (library) definition; exact (the reader's
    protection is applied after), and reused for `CROSS_ORGANISATION_SECONDS`."""
    asked = "adm1" if by == "country" else by
    key = (
        "monitoring:standard:"
        + hashlib.sha256(
            json.dumps(
                [
                    standard.code,
                    definition.definition_hash(standard.definition),
                    sorted(programme_ids),
                    [(s.starts_on.isoformat(), s.ends_on.isoformat()) for s in spans],
                    asked,
                    start.isoformat(),
                ]
            ).encode()
        ).hexdigest()
    )
    raws: list[Raw | None] | None = cache.get(key)
    if raws is None:
        raws = _computed(standard, programme_ids, spans, asked, start)
        cache.set(key, raws, CROSS_ORGANISATION_SECONDS)
    if by == "country":
        raws = [Raw(raw.total, _countries(raw.cells, standard.measure)) if raw else None for raw in raws]
    return raws


# --- drill-down ----------------------------------------------------------------------------------


def counted_case_ids(
    indicator: Indicator, span: Span, start: date, by: str | None = None, bucket: str | None = None
) -> list[int] | None:
    """The ids of the cases behind a number (the counted units' cases, for a percentage its denominator);
    None when the indicator's records are not about cases or it is not computed."""
    if not indicator.is_computed:
        return None
    rule = definition.parse(indicator.definition, indicator.measure)
    population = rule.population
    if population.case_path is None:
        return None
    cumulative = indicator.time_aggregation == TimeAggregation.CUMULATIVE
    period = ((start if cumulative else span.starts_on), span.ends_on)
    rows = engine.counted_rows(rule, indicator.measure, [indicator.framework.programme_id], [period])
    if by and bucket is not None:
        available = dimensions.available(population)
        if by not in available:
            return []
        rows = rows.annotate(_bucket=available[by].expression(population)).filter(_bucket=bucket)
    case_id = f"{population.case_path}_id" if population.case_path else "pk"
    return sorted(set(rows.values_list(case_id, flat=True)))


def cases_behind(user: User, case_ids: Sequence[int]) -> QuerySet[Any]:
    """The cases behind a number that the user may open, through the cases access layer."""
    from reintegra.cases import selectors as case_selectors

    return case_selectors.cases_for(user).filter(pk__in=list(case_ids)).order_by("case_number")


def pseudonymised_behind(user: User, case_ids: Sequence[int]) -> tuple[list[dict[str, Any]], int, int]:
    """The k-anonymous pseudonymised rows of the cases behind a number (the organisation's release, so the
    same generalisation and pseudonymous ids as the analytics download), and how many were withheld.
    Returns (rows, withheld, k)."""
    from reintegra.monitoring import analytics

    release = analytics.pseudonymised_release(user)
    wanted = set(case_ids)
    entries = [entry for entry in release.entries if entry[1] in wanted]
    rows = list(analytics.pseudonymised_rows(entries))
    return rows, max(0, len(wanted) - len(rows)), release.k


def home_programme(user: User) -> Programme | None:
    """The programme the home panel shows: the first of the user's own organisation's that they read."""
    if user.organisation_id is None:
        return None
    return selectors.programmes_for(user).filter(organisation_id=user.organisation_id).first()


def get_indicator(user: User, pk: Any) -> Indicator:
    """An indicator the user reads (`Indicator.DoesNotExist` otherwise: 404)."""
    return selectors.indicators_for(user).get(pk=pk)

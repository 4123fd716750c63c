"""The reads behind the indicator performance tracking table (IPTT), the values endpoint, the exports, the
donor report and the public statistics page.

For each indicator of a programme and each reporting period: the baseline, the period's target (`Target`),
the actual — frozen in the period's `Snapshot` once the period is submitted, computed live by
`monitoring.engine` before, or reported by hand (`ReportedValue`) — the % of the target achieved (in the
indicator's direction: `monitoring.indicators.achievement`) and a status. The life-of-programme column
takes the indicator's own life-of-programme target, never the sum of the period targets; its actual is
the last period's value for cumulative and latest-value indicators, and for a per-period indicator the
distinct units over the whole span counted as one period, never the sum of the periods.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reintegra.access.models import Organisation, Programme
from reintegra.monitoring import definition, dimensions, engine, permissions, presenting, selectors, snapshots
from reintegra.monitoring.choices import Measure, PeriodStatus, TimeAggregation
from reintegra.monitoring.indicators import UNKNOWN, Direction, achievement
from reintegra.monitoring.models import (
    Indicator,
    ReportingPeriod,
    ResultNode,
    ResultsFramework,
    Snapshot,
    Target,
)
from reintegra.places.models import AdminArea
from reintegra.validation import FieldErrors

if TYPE_CHECKING:
    from reintegra.access.models import User

Buckets = tuple[str, ...]

ON_TRACK, AT_RISK, OFF_TRACK = "on_track", "at_risk", "off_track"
STATUS_LABELS = {ON_TRACK: _("On track"), AT_RISK: _("At risk"), OFF_TRACK: _("Off track")}


def status_of(achieved: float | None) -> str:
    """On track from 90 % of the target, at risk from 60 %, off track below; none without a measure."""
    if achieved is None:
        return ""
    if achieved >= 90:
        return ON_TRACK
    return AT_RISK if achieved >= 60 else OFF_TRACK


@dataclass
class Raw:
    """A period's value before it is shown: the total and, when the breakdown asked for is known, its cells."""

    total: engine.Cell | None
    cells: dict[Buckets, engine.Cell] | None = None
    text: str = ""
    frozen: bool = False


@dataclass
class Column:
    """One indicator's figures for one period (or for the life of the programme)."""

    label: str
    period: ReportingPeriod | None
    target: float | None
    actual: presenting.Shown | None
    achieved: float | None
    status: str
    text: str = ""
    frozen: bool = False
    cells: list[tuple[str, str, presenting.Shown]] | None = None  # (bucket, label, value)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, ""))


@dataclass
class Row:
    indicator: Indicator
    baseline: float | None
    columns: list[Column]
    lop: Column
    problem: str = ""

    @property
    def groups(self) -> list[tuple[str, str, list[presenting.Shown | None]]]:
        """The disaggregation's groups, each with its value in every column (the life of programme last)."""
        columns = [*self.columns, self.lop]
        labels: dict[str, str] = {}
        for column in columns:
            for bucket, label, _value in column.cells or []:
                labels.setdefault(bucket, label)
        found = [{bucket: value for bucket, _label, value in column.cells or []} for column in columns]
        return [(bucket, label, [values.get(bucket) for values in found]) for bucket, label in labels.items()]


@dataclass
class Report:
    programme: Programme
    framework: ResultsFramework | None
    periods: list[ReportingPeriod]
    rows: list[Row]
    by: str
    by_label: str
    k: int | None  # None: exact counts
    threshold: int
    offered: list[tuple[str, str]] = field(default_factory=list)

    @property
    def suppressed(self) -> bool:
        return self.k is not None


# --- reads ----------------------------------------------------------------------------------------------


def framework_of(programme: Programme) -> ResultsFramework | None:
    return ResultsFramework.objects.filter(programme=programme).first()


def programme_periods(programme: Programme) -> list[ReportingPeriod]:
    return list(ReportingPeriod.objects.filter(programme=programme).order_by("starts_on", "ends_on", "id"))


def programme_indicators(programme: Programme, *, public_only: bool = False) -> list[Indicator]:
    found = Indicator.objects.filter(framework__programme=programme).select_related("node", "framework")
    if public_only:
        found = found.filter(is_public=True, framework__is_public=True)
    return list(found.order_by("node__order", "node__code", "order", "code", "id"))


def indicator_for(user: User, pk: Any) -> Indicator:
    """An indicator of a programme the user reads (`Indicator.DoesNotExist` → 404 otherwise)."""
    permissions.require_view(user)
    return selectors.indicators_for(user).get(pk=pk)


def period_for(user: User, pk: Any) -> ReportingPeriod:
    permissions.require_view(user)
    return ReportingPeriod.objects.select_related("programme").get(pk=pk, programme__in=selectors.programmes_for(user))


def public_programmes() -> list[Programme]:
    return list(
        Programme.objects.filter(results_framework__is_public=True)
        .select_related("organisation")
        .order_by("name", "id")
    )


def public_programme(pk: Any) -> Programme:
    """A programme that publishes its statistics (`Programme.DoesNotExist` → 404 otherwise)."""
    return Programme.objects.select_related("organisation").get(pk=pk, results_framework__is_public=True)


def result_tree(framework: ResultsFramework | None) -> list[dict[str, Any]]:
    """The results tree as nested dicts {"node", "indicators", "children"}, impact first."""
    if framework is None:
        return []
    nodes = list(ResultNode.objects.filter(framework=framework).order_by("order", "code", "id"))
    indicators: dict[int, list[Indicator]] = {}
    for indicator in Indicator.objects.filter(framework=framework).order_by("order", "code"):
        indicators.setdefault(indicator.node_id, []).append(indicator)
    children: dict[int | None, list[ResultNode]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)

    def branch(parent: int | None) -> list[dict[str, Any]]:
        return [
            {"node": n, "indicators": indicators.get(n.pk, []), "children": branch(n.pk)}
            for n in children.get(parent, [])
        ]

    return branch(None)


def bucket_labels(key: str, buckets: Iterable[str]) -> dict[str, str]:
    """What each bucket code of a disaggregation is called (areas, programmes and organisations by name)."""
    labels = {UNKNOWN: str(_("Unknown")), dimensions.WITHHELD: str(dimensions.WITHHELD_LABEL)}
    dim = dimensions.get(key)
    if dim is not None and dim.choices is not None:
        labels.update({str(code): str(label) for code, label in dim.choices()})
        return labels
    ids = [b for b in buckets if b.isdigit()]
    model: Any = {"adm1": AdminArea, "adm2": AdminArea, "programme": Programme, "organisation": Organisation}.get(key)
    if model is not None and ids:
        labels.update({str(pk): str(name) for pk, name in model.objects.filter(pk__in=ids).values_list("pk", "name")})
    return labels


def area_codes(ids: Iterable[str]) -> dict[str, str]:
    found = [i for i in ids if i.isdigit()]
    return {str(pk): code for pk, code in AdminArea.objects.filter(pk__in=found).values_list("pk", "code")}


def offered_dimensions(indicators: Iterable[Indicator]) -> list[tuple[str, str]]:
    """The disaggregations at least one of these (computed) indicators can be split by."""
    keys: set[str] = set()
    for indicator in indicators:
        parsed = _parsed(indicator)
        if parsed is not None:
            keys |= set(dimensions.available(parsed.population))
    return [(key, str(dim.label)) for key, dim in dimensions.known().items() if key in keys]


# --- values ---------------------------------------------------------------------------------------------


def _parsed(indicator: Indicator) -> definition.Definition | None:
    if not indicator.is_computed or indicator.measure == Measure.QUALITATIVE:
        return None
    try:
        return definition.parse(indicator.definition, indicator.measure)
    except ValidationError:
        return None


def as_float(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def _cell(raw: Mapping[str, Any] | None, measure: str) -> engine.Cell | None:
    if not raw:
        return None
    denominator = raw.get("denominator")
    if measure == Measure.MEDIAN:  # frozen as (the median, how many it is of): not a quotient
        return engine.Cell(engine.as_number(raw.get("numerator")), denominator, raw.get("value"))
    return engine.make_cell(
        measure, engine.as_number(raw.get("numerator")), None if denominator is None else engine.as_number(denominator)
    )


def span_start(programme: Programme, periods: Sequence[ReportingPeriod]) -> date:
    """Where cumulative values start counting: the programme's start (else its first period's)."""
    firsts = [p.starts_on for p in periods[:1]]
    return programme.starts_on or (firsts[0] if firsts else date(2000, 1, 1))


def _spans(indicator: Indicator, periods: Sequence[ReportingPeriod], start: date) -> list[tuple[date, date]]:
    if indicator.time_aggregation == TimeAggregation.CUMULATIVE:
        return [(min(start, p.starts_on), p.ends_on) for p in periods]
    return [(p.starts_on, p.ends_on) for p in periods]


def _frozen(snapshot: Snapshot, measure: str, by: str) -> Raw:
    values = snapshot.values or {}
    dims = values.get("dimensions") or {}
    cells = presenting.cells_from_counts((by,), dims[by], measure) if by and by in dims else None
    return Raw(_cell(values.get("total"), measure), cells, frozen=True)


def _computed_raws(
    indicator: Indicator, parsed: definition.Definition, periods: Sequence[ReportingPeriod], start: date, by: str
) -> list[Raw]:
    frozen_ones = snapshots.submitted_snapshots(indicator, [p.pk for p in periods])
    frozen = {p.pk for p in periods if p.status == PeriodStatus.SUBMITTED and p.pk in frozen_ones}
    live_periods = [p for p in periods if p.pk not in frozen]
    keys = (by,) if by in dimensions.available(parsed.population) else ()
    live = dict(
        zip(
            [p.pk for p in live_periods],
            snapshots.computed(indicator, _spans(indicator, live_periods, start), keys, parsed=parsed)
            if live_periods
            else [],
            strict=True,
        )
    )
    raws = []
    for period in periods:
        if period.pk in frozen:
            raws.append(_frozen(frozen_ones[period.pk], indicator.measure, by))
        else:
            values = live[period.pk]
            raws.append(Raw(values.total, values.cells if keys else None))
    return raws


def _reported_raws(indicator: Indicator, periods: Sequence[ReportingPeriod], by: str) -> list[Raw]:
    reported = snapshots.reports_of(indicator, [p.pk for p in periods])
    raws = []
    for period in periods:
        value = reported.get(period.pk)
        if value is None:
            raws.append(Raw(None))
            continue
        total = None
        if value.numerator is not None and indicator.measure != Measure.QUALITATIVE:
            total = snapshots.reported_cell(indicator.measure, value.numerator, value.denominator)
        counts = (value.cells or {}).get(by) if by else None
        cells = presenting.cells_from_counts((by,), counts, indicator.measure) if isinstance(counts, dict) else None
        raws.append(Raw(total, cells, value.text, frozen=period.status == PeriodStatus.SUBMITTED))
    return raws


def _added(raws: Sequence[Raw], measure: str) -> Raw:
    """Hand-reported values of several periods, part by part (numerators and denominators, never values)."""
    totals = [r.total for r in raws if r.total is not None]
    if not totals:
        return Raw(None)
    numerator = sum(t.numerator for t in totals)
    denominators = [t.denominator for t in totals if t.denominator is not None]
    return Raw(engine.make_cell(measure, numerator, sum(denominators) if denominators else None))


def _lop_raw(
    indicator: Indicator,
    parsed: definition.Definition | None,
    periods: Sequence[ReportingPeriod],
    raws: Sequence[Raw],
    start: date,
    by: str,
) -> Raw:
    today = timezone.localdate()
    started = [i for i, p in enumerate(periods) if p.starts_on <= today]
    if not started:
        return Raw(None)
    last = started[-1]
    if indicator.time_aggregation != TimeAggregation.PER_PERIOD:
        # Cumulative: already counted from the start; latest: the last value there is (a period may not
        # have been reported yet).
        with_value = [raws[i] for i in started if raws[i].total is not None or raws[i].text]
        return with_value[-1] if with_value else raws[last]
    if parsed is None:
        return _added(raws[: last + 1], indicator.measure)
    frozen = _frozen_lop(indicator, periods[last], by)
    if frozen is not None:
        return frozen
    keys = (by,) if by in dimensions.available(parsed.population) else ()
    whole = (min(start, periods[0].starts_on), periods[last].ends_on)
    (values,) = snapshots.computed(indicator, [whole], keys, parsed=parsed)
    return Raw(values.total, values.cells if keys else None)


def _frozen_lop(indicator: Indicator, period: ReportingPeriod, by: str) -> Raw | None:
    """The life-of-programme value the last period's snapshot froze (so a submitted report, and the public
    page, do not move with records added since), when it kept the breakdown asked for."""
    if period.status != PeriodStatus.SUBMITTED:
        return None
    snapshot = snapshots.submitted_snapshots(indicator, [period.pk]).get(period.pk)
    values = snapshot.values if snapshot is not None and isinstance(snapshot.values, dict) else {}
    split = (values.get("lop_dimensions") or {}).get(by) if by else None
    if "lop" not in values or (by and split is None):
        return None  # a snapshot written before these were kept: computed now
    cells = presenting.cells_from_counts((by,), split, indicator.measure) if by and split is not None else None
    return Raw(_cell(values["lop"], indicator.measure), cells, frozen=True)


def _column(
    indicator: Indicator,
    label: str,
    period: ReportingPeriod | None,
    target: float | None,
    raw: Raw,
    view: View,
    hidden: tuple[bool, set[Buckets]] | None = None,
) -> Column:
    """A period's column as the reader sees it (`hidden`: what a cumulative series hides, decided over the
    periods before; else the period's own suppression)."""
    measure = indicator.measure
    if raw.total is None:
        actual = None
    elif hidden is not None:
        actual = presenting.shown(raw.total, hidden=hidden[0])
    else:
        actual = presenting.total(measure, raw.total, view.k)
    achieved = None
    if actual is not None and actual.value is not None and target is not None:
        achieved = achievement(as_float(indicator.baseline_value), target, actual.value, Direction(indicator.direction))
    cells = None
    if raw.cells is not None:
        labels = view.labels(raw.cells)
        if hidden is not None:
            shown_cells = {b: presenting.shown(c, hidden=hidden[0] or b in hidden[1]) for b, c in raw.cells.items()}
        else:
            shown_cells = presenting.breakdown(measure, raw.cells, view.k)
        rank = dimensions.choice_rank(view.by)  # the choices' order, not the codes' (issue 18.16)
        ordered = sorted(shown_cells.items(), key=lambda item: (rank.get(item[0][0], len(rank)), item[0]))
        cells = [(bucket[0], labels.get(bucket[0], bucket[0]), value) for bucket, value in ordered]
    return Column(label, period, target, actual, achieved, status_of(achieved), raw.text, raw.frozen, cells)


def _series_hidden(indicator: Indicator, raws: Sequence[Raw], k: int | None) -> list[tuple[bool, set[Buckets]]] | None:
    """What each period of a cumulative indicator hides so that no difference of two periods shows a small
    count (`presenting.series_suppressed`); None when each period is protected on its own."""
    if k is None or indicator.time_aggregation != TimeAggregation.CUMULATIVE:
        return None
    return presenting.series_suppressed(indicator.measure, [(r.total, r.cells or {}) for r in raws], k)


@dataclass
class View:
    """How a reader sees the values: the breakdown asked for and the k applied (None: exact)."""

    by: str
    k: int | None
    _labels: dict[str, str] = field(default_factory=dict)

    def labels(self, cells: Mapping[Buckets, Any]) -> dict[str, str]:
        missing = [b[0] for b in cells if b[0] not in self._labels]
        if missing:
            self._labels.update(bucket_labels(self.by, missing))
        return self._labels


def indicator_row(
    indicator: Indicator, periods: Sequence[ReportingPeriod], targets: Mapping[tuple[int, int], float], view: View
) -> Row:
    programme = indicator.framework.programme
    start = span_start(programme, periods)
    parsed = _parsed(indicator)
    problem = ""
    if indicator.is_computed and indicator.measure != Measure.QUALITATIVE and parsed is None:
        problem = str(_("The computation of this indicator is not valid: correct its definition."))
    if parsed is not None:
        raws = _computed_raws(indicator, parsed, periods, start, view.by)
    elif indicator.is_computed:
        raws = [Raw(None) for _p in periods]
    else:
        raws = _reported_raws(indicator, periods, view.by)
    hidden = _series_hidden(indicator, raws, view.k)
    columns = [
        _column(indicator, p.label, p, targets.get((indicator.pk, p.pk)), raw, view, hidden[i] if hidden else None)
        for i, (p, raw) in enumerate(zip(periods, raws, strict=True))
    ]
    lop_raw = _lop_raw(indicator, parsed, periods, raws, start, view.by)
    # A cumulative life-of-programme value is one of the periods' values: it hides what that period hides.
    same = next((i for i, r in enumerate(raws) if r is lop_raw), None) if hidden else None
    lop = _column(
        indicator,
        str(_("Life of programme")),
        None,
        as_float(indicator.lop_target),
        lop_raw,
        view,
        hidden[same] if hidden and same is not None else None,
    )
    return Row(indicator, as_float(indicator.baseline_value), columns, lop, problem)


def build(
    programme: Programme,
    *,
    k: int | None,
    threshold: int,
    by: str = "",
    public_only: bool = False,
    up_to: ReportingPeriod | None = None,
) -> Report:
    """The IPTT of a programme as a reader with threshold `k` (None: exact counts) sees it."""
    periods = programme_periods(programme)
    if up_to is not None:
        periods = [p for p in periods if p.ends_on <= up_to.ends_on]
    if public_only:  # the public sees what the programme has submitted, never values still moving
        periods = [p for p in periods if p.status == PeriodStatus.SUBMITTED]
    indicators = programme_indicators(programme, public_only=public_only)
    targets = {
        (t.indicator_id, t.period_id): float(t.value)
        for t in Target.objects.filter(indicator__in=indicators, period__in=periods)
    }
    offered = offered_dimensions(indicators)
    by = by if by in dict(offered) else ""
    view = View(by, k)
    rows = [indicator_row(indicator, periods, targets, view) for indicator in indicators]
    return Report(
        programme,
        framework_of(programme),
        periods,
        rows,
        by,
        dict(offered).get(by, ""),
        k,
        threshold,
        offered,
    )


def reader_k(user: User | None, programmes: Sequence[Programme]) -> int | None:
    """The k applied to what this reader sees (None: exact counts, for who reads the cases themselves)."""
    return None if permissions.sees_small_counts(user, programmes) else permissions.threshold(programmes)


def iptt_for(user: User, programme: Programme, *, by: str = "", up_to: ReportingPeriod | None = None) -> Report:
    permissions.require_view(user)
    return build(
        programme, k=reader_k(user, [programme]), threshold=permissions.threshold([programme]), by=by, up_to=up_to
    )


def public_iptt(programme: Programme, *, by: str = "") -> Report:
    """What the public statistics page shows: opted-in indicators only, always k-suppressed."""
    k = permissions.threshold([programme])
    return build(programme, k=k, threshold=k, by=by, public_only=True)


# --- the values endpoint --------------------------------------------------------------------------------


def indicator_summary(indicator: Indicator) -> dict[str, Any]:
    return {
        "id": indicator.pk,
        "code": indicator.code,
        "name": indicator.name,
        "measure": indicator.measure,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "time_aggregation": indicator.time_aggregation,
        "programme": indicator.framework.programme_id,
    }


def _definition_or_error(indicator: Indicator) -> definition.Definition:
    if not indicator.is_computed or indicator.measure == Measure.QUALITATIVE:
        errors = FieldErrors()
        errors.add(
            "indicator", _("This indicator is reported by hand: read its values per reporting period."), "not_computed"
        )
        errors.raise_if_any()
    return definition.parse(indicator.definition, indicator.measure)


def check_dimensions(indicator: Indicator, by: Sequence[str]) -> definition.Definition:
    """The indicator's definition, once the disaggregations asked for are known to apply to it."""
    parsed = _definition_or_error(indicator)
    available = dimensions.available(parsed.population)
    wrong = [key for key in by if key not in available]
    if wrong:
        errors = FieldErrors()
        errors.add(
            "disaggregate",
            _("This indicator cannot be disaggregated by: %(names)s.") % {"names": ", ".join(wrong)},
            "invalid_choice",
        )
        errors.raise_if_any()
    return parsed


MAX_DIMENSIONS = 3


def _check_request(start: date, end: date, by: Sequence[str]) -> None:
    errors = FieldErrors()
    if end < start:
        errors.add("period_end", _("The end must not be before the start."), "ends_before_start")
    unknown = [key for key in by if key not in dimensions.known()]
    if unknown:
        errors.add(
            "disaggregate",
            _("Unknown disaggregation: %(names)s.") % {"names": ", ".join(unknown)},
            "invalid_choice",
        )
    elif len(set(by)) != len(by) or len(by) > MAX_DIMENSIONS:
        errors.add("disaggregate", _("Give at most three different disaggregations."), "out_of_range")
    errors.raise_if_any()


def values_of(user: User, indicator: Indicator, start: date | None, end: date, by: Sequence[str]) -> dict[str, Any]:
    """The API body of an indicator's values over [start, end] (start: the programme's), disaggregated and
    suppressed for the user."""
    programme = indicator.framework.programme
    start = start or span_start(programme, programme_periods(programme))
    _check_request(start, end, by)
    parsed = check_dimensions(indicator, by)
    (values,) = snapshots.computed(indicator, [(start, end)], tuple(by), parsed=parsed)
    return presenting.values_body(
        indicator_summary(indicator),
        values,
        indicator.measure,
        k=reader_k(user, [programme]),
        threshold=permissions.threshold([programme]),
    )

"""Every write of the results framework: frameworks, result nodes, indicators, targets, reporting periods,
hand-reported values and the submission of a period (its snapshots).

Each service checks, on its first line, that the user may manage the programme's monitoring
(`permissions.require_manage`: MANAGE_MONITORING on a programme of their organisation), then every rule of
its input (`FieldErrors`, one code per message), then writes in one transaction attributed to the user in
the change log (apps.py registers the models with the audit log). Edits take `expected_version`
(docs/ARCHITECTURE.md, "Concurrent edits"); targets are rows of their indicator, whose version covers them.

Longer than ~600 lines: the writes of one results framework, by concept in marked sections (framework,
nodes, indicators, targets, periods, reported values); the demo, the API, the forms and the rule-path pairs
call them as `services.<write>`, so the periods' part stays here rather than move under a second name.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from auditlog.context import set_actor
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.access import versioning
from reintegra.access.models import Programme, User
from reintegra.access.transitions import TransitionError
from reintegra.monitoring import choices as c
from reintegra.monitoring import definition as definitions
from reintegra.monitoring import dimensions, permissions, snapshots
from reintegra.monitoring.models import (
    Indicator,
    ReportedValue,
    ReportingPeriod,
    ResultNode,
    ResultsFramework,
    Snapshot,
    StandardIndicator,
    Target,
)
from reintegra.validation import FieldErrors

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

CODE = re.compile(r"^[-a-zA-Z0-9_.]{1,40}$")
MAX_NUMBER = Decimal("999999999999")
EVIDENCE_EXTENSIONS = {"pdf", "png", "jpg", "jpeg", "xlsx", "xls", "csv", "docx", "doc", "odt", "ods", "txt"}


@contextmanager
def _write(user: User) -> Iterator[None]:
    with transaction.atomic(), set_actor(user):
        yield


def _choice(errors: FieldErrors, name: str, value: str, choices: Any, *, blank: bool = False) -> None:
    if (blank and value == "") or value in choices.values:
        return
    errors.add(name, _("Select a valid choice."), "invalid_choice")


def _number(errors: FieldErrors, name: str, value: Decimal | None, *, minimum: Decimal = Decimal(0)) -> None:
    if value is not None and not (minimum <= value <= MAX_NUMBER):
        message = _("Enter a number between %(low)s and %(high)s.") % {"low": minimum, "high": MAX_NUMBER}
        errors.add(name, message, "out_of_range")


# --- results framework ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FrameworkInput:
    theory_of_change: str = ""
    report_context: str = ""
    is_public: bool = False

    @classmethod
    def of(cls, framework: ResultsFramework) -> FrameworkInput:
        return cls(framework.theory_of_change, framework.report_context, framework.is_public)


def create_framework(user: User, programme: Programme, data: FrameworkInput | None = None) -> ResultsFramework:
    """The programme's results framework (a programme has one: `duplicate` when it exists)."""
    permissions.require_manage(user, programme)
    data = data or FrameworkInput()
    errors = FieldErrors()
    if ResultsFramework.objects.filter(programme=programme).exists():
        errors.add("programme", _("This programme already has a results framework."), "duplicate")
    errors.raise_if_any()
    with _write(user):
        return ResultsFramework.objects.create(programme=programme, **data.__dict__)


def edit_framework(
    user: User, framework: ResultsFramework, data: FrameworkInput, *, expected_version: int | None
) -> ResultsFramework:
    permissions.require_manage(user, framework.programme)
    with _write(user):
        versioning.lock(framework, expected_version)
        for name, value in data.__dict__.items():
            setattr(framework, name, value)
        framework.save()
        framework.refresh_from_db()
    return framework


# --- result nodes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class NodeInput:
    kind: str
    title: str
    parent: int | None = None
    code: str = ""
    description: str = ""
    level: str = ""
    dimension: str = ""
    assumptions: str = ""
    risks: str = ""
    order: int = 0

    @classmethod
    def of(cls, node: ResultNode) -> NodeInput:
        return cls(**{f.name: getattr(node, "parent_id" if f.name == "parent" else f.name) for f in fields(cls)})


def _parent(errors: FieldErrors, framework: ResultsFramework, data: NodeInput) -> ResultNode | None:
    """The parent the node goes under, checked against the kinds of the tree (impact → outcome → output → activity)."""
    if data.parent is None:
        if data.kind and data.kind != c.NodeKind.IMPACT:
            errors.add("parent", _("Choose the result this one contributes to."), "required")
        return None
    parent = ResultNode.objects.filter(framework=framework, pk=data.parent).first()
    if parent is None:
        errors.add("parent", _("Choose a result of this framework."), "invalid_choice")
        return None
    expected = c.CHILD_KIND.get(c.NodeKind(parent.kind))
    if data.kind in c.NodeKind.values and expected != data.kind:
        if expected is None:
            message = _("An activity has no results under it.")
        else:
            message = _("Under a result of kind “%(parent)s” goes a result of kind “%(child)s”.") % {
                "parent": c.NodeKind(parent.kind).label,
                "child": expected.label,
            }
        errors.add("parent", message, "wrong_kind")
    return parent


def _check_node(framework: ResultsFramework, data: NodeInput, node: ResultNode | None = None) -> None:
    errors = FieldErrors()
    if not data.title.strip():
        errors.add("title", _("This field is required."), "required")
    _choice(errors, "kind", data.kind, c.NodeKind)
    _choice(errors, "level", data.level, c.ApproachLevel, blank=True)
    _choice(errors, "dimension", data.dimension, c.ResultDimension, blank=True)
    if not (0 <= data.order <= 32767):
        errors.add("order", _("Enter a number between 0 and 32767."), "out_of_range")
    _parent(errors, framework, data)
    if data.kind == c.NodeKind.IMPACT:
        impacts = ResultNode.objects.filter(framework=framework, kind=c.NodeKind.IMPACT)
        if node is not None:
            impacts = impacts.exclude(pk=node.pk)
        if impacts.exists():
            errors.add("kind", _("A results framework has one impact."), "duplicate")
    if node is not None and data.kind != node.kind and node.children.exists():
        errors.add("kind", _("Move or delete the results under this one before changing its kind."), "has_children")
    errors.raise_if_any()


def _apply_node(node: ResultNode, data: NodeInput) -> None:
    for name, value in data.__dict__.items():
        setattr(node, "parent_id" if name == "parent" else name, value.strip() if isinstance(value, str) else value)


def add_node(user: User, framework: ResultsFramework, data: NodeInput) -> ResultNode:
    permissions.require_manage(user, framework.programme)
    _check_node(framework, data)
    node = ResultNode(framework=framework)
    _apply_node(node, data)
    with _write(user):
        node.save()
    return node


def edit_node(user: User, node: ResultNode, data: NodeInput, *, expected_version: int | None) -> ResultNode:
    """Change a result; a new `parent` moves it (and what hangs from it) in the tree."""
    framework = node.framework
    permissions.require_manage(user, framework.programme)
    with _write(user):
        versioning.lock(node, expected_version)
        _check_node(framework, data, node)
        _apply_node(node, data)
        node.save()
        node.refresh_from_db()
    return node


def delete_node(user: User, node: ResultNode, *, expected_version: int | None) -> None:
    """Delete a result that has nothing under it (no results, no indicators)."""
    permissions.require_manage(user, node.framework.programme)
    with _write(user):
        versioning.lock(node, expected_version)
        if node.children.exists():
            raise TransitionError(_("Move or delete the results under this one first."), "node_has_children")
        if node.indicators.exists():
            raise TransitionError(_("Move or delete the indicators of this result first."), "node_has_indicators")
        node.delete()


# --- indicators ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorInput:
    node: int | None
    code: str
    name_es: str
    measure: str
    name_en: str = ""
    name_fr: str = ""
    description_es: str = ""
    description_en: str = ""
    description_fr: str = ""
    unit: str = ""
    direction: str = c.Direction.INCREASE
    time_aggregation: str = c.TimeAggregation.PER_PERIOD
    level: str = ""
    dimension: str = ""
    is_computed: bool = False
    definition: Any = field(default_factory=dict)
    baseline_value: Decimal | None = None
    baseline_date: date | None = None
    baseline_source: str = ""
    lop_target: Decimal | None = None
    means_of_verification: str = ""
    data_source: str = ""
    frequency: str = c.Frequency.QUARTERLY
    responsible: int | None = None
    is_kpi: bool = False
    is_public: bool = False
    order: int = 0

    @classmethod
    def of(cls, indicator: Indicator) -> IndicatorInput:
        ids = {"node": "node_id", "responsible": "responsible_id"}
        return cls(**{f.name: getattr(indicator, ids.get(f.name, f.name)) for f in fields(cls)})


def _check_code(errors: FieldErrors, framework: ResultsFramework, code: str, indicator: Indicator | None) -> None:
    if not code:
        errors.add("code", _("This field is required."), "required")
    elif not CODE.match(code):
        errors.add("code", _("Use letters, digits, dots, dashes or underscores (at most 40)."), "invalid")
    else:
        same = Indicator.objects.filter(framework=framework, code=code)
        if indicator is not None:
            same = same.exclude(pk=indicator.pk)
        if same.exists():
            errors.add("code", _("Another indicator of this framework has this code."), "duplicate")


def _check_definition(errors: FieldErrors, data: IndicatorInput) -> None:
    if data.is_computed:
        if data.measure == c.Measure.QUALITATIVE:
            errors.add("is_computed", _("A qualitative indicator is reported by hand."), "invalid")
            return
        if data.measure in c.Measure.values:
            with errors.capture():
                parsed = definitions.parse(data.definition, data.measure)
                _check_finite(errors, parsed)


def _check_finite(errors: FieldErrors, parsed: definitions.Definition) -> None:
    """A number in a condition is a finite one the database can compare with ("1e999" parses as infinity)."""
    for part, conditions in (("filters", parsed.filters), ("numerator", parsed.numerator)):
        for index, condition in enumerate(conditions):
            value = condition.value
            if isinstance(value, float) and not math.isfinite(value):
                errors.add(f"definition.{part}.{index}.value", _("Enter a number."), "invalid")


def _check_responsible(errors: FieldErrors, framework: ResultsFramework, responsible: int | None) -> None:
    if responsible is None:
        return
    if not User.objects.filter(
        pk=responsible, is_active=True, organisation_id=framework.programme.organisation_id
    ).exists():
        errors.add("responsible", _("Choose a person of the programme's organisation."), "invalid_choice")


def _check_indicator(framework: ResultsFramework, data: IndicatorInput, indicator: Indicator | None = None) -> None:
    errors = FieldErrors()
    _check_code(errors, framework, data.code.strip(), indicator)
    if not data.name_es.strip():
        errors.add("name_es", _("This field is required."), "required")
    if data.node is None:
        errors.add("node", _("Choose the result this indicator measures."), "required")
    elif not ResultNode.objects.filter(framework=framework, pk=data.node).exists():
        errors.add("node", _("Choose a result of this framework."), "invalid_choice")
    for name, choices in (
        ("measure", c.Measure),
        ("direction", c.Direction),
        ("time_aggregation", c.TimeAggregation),
        ("frequency", c.Frequency),
    ):
        _choice(errors, name, getattr(data, name), choices)
    _choice(errors, "level", data.level, c.ApproachLevel, blank=True)
    _choice(errors, "dimension", data.dimension, c.ResultDimension, blank=True)
    _number(errors, "baseline_value", data.baseline_value, minimum=-MAX_NUMBER)
    _number(errors, "lop_target", data.lop_target, minimum=-MAX_NUMBER)
    _check_responsible(errors, framework, data.responsible)
    _check_definition(errors, data)
    errors.raise_if_any()


def _apply_indicator(indicator: Indicator, data: IndicatorInput) -> None:
    ids = {"node": "node_id", "responsible": "responsible_id"}
    for name, value in data.__dict__.items():
        setattr(indicator, ids.get(name, name), value.strip() if isinstance(value, str) else value)
    if not data.is_computed:
        indicator.definition = {}  # a hand-reported indicator has no rule


def create_indicator(user: User, framework: ResultsFramework, data: IndicatorInput) -> Indicator:
    permissions.require_manage(user, framework.programme)
    _check_indicator(framework, data)
    indicator = Indicator(framework=framework)
    _apply_indicator(indicator, data)
    with _write(user):
        indicator.save()
    return indicator


def edit_indicator(
    user: User, indicator: Indicator, data: IndicatorInput, *, expected_version: int | None
) -> Indicator:
    framework = indicator.framework
    permissions.require_manage(user, framework.programme)
    with _write(user):
        versioning.lock(indicator, expected_version)
        _check_indicator(framework, data, indicator)
        _apply_indicator(indicator, data)
        indicator.save()
        indicator.refresh_from_db()
    return indicator


def delete_indicator(user: User, indicator: Indicator, *, expected_version: int | None) -> None:
    """Delete an indicator no submitted period has frozen (its snapshots are the programme's record)."""
    permissions.require_manage(user, indicator.framework.programme)
    with _write(user):
        versioning.lock(indicator, expected_version)
        if indicator.snapshots.exists():
            raise TransitionError(
                _("A submitted period has frozen this indicator's values: it cannot be deleted."), "indicator_frozen"
            )
        indicator.delete()


def adopt_standard(user: User, framework: ResultsFramework, *, standard: int | None, node: int | None) -> Indicator:
    """Copy an indicator of the standard library into the framework, under the result `node`."""
    permissions.require_manage(user, framework.programme)
    errors = FieldErrors()
    found = StandardIndicator.objects.filter(pk=standard).first() if standard is not None else None
    if found is None:
        errors.add("standard", _("Choose an indicator of the library."), "invalid_choice")
    elif Indicator.objects.filter(framework=framework, code=found.code).exists():
        errors.add("standard", _("This framework already has an indicator with this code."), "duplicate")
    if node is None:
        errors.add("node", _("Choose the result this indicator measures."), "required")
    elif not ResultNode.objects.filter(framework=framework, pk=node).exists():
        errors.add("node", _("Choose a result of this framework."), "invalid_choice")
    errors.raise_if_any()
    assert found is not None and node is not None
    copied = {
        name: getattr(found, name)
        for name in (
            *("code", "name_es", "name_en", "name_fr", "description_es", "description_en", "description_fr"),
            *("measure", "unit", "direction", "time_aggregation", "level", "dimension", "is_computed"),
            *("definition", "means_of_verification"),
        )
    }
    with _write(user):
        return Indicator.objects.create(framework=framework, node_id=node, standard=found, **copied)


# --- targets -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetRow:
    """One indicator's row of the targets grid: the life-of-programme target (set on its own, never the sum
    of the periods') and a target per period (None: no target)."""

    lop_target: Decimal | None
    by_period: Mapping[int, Decimal | None]
    version: int | None = None  # the indicator's version the user read


def _check_targets(framework: ResultsFramework, grid: Mapping[int, TargetRow]) -> dict[int, Indicator]:
    errors = FieldErrors()
    indicators = {i.pk: i for i in Indicator.objects.filter(framework=framework, pk__in=list(grid))}
    periods = set(ReportingPeriod.objects.filter(programme=framework.programme_id).values_list("pk", flat=True))
    for indicator_id, row in grid.items():
        indicator = indicators.get(indicator_id)
        if indicator is None:
            errors.add(f"targets.{indicator_id}", _("Choose an indicator of this framework."), "invalid_choice")
            continue
        high = Decimal(100) if indicator.measure == c.Measure.PERCENTAGE else MAX_NUMBER
        for period_id, value in [("lop", row.lop_target), *row.by_period.items()]:
            name = f"targets.{indicator_id}.{period_id}"
            if period_id != "lop" and period_id not in periods:
                errors.add(name, _("Choose a reporting period of this programme."), "invalid_choice")
            elif value is not None and not (0 <= value <= high):
                errors.add(name, _("Enter a number between 0 and %(high)s.") % {"high": high}, "out_of_range")
    errors.raise_if_any()
    return indicators


def save_targets(user: User, framework: ResultsFramework, grid: Mapping[int, TargetRow]) -> None:
    """Save the targets grid: indicator id → its row. An empty cell removes that period's target."""
    permissions.require_manage(user, framework.programme)
    indicators = _check_targets(framework, grid)
    with _write(user):
        for indicator_id, row in grid.items():
            indicator = versioning.lock(indicators[indicator_id], row.version)
            for period_id, value in row.by_period.items():
                if value is None:
                    Target.objects.filter(indicator=indicator, period_id=period_id).delete()
                else:
                    Target.objects.update_or_create(indicator=indicator, period_id=period_id, defaults={"value": value})
            # The indicator's version covers its targets: saving it moves the version.
            indicator.lop_target = row.lop_target
            indicator.save()


# --- reporting periods ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodInput:
    kind: str
    starts_on: date | None
    ends_on: date | None
    label: str = ""
    narrative: str = ""

    @classmethod
    def of(cls, period: ReportingPeriod) -> PeriodInput:
        return cls(period.kind, period.starts_on, period.ends_on, period.label, period.narrative)


def default_label(kind: str, starts_on: date, ends_on: date) -> str:
    if kind == c.PeriodKind.QUARTER:
        return f"{starts_on.year}-T{(starts_on.month - 1) // 3 + 1}"
    if kind == c.PeriodKind.MONTH:
        return f"{starts_on:%Y-%m}"
    if kind == c.PeriodKind.YEAR:
        return str(starts_on.year)
    return f"{starts_on.isoformat()} – {ends_on.isoformat()}"


def _check_period(programme: Programme, data: PeriodInput, period: ReportingPeriod | None = None) -> None:
    errors = FieldErrors()
    _choice(errors, "kind", data.kind, c.PeriodKind)
    for name in ("starts_on", "ends_on"):
        if getattr(data, name) is None:
            errors.add(name, _("This field is required."), "required")
    if len(data.label) > 60:
        errors.add("label", _("At most 60 characters."), "max_length")
    if data.starts_on and data.ends_on:
        if data.ends_on < data.starts_on:
            errors.add("ends_on", _("The end date cannot be before the start date."), "ends_before_start")
        else:
            overlapping = ReportingPeriod.objects.filter(
                programme=programme, kind=data.kind, starts_on__lte=data.ends_on, ends_on__gte=data.starts_on
            )
            if period is not None:
                overlapping = overlapping.exclude(pk=period.pk)
            clash = overlapping.first()
            if clash is not None:
                errors.add(
                    "starts_on",
                    _("This period overlaps “%(label)s”, of the same kind.") % {"label": clash.label},
                    "overlap",
                )
    errors.raise_if_any()


def create_period(user: User, programme: Programme, data: PeriodInput) -> ReportingPeriod:
    permissions.require_manage(user, programme)
    _check_period(programme, data)
    assert data.starts_on is not None and data.ends_on is not None
    label = data.label.strip() or default_label(data.kind, data.starts_on, data.ends_on)
    with _write(user):
        return ReportingPeriod.objects.create(
            programme=programme,
            kind=data.kind,
            label=label,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            narrative=data.narrative,
        )


def edit_period(
    user: User, period: ReportingPeriod, data: PeriodInput, *, expected_version: int | None
) -> ReportingPeriod:
    """Change an open period (a submitted one keeps its dates: its values are frozen for them); the
    narrative of the donor report may still be written after submitting."""
    permissions.require_manage(user, period.programme)
    with _write(user):
        versioning.lock(period, expected_version)
        if period.status == c.PeriodStatus.SUBMITTED and (
            (data.kind, data.starts_on, data.ends_on) != (period.kind, period.starts_on, period.ends_on)
        ):
            raise TransitionError(_("This period is submitted: its dates cannot change."), "period_submitted")
        _check_period(period.programme, data, period)
        assert data.starts_on is not None and data.ends_on is not None
        period.kind, period.starts_on, period.ends_on = data.kind, data.starts_on, data.ends_on
        period.label = data.label.strip() or default_label(data.kind, data.starts_on, data.ends_on)
        period.narrative = data.narrative
        period.save()
        period.refresh_from_db()
    return period


def quarters_of(year: int) -> list[PeriodInput]:
    ends = {1: date(year, 3, 31), 2: date(year, 6, 30), 3: date(year, 9, 30), 4: date(year, 12, 31)}
    return [PeriodInput(c.PeriodKind.QUARTER, date(year, 3 * q - 2, 1), ends[q], f"{year}-T{q}") for q in range(1, 5)]


def create_quarters(user: User, programme: Programme, year: int | None) -> list[ReportingPeriod]:
    """The four quarters of a year, all or none (`year`: overlap when one of them clashes)."""
    permissions.require_manage(user, programme)
    errors = FieldErrors()
    if year is None:
        errors.add("year", _("This field is required."), "required")
    elif not (2000 <= year <= 2100):
        errors.add("year", _("Enter a year between 2000 and 2100."), "out_of_range")
    errors.raise_if_any()
    assert year is not None
    for quarter in quarters_of(year):
        try:
            _check_period(programme, quarter)
        except ValidationError:
            errors.add("year", _("A quarter of this year overlaps a period of the programme."), "overlap")
            errors.raise_if_any()
    with _write(user):
        return [
            ReportingPeriod.objects.create(
                programme=programme, kind=q.kind, label=q.label, starts_on=q.starts_on, ends_on=q.ends_on
            )
            for q in quarters_of(year)
            if q.starts_on is not None and q.ends_on is not None
        ]


def delete_period(user: User, period: ReportingPeriod, *, expected_version: int | None) -> None:
    permissions.require_manage(user, period.programme)
    with _write(user):
        versioning.lock(period, expected_version)
        if period.status == c.PeriodStatus.SUBMITTED:
            raise TransitionError(_("This period is submitted: its values are frozen."), "period_submitted")
        period.delete()


def submit_period(user: User, period: ReportingPeriod, *, expected_version: int | None = None) -> list[Snapshot]:
    """Freeze the period: a snapshot of every indicator of the programme's framework (total, each standard
    disaggregation, the definition's hash). Once only (`period_submitted`)."""
    permissions.require_manage(user, period.programme)
    with _write(user):
        versioning.lock(period, expected_version)
        if period.status == c.PeriodStatus.SUBMITTED:
            raise TransitionError(_("This period was already submitted."), "period_submitted")
        indicators = list(
            Indicator.objects.filter(framework__programme=period.programme).select_related("framework__programme")
        )
        # Every indicator's values at once: those counting the same rows from one query (`engine.compute_many`).
        created = [
            Snapshot.objects.create(
                period=period,
                indicator=indicator,
                definition_hash=snapshots.definition_hash_of(indicator),
                values=values,
            )
            for indicator, values in zip(indicators, snapshots.snapshot_values_many(indicators, period), strict=True)
        ]
        period.status = c.PeriodStatus.SUBMITTED
        period.submitted_at = timezone.now()
        period.submitted_by = user
        period.save()
        period.refresh_from_db()
    return created


def submit_refusal(period: ReportingPeriod) -> str:
    """Why the period cannot be submitted now ("" when it can): the step's reason on the page."""
    if period.status == c.PeriodStatus.SUBMITTED:
        return _("This period was already submitted.")
    return ""


# --- values reported by hand ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReportedInput:
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    text: str = ""
    # {"sex": {"female": 3, "male": 4}} for counts; {"sex": {"female": {"numerator": 1, "denominator": 2}}}
    # for a percentage or ratio. Each dimension adds up to the total.
    cells: Any = field(default_factory=dict)
    note: str = ""
    evidence: UploadedFile[Any] | None = None

    @classmethod
    def of(cls, value: ReportedValue) -> ReportedInput:
        return cls(value.numerator, value.denominator, value.text, value.cells, value.note)


PARTS = (c.Measure.PERCENTAGE, c.Measure.RATIO)


def _cell_parts(raw: Any, with_denominator: bool) -> tuple[Decimal, Decimal] | None:
    """A cell's (numerator, denominator) as reported, or None when it is not numbers."""
    try:
        if with_denominator:
            if not isinstance(raw, dict):
                return None
            return Decimal(str(raw["numerator"])), Decimal(str(raw["denominator"]))
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            return None
        return Decimal(str(raw)), Decimal(0)
    except (KeyError, TypeError, ArithmeticError, ValueError):
        return None


def _check_cells(errors: FieldErrors, measure: str, data: ReportedInput) -> None:
    """Each reported disaggregation adds up exactly to the total (issue 12: no disaggregation that does not)."""
    if not data.cells:
        return
    if not isinstance(data.cells, dict) or measure not in (c.Measure.COUNT, c.Measure.SUM, *PARTS):
        errors.add("cells", _("Only counts, totals, percentages and ratios are disaggregated by hand."), "invalid")
        return
    with_denominator = measure in PARTS
    for dimension, buckets in data.cells.items():
        name = f"cells.{dimension}"
        if dimension not in dimensions.STANDARD:
            errors.add(name, _("Choose one of the standard disaggregations."), "invalid_choice")
            continue
        parts = [_cell_parts(v, with_denominator) for v in buckets.values()] if isinstance(buckets, dict) else [None]
        if any(p is None or p[0] < 0 or p[1] < 0 for p in parts):
            errors.add(name, _("Enter a number of zero or more in each cell."), "invalid")
            continue
        numerator = sum((p[0] for p in parts if p), Decimal(0))
        denominator = sum((p[1] for p in parts if p), Decimal(0))
        if numerator != (data.numerator or 0) or (with_denominator and denominator != (data.denominator or 0)):
            errors.add(
                name,
                _("The cells of “%(dimension)s” add up to %(sum)s, not to the total.")
                % {"dimension": dimensions.STANDARD[dimension].label, "sum": numerator},
                "does_not_add_up",
            )


def _check_reported(indicator: Indicator, period: ReportingPeriod, data: ReportedInput) -> None:
    errors = FieldErrors()
    measure = indicator.measure
    if measure == c.Measure.QUALITATIVE:
        if not data.text.strip():
            errors.add("text", _("This field is required."), "required")
    elif data.numerator is None:
        errors.add("numerator", _("This field is required."), "required")
    _number(errors, "numerator", data.numerator)
    _number(errors, "denominator", data.denominator)
    if measure in PARTS:
        if not data.denominator:
            errors.add("denominator", _("Enter a denominator greater than zero."), "required")
        elif measure == c.Measure.PERCENTAGE and data.numerator is not None and data.numerator > data.denominator:
            errors.add("numerator", _("The numerator cannot exceed the denominator."), "out_of_range")
    elif data.denominator is not None:
        errors.add("denominator", _("Only a percentage or a ratio has a denominator."), "invalid")
    _check_cells(errors, measure, data)
    if data.evidence is not None:
        name = data.evidence.name or ""
        if name.rsplit(".", 1)[-1].lower() not in EVIDENCE_EXTENSIONS or "." not in name:
            types = ", ".join(sorted(EVIDENCE_EXTENSIONS))
            errors.add(
                "evidence", _("Upload a file of one of these types: %(types)s.") % {"types": types}, "invalid_extension"
            )
    errors.raise_if_any()


def report_value(
    user: User, indicator: Indicator, period: ReportingPeriod, data: ReportedInput, *, expected_version: int | None
) -> ReportedValue:
    """Record (or correct) the hand-reported value of an indicator for an open period of its programme.
    `expected_version`: 0 when the user saw no value yet."""
    programme = indicator.framework.programme
    permissions.require_manage(user, programme)
    if period.programme_id != programme.pk:
        raise ValidationError({"period": ValidationError(_("Choose a period of this programme."), "invalid_choice")})
    if indicator.is_computed:
        raise TransitionError(_("This indicator is computed from the platform's data."), "indicator_computed")
    if period.status == c.PeriodStatus.SUBMITTED:
        raise TransitionError(_("This period was submitted: its values are frozen."), "period_submitted")
    with _write(user):
        current = ReportedValue.objects.select_for_update().filter(indicator=indicator, period=period).first()
        versioning.check(current, expected_version)
        _check_reported(indicator, period, data)
        value = current or ReportedValue(indicator=indicator, period=period)
        value.numerator, value.denominator, value.text = data.numerator, data.denominator, data.text.strip()
        value.cells, value.note = data.cells or {}, data.note
        value.reported_by, value.reported_at = user, timezone.now()
        if data.evidence is not None:
            value.evidence = data.evidence
        value.save()
        value.refresh_from_db()
    return value


def writable_programme(user: User, pk: int | None) -> Programme:
    """The programme a new record goes into: one the user reads (else `programme` invalid_choice) and manages
    (else PermissionDenied)."""
    permissions.require_view(user)
    try:
        programme = permissions.access_programme_by_id(user, pk)
    except Programme.DoesNotExist:
        raise ValidationError(
            {"programme": ValidationError(_("Choose one of your programmes."), "invalid_choice")}
        ) from None
    permissions.require_manage(user, programme)
    return programme


def writable_framework(user: User, programme_pk: int | None) -> ResultsFramework:
    """The framework of a programme the user manages, for a new indicator."""
    programme = writable_programme(user, programme_pk)
    framework = ResultsFramework.objects.filter(programme=programme).select_related("programme").first()
    if framework is None:
        raise ValidationError(
            {"programme": ValidationError(_("This programme has no results framework yet."), "no_framework")}
        )
    return framework

"""The rule of a computed indicator, stored as data, and its validation against the registered populations.

    {"population": "cases",                 # registry key
     "unit": "case",                        # what one counted unit is (a key of the population's units)
     "date": "return_date",                 # the date that places a record in a period
     "filters": [{"field": "return_type", "op": "in", "value": ["forced"]}],   # who is counted at all
     "numerator": [{"field": "plan_days", "op": "lte", "value": 30}],         # percentage / ratio: which of them
     "value": "follow_ups"}                 # mean / median: the number averaged

A count counts the units that pass `filters` and `numerator`; a percentage is numerator over denominator
(the units that pass `filters`) × 100, a ratio the same without × 100; a total, mean or median is over the
units' `value`. When a unit has several records in a period, its latest record (by `date`) is the one counted.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from reintegra.monitoring import registry
from reintegra.monitoring.choices import Measure
from reintegra.validation import FieldErrors

OPS_BY_KIND: dict[type, tuple[str, ...]] = {
    registry.Choice: ("in", "not_in"),
    registry.Flag: ("is",),
    registry.Number: ("eq", "lt", "lte", "gt", "gte", "is_null", "not_null"),
}
KEYS = {"population", "unit", "date", "filters", "numerator", "value"}
MAX_CONDITIONS = 20
VALUE_MEASURES = (Measure.SUM, Measure.MEAN, Measure.MEDIAN)


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: Any


@dataclass(frozen=True)
class Definition:
    population: registry.Population
    unit: str
    date: str
    filters: tuple[Condition, ...]
    numerator: tuple[Condition, ...]
    value: str


def canonical(definition: dict[str, Any]) -> str:
    return json.dumps(definition, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def definition_hash(definition: dict[str, Any]) -> str:
    """What a snapshot records to tell later whether the rule changed since it was computed."""
    return hashlib.sha256(canonical(definition).encode()).hexdigest()


def parse(raw: Any, measure: str, *, field: str = "definition") -> Definition:
    """The definition, or a ValidationError naming each wrong part (`definition.filters.0.op`…) with a code."""
    errors = FieldErrors()
    if not isinstance(raw, dict):
        errors.add(field, _("The computation must be an object with a population, a unit and a date."), "invalid")
        errors.raise_if_any()
    unknown = sorted(set(raw) - KEYS)
    if unknown:
        errors.add(field, _("Unknown keys: %(keys)s.") % {"keys": ", ".join(unknown)}, "invalid")
    population = registry.get(str(raw.get("population", "")))
    if population is None:
        errors.add(f"{field}.population", _("Choose one of the populations offered."), "invalid_choice")
        errors.raise_if_any()
    assert population is not None
    unit = str(raw.get("unit", ""))
    if unit not in population.units:
        errors.add(f"{field}.unit", _("Choose what one counted unit is among those offered."), "invalid_choice")
    date = str(raw.get("date", ""))
    if date not in population.dates:
        errors.add(f"{field}.date", _("Choose the date that places a record in a period."), "invalid_choice")
    filters = _conditions(errors, population, raw.get("filters", []), f"{field}.filters")
    numerator = _conditions(errors, population, raw.get("numerator", []), f"{field}.numerator")
    value = str(raw.get("value", "") or "")
    _check_measure(errors, population, raw, measure, value, numerator, field)
    errors.raise_if_any()
    return Definition(population, unit, date, tuple(filters), tuple(numerator), value)


def _check_measure(
    errors: FieldErrors,
    population: registry.Population,
    raw: dict[str, Any],
    measure: str,
    value: str,
    numerator: list[Condition],
    field: str,
) -> None:
    """What the measure asks of the rest: a value to total or average, a numerator for a share."""
    if measure in VALUE_MEASURES:
        if value not in population.values():
            errors.add(f"{field}.value", _("Choose the number a total, mean or median is taken of."), "required")
    elif value:
        errors.add(f"{field}.value", _("Only a total, a mean or a median takes a value."), "invalid")
    if measure in (Measure.PERCENTAGE, Measure.RATIO) and not numerator and not raw.get("numerator"):
        errors.add(f"{field}.numerator", _("Say which of the counted units make the numerator."), "required")
    if measure == Measure.QUALITATIVE:
        errors.add(field, _("A qualitative indicator is reported by hand, not computed."), "invalid")


def _conditions(errors: FieldErrors, population: registry.Population, raw: Any, field: str) -> list[Condition]:
    if raw in (None, ""):
        return []
    if not isinstance(raw, list) or len(raw) > MAX_CONDITIONS:
        errors.add(field, _("A list of at most %(n)d conditions.") % {"n": MAX_CONDITIONS}, "invalid")
        return []
    conditions = []
    for index, item in enumerate(raw):
        where = f"{field}.{index}"
        if not isinstance(item, dict):
            errors.add(where, _("A condition has a field, an operator and a value."), "invalid")
            continue
        spec = population.fields.get(str(item.get("field", "")))
        if spec is None:
            errors.add(f"{where}.field", _("Choose one of the fields offered."), "invalid_choice")
            continue
        op = str(item.get("op", ""))
        if op not in OPS_BY_KIND[type(spec)]:
            errors.add(f"{where}.op", _("This comparison does not apply to this field."), "invalid_choice")
            continue
        value = _value(errors, spec, op, item.get("value"), f"{where}.value")
        conditions.append(Condition(str(item["field"]), op, value))
    return conditions


def _value(errors: FieldErrors, spec: registry.FieldSpec, op: str, value: Any, where: str) -> Any:
    if isinstance(spec, registry.Choice):
        allowed = {code for code, _label in spec.options()}
        values = value if isinstance(value, list) else [value]
        if not values or any(str(v) not in allowed for v in values):
            errors.add(where, _("Choose values among those offered."), "invalid_choice")
        return [str(v) for v in values]
    if isinstance(spec, registry.Flag):
        if not isinstance(value, bool):
            errors.add(where, _("Yes or no."), "invalid")
        return bool(value)
    if op in ("is_null", "not_null"):
        return None
    try:
        return float(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        errors.add(where, _("Enter a number."), "invalid")
        return None

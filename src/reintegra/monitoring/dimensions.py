"""The standard disaggregations, as SQL expressions over a population's rows.

Each is an attribute of the counted row's case and returnee, read where the row is; after the engine keeps
one row per unit, every unit sits in exactly one bucket, and a missing value is the bucket `unknown`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, CharField, Expression, ExpressionWrapper, F, IntegerField, Value, When
from django.db.models.functions import Cast, Coalesce
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual, LessThan
from django.utils.translation import gettext_lazy as _

from reintegra.cases.choices import ATTENTION_FLAG_BITS, AttentionFlag, ReturnType, Sex
from reintegra.monitoring import registry
from reintegra.monitoring.indicators import AGE_BANDS, UNKNOWN


@dataclass(frozen=True)
class Dimension:
    key: str
    label: Any
    # population -> the bucket of a row, as text
    expression: Callable[[registry.Population], Expression]
    # bucket code -> label (names of areas, programmes… are looked up by the presenter)
    choices: Callable[[], list[tuple[str, Any]]] | None = None
    case_only: bool = True  # needs the row's case
    # What the bucket is an attribute of: the "returnee", the "case", or the population's "row" itself (decides
    # whether counting distinct units gives every unit one bucket; see `fixed_by_unit`).
    reads: str = "case"
    # What the engine groups by instead of `expression`: columns of `GROUPING` several dimensions share (the
    # attention mask for all ten flags, the municipality and its state for both areas), and the bucket from
    # their values. Fewer, narrower grouping sets: each row is hashed once per shared column, not once per
    # dimension. Without it the engine groups by `expression`.
    grouped_by: tuple[str, ...] = ()
    bucket: Callable[[tuple[Any, ...]], str] | None = None


def _on_case(population: registry.Population, path: str) -> str:
    if path in population.case_columns:  # read where the population keeps it (a case's fact row)
        return population.case_columns[path]
    prefix = population.case_path
    return f"{prefix}__{path}" if prefix else path


def _text(expression: Any) -> Expression:
    return Coalesce(Cast(expression, CharField()), Value(UNKNOWN))


def _column(path: str) -> Callable[[registry.Population], Expression]:
    return lambda population: _text(F(_on_case(population, path)))


def _age_band(population: registry.Population) -> Expression:
    """Age at return, from the return year (a column the database computes on the case) and the birth year
    (exact or estimated) the case keeps in clear."""
    age = ExpressionWrapper(
        F(_on_case(population, "return_year")) - F(_on_case(population, "returnee__birth_year")),
        output_field=IntegerField(),
    )
    bounds = [lower for lower, _label in AGE_BANDS]
    whens = []
    for (lower, label), upper in zip(AGE_BANDS, [*bounds[1:], None], strict=True):
        condition: Any = GreaterThanOrEqual(age, lower)
        if upper is not None:
            condition = condition & LessThan(age, upper)
        whens.append(When(condition, then=Value(label)))
    # A missing birth year makes `age` NULL: no band matches, the row is unknown.
    return Case(*whens, default=Value(UNKNOWN), output_field=CharField())


def _flag(code: str) -> Callable[[registry.Population], Expression]:
    bit = ATTENTION_FLAG_BITS[code]

    def expression(population: registry.Population) -> Expression:
        # The flag's bit in the mask the database keeps on the returnee's row (computed from the JSON list
        # whenever the row is written): a bitwise AND, not a search in the list's text for every row.
        flagged = GreaterThan(F(_on_case(population, "returnee__attention_mask")).bitand(bit), 0)
        return Case(When(flagged, then=Value("yes")), default=Value("no"), output_field=CharField())

    return expression


def _flag_bucket(code: str) -> Callable[[tuple[Any, ...]], str]:
    """`_flag`'s bucket from the mask the engine grouped by (NULL: no flag)."""
    bit = ATTENTION_FLAG_BITS[code]
    return lambda values: "yes" if values[0] is not None and values[0] & bit > 0 else "no"


def _as_text(values: tuple[Any, ...]) -> str:
    """`_text`'s bucket from the raw column the engine grouped by."""
    return UNKNOWN if values[0] is None else str(values[0])


def _state(values: tuple[Any, ...]) -> str:
    return UNKNOWN if values[1] is None else str(values[1])


# The shared grouping columns, raw (a cast to text and the `unknown` bucket are made in Python, once per group).
GROUPING: dict[str, Callable[[registry.Population], F]] = {
    "sex": lambda p: F(_on_case(p, "returnee__sex")),
    "return_type": lambda p: F(_on_case(p, "return_type")),
    "attention_mask": lambda p: F(_on_case(p, "returnee__attention_mask")),
    "municipality": lambda p: F(_on_case(p, "returnee__municipality_id")),
    "state": lambda p: F(_on_case(p, "returnee__municipality__parent_id")),
    "programme": lambda p: F(p.programme_path),
    "organisation": lambda p: F(p.organisation_path),
}


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _choices(options: Any) -> Callable[[], list[tuple[str, Any]]]:
    return lambda: [*list(options), (UNKNOWN, _("Unknown"))]


STANDARD: dict[str, Dimension] = {
    "sex": Dimension(
        "sex",
        _("Sex"),
        _column("returnee__sex"),
        _choices(Sex.choices),
        reads="returnee",
        grouped_by=("sex",),
        bucket=_as_text,
    ),
    "age_band": Dimension(
        "age_band", _("Age group at return"), _age_band, _choices([(label, label) for _lower, label in AGE_BANDS])
    ),
    "return_type": Dimension(
        "return_type",
        _("Return type"),
        _column("return_type"),
        _choices(ReturnType.choices),
        grouped_by=("return_type",),
        bucket=_as_text,
    ),
    **{
        f"flag_{code}": Dimension(
            f"flag_{code}",
            label,
            _flag(code),
            lambda: list(YES_NO),
            reads="returnee",
            grouped_by=("attention_mask",),
            bucket=_flag_bucket(code),
        )
        for code, label in AttentionFlag.choices
    },
    "adm1": Dimension(
        "adm1",
        _("State / department"),
        _column("returnee__municipality__parent_id"),
        reads="returnee",
        grouped_by=("municipality", "state"),
        bucket=_state,
    ),
    "adm2": Dimension(
        "adm2",
        _("Municipality"),
        _column("returnee__municipality_id"),
        reads="returnee",
        grouped_by=("municipality", "state"),
        bucket=_as_text,
    ),
    "programme": Dimension(
        "programme",
        _("Programme"),
        lambda p: _text(F(p.programme_path)),
        case_only=False,
        grouped_by=("programme",),
        bucket=_as_text,
    ),
    "organisation": Dimension(
        "organisation",
        _("Organisation"),
        lambda p: _text(F(p.organisation_path)),
        case_only=False,
        grouped_by=("organisation",),
        bucket=_as_text,
    ),
}


# What a bucket is an attribute of, from the broadest: a returnee's attribute is also one of each of their
# cases, and a case's one of each of its rows.
LEVELS = {"returnee": 2, "case": 1, "row": 0}


def _unit_level(population: registry.Population, unit_path: str) -> int | None:
    """The level of the unit (a returnee, a case); None for a unit that is neither."""
    if population.case_path is None:
        return None
    if unit_path == _on_case(population, "returnee_id"):
        return LEVELS["returnee"]
    if unit_path == (f"{population.case_path}_id" if population.case_path else "pk"):
        return LEVELS["case"]
    return None


WITHHELD = "withheld"
WITHHELD_LABEL = _("Not disclosed (sensitive)")


def _own(key: str, spec: registry.Breakdown) -> Dimension:
    """A population's own disaggregation (`registry.Breakdown`) as a dimension of its rows."""

    def expression(population: registry.Population) -> Expression:
        value = _text(F(spec.path))
        if spec.withheld is None:
            return value
        return Case(When(spec.withheld, then=Value(WITHHELD)), default=value, output_field=CharField())

    choices = None
    if spec.choices is not None:
        options = [*spec.choices, *([(WITHHELD, WITHHELD_LABEL)] if spec.withheld is not None else [])]
        choices = _choices(options)
    return Dimension(key, spec.label, expression, choices, case_only=False, reads="row")


def _reads(population: registry.Population, dimension: Dimension) -> str:
    if dimension.key in ("programme", "organisation"):
        path = population.programme_path if dimension.key == "programme" else population.organisation_path
        on_case = population.case_path is not None and path == _on_case(population, f"{dimension.key}_id")
        return "case" if on_case else "row"
    return dimension.reads


def fixed_by_unit(population: registry.Population, unit_path: str, keys: Iterable[str]) -> bool:
    """Whether every one of these dimensions is an attribute of the unit (the person's sex for a person, the
    case's return type for a case): then all of a unit's records sit in the same bucket."""
    level = _unit_level(population, unit_path)
    if level is None:
        return False
    offered = available(population)
    return all(LEVELS[_reads(population, offered[key])] >= level for key in keys)


def available(population: registry.Population) -> dict[str, Dimension]:
    """The disaggregations this population's rows can be split by: the standard ones it can read, then its
    own (`Population.breakdowns`; one keyed like a standard one replaces it)."""
    found = {key: d for key, d in STANDARD.items() if population.case_path is not None or not d.case_only}
    found.update({key: _own(key, spec) for key, spec in population.breakdowns.items()})
    return found


def known() -> dict[str, Dimension]:
    """Every disaggregation some population offers, standard ones first (what a key is called, its buckets'
    labels), whatever the indicator."""
    found = dict(STANDARD)
    for population in registry.populations():
        for key, spec in population.breakdowns.items():
            found.setdefault(key, _own(key, spec))
    return found


def get(key: str) -> Dimension | None:
    return known().get(key)


def choice_rank(key: str) -> dict[str, int]:
    """Each bucket code's position in the dimension's choices (issue 18.16: rows in the choices' own order,
    e.g. a lifecycle, never alphabetical; `unknown` last); {} for a dimension of names (areas, programmes)."""
    dimension = get(key)
    if dimension is None or dimension.choices is None:
        return {}
    return {str(code): position for position, (code, _label) in enumerate(dimension.choices())}

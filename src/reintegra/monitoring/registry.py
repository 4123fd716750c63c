"""Base populations of computed indicators: what the apps register, and what a definition may name.

An app declares, in its `AppConfig.ready()`, the records it holds that an indicator may count (returnees,
cases, RSS rounds, referrals, stakeholders, trainings…), with the fields an indicator may filter on, the
dates that place a record in a period, the units it may count (distinct people, cases, the records
themselves) and the numeric values a mean or median may take. `monitoring` never imports those apps:
later levels (community projects, placements…) plug in the same way.

    from reintegra.monitoring import registry
    registry.register(registry.Population(
        key="referrals", label=_("Referrals"), rows=lambda: Referral.objects.all(),
        programme_path="case__programme_id", organisation_path="referring_organisation_id", case_path="case",
        units={"person": registry.Unit(_("people"), "case__returnee_id"), ...},
        dates={"sent_at": registry.DateField(_("sent on"), "sent_at")},
        fields={"status": registry.Choice(_("status"), "status", ReferralStatus.choices)},
        values={"days_to_answer": registry.Number(_("days from sending to the answer"), days_between(...))},
    ))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.db.models import Expression, Q, QuerySet

# A filter or value may be a column (a lookup path) or an expression computed for a period (a condition, Q,
# for a Flag).
ExpressionFactory = Callable[[date, date], "Expression | Q"]
PeriodsExpressionFactory = Callable[[Sequence[tuple[date, date]]], "list[Expression]"]


@dataclass(frozen=True)
class Unit:
    """What one counted unit is: the path to its id from a row (a row is the unit itself: "pk")."""

    label: Any
    path: str


def case_units(case_path: str, records: Any) -> dict[str, Unit]:
    """The units of records that hang from a case (`case_path` from a row to it): distinct people, cases, or
    the records themselves (`records`: what one is called, e.g. "visits")."""
    return {
        "person": Unit(_("people (distinct returnees)"), f"{case_path}__returnee_id"),
        "case": Unit(_("cases"), f"{case_path}_id"),
        "record": Unit(records, "pk"),
    }


@dataclass(frozen=True)
class DateField:
    label: Any
    path: str
    datetime: bool = False  # a DateTimeField: compared by its local date


@dataclass(frozen=True)
class Choice:
    """A field with a closed list of values; `op`: in / not_in."""

    label: Any
    path: str
    choices: Sequence[tuple[str, Any]] | Callable[[], Sequence[tuple[str, Any]]]

    def options(self) -> list[tuple[str, Any]]:
        return list(self.choices() if callable(self.choices) else self.choices)


@dataclass(frozen=True)
class Flag:
    """A yes/no condition on a row, as a lookup path or an expression (`op`: is, with true/false)."""

    label: Any
    path: str = ""
    expression: ExpressionFactory | None = None
    # The expression reads the period it is given (visits in the period, an agreement in force at its end):
    # the engine makes one expression per period and gives each row its own period's (a CASE on the period).
    periodic: bool = False


@dataclass(frozen=True)
class Number:
    """A numeric field (`op`: eq / lt / lte / gt / gte / is_null / not_null), also a value to average."""

    label: Any
    path: str = ""
    expression: ExpressionFactory | None = None
    duration: bool = False  # days between two dates (a DurationField): compared and shown in days
    periodic: bool = False  # as Flag.periodic
    # Optional, for a periodic number: the expression of every period asked at once (the visits of four
    # quarters counted in one pass over the visits, instead of one grouped join per period).
    per_periods: PeriodsExpressionFactory | None = None


FieldSpec = Choice | Flag | Number


@dataclass(frozen=True)
class Breakdown:
    """A disaggregation of the population's own rows, beside the standard ones (feedback by type, channel and
    the item's own area): the bucket is the row's `path` (a code of `choices`; an area's id for the keys
    `adm1` / `adm2`, named like the standard areas). Rows matching `withheld` (a condition) go to the bucket
    `withheld` instead: what a breakdown must not place (a sensitive report's area or channel)."""

    label: Any
    path: str
    choices: Sequence[tuple[str, Any]] | None = None
    withheld: Q | None = None


@dataclass(frozen=True)
class Population:
    key: str
    label: Any
    # Every row, unscoped: the engine narrows it to the programmes the reader may see.
    rows: Callable[[], QuerySet[Any]]
    programme_path: str
    organisation_path: str
    units: dict[str, Unit]
    dates: dict[str, DateField]
    fields: dict[str, FieldSpec] = field(default_factory=dict)
    # The lookup from a row to its case ("" when the row is a case), for the standard disaggregations by the
    # returnee and the return; None when the records are not about a case (stakeholders, trainings).
    case_path: str | None = None
    # Which app registered it (docs: where the population comes from).
    app: str = ""
    # Its own disaggregations (`monitoring.dimensions.available` adds them to the standard ones; a key of a
    # standard one, such as `adm2`, replaces it for this population).
    breakdowns: dict[str, Breakdown] = field(default_factory=dict)
    # Where the case's attributes the standard disaggregations read sit on these rows, when not at their path
    # from the case (a path from the case -> the whole path from the row): the `cases` population reads its
    # narrow fact rows (`monitoring.CaseFact`: the returnee's sex is `sex`, not `returnee__sex`).
    case_columns: dict[str, str] = field(default_factory=dict)

    def values(self) -> dict[str, Number]:
        return {key: spec for key, spec in self.fields.items() if isinstance(spec, Number)}


_POPULATIONS: dict[str, Population] = {}


def register(population: Population) -> None:
    _POPULATIONS[population.key] = population


def get(key: str) -> Population | None:
    return _POPULATIONS.get(key)


def populations() -> list[Population]:
    return list(_POPULATIONS.values())

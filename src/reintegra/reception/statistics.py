"""The reception dashboard's figures, as migration institutes publish them: arrivals per day, week or month by
reception point; the people announced (men, women, boys, girls, accompanied and unaccompanied minors, family
units); the people received (intakes) by sex and age group, repeat returns; the assistance given.

Scope: the reader's organisation. Those who record reception see the people themselves, so they get exact
counts; aggregate readers (M&E, coordinators) get each table of people protected as monitoring protects its
breakdowns (`monitoring.presenting`: small counts hidden with enough others to keep them from being worked
out), with the threshold of the organisation's programmes. The number of arrivals (flights, buses, groups)
counts events, not people, and is exact for every reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Case as CaseWhen
from django.db.models import Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import ExtractYear, TruncDay, TruncMonth, TruncWeek
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from reintegra.access import permissions as access_permissions
from reintegra.access.models import Programme
from reintegra.cases.choices import Sex
from reintegra.monitoring import engine, presenting
from reintegra.monitoring import permissions as monitoring_permissions
from reintegra.reception import permissions, selectors
from reintegra.reception.choices import AssistanceKind
from reintegra.reception.models import Arrival, AssistanceGiven, Intake

if TYPE_CHECKING:
    from reintegra.access.models import User

PERIODS = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}
AGE_GROUPS: list[tuple[str, Any, int, int]] = [
    ("0-11", _("0 to 11 years"), 0, 11),
    ("12-17", _("12 to 17 years"), 12, 17),
    ("18-29", _("18 to 29 years"), 18, 29),
    ("30-59", _("30 to 59 years"), 30, 59),
    ("60+", _("60 years and over"), 60, 200),
]
ANNOUNCED: list[tuple[str, Any]] = [
    ("men", _("Men")),
    ("women", _("Women")),
    ("boys", _("Boys")),
    ("girls", _("Girls")),
    ("accompanied_minors", _("Accompanied minors")),
    ("unaccompanied_minors", _("Unaccompanied minors")),
    ("family_units", _("Family units")),
]


@dataclass(frozen=True)
class Row:
    code: str
    label: Any
    shown: presenting.Shown


@dataclass(frozen=True)
class Table:
    key: str
    title: Any
    rows: list[Row]


@dataclass(frozen=True)
class PeriodRow:
    period: date
    label: str
    point: str
    arrivals: presenting.Shown
    people: presenting.Shown


@dataclass(frozen=True)
class Statistics:
    date_from: date | None
    date_to: date | None
    point_id: int | None
    period: str
    exact: bool
    k: int
    arrivals: presenting.Shown
    intakes: presenting.Shown
    by_period: list[PeriodRow]
    tables: list[Table]

    def charts(self) -> dict[str, dict[str, Any]]:
        from reintegra.web import charts

        labels = list(dict.fromkeys(r.label for r in self.by_period))
        points = list(dict.fromkeys(r.point for r in self.by_period))
        palette = ["#1d4ed8", "#059669", "#d97706", "#7c3aed", "#dc2626", "#0891b2", "#4b5563"]
        series = []
        for index, point in enumerate(points):
            values = {r.label: r.people.value if r.people.known else None for r in self.by_period if r.point == point}
            series.append(charts.dataset(point, [values.get(label) for label in labels], colour=palette[index % 7]))
        found = {
            "by_period": charts.config(
                "bar", series, labels=labels, options={"scales": {"x": {"stacked": True}, "y": {"stacked": True}}}
            )
        }
        for table in self.tables:
            found[table.key] = charts.config(
                "bar",
                [
                    charts.dataset(
                        table.title, [r.shown.value if r.shown.known else None for r in table.rows], colour="#1d4ed8"
                    )
                ],
                labels=[r.label for r in table.rows],
                options={"indexAxis": "y", "plugins": {"legend": {"display": False}}},
            )
        return found

    def export_rows(self) -> list[list[Any]]:
        """(table, row, value) lines; a hidden value is "< k", never its number."""

        def text(shown: presenting.Shown) -> Any:
            if shown.suppressed:
                return f"< {self.k}"
            return "" if shown.value is None else int(shown.value)

        rows: list[list[Any]] = [
            [str(_("Arrivals")), "", text(self.arrivals)],
            [str(_("People received")), "", text(self.intakes)],
        ]
        for r in self.by_period:
            rows.append([f"{_('Arrivals')}: {r.label}", r.point, text(r.arrivals)])
            rows.append([f"{_('People announced')}: {r.label}", r.point, text(r.people)])
        for table in self.tables:
            rows.extend([str(table.title), str(row.label), text(row.shown)] for row in table.rows)
        return rows

    def as_dict(self) -> dict[str, Any]:
        def value(shown: presenting.Shown) -> dict[str, Any]:
            return {"value": shown.value if shown.known else None, "suppressed": shown.suppressed}

        return {
            "from": self.date_from,
            "to": self.date_to,
            "point": self.point_id,
            "period": self.period,
            "exact": self.exact,
            "k": self.k,
            "arrivals": value(self.arrivals),
            "people_received": value(self.intakes),
            "by_period": [
                {"period": r.period, "point": r.point, "arrivals": value(r.arrivals), "people": value(r.people)}
                for r in self.by_period
            ],
            "tables": {t.key: {r.code: value(r.shown) for r in t.rows} for t in self.tables},
        }


def _cell(n: int | None) -> engine.Cell:
    return engine.Cell(float(n or 0), None, float(n or 0))


def _table(key: str, title: Any, counts: list[tuple[str, Any, int]], k: int | None) -> Table:
    shown = presenting.breakdown("count", {(code,): _cell(n) for code, _label, n in counts}, k)
    return Table(key, title, [Row(code, label, shown[(code,)]) for code, label, _n in counts])


def _separate(key: str, title: Any, counts: list[tuple[str, Any, int]], k: int | None) -> Table:
    """Counts that overlap (each its own total, protected on its own)."""
    return Table(key, title, [Row(code, label, presenting.total("count", _cell(n), k)) for code, label, n in counts])


def _period_label(day: date, period: str) -> str:
    if period == "month":
        return date_format(day, "YEAR_MONTH_FORMAT")
    return date_format(day, "SHORT_DATE_FORMAT")


def _by_period(arrivals: QuerySet[Arrival], period: str, k: int | None) -> list[PeriodRow]:
    trunc = PERIODS[period]
    rows = list(
        arrivals.annotate(p=trunc("arrived_at"))
        .values_list("p", "point__name")
        .annotate(n=Count("pk"), people=Sum("men") + Sum("women") + Sum("boys") + Sum("girls"))
        .order_by("p", "point__name")
    )
    keyed = {(p.date().isoformat(), name): (n, people or 0) for p, name, n, people in rows}
    # An arrival is an event (a flight, a bus), not a person: its count is shown exactly to every reader, as
    # migration institutes publish it; only the people are protected.
    counted = presenting.breakdown("count", {key: _cell(v[0]) for key, v in keyed.items()}, None)
    people = presenting.breakdown("count", {key: _cell(v[1]) for key, v in keyed.items()}, k)
    return [
        PeriodRow(
            date.fromisoformat(day), _period_label(date.fromisoformat(day), period), name, counted[key], people[key]
        )
        for key in sorted(keyed)
        for day, name in (key,)
    ]


def _age_groups(intakes: QuerySet[Intake]) -> list[tuple[str, Any, int]]:
    """By age in the year of arrival (from the birth year kept in clear for statistics)."""
    whens = [
        When(
            returnee__birth_year__lte=_year_minus(low),
            returnee__birth_year__gte=_year_minus(high),
            then=Value(code),
        )
        for code, _label, low, high in AGE_GROUPS
    ]
    found = dict(
        intakes.annotate(group=CaseWhen(*whens, default=Value("unknown")))
        .values_list("group")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        *((code, label, found.get(code, 0)) for code, label, _lo, _hi in AGE_GROUPS),
        ("unknown", _("Age not recorded"), found.get("unknown", 0)),
    ]


def _year_minus(years: int) -> Any:
    return ExtractYear(F("arrival__arrived_at")) - years


def programmes_of(user: User) -> list[Programme]:
    return list(Programme.objects.filter(organisation_id=user.organisation_id or 0))


def statistics_for(
    user: User,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    point_id: int | None = None,
    period: str = "month",
) -> Statistics:
    """PermissionDenied unless the user may read reception statistics."""
    if not permissions.can_view_statistics(user):
        raise access_permissions.denied()
    period = period if period in PERIODS else "month"
    exact = permissions.can_record(user)
    threshold = monitoring_permissions.threshold(programmes_of(user))
    k = None if exact else threshold
    arrivals = Arrival.objects.filter(organisation_id=user.organisation_id or 0)
    if point_id:
        arrivals = arrivals.filter(point_id=point_id)
    if date_from:
        arrivals = arrivals.filter(arrived_at__gte=selectors.start_of(date_from))
    if date_to:
        arrivals = arrivals.filter(arrived_at__lte=selectors.end_of(date_to))
    intakes = Intake.objects.filter(arrival__in=arrivals)
    announced = arrivals.aggregate(**{code: Sum(code) for code, _label in ANNOUNCED})
    sexes = dict(intakes.values_list("returnee__sex").annotate(n=Count("pk")).order_by())
    repeat = intakes.aggregate(repeat=Count("pk", filter=Q(is_repeat_return=True)), total=Count("pk"))
    given = dict(
        AssistanceGiven.objects.filter(intake__in=intakes).values_list("kind").annotate(n=Count("pk")).order_by()
    )
    by_institution = (
        AssistanceGiven.objects.filter(intake__in=intakes)
        .values_list("institution_id", "institution__name")
        .annotate(n=Count("pk"))
        .order_by("institution__name")
    )
    tables = [
        _separate("announced", _("People announced"), [(c, label, announced[c] or 0) for c, label in ANNOUNCED], k),
        _table("sex", _("People received by sex"), [(c, label, sexes.get(c, 0)) for c, label in Sex.choices], k),
        _table("age", _("People received by age group"), _age_groups(intakes), k),
        _table(
            "repeat",
            _("Repeat returns"),
            [
                ("repeat", _("Returned before"), repeat["repeat"]),
                ("first", _("First return recorded"), repeat["total"] - repeat["repeat"]),
            ],
            k,
        ),
        _separate(
            "assistance",
            _("Assistance given"),
            [(c, label, given.get(c, 0)) for c, label in AssistanceKind.choices],
            k,
        ),
        _separate(
            "assistance_by",
            _("Assistance given by institution"),
            [
                (str(pk) if pk else "staff", name or _("Reception staff"), n)
                for pk, name, n in sorted(by_institution, key=lambda row: (row[0] is not None, row[1] or ""))
            ],
            k,
        ),
    ]
    return Statistics(
        date_from,
        date_to,
        point_id,
        period,
        exact,
        threshold,
        presenting.total("count", _cell(arrivals.count()), None),  # events, not people (see _by_period)
        presenting.total("count", _cell(repeat["total"]), k),
        _by_period(arrivals, period, k),
        tables,
    )

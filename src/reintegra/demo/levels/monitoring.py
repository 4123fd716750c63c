"""Demo data of monitoring and evaluation: oim-gt's results framework (theory of change, results tree,
indicators adopted from the standard library and a few reported by hand), the last four quarters submitted
(snapshots) and the current one open, a mid-term evaluation with its management response (an overdue
action: its reminder comes from the demo's `send-reminders` run), and lessons learned, some from an earlier
programme and from other organisations' (data/monitoring.yaml).

Everything is written through the monitoring services, as the M&E officer ("monitoreo") or the programme
manager ("gerente"). The synthetic cases are dated from today, so the targets are set when loading around
the values the data gives (each quarter's `pace`: the % of its target the value reaches), never typed in.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from auditlog.context import disable_auditlog
from django.utils import timezone

from reintegra.access import services as access_services
from reintegra.access.models import Organisation, Programme, RoleAssignment, User
from reintegra.access.roles import Role
from reintegra.demo import vocabulary
from reintegra.demo.levels.context import DemoContext
from reintegra.monitoring import choices as c
from reintegra.monitoring import evaluation_services, services, snapshots
from reintegra.monitoring.models import Evaluation, Indicator, ReportingPeriod, ResultsFramework, StandardIndicator

_DATA = vocabulary.load("monitoring.yaml")
QUARTERS = 4  # submitted; the current quarter is created open after them


def load(context: DemoContext) -> str:
    org = context.organisations["oim-gt"]
    officer, manager = context.users.get("monitoreo"), context.users.get("gerente")
    programme = Programme.default_for(org.pk)
    if programme is None or officer is None or manager is None:
        return "Monitoring: no programme, M&E officer or manager for oim-gt; skipped."
    if ResultsFramework.objects.filter(programme=programme).exists():
        return "Monitoring: demo data already present."
    today = timezone.localdate()
    framework = _framework(officer, programme)
    nodes = _nodes(officer, framework)
    periods = _periods(officer, programme, today)
    adopted = _adopt(officer, framework, nodes, periods)
    reported = _reported(officer, framework, nodes, periods)
    for period in periods[:QUARTERS]:
        services.submit_period(officer, period)
    evaluation = _evaluation(officer, manager, context.users, programme, today)
    lessons = _lessons(officer, context, programme, evaluation)
    return (
        f"Monitoring: results framework with {len(nodes)} results, {len(adopted)} standard and {len(reported)} "
        f"hand-reported indicators, {QUARTERS} submitted quarters, 1 evaluation with "
        f"{evaluation.recommendations.count()} recommendations, {lessons} lessons learned."
    )


def _framework(officer: User, programme: Programme) -> ResultsFramework:
    data = _DATA["framework"]
    return services.create_framework(
        officer, programme, services.FrameworkInput(data["theory_of_change"], data["report_context"], is_public=True)
    )


def _nodes(officer: User, framework: ResultsFramework) -> dict[str, int]:
    ids: dict[str, int] = {}
    for order, entry in enumerate(_DATA["nodes"]):
        values = {k: v for k, v in entry.items() if k not in ("key", "parent")}
        parent = ids[entry["parent"]] if "parent" in entry else None
        node = services.add_node(officer, framework, services.NodeInput(parent=parent, order=order, **values))
        ids[entry["key"]] = node.pk
    return ids


def _last_quarters(today: date, count: int) -> list[tuple[date, date]]:
    """The `count` quarters before the current one, oldest first, then the current one."""
    start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    quarters = []
    for _ in range(count + 1):
        end = start.replace(month=start.month + 2 if start.month < 10 else 12)
        end = (end.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        quarters.append((start, end))
        start = (start - timedelta(days=1)).replace(day=1)
        start = start.replace(month=3 * ((start.month - 1) // 3) + 1)
    return quarters[::-1]


def _periods(officer: User, programme: Programme, today: date) -> list[ReportingPeriod]:
    narratives = _DATA["narratives"]
    return [
        services.create_period(
            officer,
            programme,
            services.PeriodInput(
                c.PeriodKind.QUARTER, starts_on, ends_on, narrative=narratives[i] if i < len(narratives) else ""
            ),
        )
        for i, (starts_on, ends_on) in enumerate(_last_quarters(today, QUARTERS))
    ]


# --- indicators and targets -------------------------------------------------------------------------


def _nice(value: float, measure: str) -> Decimal:
    """A target as a planner would write it: whole units, whole percentages, means to two decimals."""
    if measure in (c.Measure.MEAN, c.Measure.MEDIAN):
        return Decimal(str(round(value, 2)))
    high = 100 if measure == c.Measure.PERCENTAGE else math.inf
    return Decimal(min(high, max(1, math.ceil(value))))


def target_for(
    actual: float | None, baseline: float | None, pace: float, direction: str, measure: str, fallback: Any = None
) -> Decimal | None:
    """The target the actual reaches `pace` % of, measured from the baseline in the indicator's direction
    (`monitoring.indicators.achievement` turned around). Where the data has nothing yet (the referral network
    and the agreements started in the current quarter), the YAML's `fallback` target, else none."""
    if not actual:
        return None if fallback is None else Decimal(str(fallback))
    if direction == c.Direction.DECREASE:
        start = baseline if baseline is not None else actual * 1.5
        gone = start - actual
        return _nice(max(start - (gone * 100 / pace if gone > 0 else start * 0.2), 0.0), measure)
    start = baseline if baseline is not None and direction == c.Direction.INCREASE else 0.0
    gained = actual - start
    return _nice(start + (gained * 100 / pace if gained > 0 else max(1.0, abs(start) * 0.2)), measure)


def _adopt(
    officer: User, framework: ResultsFramework, nodes: dict[str, int], periods: list[ReportingPeriod]
) -> list[Indicator]:
    standards = dict(StandardIndicator.objects.values_list("code", "pk"))
    adopted = []
    grid: dict[int, services.TargetRow] = {}
    for order, entry in enumerate(_DATA["adopted"]):
        indicator = services.adopt_standard(
            officer, framework, standard=standards[entry["code"]], node=nodes[entry["node"]]
        )
        # One call for the quarter before the first period (the baseline), the periods and the whole span.
        first = periods[0].starts_on
        before = ReportingPeriod(starts_on=_previous_quarter(first), ends_on=first - timedelta(days=1))
        values = [v.total.value for v in snapshots.live_values(indicator, [before, *periods])]
        baseline = values[0] if entry.get("baseline") == "previous" else None
        indicator = services.edit_indicator(
            officer,
            indicator,
            replace(
                services.IndicatorInput.of(indicator),
                baseline_value=None if baseline is None else Decimal(str(round(baseline, 2))),
                baseline_date=periods[0].starts_on - timedelta(days=1) if baseline is not None else None,
                baseline_source="Registros de Reintegra, trimestre anterior al marco" if baseline is not None else "",
                data_source="Registros de casos de Reintegra",
                responsible=officer.pk,
                is_kpi=entry.get("kpi", False),
                is_public=entry.get("public", False),
                order=order,
            ),
            expected_version=None,
        )
        by_period = {
            p.pk: target_for(v, baseline, pace, indicator.direction, indicator.measure, entry.get("fallback"))
            for p, v, pace in zip(periods, values[1:], entry["pace"], strict=True)
        }
        lop = _lop_actual(indicator, periods)
        grid[indicator.pk] = services.TargetRow(
            target_for(lop, baseline, entry["lop_pace"], indicator.direction, indicator.measure, entry.get("fallback")),
            by_period,
        )
        adopted.append(indicator)
    services.save_targets(officer, framework, grid)
    return adopted


def _previous_quarter(start: date) -> date:
    before = start - timedelta(days=1)
    return date(before.year, 3 * ((before.month - 1) // 3) + 1, 1)


def _lop_actual(indicator: Indicator, periods: list[ReportingPeriod]) -> float | None:
    """The value over every period counted as one (distinct units, never a sum of the periods')."""
    whole = ReportingPeriod(starts_on=periods[0].starts_on, ends_on=periods[-1].ends_on)
    (values,) = snapshots.live_values(indicator, [whole])
    return values.total.value


def _reported(
    officer: User, framework: ResultsFramework, nodes: dict[str, int], periods: list[ReportingPeriod]
) -> list[Indicator]:
    created = []
    skip = {"node", "kpi", "public", "baseline", "targets", "lop_target", "values", "note"}
    for order, entry in enumerate(_DATA["reported"], start=len(_DATA["adopted"])):
        fields = {k: v for k, v in entry.items() if k not in skip}
        indicator = services.create_indicator(
            officer,
            framework,
            services.IndicatorInput(
                node=nodes[entry["node"]],
                **fields,
                baseline_value=Decimal(entry["baseline"]),
                baseline_date=periods[0].starts_on - timedelta(days=1),
                frequency=c.Frequency.QUARTERLY,
                responsible=officer.pk,
                is_kpi=entry.get("kpi", False),
                is_public=entry.get("public", False),
                order=order,
            ),
        )
        targets = {p.pk: Decimal(t) for p, t in zip(periods, entry["targets"], strict=True)}
        services.save_targets(
            officer, framework, {indicator.pk: services.TargetRow(Decimal(entry["lop_target"]), targets, None)}
        )
        for period, value in zip(periods, entry["values"], strict=False):
            services.report_value(
                officer, indicator, period, _reported_input(indicator.measure, value, entry["note"]), expected_version=0
            )
        created.append(indicator)
    return created


def _reported_input(measure: str, value: list[Any], note: str) -> services.ReportedInput:
    numerator, denominator, by_sex = value[0], value[1], value[2]
    if measure == c.Measure.PERCENTAGE:
        cells: dict[str, Any] = {
            "sex": {
                sex: {"numerator": n, "denominator": d}
                for sex, n, d in zip(("female", "male"), by_sex, value[3], strict=True)
            }
        }
        return services.ReportedInput(Decimal(numerator), Decimal(denominator), cells=cells, note=note)
    cells = {"sex": dict(zip(("female", "male"), by_sex, strict=True))}
    return services.ReportedInput(Decimal(numerator), None, cells=cells, note=note)


# --- evaluation and lessons -----------------------------------------------------------------------


def _evaluation(officer: User, manager: User, users: dict[str, User], programme: Programme, today: date) -> Any:
    data = _DATA["evaluation"]
    evaluation = evaluation_services.create_evaluation(
        officer,
        programme.pk,
        evaluation_services.EvaluationInput(
            kind=data["kind"],
            title=data["title"],
            scope=data["scope"],
            evaluator=data["evaluator"],
            starts_on=today + timedelta(days=data["starts_on"]),
            ends_on=today + timedelta(days=data["ends_on"]),
            ratings=data["ratings"],
            findings=data["findings"],
        ),
    )
    for entry in data["recommendations"]:
        owner = users.get(entry["owner"]) if "owner" in entry else None
        evaluation_services.add_recommendation(
            manager,
            evaluation,
            evaluation_services.RecommendationInput(
                text=entry["text"],
                decision=entry["decision"],
                action=entry.get("action", ""),
                owner=owner.pk if owner is not None else None,
                due_on=today + timedelta(days=entry["due_on"]) if "due_on" in entry else None,
                status=entry.get("status", c.ActionStatus.NOT_STARTED),
            ),
        )
    return evaluation


def _previous_programme(org: Organisation) -> Programme:
    """oim-gt's closed pilot programme (no cases): where the current one's earlier lessons come from."""
    spec = _DATA["previous_programme"]
    found = Programme.objects.filter(code=spec["code"]).first()
    if found is not None:
        return found
    with disable_auditlog():
        programme: Programme = access_services.create_programme(org, spec["name"], code=spec["code"])
        Programme.objects.filter(pk=programme.pk).update(
            starts_on=spec["starts_on"], ends_on=spec["ends_on"], is_active=False
        )
    return programme


def _officer_of(org: Organisation) -> User:
    """A synthetic M&E officer of another organisation (no usable password), who records its lessons."""
    username = f"{org.code}-monitoreo"
    user = User.objects.filter(username=username).first()
    if user is None:
        with disable_auditlog():
            user = User(username=username, organisation=org, first_name="Oficial", last_name="de monitoreo")
            user.set_unusable_password()
            user.save()
            RoleAssignment.objects.create(user=user, role=str(Role.ME_OFFICER))
    return user


def _lessons(officer: User, context: DemoContext, programme: Programme, evaluation: Evaluation) -> int:
    count = 0
    for entry in _DATA["lessons"]:
        where = entry["programme"]
        author = officer
        target: Programme | None
        if where == "current":
            target = programme
        elif where == "previous":
            target = _previous_programme(context.organisations["oim-gt"])
        else:
            org = context.organisations.get(where)
            target = Programme.default_for(org.pk) if org is not None else None
            if org is None or target is None:
                continue
            author = _officer_of(org)
        evaluation_services.create_lesson(
            author,
            target.pk,
            evaluation_services.LessonInput(
                title=entry["title"],
                body=entry["body"],
                level=entry["level"],
                dimension=entry["dimension"],
                country=entry["country"],
                themes=entry["themes"],
                evaluation=evaluation.pk if entry.get("evaluation") else None,
                recorded_on=entry.get("recorded_on"),
            ),
        )
        count += 1
    return count

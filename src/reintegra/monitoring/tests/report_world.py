"""A small programme for the report tests: two quarters, three people, a results tree with four indicators.

Person A returns in Q1 (forced) and again in Q2 (forced); B returns in Q1 (voluntary); C in Q2 (forced).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from reintegra.access.models import Programme
from reintegra.access.roles import Role
from reintegra.monitoring.models import Indicator, ReportingPeriod, ResultNode, ResultsFramework, Target
from reintegra.testing import factories as f

PEOPLE = {"population": "cases", "unit": "person", "date": "return_date"}
FORCED_SHARE = {
    "population": "cases",
    "unit": "case",
    "date": "return_date",
    "numerator": [{"field": "return_type", "op": "in", "value": ["forced"]}],
}


@dataclass
class World:
    programme: Programme
    framework: ResultsFramework
    q1: ReportingPeriod
    q2: ReportingPeriod
    per_period: Indicator
    cumulative: Indicator
    forced: Indicator
    reported: Indicator
    manager: Any
    officer: Any
    outsider: Any


def _indicator(framework: ResultsFramework, node: ResultNode, code: str, **kwargs: Any) -> Indicator:
    return Indicator.objects.create(framework=framework, node=node, code=code, name_es=f"Indicador {code}", **kwargs)


def build(*, public: bool = False) -> World:
    org = f.organisation()
    programme = org.programmes.get()
    programme.starts_on = date(2026, 1, 1)
    programme.save()
    manager = f.user(org, Role.PROGRAMME_MANAGER)
    officer = f.user(org, Role.ME_OFFICER)
    outsider = f.user(f.organisation(), Role.ME_OFFICER)

    a = f.returnee(manager, sex="male")
    first = f.case(manager, a, return_date=date(2026, 1, 10), return_type="forced")
    type(first).objects.filter(pk=first.pk).update(
        status="closed", closure_reason="support_ended", closure_category="planned", closed_on=date(2026, 2, 1)
    )
    f.case(manager, a, return_date=date(2026, 4, 10), return_type="forced")
    f.case(manager, f.returnee(manager, sex="female"), return_date=date(2026, 2, 5), return_type="voluntary_assisted")
    f.case(manager, f.returnee(manager, sex="female"), return_date=date(2026, 5, 5), return_type="forced")

    framework = ResultsFramework.objects.create(
        programme=programme,
        theory_of_change="Si las personas retornadas reciben apoyo, se reintegran.",
        report_context="Contexto del trimestre.",
        is_public=public,
    )
    impact = ResultNode.objects.create(framework=framework, kind="impact", code="1", title="Reintegración sostenible")
    outcome = ResultNode.objects.create(
        framework=framework, parent=impact, kind="outcome", code="1.1", title="Retornos acompañados", risks="Recortes"
    )
    q1 = ReportingPeriod.objects.create(
        programme=programme, label="T1 2026", starts_on=date(2026, 1, 1), ends_on=date(2026, 3, 31)
    )
    q2 = ReportingPeriod.objects.create(
        programme=programme,
        label="T2 2026",
        starts_on=date(2026, 4, 1),
        ends_on=date(2026, 6, 30),
        narrative="Avances.",
    )
    per_period = _indicator(
        framework, outcome, "ret-per", measure="count", definition=PEOPLE, lop_target=Decimal(5), is_public=True
    )
    cumulative = _indicator(
        framework,
        outcome,
        "ret-cum",
        measure="count",
        definition=PEOPLE,
        time_aggregation="cumulative",
        lop_target=Decimal(3),
    )
    forced = _indicator(
        framework,
        outcome,
        "forzados",
        measure="percentage",
        definition=FORCED_SHARE,
        direction="decrease",
        baseline_value=Decimal(80),
        lop_target=Decimal(50),
    )
    reported = _indicator(framework, impact, "manual", measure="count", is_computed=False, lop_target=Decimal(10))
    for indicator, targets in ((per_period, (2, 4)), (cumulative, (2, 3)), (forced, (50, 50))):
        Target.objects.create(indicator=indicator, period=q1, value=Decimal(targets[0]))
        Target.objects.create(indicator=indicator, period=q2, value=Decimal(targets[1]))
    return World(programme, framework, q1, q2, per_period, cumulative, forced, reported, manager, officer, outsider)

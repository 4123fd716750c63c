"""The populations of the individual level (cases and what hangs from them), registered by monitoring itself:
`cases` sits below it and cannot import it. The levels above register theirs in their own `ready()`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db.models import DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from reintegra.cases.choices import AssessmentKind, CaseStatus, ClosureCategory, ReturnType
from reintegra.cases.models import Assessment, FollowUpVisit, PlanItem
from reintegra.monitoring import case_facts, joins, registry
from reintegra.monitoring.models import CaseFact
from reintegra.vocabulary.choices import Dimension

PEOPLE = registry.Unit(_("people (distinct returnees)"), "returnee_id")


def _days(later: str, earlier: str) -> registry.ExpressionFactory:
    def expression(start: date, end: date) -> Any:
        return ExpressionWrapper(F(later) - F(earlier), output_field=DurationField())

    return expression


def _follow_ups_in_span(start: date, end: date) -> Any:
    # The visits counted once per case in one grouped subquery joined to the cases (not a subquery run for each
    # case): still one row per case, which the engine totals and averages.
    return joins.count_per_row(FollowUpVisit.objects.filter(visited_on__range=(start, end)), "case_id")


def _follow_ups_in_periods(periods: Sequence[tuple[date, date]]) -> list[Any]:
    # Every period's visits per case from one pass over the visits (a filtered count per period).
    span = (min(p[0] for p in periods), max(p[1] for p in periods))
    visits = FollowUpVisit.objects.filter(visited_on__range=span)
    return joins.counts_per_row(visits, "case_id", [Q(visited_on__range=period) for period in periods])


def register_case_populations() -> None:
    # The cases read from their narrow fact rows (`CaseFact`, kept by the writes: `monitoring.case_facts`), one
    # per case (its primary key is the case's), not from the cases' wide rows joined to returnees and plans.
    registry.register(
        registry.Population(
            key="cases",
            label=_("Cases"),
            rows=lambda: CaseFact.objects.all(),
            programme_path="programme_id",
            organisation_path="organisation_id",
            case_path="",
            app="cases",
            units={"person": PEOPLE, "case": registry.Unit(_("cases"), "pk")},
            dates={
                "return_date": registry.DateField(_("return date"), "return_date"),
                "opened_on": registry.DateField(_("opened on"), "opened_on"),
                "closed_on": registry.DateField(_("closed on"), "closed_on"),
                "plan_agreed_on": registry.DateField(_("plan agreed on"), "plan_agreed_on"),
            },
            fields={
                "status": registry.Choice(_("status"), "status", CaseStatus.choices),
                "return_type": registry.Choice(_("return type"), "return_type", ReturnType.choices),
                "closure_category": registry.Choice(_("closure category"), "closure_category", ClosureCategory.choices),
                "has_plan": registry.Flag(_("plan agreed"), expression=lambda s, e: Q(plan_agreed_on__isnull=False)),
                "is_minor": registry.Flag(
                    _("under 18 at return"),
                    expression=lambda s, e: (
                        Q(birth_year__isnull=False) & Q(birth_year__gt=ExtractYear("return_date") - 18)
                    ),
                ),
                "plan_days": registry.Number(
                    _("days from return to the agreed plan"),
                    expression=_days("plan_agreed_on", "return_date"),
                    duration=True,
                ),
                "follow_ups": registry.Number(
                    _("follow-up visits in the period"),
                    expression=_follow_ups_in_span,
                    periodic=True,
                    per_periods=_follow_ups_in_periods,
                ),
            },
            case_columns=case_facts.columns(),
        )
    )
    registry.register(
        registry.Population(
            key="follow_ups",
            label=_("Follow-up visits"),
            rows=lambda: FollowUpVisit.objects.all(),
            app="cases",
            # The case's attributes from its fact row, joined on the visit's case id (not the case's wide row).
            **case_facts.reading(FollowUpVisit, _("visits")),
            dates={"visited_on": registry.DateField(_("visit date"), "visited_on")},
            fields={},
        )
    )
    registry.register(
        registry.Population(
            key="plan_items",
            label=_("Plan items"),
            rows=lambda: PlanItem.objects.all(),
            app="cases",
            # The case's attributes and the plan's agreement date from the case's fact row, joined on the item's
            # plan id (not through the plans and the cases' wide rows).
            **case_facts.reading(PlanItem, _("plan items"), "plan", "plan", case_path="plan__case"),
            dates={
                "agreed_on": registry.DateField(_("plan agreed on"), f"{case_facts.RELATION}__plan_agreed_on"),
                "due_date": registry.DateField(_("due date"), "due_date"),
            },
            fields={"dimension": registry.Choice(_("dimension"), "dimension", Dimension.choices)},
        )
    )
    registry.register(
        registry.Population(
            key="assessments",
            label=_("Assessments"),
            rows=lambda: Assessment.objects.all(),
            programme_path="case__programme_id",
            organisation_path="case__organisation_id",
            case_path="case",
            app="cases",
            units=registry.case_units("case", _("assessments")),
            dates={"assessed_on": registry.DateField(_("assessment date"), "assessed_on")},
            fields={"kind": registry.Choice(_("kind"), "kind", AssessmentKind.choices)},
        )
    )

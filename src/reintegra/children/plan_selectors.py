"""Every read of the child plan, the child's follow-up and the child closure checklist. Callers have fetched
the case through `children.permissions.access_child_case_by_id` (scope and protection category)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Max, OuterRef, Subquery

from reintegra.cases.choices import CaseEventKind, CaseStatus
from reintegra.cases.models import Case, CaseEvent, PlanItem, ReintegrationPlan
from reintegra.children.plan_choices import ChildPlanTerm, MonitoringFrequency
from reintegra.children.plan_models import ChildClosureChecklist, ChildFollowUp, ChildPlanItem

# Days between two visits at each agreed frequency.
FREQUENCY_DAYS = {
    MonitoringFrequency.WEEKLY: 7,
    MonitoringFrequency.FORTNIGHTLY: 14,
    MonitoringFrequency.MONTHLY: 30,
    MonitoringFrequency.QUARTERLY: 91,
}


def next_due(visited_on: date, frequency: str) -> date:
    return visited_on + timedelta(days=FREQUENCY_DAYS[MonitoringFrequency(frequency)])


# --- Child plan ----------------------------------------------------------------------------------


@dataclass
class ChildPlanRow:
    item: PlanItem
    detail: ChildPlanItem | None


@dataclass
class ChildPlan:
    """The case's plan seen as a child plan: every item, with its child-plan detail when it has one."""

    plan: ReintegrationPlan | None
    rows: list[ChildPlanRow] = field(default_factory=list)

    @property
    def version(self) -> int:
        return int(self.plan.revision) if self.plan is not None else 0

    def measures(self, term: str) -> list[ChildPlanRow]:
        return [row for row in self.rows if row.detail is not None and row.detail.term == term]

    @property
    def short_term(self) -> list[ChildPlanRow]:
        return self.measures(ChildPlanTerm.SHORT)

    @property
    def long_term(self) -> list[ChildPlanRow]:
        return self.measures(ChildPlanTerm.LONG)

    @property
    def outside(self) -> list[ChildPlanRow]:
        """Items of the plan not (yet) placed in the child plan."""
        return [row for row in self.rows if row.detail is None]


def child_plan_of(case: Case) -> ChildPlan:
    plan = ReintegrationPlan.objects.filter(case=case).first()
    if plan is None:
        return ChildPlan(None)
    items = PlanItem.objects.filter(plan=plan).select_related("child_detail").order_by("dimension", "due_date", "id")
    return ChildPlan(plan, [ChildPlanRow(item, getattr(item, "child_detail", None)) for item in items])


# --- Child follow-up -----------------------------------------------------------------------------


def follow_ups_of(case: Case) -> list[ChildFollowUp]:
    return list(
        ChildFollowUp.objects.filter(case=case)
        .select_related("visit", "visit__conducted_by")
        .prefetch_related("visit__progress__item")
        .order_by("-visit__visited_on", "-id")
    )


@dataclass(frozen=True)
class MonitoringDue:
    case_id: int
    case_number: str
    case_manager_id: int | None
    frequency: str
    last_visit: date
    due_on: date


def _latest_frequency() -> Subquery:
    latest = ChildFollowUp.objects.filter(case=OuterRef("pk")).order_by("-visit__visited_on", "-id")
    return Subquery(latest.values("monitoring_frequency")[:1])


def monitoring_due(*, case: Case | None = None) -> list[MonitoringDue]:
    """Open cases with an agreed monitoring frequency: when their next visit is due, counted from the latest
    visit of any kind (a plain follow-up visit keeps the rhythm too). `case`: that case only."""
    rows = Case.objects.exclude(status=CaseStatus.CLOSED).filter(child_follow_ups__isnull=False)
    if case is not None:
        rows = rows.filter(pk=case.pk)
    found = (
        rows.annotate(last_visit=Max("follow_ups__visited_on"), frequency=_latest_frequency())
        .values_list("pk", "case_number", "case_manager_id", "frequency", "last_visit")
        .distinct()
        .order_by("pk")
    )
    return [
        MonitoringDue(pk, number, manager, frequency, last, next_due(last, frequency))
        for pk, number, manager, frequency, last in found
    ]


def monitoring_of(case: Case) -> MonitoringDue | None:
    found = monitoring_due(case=case)
    return found[0] if found else None


# --- Closure checklist ---------------------------------------------------------------------------


def closure_checklist_of(case: Case) -> ChildClosureChecklist | None:
    return ChildClosureChecklist.objects.filter(case=case).select_related("completed_by").first()


def last_reopened_at(case: Case) -> datetime | None:
    found: datetime | None = CaseEvent.objects.filter(case=case, kind=CaseEventKind.REOPENED).aggregate(
        at=Max("occurred_at")
    )["at"]
    return found


def checklist_is_current(case: Case, checklist: ChildClosureChecklist | None) -> bool:
    """Completed, and since the case was last reopened (a reopened case is assessed again before closing)."""
    if checklist is None or checklist.completed_at is None:
        return False
    reopened = last_reopened_at(case)
    return reopened is None or checklist.completed_at > reopened

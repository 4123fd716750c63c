"""The child-protection dashboard's reads: counts over the child cases of the programmes the reader follows
(monitoring's readers and scope), each table protected as monitoring protects its breakdowns — exact for
those who see the programmes' cases, small counts hidden with their complements for aggregate roles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from reintegra.cases.choices import CaseStatus
from reintegra.children.choices import BiaPriority, BiaStatus, CareStatus
from reintegra.children.models import BestInterestsAssessment, BestInterestsDetermination, ChildProfile
from reintegra.children.tracing_choices import TracingStatus
from reintegra.children.tracing_models import ReunificationFollowUp, TracingRequest
from reintegra.monitoring import engine, permissions, presenting, selectors

if TYPE_CHECKING:
    from reintegra.access.models import Programme, User


@dataclass(frozen=True)
class Table:
    """One count per row, as the reader may see it, with the total."""

    title: Any
    rows: list[tuple[Any, presenting.Shown]]
    total: presenting.Shown | None  # None: rows that overlap (not parts of one total)


def _cell(n: int) -> engine.Cell:
    return engine.Cell(float(n), None, float(n))


def _table(title: Any, counts: list[tuple[str, Any, int]], k: int | None) -> Table:
    """`counts`: (code, label, count); protected together, as one breakdown of their total."""
    cells: dict[tuple[str, ...], engine.Cell] = {(code,): _cell(n) for code, _label, n in counts}
    shown = presenting.breakdown("count", cells, k)
    total = sum(n for _code, _label, n in counts)
    return Table(
        title, [(label, shown[(code,)]) for code, label, _n in counts], presenting.total("count", _cell(total), k)
    )


def _children(programmes: list[Programme]) -> QuerySet[ChildProfile]:
    return ChildProfile.objects.filter(case__programme__in=programmes).exclude(case__status=CaseStatus.CLOSED)


def _by_care(children: QuerySet[ChildProfile]) -> list[tuple[str, Any, int]]:
    found = dict(children.values_list("care_status").annotate(n=Count("pk")).order_by())
    return [(code, label, found.get(code, 0)) for code, label in CareStatus.choices]


def _assessments(
    children: QuerySet[ChildProfile], today: date
) -> tuple[list[tuple[str, Any, int]], list[tuple[str, Any, int]]]:
    bias = BestInterestsAssessment.objects.filter(case__in=children.values("case"))
    by_status = dict(bias.values_list("status").annotate(n=Count("pk")).order_by())
    overdue = dict(
        bias.exclude(status=BiaStatus.APPROVED)
        .filter(due_on__lt=today)
        .values_list("priority")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return (
        [(code, label, by_status.get(code, 0)) for code, label in BiaStatus.choices],
        [(code, label, overdue.get(code, 0)) for code, label in BiaPriority.choices],
    )


def _separate(title: Any, counts: list[tuple[str, Any, int]], k: int | None) -> Table:
    """Counts that overlap: each protected on its own (no total to work a hidden one out from)."""
    return Table(title, [(label, presenting.total("count", _cell(n), k)) for _code, label, n in counts], None)


def _path(children: QuerySet[ChildProfile], today: date) -> list[tuple[str, Any, int]]:
    """Where the unaccompanied and separated children stand on the path to a durable solution."""
    alone = children.filter(care_status__in=[CareStatus.UNACCOMPANIED, CareStatus.SEPARATED])
    decided = BestInterestsDetermination.objects.filter(case=OuterRef("case")).exclude(decision="")
    tracing = TracingRequest.objects.filter(case=OuterRef("case"), status=TracingStatus.OPEN)
    missed = ReunificationFollowUp.objects.filter(case=OuterRef("case"), due_on__lt=today, done_on__isnull=True)
    reunified = Q(case__reunification_assessment__reunified_on__isnull=False)
    counts = alone.aggregate(
        without_bid=Count("pk", filter=~Q(Exists(decided))),
        tracing=Count("pk", filter=Q(Exists(tracing))),
        followed=Count("pk", filter=reunified & ~Q(Exists(missed))),
        missed=Count("pk", filter=reunified & Q(Exists(missed))),
    )
    return [
        ("without_bid", _("Without a best-interests determination"), counts["without_bid"]),
        ("tracing", _("Family tracing under way"), counts["tracing"]),
        ("followed", _("Reunified, follow-ups up to date"), counts["followed"]),
        ("missed", _("Reunified, a follow-up overdue"), counts["missed"]),
    ]


@dataclass(frozen=True)
class Dashboard:
    programmes: list[Programme]
    exact: bool
    k: int
    tables: list[Table]


def dashboard_for(user: User, today: date) -> Dashboard:
    """PermissionDenied unless the user reads monitoring; the counts of the programmes they follow."""
    permissions.require_view(user)
    programmes = list(selectors.programmes_for(user))
    exact = permissions.sees_small_counts(user, programmes)
    threshold = permissions.threshold(programmes)
    k = None if exact else threshold
    children = _children(programmes)
    bia_status, overdue = _assessments(children, today)
    tables = [
        _table(_("Open child cases by care situation"), _by_care(children), k),
        _table(_("Best-interests assessments by status"), bia_status, k),
        _table(_("Assessments overdue, by priority"), overdue, k),
        _separate(_("Unaccompanied and separated children"), _path(children, today), k),
    ]
    return Dashboard(programmes, exact, threshold, tables)

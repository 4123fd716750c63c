"""Every read of monitoring records, scoped to what the user may see (`monitoring.permissions`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from reintegra.access import permissions
from reintegra.access.models import Programme, User
from reintegra.access.roles import Capability
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

if TYPE_CHECKING:
    from django.db.models import QuerySet


READ = (Capability.VIEW_AGGREGATES, Capability.MANAGE_MONITORING)


def programmes_for(user: User) -> QuerySet[Programme]:
    """The programmes whose monitoring the user reads: their organisation's; every one for coordinators."""
    if not permissions.has_any(user, *READ):
        return Programme.objects.none()
    if user.has_capability(Capability.VIEW_AGGREGATES_ALL_ORGANISATIONS):
        return Programme.objects.select_related("organisation").order_by("name")
    if user.organisation_id is None:
        return Programme.objects.none()
    return (
        Programme.objects.filter(organisation_id=user.organisation_id).select_related("organisation").order_by("name")
    )


def frameworks_for(user: User) -> QuerySet[ResultsFramework]:
    return ResultsFramework.objects.filter(programme__in=programmes_for(user)).select_related("programme")


def indicators_for(user: User) -> QuerySet[Indicator]:
    return Indicator.objects.filter(framework__programme__in=programmes_for(user)).select_related(
        "framework__programme", "node"
    )


# --- the results framework's pages and API -------------------------------------------------------


def framework_of(programme: Programme) -> ResultsFramework | None:
    return ResultsFramework.objects.filter(programme=programme).select_related("programme").first()


def get_framework(user: User, pk: int | str) -> ResultsFramework:
    """A framework the user may read (`DoesNotExist` → 404 otherwise)."""
    return frameworks_for(user).select_related("programme__organisation").get(pk=pk)


def get_node(user: User, pk: int | str) -> ResultNode:
    return ResultNode.objects.select_related("framework__programme").get(
        pk=pk, framework__programme__in=programmes_for(user)
    )


def get_indicator(user: User, pk: int | str) -> Indicator:
    return indicators_for(user).select_related("framework__programme", "node", "responsible").get(pk=pk)


def periods_for(user: User) -> QuerySet[ReportingPeriod]:
    return ReportingPeriod.objects.filter(programme__in=programmes_for(user)).select_related("programme")


def get_period(user: User, pk: int | str) -> ReportingPeriod:
    return periods_for(user).get(pk=pk)


def periods_of(programme: Programme) -> list[ReportingPeriod]:
    return list(ReportingPeriod.objects.filter(programme=programme).order_by("starts_on", "kind", "id"))


def nodes_of(framework: ResultsFramework) -> list[ResultNode]:
    return list(ResultNode.objects.filter(framework=framework).order_by("order", "code", "id"))


def indicators_of(framework: ResultsFramework) -> list[Indicator]:
    return list(
        Indicator.objects.filter(framework=framework)
        .select_related("node", "responsible", "framework__programme")
        .order_by("node__order", "node_id", "order", "code")
    )


@dataclass
class TreeNode:
    node: ResultNode
    indicators: list[Indicator] = field(default_factory=list)
    children: list[TreeNode] = field(default_factory=list)
    depth: int = 0


def tree(framework: ResultsFramework) -> list[TreeNode]:
    """The results tree, roots first (the impact; a node whose parent is gone would be a root too)."""
    found = {n.pk: TreeNode(n) for n in nodes_of(framework)}
    for indicator in indicators_of(framework):
        if indicator.node_id in found:
            found[indicator.node_id].indicators.append(indicator)
    roots: list[TreeNode] = []
    for item in found.values():
        parent = found.get(item.node.parent_id) if item.node.parent_id else None
        (parent.children if parent else roots).append(item)

    def place(items: list[TreeNode], depth: int) -> None:
        for item in items:
            item.depth = depth
            place(item.children, depth + 1)

    place(roots, 0)
    return roots


def flattened(items: list[TreeNode]) -> list[TreeNode]:
    """The tree in reading order (each node before its children), for the logframe's rows."""
    rows: list[TreeNode] = []
    for item in items:
        rows.append(item)
        rows.extend(flattened(item.children))
    return rows


def standard_indicators() -> QuerySet[StandardIndicator]:
    return StandardIndicator.objects.order_by("code")


def adopted_codes(framework: ResultsFramework) -> set[str]:
    return set(Indicator.objects.filter(framework=framework).values_list("code", flat=True))


def targets_of(framework: ResultsFramework) -> dict[tuple[int, int], Decimal]:
    return {
        (t.indicator_id, t.period_id): t.value
        for t in Target.objects.filter(indicator__framework=framework).only("indicator_id", "period_id", "value")
    }


def reported_value(indicator: Indicator, period: ReportingPeriod) -> ReportedValue | None:
    return ReportedValue.objects.filter(indicator=indicator, period=period).first()


def reported_values_of(period: ReportingPeriod) -> dict[int, ReportedValue]:
    return {r.indicator_id: r for r in ReportedValue.objects.filter(period=period)}


def snapshot_count(period: ReportingPeriod) -> int:
    return Snapshot.objects.filter(period=period).count()


def responsible_choices(programme: Programme) -> QuerySet[User]:
    return User.objects.filter(is_active=True, organisation_id=programme.organisation_id).order_by("username")


def search_frameworks(user: User, programme: int | None = None) -> QuerySet[ResultsFramework]:
    found = frameworks_for(user).prefetch_related("nodes")
    if programme is not None:
        found = found.filter(programme_id=programme)
    return found.order_by("programme__name", "id")


def search_indicators(user: User, programme: int | None = None, node: int | None = None) -> QuerySet[Indicator]:
    found = indicators_for(user)
    if programme is not None:
        found = found.filter(framework__programme_id=programme)
    if node is not None:
        found = found.filter(node_id=node)
    return found.order_by("framework_id", "order", "code", "id")


def search_periods(user: User, programme: int | None = None, status: str = "") -> QuerySet[ReportingPeriod]:
    found = periods_for(user)
    if programme is not None:
        found = found.filter(programme_id=programme)
    if status:
        found = found.filter(status=status)
    return found.order_by("programme_id", "starts_on", "kind", "id")

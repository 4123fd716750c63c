"""The feedback dashboard: volume by type, channel, status, service provider concerned and department, and
by month (the trend); time to acknowledge and to resolve; the satisfaction scores of the cases' surveys.
Handlers see exact counts of the items they handle; a role that only reads aggregates (VIEW_AGGREGATES) sees
the organisation's non-sensitive items, every count k-suppressed with the programmes' threshold
(`monitoring.indicators.suppress`), and no satisfaction score over fewer than k surveys. Never a text, never
a contact."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from statistics import median
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils import timezone

from reintegra.access import permissions
from reintegra.access.roles import Capability
from reintegra.monitoring.indicators import suppress
from reintegra.monitoring.permissions import threshold
from reintegra.public import selectors
from reintegra.public.choices import (
    SATISFACTION_ITEMS,
    FeedbackChannel,
    FeedbackKind,
    FeedbackStatus,
    SatisfactionAnswer,
)
from reintegra.public.models import Feedback, SatisfactionSurvey

if TYPE_CHECKING:
    from reintegra.access.models import User


@dataclass(frozen=True)
class Breakdown:
    title: str
    rows: list[tuple[str, int | None]]


@dataclass(frozen=True)
class Satisfaction:
    """The surveys of the organisation's cases: how many, the mean score (0–100), and per item the share
    answered "yes" (%). Everything None when the number of surveys is hidden."""

    surveys: int | None
    mean_score: float | None
    items: list[tuple[str, float | None]]


@dataclass(frozen=True)
class Board:
    total: int | None
    breakdowns: list[Breakdown]
    days_to_acknowledge: float | None
    days_to_resolve: float | None
    suppressed: bool
    k: int
    months: list[tuple[date, int | None]] = field(default_factory=list)
    satisfaction: Satisfaction | None = None


def rows_for(user: User) -> QuerySet[Feedback]:
    if permissions.has_any(user, Capability.HANDLE_FEEDBACK, Capability.HANDLE_SENSITIVE_FEEDBACK):
        return selectors.feedback_for(user)
    if permissions.has_any(user, Capability.VIEW_AGGREGATES) and user.organisation_id:
        return Feedback.objects.filter(programme__organisation_id=user.organisation_id).exclude(
            kind=FeedbackKind.SENSITIVE
        )
    return Feedback.objects.none()


def _labelled(counts: Counter[str], labels: dict[str, Any], k: int, protect: bool) -> list[tuple[str, int | None]]:
    cells = {str(labels.get(key, key or "—")): counts.get(key, 0) for key in [*labels, *counts] if key in counts}
    shown: dict[str, int | None] = suppress(cells, k) if protect else dict(cells)
    # Choices keep their declared order (a status in lifecycle order); free values (areas) go alphabetically.
    order = {str(label): i for i, label in enumerate(labels.values())}
    return sorted(shown.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))


def _median_days(pairs: list[tuple[Any, Any]]) -> float | None:
    days = [(end - start).total_seconds() / 86400 for start, end in pairs if start and end]
    return round(median(days), 1) if days else None


def board_for(user: User) -> Board:
    qs = rows_for(user)
    protect = not permissions.has_any(user, Capability.HANDLE_FEEDBACK, Capability.HANDLE_SENSITIVE_FEEDBACK)
    k = threshold(selectors.programmes_for(user))
    rows = list(
        qs.values_list(
            "kind",
            "channel",
            "status",
            "municipality__parent__name",
            "received_at",
            "acknowledged_at",
            "responded_at",
            "provider__name",
        )
    )
    total = len(rows)
    breakdowns = [
        Breakdown("kind", _labelled(Counter(r[0] for r in rows), dict(FeedbackKind.choices), k, protect)),
        Breakdown("channel", _labelled(Counter(r[1] for r in rows), dict(FeedbackChannel.choices), k, protect)),
        Breakdown("status", _labelled(Counter(r[2] for r in rows), dict(FeedbackStatus.choices), k, protect)),
        Breakdown("provider", _labelled(Counter(r[7] or "" for r in rows), {}, k, protect)),
        Breakdown("area", _labelled(Counter(r[3] or "" for r in rows), {}, k, protect)),
    ]
    small = protect and total < k
    return Board(
        total=None if small else total,
        breakdowns=breakdowns,
        days_to_acknowledge=None if small else _median_days([(r[4], r[5]) for r in rows]),
        days_to_resolve=None if small else _median_days([(r[4], r[6]) for r in rows]),
        suppressed=protect,
        k=k,
        months=_months(Counter(_month(r[4]) for r in rows), k, protect),
        satisfaction=satisfaction_for(user, k, protect),
    )


def _month(moment: Any) -> date:
    local = timezone.localtime(moment)
    return date(local.year, local.month, 1)


def _months(counts: Counter[date], k: int, protect: bool) -> list[tuple[date, int | None]]:
    """The items received each month, oldest first (the trend), suppressed like the other splits."""
    cells = {month.isoformat(): count for month, count in counts.items()}
    shown: dict[str, int | None] = suppress(cells, k) if protect else dict(cells)
    return [(date.fromisoformat(key), shown[key]) for key in sorted(shown)]


def _surveys_for(user: User) -> QuerySet[SatisfactionSurvey]:
    if not user.organisation_id or not permissions.has_any(
        user, Capability.HANDLE_FEEDBACK, Capability.HANDLE_SENSITIVE_FEEDBACK, Capability.VIEW_AGGREGATES
    ):
        return SatisfactionSurvey.objects.none()
    return SatisfactionSurvey.objects.filter(case__organisation_id=user.organisation_id)


def satisfaction_for(user: User, k: int, protect: bool) -> Satisfaction:
    """Aggregates only: the latest survey of each case (a case surveyed twice counts once, like the
    indicator's latest record), no answer of a person. Below k surveys an aggregate role sees nothing."""
    latest: dict[int, tuple[Any, ...]] = {}
    names = [name for name, _question in SATISFACTION_ITEMS]
    for row in _surveys_for(user).order_by("taken_on", "pk").values_list("case_id", "score", *names):
        latest[row[0]] = row
    rows = list(latest.values())
    labels = [str(question) for _name, question in SATISFACTION_ITEMS]
    if not rows or (protect and len(rows) < k):
        return Satisfaction(None if rows else 0, None, [(label, None) for label in labels])
    mean = round(sum(r[1] for r in rows) / len(rows), 1)
    items: list[tuple[str, float | None]] = [
        (label, round(100 * sum(1 for r in rows if r[2 + i] == SatisfactionAnswer.YES) / len(rows), 1))
        for i, label in enumerate(labels)
    ]
    return Satisfaction(len(rows), mean, items)

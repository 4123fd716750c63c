"""The feedback dashboard: volume by type, channel, status and department; time to acknowledge and to
resolve. Handlers see exact counts of the items they handle; a role that only reads aggregates
(VIEW_AGGREGATES) sees the organisation's non-sensitive items, every count k-suppressed with the programmes'
threshold (`monitoring.indicators.suppress`). Never a text, never a contact."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from statistics import median
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from reintegra.access import permissions
from reintegra.access.roles import Capability
from reintegra.monitoring.indicators import suppress
from reintegra.monitoring.permissions import threshold
from reintegra.public import selectors
from reintegra.public.choices import FeedbackChannel, FeedbackKind, FeedbackStatus
from reintegra.public.models import Feedback

if TYPE_CHECKING:
    from reintegra.access.models import User


@dataclass(frozen=True)
class Breakdown:
    title: str
    rows: list[tuple[str, int | None]]


@dataclass(frozen=True)
class Board:
    total: int | None
    breakdowns: list[Breakdown]
    days_to_acknowledge: float | None
    days_to_resolve: float | None
    suppressed: bool
    k: int


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
            "kind", "channel", "status", "municipality__parent__name", "received_at", "acknowledged_at", "responded_at"
        )
    )
    total = len(rows)
    breakdowns = [
        Breakdown("kind", _labelled(Counter(r[0] for r in rows), dict(FeedbackKind.choices), k, protect)),
        Breakdown("channel", _labelled(Counter(r[1] for r in rows), dict(FeedbackChannel.choices), k, protect)),
        Breakdown("status", _labelled(Counter(r[2] for r in rows), dict(FeedbackStatus.choices), k, protect)),
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
    )

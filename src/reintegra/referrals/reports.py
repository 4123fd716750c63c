"""Referral reports (aggregates only): per provider and service, referrals received, acceptance rate,
median time to accept and to deliver, no-show rate and the returnees' satisfaction.

Scope: the referrals the user's organisation made, or all organisations' with
Capability.VIEW_AGGREGATES_ALL_ORGANISATIONS (a coordination body)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from statistics import median
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from reintegra.access import permissions
from reintegra.access.roles import Capability
from reintegra.referrals import lifecycle
from reintegra.referrals.models import Referral
from reintegra.web import charts

if TYPE_CHECKING:
    from reintegra.access.models import User


def scope(user: User) -> QuerySet[Referral]:
    if not permissions.has_any(user, Capability.VIEW_REFERRAL_REPORTS):
        return Referral.objects.none()
    qs = Referral.objects.exclude(status=lifecycle.DRAFT)
    if user.has_capability(Capability.VIEW_AGGREGATES_ALL_ORGANISATIONS):
        return qs
    return qs.filter(referring_organisation_id=user.organisation_id)


@dataclass
class Row:
    provider: str
    service: str
    received: int = 0
    accepted: int = 0
    declined: int = 0
    delivered: int = 0
    no_show: int = 0
    onward: int = 0
    hours_to_accept: float | None = None
    days_to_deliver: float | None = None
    satisfaction: float | None = None
    satisfaction_count: int = 0

    @property
    def answered(self) -> int:
        return self.accepted + self.declined

    @property
    def acceptance_rate(self) -> float | None:
        return self.accepted / self.answered if self.answered else None

    @property
    def outcomes(self) -> int:
        return self.delivered + self.no_show + self.onward

    @property
    def no_show_rate(self) -> float | None:
        return self.no_show / self.outcomes if self.outcomes else None


@dataclass
class _Measures:
    """A service's times and scores, summarised into its Row once every referral is counted."""

    accept_hours: list[float] = field(default_factory=list)
    deliver_days: list[float] = field(default_factory=list)
    scores: list[int] = field(default_factory=list)

    def summarise(self, row: Row) -> None:
        if self.accept_hours:
            row.hours_to_accept = round(median(self.accept_hours), 1)
        if self.deliver_days:
            row.days_to_deliver = round(median(self.deliver_days), 1)
        if self.scores:
            row.satisfaction = round(sum(self.scores) / len(self.scores), 2)
            row.satisfaction_count = len(self.scores)


# The Row column that counts each outcome.
_OUTCOME_COLUMNS = {
    lifecycle.SERVICE_DELIVERED: "delivered",
    lifecycle.NO_SHOW: "no_show",
    lifecycle.REFERRED_ONWARD: "onward",
}


def by_service(qs: QuerySet[Referral]) -> list[Row]:
    rows: dict[int, Row] = {}
    measures: dict[int, _Measures] = {}
    fields = (
        "service_id",
        "service__name",
        "provider__name",
        "sent_at",
        "answered_at",
        "decline_reason",
        "outcome",
        "outcome_at",
        "satisfaction",
    )
    for sid, sname, pname, *referral in qs.values_list(*fields).iterator(chunk_size=2000):
        _count(rows.setdefault(sid, Row(pname, sname)), measures.setdefault(sid, _Measures()), *referral)
    for sid, row in rows.items():
        measures[sid].summarise(row)
    return sorted(rows.values(), key=lambda r: (r.provider.casefold(), r.service.casefold()))


def _count(
    row: Row,
    measures: _Measures,
    sent: datetime | None,
    answered: datetime | None,
    declined: str,
    outcome: str,
    outcome_at: datetime | None,
    score: int | None,
) -> None:
    """One referral in its service's row and measures."""
    row.received += 1
    if declined:
        row.declined += 1
    elif answered:
        row.accepted += 1
        if sent:
            measures.accept_hours.append((answered - sent).total_seconds() / 3600)
    column = _OUTCOME_COLUMNS.get(outcome)
    if column is not None:
        setattr(row, column, getattr(row, column) + 1)
    if outcome == lifecycle.SERVICE_DELIVERED and sent and outcome_at:
        measures.deliver_days.append((outcome_at - sent).total_seconds() / 86400)
    if score:
        measures.scores.append(score)


def by_provider_and_status(qs: QuerySet[Referral]) -> dict[str, dict[str, int]]:
    from django.db.models import Count

    table: dict[str, dict[str, int]] = {}
    for row in qs.values("provider__name", "status").annotate(n=Count("id")).order_by("provider__name", "status"):
        table.setdefault(row["provider__name"], {})[row["status"]] = row["n"]
    return table


STATUS_PALETTE = ["#5b6b7f", "#2f7d95", "#b42318", "#1b6b3f", "#c47f00", "#6941c6", "#3f4a56"]


def status_overview(qs: QuerySet[Referral]) -> dict[str, Any]:
    """Referrals by provider and status: a stacked Chart.js bar config and the same figures as a table."""
    from reintegra.referrals.choices import ReferralStatus

    table = by_provider_and_status(qs)
    statuses = [s for s in ReferralStatus if s != ReferralStatus.DRAFT]
    providers = sorted(table)
    chart = charts.config(
        "bar",
        [
            charts.dataset(
                s.label, [table[p].get(s.value, 0) for p in providers], colour=STATUS_PALETTE[i % len(STATUS_PALETTE)]
            )
            for i, s in enumerate(statuses)
        ],
        labels=providers,
        options={"indexAxis": "y", "scales": {"x": {"stacked": True}, "y": {"stacked": True}}},
    )
    return {
        "chart": chart,
        "statuses": statuses,
        "status_table": [(p, [table[p].get(s.value, 0) for s in statuses]) for p in providers],
    }

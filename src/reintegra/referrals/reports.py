"""Referral reports (aggregates only): per provider and service, referrals received, acceptance rate,
median time to accept and to deliver, no-show rate and the returnees' satisfaction.

Scope: the referrals the user's organisation made, or all organisations' with
Capability.VIEW_AGGREGATES_ALL_ORGANISATIONS (a coordination body)."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median
from typing import Any

from django.db.models import QuerySet

from reintegra.access import permissions
from reintegra.access.roles import Capability
from reintegra.referrals import lifecycle
from reintegra.referrals.models import Referral
from reintegra.web import charts


def scope(user: Any) -> QuerySet[Referral]:
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


def by_service(qs: QuerySet[Referral]) -> list[Row]:
    rows: dict[int, Row] = {}
    accept_hours: dict[int, list[float]] = {}
    deliver_days: dict[int, list[float]] = {}
    scores: dict[int, list[int]] = {}
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
    for sid, sname, pname, sent, answered, declined, outcome, outcome_at, score in qs.values_list(*fields).iterator(
        chunk_size=2000
    ):
        row = rows.setdefault(sid, Row(pname, sname))
        row.received += 1
        if declined:
            row.declined += 1
        elif answered:
            row.accepted += 1
            if sent:
                accept_hours.setdefault(sid, []).append((answered - sent).total_seconds() / 3600)
        if outcome == lifecycle.SERVICE_DELIVERED:
            row.delivered += 1
            if sent and outcome_at:
                deliver_days.setdefault(sid, []).append((outcome_at - sent).total_seconds() / 86400)
        elif outcome == lifecycle.NO_SHOW:
            row.no_show += 1
        elif outcome == lifecycle.REFERRED_ONWARD:
            row.onward += 1
        if score:
            scores.setdefault(sid, []).append(score)
    for sid, row in rows.items():
        if accept_hours.get(sid):
            row.hours_to_accept = round(median(accept_hours[sid]), 1)
        if deliver_days.get(sid):
            row.days_to_deliver = round(median(deliver_days[sid]), 1)
        if scores.get(sid):
            row.satisfaction = round(sum(scores[sid]) / len(scores[sid]), 2)
            row.satisfaction_count = len(scores[sid])
    return sorted(rows.values(), key=lambda r: (r.provider.casefold(), r.service.casefold()))


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

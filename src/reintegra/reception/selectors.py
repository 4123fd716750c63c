"""Every read of reception, scoped to the user's organisation (another's records do not exist for them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet
from django.utils import timezone

from reintegra.access import audit
from reintegra.reception import permissions
from reintegra.reception.models import Arrival, AssistanceGiven, Intake, ReceptionPoint

if TYPE_CHECKING:
    from reintegra.access.models import User


def points_for(user: User, *, active_only: bool = False) -> QuerySet[ReceptionPoint]:
    """The organisation's reception points (none for a user who neither records nor manages them)."""
    if not (permissions.can_record(user) or permissions.can_manage_points(user)):
        return ReceptionPoint.objects.none()
    qs = ReceptionPoint.objects.filter(organisation_id=user.organisation_id or 0).select_related("municipality")
    return (qs.filter(active=True) if active_only else qs).order_by("country", "name", "id")


def start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


@dataclass(frozen=True)
class ArrivalFilters:
    point_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


def arrivals_for(user: User, filters: ArrivalFilters | None = None) -> QuerySet[Arrival]:
    """The organisation's arrivals, newest first, with the number of intakes recorded."""
    if not permissions.can_record(user):
        return Arrival.objects.none()
    filters = filters or ArrivalFilters()
    qs = Arrival.objects.filter(organisation_id=user.organisation_id or 0).select_related("point")
    if filters.point_id:
        qs = qs.filter(point_id=filters.point_id)
    if filters.date_from:
        qs = qs.filter(arrived_at__gte=start_of(filters.date_from))
    if filters.date_to:
        qs = qs.filter(arrived_at__lte=end_of(filters.date_to))
    return qs.annotate(intake_count=Count("intakes")).order_by("-arrived_at", "-id")


def intakes_of(user: User, arrival: Arrival, *, purpose: str = "reception: arrival") -> list[Intake]:
    """The people received at an arrival (the arrival was read through `permissions.access_arrival_by_id`).
    Names are personal data: the read is recorded in the access trail."""
    intakes = list(
        Intake.objects.filter(arrival=arrival)
        .select_related("returnee", "case", "municipality_of_destination", "recorded_by")
        .prefetch_related("assistance", "assistance__given_by", "assistance__institution")
        .order_by("recorded_at", "id")
    )
    if intakes:
        audit.record_access(user, "view", arrival, purpose=purpose)
    return intakes


def assistance_of(intake: Intake) -> list[AssistanceGiven]:
    return list(intake.assistance.select_related("given_by", "institution").order_by("kind"))


def assistance_institution_choices(point: ReceptionPoint) -> list[tuple[int, str]]:
    """The institutions that may be named as having given assistance at the point (ids and names)."""
    from reintegra.referrals import selectors as referral_selectors

    return list(referral_selectors.active_providers(str(point.country)).values_list("pk", "name"))


def intakes_of_returnee(returnee_id: int) -> QuerySet[Intake]:
    """A person's returns recorded at reception (for the case page's panel; the case was read already)."""
    return (
        Intake.objects.filter(returnee_id=returnee_id)
        .select_related("arrival", "arrival__point")
        .prefetch_related("assistance", "assistance__institution")
        .order_by("-arrival__arrived_at", "-id")
    )


def intake_count(arrival: Arrival) -> int:
    return Intake.objects.filter(arrival=arrival).count()


def intake_for_answer(intake_id: int) -> Intake:
    """An intake just recorded by the user, with what its answer shows."""
    return (
        Intake.objects.select_related("returnee", "case")
        .prefetch_related("assistance", "assistance__institution")
        .get(pk=intake_id)
    )


def statistics_points(user: User) -> QuerySet[ReceptionPoint]:
    """The points a statistics reader may filter by (codes and names only, no personal data)."""
    if not permissions.can_view_statistics(user):
        return ReceptionPoint.objects.none()
    return ReceptionPoint.objects.filter(organisation_id=user.organisation_id or 0).order_by("name")

"""Every read of monitoring records, scoped to what the user may see (`monitoring.permissions`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reintegra.access import permissions
from reintegra.access.models import Programme
from reintegra.access.roles import Capability
from reintegra.monitoring.models import Indicator, ResultsFramework

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from reintegra.access.models import User

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

"""Every read of the gazetteer (administrative areas: no personal data, the same for every user)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from reintegra.places.models import AdminArea


def get_area(pk: int | None) -> AdminArea | None:
    return AdminArea.objects.filter(pk=pk).first() if pk else None


def areas_by_id(ids: Iterable[int]) -> dict[int, AdminArea]:
    return {area.pk: area for area in AdminArea.objects.filter(pk__in=list(ids))}


def states_of(country: str) -> QuerySet[AdminArea]:
    """A country's first-level areas (states, departments), by name."""
    return AdminArea.objects.filter(country=country, level=1).order_by("name")

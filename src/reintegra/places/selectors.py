"""Every read of the gazetteer (administrative areas: no personal data, the same for every user)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache
from django.db.models import QuerySet

from reintegra.places.choices import AdminLevel
from reintegra.places.models import AdminArea

# The gazetteer changes only when it is loaded again (`places.services.load_gazetteer`, which forgets the lists
# of its countries in its own process); another process sees a reload within this many seconds.
MUNICIPALITIES_SECONDS = 600


def get_area(pk: int | None) -> AdminArea | None:
    return AdminArea.objects.filter(pk=pk).first() if pk else None


def areas_by_id(ids: Iterable[int]) -> dict[int, AdminArea]:
    return {area.pk: area for area in AdminArea.objects.filter(pk__in=list(ids))}


def states_of(country: str) -> QuerySet[AdminArea]:
    """A country's first-level areas (states, departments), by name."""
    return AdminArea.objects.filter(country=country, level=1).order_by("name")


def municipalities_by_state(country: str) -> list[tuple[str, list[tuple[int, str]]]]:
    """A country's municipalities (second level) grouped by state, both by name: [(state, [(id, name), …]), …].

    Every case list and registration form shows them (2,469 in Mexico): read once per process and
    `MUNICIPALITIES_SECONDS` from Django's cache (reference data, no personal data)."""
    key = _municipalities_key(country)
    groups = cache.get(key)
    if not isinstance(groups, list):
        rows = (
            AdminArea.objects.filter(country=country, level=AdminLevel.SECOND)
            .order_by("parent__name", "name", "pk")
            .values_list("pk", "name", "parent__name")
        )
        by_state: dict[str, list[tuple[int, str]]] = {}
        for pk, name, state in rows:
            by_state.setdefault(state or "—", []).append((pk, name))
        groups = list(by_state.items())
        cache.set(key, groups, MUNICIPALITIES_SECONDS)
    return groups


def forget_municipalities(countries: Iterable[str]) -> None:
    cache.delete_many([_municipalities_key(country) for country in countries])


def _municipalities_key(country: str) -> str:
    return f"places:municipalities:{country.upper()}"

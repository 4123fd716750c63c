"""What apps above this one erase when a returnee is anonymised (data retention, `services.anonymise_returnee`).

Protection may not import the apps above it, so they register a clearer from `AppConfig.ready()`:
`register("children.tracing", clear_tracing)`; each is called with the ids of the person's cases, inside the
anonymisation's transaction and with the change log off, and clears the free text and names it holds.
"""

from __future__ import annotations

from collections.abc import Callable

Clearer = Callable[[list[int]], None]
_CLEARERS: dict[str, Clearer] = {}


def register(key: str, clearer: Clearer) -> None:
    _CLEARERS[key] = clearer


def clear_cases(case_ids: list[int]) -> None:
    for clearer in _CLEARERS.values():
        clearer(case_ids)

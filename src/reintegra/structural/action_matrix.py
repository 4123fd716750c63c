"""Contributors to the regional level × dimension matrix (`regional.selectors.matrix_counts`).

The regional catalogue and the community level sit on the same layer and may not import each other; both
may import this module. An app above registers, in `AppConfig.ready()`, a function giving the actions it
holds as (level, dimension, count) rows for a user and an optional country; the matrix adds them to the
catalogue's own:

    from reintegra.structural import action_matrix
    action_matrix.register("community_projects", selectors.project_matrix_counts)

A contributor reads through its own app's scoping (the user sees only what they may read)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

Contributor = Callable[[Any, str | None], Iterable[tuple[str, str, int]]]

_CONTRIBUTORS: dict[str, Contributor] = {}


def register(key: str, contributor: Contributor) -> None:
    _CONTRIBUTORS[key] = contributor


def contributed(user: Any, country: str | None = None) -> list[tuple[str, str, int]]:
    """Every registered contributor's (level, dimension, count) rows for the user (and country)."""
    rows: list[tuple[str, str, int]] = []
    for key in sorted(_CONTRIBUTORS):
        rows.extend(_CONTRIBUTORS[key](user, country))
    return rows


def contributor_count() -> int:
    """How many contributors are registered (each adds one query to the matrix)."""
    return len(_CONTRIBUTORS)

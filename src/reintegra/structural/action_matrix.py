"""Contributors to the regional level × dimension matrix (`regional.selectors.matrix_counts`).

The regional catalogue and the community level sit on the same layer and may not import each other; both
may import this module. An app above registers, in `AppConfig.ready()`, a function giving the actions it
holds as (level, dimension, count) rows for a user and an optional country; the matrix adds them to the
catalogue's own:

    from reintegra.structural import action_matrix
    action_matrix.register("community_projects", selectors.project_matrix_counts)

A contributor reads through its own app's scoping (the user sees only what they may read). It may also
register a lister (`register(key, counts, lister)`): the same actions one by one (`ContributedAction`), so
that a cell of the matrix lists what it counts (the catalogue's drill-down page and the API's matrix)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ContributedAction:
    """One action another app counts in the matrix: in the cell (level, dimension), with where to read it."""

    kind: str  # the contributor's key, e.g. "community_projects"
    kind_label: str  # what it is, in the reader's language ("Community project")
    id: int
    title: str
    country: str  # ISO code
    country_name: str  # in the reader's language
    level: str
    dimension: str
    url: str  # its page, for the reader


Contributor = Callable[[Any, str | None], Iterable[tuple[str, str, int]]]
Lister = Callable[[Any, str | None], Iterable[ContributedAction]]

_CONTRIBUTORS: dict[str, Contributor] = {}
_LISTERS: dict[str, Lister] = {}


def register(key: str, contributor: Contributor, lister: Lister | None = None) -> None:
    _CONTRIBUTORS[key] = contributor
    if lister is not None:
        _LISTERS[key] = lister


def contributed(user: Any, country: str | None = None) -> list[tuple[str, str, int]]:
    """Every registered contributor's (level, dimension, count) rows for the user (and country)."""
    rows: list[tuple[str, str, int]] = []
    for key in sorted(_CONTRIBUTORS):
        rows.extend(_CONTRIBUTORS[key](user, country))
    return rows


def listed(
    user: Any, country: str | None = None, level: str | None = None, dimension: str | None = None
) -> list[ContributedAction]:
    """The contributed actions the user may see, one per cell they are counted in (of one cell if asked)."""
    actions: list[ContributedAction] = []
    for key in sorted(_LISTERS):
        actions.extend(
            a
            for a in _LISTERS[key](user, country)
            if (not level or a.level == level) and (not dimension or a.dimension == dimension)
        )
    return actions


def contributor_count() -> int:
    """How many contributors are registered (each adds one query to the matrix)."""
    return len(_CONTRIBUTORS)

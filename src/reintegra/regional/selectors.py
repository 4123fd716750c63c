"""Every read of the regional catalogue. It is public-programme information (no personal data): every user
with VIEW_STRUCTURAL reads all countries; anyone else reads nothing."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, QuerySet

from reintegra.access import permissions
from reintegra.access.roles import Capability
from reintegra.regional import duplication, matrix
from reintegra.regional.duplication import normalise
from reintegra.regional.models import ActionCell, Institution, RegionalAction
from reintegra.structural import action_matrix

if TYPE_CHECKING:
    from reintegra.access.models import User

# Above this many actions in one scope the duplicate check is not run on a page view (it would be slow);
# the page asks for a narrower scope (one country, one cell).
DUPLICATE_SCAN_LIMIT = 3000


def can_view(user: User) -> bool:
    return permissions.has_any(user, Capability.VIEW_STRUCTURAL)


def actions_for(user: User) -> QuerySet[RegionalAction]:
    if not can_view(user):
        return RegionalAction.objects.none()
    return RegionalAction.objects.select_related("institution", "entered_by_organisation")


def get_action(user: User, pk: int) -> RegionalAction:
    """The action, or RegionalAction.DoesNotExist (a 404) for a missing one or a user who reads nothing."""
    return actions_for(user).get(pk=pk)


def institutions_for(user: User, country: str | None = None) -> QuerySet[Institution]:
    if not can_view(user):
        return Institution.objects.none()
    qs = Institution.objects.all()
    return qs.filter(country=country) if country else qs


@dataclass
class ActionFilters:
    country: str | None = None
    level: str | None = None
    dimension: str | None = None
    institution: int | None = None
    funding_source: str | None = None
    evaluation_status: str | None = None
    q: str = ""

    @property
    def active(self) -> bool:
        return any(
            [
                self.country,
                self.level,
                self.dimension,
                self.institution,
                self.funding_source,
                self.evaluation_status,
                self.q.strip(),
            ]
        )


def filter_actions(qs: QuerySet[RegionalAction], f: ActionFilters) -> QuerySet[RegionalAction]:
    if f.country:
        qs = qs.filter(country=f.country)
    if f.level or f.dimension:
        # Exists over the cell table (indexed) rather than a join: no duplicate rows, no DISTINCT.
        cells = ActionCell.objects.filter(action=OuterRef("pk"))
        if f.level:
            cells = cells.filter(level=f.level)
        if f.dimension:
            cells = cells.filter(dimension=f.dimension)
        qs = qs.filter(Exists(cells))
    if f.institution:
        qs = qs.filter(institution_id=f.institution)
    if f.funding_source:
        qs = qs.filter(funding_source=f.funding_source)
    if f.evaluation_status:
        qs = qs.filter(evaluation_status=f.evaluation_status)
    for word in normalise(f.q).split()[:8]:
        # search_text is normalised (lower case, no accents) so this is the same on SQLite and PostgreSQL.
        qs = qs.filter(search_text__contains=word)
    return qs


def search_actions(user: User, filters: ActionFilters | None = None) -> QuerySet[RegionalAction]:
    """The catalogue as listed (API and page): the user's actions matching `filters`, by country and title."""
    qs = actions_for(user)
    if filters is not None:
        qs = filter_actions(qs, filters)
    return qs.order_by("country", "title", "id")


def export_actions(user: User, filters: ActionFilters) -> Iterator[RegionalAction]:
    """The rows of a catalogue download, read in chunks (a download may hold every action)."""
    return search_actions(user, filters).iterator(chunk_size=2000)


def actions_by_id(user: User, ids: Iterable[int], limit: int) -> dict[int, RegionalAction]:
    """At most `limit` of the given actions that the user sees, by id (the likely duplicates shown)."""
    return {a.pk: a for a in actions_for(user).filter(pk__in=list(ids))[:limit]}


def matrix_counts(user: User, country: str | None = None) -> list[tuple[str, str, int]]:
    """(level, dimension, count of actions) for the non-empty cells: one GROUP BY over the cell index, plus the
    actions other apps contribute (`structural.action_matrix`: the community level's projects)."""
    if not can_view(user):
        return []
    cells = ActionCell.objects.all()
    if country:
        cells = cells.filter(country=country)
    rows = cells.values("level", "dimension").annotate(count=Count("id")).order_by()
    return [(row["level"], row["dimension"], row["count"]) for row in rows] + action_matrix.contributed(user, country)


def contributed_actions(
    user: User, filters: ActionFilters | None = None, *, per_cell: bool = False
) -> list[action_matrix.ContributedAction]:
    """The actions other apps count in the matrix (`structural.action_matrix`: the community level's started
    projects), as the cell drill-down lists them beside the catalogue's: of the filters' country, level and
    dimension, a title holding every word of the search; none when a filter only the catalogue has is set (an
    institution, a funding source, an evaluation status). An action covering several cells is listed once, or
    once per cell with `per_cell` (what the matrix counts)."""
    f = filters or ActionFilters()
    if not can_view(user) or f.institution or f.funding_source or f.evaluation_status:
        return []
    actions = action_matrix.listed(user, f.country or None, f.level or None, f.dimension or None)
    words = normalise(f.q).split()
    if words:
        actions = [a for a in actions if all(w in normalise(a.title) for w in words)]
    if not per_cell:
        actions = list({(a.kind, a.id): a for a in reversed(actions)}.values())
    return sorted(actions, key=lambda a: (a.country, normalise(a.title), a.id, a.dimension))


def countries_with_actions(user: User) -> list[tuple[str, int]]:
    if not can_view(user):
        return []
    rows = RegionalAction.objects.values("country").annotate(count=Count("id")).order_by("country")
    return [(str(row["country"]), row["count"]) for row in rows]


@dataclass
class DuplicateScan:
    checked: bool  # False when the scope was too large to check on a page view
    pairs: list[duplication.LikelyDuplicate]

    def cells(self) -> dict[tuple[str, str], set[int]]:
        return duplication.cells_with_duplicates(self.pairs)

    def ids(self) -> set[int]:
        return {i for pair in self.pairs for i in (pair.first, pair.second)}


def likely_duplicates(
    user: User, country: str | None = None, level: str | None = None, dimension: str | None = None
) -> DuplicateScan:
    """Likely duplicates among the actions of a scope (a country and/or a cell), through the pure core."""
    if not can_view(user):
        return DuplicateScan(True, [])
    qs = filter_actions(RegionalAction.objects.all(), ActionFilters(country=country, level=level, dimension=dimension))
    if qs.count() > DUPLICATE_SCAN_LIMIT:
        return DuplicateScan(False, [])
    rows = list(qs.values_list("id", "country", "institution_id", "title", "description"))
    cell_rows = ActionCell.objects.filter(action__in=qs.values("id")).values_list("action_id", "level", "dimension")
    cells: dict[int, set[tuple[str, str]]] = {}
    for action_id, cell_level, cell_dimension in cell_rows:
        cells.setdefault(action_id, set()).add((cell_level, cell_dimension))
    texts = [
        duplication.ActionText(pk, str(c), institution, title, description, frozenset(cells.get(pk, ())))
        for pk, c, institution, title, description in rows
    ]
    pairs = duplication.likely_duplicates(texts)
    if level or dimension:
        pairs = [
            p
            for p in pairs
            if any((not level or cl == level) and (not dimension or cd == dimension) for cl, cd in p.cells)
        ]
    return DuplicateScan(True, pairs)


def matrix_for(user: User, country: str | None = None) -> tuple[list[matrix.MatrixCell], DuplicateScan]:
    scan = likely_duplicates(user, country)
    flagged = {cell: len(ids) for cell, ids in scan.cells().items()}
    return matrix.build(matrix_counts(user, country), flagged), scan

"""Pages of a long list (docs/ARCHITECTURE.md, "The UI kit"). The view cuts the page, the template shows
the links with `web/includes/pagination.html`, which keeps every other query parameter:

    page = pagination.page_of(request, selectors.search_referrals(request.user, filters), per_page=25)
    {% include "web/includes/pagination.html" %}        {# `page` from the context #}

A missing, invalid or out-of-range page number shows the nearest page instead of failing.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from reintegra.web import page_rows

PARAMETER = "page"
# A long list counts its rows only this far: an exact count of a million cases scans them all on every
# request, and nobody pages through more than this (they search or filter instead).
COUNT_LIMIT = 10_000


class CappedPaginator(Paginator):  # type: ignore[type-arg]
    """Counts at most `limit` rows (one LIMITed subquery the database stops early); beyond that `count`
    is the limit, `beyond_limit` is true and the pages offered end there."""

    def __init__(self, object_list: Any, per_page: int, *, limit: int = COUNT_LIMIT) -> None:
        super().__init__(object_list, per_page)
        self.limit = limit

    @cached_property
    def counted(self) -> int:
        rows = self.object_list
        if hasattr(rows, "count_up_to"):  # a list that counts itself (`cases.name_index.CaseWalk`)
            return int(rows.count_up_to(self.limit + 1))
        if isinstance(rows, QuerySet):
            # Which rows make up the limit does not matter: without the ordering the planner picks its index.
            return int(rows.order_by()[: self.limit + 1].count())
        return len(rows[: self.limit + 1])

    @cached_property
    def count(self) -> int:
        return min(self.counted, self.limit)

    @property
    def beyond_limit(self) -> bool:
        return self.counted > self.limit


def page_of(request: HttpRequest, rows: Any, per_page: int) -> Page[Any]:
    """The page of `rows` (a queryset or a list) that the request's `page` parameter asks for."""
    return Paginator(rows, per_page).get_page(request.GET.get(PARAMETER))


def page_of_ids[M: Model](request: HttpRequest, rows: QuerySet[M], per_page: int) -> tuple[Page[Any], list[M]]:
    """The same page of a large queryset, fast at a million rows: one capped COUNT, then the page's ids, then
    those rows.

    The paginator counts once, up to `COUNT_LIMIT` rows (`CappedPaginator`: the template says "more than"
    and offers the pages up to the limit). The page is cut on ids
    alone, so the database sorts narrow rows instead of joining every related row onto every match before
    sorting; only the page's rows are then fetched with the queryset's joins. Returns the page (for the
    links) and its rows, in the queryset's order."""
    paginator = CappedPaginator(rows.values_list("pk", flat=True), per_page, limit=COUNT_LIMIT)
    page = paginator.get_page(request.GET.get(PARAMETER))
    return page, rows_of_ids(rows, list(page.object_list))


def rows_of_ids[M: Model](rows: QuerySet[M], ids: list[Any]) -> list[M]:
    """The rows of `ids`, which were just read from `rows`, with `rows`' joins and in the order of `ids`.

    The filters of `rows` are not run again: they chose these ids a moment ago, and re-running them (a search's
    subqueries, a visibility rule's) would cost as much as the page itself. Its `select_related` and
    `prefetch_related` and its deferred columns are kept (annotations are not: a list cut on ids has none). The
    statement of a shape is compiled once and its rows made without the ORM's per-row work (`page_rows`)."""
    if not ids:
        return []
    read = page_rows.read(rows, ids)
    if read is not None:
        by_pk = {row.pk: row for row in read}
        return [by_pk[pk] for pk in ids if pk in by_pk]
    lookups = getattr(rows, "_prefetch_related_lookups", ())  # Django's own record of them: no public reader
    fetch = rows.model._default_manager.filter(pk__in=ids).prefetch_related(*lookups)
    fetch.query.select_related = rows.query.select_related
    fetch.query.deferred_loading = rows.query.deferred_loading  # columns the list does not read
    by_id = {row.pk: row for row in fetch}
    return [by_id[pk] for pk in ids if pk in by_id]

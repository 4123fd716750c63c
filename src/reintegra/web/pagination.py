"""Pages of a long list (docs/ARCHITECTURE.md, "The UI kit"). The view cuts the page, the template shows
the links with `web/includes/pagination.html`, which keeps every other query parameter:

    page = pagination.page_of(request, selectors.search_referrals(request.user, filters), per_page=25)
    {% include "web/includes/pagination.html" %}        {# `page` from the context #}

A missing, invalid or out-of-range page number shows the nearest page instead of failing.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest

PARAMETER = "page"


def page_of(request: HttpRequest, rows: Any, per_page: int) -> Page[Any]:
    """The page of `rows` (a queryset or a list) that the request's `page` parameter asks for."""
    return Paginator(rows, per_page).get_page(request.GET.get(PARAMETER))


def page_of_ids[M: Model](request: HttpRequest, rows: QuerySet[M], per_page: int) -> tuple[Page[Any], list[M]]:
    """The same page of a large queryset, fast on 100k+ rows: one COUNT, then the page's ids, then those rows.

    The paginator counts once (its count is cached) over the bare filtered query. The page is cut on ids
    alone, so the database sorts narrow rows instead of joining every related row onto every match before
    sorting; only the page's rows are then fetched with the queryset's joins. Returns the page (for the
    links) and its rows, in the queryset's order."""
    page = page_of(request, rows.values_list("pk", flat=True), per_page)
    ids = list(page.object_list)
    by_id = {row.pk: row for row in rows.filter(pk__in=ids)} if ids else {}
    return page, [by_id[pk] for pk in ids if pk in by_id]

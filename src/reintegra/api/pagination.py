"""Page-number pagination of every API list: `?page=` (from 1) and `?page_size=` (1 to 200, default 25).

The values are validated with the rest of the query string (`reintegra.api.query`): a page size over
200, zero or not a number answers 400, never a silent default; a page past the last one answers 404.

A list counts at most 10,000 results (`web.pagination.CappedPaginator`, as the pages' lists): an exact count of a
million cases reads them all on every request. `count` is then 10,000, `count_is_capped` is true and the pages
offered end there (a later page answers 404 with code `page_beyond_count`); the rest is reached by filtering the
list, or all of it through the list's export. A list whose rows are joined to others (the case list) sets
`paginate_on_ids = True` on its view: the page is cut on ids first, then only its rows are read with their joins
(README.md, "API").
"""

from typing import Any

from django.db.models import QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from reintegra.web.pagination import CappedPaginator, rows_of_ids

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 200
MAX_PAGE = 2**31 - 1


class PaginationQuerySerializer(serializers.Serializer[Any]):
    page = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE, help_text=_("A page number, from 1.")
    )
    page_size = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        help_text=_("Results per page (default 25, at most 200)."),
    )


class StandardPagination(PageNumberPagination):
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    last_page_strings = ()
    django_paginator_class = CappedPaginator

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        if not getattr(view, "paginate_on_ids", False) or not isinstance(queryset, QuerySet):
            return self._page(queryset, request, view)
        ids = self._page(queryset.values_list("pk", flat=True), request, view)
        return None if ids is None else rows_of_ids(queryset, list(ids))

    def _page(self, rows: Any, request: Request, view: Any) -> list[Any] | None:
        try:
            return super().paginate_queryset(rows, request, view)
        except NotFound:
            paginator = self.django_paginator_class(rows, self.get_page_size(request) or DEFAULT_PAGE_SIZE)
            if not paginator.beyond_limit:
                raise
            raise NotFound(
                _("Lists offer their first %(limit)s results: filter the list, or export it, to reach the rest.")
                % {"limit": number_format(paginator.limit, force_grouping=True)},
                code="page_beyond_count",
            ) from None

    def get_paginated_response(self, data: Any) -> Response:
        assert self.page is not None
        paginator = self.page.paginator
        assert isinstance(paginator, CappedPaginator)
        return Response(
            {
                "count": paginator.count,
                "count_is_capped": paginator.beyond_limit,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        described = super().get_paginated_response_schema(schema)
        properties = described["properties"]
        properties["count"]["description"] = str(
            _("How many results match, counted up to 10,000: with count_is_capped, at least that many.")
        )
        properties["count_is_capped"] = {
            "type": "boolean",
            "description": str(
                _(
                    "True when more than 10,000 results match: count says 10,000 and the pages end there; "
                    "filter the list, or export it, to reach the rest."
                )
            ),
        }
        described["required"] = ["count", "count_is_capped", "results"]
        ordered = {key: properties[key] for key in ("count", "count_is_capped", "next", "previous", "results")}
        described["properties"] = ordered
        return described

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        bounds = {"page": {"minimum": 1, "maximum": MAX_PAGE}, "page_size": {"minimum": 1, "maximum": MAX_PAGE_SIZE}}
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
            if parameter["name"] == "page_size":
                parameter["description"] = str(PaginationQuerySerializer().fields["page_size"].help_text)
        return parameters

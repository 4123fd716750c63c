"""Page-number pagination of every API list: `?page=` (from 1) and `?page_size=` (1 to 200, default 25).

The values are validated with the rest of the query string (`reintegra.api.query`): a page size over
200, zero or not a number answers 400, never a silent default; a page past the last one answers 404.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination

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

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        bounds = {"page": {"minimum": 1, "maximum": MAX_PAGE}, "page_size": {"minimum": 1, "maximum": MAX_PAGE_SIZE}}
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
            if parameter["name"] == "page_size":
                parameter["description"] = str(PaginationQuerySerializer().fields["page_size"].help_text)
        return parameters

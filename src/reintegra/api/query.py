"""Query parameters: each API view declares the ones each action accepts, in one place.

    class ReferralFilters(serializers.Serializer):
        case = IdField(required=False)
        status = EnumChoiceField(ReferralStatus, required=False, allow_blank=True)

    class ReferralViewSet(QueryParametersMixin, viewsets.GenericViewSet):
        query_parameters = {"list": ReferralFilters}  # an action, or a method name for an APIView

        def get_queryset(self):
            case = self.query.get("case")            # validated values

The declaration is enforced after authentication and permissions: a parameter the action does not
declare answers 400 `unknown_parameter` (a typo never silently lists everything); a bad value answers
400 with field errors (a number out of range never reaches the database). `page`/`page_size` are
accepted where the action paginates (validated by `pagination.PaginationQuerySerializer`), `format` on
every view (DRF's content negotiation). The OpenAPI schema documents the same declaration
(`reintegra.api.schema`). An empty value (`?status=`) means no filter.
"""

from functools import cache, cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.request import Request

from reintegra.api.exceptions import UnknownParameter
from reintegra.api.pagination import PaginationQuerySerializer

ALWAYS_ALLOWED = frozenset({"format"})


def paginates(view: Any, method: str) -> bool:
    """Whether the view answers `method` with a page (`{"count", "next", "previous", "results"}`)."""
    if method.upper() != "GET" or not getattr(view, "pagination_class", None):
        return False
    if not getattr(view, "action_map", None):
        return True  # an APIView with a paginator
    action = getattr(view, "action", None)
    if action == "list":
        return True
    # Other viewset actions paginate only when their @action says so.
    method_handler = getattr(view, action, None) if action else None
    return getattr(method_handler, "kwargs", {}).get("pagination_class") is not None


def declared_serializer(view: Any, method: str) -> type[serializers.Serializer[Any]] | None:
    declared = getattr(view, "query_parameters", {}) or {}
    action = getattr(view, "action", None)
    return declared.get(action) if action else declared.get(method.lower())


@cache
def field_names(serializer_class: type[serializers.Serializer[Any]]) -> frozenset[str]:
    """The parameters a query serializer declares (its fields depend on the class alone: not built per request)."""
    return frozenset(serializer_class().fields)


if TYPE_CHECKING:
    from rest_framework.views import APIView as _ViewBase
else:
    _ViewBase = object


class QueryParametersMixin(_ViewBase):
    """For every API view (APIView, GenericAPIView, ViewSet): see the module's docstring."""

    query_parameters: ClassVar[dict[str, type[serializers.Serializer[Any]]]] = {}

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        method = (request.method or "GET").lower()
        if getattr(self, method, None) is None:
            return  # a method the view does not answer: 405, whatever the query string says
        self.query_serializer  # noqa: B018  validated now, after authentication, permissions and throttles

    @cached_property
    def query_serializer(self) -> serializers.Serializer[Any] | None:
        """The validated declaration of this action's query parameters (None if it declares none)."""
        params = self.request.query_params
        serializer_class = declared_serializer(self, self.request.method or "GET")
        declared = field_names(serializer_class) if serializer_class else frozenset()
        allowed = declared | ALWAYS_ALLOWED
        paginated = paginates(self, self.request.method or "GET")
        if paginated:
            allowed |= field_names(PaginationQuerySerializer)
        unknown = sorted(set(params) - allowed)
        if unknown:
            raise UnknownParameter(unknown, sorted(allowed - ALWAYS_ALLOWED))
        if paginated:
            PaginationQuerySerializer(data=params).is_valid(raise_exception=True)
        if serializer_class is None:
            return None
        serializer = serializer_class(data=params, context={"request": self.request, "view": self})
        serializer.is_valid(raise_exception=True)
        return serializer

    @property
    def query(self) -> dict[str, Any]:
        """This action's validated query parameters ({} if it declares none)."""
        serializer = self.query_serializer
        return dict(serializer.validated_data) if serializer is not None else {}


class ExportQuery(serializers.Serializer[Any]):
    """The parameter of every table download (`access.exports`): machine codes instead of the reader's language."""

    codes = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "With format=csv: field names and stored codes (ISO dates, decimal points) instead of headers and "
            "values in the language of the request."
        ),
    )

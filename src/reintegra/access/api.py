"""REST API of the audit trail (`/api/v1/audit/`, data-protection officers).

Thin, like `cases.api`: the role check comes before any lookup; the reads are `access.selectors`'.
Routes are in `access.api_urls`.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from reintegra.access import selectors
from reintegra.access.models import AccessEvent
from reintegra.access.roles import Capability
from reintegra.access.serializers import AuditEntrySerializer, AuditPageSerializer, AuditQuerySerializer
from reintegra.api.permissions import ProtectedView, acting_user

C = Capability


# --- audit trail ---------------------------------------------------------------------------------


class AuditTrailView(ProtectedView):
    """The change log and the access trail of your organisation's staff, merged newest first
    (data-protection officer only). Read-only: the trail is append-only in the database.

    Pages are cut by position, not counted: follow `next` (null on the last page)."""

    queryset = AccessEvent.objects.none()
    serializer_class = AuditEntrySerializer
    read_capabilities = (C.VIEW_AUDIT,)
    write_capabilities = (C.VIEW_AUDIT,)  # so other methods answer 405 to the officer, 403 to anyone else
    query_parameters = {"get": AuditQuerySerializer}

    @extend_schema(
        operation_id="audit_list",
        summary=_("The audit trail"),
        responses=AuditPageSerializer,
        tags=["audit"],
    )
    def get(self, request: Request) -> Response:
        query = self.query_serializer
        assert isinstance(query, AuditQuerySerializer)
        size = query.validated_data["page_size"]
        entries = list(
            selectors.audit_trail(
                acting_user(request), query.filters(), older_than=query.validated_data["position"], limit=size + 1
            )
        )
        next_url = None
        if len(entries) > size:
            entries = entries[:size]
            next_url = replace_query_param(request.build_absolute_uri(), "cursor", entries[-1].position.token())
        return Response(AuditPageSerializer({"next": next_url, "results": entries}).data)

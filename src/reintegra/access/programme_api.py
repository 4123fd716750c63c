"""`/api/v1/programmes/`: the programmes of your organisation; programme managers change their settings."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from reintegra.access import selectors, services
from reintegra.access.models import Organisation, Programme
from reintegra.access.roles import Capability
from reintegra.api import versioning
from reintegra.api.permissions import CapabilityPermission, acting_user
from reintegra.api.query import QueryParametersMixin


class ProgrammeSerializer(serializers.ModelSerializer[Programme]):
    organisation: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    # Whole numbers and lists only: the ranges and the countries are the service's rules, as from the web form.
    rss_round_months = serializers.ListField(child=serializers.IntegerField())
    countries = serializers.ListField(child=serializers.CharField(max_length=2), required=False)
    rss_baseline_window_days = serializers.IntegerField(required=False)
    rss_round_window_days = serializers.IntegerField(required=False)
    stakeholder_high_threshold = serializers.IntegerField(required=False)
    stakeholder_review_months = serializers.IntegerField(required=False)
    agreement_renewal_notice_days = serializers.IntegerField(required=False)
    suppression_threshold = serializers.IntegerField(required=False)
    version = versioning.version_field()

    class Meta:
        model = Programme
        fields = ["id", "code", "organisation", *services.PROGRAMME_SETTINGS, "version"]
        read_only_fields = ["id", "code", "organisation"]


@extend_schema_view(
    list=extend_schema(summary="Programmes of your organisation", tags=["programmes"]),
    retrieve=versioning.read_schema(summary="One programme and its settings", tags=["programmes"]),
    partial_update=versioning.write_schema(
        summary="Change a programme's settings", tags=["programmes"], responses=ProgrammeSerializer
    ),
)
class ProgrammeViewSet(
    QueryParametersMixin,
    versioning.ETagMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Programme],
):
    serializer_class = ProgrammeSerializer
    permission_classes = [CapabilityPermission]
    read_capabilities = None  # any signed-in user of the organisation
    write_capabilities = (Capability.MANAGE_PROGRAMME,)
    queryset = Programme.objects.none()

    def get_queryset(self) -> QuerySet[Programme]:
        return selectors.programme_list(acting_user(self.request), active_first=False)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        programme = self.get_object()
        serializer = self.get_serializer(programme, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        # A service ValidationError becomes a 400 with field errors, StaleVersion a 412 (reintegra.api.exceptions).
        expected = versioning.expected_version(request, programme)
        updated = services.update_programme(
            acting_user(request), programme, dict(serializer.validated_data), expected_version=expected
        )
        return Response(self.get_serializer(updated).data)

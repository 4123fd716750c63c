"""`/api/v1/communities/` (and `{id}/`, `{id}/site-checklist/`, `{id}/sessions/`) and
`/api/v1/communities/hotspots/`.

Role checks before any lookup (403); another organisation's community is 404. Writes go through
`community.services`: a refused input answers 400 with field errors and codes."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from reintegra.access.roles import Capability
from reintegra.api import versioning
from reintegra.api.pagination import StandardPagination
from reintegra.api.permissions import ProtectedView, acting_user
from reintegra.community import hotspot_table, permissions, selectors, services
from reintegra.community import serializers as s
from reintegra.community.models import Community, ParticipatorySession

TAGS = ["community"]
C = Capability
READ = (C.VIEW_STRUCTURAL, C.EDIT_STRUCTURAL)
EDIT = (C.EDIT_STRUCTURAL,)
ERRORS = OpenApiResponse(description="Field errors with codes")


def _community(request: Request, pk: Any, *, for_write: bool = False) -> Community:
    try:
        return permissions.access_community_by_id(acting_user(request), pk, for_write=for_write)
    except Community.DoesNotExist:
        raise Http404 from None


class CommunitiesView(ProtectedView):
    """The communities of your organisation; POST records one (programme managers, coordinators)."""

    read_capabilities = READ
    write_capabilities = EDIT
    queryset = Community.objects.none()
    serializer_class = s.CommunitySerializer
    pagination_class = StandardPagination

    @extend_schema(
        operation_id="communities_list",
        summary="List communities",
        responses=s.CommunitySerializer(many=True),
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.communities_for(acting_user(request)))
        return self.get_paginated_response(s.CommunitySerializer(page, many=True).data)

    @extend_schema(
        summary="Record a community",
        request=s.CommunitySerializer,
        responses={201: s.CommunitySerializer, 400: ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        incoming = s.CommunitySerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        community = services.save_community(acting_user(request), incoming.to_input())
        return Response(s.CommunitySerializer(community).data, status=status.HTTP_201_CREATED)


class CommunityView(versioning.ETagMixin, ProtectedView):
    read_capabilities = READ
    write_capabilities = EDIT
    queryset = Community.objects.none()
    serializer_class = s.CommunitySerializer

    @versioning.read_schema(operation_id="communities_retrieve", summary="A community", tags=TAGS)
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.CommunitySerializer(_community(request, pk)).data)

    @versioning.write_schema(
        summary="Change a community",
        request=s.CommunitySerializer,
        responses={200: s.CommunitySerializer, 400: ERRORS},
        tags=TAGS,
    )
    def put(self, request: Request, pk: int) -> Response:
        community = _community(request, pk, for_write=True)
        incoming = s.CommunitySerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        community = services.save_community(
            acting_user(request),
            incoming.to_input(),
            community,
            expected_version=versioning.expected_version(request, community),
        )
        community.refresh_from_db()
        return Response(s.CommunitySerializer(community).data)


def _checklist(community: Community) -> dict[str, Any]:
    rows = selectors.checklist_of(community)
    return {
        "scores": [{"criterion": r.criterion, "score": r.score, "evidence": r.evidence} for r in rows],
        "total": selectors.site_total(rows),
        "version": community.revision,
    }


class ChecklistView(versioning.ETagMixin, ProtectedView):
    """The favourable-site checklist of a community: seven criteria scored 0–3 with evidence."""

    read_capabilities = READ
    write_capabilities = EDIT
    queryset = Community.objects.none()
    serializer_class = s.ChecklistSerializer

    @versioning.read_schema(
        operation_id="communities_site_checklist", summary="A community's favourable-site checklist", tags=TAGS
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_checklist(_community(request, pk)))

    @versioning.write_schema(
        summary="Score the favourable-site checklist",
        request=s.ChecklistSerializer,
        responses={200: s.ChecklistSerializer, 400: ERRORS},
        tags=TAGS,
    )
    def put(self, request: Request, pk: int) -> Response:
        community = _community(request, pk, for_write=True)
        incoming = s.ChecklistSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        services.save_checklist(
            acting_user(request),
            community,
            incoming.to_input(),
            expected_version=versioning.expected_version(request, community),
        )
        community.refresh_from_db()
        return Response(_checklist(community))


class SessionsView(ProtectedView):
    """The participatory sessions of a community; POST records one."""

    read_capabilities = READ
    write_capabilities = EDIT
    queryset = ParticipatorySession.objects.none()
    serializer_class = s.SessionSerializer

    @extend_schema(
        operation_id="communities_sessions_list",
        summary="A community's participatory sessions",
        responses=s.SessionSerializer(many=True),
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        community = _community(request, pk)
        return Response(s.SessionSerializer(selectors.sessions_of(community), many=True).data)

    @extend_schema(
        summary="Record a participatory session",
        request=s.SessionSerializer,
        responses={201: s.SessionSerializer, 400: ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        community = _community(request, pk, for_write=True)
        incoming = s.SessionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        session = services.record_session(acting_user(request), community, incoming.to_input())
        return Response(s.SessionSerializer(session).data, status=status.HTTP_201_CREATED)


class HotspotsView(ProtectedView):
    """Return hotspots (`country`, `period_days` 90 or 365), ranked by returns per 1,000 residents; counts
    below the programmes' k are null."""

    read_capabilities = (C.VIEW_AGGREGATES, C.MANAGE_MONITORING)
    queryset = Community.objects.none()
    serializer_class = s.HotspotSerializer
    query_parameters = {"get": s.HotspotQuerySerializer}

    @extend_schema(
        operation_id="communities_hotspots",
        summary="Return hotspots",
        responses=s.HotspotSerializer(many=True),
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        q = self.query
        found = selectors.hotspots_for(
            acting_user(request), country=q.get("country") or "", period_days=int(q.get("period_days") or 365)
        )
        return Response([hotspot_table.as_dict(row) for row in found.rows])

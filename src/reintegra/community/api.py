"""`/api/v1/communities/` (and `{id}/`, `{id}/site-checklist/`, `{id}/sessions/`, `{id}/profiles/`),
`/api/v1/communities/hotspots/` and `/api/v1/community-projects/` (and `{id}/`, `{id}/status/`,
`{id}/participants/`, `{id}/visits/`).

Role checks before any lookup (403); another organisation's community is 404. Writes go through
`community.services`: a refused input answers 400 with field errors and codes."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from reintegra.access import permissions as access_permissions
from reintegra.access.roles import Capability
from reintegra.api import versioning
from reintegra.api.pagination import StandardPagination
from reintegra.api.permissions import ProtectedView, acting_user
from reintegra.community import hotspot_table, permissions, selectors, services
from reintegra.community import serializers as s
from reintegra.community.choices import ParticipantKind
from reintegra.community.models import Community, CommunityProfile, CommunityProject, ParticipatorySession

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


# --- Community profiles ------------------------------------------------------------------------------


class ProfilesView(ProtectedView):
    """The versions of a community's profile, newest first; POST records a new version."""

    read_capabilities = READ
    write_capabilities = EDIT
    queryset = CommunityProfile.objects.none()
    serializer_class = s.ProfileSerializer

    @extend_schema(
        operation_id="communities_profiles_list",
        summary="A community's profiles (newest version first)",
        responses=s.ProfileSerializer(many=True),
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        community = _community(request, pk)
        return Response(s.ProfileSerializer(selectors.profiles_of(community), many=True).data)

    @extend_schema(
        summary="Record a new version of the community profile",
        request=s.ProfileSerializer,
        responses={201: s.ProfileSerializer, 400: ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        community = _community(request, pk, for_write=True)
        incoming = s.ProfileSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        profile = services.save_profile(acting_user(request), community, incoming.to_input())
        return Response(s.ProfileSerializer(profile).data, status=status.HTTP_201_CREATED)


# --- Community projects --------------------------------------------------------------------------------


def _project(request: Request, pk: Any, *, for_write: bool = False) -> CommunityProject:
    try:
        return permissions.access_project_by_id(acting_user(request), pk, for_write=for_write)
    except CommunityProject.DoesNotExist:
        raise Http404 from None


class ProjectsView(ProtectedView):
    """The community projects of your organisation; POST records one (programme managers, coordinators)."""

    read_capabilities = READ
    write_capabilities = EDIT
    queryset = CommunityProject.objects.none()
    serializer_class = s.ProjectSerializer
    pagination_class = StandardPagination

    @extend_schema(
        operation_id="community_projects_list",
        summary="List community projects",
        responses=s.ProjectSerializer(many=True),
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.projects_for(acting_user(request)))
        return self.get_paginated_response(s.ProjectSerializer(page, many=True).data)

    @extend_schema(
        summary="Record a community project",
        request=s.ProjectSerializer,
        responses={201: s.ProjectSerializer, 400: ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        incoming = s.ProjectSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        project = services.save_project(acting_user(request), incoming.to_input())
        return Response(s.ProjectSerializer(project).data, status=status.HTTP_201_CREATED)


class ProjectView(versioning.ETagMixin, ProtectedView):
    read_capabilities = READ
    write_capabilities = EDIT
    queryset = CommunityProject.objects.none()
    serializer_class = s.ProjectSerializer

    @versioning.read_schema(operation_id="community_projects_retrieve", summary="A community project", tags=TAGS)
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.ProjectSerializer(_project(request, pk)).data)

    @versioning.write_schema(
        summary="Change a community project",
        request=s.ProjectSerializer,
        responses={200: s.ProjectSerializer, 400: ERRORS},
        tags=TAGS,
    )
    def put(self, request: Request, pk: int) -> Response:
        project = _project(request, pk, for_write=True)
        incoming = s.ProjectSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        project = services.save_project(
            acting_user(request),
            incoming.to_input(),
            project,
            expected_version=versioning.expected_version(request, project),
        )
        project.refresh_from_db()
        return Response(s.ProjectSerializer(project).data)


class ProjectStatusView(versioning.ETagMixin, ProtectedView):
    """Start a planned project or close an active one (with `closed_on`, `result`, `closing_assessment`)."""

    write_capabilities = EDIT
    queryset = CommunityProject.objects.none()
    serializer_class = s.ProjectStatusSerializer

    @versioning.write_schema(
        optional=True,
        summary="Change a community project's status",
        request=s.ProjectStatusSerializer,
        responses={200: s.ProjectSerializer, 400: ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        project = _project(request, pk, for_write=True)
        incoming = s.ProjectStatusSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        services.change_project_status(
            acting_user(request),
            project,
            incoming.to_input(),
            expected_version=versioning.expected_version(request, project, required=False),
        )
        project.refresh_from_db()
        return Response(s.ProjectSerializer(project).data)


class ParticipantsView(ProtectedView):
    """The participants of a project. POST `kind=returnee` links a case (who may change that case: case
    managers, supervisors, programme managers); `kind=non_migrant` records residents (the project's
    editors)."""

    read_capabilities = READ
    write_capabilities = (*EDIT, C.EDIT_CASES)
    queryset = CommunityProject.objects.none()
    serializer_class = s.ParticipantSerializer

    @extend_schema(
        operation_id="community_projects_participants_list",
        summary="A community project's participants",
        responses=s.ParticipantSerializer(many=True),
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        project = _project(request, pk)
        participation = selectors.participation_of(user, project)
        rows = [line.participant for line in participation.returnees] + participation.residents
        visible = {line.case.pk for line in participation.returnees if line.case is not None}
        return Response(s.ParticipantSerializer(rows, many=True, context={"visible_cases": visible}).data)

    @extend_schema(
        summary="Add a participant to a community project",
        request=s.ParticipantSerializer,
        responses={201: s.ParticipantSerializer, 400: ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        user = acting_user(request)
        returnee = request.data.get("kind") == ParticipantKind.RETURNEE if hasattr(request.data, "get") else False
        access_permissions.require(user, C.EDIT_CASES if returnee else C.EDIT_STRUCTURAL)
        project = _project(request, pk, for_write=not returnee)
        incoming = s.ParticipantSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        if returnee:
            participant = services.add_returnee(user, project, incoming.returnee_input())
        else:
            participant = services.add_residents(user, project, incoming.residents_input())
        context = {"visible_cases": {participant.case_id} if participant.case_id else set()}
        return Response(s.ParticipantSerializer(participant, context=context).data, status=status.HTTP_201_CREATED)


class VisitsView(ProtectedView):
    """The follow-up visits of a project; POST records one (while the project is active)."""

    read_capabilities = READ
    write_capabilities = EDIT
    queryset = CommunityProject.objects.none()
    serializer_class = s.VisitSerializer

    @extend_schema(
        operation_id="community_projects_visits_list",
        summary="A community project's follow-up visits",
        responses=s.VisitSerializer(many=True),
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.VisitSerializer(selectors.visits_of(_project(request, pk)), many=True).data)

    @extend_schema(
        summary="Record a follow-up visit",
        request=s.VisitSerializer,
        responses={201: s.VisitSerializer, 400: ERRORS},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        project = _project(request, pk, for_write=True)
        incoming = s.VisitSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        visit = services.record_visit(acting_user(request), project, incoming.to_input())
        return Response(s.VisitSerializer(visit).data, status=status.HTTP_201_CREATED)

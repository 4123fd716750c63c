"""`/api/v1/cases/{id}/child-plan/`, `…/child-follow-ups/`, `…/child-closure-checklist/`.

Each answers 404 for a case the user does not see and 403 without the protection category (or, for a write,
without the right to change the case). The child plan's version is the case plan's."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from reintegra.api import versioning
from reintegra.api.permissions import acting_user
from reintegra.cases.models import Case, ReintegrationPlan
from reintegra.children import plan_selectors, plan_services
from reintegra.children.api import TAGS, ChildCaseView
from reintegra.children.plan_models import ChildClosureChecklist, ChildFollowUp
from reintegra.children.plan_serializers import (
    ChildFollowUpSerializer,
    ChildPlanSerializer,
    ClosureChecklistSerializer,
)


class ChildPlanView(ChildCaseView):
    """The child plan: the case plan's items placed in it (timeframe, for whom, sector, community actor)."""

    queryset = ReintegrationPlan.objects.none()
    serializer_class = ChildPlanSerializer

    def _answer(self, case: Case) -> Response:
        data = ChildPlanSerializer.present(plan_selectors.child_plan_of(case))
        response = Response(ChildPlanSerializer(data).data)
        response["ETag"] = versioning.etag(data["version"])
        return response

    @versioning.read_schema(
        summary="The child plan (the version is the case plan's; 0 when there is no plan yet)",
        tags=TAGS,
        responses=ChildPlanSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        return self._answer(self._case(request, pk))

    @versioning.write_schema(
        summary="Place the plan's items in the child plan (400 plan_required without a plan)",
        request=ChildPlanSerializer,
        responses=ChildPlanSerializer,
        tags=TAGS,
    )
    def put(self, request: Request, pk: int) -> Response:
        case = self._case(request, pk, for_write=True)
        incoming = ChildPlanSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        expected = versioning.expected_version(request, plan_selectors.child_plan_of(case).plan)
        plan_services.save_child_plan(acting_user(request), case, incoming.to_inputs(), expected_version=expected)
        return self._answer(case)


class ChildFollowUpsView(ChildCaseView):
    """Follow-up visits of a child case with the child's current vulnerabilities and monitoring frequency."""

    queryset = ChildFollowUp.objects.none()
    serializer_class = ChildFollowUpSerializer

    @extend_schema(
        summary="The child follow-ups of the case, newest first",
        tags=TAGS,
        responses=ChildFollowUpSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        rows = plan_selectors.follow_ups_of(self._case(request, pk))
        return Response(ChildFollowUpSerializer([ChildFollowUpSerializer.present(r) for r in rows], many=True).data)

    @extend_schema(
        summary="Record a follow-up visit of a child case (400 beyond_frequency: the next visit too late)",
        request=ChildFollowUpSerializer,
        responses={201: ChildFollowUpSerializer},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        case = self._case(request, pk, for_write=True)
        incoming = ChildFollowUpSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        record = plan_services.record_child_follow_up(
            acting_user(request), case, incoming.visit_values(), incoming.to_input(), incoming.progress_inputs()
        )
        data = ChildFollowUpSerializer.present(record)
        return Response(ChildFollowUpSerializer(data).data, status=status.HTTP_201_CREATED)


class ClosureChecklistView(ChildCaseView):
    """The child closure checklist, which the closure of a child case needs completed."""

    queryset = ChildClosureChecklist.objects.none()
    serializer_class = ClosureChecklistSerializer

    def _answer(self, case: Case) -> Response:
        data = ClosureChecklistSerializer.present(plan_selectors.closure_checklist_of(case))
        response = Response(ClosureChecklistSerializer(data).data)
        response["ETag"] = versioning.etag(data["version"])
        return response

    @versioning.read_schema(
        summary="The child closure checklist (version 0 when none yet)", tags=TAGS, responses=ClosureChecklistSerializer
    )
    def get(self, request: Request, pk: int) -> Response:
        return self._answer(self._case(request, pk))

    @versioning.write_schema(
        create=True,
        summary="Record or complete the child closure checklist (`complete`: what the closure needs)",
        request=ClosureChecklistSerializer,
        responses=ClosureChecklistSerializer,
        tags=TAGS,
    )
    def put(self, request: Request, pk: int) -> Response:
        case = self._case(request, pk, for_write=True)
        incoming = ClosureChecklistSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        expected = versioning.expected_version(request, plan_selectors.closure_checklist_of(case))
        plan_services.save_closure_checklist(acting_user(request), case, incoming.to_input(), expected_version=expected)
        return self._answer(case)

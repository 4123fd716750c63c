"""`/api/v1/cases/{id}/child-profile/`, `…/best-interests-assessments/` (and `…/{bia_id}/`, `…/{bia_id}/approve/`,
`…/{bia_id}/return/`),
`…/best-interests-determination/`, `…/child-participation/`, `…/child-cases/`.

Each answers 404 for a case the user does not see, 403 without the protection category (and, for the
determination, to anyone but its panel, the case manager and supervisors). Reads of a BIA or BID are audited
by the selectors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from reintegra.access.roles import Capability
from reintegra.api import versioning
from reintegra.api.permissions import ProtectedView, acting_user
from reintegra.cases.models import Case
from reintegra.children import permissions, selectors, services
from reintegra.children.models import (
    BestInterestsAssessment,
    BestInterestsDetermination,
    ChildParticipation,
    ChildProfile,
)
from reintegra.children.serializers import (
    BestInterestsApprovalSerializer,
    BestInterestsAssessmentSerializer,
    BestInterestsAssessmentWriteSerializer,
    BestInterestsDeterminationSerializer,
    ChildParticipationSerializer,
    ChildProfileSerializer,
)

TAGS = ["children"]


class ChildCaseView(ProtectedView):
    """An endpoint of a child's case: the protection category before the case is looked up (403), then a case
    the user sees (404 otherwise); the child-case pages of every part of the app answer alike."""

    read_capabilities = (Capability.SEE_PROTECTION,)
    write_capabilities = (Capability.EDIT_CASES,)

    def _case(self, request: Request, pk: int, *, for_write: bool = False) -> Case:
        try:
            return permissions.access_child_case_by_id(acting_user(request), pk, for_write=for_write)
        except Case.DoesNotExist:
            raise Http404 from None


class ChildProfileView(ChildCaseView):
    """The child's profile: care situation, caregivers, guardian, authority, school, health, languages."""

    queryset = ChildProfile.objects.none()
    serializer_class = ChildProfileSerializer

    def _answer(self, case: Case) -> Response:
        profile = selectors.profile_of(case)
        data = ChildProfileSerializer.present(profile, is_child_case=selectors.is_child_case(case))
        response = Response(ChildProfileSerializer(data).data)
        response["ETag"] = versioning.etag(data["version"])
        return response

    @versioning.read_schema(summary="The child's profile (version 0 when none was recorded yet)", tags=TAGS)
    def get(self, request: Request, pk: int) -> Response:
        return self._answer(self._case(request, pk))

    @versioning.write_schema(
        create=True,
        summary="Record or revise the child's profile (400 not_a_child_case for an adult's case)",
        request=ChildProfileSerializer,
        responses=ChildProfileSerializer,
        tags=TAGS,
    )
    def put(self, request: Request, pk: int) -> Response:
        case = self._case(request, pk, for_write=True)
        incoming = ChildProfileSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        expected = versioning.expected_version(request, selectors.profile_of(case))
        services.save_profile(acting_user(request), case, incoming.to_input(), expected_version=expected)
        return self._answer(case)


class AssessmentsView(ChildCaseView):
    """Best-interests assessments of a case: list, or start one (`complete`: sent for approval)."""

    queryset = BestInterestsAssessment.objects.none()
    serializer_class = BestInterestsAssessmentSerializer

    @extend_schema(
        summary="The case's best-interests assessments, newest first",
        tags=TAGS,
        responses=BestInterestsAssessmentSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        case = self._case(request, pk)
        rows = selectors.assessments_of(acting_user(request), case, channel="api")
        return Response(BestInterestsAssessmentSerializer(rows, many=True).data)

    @extend_schema(
        summary="Start a best-interests assessment; its priority sets its deadline",
        request=BestInterestsAssessmentWriteSerializer,
        responses={201: BestInterestsAssessmentSerializer},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        case = self._case(request, pk, for_write=True)
        incoming = BestInterestsAssessmentWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        user = acting_user(request)
        bia = services.start_assessment(user, case, incoming.to_input())
        # The answer shows the assessment: read through the selector, so that this read is audited too.
        shown = selectors.get_assessment(user, case, bia.pk, channel="api")
        return Response(BestInterestsAssessmentSerializer(shown).data, status=status.HTTP_201_CREATED)


class _OneAssessmentView(ChildCaseView):
    queryset = BestInterestsAssessment.objects.none()
    serializer_class = BestInterestsAssessmentSerializer

    def _assessment(self, request: Request, case: Case, bia_id: int) -> BestInterestsAssessment:
        try:
            return selectors.get_assessment(acting_user(request), case, bia_id, channel="api")
        except BestInterestsAssessment.DoesNotExist:
            raise Http404 from None

    def _answer(self, bia: BestInterestsAssessment) -> Response:
        response = Response(BestInterestsAssessmentSerializer(bia).data)
        response["ETag"] = versioning.etag(bia.revision)
        return response


class AssessmentView(_OneAssessmentView):
    @versioning.read_schema(
        summary="One best-interests assessment", tags=TAGS, responses=BestInterestsAssessmentSerializer
    )
    def get(self, request: Request, pk: int, bia_id: int) -> Response:
        return self._answer(self._assessment(request, self._case(request, pk), bia_id))

    @versioning.write_schema(
        summary="Revise an assessment in progress (`complete`: send it for approval)",
        request=BestInterestsAssessmentWriteSerializer,
        responses=BestInterestsAssessmentSerializer,
        tags=TAGS,
    )
    def put(self, request: Request, pk: int, bia_id: int) -> Response:
        case = self._case(request, pk, for_write=True)
        bia = self._assessment(request, case, bia_id)
        incoming = BestInterestsAssessmentWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        expected = versioning.expected_version(request, bia)
        bia = services.update_assessment(acting_user(request), bia, incoming.to_input(), expected_version=expected)
        return self._answer(bia)


class _SupervisorDecisionView(_OneAssessmentView):
    """Approve or send back a completed BIA (the subclass names the service)."""

    write_capabilities = (Capability.APPROVE_BEST_INTERESTS,)
    decide: Callable[..., BestInterestsAssessment]

    def _decide(self, request: Request, pk: int, bia_id: int) -> Response:
        case = self._case(request, pk, for_write=True)
        bia = self._assessment(request, case, bia_id)
        incoming = BestInterestsApprovalSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        expected = versioning.expected_version(request, bia, required=False)
        decide = type(self).decide
        bia = decide(acting_user(request), bia, note=incoming.validated_data["note"], expected_version=expected)
        return self._answer(bia)


def _decision_schema[F: Callable[..., Any]](summary: str) -> Callable[[F], F]:
    return versioning.write_schema(
        optional=True,
        summary=summary,
        request=BestInterestsApprovalSerializer,
        responses=BestInterestsAssessmentSerializer,
        tags=TAGS,
    )


class AssessmentApproveView(_SupervisorDecisionView):
    decide = services.approve_assessment

    @_decision_schema("A supervisor (not the assessor) approves a completed assessment")
    def post(self, request: Request, pk: int, bia_id: int) -> Response:
        return self._decide(request, pk, bia_id)


class AssessmentReturnView(_SupervisorDecisionView):
    decide = services.return_assessment

    @_decision_schema("A supervisor (not the assessor) sends a completed assessment back for revision (note required)")
    def post(self, request: Request, pk: int, bia_id: int) -> Response:
        return self._decide(request, pk, bia_id)


class DeterminationView(ChildCaseView):
    """The case's best-interests determination and its panel: only for its panel members, the case manager
    and supervisors."""

    queryset = BestInterestsDetermination.objects.none()
    serializer_class = BestInterestsDeterminationSerializer

    def _answer(self, request: Request, case: Case) -> Response:
        user = acting_user(request)
        current = selectors.current_determination(case)
        permissions.require_determination_read(user, case, current)
        if current is not None:
            selectors.read_determination(user, current, channel="api")
        data = BestInterestsDeterminationSerializer.present(current, selectors.panel_of(current))
        response = Response(BestInterestsDeterminationSerializer(data).data)
        response["ETag"] = versioning.etag(data["version"])
        return response

    @versioning.read_schema(
        summary="The best-interests determination (version 0 when none yet)",
        tags=TAGS,
        responses=BestInterestsDeterminationSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        return self._answer(request, self._case(request, pk))

    @versioning.write_schema(
        create=True,
        summary="Convene the panel, record the declarations and the decision",
        request=BestInterestsDeterminationSerializer,
        responses=BestInterestsDeterminationSerializer,
        tags=TAGS,
    )
    def put(self, request: Request, pk: int) -> Response:
        case = self._case(request, pk, for_write=True)
        user = acting_user(request)
        current = selectors.current_determination(case)
        permissions.require_determination_write(user, case, current)
        incoming = BestInterestsDeterminationSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        expected = versioning.expected_version(request, current)
        services.save_determination(user, case, incoming.to_input(), expected_version=expected)
        return self._answer(request, case)


class ParticipationView(ChildCaseView):
    """How the child took part in the plan and the closure decisions."""

    queryset = ChildParticipation.objects.none()
    serializer_class = ChildParticipationSerializer

    @extend_schema(
        summary="The child's participation in the plan and closure decisions",
        tags=TAGS,
        responses=ChildParticipationSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        case = self._case(request, pk)
        return Response(ChildParticipationSerializer(selectors.participations_of(case), many=True).data)

    @extend_schema(
        summary="Record how the child took part in a decision",
        request=ChildParticipationSerializer,
        responses={201: ChildParticipationSerializer},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        case = self._case(request, pk, for_write=True)
        incoming = ChildParticipationSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        v = incoming.validated_data
        entry = services.record_participation(
            acting_user(request),
            case,
            decision=v["decision"],
            method=v["method"],
            views=v["views"],
            recorded_on=v["recorded_on"],
        )
        return Response(ChildParticipationSerializer(entry).data, status=status.HTTP_201_CREATED)


class ChildCaseRequestSerializer(serializers.Serializer):
    member = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="The household member's id.")


class ChildCaseCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case_number = serializers.CharField()


class ChildCasesView(ChildCaseView):
    """Open a child case for a returned minor of this case's household (the family group)."""

    queryset = Case.objects.none()
    serializer_class = ChildCaseCreatedSerializer

    @extend_schema(
        summary="Open a child case for a returned minor of the household, in one step",
        request=ChildCaseRequestSerializer,
        responses={201: ChildCaseCreatedSerializer, 400: OpenApiResponse(description="member: field errors")},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        case = self._case(request, pk, for_write=True)
        incoming = ChildCaseRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        child = services.create_child_case(acting_user(request), case, incoming.validated_data["member"])
        data: dict[str, Any] = {"id": child.pk, "case_number": child.case_number}
        return Response(ChildCaseCreatedSerializer(data).data, status=status.HTTP_201_CREATED)

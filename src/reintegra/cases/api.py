"""REST API of the individual case (`/api/v1/returnees/`, `/api/v1/cases/`).

Thin: parse with a serializer, call a selector or a service, render. Every case lookup goes through
`permissions.access_case_by_id` (not visible → 404, never revealing existence; a write on a case the user
may not change → 403); every write through `services`, which check again.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.http.response import HttpResponseBase
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from reintegra.access.audit import record_access
from reintegra.access.roles import Capability
from reintegra.api import versioning
from reintegra.api.negotiation import FileDownloadNegotiation
from reintegra.api.permissions import CaseWorkPermission, ProtectedView, acting_user
from reintegra.api.query import QueryParametersMixin
from reintegra.cases import case_file, duplicates, selectors, services
from reintegra.cases import permissions as case_permissions
from reintegra.cases.models import Assessment, Case, Returnee
from reintegra.cases.serializers import (
    AssessmentSerializer,
    AssignSerializer,
    CaseCreateSerializer,
    CaseDetailSerializer,
    CaseFilterSerializer,
    CaseListSerializer,
    CloseSerializer,
    CounsellingSessionSerializer,
    DuplicateQuerySerializer,
    DuplicateResultSerializer,
    ErrorCodeSerializer,
    FollowUpVisitSerializer,
    HouseholdSerializer,
    OpenMatterSerializer,
    PlanAgreeSerializer,
    PlanSerializer,
    PlanWriteSerializer,
    PossibleDuplicateSerializer,
    ReopenSerializer,
    ReturneeCreateSerializer,
    ReturneeSerializer,
    ReturnInformationSerializer,
    household_data,
    return_input,
    returnee_input,
)


def _int_or_404(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < number < 2**63:
        raise Http404
    return number


def throttled_response(exc: duplicates.DuplicateCheckThrottled) -> Response:
    return Response(
        {"detail": str(exc), "code": "throttled"},
        status=status.HTTP_429_TOO_MANY_REQUESTS,
        headers={"Retry-After": str(exc.wait)},
    )


def _duplicate_document(exc: ValidationError) -> bool:
    errors = getattr(exc, "error_dict", {}).get("documents", [])
    return any(error.code == "duplicate_document" for error in errors)


@extend_schema_view(
    list=extend_schema(summary=_("List returnees")),
    create=extend_schema(
        summary=_("Register a returnee"),
        description=_(
            "The duplicate rule of the registration form applies: when a likely earlier registration of this "
            "person exists the answer is 409 with the candidates you may see (or only out_of_scope_match), and "
            "nothing is created. Send the registration again with confirmed_new_person and the ids you were "
            "shown in seen_candidates if it is a different person. An identity document already registered "
            "for someone else in your organisation is refused with 409 and code duplicate_document."
        ),
        request=ReturneeCreateSerializer,
        responses={201: ReturneeSerializer, 409: PossibleDuplicateSerializer, 429: ErrorCodeSerializer},
    ),
    retrieve=versioning.read_schema(summary=_("Get a returnee")),
    update=versioning.write_schema(summary=_("Update a returnee"), responses=ReturneeSerializer),
    partial_update=versioning.write_schema(summary=_("Update some fields of a returnee"), responses=ReturneeSerializer),
)
class ReturneeViewSet(
    QueryParametersMixin,
    versioning.ETagMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Returnees are never deleted through the API (retention anonymises them): DELETE answers 405."""

    queryset = Returnee.objects.none()
    serializer_class = ReturneeSerializer
    permission_classes = [IsAuthenticated, CaseWorkPermission]
    needs_edit_capability = False

    def get_queryset(self) -> Any:
        return selectors.returnee_list(acting_user(self.request))

    def get_object(self) -> Returnee:
        writing = self.request.method not in SAFE_METHODS
        try:
            return case_permissions.access_returnee_by_id(
                acting_user(self.request), self.kwargs["pk"], for_write=writing
            )
        except Returnee.DoesNotExist:
            raise Http404 from None

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        returnee = self.get_object()
        record_access(acting_user(request), "view", returnee, channel="api")
        return Response(self.get_serializer(returnee).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ReturneeCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        try:
            returnee = services.register_returnee(
                acting_user(request),
                returnee_input(acting_user(request), serializer.validated_data),
                confirmation=serializer.confirmation(),
                channel="api",
            )
        except duplicates.PossibleDuplicate as exc:
            body = {"detail": str(exc), "code": "possible_duplicate", **DuplicateResultSerializer(exc.result).data}
            return Response(body, status=status.HTTP_409_CONFLICT)
        except duplicates.DuplicateCheckThrottled as exc:
            return throttled_response(exc)
        except ValidationError as exc:
            if not _duplicate_document(exc):
                raise
            return Response({**exc.message_dict, "code": "duplicate_document"}, status=status.HTTP_409_CONFLICT)
        return Response(self.get_serializer(returnee).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        returnee = self.get_object()
        serializer = self.get_serializer(returnee, data=request.data, partial=kwargs.pop("partial", False))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        expected = versioning.expected_version(request, returnee)
        returnee = services.update_returnee(
            acting_user(request),
            returnee,
            returnee_input(acting_user(request), data, returnee),
            documents="documents" in data,
            expected_version=expected,
        )
        return Response(self.get_serializer(returnee).data)

    @extend_schema(
        operation_id="returnees_duplicates",
        summary=_("Find earlier registrations of a person"),
        description=_(
            "Ranked likely duplicates in your organisation's register, to check before registering. The names "
            "and numbers go in the request body, never in the address. Candidates you may not see are not "
            "described: out_of_scope_match only says that a possible one exists. Limited to "
            "REINTEGRA_DUPLICATE_CHECKS_PER_MINUTE checks a minute per user (default 30; then 429 with code "
            "throttled). Each check is recorded in the access trail (without what was searched or found)."
        ),
        request=DuplicateQuerySerializer,
        responses={200: DuplicateResultSerializer, 429: ErrorCodeSerializer},
    )
    @action(detail=False, methods=["post"], pagination_class=None, needs_edit_capability=True)
    def duplicates(self, request: Request) -> Response:
        query = DuplicateQuerySerializer(data=request.data)
        query.is_valid(raise_exception=True)
        try:
            result = duplicates.check(acting_user(request), query.query(), channel="api")
        except duplicates.DuplicateCheckThrottled as exc:
            return throttled_response(exc)
        return Response(DuplicateResultSerializer(result).data)


_CASE_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)
_ASSESSMENT_ID = OpenApiParameter("assessment_id", OpenApiTypes.INT, OpenApiParameter.PATH)


class CaseViewSet(QueryParametersMixin, versioning.ETagMixin, viewsets.GenericViewSet):
    queryset = Case.objects.none()
    serializer_class = CaseDetailSerializer
    permission_classes = [IsAuthenticated, CaseWorkPermission]
    needs_edit_capability = False
    query_parameters = {"list": CaseFilterSerializer}
    paginate_on_ids = True  # a page of a million joined rows is cut on ids first (api.pagination)

    def get_object(self) -> Case:
        """The case (404 when hidden); for a write, 403 unless the user may change it."""
        writing = self.request.method not in SAFE_METHODS
        try:
            return case_permissions.access_case_by_id(acting_user(self.request), self.kwargs["pk"], for_write=writing)
        except Case.DoesNotExist:
            raise Http404 from None

    def _detail(self, case: Case, code: int = status.HTTP_200_OK) -> Response:
        return Response(CaseDetailSerializer(case, context=self.get_serializer_context()).data, status=code)

    # --- the case itself -------------------------------------------------------------------------

    @extend_schema(summary=_("List and search cases"), responses=CaseListSerializer(many=True))
    def list(self, request: Request) -> Response:
        filters = self.query_serializer
        assert isinstance(filters, CaseFilterSerializer)
        cases = selectors.search_cases(acting_user(request), filters.filters())
        page = self.paginate_queryset(cases)
        data = CaseListSerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)

    @extend_schema(summary=_("Open a case"), request=CaseCreateSerializer, responses={201: CaseDetailSerializer})
    def create(self, request: Request) -> Response:
        serializer = CaseCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case = services.open_case(
            acting_user(request), data["returnee"], return_input(data), case_manager=data.get("case_manager")
        )
        return self._detail(case, status.HTTP_201_CREATED)

    @versioning.read_schema(summary=_("Get a case with its timeline"), responses=CaseDetailSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        case = self.get_object()
        record_access(acting_user(request), "view", case, channel="api")
        return self._detail(case)

    @versioning.write_schema(
        summary=_("Update the return information"), request=ReturnInformationSerializer, responses=CaseDetailSerializer
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        case = self.get_object()
        serializer = ReturnInformationSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        expected = versioning.expected_version(request, case)
        services.update_return_information(
            acting_user(request), case, return_input(serializer.validated_data, case), expected_version=expected
        )
        return self._detail(case)

    @versioning.write_schema(
        optional=True,
        operation_id="cases_assign",
        summary=_("Assign a case manager"),
        request=AssignSerializer,
        responses=CaseDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str) -> Response:
        case = self.get_object()  # a shared case stays managed by its holder; the service checks ASSIGN_CASES
        serializer = AssignSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        expected = versioning.expected_version(request, case, required=False)
        services.assign_case(
            acting_user(request), case, serializer.validated_data["case_manager"], expected_version=expected
        )
        return self._detail(case)

    @extend_schema(
        operation_id="cases_close", summary=_("Close a case"), request=CloseSerializer, responses=CaseDetailSerializer
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        case = self.get_object()
        serializer = CloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.close_case(
            acting_user(request),
            case,
            reason=data["reason"],
            note=data.get("note", ""),
            closed_on=data.get("closed_on"),
            open_matters=data.get("open_matters"),
        )
        return self._detail(case)

    @extend_schema(
        operation_id="cases_open_matters",
        summary=_("What is still open on a case, to decide before closing it"),
        responses=OpenMatterSerializer(many=True),
    )
    @action(detail=True, methods=["get"], url_path="open-matters")
    def open_matters(self, request: Request, pk: str) -> Response:
        case = self.get_object()
        return Response([OpenMatterSerializer.present(m) for m in selectors.open_matters(case)])

    @extend_schema(
        operation_id="cases_reopen",
        summary=_("Reopen a closed case"),
        request=ReopenSerializer,
        responses=CaseDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str) -> Response:
        case = self.get_object()
        serializer = ReopenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.reopen_case(acting_user(request), case, reason=serializer.validated_data["reason"])
        return self._detail(case)

    # --- household -------------------------------------------------------------------------------

    @versioning.read_schema(
        methods=["GET"],
        operation_id="cases_household_retrieve",
        summary=_("Get the household"),
        responses=HouseholdSerializer,
    )
    @versioning.write_schema(
        create=True,
        methods=["PUT"],
        operation_id="cases_household_update",
        summary=_("Replace the household composition"),
        request=HouseholdSerializer,
        responses=HouseholdSerializer,
    )
    @action(detail=True, methods=["get", "put"])
    def household(self, request: Request, pk: str) -> Response:
        case = self.get_object()
        if request.method == "PUT":
            serializer = HouseholdSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            expected = versioning.expected_version(request, case.household)
            household = services.set_household(
                acting_user(request),
                case,
                serializer.to_member_inputs(),
                notes=serializer.validated_data.get("notes", ""),
                expected_version=expected,
            )
            case.household = household
        return Response(HouseholdSerializer(household_data(case)).data)

    # --- assessments and counselling -------------------------------------------------------------

    @extend_schema(
        methods=["GET"],
        operation_id="cases_assessments_list",
        summary=_("List the assessments of a case"),
        responses=AssessmentSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        operation_id="cases_assessments_create",
        summary=_("Record an assessment"),
        request=AssessmentSerializer,
        responses={201: AssessmentSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def assessments(self, request: Request, pk: str) -> Response:
        case = self.get_object()
        return self._list_or_record(
            request,
            case,
            AssessmentSerializer,
            record=services.record_assessment,
            listing=selectors.assessments_of(case),
            purpose="assessments",
        )

    @versioning.read_schema(
        methods=["GET"],
        operation_id="cases_assessment_retrieve",
        summary=_("Get an assessment"),
        parameters=[_ASSESSMENT_ID],
        responses=AssessmentSerializer,
    )
    @versioning.write_schema(
        methods=["PATCH"],
        operation_id="cases_assessment_partial_update",
        summary=_("Correct an assessment"),
        parameters=[_ASSESSMENT_ID],
        request=AssessmentSerializer,
        responses=AssessmentSerializer,
    )
    @action(detail=True, methods=["get", "patch"], url_path=r"assessments/(?P<assessment_id>[^/.]+)")
    def assessment(self, request: Request, pk: str, assessment_id: str) -> Response:
        case = self.get_object()
        try:
            assessment = selectors.get_assessment(case, _int_or_404(assessment_id))
        except Assessment.DoesNotExist:
            raise Http404 from None
        context = self.get_serializer_context()
        if request.method == "PATCH":
            serializer = AssessmentSerializer(assessment, data=request.data, partial=True, context=context)
            serializer.is_valid(raise_exception=True)
            expected = versioning.expected_version(request, assessment)
            assessment = services.update_assessment(
                acting_user(request), assessment, serializer.validated_data, expected_version=expected
            )
        else:
            record_access(acting_user(request), "view", assessment, channel="api")
        return Response(AssessmentSerializer(assessment, context=context).data)

    @extend_schema(
        methods=["GET"],
        operation_id="cases_counselling_sessions_list",
        summary=_("List the counselling sessions of a case"),
        responses=CounsellingSessionSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        operation_id="cases_counselling_sessions_create",
        summary=_("Record a counselling session"),
        request=CounsellingSessionSerializer,
        responses={201: CounsellingSessionSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="counselling-sessions")
    def counselling_sessions(self, request: Request, pk: str) -> Response:
        case = self.get_object()
        return self._list_or_record(
            request,
            case,
            CounsellingSessionSerializer,
            record=services.record_counselling_session,
            listing=selectors.counselling_sessions_of(case),
            purpose="counselling sessions",
        )

    def _list_or_record(
        self,
        request: Request,
        case: Case,
        serializer_class: type[serializers.ModelSerializer],
        *,
        record: Callable[[Any, Case, dict[str, Any]], Any],
        listing: QuerySet,
        purpose: str,
    ) -> Response:
        """A case's records of one kind: POST records one through its service, GET lists them (audited)."""
        context = self.get_serializer_context()
        if request.method == "POST":
            serializer = serializer_class(data=request.data, context=context)
            serializer.is_valid(raise_exception=True)
            created = record(acting_user(request), case, serializer.validated_data)
            return Response(serializer_class(created, context=context).data, status=status.HTTP_201_CREATED)
        record_access(acting_user(request), "view", case, purpose=purpose, channel="api")
        return Response(serializer_class(listing, many=True, context=context).data)

    # --- reintegration plan ----------------------------------------------------------------------

    def _plan_response(self, case: Case, code: int = status.HTTP_200_OK) -> Response:
        plan = selectors.plan_for(case)
        if plan is None:
            raise Http404
        context = {**self.get_serializer_context(), "case": case}
        return Response(PlanSerializer(plan, context=context).data, status=code)

    @versioning.read_schema(
        methods=["GET"],
        operation_id="cases_plan_retrieve",
        summary=_("Get the reintegration plan"),
        responses=PlanSerializer,
    )
    @versioning.write_schema(
        create=True,
        methods=["PUT"],
        operation_id="cases_plan_update",
        summary=_("Create or revise the reintegration plan"),
        request=PlanWriteSerializer,
        responses={200: PlanSerializer, 201: PlanSerializer},
    )
    @versioning.write_schema(
        create=True,
        methods=["POST"],
        operation_id="cases_plan_create",
        summary=_("Create or revise the reintegration plan"),
        request=PlanWriteSerializer,
        responses={200: PlanSerializer, 201: PlanSerializer},
    )
    @action(detail=True, methods=["get", "put", "post"])
    def plan(self, request: Request, pk: str) -> Response:
        case = self.get_object()
        if request.method == "GET":
            return self._plan_response(case)
        serializer = PlanWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        existing = selectors.plan_for(case)
        expected = versioning.expected_version(request, existing)
        data = serializer.validated_data
        services.save_plan(
            acting_user(request),
            case,
            goals=data.get("goals", existing.goals if existing else ""),
            motivations=data.get("motivations", existing.motivations if existing else ""),
            items=serializer.to_item_inputs(),
            expected_version=expected,
        )
        return self._plan_response(case, status.HTTP_200_OK if existing else status.HTTP_201_CREATED)

    @versioning.write_schema(
        optional=True,
        operation_id="cases_plan_agree",
        summary=_("Record that the plan was agreed with the returnee"),
        description=_(
            "400 with a code when a rule of the step refuses it: late_reason (field), or for a child's case "
            "bia_required (no best-interests assessment approved by a supervisor), bid_required (an "
            "unaccompanied child without a best-interests determination), participation_required (the "
            "child's participation in the plan not recorded)."
        ),
        request=PlanAgreeSerializer,
        responses=PlanSerializer,
    )
    @action(detail=True, methods=["post"], url_path="plan/agree")
    def agree_plan(self, request: Request, pk: str) -> Response:
        case = self.get_object()
        serializer = PlanAgreeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        expected = versioning.expected_version(request, selectors.plan_for(case), required=False)
        services.agree_plan(
            acting_user(request),
            case,
            agreed_on=data["agreed_on"],
            late_reason=data.get("late_reason", ""),
            expected_version=expected,
        )
        return self._plan_response(case)

    # --- follow-up -------------------------------------------------------------------------------

    @extend_schema(
        methods=["GET"],
        operation_id="cases_follow_ups_list",
        summary=_("List the follow-up visits of a case"),
        responses=FollowUpVisitSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        operation_id="cases_follow_ups_create",
        summary=_("Record a follow-up visit"),
        request=FollowUpVisitSerializer,
        responses={201: FollowUpVisitSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="follow-ups")
    def follow_ups(self, request: Request, pk: str) -> Response:
        case = self.get_object()
        context = self.get_serializer_context()
        if request.method == "POST":
            serializer = FollowUpVisitSerializer(data=request.data, context=context)
            serializer.is_valid(raise_exception=True)
            values = {k: v for k, v in serializer.validated_data.items() if k != "progress"}
            visit = services.record_follow_up(acting_user(request), case, values, serializer.to_progress_inputs())
            visit = selectors.get_follow_up(case, visit.pk)
            return Response(FollowUpVisitSerializer(visit, context=context).data, status=status.HTTP_201_CREATED)
        visits = selectors.follow_ups_of(case)
        return Response(FollowUpVisitSerializer(visits, many=True, context=context).data)


class CaseFileView(ProtectedView):
    """`GET /api/v1/cases/{id}/file.pdf`: the printable case file, as the web page's button gives it."""

    read_capabilities = (Capability.VIEW_ASSIGNED_CASES,)  # as CaseWorkPermission reads; the case: 404 if hidden
    write_capabilities = None  # no write handler: any other method answers 405, not a misleading 403
    content_negotiation_class = FileDownloadNegotiation  # `Accept: application/pdf` gets the file, not 406

    @extend_schema(
        operation_id="cases_file_pdf",
        tags=["cases"],
        summary=_("Case file (PDF)"),
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description=_("What the caller may see of the case, as a PDF.")
            )
        },
    )
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        user = acting_user(request)
        try:
            case = case_permissions.access_case_by_id(user, pk)
        except Case.DoesNotExist:
            raise Http404 from None
        return case_file.response(user, case, channel="api")

"""`/api/v1/occupations/`, `jobseekers/` (and `{id}/`, `{id}/matches/`), `cases/{id}/jobseeker/` (the profile,
PUT with If-Match), `vacancies/` (and `{id}/`, `{id}/matches/`), `placements/` (and `{id}/step/`,
`{id}/retention/`), `employment/skills-gaps/`.

A hidden record answers 404, a role without the capability 403 before any lookup; candidates are only the
jobseekers of the cases the user sees whose person consents to labour intermediation."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from reintegra.access.roles import Capability
from reintegra.api import versioning
from reintegra.api.permissions import ProtectedView, acting_user
from reintegra.cases.models import Case
from reintegra.employment import permissions, selectors, services
from reintegra.employment.models import JobseekerProfile, Occupation, Placement, Vacancy
from reintegra.employment.serializers import (
    CandidateSerializer,
    JobseekerSerializer,
    OccupationFilters,
    OccupationSerializer,
    PlacementReferSerializer,
    PlacementSerializer,
    PlacementStepSerializer,
    RetentionSerializer,
    SkillsGapFilters,
    SkillsGapsSerializer,
    VacancyMatchSerializer,
    VacancySerializer,
    explanation,
)
from reintegra.referrals import selectors as referral_selectors

TAGS = ["employment"]
CASE_READ = permissions.CASE_READ
VACANCY_READ = permissions.VACANCY_READ


class OccupationsView(ProtectedView):
    """ISCO-08 groups (es/en/fr), searched without regard to accents or case."""

    queryset = Occupation.objects.none()
    serializer_class = OccupationSerializer
    read_capabilities = None
    query_parameters = {"get": OccupationFilters}

    @extend_schema(
        summary="ISCO-08 occupations (at most 50), e.g. ?search=albañil",
        tags=TAGS,
        responses=OccupationSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        rows = selectors.search_occupations(self.query.get("search", ""), level=self.query.get("level"))[:50]
        return Response(OccupationSerializer(rows, many=True).data)


def _profile(request: Request, pk: Any) -> JobseekerProfile:
    try:
        return permissions.access_profile_by_id(acting_user(request), pk)
    except JobseekerProfile.DoesNotExist:
        raise Http404 from None


def _vacancy(request: Request, pk: Any, *, for_write: bool = False) -> Vacancy:
    try:
        return permissions.access_vacancy_by_id(acting_user(request), pk, for_write=for_write)
    except Vacancy.DoesNotExist:
        raise Http404 from None


class JobseekersView(ProtectedView):
    """The jobseeker profiles of the cases the user sees."""

    queryset = JobseekerProfile.objects.none()
    serializer_class = JobseekerSerializer
    read_capabilities = CASE_READ

    @extend_schema(
        summary="Jobseeker profiles of the cases you see (at most 500)",
        tags=TAGS,
        responses=JobseekerSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        rows = selectors.profiles_page(acting_user(request))
        return Response([JobseekerSerializer.present(p) for p in rows])


class JobseekerView(ProtectedView):
    queryset = JobseekerProfile.objects.none()
    serializer_class = JobseekerSerializer
    read_capabilities = CASE_READ

    @extend_schema(summary="One jobseeker profile", tags=TAGS, responses=JobseekerSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(JobseekerSerializer.present(_profile(request, pk)))


class JobseekerMatchesView(ProtectedView):
    """The open vacancies the user sees for a jobseeker, best first, every factor shown."""

    queryset = JobseekerProfile.objects.none()
    serializer_class = VacancyMatchSerializer
    read_capabilities = CASE_READ

    @extend_schema(
        summary="Vacancies for a jobseeker, ranked, with the factors of each score",
        tags=TAGS,
        responses=VacancyMatchSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        profile = _profile(request, pk)
        rows = selectors.matches_for_profile(acting_user(request), profile)
        return Response(
            [
                {
                    "vacancy": r.vacancy.pk,
                    "title": r.vacancy.title,
                    "score": r.match.score,
                    "factors": r.match.factors,
                    "explanation": explanation(r.match),
                }
                for r in rows
            ]
        )


class CaseJobseekerView(ProtectedView):
    """The jobseeker profile of a case: read (version 0 while none), create or revise (needs the person's
    consent for the purpose "employment": 400 no_consent otherwise)."""

    queryset = JobseekerProfile.objects.none()
    serializer_class = JobseekerSerializer
    read_capabilities = CASE_READ
    write_capabilities = (Capability.EDIT_CASES,)

    def _case(self, request: Request, pk: int, *, for_write: bool = False) -> Case:
        try:
            return permissions.access_case_by_id(acting_user(request), pk, for_write=for_write)
        except Case.DoesNotExist:
            raise Http404 from None

    def _answer(self, case: Case) -> Response:
        profile = selectors.profile_of(case)
        if profile is None:
            data: dict[str, Any] = {"id": None, "case": case.pk, "version": 0}
            response = Response(data)
            response["ETag"] = versioning.etag(0)
            return response
        response = Response(JobseekerSerializer.present(profile))
        response["ETag"] = versioning.etag(profile.revision)
        return response

    @versioning.read_schema(summary="The case's jobseeker profile (version 0 when none yet)", tags=TAGS)
    def get(self, request: Request, pk: int) -> Response:
        return self._answer(self._case(request, pk))

    @versioning.write_schema(
        create=True,
        summary="Record or revise the case's jobseeker profile (400 no_consent without the consent)",
        request=JobseekerSerializer,
        responses=JobseekerSerializer,
        tags=TAGS,
    )
    def put(self, request: Request, pk: int) -> Response:
        case = self._case(request, pk, for_write=True)
        incoming = JobseekerSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        expected = versioning.expected_version(request, selectors.profile_of(case))
        services.save_profile(acting_user(request), case, incoming.to_input(), expected_version=expected)
        return self._answer(case)


class VacanciesView(ProtectedView):
    queryset = Vacancy.objects.none()
    serializer_class = VacancySerializer
    read_capabilities = VACANCY_READ
    write_capabilities = (Capability.EDIT_STRUCTURAL,)

    @extend_schema(
        summary="Vacancies of the programmes you see (at most 500)", tags=TAGS, responses=VacancySerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        rows = selectors.vacancies_page(acting_user(request))
        return Response([VacancySerializer.present(v) for v in rows])

    @extend_schema(
        summary="Create a vacancy of an employer (a private-sector stakeholder of the programme)",
        request=VacancySerializer,
        responses={201: VacancySerializer},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        incoming = VacancySerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        vacancy = services.save_vacancy(acting_user(request), incoming.to_input())
        return Response(VacancySerializer.present(vacancy), status=status.HTTP_201_CREATED)


class VacancyView(ProtectedView):
    queryset = Vacancy.objects.none()
    serializer_class = VacancySerializer
    read_capabilities = VACANCY_READ
    write_capabilities = (Capability.EDIT_STRUCTURAL,)

    def _answer(self, vacancy: Vacancy) -> Response:
        response = Response(VacancySerializer.present(vacancy))
        response["ETag"] = versioning.etag(vacancy.revision)
        return response

    @versioning.read_schema(summary="One vacancy", tags=TAGS, responses=VacancySerializer)
    def get(self, request: Request, pk: int) -> Response:
        return self._answer(_vacancy(request, pk))

    @versioning.write_schema(
        summary="Revise a vacancy (its programme stays)",
        request=VacancySerializer,
        responses=VacancySerializer,
        tags=TAGS,
    )
    def put(self, request: Request, pk: int) -> Response:
        vacancy = _vacancy(request, pk, for_write=True)
        incoming = VacancySerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        expected = versioning.expected_version(request, vacancy)
        vacancy = services.save_vacancy(acting_user(request), incoming.to_input(), vacancy, expected_version=expected)
        return self._answer(vacancy)


class VacancyMatchesView(ProtectedView):
    """The candidates of a vacancy the user may see, best first, every factor shown."""

    queryset = Vacancy.objects.none()
    serializer_class = CandidateSerializer
    read_capabilities = CASE_READ

    @extend_schema(
        summary="Candidates for a vacancy, ranked, with the factors of each score",
        tags=TAGS,
        responses=CandidateSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        vacancy = _vacancy(request, pk)
        rows = selectors.matches_for_vacancy(acting_user(request), vacancy)
        return Response(
            [
                {
                    "jobseeker": r.profile.pk,
                    "case": r.profile.case_id,
                    "score": r.match.score,
                    "factors": r.match.factors,
                    "explanation": explanation(r.match),
                }
                for r in rows
            ]
        )


def _placement(request: Request, pk: Any) -> Placement:
    try:
        return selectors.get_placement(acting_user(request), pk)
    except Placement.DoesNotExist:
        raise Http404 from None


class PlacementsView(ProtectedView):
    queryset = Placement.objects.none()
    serializer_class = PlacementSerializer
    read_capabilities = CASE_READ
    write_capabilities = (Capability.EDIT_CASES,)

    @extend_schema(
        summary="Placements of the cases you see (at most 500)", tags=TAGS, responses=PlacementSerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        rows = selectors.placements_page(acting_user(request))
        return Response([PlacementSerializer.present(p) for p in rows])

    @extend_schema(
        summary="Shortlist a jobseeker for a vacancy",
        request=PlacementSerializer,
        responses={201: PlacementSerializer},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        incoming = PlacementSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        profile = _profile(request, incoming.validated_data["jobseeker"])
        vacancy = _vacancy(request, incoming.validated_data["vacancy"])
        placement = services.shortlist(acting_user(request), vacancy, profile)
        return Response(PlacementSerializer.present(placement), status=status.HTTP_201_CREATED)


class PlacementStepView(ProtectedView):
    queryset = Placement.objects.none()
    serializer_class = PlacementStepSerializer
    read_capabilities = ()
    write_capabilities = (Capability.EDIT_CASES,)

    @extend_schema(
        summary="Move a placement on: interview, hired, not hired (with its reason)",
        request=PlacementStepSerializer,
        responses=PlacementSerializer,
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        placement = _placement(request, pk)
        incoming = PlacementStepSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        v = incoming.validated_data
        placement = services.advance_placement(
            acting_user(request), placement, step=v["step"], on=v["on"], reason=v["reason"]
        )
        return Response(PlacementSerializer.present(placement))


class PlacementReferView(ProtectedView):
    """The hand-off of a shortlisted candidate to the employer: a referral of the referral network."""

    queryset = Placement.objects.none()
    serializer_class = PlacementReferSerializer
    read_capabilities = ()
    write_capabilities = (Capability.EDIT_CASES,)

    @extend_schema(
        summary="Refer a shortlisted candidate to an employment or intermediation service (a referral, sent)",
        description=(
            "Made and sent at once under the organisation's job-placement SOP with the service's provider (an SOP "
            "transferring the jobseeker's CV and nothing beyond a CV: 400 `not_cv_only`), with the person's "
            "consent naming the recipient (403 `consent_required`). The provider answers on the referral; the "
            "placement's interview step waits for its acceptance (`referral_not_accepted`)."
        ),
        request=PlacementReferSerializer,
        responses={201: PlacementSerializer},
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        placement = _placement(request, pk)
        incoming = PlacementReferSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        v = incoming.validated_data
        service = referral_selectors.service_or_none(v["service"]) if v["service"] is not None else None
        placement = services.refer_candidate(
            acting_user(request), placement, service=service, note=v["note"], channel="api"
        )
        return Response(PlacementSerializer.present(placement), status=status.HTTP_201_CREATED)


class PlacementRetentionView(ProtectedView):
    queryset = Placement.objects.none()
    serializer_class = RetentionSerializer
    read_capabilities = ()
    write_capabilities = (Capability.EDIT_CASES,)

    @extend_schema(
        summary="Record a retention check (3, 6 or 12 months after the hire)",
        request=RetentionSerializer,
        responses=PlacementSerializer,
        tags=TAGS,
    )
    def post(self, request: Request, pk: int) -> Response:
        placement = _placement(request, pk)
        incoming = RetentionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        v = incoming.validated_data
        check = selectors.retention_check(placement, int(v["months"]))
        if check is None:
            raise Http404
        services.record_retention(acting_user(request), check, outcome=v["outcome"], checked_on=v["checked_on"])
        return Response(PlacementSerializer.present(placement))


class SkillsGapsView(ProtectedView):
    """The skills open vacancies ask for and how many jobseekers have each (people counted: k-suppressed)."""

    queryset = Vacancy.objects.none()
    serializer_class = SkillsGapsSerializer
    read_capabilities = (Capability.VIEW_AGGREGATES,)
    query_parameters = {"get": SkillsGapFilters}

    @extend_schema(
        summary="Skills gaps of open vacancies, optionally in one department/state (?admin1=)",
        tags=TAGS,
        responses=SkillsGapsSerializer,
    )
    def get(self, request: Request) -> Response:
        user = acting_user(request)
        k = selectors.suppression_threshold(user)
        gaps, total = selectors.skills_gaps(user, admin1_id=self.query.get("admin1"), k=k)
        return Response(
            {
                "k": k,
                "jobseekers": total,
                "gaps": [{"skill": g.skill, "vacancies": g.vacancies, "jobseekers": g.jobseekers} for g in gaps[:100]],
            }
        )

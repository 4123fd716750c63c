"""`/api/v1/` resources of the referral network. Role checks before any lookup; reads through selectors."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from reintegra.access import audit, permissions
from reintegra.access.models import User
from reintegra.access.roles import Capability
from reintegra.api import versioning
from reintegra.api.fields import CountryCodeField, IdField, parse_id
from reintegra.api.pagination import StandardPagination
from reintegra.api.permissions import CapabilityPermission, ProtectedView, acting_user
from reintegra.api.query import QueryParametersMixin
from reintegra.cases import selectors as case_selectors
from reintegra.cases.models import Case
from reintegra.places import selectors as place_selectors
from reintegra.places.models import AdminArea
from reintegra.referrals import lifecycle, links, selectors, services
from reintegra.referrals import permissions as referral_permissions
from reintegra.referrals import serializers as s
from reintegra.referrals.choices import Dimension, ReferralPriority, ReferralStatus, ServiceSector
from reintegra.referrals.models import ProviderLink, Referral, ReferralPathway, Service, ServiceProvider

C = Capability
PROXIMITY = ["municipality", "admin1", "country", "abroad"]


def _user(request: Request) -> User:
    """The signed-in user (the permission classes let no anonymous request through)."""
    user = acting_user(request)
    if not isinstance(user, User):
        raise NotAuthenticated
    return user


# --- query parameters (reintegra.api.query) -----------------------------------------------------


class ProviderFilters(serializers.Serializer):
    country = CountryCodeField(required=False, allow_blank=True)


class ServiceFilters(serializers.Serializer):
    dimension = serializers.ChoiceField(choices=Dimension.choices, required=False, allow_blank=True)
    sector = serializers.ChoiceField(choices=ServiceSector.choices, required=False, allow_blank=True)
    area = IdField(required=False, help_text="Administrative area id: services that cover it")
    country = CountryCodeField(required=False, allow_blank=True)
    age = serializers.IntegerField(
        required=False, min_value=0, max_value=130, help_text="Services whose age range includes this age"
    )
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Name of the service or provider"
    )


class ReferralFilters(serializers.Serializer):
    status = serializers.ChoiceField(choices=ReferralStatus.choices, required=False, allow_blank=True)
    priority = serializers.ChoiceField(choices=ReferralPriority.choices, required=False, allow_blank=True)
    case = IdField(required=False)
    overdue = serializers.BooleanField(required=False, help_text="Only referrals past their deadline.")


class RecommendationFilters(serializers.Serializer):
    dimension = serializers.ChoiceField(choices=Dimension.choices, required=False, allow_blank=True)
    sector = serializers.ChoiceField(choices=ServiceSector.choices, required=False, allow_blank=True)
    plan_item = IdField(
        required=False,
        help_text="A plan item of the case: services of the sector its approach names come first, and the "
        "dimension defaults to the item's",
    )
    include_unavailable = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Also services that cannot be chosen now (no SOP, abroad, at capacity), with their flags",
    )


class GapFilters(serializers.Serializer):
    area = IdField(required=False, help_text="A state/department id: rows by municipality")
    country = CountryCodeField(
        required=False, allow_blank=True, help_text="Rows by state/department (default: your country)"
    )


def _write_schema(request: Any, response: Any, created: bool) -> Any:
    code = 201 if created else 200
    schema = extend_schema if created else versioning.write_schema
    return schema(
        tags=["service directory"],
        request=request,
        responses={code: response, 400: OpenApiResponse(description="Field errors")},
    )


@extend_schema_view(
    list=extend_schema(tags=["service directory"]),
    retrieve=versioning.read_schema(tags=["service directory"]),
    create=_write_schema(s.ServiceProviderWriteSerializer, s.ServiceProviderSerializer, True),
    partial_update=_write_schema(s.ServiceProviderWriteSerializer, s.ServiceProviderSerializer, False),
)
class ServiceProviderViewSet(
    QueryParametersMixin,
    versioning.ETagMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Providers of the service directory (no personal data). POST creates one, maintained by your
    organisation; PATCH changes one your organisation maintains (`contacts`, when given, replaces its
    contact persons; a new `organisation` is a link request that organisation must accept)."""

    permission_classes = [IsAuthenticated, CapabilityPermission]
    read_capabilities = (C.VIEW_SERVICE_DIRECTORY,)
    write_capabilities = (C.MANAGE_SERVICE_DIRECTORY,)
    serializer_class = s.ServiceProviderSerializer
    pagination_class = StandardPagination
    query_parameters = {"list": ProviderFilters}

    def get_queryset(self) -> QuerySet[ServiceProvider]:
        return selectors.directory_providers(self.query.get("country") or "")

    def _save(self, request: Request, provider: ServiceProvider | None) -> ServiceProvider:
        data = s.ServiceProviderWriteSerializer(data=request.data, partial=provider is not None)
        data.is_valid(raise_exception=True)
        base = services.ProviderInput.of(provider) if provider is not None else None
        expected = versioning.expected_version(request, provider) if provider is not None else None
        return services.save_provider(_user(request), data.to_input(base), provider=provider, expected_version=expected)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        provider = self._save(request, None)
        provider = selectors.get_provider(provider.pk)
        return Response(s.ServiceProviderSerializer(provider).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:  # 403 before anything about the body
            provider = referral_permissions.access_provider_by_id(_user(request), kwargs.get("pk"), for_write=True)
        except ServiceProvider.DoesNotExist:
            raise Http404 from None
        provider = self._save(request, provider)
        provider = selectors.get_provider(provider.pk)
        return Response(s.ServiceProviderSerializer(provider).data)


def _areas(ids: list[int] | None) -> list[AdminArea] | None:
    """The areas a service write names (None: not sent); unknown ids are a field error."""
    if ids is None:
        return None
    ids = list(dict.fromkeys(ids))
    found = place_selectors.areas_by_id(ids)
    missing = sorted(set(ids) - set(found))
    if missing:
        raise serializers.ValidationError(
            {"areas": [_("Unknown area id(s): %(ids)s") % {"ids": ", ".join(map(str, missing))}]}
        )
    return [found[pk] for pk in ids]


@extend_schema_view(
    list=extend_schema(tags=["service directory"]),
    retrieve=versioning.read_schema(tags=["service directory"]),
    create=_write_schema(s.ServiceWriteSerializer, s.ServiceSerializer, True),
    partial_update=_write_schema(s.ServiceWriteSerializer, s.ServiceSerializer, False),
)
class ServiceViewSet(
    QueryParametersMixin,
    versioning.ETagMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Services of the directory. POST creates one for a provider; PATCH changes one."""

    permission_classes = [IsAuthenticated, CapabilityPermission]
    read_capabilities = (C.VIEW_SERVICE_DIRECTORY,)
    write_capabilities = (C.MANAGE_SERVICE_DIRECTORY,)
    serializer_class = s.ServiceSerializer
    pagination_class = StandardPagination
    query_parameters = {"list": ServiceFilters}

    def get_queryset(self) -> QuerySet[Service]:
        q = self.query
        filters = selectors.DirectoryFilters(
            q=q.get("q", ""),
            dimension=q.get("dimension", ""),
            sector=q.get("sector", ""),
            country=q.get("country", ""),
            area=q.get("area"),
            age=q.get("age"),
            active_only=self.action == "list",
        )
        return selectors.directory_services(filters)

    def _save(self, request: Request, service: Service | None) -> Service:
        data = s.ServiceWriteSerializer(data=request.data, partial=service is not None)
        data.is_valid(raise_exception=True)
        base = services.ServiceInput.of(service) if service is not None else None
        expected = versioning.expected_version(request, service) if service is not None else None
        changes = data.to_input(base, areas=_areas(data.validated_data.get("areas")))
        return services.save_service(_user(request), changes, service=service, expected_version=expected)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        service = self._save(request, None)
        return Response(s.ServiceSerializer(service).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:  # 403 before anything about the body
            service = referral_permissions.access_service_by_id(_user(request), kwargs.get("pk"), for_write=True)
        except Service.DoesNotExist:
            raise Http404 from None
        return Response(s.ServiceSerializer(self._save(request, service)).data)


@extend_schema_view(
    list=extend_schema(tags=["referral pathways"]),
    retrieve=extend_schema(tags=["referral pathways"]),
    create=extend_schema(
        tags=["referral pathways"], request=s.PathwayWriteSerializer, responses={201: s.ReferralPathwaySerializer}
    ),
)
class ReferralPathwayViewSet(
    QueryParametersMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Referral SOPs of the user's organisation (as referrer) or addressed to it (as provider). POST records
    a new SOP, or a new version of `previous`."""

    permission_classes = [IsAuthenticated, CapabilityPermission]
    read_capabilities = (C.VIEW_SERVICE_DIRECTORY,)
    write_capabilities = (C.MANAGE_SERVICE_DIRECTORY, C.MANAGE_PROGRAMME)
    queryset = ReferralPathway.objects.none()  # the model for the schema; rows come from get_queryset
    serializer_class = s.ReferralPathwaySerializer
    pagination_class = StandardPagination

    def get_queryset(self) -> QuerySet[ReferralPathway]:
        return selectors.pathway_list(acting_user(self.request))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = s.PathwayWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        previous = None
        if v.get("previous"):
            try:
                previous = referral_permissions.access_pathway_by_id(
                    acting_user(request), v["previous"], for_write=True
                )
            except ReferralPathway.DoesNotExist:
                raise Http404 from None
        pathway = services.save_pathway(acting_user(request), data.to_input(), previous=previous)
        return Response(s.ReferralPathwaySerializer(pathway).data, status=status.HTTP_201_CREATED)


def _link_answer_schema(summary: str) -> Any:
    return extend_schema(
        tags=["service directory"],
        summary=summary,
        request=None,
        responses={200: s.ProviderLinkSerializer, 400: OpenApiResponse(description="Already answered")},
    )


@extend_schema_view(
    list=extend_schema(
        tags=["service directory"],
        description="Requests to link a directory entry to your organisation, and those made for your entries.",
    ),
    retrieve=extend_schema(tags=["service directory"]),
)
class ProviderLinkViewSet(
    QueryParametersMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """A directory entry is linked to an organisation on the platform only when a programme manager of that
    organisation accepts the owner's request (`accept`); `refuse` declines it."""

    permission_classes = [IsAuthenticated, CapabilityPermission]
    read_capabilities = (C.VIEW_SERVICE_DIRECTORY,)
    write_capabilities = (C.MANAGE_PROGRAMME,)
    queryset = ProviderLink.objects.none()  # the model for the schema; rows come from get_queryset
    serializer_class = s.ProviderLinkSerializer
    pagination_class = StandardPagination

    def get_queryset(self) -> QuerySet[ProviderLink]:
        return links.requests_for(acting_user(self.request))

    def _answer(self, request: Request, pk: Any, accept: bool) -> Response:
        user = _user(request)
        try:
            link = links.request_to_answer(user, parse_id(pk) or 0)
        except ProviderLink.DoesNotExist:
            raise Http404 from None
        return Response(s.ProviderLinkSerializer(links.answer_link(user, link, accept=accept)).data)

    @_link_answer_schema("Accept: the entry is linked to your organisation")
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: Any = None) -> Response:
        return self._answer(request, pk, True)

    @_link_answer_schema("Refuse the link")
    @action(detail=True, methods=["post"])
    def refuse(self, request: Request, pk: Any = None) -> Response:
        return self._answer(request, pk, False)


def _referral_view(many: bool = False) -> PolymorphicProxySerializer:
    """A referral as its side sees it: the referrer's view (with the case), or the provider's (the SOP's data)."""
    return PolymorphicProxySerializer(
        component_name="ReferralAsSeen",
        serializers=[s.ReferralSerializer, s.ProviderReferralSerializer],
        resource_type_field_name=None,
        many=many,
    )


def _action_schema(request: Any) -> Any:
    return extend_schema(
        tags=["referrals"],
        request=request,
        responses={200: _referral_view(), 400: OpenApiResponse(description="Not possible now")},
    )


@extend_schema_view(
    list=extend_schema(
        tags=["referrals"],
        description="The referrals the user sees: of their cases, or, for a provider, those addressed to it.",
        responses=_referral_view(many=True),
    ),
    retrieve=extend_schema(
        tags=["referrals"],
        description="For a provider user, only the SOP's fields of the returnee (`returnee`).",
        responses=_referral_view(),
    ),
    create=extend_schema(tags=["referrals"], request=s.ReferralCreateSerializer, responses={201: s.ReferralSerializer}),
)
class ReferralViewSet(
    QueryParametersMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsAuthenticated, CapabilityPermission]
    read_capabilities = (C.VIEW_ASSIGNED_CASES, C.RECEIVE_REFERRALS)
    write_capabilities = (C.EDIT_CASES, C.RECEIVE_REFERRALS)
    pagination_class = StandardPagination
    queryset = Referral.objects.none()  # the model for the schema; rows come from get_queryset
    serializer_class = s.ReferralSerializer
    query_parameters = {"list": ReferralFilters}

    def get_queryset(self) -> QuerySet[Referral]:
        q = self.query
        filters = selectors.ReferralFilters(
            status=q.get("status", ""),
            priority=q.get("priority", ""),
            case=q.get("case"),
            overdue=bool(q.get("overdue")),
        )
        return selectors.search_referrals(acting_user(self.request), filters)

    def _render(self, referral: Referral, side: str) -> dict[str, Any]:
        if side == lifecycle.PROVIDER:
            return dict(s.ProviderReferralSerializer(referral).data)
        return dict(s.ReferralSerializer(referral).data)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None
        staff_ids = selectors.staff_referral_ids(acting_user(request), [r.pk for r in page])
        rows = [self._render(r, lifecycle.REFERRER if r.pk in staff_ids else lifecycle.PROVIDER) for r in page]
        if any(r.pk not in staff_ids for r in page):
            audit.record_access(
                acting_user(request), "view", object_type="referrals.referral", purpose="provider list", channel="api"
            )
        return self.get_paginated_response(rows)

    def _get(self, request: Request, pk: Any) -> tuple[Referral, str]:
        try:
            return selectors.get_referral(acting_user(request), pk)
        except (Referral.DoesNotExist, ValueError):
            raise Http404 from None

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        referral, side = self._get(request, kwargs["pk"])
        audit.record_access(acting_user(request), "view", referral, purpose=f"referral ({side})", channel="api")
        return Response(self._render(referral, side))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        permissions.require(_user(request), C.EDIT_CASES)
        data = s.ReferralCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        try:
            case = case_selectors.get_case(acting_user(request), v["case"])
        except Case.DoesNotExist:
            raise serializers.ValidationError({"case": [_("No such case.")]}, code="invalid_choice") from None
        service = selectors.service_or_none(v["service"])
        if service is None:
            raise serializers.ValidationError({"service": ["No such service."]}, code="invalid_choice")
        plan_item = None
        if v.get("plan_item"):
            plan_item = selectors.referable_plan_item(case, v["plan_item"])
            if plan_item is None:
                # The web form offers this case's items only: another's is not one of its choices either.
                raise serializers.ValidationError(
                    {"plan_item": ["No such plan item in this case."]}, code="invalid_choice"
                )
        referral = services.create_referral(
            acting_user(request),
            case,
            service,
            reason=v["reason"],
            priority=v["priority"],
            level=v["level"],
            plan_item=plan_item,
        )
        return Response(s.ReferralSerializer(referral).data, status=status.HTTP_201_CREATED)

    def _step(self, request: Request, pk: Any, serializer: type[serializers.Serializer], run: Any) -> Response:
        referral, side = self._get(request, pk)  # hidden: 404 before anything about the body
        data = serializer(data=request.data)
        data.is_valid(raise_exception=True)
        # A refused consent (403 consent_required), a step the status does not allow (400 with its code):
        # answered by reintegra.api.exceptions.
        updated = run(referral, data.validated_data)
        return Response(self._render(updated, side))

    @extend_schema(
        tags=["referrals"],
        request=None,
        summary="Discard a draft referral (the referring side); nothing was shared",
        responses={204: None, 400: OpenApiResponse(description="Not a draft (`not_a_draft`)")},
    )
    @action(detail=True, methods=["post"])
    def discard(self, request: Request, pk: Any = None) -> Response:
        referral, _side = self._get(request, pk)  # hidden: 404
        services.discard_draft(acting_user(request), referral)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @_action_schema(s.ReferralSendSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request: Request, pk: Any = None) -> Response:
        return self._step(
            request,
            pk,
            s.ReferralSendSerializer,
            lambda r, v: services.send_referral(
                acting_user(request), r, life_at_risk_justification=v["life_at_risk_justification"], channel="api"
            ),
        )

    @_action_schema(s.ReferralAcceptSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: Any = None) -> Response:
        return self._step(
            request,
            pk,
            s.ReferralAcceptSerializer,
            lambda r, v: services.accept_referral(
                acting_user(request), r, outcome_due_on=v.get("outcome_due_on"), note=v["note"]
            ),
        )

    @_action_schema(s.ReferralDeclineSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: Any = None) -> Response:
        return self._step(
            request,
            pk,
            s.ReferralDeclineSerializer,
            lambda r, v: services.decline_referral(acting_user(request), r, reason=v["decline_reason"], note=v["note"]),
        )

    @_action_schema(s.ReferralOutcomeSerializer)
    @action(detail=True, methods=["post"])
    def outcome(self, request: Request, pk: Any = None) -> Response:
        return self._step(
            request,
            pk,
            s.ReferralOutcomeSerializer,
            lambda r, v: services.record_outcome(acting_user(request), r, outcome=v["outcome"], note=v["note"]),
        )

    @_action_schema(s.ReferralCloseSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: Any = None) -> Response:
        return self._step(
            request,
            pk,
            s.ReferralCloseSerializer,
            lambda r, v: services.close_referral(
                acting_user(request), r, satisfaction=v.get("satisfaction"), feedback=v["feedback"]
            ),
        )

    @_action_schema(s.ReferralWithdrawSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: Any = None) -> Response:
        return self._step(
            request,
            pk,
            s.ReferralWithdrawSerializer,
            lambda r, v: services.withdraw_referral(acting_user(request), r, reason=v["withdrawal_reason"]),
        )


class ServiceRecommendationsView(ProtectedView):
    read_capabilities = (C.VIEW_ASSIGNED_CASES,)
    serializer_class = s.ServiceRecommendationSerializer
    query_parameters = {"get": RecommendationFilters}

    @extend_schema(
        tags=["referrals"],
        responses=s.ServiceRecommendationSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        try:
            case = case_selectors.get_case(acting_user(request), pk)
        except Case.DoesNotExist:
            raise Http404 from None
        item = None
        if self.query.get("plan_item") is not None:
            item = next((i for i in case_selectors.plan_items_of(case) if i.pk == self.query["plan_item"]), None)
            if item is None:
                raise serializers.ValidationError(
                    {"plan_item": [_("This plan item belongs to another case.")]}, code="invalid_choice"
                )
        everything = bool(self.query.get("include_unavailable"))
        recs = selectors.recommendations(
            acting_user(request),
            case,
            dimension=self.query.get("dimension", "") or (item.dimension if item else ""),
            sector=self.query.get("sector", ""),
            need=item.approach if item else "",
            include_abroad=everything,
            only_choosable=not everything,
        )
        rows = [
            {
                "service": r.service,
                "proximity": PROXIMITY[r.proximity],
                "places_left": r.places_left,
                "at_capacity": r.at_capacity,
                "has_pathway": r.has_pathway,
            }
            for r in recs
        ]
        return Response(s.ServiceRecommendationSerializer(rows, many=True).data)


class ServiceGapsView(ProtectedView):
    read_capabilities = (C.VIEW_REFERRAL_REPORTS, C.MANAGE_SERVICE_DIRECTORY)
    serializer_class = s.ServiceGapSerializer
    query_parameters = {"get": GapFilters}

    @extend_schema(tags=["service directory"], responses=s.ServiceGapSerializer(many=True))
    def get(self, request: Request) -> Response:
        area = None
        if self.query.get("area"):
            area = place_selectors.get_area(self.query["area"])
            if area is None:
                raise serializers.ValidationError({"area": [_("Unknown area.")]})
        country = str(area.country) if area else self.query.get("country", "")
        organisation = _user(request).organisation
        if not country and organisation is not None:
            country = str(organisation.country)
        rows = selectors.service_gaps(acting_user(request), country=country, area=area)
        return Response(
            s.ServiceGapSerializer(
                [
                    {
                        "area_id": r.area.id,
                        "area": r.area.name,
                        "dimension": r.dimension,
                        "cases": r.cases,
                        "services": r.services,
                        "with_room": r.with_room,
                        "places_left": r.places_left,
                        "state": r.state,
                        "duplicated_sectors": list(r.duplicated_sectors),
                    }
                    for r in rows
                ],
                many=True,
            ).data
        )

"""REST API of data protection (`/api/v1/`): consent ledger, case shares (the M&E
release moved to `monitoring.analytics_api`).

Thin, like `cases.api`: the role check comes before any lookup (a forbidden write never reveals whether an
object exists: 403), lookups go through scoped selectors (not visible → 404), writes through
`protection.services` (their `ValidationError`s answer 400 with field errors through the project's
exception handler). Sharing without consent answers 403 with `"code": "consent_required"`.

Routes are in `protection.api_urls`.
"""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from reintegra.access.audit import record_access
from reintegra.access.roles import Capability
from reintegra.api.permissions import ProtectedView, acting_user
from reintegra.cases import selectors as case_selectors
from reintegra.cases.models import Case, Returnee
from reintegra.protection import selectors, services
from reintegra.protection.models import CaseShare, Consent
from reintegra.protection.serializers import (
    ConsentCreateSerializer,
    ConsentSerializer,
    ErrorSerializer,
    ShareCreateSerializer,
    ShareSerializer,
    WithdrawConsentSerializer,
)

C = Capability


def _not_found() -> Http404:
    return Http404(_("Not found."))


# --- consent ledger ------------------------------------------------------------------------------


class ReturneeConsentsView(ProtectedView):
    """GET: the ledger of a returnee you may see (withdrawn and expired entries included); the
    data-protection officer reads the ledgers of their organisation's returnees. POST: record a consent
    (Capability.MANAGE_CONSENT); a minor's consent needs a guardian's name and the child's assent."""

    queryset = Consent.objects.none()
    serializer_class = ConsentSerializer
    write_capabilities = (C.MANAGE_CONSENT,)

    @extend_schema(
        operation_id="returnees_consents_list",
        summary=_("The consent ledger of a returnee"),
        responses=ConsentSerializer(many=True),
        tags=["consents"],
    )
    def get(self, request: Request, pk: int) -> Response:
        try:
            returnee = selectors.consent_ledger_returnee(acting_user(request), pk)
        except Returnee.DoesNotExist:
            raise _not_found() from None
        consents = selectors.consents_for(acting_user(request), returnee)
        record_access(acting_user(request), "view", returnee, purpose="consent ledger", channel="api")
        return Response(ConsentSerializer(consents, many=True).data)

    @extend_schema(
        operation_id="returnees_consents_create",
        summary=_("Record a consent"),
        request=ConsentCreateSerializer,
        responses={201: ConsentSerializer},
        tags=["consents"],
    )
    def post(self, request: Request, pk: int) -> Response:
        try:
            returnee = case_selectors.get_returnee(acting_user(request), pk)
        except Returnee.DoesNotExist:
            raise _not_found() from None
        serializer = ConsentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        consent = services.record_consent(acting_user(request), returnee, **serializer.validated_data)
        return Response(ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)


class ConsentWithdrawView(ProtectedView):
    """Record a withdrawal (never a deletion); active shares granted under the consent are revoked now."""

    queryset = Consent.objects.none()
    serializer_class = ConsentSerializer
    write_capabilities = (C.MANAGE_CONSENT,)

    @extend_schema(
        operation_id="consents_withdraw",
        summary=_("Withdraw a consent"),
        request=WithdrawConsentSerializer,
        responses=ConsentSerializer,
        tags=["consents"],
    )
    def post(self, request: Request, pk: int) -> Response:
        try:
            consent = selectors.get_consent(acting_user(request), pk)
        except Consent.DoesNotExist:
            raise _not_found() from None
        serializer = WithdrawConsentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.withdraw_consent(acting_user(request), consent, data.get("withdrawn_on"), data.get("note", ""))
        return Response(ConsentSerializer(consent).data)


# --- case shares ---------------------------------------------------------------------------------


class CaseSharesView(ProtectedView):
    """GET: active and revoked shares of a case you may see. POST: share it with another organisation, under
    a valid consent naming that organisation (referral or data sharing) or, for a mental-health
    professional, the life-at-risk exception."""

    queryset = CaseShare.objects.none()
    serializer_class = ShareSerializer
    read_capabilities = (C.VIEW_ASSIGNED_CASES,)
    write_capabilities = (C.EDIT_CASES,)

    def _case(self, pk: int) -> Case:
        try:
            return case_selectors.get_case(acting_user(self.request), pk)
        except Case.DoesNotExist:
            raise _not_found() from None

    @extend_schema(
        operation_id="cases_shares_list",
        summary=_("The shares of a case"),
        responses=ShareSerializer(many=True),
        tags=["shares"],
    )
    def get(self, request: Request, pk: int) -> Response:
        case = self._case(pk)
        record_access(acting_user(request), "view", case, purpose="shares", channel="api")
        return Response(ShareSerializer(selectors.shares_of(case), many=True).data)

    @extend_schema(
        operation_id="cases_shares_create",
        summary=_("Share a case with another organisation"),
        request=ShareCreateSerializer,
        responses={
            201: ShareSerializer,
            403: OpenApiResponse(
                ErrorSerializer, description=_('No valid consent ("code": "consent_required"), or not allowed.')
            ),
        },
        tags=["shares"],
    )
    def post(self, request: Request, pk: int) -> Response:
        case = self._case(pk)
        serializer = ShareCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # No valid consent: services.ConsentRequired, 403 "consent_required" (reintegra.api.exceptions).
        share = services.share_case(
            acting_user(request),
            case,
            data["organisation"],
            data["reason"],
            life_at_risk_justification=data["life_at_risk_justification"],
            channel="api",
        )
        share = selectors.reloaded_share(share)
        return Response(ShareSerializer(share).data, status=status.HTTP_201_CREATED)


class ShareRevokeView(ProtectedView):
    """End a share now: the sharing organisation, or the receiving one (returning the case)."""

    queryset = CaseShare.objects.none()
    serializer_class = ShareSerializer
    write_capabilities = (C.EDIT_CASES,)

    @extend_schema(
        operation_id="shares_revoke",
        summary=_("Revoke a share"),
        request=None,
        responses=ShareSerializer,
        tags=["shares"],
    )
    def post(self, request: Request, pk: int) -> Response:
        try:
            share = selectors.get_share(acting_user(request), pk)
        except CaseShare.DoesNotExist:
            raise _not_found() from None
        services.revoke_share(acting_user(request), share)
        share = selectors.reloaded_share(share)
        return Response(ShareSerializer(share).data)

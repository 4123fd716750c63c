"""REST API of data protection (`/api/v1/`): consent ledger, case shares, M&E data.

Thin, like `cases.api`: the role check comes before any lookup (a forbidden write never reveals whether an
object exists: 403), lookups go through scoped selectors (not visible → 404), writes through
`protection.services` (their `ValidationError`s answer 400 with field errors through the project's
exception handler). Sharing without consent answers 403 with `"code": "consent_required"`.

Routes are in `protection.api_urls`.
"""

from typing import Any

from django.http import Http404, HttpResponseBase
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from reintegra.access import exports
from reintegra.access.audit import record_access
from reintegra.access.roles import Capability
from reintegra.access.spreadsheets import csv_lines
from reintegra.api.pagination import StandardPagination
from reintegra.api.permissions import ProtectedView, acting_user
from reintegra.cases import selectors as case_selectors
from reintegra.cases.models import Case, Returnee
from reintegra.protection import analytics, pseudonymise, selectors, services
from reintegra.protection.models import CaseShare, Consent
from reintegra.protection.serializers import (
    AggregateQuerySerializer,
    AggregatesSerializer,
    ConsentCreateSerializer,
    ConsentSerializer,
    ErrorSerializer,
    PseudonymisedCaseSerializer,
    PseudonymisedPageSerializer,
    ShareCreateSerializer,
    ShareSerializer,
    WithdrawConsentSerializer,
    pseudonymised_table,
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


# --- monitoring and evaluation -------------------------------------------------------------------


class CSVRenderer(BaseRenderer):
    """`?format=csv` (or `Accept: text/csv`): a list of rows as CSV; anything else (an error) as
    name,value lines. (The rows download itself is streamed by `access.exports`.)"""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if isinstance(data, list):
            text = "".join(csv_lines(pseudonymise.ROW_KEYS, pseudonymised_table(data)))
        else:
            items = data.items() if isinstance(data, dict) else [("detail", data)]
            text = "".join(csv_lines(("name", "value"), ([name, value] for name, value in items)))
        return text.encode(self.charset)


RELEASE_DESCRIPTION = _(
    "Rows of your organisation's cases for monitoring and evaluation (M&E officers), k-anonymous: k is the "
    "programme's suppression threshold (the strictest of your organisation's programmes; default 5). "
    "The quasi-identifiers — sex, age band at return, nationality, return type, return quarter and area — "
    "are generalised until every released row shares them with at least k − 1 other rows: age bands may "
    'widen (0-17, 18-59, 60+), the quarter may become the year, any of them may be withheld ("*"), and '
    "the area goes up from municipality to state or department, country, or none, class by class. Rows "
    "that still cannot reach k are withheld and counted in `suppressed`; `smallest_class` is the size of "
    "the smallest class released. Attention flags and causes of migration are never in rows: count them "
    "with /api/v1/analytics/aggregates/?by=attention_flag or ?by=cause_of_migration. `case_pid` changes "
    "whenever the released data changes, so downloads cannot be joined row by row. `?format=csv` "
    "downloads every row at once; each page and download is recorded in the access trail."
)


class PseudonymisedCasesView(ProtectedView):
    """k-anonymous pseudonymised rows of your organisation's cases for monitoring and evaluation (M&E
    officers): coded facts, no names, contacts, documents, addresses or exact dates, quasi-identifiers
    generalised until at least k rows share them. `?format=csv` downloads every row at once; each read is
    recorded in the access trail."""

    queryset = Case.objects.none()
    serializer_class = PseudonymisedCaseSerializer
    read_capabilities = (C.VIEW_PSEUDONYMISED,)
    write_capabilities = (C.VIEW_PSEUDONYMISED,)
    pagination_class = StandardPagination
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]

    @extend_schema(
        operation_id="analytics_cases_list",
        summary=_("k-anonymous pseudonymised case rows"),
        description=RELEASE_DESCRIPTION,
        responses={
            (200, "application/json"): PseudonymisedPageSerializer,
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description=_("Every released row, as CSV (the same columns as `results`).")
            ),
        },
        tags=["analytics"],
    )
    def get(self, request: Request) -> HttpResponseBase:
        release = analytics.pseudonymised_release(acting_user(request))
        summary = release.summary
        if request.accepted_renderer.format == "csv":
            response = exports.download(
                acting_user(request),
                "csv",
                "pseudonymised-cases",
                pseudonymise.ROW_KEYS,
                pseudonymised_table(analytics.pseudonymised_rows(release.entries)),
                purpose=f"pseudonymised case rows ({summary['released']} rows, {summary['suppressed']} withheld, "
                f"k={summary['k']})",
                object_type="cases.case",
                channel="api",
            )
            response["X-Reintegra-K"] = str(summary["k"])
            response["X-Reintegra-Suppressed"] = str(summary["suppressed"])
            return response
        page = self.paginate_queryset(release.entries) or []
        current = getattr(self.paginator, "page", None)
        number = current.number if current is not None else 1
        record_access(
            acting_user(request),
            "view",
            object_type="cases.case",
            purpose=f"pseudonymised case rows (page {number}, k={summary['k']})",
            channel="api",
        )
        rows = list(analytics.pseudonymised_rows(page))
        response = self.get_paginated_response(PseudonymisedCaseSerializer(rows, many=True).data)
        results = response.data.pop("results")
        response.data.update(summary)
        response.data["results"] = results
        return response


class AggregatesView(ProtectedView):
    """Counts of cases by one or more dimensions, with small cells suppressed (`count` null, `suppressed`
    true): over your organisation, or over all organisations for the coordination body."""

    queryset = Case.objects.none()
    serializer_class = AggregatesSerializer
    read_capabilities = (C.VIEW_AGGREGATES,)
    write_capabilities = (C.VIEW_AGGREGATES,)
    query_parameters = {"get": AggregateQuerySerializer}

    @extend_schema(
        operation_id="analytics_aggregates",
        summary=_("Case counts with small-cell suppression"),
        description=_(
            "k is the programme's suppression threshold (the strictest of the programmes counted; default 5); "
            "`k` in the query can raise it, never lower it. attention_flag and cause_of_migration count the "
            "cases holding each value (a case may hold several); a cell is hidden when it, or the number of "
            "cases without the value, is below k."
        ),
        responses=AggregatesSerializer,
        tags=["analytics"],
    )
    def get(self, request: Request) -> Response:
        by, k = self.query["by"], self.query.get("k")
        rows = analytics.aggregate_cases(acting_user(request), by=by, k=k)
        floor = analytics.aggregate_threshold(acting_user(request))
        return Response(AggregatesSerializer({"by": by, "k": max(k or floor, floor), "rows": rows}).data)

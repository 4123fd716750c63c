"""`/api/v1/auth/tokens/`: the signed-in user's own API tokens (name, dates, a short hint; never the token
or its digest), and `DELETE /api/v1/auth/tokens/{id}/` to revoke one. New tokens come from
`POST /api/v1/auth/token/` (with the password, and a code when a second factor applies): a token cannot
mint another. The rules are in `reintegra.access.api_tokens`."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from reintegra.access import api_tokens
from reintegra.access.models import ApiToken
from reintegra.api.permissions import ProtectedView, acting_user


class ApiTokenSerializer(serializers.ModelSerializer[ApiToken]):
    hint = serializers.CharField(read_only=True, help_text=_("The first characters of the token."))
    current = serializers.SerializerMethodField(help_text=_("Whether this request was made with this token."))

    class Meta:
        model = ApiToken
        fields = ["id", "name", "hint", "created", "expiry", "last_used_at", "second_factor", "current"]
        read_only_fields = fields

    def get_current(self, token: ApiToken) -> bool:
        auth = getattr(self.context.get("request"), "auth", None)
        return isinstance(auth, ApiToken) and auth.pk == token.pk


class TokenListView(ProtectedView):
    queryset = ApiToken.objects.none()
    serializer_class = ApiTokenSerializer
    read_capabilities = None  # any signed-in user: their own tokens
    write_capabilities = None  # so that other methods answer 405 (new tokens come from auth/token/)

    @extend_schema(
        operation_id="auth_tokens_list",
        summary=_("Your API tokens"),
        responses={200: ApiTokenSerializer(many=True)},
        tags=["auth"],
    )
    def get(self, request: Request) -> Response:
        tokens = api_tokens.tokens_of(acting_user(request))
        return Response(ApiTokenSerializer(tokens, many=True, context={"request": request}).data)


class TokenDetailView(ProtectedView):
    queryset = ApiToken.objects.none()
    serializer_class = ApiTokenSerializer
    read_capabilities = None  # any signed-in user: their own tokens
    write_capabilities = None

    def _token(self, request: Request, pk: Any) -> ApiToken:
        try:
            return api_tokens.token_of(acting_user(request), pk)
        except ApiToken.DoesNotExist:
            raise NotFound(_("No such API token.")) from None

    @extend_schema(
        operation_id="auth_tokens_retrieve",
        summary=_("One of your API tokens"),
        responses={200: ApiTokenSerializer},
        tags=["auth"],
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(ApiTokenSerializer(self._token(request, pk), context={"request": request}).data)

    @extend_schema(
        operation_id="auth_tokens_destroy",
        summary=_("Revoke one of your API tokens"),
        responses={204: None},
        tags=["auth"],
    )
    def delete(self, request: Request, pk: int) -> Response:
        token = self._token(request, pk)
        api_tokens.revoke(acting_user(request), token.pk, channel="api")
        return Response(status=status.HTTP_204_NO_CONTENT)

"""`POST /api/v1/auth/token/`: exchange a username and password for an API token (`Authorization: Token …`).

A user with two-factor authentication (an authenticator app, or a role that requires one) also sends `otp`,
the current code from the app; see `reintegra.access.two_factor`.
"""

from typing import Any

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from reintegra.access import two_factor
from reintegra.access.audit import record_access
from reintegra.api.query import QueryParametersMixin


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("Username"), max_length=150)
    password = serializers.CharField(
        label=_("Password"), max_length=128, write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )
    otp = serializers.CharField(
        label=_("Two-factor code"),
        help_text=_("The current code from your authenticator app, when two-factor authentication is on for you."),
        max_length=12,
        required=False,
        allow_blank=True,
        write_only=True,
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        request = self.context["request"]
        # The plain HttpRequest, as django-axes (login throttling) expects.
        user = authenticate(
            getattr(request, "_request", request), username=attrs["username"], password=attrs["password"]
        )
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                _("Unable to log in with the username and password provided."), code="authorization"
            )
        try:
            two_factor.check_api_code(user, attrs.get("otp", ""))
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"otp": exc.messages}, code=exc.code) from None
        attrs["user"] = user
        return attrs


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


class ObtainTokenView(QueryParametersMixin, APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        operation_id="auth_token_create",
        summary=_("Get an API token"),
        request=TokenRequestSerializer,
        responses={200: TokenResponseSerializer},
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token, _created = Token.objects.get_or_create(user=user)
        record_access(user, "login", object_type="access.user", object_id=user.pk, channel="api")
        return Response(TokenResponseSerializer({"token": token.key}).data)

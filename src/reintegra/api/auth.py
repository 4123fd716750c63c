"""API authentication: `POST /api/v1/auth/token/` exchanges a username and password for a named API token
that expires (`Authorization: Token rtg_…`); `reintegra.api.authentication` checks it (django-rest-knox: only
a digest is stored). The rules (second factor, limits, revocation) are in `reintegra.access.api_tokens`.

A user with two-factor authentication (an authenticator app, or a role that requires one) also sends `otp`,
the current code from the app; see `reintegra.access.two_factor`. Failed attempts are throttled per address
and per account (`reintegra.access.throttle`: 429 with `code: "throttled"`).
"""

from typing import Any

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from reintegra.access import api_tokens, two_factor
from reintegra.access.audit import record_access
from reintegra.api.query import QueryParametersMixin
from reintegra.api.throttling import AddressRateLimited


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "reintegra.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        scheme = build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")  # noqa: S106
        scheme["description"] = str(
            _(
                "An API token from POST /api/v1/auth/token/, sent as `Authorization: Token <token>`. Tokens "
                "expire and are revoked when the password changes."
            )
        )
        return scheme


class TokenRequestSerializer(serializers.Serializer[Any]):
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
    name = serializers.CharField(
        label=_("Name"),
        help_text=_("What the token is for (for example, the name of the script or device that uses it)."),
        max_length=api_tokens.NAME_MAX_LENGTH,
        required=False,
        allow_blank=True,
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        request = self.context["request"]
        # The plain HttpRequest, as the throttling backends expect.
        user = authenticate(
            getattr(request, "_request", request), username=attrs["username"], password=attrs["password"]
        )
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                _("Unable to log in with the username and password provided."), code="authorization"
            )
        try:
            attrs["second_factor"] = two_factor.check_api_code(user, attrs.get("otp", ""))
        except DjangoValidationError as exc:
            raise TwoFactorRefused(exc) from None
        attrs["user"] = user
        return attrs


class TwoFactorRefused(exceptions.APIException):
    """The `otp` field's error, with a code saying what to do (`two_factor_required`: send the code;
    `two_factor_setup_required`: set up an app first; `two_factor_invalid`, `two_factor_throttled`).
    Not a ValidationError: the serializer would wrap the code in a list."""

    status_code = 400

    def __init__(self, exc: DjangoValidationError) -> None:
        super().__init__({"otp": exc.messages, "code": f"two_factor_{exc.code}"})


def refusal(exc: DjangoValidationError) -> dict[str, Any]:
    """A service's ValidationError as the API's 400 body: field (or non-field) messages and the code."""
    body: dict[str, Any] = dict(exc.message_dict) if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
    code = getattr(exc, "code", None) or next(
        (e.code for errors in getattr(exc, "error_dict", {}).values() for e in errors if e.code), None
    )
    if code:
        body["code"] = code
    return body


class TokenResponseSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(read_only=True, help_text=_("The token: shown only now, keep it secret."))
    expiry = serializers.DateTimeField(read_only=True, allow_null=True)
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class ObtainTokenView(AddressRateLimited, QueryParametersMixin, APIView):
    authentication_classes: list[type[BaseAuthentication]] = []
    permission_classes = [AllowAny]
    throttle_scope = "token"

    @extend_schema(
        operation_id="auth_token_create",
        summary=_("Get an API token"),
        description=_(
            "A new token each time, valid until its expiry (REINTEGRA_API_TOKEN_DAYS, 30 days by default) or "
            "until it is revoked (by you, or when your password changes). Only a digest is stored: keep the "
            "token, it is shown only in this answer."
        ),
        request=TokenRequestSerializer,
        responses={200: TokenResponseSerializer},
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = data["user"]
        try:
            token, secret = api_tokens.issue(
                user, name=data.get("name", ""), second_factor=data["second_factor"], channel="api"
            )
        except DjangoValidationError as exc:
            return Response(refusal(exc), status=400)
        record_access(user, "login", object_type="access.user", object_id=user.pk, channel="api")
        body = {"token": secret, "expiry": token.expiry, "id": token.pk, "name": token.name}
        return Response(TokenResponseSerializer(body).data)

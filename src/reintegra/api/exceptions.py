"""API errors: every error body carries a machine-readable `code`; never a 500 body leak.

Shapes (documented in the OpenAPI schema by `reintegra.api.schema`):

- field errors, 400: `{"<field>": ["message", …], …, "code": "invalid", "errors": [{"field": "<field>",
  "message": "…", "code": "required"}, …]}`: the messages keyed by field as before, and `errors`, the
  complete list with each message's own code (nested fields as `items.0.title`), in Django's words
  (`DJANGO_CODES`): the web form shows the same field and code for the same input;
- anything else: `{"detail": "message", "code": "not_found"}` with DRF's codes: `not_authenticated`
  and `authentication_failed` (401), `permission_denied` (403), `not_found` (404),
  `method_not_allowed` (405), `not_acceptable` (406), `unsupported_media_type` (415), `throttled`
  (429), `parse_error` (400), plus the project's own (`unknown_parameter`, `request_too_large`,
  `consent_required`, the code of a `TransitionError`: a step the record's status does not allow, …).
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from reintegra.access.transitions import TransitionError
from reintegra.access.versioning import StaleVersion, VersionRequired
from reintegra.api import versioning

VALIDATION_CODE = "invalid"

# DRF's words for what Django's forms call otherwise: the API names a refusal as the web form does (an empty
# value is "required", an id that is not one of the choices "invalid_choice"), so both channels answer the
# same input with the same field and code (docs/ARCHITECTURE.md, "One rule path").
DJANGO_CODES = {
    "blank": "required",
    "null": "required",
    "does_not_exist": "invalid_choice",
    "incorrect_type": "invalid_choice",
}


class UnknownParameter(exceptions.APIException):
    """A query parameter the endpoint does not declare (`reintegra.api.query`)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "unknown_parameter"

    def __init__(self, names: list[str], allowed: list[str]) -> None:
        self.parameters = names
        self.allowed = allowed
        super().__init__(
            _("Unknown query parameter(s): %(names)s. This endpoint accepts: %(allowed)s.")
            % {"names": ", ".join(names), "allowed": ", ".join(allowed) or _("none")}
        )


def flat_errors(detail: Any, codes: Any, path: str = "") -> list[dict[str, str]]:
    """Every message of a ValidationError's detail, with its field path and its code."""
    if isinstance(detail, dict):
        found: list[dict[str, str]] = []
        for key, value in detail.items():
            found += flat_errors(value, codes.get(key) if isinstance(codes, dict) else codes, _join(path, key))
        return found
    if isinstance(detail, list):
        found = []
        for index, value in enumerate(detail):
            code = codes[index] if isinstance(codes, list) and index < len(codes) else codes
            # A list of plain messages belongs to the field itself; a list of dicts/lists to its items.
            found += flat_errors(value, code, path if not isinstance(value, dict | list) else _join(path, index))
        return found
    code = str(codes or VALIDATION_CODE)
    return [{"field": path or "non_field_errors", "message": str(detail), "code": DJANGO_CODES.get(code, code)}]


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _validation_body(exc: exceptions.ValidationError) -> dict[str, Any]:
    detail: Any = exc.detail
    codes: Any = exc.get_codes()
    if not isinstance(detail, dict):
        detail, codes = {"non_field_errors": detail}, {"non_field_errors": codes}
    body = {key: value for key, value in detail.items() if key not in ("code", "errors")}
    body["code"] = VALIDATION_CODE
    body["errors"] = flat_errors(detail, codes)
    return body


def _suspicious(exc: SuspiciousOperation) -> Response:
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return Response(
            {
                "detail": _("The request is too large: it may be up to %(limit)s.") % {"limit": filesizeformat(limit)},
                "code": "request_too_large",
                "limit_bytes": limit,
            },
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, TooManyFieldsSent):
        body = {"detail": _("The request has too many fields."), "code": "too_many_fields"}
    elif isinstance(exc, TooManyFilesSent):
        body = {"detail": _("The request has too many files."), "code": "too_many_files"}
    else:
        body = {"detail": _("The request could not be understood."), "code": "bad_request"}
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


def _from_django(exc: DjangoValidationError) -> exceptions.ValidationError:
    """A service's ValidationError as DRF's, each message keeping its code."""

    def details(errors: list[DjangoValidationError]) -> list[exceptions.ErrorDetail]:
        return [
            exceptions.ErrorDetail(str(message), code=error.code or VALIDATION_CODE)
            for error in errors
            for message in error.messages
        ]

    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(_nested({field: details(errors) for field, errors in exc.error_dict.items()}))
    return exceptions.ValidationError({"non_field_errors": details(exc.error_list)})


def _nested(flat: dict[str, Any]) -> dict[str, Any]:
    """A service names a list's row by position ("items.1.currency"); the body nests it the way a
    serializer's errors are nested ({"items": [{}, {"currency": [...]}]}), so `errors` says
    "items.1.currency" either way. Keys that cannot nest (the list itself has a message too) stay flat."""
    tree: dict[Any, Any] = {}
    for key, messages in flat.items():
        parts = [int(part) if part.isdigit() else part for part in key.split(".")]
        node = tree
        for part in parts[:-1]:
            node = node.setdefault(part, {}) if isinstance(node, dict) else None
            if not isinstance(node, dict):
                return flat
        if not isinstance(node, dict) or parts[-1] in node:
            return flat
        node[parts[-1]] = messages
    return {key: _lists(value) for key, value in tree.items()}


def _lists(node: Any) -> Any:
    """{0: …, 2: …} → [ …, {}, … ] (the rows without errors empty, as DRF writes them)."""
    if not isinstance(node, dict):
        return node
    if node and all(isinstance(key, int) for key in node):  # an empty row stays {}
        return [_lists(node.get(index, {})) for index in range(max(node) + 1)]
    return {key: _lists(value) for key, value in node.items()}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    _answer_in_json(context)
    direct = _direct_answer(exc)
    if direct is not None:
        return direct
    exc = _as_drf(exc)
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        response.data = _validation_body(exc)
    elif isinstance(exc, UnknownParameter):
        response.data = {"detail": exc.detail, "code": exc.default_code, "parameters": exc.parameters}
    elif isinstance(response.data, dict) and "detail" in response.data:
        codes = exc.get_codes()
        response.data["code"] = codes if isinstance(codes, str) else exc.default_code
    return response


def _answer_in_json(context: dict[str, Any]) -> None:
    """An error is answered in JSON even when the client asked for a file format (`?format=csv`): a client
    reads the code and the field errors the same way on every endpoint, and the schema documents JSON."""
    request = context.get("request")
    renderer = getattr(request, "accepted_renderer", None)
    if request is not None and renderer is not None and renderer.format not in ("json", "api"):
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type


def _direct_answer(exc: Exception) -> Response | None:
    """The errors answered with a body of their own, before DRF's handler."""
    if isinstance(exc, StaleVersion):  # a ValidationError: checked first
        return versioning.stale_response(exc)
    if isinstance(exc, VersionRequired):
        return versioning.precondition_required_response(exc)
    if isinstance(exc, TransitionError):
        # Not a field error: the request is fine, the record's status does not allow the step now.
        return Response({"detail": exc.message, "code": exc.code}, status=status.HTTP_400_BAD_REQUEST)
    code = getattr(exc, "code", None)  # e.g. referrals.links.NotOwner: "not_owner"
    if isinstance(exc, DjangoPermissionDenied) and code:
        return Response({"detail": str(exc), "code": code}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, SuspiciousOperation):
        return _suspicious(exc)
    return None


def _as_drf(exc: Exception) -> Exception:
    """Django's errors as DRF's, so that its handler answers them."""
    if isinstance(exc, DjangoValidationError):
        return _from_django(exc)
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    return exc

"""API errors: field messages for validation, 404 for what the user may not see, never a 500 body leak."""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from reintegra.access.versioning import StaleVersion, VersionRequired
from reintegra.api import versioning
from reintegra.cases.lifecycle import TransitionError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, StaleVersion):
        return versioning.stale_response(exc)
    if isinstance(exc, VersionRequired):
        return versioning.precondition_required_response(exc)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError({"non_field_errors": exc.messages})
    elif isinstance(exc, TransitionError):
        return Response({"non_field_errors": [str(exc)], "code": exc.code}, status=status.HTTP_400_BAD_REQUEST)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)

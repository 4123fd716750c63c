"""Optimistic concurrency in the API (see `reintegra.access.versioning`).

- Every read of an editable record answers an `ETag` header, `"<version>"`, and a read-only `version` field.
- Every edit (PUT/PATCH, and the nested writes such as a case's plan or household) requires `If-Match` with
  that ETag: without it, 428 `precondition_required`; when the record changed since, 412 `stale` with the
  `current_version`. A weak form (`W/"3"`, as some proxies rewrite it) is accepted; `If-Match: *` is not,
  since it does not say which version was read.
- A record created on its first write (plan, household) may be written without `If-Match` while it does not
  exist; if someone created it meanwhile, the write is stale (412) instead of replacing theirs.
- State transitions sent as POST actions (agree a plan, assign a case...) accept an optional `If-Match`; without
  it they are still refused when the state no longer allows them.

The version check itself is the services' (`expected_version`): web forms and the API refuse the same writes.
A missing If-Match is also decided there (`versioning.MISSING`), after the service's permission checks: a user
who may not change the record gets 403, not 428.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from reintegra.access.versioning import (
    MISSING,
    PRECONDITION_REQUIRED,
    STALE,
    StaleVersion,
    Versioned,
    VersionRequired,
    current_version,
)

# Longest version number parsed from If-Match (anything longer cannot match and is stale).
_MAX_DIGITS = 12


def etag(version: int) -> str:
    return f'"{version}"'


def _parse(tag: str) -> int | None:
    tag = tag.strip()
    if tag.startswith("W/"):
        tag = tag[2:]
    if len(tag) >= 2 and tag[0] == tag[-1] == '"':
        tag = tag[1:-1]
    if tag.isascii() and tag.isdigit() and len(tag) <= _MAX_DIGITS:
        return int(tag)
    return None


def expected_version(request: Request, current: Versioned | int | None, *, required: bool = True) -> int | None:
    """The version the client says it read, from `If-Match`, for the service's `expected_version`.

    `current` is the record as read now (or its version; None or 0 when it does not exist yet). Without the
    header (or with `*`, which names no version): `MISSING` when `required` (the service answers 428 unless the
    record still does not exist), else None (no check)."""
    now = current if isinstance(current, int) else current_version(current)
    header = (request.headers.get("If-Match") or "").strip()
    tags = [t for t in header.split(",") if t.strip()]
    if not tags or any(t.strip() == "*" for t in tags):
        return MISSING if required else None
    versions = [v for v in (_parse(t) for t in tags) if v is not None]
    if now in versions:
        return now
    # Unknown or malformed tags never match: the service refuses the write as stale.
    return versions[0] if versions else -1


def stale_response(exc: StaleVersion) -> Response:
    response = Response(
        {"detail": str(exc.message), "code": STALE, "current_version": exc.current_version},
        status=status.HTTP_412_PRECONDITION_FAILED,
    )
    response["ETag"] = etag(exc.current_version)
    return response


def precondition_required_response(exc: VersionRequired) -> Response:
    return Response(
        {"detail": str(exc.message), "code": PRECONDITION_REQUIRED}, status=status.HTTP_428_PRECONDITION_REQUIRED
    )


def version_field() -> serializers.IntegerField:
    """A record's `version` in API bodies: read-only, the value its ETag carries (the `revision` column)."""
    return serializers.IntegerField(
        source="revision", read_only=True, help_text='Send it back as If-Match: "<version>" to change the record.'
    )


class ETagMixin:
    """Viewsets of editable records: a successful answer carrying one record's `version` gets its ETag."""

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        data = getattr(response, "data", None)
        if (
            200 <= response.status_code < 300
            and isinstance(data, dict)
            and isinstance(data.get("version"), int)
            and "ETag" not in response
        ):
            response["ETag"] = etag(data["version"])
        return response


# --- OpenAPI -------------------------------------------------------------------------------------

_IF_MATCH_HELP = (
    'The ETag of the record as you read it (e.g. "3"; W/"3" is accepted). Required: without it the answer is 428; '
    "when the record changed since you read it, 412 with its current_version (GET it again, re-apply your "
    "change, send the new ETag)."
)
IF_MATCH = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True, description=_IF_MATCH_HELP
)
IF_MATCH_FOR_CREATE = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=_IF_MATCH_HELP + " Leave it out only to create the record when it does not exist yet.",
)
IF_MATCH_OPTIONAL = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Optional: the ETag of the record as you read it; when given, a change made since answers 412.",
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description='The record\'s version as an entity tag ("3"): send it back in If-Match to change the record.',
)


class StaleSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()
    code = serializers.ChoiceField(choices=[STALE])
    current_version = serializers.IntegerField()


class PreconditionRequiredSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()
    code = serializers.ChoiceField(choices=[PRECONDITION_REQUIRED])


STALE_RESPONSE = OpenApiResponse(
    StaleSerializer, description="The record changed since you read it (If-Match does not match): nothing saved."
)
REQUIRED_RESPONSE = OpenApiResponse(
    PreconditionRequiredSerializer, description="If-Match is missing: read the record first and send its ETag."
)


def _as_dict(responses: Any) -> dict[Any, Any]:
    if isinstance(responses, dict):
        return dict(responses)
    return {200: responses} if responses is not None else {}


def read_schema[F: Callable[..., Any]](**kwargs: Any) -> Callable[[F], F]:
    """`extend_schema` of a read of an editable record: documents its ETag."""
    return extend_schema(parameters=[*kwargs.pop("parameters", []), ETAG], **kwargs)


def write_schema[F: Callable[..., Any]](
    *, create: bool = False, optional: bool = False, **kwargs: Any
) -> Callable[[F], F]:
    """`extend_schema` of a write: If-Match (required, for-create or optional), ETag, 412 and 428."""
    if_match = IF_MATCH_OPTIONAL if optional else IF_MATCH_FOR_CREATE if create else IF_MATCH
    responses = {**_as_dict(kwargs.pop("responses", None)), 412: STALE_RESPONSE}
    if not optional:
        responses[428] = REQUIRED_RESPONSE
    return extend_schema(parameters=[*kwargs.pop("parameters", []), if_match, ETAG], responses=responses, **kwargs)

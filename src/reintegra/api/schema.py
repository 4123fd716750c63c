"""The OpenAPI schema class of the API (`REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]`).

On top of drf-spectacular's AutoSchema:
- the query parameters an action declares (`reintegra.api.query`) are documented from that declaration;
- a response is documented as a page only where the action really paginates (`query.paginates`): a
  case's assessments, for instance, are a plain list;
- the error answers are documented with their bodies (`reintegra.api.exceptions`): 400 (field errors or
  a bad query), 401, 403, 404, 413 and 415 where a body is read, 429 where throttled.
"""

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework.permissions import AllowAny

from reintegra.api.query import declared_serializer, paginates

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "Machine-readable, e.g. not_found, permission_denied."},
    },
    "required": ["detail", "code"],
}
BAD_REQUEST_SCHEMA = {
    "type": "object",
    "description": (
        "Field errors: each invalid field's messages under its name, `code` `invalid` and `errors` (every "
        "message with its field path and code); or a bad request as a whole (`detail` and `code`: "
        "`parse_error`, `unknown_parameter`, a lifecycle code...)."
    ),
    "properties": {
        "code": {"type": "string"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                    "code": {"type": "string"},
                },
                "required": ["field", "message", "code"],
            },
        },
        "parameters": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["code"],
    "additionalProperties": True,
}
ERROR_DESCRIPTIONS = {
    "400": "Invalid input or query parameters.",
    "401": "Not signed in (no or a bad token).",
    "403": "Not allowed.",
    "404": "Not found, or not visible to you.",
    "413": "The request body is too large.",
    "415": "Unsupported content type.",
    "429": "Too many requests; retry later.",
}


class AutoSchema(SpectacularAutoSchema):
    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        serializer_class = declared_serializer(self.view, self.method)
        if serializer_class is not None:
            parameters.append(serializer_class)
        return parameters

    def _get_paginator(self) -> Any:
        return super()._get_paginator() if paginates(self.view, self.method) else None  # type: ignore[no-untyped-call]

    def _get_pagination_parameters(self) -> list[Any]:
        paginator = self._get_paginator()
        return paginator.get_schema_operation_parameters(self.view) if paginator else []

    def get_operation(self, *args: Any, **kwargs: Any) -> Any:
        operation = super().get_operation(*args, **kwargs)
        if operation is not None:
            self._add_error_responses(operation)
        return operation

    def _add_error_responses(self, operation: dict[str, Any]) -> None:
        codes = ["400", "403"]
        if not all(isinstance(permission, AllowAny) for permission in self.view.get_permissions()):
            codes.append("401")
        if "{" in self.path or paginates(self.view, self.method):
            codes.append("404")
        if "requestBody" in operation or self.method in ("POST", "PUT", "PATCH"):
            codes += ["413", "415"]
        if self.view.get_throttles():
            codes.append("429")
        responses = operation["responses"]
        for code in sorted(codes):
            name, schema = (
                ("BadRequestResponse", BAD_REQUEST_SCHEMA) if code == "400" else ("ErrorResponse", ERROR_SCHEMA)
            )
            component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema)
            self.registry.register_on_missing(component)
            documented = responses.setdefault(code, {"description": ERROR_DESCRIPTIONS[code]})
            # An error documented without a body (a description only) gets the error body.
            documented.setdefault("content", {"application/json": {"schema": component.ref}})

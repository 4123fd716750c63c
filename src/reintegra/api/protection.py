"""Field-level protection for API serializers (ARCHITECTURE: "Views, API serializers, exports and search
all ask that same function", `access.scoping.can_see`)."""

from typing import Any

from reintegra.access import scoping
from reintegra.access.fields import sensitive_category


class SensitiveFieldsMixin:
    """For ModelSerializers: drop every field backed by a model field tagged with a sensitive category
    that the requesting user may not see, so it is omitted from responses and ignored on input.

    Fails closed: without a request user (a serializer used outside a request) the fields are dropped.
    Schema generation (drf-spectacular's fake views) sees every field, so the OpenAPI document is the
    same for everyone.
    """

    def get_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = super().get_fields()  # type: ignore[misc]
        model = self.Meta.model  # type: ignore[attr-defined]
        hidden = {
            model_field.name
            for model_field in model._meta.concrete_fields
            if sensitive_category(model_field) is not None and not self._may_see(sensitive_category(model_field))
        }
        if hidden:
            for name, field in list(fields.items()):
                source = (field.source or name).split(".")[0]
                if source in hidden:
                    del fields[name]
        return fields

    def _may_see(self, category: Any) -> bool:
        context = self.context  # type: ignore[attr-defined]
        if getattr(context.get("view"), "swagger_fake_view", False):
            return True
        request = context.get("request")
        return scoping.can_see(getattr(request, "user", None), category)

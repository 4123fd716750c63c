"""Field-level protection for API serializers (ARCHITECTURE: "Views, API serializers, exports and search
all ask that same function", `access.scoping.can_see`)."""

import copy
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


class FieldsBuiltOnce:
    """For ModelSerializers: the fields `ModelSerializer.get_fields` builds from the model (reading the model's
    metadata, its uniqueness rules, each field's keyword arguments) are built once per class, then cloned for
    each serializer as DRF clones declared fields (`copy.deepcopy`: each field re-created from the arguments it
    was made with, unbound). The clones are the serializer's own, so binding, the context and the per-user
    removal of `SensitiveFieldsMixin` (listed before this mixin) stay per request.

    Only for serializers whose fields depend on the class alone: no `get_fields`/`build_*` reading the instance,
    the context or the request, and not hyperlinked (`url_field_name` is set by the first build only): the case
    serializers, `cases.serializers.common.ProtectedModelSerializer`.
    """

    def get_fields(self) -> dict[str, Any]:
        cls = type(self)
        built: dict[str, Any] | None = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()  # type: ignore[misc]
            cls._fields_built_once = built  # type: ignore[attr-defined]  # per class: not inherited (__dict__)
        return copy.deepcopy(built)

"""Field-level protection for API serializers (ARCHITECTURE: "Views, API serializers, exports and search
all ask that same function", `access.scoping.can_see`)."""

import copy
from collections.abc import Mapping
from typing import Any

from rest_framework.fields import Field, SkipField
from rest_framework.relations import PKOnlyObject

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


_MISSING = object()


class QuickRepresentation:
    """For serializers: `Serializer.to_representation` with DRF's own steps, each field's value read directly when
    its source is one plain attribute. DRF's `Field.get_attribute` walks the source path, checks each value for a
    callable with `inspect` and wraps it in exception handling: for a page of 25 cases of 26 fields each, about
    650 times a request. Here the readable fields and their sources are listed once per serializer, and a value
    that is missing, raises, or is a callable (a method to call, a related object that does not exist) takes
    DRF's path as before, so the answer is the same (`cases.tests.test_api`)."""

    def to_representation(self, instance: Any) -> dict[str, Any]:
        plan: list[tuple[str, Any, str | None]] | None = self.__dict__.get("_quick_plan")
        if plan is None:
            plan = []
            for field in self._readable_fields:  # type: ignore[attr-defined]
                attrs = field.source_attrs
                plain = len(attrs) == 1 and type(field).get_attribute is Field.get_attribute
                plan.append((field.field_name, field, attrs[0] if plain else None))
            self._quick_plan = plan
        direct_ok = not isinstance(instance, Mapping)
        ret: dict[str, Any] = {}
        for name, field, source in plan:
            attribute = getattr(instance, source, _MISSING) if source is not None and direct_ok else _MISSING
            if attribute is _MISSING or callable(attribute):
                try:
                    attribute = field.get_attribute(instance)
                except SkipField:
                    continue
            check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            ret[name] = None if check_for_none is None else field.to_representation(attribute)
        return ret

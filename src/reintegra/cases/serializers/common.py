"""What the case serializers share: bounded text and lists, named enums, field protection."""

from typing import Any

from django.db import models
from rest_framework import serializers

from reintegra.api.fields import CalledTextField, EnumChoiceField
from reintegra.api.protection import FieldsBuiltOnce, QuickRepresentation, SensitiveFieldsMixin
from reintegra.cases import choices as case_choices

# Longest free text accepted for a text field without its own limit (notes, needs, goals...).
TEXT_MAX_LENGTH = 10_000
# Longest list accepted for list inputs (documents, members, plan items, codes).
# DRF hands max_length with many=True to the ListSerializer; djangorestframework-stubs does not declare that
# keyword on serializers, hence `type: ignore[call-arg]` where a nested list is bounded.
LIST_MAX_LENGTH = 50


class CaseChoiceField(EnumChoiceField):
    """The choice field ModelSerializer builds from a model field's choices (a plain list): documented
    under the name of the class in `cases.choices` that has the same values, if any."""

    def schema_enum_name(self) -> str | None:
        if self.enum_name:
            return self.enum_name
        values = {key for key in self.choices if key not in ("", None)}
        for value in vars(case_choices).values():
            if isinstance(value, type) and issubclass(value, models.Choices) and set(value.values) == values:
                return f"{value.__name__}Enum"
        return None


# The fields made from the model are built once per class (`FieldsBuiltOnce`), their values read directly when they
# can be (`QuickRepresentation`). (The docstring below is the
# description of the schema's components: left as it is.)
class ProtectedModelSerializer(SensitiveFieldsMixin, FieldsBuiltOnce, QuickRepresentation, serializers.ModelSerializer):
    """Base for model representations: named enums in the schema, bounded free text, field protection."""

    serializer_choice_field = CaseChoiceField

    def build_standard_field(self, field_name: str, model_field: models.Field) -> tuple[type, dict[str, Any]]:
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if isinstance(model_field, models.TextField) and not kwargs.get("read_only"):
            kwargs.setdefault("max_length", TEXT_MAX_LENGTH)
        return field_class, kwargs


def request_user(serializer: serializers.BaseSerializer) -> Any:
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = CalledTextField(source="display_name", read_only=True)

"""Serializer fields shared by the API, with their OpenAPI description.

Every choice set is documented once, as a named enum component (`CaseStatusEnum`, `CountryEnum`...),
whatever the property that uses it is called; this keeps the schema free of enum-naming collisions
(`status` is a case status in one place and a plan item status in another).
"""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers

# Largest primary key a database accepts; larger numbers are answered with a field error, not a crash.
MAX_ID = 2**63 - 1


def parse_id(value: Any) -> int | None:
    """A primary key from a query string (`?programa=12`), or None: not ASCII digits, zero, or too large.

    For pages that read an id straight from request.GET: `str.isdigit()` accepts "²" (int() then fails)
    and numbers no database holds (a foreign-key filter then overflows).
    """
    text = str(value or "")
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


class IdField(serializers.IntegerField):
    """A reference to a row by its primary key (validated for range; existence is checked by the view)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class EnumChoiceField(serializers.ChoiceField):
    """A ChoiceField whose choices are documented as one named enum component.

    `EnumChoiceField(CaseStatus)` takes the name from the Choices class, `enum_name=` names a plain list;
    a subclass may find the name otherwise (`cases.serializers.CaseChoiceField`: fields ModelSerializer
    builds from a model field's choices). Without a name the field is documented inline.
    """

    def __init__(self, choices: Any, *, enum_name: str | None = None, **kwargs: Any) -> None:
        if isinstance(choices, type) and issubclass(choices, models.Choices):
            enum_name = enum_name or f"{choices.__name__}Enum"
            choices = choices.choices
        self.enum_name = enum_name
        super().__init__(choices, **kwargs)

    def schema_enum_name(self) -> str | None:
        return self.enum_name


class CountryCodeField(EnumChoiceField):
    """An ISO 3166-1 alpha-2 country code; accepted in any letter case, returned upper-case."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", _("ISO 3166-1 alpha-2 country code, e.g. MX, GT, HN, SV, US."))
        super().__init__([(code, code) for code in countries.countries], enum_name="CountryEnum", **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str):
            data = data.strip().upper()
            if data == "" and self.allow_blank:
                return ""
        return super().to_internal_value(data)

    def to_representation(self, value: Any) -> Any:
        return str(value) if value else ""


class EnumChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = EnumChoiceField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> Any:
        field = self.target
        name = field.schema_enum_name()
        if name is None:
            return auto_schema._map_serializer_field(field, direction, bypass_extensions=True)
        values = [key for key in field.choices if key not in ("", None)]
        schema: dict[str, Any] = {"type": "string", "enum": values}
        if not isinstance(field, CountryCodeField):
            schema["description"] = "\n".join(f"* `{key}` - {label}" for key, label in field.choices.items() if key)
        component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema)
        auto_schema.registry.register_on_missing(component)
        options = [component.ref]
        if field.allow_blank:
            blank = ResolvedComponent(
                name="BlankEnum", type=ResolvedComponent.SCHEMA, object="BlankEnum", schema={"enum": [""]}
            )
            auto_schema.registry.register_on_missing(blank)
            options.append(blank.ref)
        if field.allow_null:
            null = ResolvedComponent(
                name="NullEnum", type=ResolvedComponent.SCHEMA, object="NullEnum", schema={"enum": [None]}
            )
            auto_schema.registry.register_on_missing(null)
            options.append(null.ref)
        return options[0] if len(options) == 1 else {"oneOf": options}

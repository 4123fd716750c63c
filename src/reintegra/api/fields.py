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


# The lookup tables DRF derives from a fixed set of choices (grouped, flat, by string), made once per set: a
# serializer's fields are cloned for every request (DRF re-creates each field), and the countries are 250.
# DRF only reads these tables; a field given other choices later (`field.choices = ...`) gets its own.
_CHOICE_TABLES: dict[Any, tuple[Any, Any, Any]] = {}


class EnumChoiceField(serializers.ChoiceField):
    """A ChoiceField whose choices are documented as one named enum component.

    `EnumChoiceField(CaseStatus)` takes the name from the Choices class, `enum_name=` names a plain list;
    a subclass may find the name otherwise (`cases.serializers.CaseChoiceField`: fields ModelSerializer
    builds from a model field's choices). Without a name the field is documented inline.
    """

    _choices_key: Any = None

    def __init__(self, choices: Any, *, enum_name: str | None = None, **kwargs: Any) -> None:
        if isinstance(choices, type) and issubclass(choices, models.Choices):
            self._choices_key = choices
            enum_name = enum_name or f"{choices.__name__}Enum"
            choices = choices.choices
        self.enum_name = enum_name
        super().__init__(choices, **kwargs)
        self._choices_key = None  # choices set later on this field are its own

    def _set_choices(self, choices: Any) -> None:
        key = self._choices_key
        tables = _CHOICE_TABLES.get(key) if key is not None else None
        if tables is None:
            super()._set_choices(choices)
            if key is not None:
                _CHOICE_TABLES[key] = (self.grouped_choices, self._choices, self.choice_strings_to_values)
        else:
            self.grouped_choices, self._choices, self.choice_strings_to_values = tables

    choices = property(serializers.ChoiceField._get_choices, _set_choices)

    def schema_enum_name(self) -> str | None:
        return self.enum_name


class ChoiceLabelField(serializers.CharField):
    """The label of a stored code in the reader's language (`status_label`): what `get_status_display` answers
    (the code itself when it is no longer a choice, "" for none), read from the Choices class instead of through
    the model's `get_FOO_display` and DRF's callable lookup (an `inspect.signature` per row)."""

    def __init__(self, choices: type[models.Choices], **kwargs: Any) -> None:
        self.choices_class = choices
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str:
        if value == "":
            return ""
        try:
            return str(self.choices_class(value).label)
        except ValueError:
            return str(value)


class CalledTextField(serializers.CharField):
    """Read-only text from a method of the object taking no argument (`display_name`), called directly: DRF's
    own lookup of a callable source inspects its signature (`inspect.signature`) on every row."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def get_attribute(self, instance: Any) -> Any:
        *path, method = self.source_attrs
        for name in path:
            instance = getattr(instance, name)
            if instance is None:
                return None
        return getattr(instance, method)()


def _country_choices() -> list[tuple[str, str]]:
    if CountryCodeField in _CHOICE_TABLES:
        return []  # the tables made from the list below are used (EnumChoiceField._set_choices)
    return [(code, code) for code in countries.countries]


class CountryCodeField(EnumChoiceField):
    """An ISO 3166-1 alpha-2 country code; accepted in any letter case, returned upper-case."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", _("ISO 3166-1 alpha-2 country code, e.g. MX, GT, HN, SV, US."))
        self._choices_key = CountryCodeField
        super().__init__(_country_choices(), enum_name="CountryEnum", **kwargs)

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

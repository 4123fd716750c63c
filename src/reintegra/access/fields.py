"""Model fields for sensitive data: encrypted at rest and tagged with their sensitive category."""

import json
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxLengthValidator
from django.db import models

from reintegra.access import crypto
from reintegra.access.roles import SensitiveCategory


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; read back in clear. Not searchable: use a blind index for lookups.

    `max_length` limits the clear text (model validation, forms, API), never the column: a token is longer
    than the text it holds."""

    def __init__(self, *args: Any, category: SensitiveCategory | str | None = None, **kwargs: Any) -> None:
        self.sensitive_category = SensitiveCategory(category) if category else None
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if not self.blank:
            kwargs["blank"] = False  # the constructor's default is blank=True
        if self.sensitive_category:
            kwargs["category"] = str(self.sensitive_category)
        return name, path, args, kwargs

    @cached_property
    def validators(self) -> list[Any]:
        # TextField does not enforce max_length; services validate with full_clean, so the limit is here.
        limit = [MaxLengthValidator(self.max_length)] if self.max_length is not None else []
        return [*super().validators, *limit]

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))


class EncryptedJSONField(EncryptedTextField):
    """A JSON document stored as a Fernet token of its JSON text. Nothing can filter on its content in SQL:
    whatever statistics need is stored beside it (e.g. a survey round's scores)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", dict)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:  # type: ignore[override]
        if value is None:
            return None
        if value == "":
            return {}
        return json.loads(crypto.decrypt(value))

    def to_python(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc

    def get_prep_value(self, value: Any) -> Any:
        value = models.Field.get_prep_value(self, value)
        if value is None:
            return None
        return crypto.encrypt(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))

    def value_to_string(self, obj: models.Model) -> str:
        return json.dumps(self.value_from_object(obj), cls=DjangoJSONEncoder, ensure_ascii=False)

    def formfield(self, **kwargs: Any) -> Any:
        from django import forms

        return super().formfield(**{"form_class": forms.JSONField, **kwargs})


def sensitive_category(field: models.Field) -> SensitiveCategory | None:
    return getattr(field, "sensitive_category", None)

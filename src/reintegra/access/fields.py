"""Model fields for sensitive data: encrypted at rest and tagged with their sensitive category."""

import json
from datetime import date
from typing import Any

from django import forms
from django.core import exceptions, validators
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.lookups import Exact, IsNull
from django.utils.functional import cached_property

from reintegra.access import crypto
from reintegra.access.roles import SensitiveCategory


class _EmptyOnlyExact(Exact):
    """`field=""` (what a check constraint asks); any other value would be compared with a ciphertext."""

    def get_db_prep_lookup(self, value: Any, connection: Any) -> Any:
        if value not in ("", None):
            raise exceptions.FieldError(
                f"{self.lhs.output_field.name} is encrypted: it cannot be filtered by value (use its blind index)."
            )
        return super().get_db_prep_lookup(value, connection)


class _NoValueLookups:
    """Encrypted columns hold a fresh ciphertext per write: lookups, ordering by value and transforms
    (`__year`, `__icontains`...) would silently find nothing, so they fail loudly instead."""

    allowed_lookups: dict[str, Any] = {"isnull": IsNull}

    def get_lookup(self, lookup_name: str) -> Any:
        found = self.allowed_lookups.get(lookup_name)
        if found is None:
            raise exceptions.FieldError(
                f"{getattr(self, 'name', 'This field')} is encrypted: lookup '{lookup_name}' is not supported."
            )
        return found

    def get_transform(self, lookup_name: str) -> Any:
        return None


class EncryptedTextField(_NoValueLookups, models.TextField[Any, Any]):
    """Text stored as a Fernet token; read back in clear. Not searchable: use a blind index for lookups.

    `max_length` limits the clear text (model validation, forms, API), never the column: a token is longer
    than the text it holds."""

    allowed_lookups = {"isnull": IsNull, "exact": _EmptyOnlyExact}
    encrypted_at_rest = True

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

    def from_db_values(self, values: list[Any]) -> list[Any]:
        """`from_db_value` of a whole column of read values (an export's batch): the tokens opened together
        (`crypto.decrypt_many`)."""
        return crypto.decrypt_many(values)

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

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        if value == "":
            return {}
        return json.loads(crypto.decrypt(value))

    def from_db_values(self, values: list[Any]) -> list[Any]:
        return [self.from_db_value(value, None, None) for value in values]

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


class EncryptedCharField(EncryptedTextField):
    """Short encrypted text (a name, a phone number, an address) with a length limit on the clear value.

    Stored in a text column (a ciphertext is longer than the value); validated, rendered and documented
    as a single-line field of `max_length` characters. Only `isnull` and `= ""` can be queried.
    """

    def __init__(self, *args: Any, max_length: int, **kwargs: Any) -> None:
        super().__init__(*args, max_length=max_length, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if not self.blank:
            kwargs["blank"] = False  # explicit: EncryptedTextField defaults to blank=True
        return name, path, args, kwargs

    @cached_property
    def validators(self) -> list[Any]:
        assert self.max_length is not None
        return [*super().validators, validators.MaxLengthValidator(self.max_length)]

    def formfield(self, **kwargs: Any) -> Any:
        return models.Field.formfield(self, **{"form_class": forms.CharField, "max_length": self.max_length, **kwargs})


class EncryptedDateField(_NoValueLookups, models.DateField[Any, Any]):
    """A date (e.g. an exact birth date) stored as a Fernet token of its ISO form, read back as a date.

    Keep a clear column beside it for what statistics need (a birth year); only `isnull` can be queried.
    """

    allowed_lookups = {"isnull": IsNull, "exact": _EmptyOnlyExact}  # exact: `= None` becomes isnull
    encrypted_at_rest = True

    def __init__(self, *args: Any, category: SensitiveCategory | str | None = None, **kwargs: Any) -> None:
        self.sensitive_category = SensitiveCategory(category) if category else None
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.sensitive_category:
            kwargs["category"] = str(self.sensitive_category)
        return name, path, args, kwargs

    def get_internal_type(self) -> str:
        return "TextField"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> date | None:
        if value is None or value == "":
            return None
        return date.fromisoformat(crypto.decrypt(value))

    def from_db_values(self, values: list[Any]) -> list[Any]:
        """`from_db_value` of a whole column (`crypto.decrypt_many`)."""
        return [date.fromisoformat(text) if text else None for text in crypto.decrypt_many(values)]

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        value = self.get_prep_value(value)
        if value is None:
            return None
        return crypto.encrypt(value.isoformat())


def is_encrypted(field: models.Field[Any, Any]) -> bool:
    """Whether a model field's column holds ciphertexts (`reintegra rotate-keys` re-encrypts those)."""
    return isinstance(field, EncryptedTextField) or getattr(field, "encrypted_at_rest", False)


def sensitive_category(field: models.Field[Any, Any]) -> SensitiveCategory | None:
    return getattr(field, "sensitive_category", None)

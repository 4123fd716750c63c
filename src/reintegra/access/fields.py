"""Model fields for sensitive data: encrypted at rest and tagged with their sensitive category."""

from datetime import date
from typing import Any

from django import forms
from django.core import exceptions, validators
from django.db import models
from django.db.models.lookups import Exact, IsNull
from django.utils.functional import cached_property

from reintegra.access import crypto
from reintegra.access.roles import SensitiveCategory


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; read back in clear. Not searchable: use a blind index for lookups."""

    def __init__(self, *args: Any, category: SensitiveCategory | str | None = None, **kwargs: Any) -> None:
        self.sensitive_category = SensitiveCategory(category) if category else None
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.sensitive_category:
            kwargs["category"] = str(self.sensitive_category)
        return name, path, args, kwargs

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))


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


class EncryptedCharField(_NoValueLookups, EncryptedTextField):
    """Short encrypted text (a name, a phone number, an address) with a length limit on the clear value.

    Stored in a text column (a ciphertext is longer than the value); validated, rendered and documented
    as a single-line field of `max_length` characters. Only `isnull` and `= ""` can be queried.
    """

    allowed_lookups = {"isnull": IsNull, "exact": _EmptyOnlyExact}
    encrypted_at_rest = True

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


class EncryptedDateField(_NoValueLookups, models.DateField):
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

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        value = self.get_prep_value(value)
        if value is None:
            return None
        return crypto.encrypt(value.isoformat())


def is_encrypted(field: models.Field) -> bool:
    """Whether a model field's column holds ciphertexts (`reintegra rotate-keys` re-encrypts those)."""
    return isinstance(field, EncryptedTextField) or getattr(field, "encrypted_at_rest", False)


def sensitive_category(field: models.Field) -> SensitiveCategory | None:
    return getattr(field, "sensitive_category", None)

"""Model fields for sensitive data: encrypted at rest and tagged with their sensitive category."""

from typing import Any

from django.db import models

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


def sensitive_category(field: models.Field) -> SensitiveCategory | None:
    return getattr(field, "sensitive_category", None)

"""The shape of a service's refusal, shared by every app (docs/ARCHITECTURE.md, "One rule path").

A service checks every rule of its input, collects what is wrong in a `FieldErrors` and raises one
`ValidationError` keyed by field, each message with a stable code. The web form shows it with
`reintegra.web.forms.apply_service_errors`, the API with `reintegra.api.exceptions` (400, the field and the
code), so both channels refuse the same input with the same field and code:

    errors = FieldErrors()
    if data.amount is not None and not data.currency:
        errors.add("currency", _("Give the currency of the amount."), "required")
    with errors.capture():                      # a check that raises its own ValidationError
        links.check_link_change(provider, data.organisation)
    errors.raise_if_any()

Codes name what is wrong, in Django's words where Django has one: `required` (a value the rule needs is
missing), `invalid_choice` (not one of the values, or a record the user may not choose), `max_length`;
the project's own: `in_future`, `before_return`, `ends_before_start`, `out_of_range`, `invalid_phone`,
`duplicate`… A list's rows are named by their position, as the API names nested fields: "items.0.currency".

The lowest layer: it imports nothing from the apps.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import phonenumbers
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _


class FieldErrors:
    """Field → the messages (with their codes) of everything wrong with one input."""

    def __init__(self) -> None:
        self._errors: dict[str, list[ValidationError]] = {}

    def add(self, field: str, message: Any, code: str, params: dict[str, Any] | None = None) -> None:
        self._errors.setdefault(field, []).append(ValidationError(message, code=code, params=params))

    def extend(self, error: ValidationError, *, prefix: str = "") -> None:
        """Every message of `error` (keyed ones under their field, after `prefix`; others on the input as a whole)."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self._errors.setdefault(f"{prefix}{field}", []).extend(errors)
        else:
            self._errors.setdefault(prefix.rstrip(".") or NON_FIELD_ERRORS, []).extend(error.error_list)

    @contextmanager
    def capture(self, *, prefix: str = "") -> Iterator[None]:
        """Collect the ValidationError the block raises (a model's full_clean, another service's check)."""
        try:
            yield
        except ValidationError as error:
            self.extend(error, prefix=prefix)

    def __contains__(self, field: object) -> bool:
        return field in self._errors

    def __bool__(self) -> bool:
        return bool(self._errors)

    def messages(self) -> dict[str, list[str]]:
        """Field → the messages as text (a report of rows, an import's preview)."""
        return {field: [str(m) for e in errors for m in e.messages] for field, errors in self._errors.items()}

    def error(self) -> ValidationError:
        return ValidationError(dict(self._errors))

    def raise_if_any(self) -> None:
        if self._errors:
            raise self.error()


def field_error(field: str, message: Any, code: str, params: dict[str, Any] | None = None) -> ValidationError:
    """One refusal about one field (the common case: `raise field_error("agreed_on", _("…"), "in_future")`)."""
    return ValidationError({field: ValidationError(message, code=code, params=params)})


# --- phone numbers -------------------------------------------------------------------------------


def e164_phone(value: str, region: str | None) -> str:
    """`value` as an E.164 number ("+525512345678"): with a leading + in any country, otherwise read as a
    number of `region` (ISO 3166 code, the country of return). "" stays "". ValueError when it is not a
    valid number."""
    text = (value or "").strip()
    if not text:
        return ""
    try:
        parsed = phonenumbers.parse(text, (region or "").upper() or None)
    except phonenumbers.NumberParseException:
        raise ValueError(text) from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(text)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def add_phone(errors: FieldErrors, field: str, value: str, region: str | None) -> str:
    """The number stored for `value` (E.164, see `e164_phone`); an `invalid_phone` error on `field` otherwise."""
    try:
        return e164_phone(value, region)
    except ValueError:
        errors.add(
            field,
            _(
                "This is not a valid phone number for the country of return. Check it or start with + and the "
                "country code."
            ),
            "invalid_phone",
        )
        return (value or "").strip()

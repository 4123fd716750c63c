"""Forms of every app show a service's errors in one way (docs/ARCHITECTURE.md, "The UI kit").

A form only parses; the service decides and raises `ValidationError({"field": _("…")}, code="…")`. The view
puts that error back on the form it came from and renders the page again, with what the user typed:

    try:
        services.save_provider(request.user, form.to_input(), expected_version=version)
    except ValidationError as exc:
        apply_service_errors(exc, form)                      # or form.add_service_errors(exc)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def apply_service_errors(
    error: ValidationError,
    forms_in_order: forms.BaseForm | Iterable[forms.BaseForm | None],
    *,
    aliases: Mapping[str, str] | None = None,
    onto: str | None = None,
    limit: int | None = None,
) -> None:
    """Show a service's ValidationError on the form (or forms, when one page posts several).

    Each message goes on the field the service names, on the first form that has it; `aliases` maps a
    service's name to the form's ({"date": "taken_on"}). A message about a field none of the forms shows,
    and an error without field names (a `StaleVersion`, a `PermissionDenied` turned into text), goes on the
    first form as a whole, so no message is ever lost. `onto` puts every message on that one field (an
    import: whatever the service found, the file is what to correct); `limit` keeps the first messages of
    each field (a file can have thousands of problems). Codes and parameters are kept.
    """
    if isinstance(forms_in_order, forms.BaseForm):
        targets = [forms_in_order]
    else:
        targets = [f for f in forms_in_order if f is not None]
    by_field: dict[str, list[ValidationError]] = (
        error.error_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.error_list}
    )
    for name, errors in by_field.items():
        shown = onto or (aliases or {}).get(name, name)
        target = next((f for f in targets if shown in f.fields), None)
        kept = errors[:limit] if limit is not None else errors
        if target is None:
            targets[0].add_error(None, kept)
        else:
            target.add_error(shown, kept)


class ServiceErrorsMixin:
    """A form that shows a service's errors on itself: `form.add_service_errors(exc)`."""

    def add_service_errors(self, error: ValidationError, *, aliases: Mapping[str, str] | None = None) -> None:
        form: Any = self
        apply_service_errors(error, form, aliases=aliases)

"""Forms of every app show a service's errors in one way (docs/ARCHITECTURE.md, "The UI kit").

A form only parses; the service decides and raises `ValidationError({"field": _("…")}, code="…")`. The view
puts that error back on the form it came from and renders the page again, with what the user typed:

    try:
        services.save_provider(request.user, form.to_input(), expected_version=version)
    except ValidationError as exc:
        apply_service_errors(exc, form)                      # or form.add_service_errors(exc)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
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
    rows: Mapping[str, Sequence[forms.BaseForm]] | None = None,
    only_new_fields: bool = False,
) -> None:
    """Show a service's ValidationError on the form (or forms, when one page posts several).

    Each message goes on the field the service names, on the first form that has it; `aliases` maps a
    service's name to the form's ({"date": "taken_on"}). A message about a field none of the forms shows,
    and an error without field names (a `StaleVersion`, a `PermissionDenied` turned into text), goes on the
    first form as a whole, so no message is ever lost. `onto` puts every message on that one field (an
    import: whatever the service found, the file is what to correct); `limit` keeps the first messages of
    each field (a file can have thousands of problems). `rows` names the forms of a formset in the order
    their values reached the service ({"items": formset.kept_forms()}): a message about "items.2.currency"
    goes on the third row's currency field. `only_new_fields` shows only messages about fields that have
    no error yet (a page whose forms did not all parse asks the service for its rules too, without writing:
    every error shows at once). Codes and parameters are kept.
    """
    if isinstance(forms_in_order, forms.BaseForm):
        targets = [forms_in_order]
    else:
        targets = [f for f in forms_in_order if f is not None]
    by_field: dict[str, list[ValidationError]] = (
        error.error_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.error_list}
    )
    for name, errors in by_field.items():
        row = _row_field(name, rows) if rows and not onto else None
        if row is not None:
            form, field = row
            shown_on_row = field in form.fields and not form.fields[field].widget.is_hidden
            form.add_error(field if shown_on_row else None, errors[:limit] if limit is not None else errors)
            continue
        shown = onto or (aliases or {}).get(name, name)
        target = next((f for f in targets if shown in f.fields), None)
        kept = errors[:limit] if limit is not None else errors
        if only_new_fields and (target is None or shown in target.errors):
            continue
        if target is None:
            targets[0].add_error(None, kept)
        else:
            target.add_error(shown, kept)


def _row_field(name: str, rows: Mapping[str, Sequence[forms.BaseForm]]) -> tuple[forms.BaseForm, str] | None:
    """The row form and field a service's "list.index.field" key names, if `rows` has that row."""
    parts = name.split(".", 2)
    if len(parts) != 3 or parts[0] not in rows or not parts[1].isdigit():
        return None
    forms_of_list = rows[parts[0]]
    index = int(parts[1])
    return (forms_of_list[index], parts[2]) if index < len(forms_of_list) else None


def marked_required[F: forms.Field](field: F) -> F:
    """A field the form does not require (it only parses) but the service does: shown with the required
    mark, so the page says so before the service refuses (`web/includes/field.html`)."""
    field.marked_required = True  # type: ignore[attr-defined]
    return field


class ServiceErrorsMixin:
    """A form that shows a service's errors on itself: `form.add_service_errors(exc)`."""

    def add_service_errors(self, error: ValidationError, *, aliases: Mapping[str, str] | None = None) -> None:
        form: Any = self
        apply_service_errors(error, form, aliases=aliases)

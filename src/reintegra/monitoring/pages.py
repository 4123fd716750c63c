"""Helpers every page of the app uses: the programme a page is about, the framework it has, saving an edit of
a versioned record, the registry's populations as the definition editor reads them, and the shape of a value
on a page."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.http import Http404

from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.models import Programme
from reintegra.access.transitions import TransitionError
from reintegra.access.versioning import StaleVersion
from reintegra.monitoring import definition as definitions
from reintegra.monitoring import permissions, registry, selectors
from reintegra.monitoring.engine import Cell
from reintegra.monitoring.models import ResultsFramework
from reintegra.web import versioning
from reintegra.web.forms import apply_service_errors
from reintegra.web.steps import show_refused

if TYPE_CHECKING:
    from reintegra.access.models import User


def programme_or_404(user: User, pk: int, *, for_write: bool = False) -> Programme:
    """A hidden programme is not found; one the user reads but may not change is forbidden (for_write)."""
    try:
        return permissions.access_programme_by_id(user, pk, for_write=for_write)
    except Programme.DoesNotExist:
        raise Http404 from None


def framework_or_404(programme: Programme) -> ResultsFramework:
    framework = selectors.framework_of(programme)
    if framework is None:
        raise Http404
    return framework


def context(user: User, programme: Programme, section: str, **values: Any) -> dict[str, Any]:
    """What the app's base template needs: the programme, the sub-navigation's current section, whether the
    user may change things."""
    return {
        "nav": "monitoring",
        "programme": programme,
        "section": section,
        "can_manage": permissions.can_manage(user, programme),
        **values,
    }


@dataclass
class Edit:
    """How a posted edit went: saved, or the version to post again and the conflict to show (if any)."""

    record_version: int
    conflict: Any = None
    saved: bool = False


def save_edit(
    request: AuthenticatedHttpRequest,
    form: Any,
    current_version: int,
    save: Callable[[Any, int], object],
    stored: Callable[[Any], Mapping[str, Any]],
    aliases: Callable[[Mapping[str, Any]], dict[str, str]] | None = None,
) -> Edit:
    """Save a versioned record's form (`save(input, expected_version)`); someone else's newer save shows as a
    conflict (`stored(current)`: the record as it is now, as the form's initial), a refused transition as a
    message, the service's errors on the form's fields (`aliases`: error keys to fields)."""
    posted = request.method == "POST"
    edit = Edit(versioning.posted_version(request.POST) if posted else current_version)
    if not (posted and form.is_valid()):
        return edit
    try:
        save(form.to_input(), edit.record_version)
    except StaleVersion as exc:
        edit.conflict = versioning.conflict(exc, [(form, stored(exc.current))])
        edit.record_version = exc.current_version
    except TransitionError as exc:
        show_refused(request, exc)
    except ValidationError as exc:
        apply_service_errors(exc, form, aliases=aliases(getattr(exc, "error_dict", {})) if aliases else None)
    else:
        edit.saved = True
    return edit


def _field(spec: registry.FieldSpec) -> dict[str, Any]:
    kind = type(spec).__name__.lower()
    found: dict[str, Any] = {"label": str(spec.label), "kind": kind, "ops": list(definitions.OPS_BY_KIND[type(spec)])}
    if isinstance(spec, registry.Choice):
        found["choices"] = [[code, str(label)] for code, label in spec.options()]
    return found


def catalogue() -> dict[str, Any]:
    """The populations apps registered, for the structured editor of a computed indicator."""
    return {
        p.key: {
            "label": str(p.label),
            "units": {key: str(u.label) for key, u in p.units.items()},
            "dates": {key: str(d.label) for key, d in p.dates.items()},
            "fields": {key: _field(spec) for key, spec in p.fields.items()},
            "values": {key: str(v.label) for key, v in p.values().items()},
        }
        for p in registry.populations()
    }


def parts(cell: Cell | None) -> dict[str, Any] | None:
    if cell is None:
        return None
    return {"numerator": cell.numerator, "denominator": cell.denominator, "value": cell.value}

"""Helpers every page of the results framework uses: the programme a page is about, the framework it has,
the registry's populations as the definition editor reads them, and the shape of a value on a page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import Http404

from reintegra.access.models import Programme
from reintegra.monitoring import definition as definitions
from reintegra.monitoring import permissions, registry, selectors
from reintegra.monitoring.engine import Cell
from reintegra.monitoring.models import ResultsFramework

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

"""What every page of the sustainability app shares: the role check before any lookup, the names of the
scores and rounds, the language of the instrument's labels."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from reintegra.access import permissions
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.roles import Capability
from reintegra.sustainability.choices import Dimension
from reintegra.sustainability.definition import COMPOSITE

INSTRUMENT_READERS = frozenset(
    {Capability.MANAGE_PROGRAMME, Capability.VIEW_AGGREGATES, Capability.IMPORT_SUBMISSIONS, Capability.EDIT_CASES}
)


def needs(*capabilities: Capability) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Role check before any lookup (a forbidden action never reveals whether an object exists)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            permissions.require(request.user, *capabilities)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def language() -> str:
    return get_language() or "es"


def score_titles() -> dict[str, Any]:
    """The survey's four scores: one per dimension (the vocabulary's labels) and the composite across them."""
    return {**dict(Dimension.choices), COMPOSITE: _("Composite")}


def month_label(month: int | None) -> str:
    if month is None:
        return _("Unscheduled round")
    return _("Baseline") if month == 0 else _("%(month)s months") % {"month": month}

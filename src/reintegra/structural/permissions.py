"""Who may read and change structural records (the rule: `structural.selectors`' docstring), and the
fetch-and-authorise helper of the pages and the API.

Reading needs VIEW_STRUCTURAL or EDIT_STRUCTURAL, on a programme the user sees (a hidden record: 404).
Changing needs EDIT_STRUCTURAL on a programme the user may change: their organisation's, or another's that
granted their coordination body write access (otherwise 403, code `no_write_grant`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.utils.translation import gettext as _

from reintegra.access import permissions
from reintegra.access.models import Programme
from reintegra.access.roles import Capability
from reintegra.structural import selectors

if TYPE_CHECKING:
    from reintegra.access.models import User


class NoWriteGrant(PermissionDenied):
    """A write on another organisation's records it has not granted write access to (a 403)."""

    code = "no_write_grant"


def no_write_grant(programme_id: int | None) -> NoWriteGrant:
    owner = Programme.objects.filter(pk=programme_id or 0).values_list("organisation__name", flat=True).first()
    return NoWriteGrant(
        _("These records belong to %(organisation)s, which has not given your organisation write access to them.")
        % {"organisation": owner or "—"}
    )


def require_view(user: User) -> None:
    if not selectors.can_view(user):
        raise permissions.denied()


def require_programme_edit(user: User, programme_id: int | None) -> None:
    """EDIT_STRUCTURAL (PermissionDenied), on a programme the user may change (NoWriteGrant)."""
    permissions.require(user, Capability.EDIT_STRUCTURAL)
    if not selectors.can_edit_programme(user, programme_id):
        raise no_write_grant(programme_id)


def access_record_by_id[M: Model](user: User, model: type[M], pk: Any, *, for_write: bool = False) -> M:
    """A record of a programme the user sees (Http404 otherwise); `for_write`: one they may change."""
    record = selectors.get_visible(user, model, pk)
    if for_write:
        require_programme_edit(user, record.programme_id)  # type: ignore[attr-defined]
    return record

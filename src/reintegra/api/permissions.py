"""Role checks done before any lookup, so a forbidden write never reveals whether an object exists."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from reintegra.access.roles import Capability


class CaseWorkPermission(BasePermission):
    """Reading needs a role that sees cases; writing needs one that edits them (roles.py).

    Which rows a user sees is decided by the selectors (access.scoping), not here.
    """

    message = _("You do not have permission to do this.")

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated and hasattr(user, "has_capability")):
            return False
        if request.method in SAFE_METHODS and not getattr(view, "needs_edit_capability", False):
            return user.has_capability(Capability.VIEW_ASSIGNED_CASES)
        return user.has_capability(Capability.EDIT_CASES)

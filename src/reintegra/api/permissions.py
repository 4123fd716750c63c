"""Role checks done before any lookup, so a forbidden write never reveals whether an object exists."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated

from reintegra.access.roles import Capability
from reintegra.api.query import QueryParametersMixin


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
            return bool(user.has_capability(Capability.VIEW_ASSIGNED_CASES))
        return bool(user.has_capability(Capability.EDIT_CASES))


class CapabilityPermission(BasePermission):
    """The view's `read_capabilities` (safe methods) or `write_capabilities` (any other): any one suffices;
    None means any signed-in user (the scoped selectors then decide what exists for them)."""

    message = _("You do not have permission to do this.")

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated and hasattr(user, "has_capability")):
            return False
        needed = view.read_capabilities if request.method in SAFE_METHODS else view.write_capabilities
        return needed is None or any(user.has_capability(capability) for capability in needed)


class ProtectedView(QueryParametersMixin, GenericAPIView[Any]):
    permission_classes = [IsAuthenticated, CapabilityPermission]
    read_capabilities: tuple[Capability, ...] | None = None
    write_capabilities: tuple[Capability, ...] | None = ()
    pagination_class: Any = None

"""Role checks done before any lookup, so a forbidden write never reveals whether an object exists."""

from typing import Any

from rest_framework.exceptions import NotAuthenticated
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.request import Request

from reintegra.access import permissions
from reintegra.access.models import User
from reintegra.access.roles import Capability
from reintegra.api.query import QueryParametersMixin


def acting_user(request: Request) -> User:
    """The signed-in user of a request that the view's permission classes let through (they all require
    one): what the services and selectors are given."""
    user = request.user
    if isinstance(user, User) and user.is_authenticated:
        return user
    raise NotAuthenticated


class CaseWorkPermission(BasePermission):
    """Reading needs a role that sees cases; writing needs one that edits them (roles.py).

    Which rows a user sees is decided by the selectors (access.scoping), not here.
    """

    message = permissions.DENIED_MESSAGE

    def has_permission(self, request: Any, view: Any) -> bool:
        if request.method in SAFE_METHODS and not getattr(view, "needs_edit_capability", False):
            return permissions.has_any(request.user, Capability.VIEW_ASSIGNED_CASES)
        return permissions.has_any(request.user, Capability.EDIT_CASES)


class CapabilityPermission(BasePermission):
    """The view's `read_capabilities` (safe methods) or `write_capabilities` (any other): any one suffices;
    None means any signed-in user (the scoped selectors then decide what exists for them)."""

    message = permissions.DENIED_MESSAGE

    def has_permission(self, request: Any, view: Any) -> bool:
        if not permissions.is_active_user(request.user):
            return False
        needed = view.read_capabilities if request.method in SAFE_METHODS else view.write_capabilities
        return needed is None or (bool(needed) and permissions.has_any(request.user, *needed))


class ProtectedView(QueryParametersMixin, GenericAPIView[Any]):
    permission_classes = [IsAuthenticated, CapabilityPermission]
    read_capabilities: tuple[Capability, ...] | None = None
    write_capabilities: tuple[Capability, ...] | None = ()
    pagination_class: Any = None

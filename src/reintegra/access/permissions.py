"""Permission checks, written once for every app (docs/ARCHITECTURE.md, "Permissions").

Two questions, asked at the top of every service (and, for an early 403, of the view or API that calls it):

- the capability: `require(user, *capabilities)` — signed in, active and holding at least one of them;
- the object's scope: `require_holding_organisation(user, record)` — the record belongs to the user's
  organisation (the case it holds, the directory entry it owns, the programme it runs).

Both raise PermissionDenied (`denied()`: the one translated message unless a rule has its own). Which rows a
user *sees* is each app's selectors' (`cases.scoping`...); the fetch-and-authorise helpers that combine the
two (`cases.permissions.access_case_by_id(user, pk, for_write=True)`...) live in the apps that own the
records, since this layer imports none of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, TypeGuard

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy

from reintegra.access.roles import Capability

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from reintegra.access.models import User

# The one answer to a refused action, unless a rule says more (the API's permission classes show it too).
DENIED_MESSAGE = gettext_lazy("You do not have permission to do this.")


class Held(Protocol):
    """A record that belongs to one organisation (a case, a returnee, a programme...)."""

    @property
    def organisation_id(self) -> int | None: ...


def is_active_user(user: User | AnonymousUser | None) -> TypeGuard[User]:
    """Signed in and not deactivated."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def has_any(user: User | AnonymousUser | None, *capabilities: Capability) -> bool:
    """Signed in, active, and holding at least one of `capabilities`."""
    assert capabilities, "name the capabilities to check"
    return is_active_user(user) and any(user.has_capability(c) for c in capabilities)


def denied(message: str | None = None) -> PermissionDenied:
    return PermissionDenied(message or str(DENIED_MESSAGE))


def require(user: User | AnonymousUser | None, *capabilities: Capability) -> None:
    """PermissionDenied unless the user is signed in, active and holds at least one of `capabilities`."""
    if not has_any(user, *capabilities):
        raise denied()


def holds(user: User, holder: Held | int | None) -> bool:
    """Whether the record (or the organisation id) is the user's organisation's."""
    organisation_id = holder if holder is None or isinstance(holder, int) else holder.organisation_id
    return is_active_user(user) and bool(user.organisation_id) and organisation_id == user.organisation_id


def own_organisation_id(user: User) -> int:
    """The user's organisation, as the holder of a record they create. Whoever may create one works for an
    organisation (the service checked it first); a user outside any is refused, never saved without one."""
    if user.organisation_id is None:
        raise denied()
    return user.organisation_id


def require_holding_organisation(user: User, holder: Held | int | None, message: str | None = None) -> None:
    """PermissionDenied unless the record belongs to the user's organisation: another organisation's
    record, even one the user may read (a case shared with their organisation), is changed only by it."""
    if not holds(user, holder):
        raise denied(message)

"""The signed-in user of each request, read in one statement.

Django's `ModelBackend.get_user` reads the user alone; then the page's first `user.organisation` (every page's
header shows it) and first capability check (`User.roles`) read one row each: three statements on every request
before the view starts. `AccountBackend` reads the user with their organisation and their role codes at once,
with the statement compiled once per connection (`web.page_rows`) and prepared (`reintegra.prepared_statements`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import OuterRef, QuerySet, StringAgg, Subquery, Value

from reintegra.access.models import RoleAssignment, User
from reintegra.access.roles import Role
from reintegra.web import page_rows

ROLE_CODES = "_role_codes"
_SEPARATOR = ","


def role_codes(user_id: Any) -> Subquery:
    """The user's role codes joined by commas (None without roles): to read with the user, `set_roles` after."""
    of_user = RoleAssignment.objects.filter(user_id=user_id).order_by().values("user_id")
    return Subquery(of_user.annotate(codes=StringAgg("role", delimiter=Value(_SEPARATOR))).values("codes"))


def set_roles(user: User, holder: Any) -> None:
    """`User.roles` from the codes read with `role_codes` into `holder` (the user, or the row that brought it)."""
    codes = holder.__dict__.pop(ROLE_CODES) or ""
    user.__dict__["roles"] = frozenset(Role(code) for code in codes.split(_SEPARATOR) if code)


def _signed_in(pks: list[Any]) -> QuerySet[User]:
    users = User._default_manager.filter(pk=pks[0]).select_related("organisation")
    return users.annotate(**{ROLE_CODES: role_codes(OuterRef("pk"))})


class AccountBackend(ModelBackend):
    """`ModelBackend` (passwords, `is_active`) whose `get_user` also reads the organisation and the roles."""

    def get_user(self, user_id: Any) -> User | None:
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        found = page_rows.instances("session-user", User._default_manager.db, _signed_in, [pk], ([-1], [-2]))
        if found is None:  # a shape page_rows does not read: the ORM's own path, same statement
            found = list(_signed_in([pk]))
        if not found:
            return None
        user = found[0]
        set_roles(user, user)
        return user if self.user_can_authenticate(user) else None

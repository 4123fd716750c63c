"""Object permissions for django-rules, built on the same scoping as the selectors (the case permissions
are in `cases.rules`)."""

from typing import Any

import rules

from reintegra.access.roles import Capability


@rules.predicate
def can_manage_users(user: Any) -> bool:
    return bool(user.is_authenticated and user.has_capability(Capability.MANAGE_USERS))


rules.add_perm("access.manage_users", can_manage_users)

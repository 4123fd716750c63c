"""Object permissions for django-rules, built on the same scoping as the selectors."""

from typing import Any

import rules

from reintegra.access import scoping
from reintegra.access.roles import Capability


@rules.predicate
def can_see_case(user: Any, case: Any) -> bool:
    if case is None:
        return False
    from reintegra.cases.models import Case

    return Case.objects.filter(scoping.case_visibility(user), pk=case.pk).exists()


@rules.predicate
def can_edit_cases(user: Any) -> bool:
    return scoping.can_edit_cases(user)


@rules.predicate
def can_assign_cases(user: Any) -> bool:
    return bool(user.is_authenticated and user.has_capability(Capability.ASSIGN_CASES))


@rules.predicate
def can_manage_users(user: Any) -> bool:
    return bool(user.is_authenticated and user.has_capability(Capability.MANAGE_USERS))


rules.add_perm("cases.view_case", can_see_case)
rules.add_perm("cases.change_case", can_edit_cases & can_see_case)
rules.add_perm("cases.assign_case", can_assign_cases & can_see_case)
rules.add_perm("cases.add_case", can_edit_cases)
rules.add_perm("access.manage_users", can_manage_users)

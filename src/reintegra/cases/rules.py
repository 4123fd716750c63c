"""Object permissions of cases for django-rules, built on the same scoping as the selectors."""

from typing import Any

import rules

from reintegra.access import scoping as access_scoping
from reintegra.access.roles import Capability
from reintegra.cases import scoping


@rules.predicate
def can_see_case(user: Any, case: Any) -> bool:
    if case is None:
        return False
    return scoping.can_see_case(user, case)


@rules.predicate
def can_edit_cases(user: Any) -> bool:
    return access_scoping.can_edit_cases(user)


@rules.predicate
def can_assign_cases(user: Any) -> bool:
    return bool(user.is_authenticated and user.has_capability(Capability.ASSIGN_CASES))


rules.add_perm("cases.view_case", can_see_case)
rules.add_perm("cases.change_case", can_edit_cases & can_see_case)
rules.add_perm("cases.assign_case", can_assign_cases & can_see_case)
rules.add_perm("cases.add_case", can_edit_cases)

"""Which cases and returnees a user may see. Every read of case data is filtered through here.

A case manager sees the cases assigned to them and to their team; supervisors and programme managers
see their organisation's cases, and the cases other organisations granted their organisation (apps above
this one register such grants: `protection` the cases shared under consent); nobody else sees a case at all.
The capability rules and field-level protection are `access.scoping`'s.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Q, QuerySet

from reintegra.access.models import User
from reintegra.access.roles import Capability
from reintegra.access.scoping import NOTHING, active_with_organisation
from reintegra.cases.models import Case, Returnee

# organisation id -> the ids of the cases granted to it (a `values("case_id")`-like queryset, used in a subquery).
CaseGrant = Callable[[int], QuerySet[Any, Any]]

_GRANTS: dict[str, CaseGrant] = {}


def register_case_grant(key: str, cases_granted_to: CaseGrant) -> None:
    """Let an organisation's supervisors and programme managers see the cases `cases_granted_to(org_id)`
    names, beside their own. Called from `AppConfig.ready()`; without a grant, only own cases are seen."""
    _GRANTS[key] = cases_granted_to


def granted_case_ids(organisation_id: int) -> list[QuerySet[Any, Any]]:
    """The subqueries of the case ids granted to the organisation, one per registered grant."""
    return [grant(organisation_id) for grant in _GRANTS.values()]


def case_visibility(user: User) -> Q:
    """A Q over Case rows."""
    organisation_id = user.organisation_id
    if organisation_id is None or not active_with_organisation(user):
        return NOTHING
    caps = user.capabilities
    own_org = Q(organisation_id=organisation_id)
    if Capability.VIEW_ORGANISATION_CASES in caps:
        visible = own_org
        for granted in granted_case_ids(organisation_id):
            visible |= Q(pk__in=granted)
        return visible
    if Capability.VIEW_ASSIGNED_CASES in caps:
        mine = Q(case_manager_id=user.pk)
        if user.team_id:
            mine |= Q(team_id=user.team_id)
        return own_org & mine
    return NOTHING


def returnee_visibility(user: User) -> Q:
    """A Q over Returnee rows: the people behind visible cases, plus those the user registered."""
    if not active_with_organisation(user):
        return NOTHING
    caps = user.capabilities
    own_org = Q(organisation_id=user.organisation_id)
    behind_cases = Q(pk__in=Case.objects.filter(case_visibility(user)).values("returnee_id"))
    if Capability.VIEW_ORGANISATION_CASES in caps:
        return own_org | behind_cases
    if Capability.VIEW_ASSIGNED_CASES in caps:
        return (own_org & Q(registered_by_id=user.pk)) | behind_cases
    return NOTHING


def visible_returnee_ids(user: User, ids: Iterable[int]) -> set[int]:
    """Which of a handful of returnees `returnee_visibility` lets the user see, as two indexed lookups.

    The same rule as `returnee_visibility`; filtering a few ids by that Q makes PostgreSQL hash every
    visible case's returnee first (tens of milliseconds at a million cases), which a duplicate check
    answering each keystroke cannot afford."""
    wanted = list(ids)
    if not wanted or user.organisation_id is None or not active_with_organisation(user):
        return set()
    caps = user.capabilities
    own = Returnee.objects.filter(pk__in=wanted, organisation_id=user.organisation_id)
    if Capability.VIEW_ORGANISATION_CASES in caps:
        found = set(own.values_list("pk", flat=True))
    elif Capability.VIEW_ASSIGNED_CASES in caps:
        found = set(own.filter(registered_by_id=user.pk).values_list("pk", flat=True))
    else:
        return set()
    behind = Case.objects.filter(case_visibility(user), returnee_id__in=wanted).values_list("returnee_id", flat=True)
    return found | set(behind)


def can_see_case(user: User, case: Case) -> bool:
    """Whether `case_visibility` lets the user see this one case (one indexed lookup)."""
    return Case.objects.filter(case_visibility(user), pk=case.pk).exists()


def can_see_returnee(user: User, returnee: Returnee) -> bool:
    """Whether `returnee_visibility` lets the user see this one person."""
    return Returnee.objects.filter(returnee_visibility(user), pk=returnee.pk).exists()

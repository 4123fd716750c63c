"""Which objects a user may see. Every read of personal data is filtered through here.

A case manager sees the cases assigned to them and to their team; supervisors and programme managers
see their organisation's cases; cases shared with an organisation (referral/transfer under consent) are
visible to that organisation's supervisors and programme managers; nobody else sees a case at all.
"""

from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from reintegra.access.roles import CATEGORY_CAPABILITY, Capability, SensitiveCategory

NOTHING = Q(pk__in=[])


def _active_with_org(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.organisation_id)


def case_visibility(user: Any) -> Q:
    """A Q over Case rows."""
    from reintegra.cases.models import CaseShare

    if not _active_with_org(user):
        return NOTHING
    caps = user.capabilities
    own_org = Q(organisation_id=user.organisation_id)
    if Capability.VIEW_ORGANISATION_CASES in caps:
        visible = own_org
        shared = CaseShare.objects.filter(organisation_id=user.organisation_id, revoked_at__isnull=True)
        visible |= Q(pk__in=shared.values("case_id"))
        return visible
    if Capability.VIEW_ASSIGNED_CASES in caps:
        mine = Q(case_manager_id=user.pk)
        if user.team_id:
            mine |= Q(team_id=user.team_id)
        return own_org & mine
    return NOTHING


def returnee_visibility(user: Any) -> Q:
    """A Q over Returnee rows: the people behind visible cases, plus those the user registered."""
    from reintegra.cases.models import Case

    if not _active_with_org(user):
        return NOTHING
    caps = user.capabilities
    own_org = Q(organisation_id=user.organisation_id)
    behind_cases = Q(pk__in=Case.objects.filter(case_visibility(user)).values("returnee_id"))
    if Capability.VIEW_ORGANISATION_CASES in caps:
        return own_org | behind_cases
    if Capability.VIEW_ASSIGNED_CASES in caps:
        return (own_org & Q(registered_by_id=user.pk)) | behind_cases
    return NOTHING


def visible_returnee_ids(user: Any, ids: Iterable[int]) -> set[int]:
    """Which of a handful of returnees `returnee_visibility` lets the user see, as two indexed lookups.

    The same rule as `returnee_visibility`; filtering a few ids by that Q makes PostgreSQL hash every
    visible case's returnee first (tens of milliseconds at a million cases), which a duplicate check
    answering each keystroke cannot afford."""
    from reintegra.cases.models import Case, Returnee

    wanted = list(ids)
    if not wanted or not _active_with_org(user):
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


def can_see(user: Any, category: SensitiveCategory | str | None) -> bool:
    """Field-level protection: may this user read fields of this sensitive category?"""
    if category is None:
        return True
    return bool(
        user and user.is_authenticated and user.has_capability(CATEGORY_CAPABILITY[SensitiveCategory(category)])
    )


def can_edit_cases(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.has_capability(Capability.EDIT_CASES))


def can_search_documents(user: Any) -> bool:
    # Searching by document number would reveal it to someone who may not read it.
    return can_see(user, SensitiveCategory.IDENTITY_DOCUMENT)

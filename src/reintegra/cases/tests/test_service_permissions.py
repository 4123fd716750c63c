"""Every write service of `cases` checks the capability *and* the object itself, whoever calls it.

The services are called directly (no page, no API in front of them) with a case outside the user's scope:
another organisation's case, a colleague's case a case manager does not see, a case shared with the user's
organisation (seen there, changed only by the organisation that holds it), and by a role that cannot write
cases at all. Each call must be refused with PermissionDenied and leave the case's records exactly as they
were; the same call by the case's own case manager succeeds, so the refusal is the permission's and not a
lifecycle or validation error.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from reintegra.access.models import User
from reintegra.access.roles import Role
from reintegra.cases import services
from reintegra.cases.models import (
    Assessment,
    Case,
    CaseEvent,
    CounsellingSession,
    FollowUpVisit,
    Household,
    HouseholdMember,
    PlanItem,
    ReintegrationPlan,
    Returnee,
)
from reintegra.protection import services as protection_services
from reintegra.testing import factories
from reintegra.testing.closure import suggested_decisions

TODAY = timezone.localdate

REGISTERED, PLANNED, AGREED, CLOSED = "registered", "planned", "agreed", "closed"


def _plan_items() -> list[services.PlanItemInput]:
    return [services.PlanItemInput(dimension="economic", approach="Negocio", assistance_form="in_kind")]


@dataclass(frozen=True)
class Write:
    state: str  # the case state in which the call is valid for the holder
    call: Callable[[User, Case], Any]


# One row per write service of cases.services that takes a case or a returnee.
WRITES: dict[str, Write] = {
    "update_returnee": Write(
        REGISTERED, lambda user, case: services.update_returnee(user, case.returnee, factories.returnee_input())
    ),
    "open_case": Write(CLOSED, lambda user, case: services.open_case(user, case.returnee, factories.return_input())),
    "set_household": Write(
        REGISTERED,
        lambda user, case: services.set_household(user, case, [services.MemberInput("Rosa", "parent")], "notas"),
    ),
    "update_return_information": Write(
        REGISTERED,
        lambda user, case: services.update_return_information(user, case, factories.return_input(host_country="CA")),
    ),
    "assign_case": Write(REGISTERED, lambda user, case: services.assign_case(user, case, case.case_manager)),
    "record_assessment": Write(
        REGISTERED, lambda user, case: services.record_assessment(user, case, {"assessed_on": TODAY()})
    ),
    "update_assessment": Write(
        AGREED,
        lambda user, case: services.update_assessment(user, case.assessments.get(), {"economic_need": "low"}),
    ),
    "record_counselling_session": Write(
        REGISTERED,
        lambda user, case: services.record_counselling_session(user, case, {"held_on": TODAY(), "mode": "in_person"}),
    ),
    "save_plan": Write(
        PLANNED, lambda user, case: services.save_plan(user, case, goals="Otro", motivations="", items=_plan_items())
    ),
    "agree_plan": Write(PLANNED, lambda user, case: services.agree_plan(user, case, agreed_on=TODAY())),
    "record_follow_up": Write(
        AGREED,
        lambda user, case: services.record_follow_up(user, case, {"visited_on": TODAY(), "mode": "phone"}),
    ),
    "close_case": Write(
        REGISTERED,
        lambda user, case: services.close_case(user, case, reason="left_area", open_matters=suggested_decisions(case)),
    ),
    "reopen_case": Write(CLOSED, lambda user, case: services.reopen_case(user, case, reason="Nueva amenaza")),
}


def written(case: Case) -> tuple[Any, ...]:
    """Everything a write service of cases may change about a case, its person and its records."""
    case = Case.objects.get(pk=case.pk)
    return (
        case.revision,
        case.status,
        case.case_manager_id,
        case.household_id,
        Returnee.objects.values_list("revision", flat=True).get(pk=case.returnee_id),
        Case.objects.filter(returnee_id=case.returnee_id).count(),
        CaseEvent.objects.filter(case=case).count(),
        sorted(Assessment.objects.filter(case=case).values_list("pk", "revision")),
        CounsellingSession.objects.filter(case=case).count(),
        sorted(ReintegrationPlan.objects.filter(case=case).values_list("revision", "agreed_on")),
        PlanItem.objects.filter(plan__case=case).count(),
        FollowUpVisit.objects.filter(case=case).count(),
        sorted(Household.objects.filter(cases=case).values_list("revision", flat=True)),
        HouseholdMember.objects.filter(household__cases=case).count(),
    )


def _in_state(by: User, state: str, **overrides: Any) -> Case:
    if state == AGREED:
        return factories.agreed_case(by, **overrides)
    case = factories.assessed_case(by, **overrides) if state == PLANNED else factories.case(by, **overrides)
    if state == PLANNED:
        services.save_plan(by, case, goals="Negocio", motivations="Familia", items=_plan_items())
    if state == CLOSED:
        services.close_case(by, case, reason="left_area", open_matters=suggested_decisions(case))
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def colleague_elsewhere(org):
    """A case manager of the same organisation, in another team: they do not see the case."""
    return factories.user(org, Role.CASE_MANAGER, team=factories.team(org), username="otro-equipo")


@pytest.fixture
def holder(org, team):
    """The case's case manager, who may also assign (a supervisor holding the case), so every write is theirs."""
    return factories.user(org, Role.CASE_MANAGER, Role.SUPERVISOR, team=team, username="titular")


def _shared(case: Case, by: User, organisation: Any) -> None:
    # Across a border only a cross-border consent will do (issue 14).
    purpose = "cross_border" if protection_services.is_cross_border(case.organisation, organisation) else "referral"
    protection_services.record_consent(
        by, case.returnee, purpose, "signed", TODAY() - timedelta(days=5), recipient_organisation=organisation
    )
    protection_services.share_case(by, case, organisation, "Seguimiento")


OUTSIDERS = ("other_organisation", "shared_with_them", "other_team", "no_write_role")


@pytest.mark.parametrize("outsider", OUTSIDERS)
@pytest.mark.parametrize("service", sorted(WRITES))
def test_a_service_refuses_a_case_outside_the_user_s_scope(
    service, outsider, holder, other_org, other_supervisor, colleague_elsewhere, me_officer
):
    write = WRITES[service]
    case = _in_state(holder, write.state)
    if outsider == "shared_with_them":
        _shared(case, holder, other_org)
    user = {
        "other_organisation": other_supervisor,
        "shared_with_them": other_supervisor,
        "other_team": colleague_elsewhere,
        "no_write_role": me_officer,
    }[outsider]
    before = written(case)
    with pytest.raises(PermissionDenied):
        write.call(user, Case.objects.get(pk=case.pk))
    assert written(case) == before, f"{service} wrote for {outsider}"

    # The same call by the case manager of the organisation holding the case is a valid write.
    write.call(holder, Case.objects.get(pk=case.pk))
    assert written(case) != before


def test_the_shared_case_is_seen_by_the_receiving_organisation(holder, other_org, other_supervisor):
    """The "shared" cells above are the case the user can see but not change, not a hidden one."""
    from reintegra.cases import selectors

    case = _in_state(holder, REGISTERED)
    _shared(case, holder, other_org)
    assert selectors.get_case(other_supervisor, case.pk) == case


def test_registering_needs_a_role_that_writes_cases(me_officer, org):
    count = Returnee.objects.count()
    with pytest.raises(PermissionDenied):
        services.register_returnee(me_officer, factories.returnee_input(), confirmation=factories.VOUCHED)
    assert Returnee.objects.count() == count


def test_every_write_service_has_a_row():
    """A new write service of cases that takes a case or a returnee must be added to WRITES."""
    import inspect

    takes_object = {
        name
        for name, function in inspect.getmembers(services, inspect.isfunction)
        if function.__module__ == services.__name__
        and not name.startswith("_")
        and {"case", "returnee", "assessment"} & set(inspect.signature(function).parameters)
        and name not in {"facts"}  # reads, does not write
    }
    assert takes_object == set(WRITES)

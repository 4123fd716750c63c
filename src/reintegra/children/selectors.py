"""Every read of the child's case: which case is a child case, the profile, the best-interests assessments
and determination (each read of a BIA or BID is audited here, whoever reads), the supervisor's queue."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils import timezone

from reintegra.access import audit, permissions
from reintegra.access.roles import Capability
from reintegra.cases import selectors as case_selectors
from reintegra.cases.choices import AttentionFlag, CaseStatus
from reintegra.cases.models import Case, HouseholdMember
from reintegra.cases.selectors import ADULT_AGE as ADULT_AGE
from reintegra.cases.selectors import is_child_case as is_child_case
from reintegra.cases.selectors import is_child_returnee_at as is_child_returnee_at
from reintegra.children.choices import BiaPriority, BiaStatus, CareStatus, ParticipationDecision
from reintegra.children.models import (
    BestInterestsAssessment,
    BestInterestsDetermination,
    ChildParticipation,
    ChildProfile,
    ChildProtectionSettings,
)

if TYPE_CHECKING:
    from reintegra.access.models import Programme, User

DEFAULT_DEADLINE_DAYS = {BiaPriority.HIGH: 2, BiaPriority.MEDIUM: 7, BiaPriority.LOW: 30}


# --- Which case is a child case ------------------------------------------------------------------


def has_child_case(returnee: Any) -> bool:
    """Whether any case of the person is a child case (the consent rule of protection asks it)."""
    if returnee.pk is None:
        return False
    return any(
        is_child_returnee_at(returnee, day)
        for day in Case.objects.filter(returnee=returnee).values_list("return_date", flat=True)
    )


def profile_of(case: Case) -> ChildProfile | None:
    return ChildProfile.objects.filter(case=case).first()


def settings_of(programme: Programme) -> ChildProtectionSettings | None:
    """The programme's stored settings (None: it still uses the defaults)."""
    return ChildProtectionSettings.objects.filter(programme=programme).first()


def deadlines_of(programme: Programme) -> dict[str, int]:
    """The programme's BIA deadlines in days by priority, stored or default."""
    return {priority.value: deadline_days(programme, priority) for priority in BiaPriority}


def deadline_days(programme: Programme | None, priority: str) -> int:
    """Days to complete a BIA of `priority` in the programme (its settings, or 2 / 7 / 30)."""
    found = ChildProtectionSettings.objects.filter(programme=programme).first() if programme else None
    if found is None:
        return DEFAULT_DEADLINE_DAYS[BiaPriority(priority)]
    return {
        BiaPriority.HIGH: found.high_priority_days,
        BiaPriority.MEDIUM: found.medium_priority_days,
        BiaPriority.LOW: found.low_priority_days,
    }[BiaPriority(priority)]


def due_date(programme: Programme | None, priority: str, started_on: date) -> date:
    return started_on + timedelta(days=deadline_days(programme, priority))


# --- Facts the rules read (no audit: nothing is shown) -------------------------------------------


def is_unaccompanied(case: Case) -> bool:
    """The profile's care situation; without a profile, or while it says "not yet known", the attention flag
    "unaccompanied minor" the case was registered with (reception flags a child before anyone records a
    profile: the determination rule must not wait for the profile)."""
    profile = profile_of(case)
    if profile is not None and profile.care_status != CareStatus.UNKNOWN:
        return profile.is_unaccompanied
    return AttentionFlag.UNACCOMPANIED_MINOR in (case.returnee.attention_flags or [])


def has_approved_assessment(case: Case) -> bool:
    return BestInterestsAssessment.objects.filter(case=case, status=BiaStatus.APPROVED).exists()


def has_decided_determination(case: Case) -> bool:
    return BestInterestsDetermination.objects.filter(case=case).exclude(decision="").exists()


def latest_participation(case: Case, decision: ParticipationDecision) -> ChildParticipation | None:
    return ChildParticipation.objects.filter(case=case, decision=decision).order_by("-recorded_on", "-id").first()


def minor_members_without_case(case: Case) -> list[HouseholdMember]:
    """The household's members who are minors, returned too and have no child case of their own yet."""
    if not case.household_id:
        return []
    return list(
        HouseholdMember.objects.filter(household_id=case.household_id, is_minor=True, returned_too=True)
        .exclude(child_profile__isnull=False)
        .order_by("id")
    )


def family_group(case: Case) -> list[Case]:
    """The other cases of the case's household (the family group)."""
    if not case.household_id:
        return []
    return list(Case.objects.filter(household_id=case.household_id).exclude(pk=case.pk).order_by("id"))


# --- Reads shown to a user (audited) -------------------------------------------------------------


def assessments_of(user: User, case: Case, *, channel: str = "web") -> list[BestInterestsAssessment]:
    rows = list(
        BestInterestsAssessment.objects.filter(case=case)
        .select_related("assessed_by", "approved_by")
        .order_by("-started_on", "-id")
    )
    for bia in rows:
        audit.record_access(user, "view", bia, purpose="best-interests assessment", channel=channel)
    return rows


def get_assessment(user: User, case: Case, pk: Any, *, channel: str = "web") -> BestInterestsAssessment:
    """The case's BIA `pk` (DoesNotExist otherwise), its read audited."""
    bia = BestInterestsAssessment.objects.select_related("assessed_by", "approved_by").get(case=case, pk=int(pk))
    audit.record_access(user, "view", bia, purpose="best-interests assessment", channel=channel)
    return bia


def current_determination(case: Case) -> BestInterestsDetermination | None:
    """The case's latest determination, unread (for the rules and the permission check)."""
    return BestInterestsDetermination.objects.filter(case=case).order_by("-convened_on", "-id").first()


def read_determination(
    user: User, determination: BestInterestsDetermination, *, channel: str = "web"
) -> BestInterestsDetermination:
    """The determination with its panel, its read audited (who may read it: children.permissions)."""
    audit.record_access(user, "view", determination, purpose="best-interests determination", channel=channel)
    return determination


def panel_of(determination: BestInterestsDetermination | None) -> list[Any]:
    if determination is None or determination.pk is None:
        return []
    return list(determination.members.select_related("user").order_by("id"))


def is_panel_member(user: User, determination: BestInterestsDetermination | None) -> bool:
    if determination is None or determination.pk is None:
        return False
    return determination.members.filter(user=user).exists()


def participations_of(case: Case) -> list[ChildParticipation]:
    return list(ChildParticipation.objects.filter(case=case).select_related("recorded_by"))


# --- The supervisor's queue ----------------------------------------------------------------------


@dataclass
class ApprovalQueue:
    awaiting: list[BestInterestsAssessment] = field(default_factory=list)
    # Overdue assessments still in progress, by priority (high first).
    overdue: dict[str, list[BestInterestsAssessment]] = field(default_factory=dict)

    @property
    def overdue_count(self) -> int:
        return sum(len(rows) for rows in self.overdue.values())


def _queue_rows(user: User) -> QuerySet[BestInterestsAssessment]:
    cases = (
        case_selectors.cases_for(user)
        .filter(organisation_id=permissions.own_organisation_id(user))
        .exclude(status=CaseStatus.CLOSED)
    )
    return BestInterestsAssessment.objects.filter(case__in=cases.values("pk")).select_related("case", "assessed_by")


def approval_queue(user: User, today: date | None = None) -> ApprovalQueue:
    """BIAs of the user's organisation's open cases (those they see) awaiting approval, oldest first, and
    those overdue by priority. Lists case numbers and dates; the assessments' content is not read."""
    today = today or timezone.localdate()
    rows = _queue_rows(user)
    queue = ApprovalQueue(awaiting=list(rows.filter(status=BiaStatus.SUBMITTED).order_by("submitted_on", "id")))
    overdue = rows.filter(status=BiaStatus.IN_PROGRESS, due_on__lt=today).order_by("due_on", "id")
    for priority in BiaPriority.values:
        found = [bia for bia in overdue if bia.priority == priority]
        if found:
            queue.overdue[priority] = found
    return queue


def awaiting_approval_count(user: User) -> int:
    if not permissions.has_any(user, Capability.APPROVE_BEST_INTERESTS) or not user.organisation_id:
        return 0
    return _queue_rows(user).filter(status=BiaStatus.SUBMITTED).count()

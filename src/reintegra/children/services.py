"""Every write of the child's case: the profile, a child case for a returned minor of the household, the
best-interests assessment (BIA) and its approval, the determination (BID), the child's participation; and the
rules that the cases and protection apps ask through their hooks (`rules`, registered in apps.py):

- a child case's plan is agreed only after an approved BIA (`bia_required`), an unaccompanied child's only
  after a decided BID (`bid_required`), and with the child's participation in the plan recorded
  (`participation_required`);
- a child case is closed only with the child's participation in that decision recorded (`participation_required`).

Size (over 600 lines would be split): one module, since every write shares `_write` and the timeline event.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from auditlog.context import set_actor
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.access import versioning
from reintegra.access.models import User
from reintegra.access.roles import Capability
from reintegra.access.transitions import TransitionError
from reintegra.cases import duplicates, lifecycle
from reintegra.cases import services as case_services
from reintegra.cases.choices import AttentionFlag, CaseEventKind
from reintegra.cases.models import Case, CaseEvent, HouseholdMember
from reintegra.children import permissions as child_permissions
from reintegra.children import selectors
from reintegra.children.choices import (
    AssessmentStage,
    BiaPriority,
    BiaRecommendation,
    BiaStatus,
    BidDecision,
    CareStatus,
    ChildProtectionAuthority,
    GuardianshipStatus,
    HearingMethod,
    PanelRole,
    ParticipationDecision,
    ParticipationMethod,
    RiskIndicator,
    SchoolEnrolment,
)
from reintegra.children.models import (
    BestInterestsAssessment,
    BestInterestsDetermination,
    ChildParticipation,
    ChildProfile,
    PanelMember,
)
from reintegra.children.plan_models import ChildClosureChecklist, ChildFollowUp, ChildPlanItem
from reintegra.validation import FieldErrors, field_error

if TYPE_CHECKING:
    from django.db.models import Choices

MIN_PANEL = 3  # a determination is taken by a panel of at least three (UNHCR BID guidelines)


@contextmanager
def _write(user: User) -> Iterator[None]:
    with transaction.atomic(), set_actor(user):
        yield


def _event(case: Case, user: User, what: str, **data: Any) -> None:
    """A timeline line: codes and dates only, never the child's details."""
    CaseEvent.objects.create(case=case, kind=CaseEventKind.CHILD, actor=user, data={"what": what, **data})


def _choice(errors: FieldErrors, name: str, value: str, allowed: type[Choices], *, blank: bool = False) -> str:
    if (blank and value == "") or value in allowed.values:
        return value
    if value == "":
        errors.add(name, _("This field is required."), "required")
    else:
        errors.add(name, _("Choose a value from the list."), "invalid_choice")
    return value


def _clean(errors: FieldErrors, record: Model, exclude: list[str]) -> None:
    """The model's own limits (lengths of encrypted texts, ranges), on the fields not refused already."""
    with errors.capture():
        record.full_clean(exclude=[*exclude, *(f.name for f in record._meta.fields if f.name in errors)])


def _date_errors(errors: FieldErrors, name: str, value: date | None, case: Case, *, required: bool = True) -> None:
    if value is None:
        if required:
            errors.add(name, _("This field is required."), "required")
        return
    if value > timezone.localdate():
        errors.add(name, _("This date cannot be in the future."), "in_future")


def require_child_case(case: Case) -> None:
    if not selectors.is_child_case(case):
        raise TransitionError(
            _("This is not a child's case: the person was 18 or older at return."), "not_a_child_case"
        )


# --- The rules the cases app asks (extensions.register_step_check) --------------------------------


def check_plan_agreement(case: Case) -> None:
    """A child case's plan: an approved BIA, a BID for an unaccompanied child, the child's participation."""
    if not selectors.is_child_case(case):
        return
    if not selectors.has_approved_assessment(case):
        raise TransitionError(
            _("A child's plan is agreed only after a best-interests assessment approved by a supervisor."),
            "bia_required",
        )
    if selectors.is_unaccompanied(case) and not selectors.has_decided_determination(case):
        raise TransitionError(
            _("An unaccompanied child's plan is agreed only after a best-interests determination."), "bid_required"
        )
    if selectors.latest_participation(case, ParticipationDecision.PLAN) is None:
        raise TransitionError(
            _("Record how the child took part in the plan before agreeing it (the Children tab)."),
            "participation_required",
        )


def check_closure(case: Case) -> None:
    """A child case is closed with the child's participation in that decision recorded."""
    if selectors.is_child_case(case) and selectors.latest_participation(case, ParticipationDecision.CLOSURE) is None:
        raise TransitionError(
            _("Record how the child took part in the decision to close the case (the Children tab)."),
            "participation_required",
        )


# --- Profile -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaregiverInput:
    name: str
    relationship: str = ""
    contact: str = ""


@dataclass(frozen=True)
class ProfileInput:
    care_status: str
    caregivers: list[CaregiverInput] = field(default_factory=list)
    guardian_name: str = ""
    guardian_relationship: str = ""
    guardian_contact: str = ""
    guardianship_status: str = GuardianshipStatus.UNKNOWN
    guardian_informed: bool = False
    authority: str = ""
    authority_officer: str = ""
    authority_reference: str = ""
    school_enrolment: str = SchoolEnrolment.UNKNOWN
    school_notes: str = ""
    health_status: str = ""
    languages: str = ""

    @classmethod
    def of(cls, profile: ChildProfile) -> ProfileInput:
        return cls(
            care_status=profile.care_status,
            caregivers=[CaregiverInput(**c) for c in profile.caregivers or []],
            **{name: getattr(profile, name) for name in _PROFILE_FIELDS},
        )


_PROFILE_FIELDS = (
    "guardian_name",
    "guardian_relationship",
    "guardian_contact",
    "guardianship_status",
    "guardian_informed",
    "authority",
    "authority_officer",
    "authority_reference",
    "school_enrolment",
    "school_notes",
    "health_status",
    "languages",
)


def _caregivers(errors: FieldErrors, caregivers: list[CaregiverInput]) -> list[dict[str, str]]:
    rows = []
    for index, c in enumerate(caregivers):
        row = {"name": c.name.strip(), "relationship": c.relationship.strip(), "contact": c.contact.strip()}
        if not row["name"]:
            errors.add(f"caregivers.{index}.name", _("Give the caregiver's name."), "required")
        for key, limit in (("name", 160), ("relationship", 80), ("contact", 160)):
            if len(row[key]) > limit:
                errors.add(f"caregivers.{index}.{key}", _("At most %(n)d characters.") % {"n": limit}, "max_length")
        rows.append(row)
    return rows


def _apply_profile(profile: ChildProfile, data: ProfileInput) -> None:
    errors = FieldErrors()
    profile.care_status = _choice(errors, "care_status", data.care_status, CareStatus)
    profile.caregivers = _caregivers(errors, data.caregivers)
    for name in _PROFILE_FIELDS:
        value = getattr(data, name)
        setattr(profile, name, value.strip() if isinstance(value, str) else bool(value))
    _choice(errors, "guardianship_status", profile.guardianship_status, GuardianshipStatus)
    _choice(errors, "authority", profile.authority, ChildProtectionAuthority, blank=True)
    _choice(errors, "school_enrolment", profile.school_enrolment, SchoolEnrolment)
    if profile.guardian_informed and not profile.guardian_name:
        errors.add("guardian_name", _("Name the guardian who was informed."), "required")
    if profile.authority_officer and not profile.authority:
        errors.add("authority", _("Say which authority the officer belongs to."), "required")
    _clean(errors, profile, ["case", "household_member", "caregivers"])
    errors.raise_if_any()


def save_profile(user: User, case: Case, data: ProfileInput, *, expected_version: int | None = None) -> ChildProfile:
    """Create or revise the child's profile (version 0: there was none yet)."""
    child_permissions.require_child_write(user, case)
    with _write(user):
        versioning.lock(case, None)
        lifecycle.ensure_open(case_services.facts(case))
        require_child_case(case)
        profile = ChildProfile.objects.select_for_update().filter(case=case).first()
        versioning.check(profile, expected_version)
        created = profile is None
        profile = profile or ChildProfile(case=case)
        _apply_profile(profile, data)
        profile.save()
        _event(case, user, "profile_created" if created else "profile_updated", care_status=profile.care_status)
        return profile


# --- A child case for a returned minor of the household --------------------------------------------


def _split_family_names(names: str) -> tuple[str, str]:
    first, _sep, rest = names.strip().partition(" ")
    return first, rest.strip()


def _child_returnee_input(adult: Case, member: HouseholdMember) -> case_services.ReturneeInput:
    first, second = _split_family_names(member.family_names or adult.returnee.first_family_name)
    return case_services.ReturneeInput(
        given_names=member.given_names,
        first_family_name=first,
        second_family_name=second,
        sex=member.sex,
        birth_date=member.birth_date,
        estimated_age=None if member.birth_date else member.estimated_age,
        nationality=str(adult.returnee.nationality),
        return_country=str(adult.returnee.return_country),
        admin1_id=adult.returnee.admin1_id,
        municipality_id=adult.returnee.municipality_id,
        attention_flags=[AttentionFlag.CHILD],
    )


def _return_of(adult: Case) -> case_services.ReturnInput:
    return case_services.ReturnInput(
        return_date=adult.return_date,
        return_type=adult.return_type,
        host_country=str(adult.host_country or ""),
        transit_countries=list(adult.transit_countries or []),
        reception_place=adult.reception_place,
        reception_assistance=list(adult.reception_assistance or []),
        causes_of_migration=list(adult.causes_of_migration or []),
        causes_note=adult.causes_note,
    )


def _member_of(adult: Case, member_id: int | None) -> HouseholdMember:
    member = (
        HouseholdMember.objects.filter(pk=member_id, household_id=adult.household_id).first()
        if member_id and adult.household_id
        else None
    )
    if member is None:
        raise field_error("member", _("Choose a member of this case's household."), "invalid_choice")
    if not (member.is_minor and member.returned_too):
        raise field_error("member", _("Only a minor who returned too gets a child case."), "not_a_returned_minor")
    if member.birth_date is None and member.estimated_age is None:
        raise field_error("member", _("Record the child's birth date or age in the household first."), "age_required")
    if ChildProfile.objects.filter(household_member=member).exists():
        raise field_error("member", _("This child already has a case of their own."), "duplicate")
    return member


def create_child_case(user: User, adult: Case, member_id: int | None) -> Case:
    """Open a child case for a returned minor of the adult's household in one step: the child registered as a
    person of their own, the case with the adult's return information, in the same household (the family
    group), with a profile naming the adult as caregiver."""
    child_permissions.require_child_write(user, adult)
    with _write(user):
        versioning.lock(adult, None)
        lifecycle.ensure_open(case_services.facts(adult))
        member = _member_of(adult, member_id)
        try:
            child = case_services.register_returnee(user, _child_returnee_input(adult, member))
        except duplicates.PossibleDuplicate:
            raise field_error(
                "member",
                _("This child may already be registered: search for them and open their case from their record."),
                "possible_duplicate",
            ) from None
        manager = adult.case_manager if user.has_capability(Capability.ASSIGN_CASES) else user
        case = case_services.open_case(user, child, _return_of(adult), case_manager=manager or user)
        case.household_id = adult.household_id
        case.save(update_fields=["household", "updated_at"])
        ChildProfile.objects.create(
            case=case,
            household_member=member,
            care_status=CareStatus.ACCOMPANIED,
            caregivers=[{"name": adult.returnee.full_name, "relationship": "", "contact": ""}],
        )
        _event(case, user, "child_case_opened", family_case=adult.case_number)
        _event(adult, user, "family_child_case", child_case=case.case_number)
        return case


# --- Best-interests assessment (BIA) --------------------------------------------------------------


@dataclass(frozen=True)
class AssessmentInput:
    stage: str
    priority: str
    started_on: date | None
    child_participated: bool = False
    hearing_method: str = ""
    trusted_adult_present: bool = False
    child_views: str = ""
    participation_note: str = ""
    family_situation: str = ""
    risk_indicators: list[str] = field(default_factory=list)
    safety_risks: str = ""
    health: str = ""
    education: str = ""
    psychosocial: str = ""
    family_needs: str = ""
    local_context: str = ""
    cross_border: str = ""
    recommendation: str = ""
    recommendation_reasons: str = ""
    # Completed: sent to a supervisor for approval (the completeness rules apply).
    complete: bool = False

    @classmethod
    def of(cls, bia: BestInterestsAssessment) -> AssessmentInput:
        values = {name: getattr(bia, name) for name in _BIA_FIELDS}
        return cls(**values, risk_indicators=list(bia.risk_indicators or []), complete=False)


_BIA_TEXTS = (
    "child_views",
    "participation_note",
    "family_situation",
    "safety_risks",
    "health",
    "education",
    "psychosocial",
    "family_needs",
    "local_context",
    "cross_border",
    "recommendation_reasons",
)
_BIA_FIELDS = (
    "stage",
    "priority",
    "started_on",
    "child_participated",
    "hearing_method",
    "trusted_adult_present",
    "recommendation",
    *_BIA_TEXTS,
)


def _participation_errors(errors: FieldErrors, bia: BestInterestsAssessment) -> None:
    """Completing a BIA: whether and how the child was heard, and their views (or why they were not)."""
    if bia.child_participated:
        if not bia.hearing_method:
            errors.add("hearing_method", _("Say how the child was heard."), "required")
        if not bia.child_views:
            errors.add("child_views", _("Record the child's views and wishes."), "required")
    elif not bia.participation_note:
        errors.add("participation_note", _("Say why the child was not heard."), "required")


def _completion_errors(errors: FieldErrors, bia: BestInterestsAssessment) -> None:
    _participation_errors(errors, bia)
    for name in ("family_situation", "safety_risks"):
        if not getattr(bia, name):
            errors.add(name, _("This section is required to complete the assessment."), "required")
    if not bia.recommendation:
        errors.add("recommendation", _("Give the recommendation."), "required")
    if not bia.recommendation_reasons:
        errors.add("recommendation_reasons", _("Give the reasons for the recommendation."), "required")


def _apply_assessment(bia: BestInterestsAssessment, data: AssessmentInput) -> None:
    errors = FieldErrors()
    bia.stage = _choice(errors, "stage", data.stage, AssessmentStage)
    bia.priority = _choice(errors, "priority", data.priority, BiaPriority)
    bia.hearing_method = _choice(errors, "hearing_method", data.hearing_method, HearingMethod, blank=True)
    bia.recommendation = _choice(errors, "recommendation", data.recommendation, BiaRecommendation, blank=True)
    unknown = [code for code in data.risk_indicators if code not in RiskIndicator.values]
    if unknown:
        errors.add("risk_indicators", _("Choose a value from the list."), "invalid_choice")
    bia.risk_indicators = list(dict.fromkeys(data.risk_indicators))
    bia.child_participated = bool(data.child_participated)
    bia.trusted_adult_present = bool(data.trusted_adult_present)
    for name in _BIA_TEXTS:
        setattr(bia, name, (getattr(data, name) or "").strip())
    _date_errors(errors, "started_on", data.started_on, bia.case)
    if data.started_on and "started_on" not in errors:
        bia.started_on = data.started_on
        if bia.priority in BiaPriority.values:
            bia.due_on = selectors.due_date(bia.case.programme, bia.priority, data.started_on)
    if data.complete:
        _completion_errors(errors, bia)
    _clean(errors, bia, ["case", "assessed_by", "risk_indicators", "due_on", "started_on"])
    errors.raise_if_any()


def _submit(bia: BestInterestsAssessment, data: AssessmentInput) -> None:
    if data.complete:
        bia.status = BiaStatus.SUBMITTED
        bia.submitted_on = timezone.localdate()
        bia.returned_on = None


def start_assessment(user: User, case: Case, data: AssessmentInput) -> BestInterestsAssessment:
    """A new BIA of the case; `complete`: sent at once for a supervisor's approval."""
    child_permissions.require_child_write(user, case)
    with _write(user):
        lifecycle.ensure_open(case_services.facts(case))
        require_child_case(case)
        bia = BestInterestsAssessment(case=case, assessed_by=user)
        _apply_assessment(bia, data)
        _submit(bia, data)
        bia.save()
        _event(case, user, "bia_started", assessment=bia.pk, priority=bia.priority, due_on=bia.due_on.isoformat())
        if data.complete:
            _event(case, user, "bia_submitted", assessment=bia.pk)
        return bia


def update_assessment(
    user: User, bia: BestInterestsAssessment, data: AssessmentInput, *, expected_version: int | None = None
) -> BestInterestsAssessment:
    """Revise a BIA in progress (an approved or submitted one is not changed: a new one is started)."""
    case = bia.case
    child_permissions.require_child_write(user, case)
    with _write(user):
        versioning.lock(bia, expected_version)
        lifecycle.ensure_open(case_services.facts(case))
        if bia.status != BiaStatus.IN_PROGRESS:
            raise TransitionError(
                _("This assessment was completed; start a new assessment to record changes."), "bia_completed"
            )
        _apply_assessment(bia, data)
        _submit(bia, data)
        bia.save()
        _event(case, user, "bia_submitted" if data.complete else "bia_updated", assessment=bia.pk)
        return bia


def approve_assessment(
    user: User, bia: BestInterestsAssessment, *, note: str = "", expected_version: int | None = None
) -> BestInterestsAssessment:
    """A supervisor (not the assessor) approves a completed BIA."""
    child_permissions.require_approver(user, bia)
    with _write(user):
        versioning.lock(bia, expected_version)
        lifecycle.ensure_open(case_services.facts(bia.case))
        if bia.status != BiaStatus.SUBMITTED:
            raise TransitionError(
                _("Only a completed assessment awaiting approval can be approved."), "bia_not_submitted"
            )
        bia.approval_note = (note or "").strip()
        errors = FieldErrors()
        _clean(errors, bia, ["case", "assessed_by", "risk_indicators"])
        errors.raise_if_any()
        bia.status = BiaStatus.APPROVED
        bia.approved_by = user
        bia.approved_on = timezone.localdate()
        bia.save()
        _event(bia.case, user, "bia_approved", assessment=bia.pk)
        return bia


def return_assessment(
    user: User, bia: BestInterestsAssessment, *, note: str, expected_version: int | None = None
) -> BestInterestsAssessment:
    """A supervisor (not the assessor) sends a completed BIA back to its author with what to revise: it is in
    progress again (its deadline unchanged) and needs completing and approval anew."""
    child_permissions.require_approver(user, bia)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": ValidationError(_("Say what the author should revise."), code="required")})
    with _write(user):
        versioning.lock(bia, expected_version)
        lifecycle.ensure_open(case_services.facts(bia.case))
        if bia.status != BiaStatus.SUBMITTED:
            raise TransitionError(
                _("Only a completed assessment awaiting approval can be sent back."), "bia_not_submitted"
            )
        bia.status = BiaStatus.IN_PROGRESS
        bia.approval_note = note[:1000]
        bia.returned_on = timezone.localdate()
        bia.submitted_on = None
        bia.save()
        _event(bia.case, user, "bia_returned", assessment=bia.pk)
        return bia


# --- Best-interests determination (BID) -----------------------------------------------------------


@dataclass(frozen=True)
class PanelMemberInput:
    role: str
    user_id: int | None = None
    name: str = ""
    no_conflict_declared: bool = False
    conflict_note: str = ""
    confidentiality_declared: bool = False


@dataclass(frozen=True)
class DeterminationInput:
    convened_on: date | None
    members: list[PanelMemberInput] = field(default_factory=list)
    decision: str = ""
    reasons: str = ""
    decided_on: date | None = None
    review_on: date | None = None


def _panel_user(errors: FieldErrors, row: str, case: Case, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    found = User.objects.filter(pk=user_id, organisation_id=case.organisation_id, is_active=True).first()
    if found is None:
        errors.add(f"{row}user", _("Choose a user of the case's organisation."), "invalid_choice")
    return found


def _members(errors: FieldErrors, bid: BestInterestsDetermination, rows: list[PanelMemberInput]) -> list[PanelMember]:
    built: list[PanelMember] = []
    seen: set[int] = set()
    for index, data in enumerate(rows):
        row = f"members.{index}."
        member_user = _panel_user(errors, row, bid.case, data.user_id)
        name = data.name.strip() or (member_user.display_name() if member_user else "")
        if not name and data.user_id is None:
            errors.add(f"{row}name", _("Name the panel member, or choose a user."), "required")
        if data.user_id is not None and data.user_id in seen:
            errors.add(f"{row}user", _("The same person appears twice on the panel."), "duplicate")
        seen.add(data.user_id or 0)
        member = PanelMember(
            determination=bid,
            user=member_user,
            name=name,
            role=_choice(errors, f"{row}role", data.role, PanelRole),
            no_conflict_declared=bool(data.no_conflict_declared),
            conflict_note=data.conflict_note.strip(),
            confidentiality_declared=bool(data.confidentiality_declared),
        )
        with errors.capture(prefix=row):
            member.full_clean(exclude=["determination", "user", "role"])
        built.append(member)
    return built


def _decision_errors(errors: FieldErrors, bid: BestInterestsDetermination, members: list[PanelMember]) -> None:
    """A decision needs a panel of three, each member's declarations, reasons and a review date."""
    if len(members) < MIN_PANEL:
        errors.add("members", _("A determination is taken by a panel of at least three members."), "panel_too_small")
    for index, member in enumerate(members):
        if not member.no_conflict_declared:
            errors.add(
                f"members.{index}.no_conflict_declared",
                _("Each member declares having no conflict of interest before the decision."),
                "declaration_missing",
            )
        if not member.confidentiality_declared:
            errors.add(
                f"members.{index}.confidentiality_declared",
                _("Each member signs the confidentiality declaration before the decision."),
                "declaration_missing",
            )
    if not bid.reasons:
        errors.add("reasons", _("Give the reasons for the decision."), "required")
    _date_errors(errors, "decided_on", bid.decided_on, bid.case)
    if bid.decided_on and bid.convened_on and bid.decided_on < bid.convened_on:
        errors.add("decided_on", _("The decision cannot precede the panel's meeting."), "before_convened")
    if bid.review_on is None:
        errors.add("review_on", _("Set the date the decision will be reviewed."), "required")
    elif bid.decided_on and bid.review_on <= bid.decided_on:
        errors.add("review_on", _("The review date must be after the decision."), "not_after_decision")


def _apply_determination(bid: BestInterestsDetermination, data: DeterminationInput) -> list[PanelMember]:
    errors = FieldErrors()
    _date_errors(errors, "convened_on", data.convened_on, bid.case)
    if data.convened_on:
        bid.convened_on = data.convened_on
    bid.decision = _choice(errors, "decision", data.decision, BidDecision, blank=True)
    bid.reasons = data.reasons.strip()
    bid.decided_on = data.decided_on
    bid.review_on = data.review_on
    members = _members(errors, bid, data.members)
    if bid.decision:
        _decision_errors(errors, bid, members)
    _clean(errors, bid, ["case", "recorded_by", "convened_on"])
    errors.raise_if_any()
    return members


def save_determination(
    user: User, case: Case, data: DeterminationInput, *, expected_version: int | None = None
) -> BestInterestsDetermination:
    """Create or revise the case's determination with its panel (version 0: there was none yet). Only the
    case manager, a supervisor or a panel member may; once decided it is changed only by a new review."""
    current = selectors.current_determination(case)
    child_permissions.require_determination_write(user, case, current)
    with _write(user):
        versioning.lock(case, None)
        lifecycle.ensure_open(case_services.facts(case))
        require_child_case(case)
        bid = BestInterestsDetermination.objects.select_for_update().filter(pk=current.pk).first() if current else None
        versioning.check(bid, expected_version)
        created = bid is None
        bid = bid or BestInterestsDetermination(case=case, recorded_by=user)
        members = _apply_determination(bid, data)
        bid.save()
        bid.members.all().delete()
        for member in members:
            member.determination = bid
            member.save()
        what = "bid_decided" if bid.decision else ("bid_started" if created else "bid_updated")
        # Not the decision itself: the timeline is read by everyone who sees the case, the determination
        # only by its panel, the case manager and supervisors.
        _event(case, user, what, determination=bid.pk)
        return bid


# --- The child's participation in the plan and the closure ----------------------------------------


def record_participation(
    user: User, case: Case, *, decision: str, method: str, views: str, recorded_on: date | None
) -> ChildParticipation:
    """How the child took part in the plan or the closure decision: their views, or why they were not heard."""
    child_permissions.require_child_write(user, case)
    with _write(user):
        # A closed case is read, not changed: the closure's participation is recorded before it closes.
        lifecycle.ensure_open(case_services.facts(case))
        require_child_case(case)
        errors = FieldErrors()
        entry = ChildParticipation(case=case, recorded_by=user, views=(views or "").strip())
        entry.decision = _choice(errors, "decision", decision, ParticipationDecision)
        entry.method = _choice(errors, "method", method, ParticipationMethod)
        if not entry.views:
            message = (
                _("Say why the child was not heard.")
                if method == ParticipationMethod.NOT_HEARD
                else _("Record the child's views.")
            )
            errors.add("views", message, "required")
        _date_errors(errors, "recorded_on", recorded_on, case)
        if recorded_on:
            entry.recorded_on = recorded_on
        _clean(errors, entry, ["case", "recorded_by", "recorded_on"])
        errors.raise_if_any()
        entry.save()
        _event(case, user, "participation", decision=entry.decision, method=entry.method)
        return entry


# --- Retention ------------------------------------------------------------------------------------


def _free_text(model: type[Model]) -> dict[str, Any]:
    """Every encrypted field of the model, emptied (JSON ones to an empty list)."""
    from reintegra.access.fields import EncryptedJSONField, EncryptedTextField

    cleared: dict[str, Any] = {}
    for f in model._meta.concrete_fields:
        if isinstance(f, EncryptedJSONField):
            cleared[f.name] = []
        elif isinstance(f, EncryptedTextField):
            cleared[f.name] = ""
    return cleared


def anonymise_cases(case_ids: list[int]) -> None:
    """Retention (protection.anonymise_returnee): the child's records lose their free text; codes, dates and
    statuses stay for statistics."""
    ChildProfile.objects.filter(case_id__in=case_ids).update(**_free_text(ChildProfile))
    BestInterestsAssessment.objects.filter(case_id__in=case_ids).update(**_free_text(BestInterestsAssessment))
    BestInterestsDetermination.objects.filter(case_id__in=case_ids).update(**_free_text(BestInterestsDetermination))
    PanelMember.objects.filter(determination__case_id__in=case_ids).update(**_free_text(PanelMember))
    ChildParticipation.objects.filter(case_id__in=case_ids).update(**_free_text(ChildParticipation))
    # The child plan's side (children.plan_models): the actor's name, the vulnerabilities, the closure notes.
    ChildPlanItem.objects.filter(item__plan__case_id__in=case_ids).update(**_free_text(ChildPlanItem))
    ChildFollowUp.objects.filter(visit__case_id__in=case_ids).update(**_free_text(ChildFollowUp))
    ChildClosureChecklist.objects.filter(case_id__in=case_ids).update(**_free_text(ChildClosureChecklist))

"""Every write of family tracing and reunification: permission check first (the case is the user's to change
AND the user holds the protection capability), the rules with their codes (one rule path: the pages and the
API only parse), atomic and attributed in the change log.

Writes: `open_tracing_request`, `close_tracing_request`, `record_tracing_action`, `record_family_member_found`,
`save_reunification_assessment` (which plans the follow-up visits when the reunification date is recorded)
and `record_reunification_follow_up`. Requests, actions, people found and follow-ups are recorded, not edited;
the assessment is edited under optimistic concurrency (`expected_version`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from auditlog.context import set_actor
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.access import permissions, versioning
from reintegra.access.roles import Capability
from reintegra.cases import lifecycle
from reintegra.cases import permissions as case_permissions
from reintegra.cases import scoping as case_scoping
from reintegra.cases.models import Case
from reintegra.children import tracing_core
from reintegra.children.tracing_choices import (
    Answer,
    AuthorityView,
    ChildWish,
    PlacementOutlook,
    ReunificationRecommendation,
    SoughtRelationship,
    TracingMethod,
    TracingResult,
    TracingStatus,
)
from reintegra.children.tracing_models import (
    FamilyMemberFound,
    ReunificationAssessment,
    ReunificationFollowUp,
    TracingAction,
    TracingRequest,
)
from reintegra.validation import FieldErrors

if TYPE_CHECKING:
    from reintegra.access.models import User

R = ReunificationRecommendation
REUNIFYING = frozenset({R.REUNIFY, R.REUNIFY_WITH_SUPPORT})
EARLIEST_BIRTH_YEAR = 1900


def require_tracing_write(user: User, case: Case) -> None:
    """The case is the user's to change (`cases.permissions`) and they may see child-protection data."""
    case_permissions.require_case_write(user, case)
    permissions.require(user, Capability.SEE_PROTECTION)


@contextmanager
def _write(user: User, case: Case) -> Iterator[None]:
    require_tracing_write(user, case)
    # A closed case is read, not traced further (reopen it first).
    facts = lifecycle.CaseFacts(case.status, has_assessment=False, plan_agreed=False, has_follow_up=False)
    lifecycle.ensure_open(facts)
    with transaction.atomic(), set_actor(user):
        yield


def _not_future(errors: FieldErrors, field: str, value: date | None, today: date) -> None:
    if value is not None and value > today:
        errors.add(field, _("This date cannot be in the future."), "in_future")


def _required(errors: FieldErrors, field: str, value: object) -> None:
    if value in (None, ""):
        errors.add(field, _("This field is required."), "required")


def _choice(errors: FieldErrors, field: str, value: str, choices: type[object]) -> None:
    if not value:
        errors.add(field, _("This field is required."), "required")
    elif value not in getattr(choices, "values", ()):
        errors.add(field, _("Select a valid choice."), "invalid_choice")


# --- tracing requests ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TracingRequestInput:
    relationship: str
    given_names: str = ""
    family_names: str = ""
    birth_year: int | None = None
    last_known_location: str = ""
    notes: str = ""
    opened_on: date | None = None


def _request_errors(data: TracingRequestInput, today: date) -> FieldErrors:
    errors = FieldErrors()
    _choice(errors, "relationship", data.relationship, SoughtRelationship)
    if not data.given_names.strip() and not data.family_names.strip():
        errors.add("given_names", _("Give at least a given name or a family name of the person sought."), "required")
    if data.birth_year is not None and not EARLIEST_BIRTH_YEAR <= data.birth_year <= today.year:
        errors.add(
            "birth_year",
            _("Give a year between %(first)s and %(last)s.") % {"first": EARLIEST_BIRTH_YEAR, "last": today.year},
            "out_of_range",
        )
    _required(errors, "opened_on", data.opened_on)
    _not_future(errors, "opened_on", data.opened_on, today)
    return errors


def open_tracing_request(user: User, case: Case, data: TracingRequestInput) -> TracingRequest:
    """Start looking for one person for the child."""
    with _write(user, case):
        today = timezone.localdate()
        _request_errors(data, today).raise_if_any()
        assert data.opened_on is not None
        return TracingRequest.objects.create(
            case=case,
            relationship=data.relationship,
            given_names=data.given_names.strip(),
            family_names=data.family_names.strip(),
            birth_year=data.birth_year,
            last_known_location=data.last_known_location.strip(),
            notes=data.notes.strip(),
            opened_on=data.opened_on,
            opened_by=user,
        )


def _locked_open_request(case: Case, request_id: int | None, errors: FieldErrors) -> TracingRequest | None:
    """The case's request `request_id`, locked; an error on "request" when it is not this case's or not open."""
    if request_id is None:
        errors.add("request", _("This field is required."), "required")
        return None
    request = TracingRequest.objects.select_for_update().filter(case=case, pk=request_id).first()
    if request is None:
        # Another case's request (or none): refused like an unknown one, nothing said about it.
        errors.add("request", _("Select a tracing request of this case."), "invalid_choice")
        return None
    if request.status != TracingStatus.OPEN:
        errors.add("request", _("This tracing request is closed."), "closed")
    return request


def close_tracing_request(user: User, case: Case, *, request_id: int | None, closed_on: date | None) -> TracingRequest:
    """Stop looking without having found the person."""
    with _write(user, case):
        errors = FieldErrors()
        request = _locked_open_request(case, request_id, errors)
        _required(errors, "closed_on", closed_on)
        _not_future(errors, "closed_on", closed_on, timezone.localdate())
        if request is not None and closed_on is not None and closed_on < request.opened_on:
            errors.add("closed_on", _("This date is before the request was opened."), "before_opening")
        errors.raise_if_any()
        assert request is not None
        request.status, request.closed_on = TracingStatus.CLOSED, closed_on
        request.save(update_fields=["status", "closed_on"])
        return request


# --- tracing actions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TracingActionInput:
    request: int | None
    method: str
    taken_on: date | None
    carried_out_by: str
    result: str
    result_notes: str = ""


def record_tracing_action(user: User, case: Case, data: TracingActionInput) -> TracingAction:
    """One step taken to find the person (a call, a visit, the consulate...) and what came of it."""
    with _write(user, case):
        errors = FieldErrors()
        request = _locked_open_request(case, data.request, errors)
        _choice(errors, "method", data.method, TracingMethod)
        _choice(errors, "result", data.result, TracingResult)
        _required(errors, "taken_on", data.taken_on)
        _not_future(errors, "taken_on", data.taken_on, timezone.localdate())
        if request is not None and data.taken_on is not None and data.taken_on < request.opened_on:
            errors.add("taken_on", _("This date is before the request was opened."), "before_opening")
        _required(errors, "carried_out_by", data.carried_out_by.strip())
        errors.raise_if_any()
        assert request is not None and data.taken_on is not None
        return TracingAction.objects.create(
            request=request,
            method=data.method,
            taken_on=data.taken_on,
            carried_out_by=data.carried_out_by.strip(),
            result=data.result,
            result_notes=data.result_notes.strip(),
            recorded_by=user,
        )


# --- family members found -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FamilyMemberInput:
    request: int | None
    relationship: str
    given_names: str
    family_names: str
    found_on: date | None
    contact: str = ""
    returnee: int | None = None  # a registered person the match was confirmed with
    notes: str = ""


def record_family_member_found(user: User, case: Case, data: FamilyMemberInput) -> FamilyMemberFound:
    """The person (or another relative) was found: the request is closed as found."""
    with _write(user, case):
        errors = FieldErrors()
        request = _locked_open_request(case, data.request, errors)
        _choice(errors, "relationship", data.relationship, SoughtRelationship)
        _required(errors, "given_names", data.given_names.strip())
        _required(errors, "found_on", data.found_on)
        _not_future(errors, "found_on", data.found_on, timezone.localdate())
        if request is not None and data.found_on is not None and data.found_on < request.opened_on:
            errors.add("found_on", _("This date is before the request was opened."), "before_opening")
        if data.returnee is not None and data.returnee not in case_scoping.visible_returnee_ids(user, [data.returnee]):
            # A person the user may not see is refused like an unknown one.
            errors.add("returnee", _("Select a registered person you can see."), "invalid_choice")
        errors.raise_if_any()
        assert request is not None and data.found_on is not None
        found = FamilyMemberFound.objects.create(
            request=request,
            relationship=data.relationship,
            given_names=data.given_names.strip(),
            family_names=data.family_names.strip(),
            contact=data.contact.strip(),
            found_on=data.found_on,
            returnee_id=data.returnee,
            notes=data.notes.strip(),
            recorded_by=user,
        )
        request.status, request.closed_on = TracingStatus.FOUND, data.found_on
        request.save(update_fields=["status", "closed_on"])
        return found


# --- reunification suitability assessment -------------------------------------------------------------


@dataclass(frozen=True)
class ReunificationInput:
    assessed_on: date | None
    family_member: int | None = None
    family_willing: str = Answer.UNKNOWN
    family_able: str = Answer.UNKNOWN
    home_safe: str = Answer.UNKNOWN
    safety_notes: str = ""
    child_wish: str = ChildWish.NOT_HEARD
    child_views: str = ""
    authority: str = ""
    authority_view: str = AuthorityView.PENDING
    authority_notes: str = ""
    recommendation: str = R.PENDING
    reasons: str = ""
    reunified_on: date | None = None

    @classmethod
    def of(cls, a: ReunificationAssessment) -> ReunificationInput:
        return cls(
            assessed_on=a.assessed_on,
            family_member=a.family_member_id,
            family_willing=a.family_willing,
            family_able=a.family_able,
            home_safe=a.home_safe,
            safety_notes=a.safety_notes,
            child_wish=a.child_wish,
            child_views=a.child_views,
            authority=a.authority,
            authority_view=a.authority_view,
            authority_notes=a.authority_notes,
            recommendation=a.recommendation,
            reasons=a.reasons,
            reunified_on=a.reunified_on,
        )


def _assessment_choices(errors: FieldErrors, data: ReunificationInput) -> None:
    for field in ("family_willing", "family_able", "home_safe"):
        _choice(errors, field, getattr(data, field), Answer)
    _choice(errors, "child_wish", data.child_wish, ChildWish)
    _choice(errors, "authority_view", data.authority_view, AuthorityView)
    _choice(errors, "recommendation", data.recommendation, R)


def _recommendation_errors(errors: FieldErrors, data: ReunificationInput) -> None:
    """Reunification is recommended only for a family that is willing and whose home is safe, after hearing
    the child; going against the child's wish or the authority's view needs its reasons written down."""
    if data.recommendation not in REUNIFYING:
        return
    if data.family_willing != Answer.YES or data.home_safe != Answer.YES:
        errors.add(
            "recommendation",
            _("Reunification can only be recommended when the family is willing to care and the home is safe."),
            "not_suitable",
        )
    elif data.recommendation == R.REUNIFY and data.family_able != Answer.YES:
        errors.add(
            "recommendation",
            _("The family is not known to be able to care for the child: recommend reunification with support."),
            "support_needed",
        )
    if data.child_wish == ChildWish.NOT_HEARD:
        errors.add("child_wish", _("Hear the child before recommending reunification."), "required")
    against = data.child_wish == ChildWish.DOES_NOT_WANT or data.authority_view == AuthorityView.DISAGREES
    if against and not data.reasons.strip():
        errors.add(
            "reasons",
            _("The child or the authority is against reunification: write down why it is still recommended."),
            "required",
        )


def _date_moved_after_visits(errors: FieldErrors) -> None:
    errors.add(
        "reunified_on", _("Follow-up visits were already recorded for this reunification."), "follow_ups_started"
    )


def _reunification_date_errors(
    errors: FieldErrors, case: Case, data: ReunificationInput, existing: ReunificationAssessment | None, today: date
) -> None:
    moved = existing is not None and existing.reunified_on not in (None, data.reunified_on)
    if moved and _visits_done(case):
        _date_moved_after_visits(errors)
    if data.reunified_on is None:
        return
    _not_future(errors, "reunified_on", data.reunified_on, today)
    if data.recommendation not in REUNIFYING:
        errors.add("reunified_on", _("Record a reunification only when it is recommended."), "not_recommended")
    if data.assessed_on is not None and data.reunified_on < data.assessed_on:
        errors.add("reunified_on", _("The reunification cannot be before its assessment."), "before_assessment")
    if data.authority_view != AuthorityView.AGREES:
        errors.add(
            "authority_view",
            _("The child-protection authority must agree before the child is reunified."),
            "authority_agreement_required",
        )
    if data.family_member is None:
        errors.add("family_member", _("Say which family member the child was reunified with."), "required")


def _visits_done(case: Case) -> bool:
    return ReunificationFollowUp.objects.filter(case=case, done_on__isnull=False).exists()


def reunification_problems(
    case: Case, data: ReunificationInput, existing: ReunificationAssessment | None, today: date
) -> FieldErrors:
    errors = FieldErrors()
    _required(errors, "assessed_on", data.assessed_on)
    _not_future(errors, "assessed_on", data.assessed_on, today)
    _assessment_choices(errors, data)
    if (
        data.family_member is not None
        and not FamilyMemberFound.objects.filter(request__case=case, pk=data.family_member).exists()
    ):
        errors.add("family_member", _("Select a family member found for this child."), "invalid_choice")
    _recommendation_errors(errors, data)
    _reunification_date_errors(errors, case, data, existing, today)
    return errors


def save_reunification_assessment(
    user: User, case: Case, data: ReunificationInput, *, expected_version: int | None = None
) -> ReunificationAssessment:
    """Create or revise the case's reunification assessment. Recording (or moving, before any visit) the
    reunification date plans the follow-up visits at 2 weeks, 1, 3 and 6 months."""
    with _write(user, case):
        existing = ReunificationAssessment.objects.filter(case=case).first()
        if existing is not None:
            versioning.lock(existing, expected_version)
        else:
            versioning.check(None, expected_version)
        reunification_problems(case, data, existing, timezone.localdate()).raise_if_any()
        assessment = existing or ReunificationAssessment(case=case)
        before = existing.reunified_on if existing is not None else None
        for field, value in vars(data).items():
            setattr(assessment, field if field != "family_member" else "family_member_id", value)
        for field in ("safety_notes", "child_views", "authority", "authority_notes", "reasons"):
            setattr(assessment, field, getattr(data, field).strip())
        assessment.assessed_by = user
        assessment.save()
        if data.reunified_on != before:
            _plan_follow_ups(case, data.reunified_on)
        assessment.refresh_from_db()
        return assessment


def _plan_follow_ups(case: Case, reunified_on: date | None) -> None:
    # Only planned visits are replaced: the rules refuse to move a date once a visit was recorded.
    ReunificationFollowUp.objects.filter(case=case, done_on__isnull=True).delete()
    if reunified_on is None:
        return
    ReunificationFollowUp.objects.bulk_create(
        ReunificationFollowUp(case=case, milestone=code, due_on=due)
        for code, due in tracing_core.follow_up_schedule(reunified_on)
    )


# --- post-reunification follow-up ---------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUpInput:
    done_on: date | None
    outlook: str
    notes: str = ""


def record_reunification_follow_up(
    user: User, case: Case, follow_up_id: int, data: FollowUpInput
) -> ReunificationFollowUp:
    """A planned post-reunification visit took place (recorded once)."""
    with _write(user, case):
        follow_up = ReunificationFollowUp.objects.select_for_update().get(case=case, pk=follow_up_id)
        errors = FieldErrors()
        if follow_up.done_on is not None:
            errors.add("done_on", _("This follow-up visit is already recorded."), "already_done")
        _required(errors, "done_on", data.done_on)
        _not_future(errors, "done_on", data.done_on, timezone.localdate())
        reunified_on = ReunificationAssessment.objects.filter(case=case).values_list("reunified_on", flat=True).first()
        if data.done_on is not None and reunified_on is not None and data.done_on < reunified_on:
            errors.add("done_on", _("The visit cannot be before the reunification."), "before_reunification")
        _choice(errors, "outlook", data.outlook, PlacementOutlook)
        if data.outlook in (PlacementOutlook.CONCERNS, PlacementOutlook.AT_RISK) and not data.notes.strip():
            # A worry nobody wrote down cannot be acted on by whoever reads the case next.
            errors.add("notes", _("Describe what worries you about the placement."), "required")
        errors.raise_if_any()
        follow_up.done_on, follow_up.outlook = data.done_on, data.outlook
        follow_up.notes, follow_up.conducted_by = data.notes.strip(), user
        follow_up.save()
        return follow_up


# --- data retention -----------------------------------------------------------------------------------


def clear_for_retention(case_ids: list[int]) -> None:
    """Erase the names, contacts and free text of these cases' tracing (`protection.retention_hooks`); codes
    and dates stay for statistics. Called by the anonymisation itself, inside its transaction."""
    cleared_request = {"given_names": "", "family_names": "", "last_known_location": "", "notes": ""}
    TracingRequest.objects.filter(case_id__in=case_ids).update(**cleared_request)
    TracingAction.objects.filter(request__case_id__in=case_ids).update(carried_out_by="", result_notes="")
    FamilyMemberFound.objects.filter(request__case_id__in=case_ids).update(
        given_names="", family_names="", contact="", notes="", returnee=None
    )
    ReunificationAssessment.objects.filter(case_id__in=case_ids).update(
        safety_notes="", child_views="", authority_notes="", reasons=""
    )
    ReunificationFollowUp.objects.filter(case_id__in=case_ids).update(notes="")

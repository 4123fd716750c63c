"""Every write of the child plan, the child's follow-up and the child closure checklist, and the closure rule
the cases app asks through its hook (registered in `plan_wiring`):

- the child plan places the case's plan items in it: timeframe (one-off or 1-12 weeks: short term; 1-24
  months: long term), for the child, the family or the community (a community measure names its community
  actor), the sector;
- a child follow-up records a visit with the child's current vulnerabilities and the agreed monitoring
  frequency; the next visit is due within it (`beyond_frequency`);
- a child case is closed only with the child closure checklist completed since it was last reopened
  (`closure_checklist_required`).
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
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.access import versioning
from reintegra.access.models import User
from reintegra.access.transitions import TransitionError
from reintegra.cases import lifecycle
from reintegra.cases import services as case_services
from reintegra.cases.choices import CaseEventKind
from reintegra.cases.models import Case, CaseEvent, ReintegrationPlan
from reintegra.children import permissions as child_permissions
from reintegra.children import plan_selectors, selectors
from reintegra.children.plan_choices import (
    ChildPlanSector,
    ChildPlanTarget,
    ChildPlanTimeframe,
    ChildViewOnClosure,
    ChildVulnerability,
    ClosureConditionStatus,
    CommunityProtectionActor,
    MonitoringFrequency,
)
from reintegra.children.plan_models import ChildClosureChecklist, ChildFollowUp, ChildPlanItem
from reintegra.children.services import require_child_case
from reintegra.validation import FieldErrors

if TYPE_CHECKING:
    from django.db.models import Choices

# Longest duration of each timeframe: "weeks" beyond three months is a long-term measure; a long-term
# measure runs up to two years (docs/domain-individual.md §7).
DURATION_LIMITS = {ChildPlanTimeframe.WEEKS: 12, ChildPlanTimeframe.MONTHS: 24}


@contextmanager
def _write(user: User) -> Iterator[None]:
    with transaction.atomic(), set_actor(user):
        yield


def _event(case: Case, user: User, what: str, **data: Any) -> None:
    """A timeline line: codes, dates and counts only."""
    CaseEvent.objects.create(case=case, kind=CaseEventKind.CHILD, actor=user, data={"what": what, **data})


def _choice(errors: FieldErrors, name: str, value: str, allowed: type[Choices], *, blank: bool = False) -> str:
    if (blank and value == "") or value in allowed.values:
        return value
    if value == "":
        errors.add(name, _("This field is required."), "required")
    else:
        errors.add(name, _("Choose a value from the list."), "invalid_choice")
    return value


# --- Child plan ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildPlanItemInput:
    item_id: int | None
    timeframe: str
    target: str
    sector: str
    duration: int | None = None
    community_actor: str = ""
    community_actor_name: str = ""


def _duration(errors: FieldErrors, row: str, timeframe: str, duration: int | None) -> int | None:
    if timeframe == ChildPlanTimeframe.ONE_OFF or timeframe not in ChildPlanTimeframe.values:
        return None  # a one-off measure has no duration; an unknown timeframe is refused already
    limit = DURATION_LIMITS[ChildPlanTimeframe(timeframe)]
    if duration is None:
        errors.add(f"{row}duration", _("Say for how many weeks or months."), "required")
    elif not 1 <= duration <= limit:
        errors.add(
            f"{row}duration",
            _("Between 1 and %(limit)d: a longer measure is a long-term one, of months (up to two years).")
            % {"limit": limit},
            "out_of_range",
        )
    return duration


def _measure(errors: FieldErrors, row: str, data: ChildPlanItemInput, detail: ChildPlanItem) -> ChildPlanItem:
    detail.timeframe = _choice(errors, f"{row}timeframe", data.timeframe, ChildPlanTimeframe)
    detail.duration = _duration(errors, row, data.timeframe, data.duration)
    detail.target = _choice(errors, f"{row}target", data.target, ChildPlanTarget)
    detail.sector = _choice(errors, f"{row}sector", data.sector, ChildPlanSector)
    detail.community_actor = _choice(
        errors, f"{row}community_actor", data.community_actor, CommunityProtectionActor, blank=True
    )
    detail.community_actor_name = data.community_actor_name.strip()
    if not detail.community_actor and (detail.target == ChildPlanTarget.COMMUNITY or detail.community_actor_name):
        errors.add(
            f"{row}community_actor",
            _("Say which community child-protection actor is involved."),
            "required",
        )
    with errors.capture(prefix=row):
        detail.full_clean(exclude=["item", "timeframe", "duration", "target", "sector", "community_actor"])
    return detail


def _measures(plan: ReintegrationPlan, rows: list[ChildPlanItemInput]) -> list[ChildPlanItem]:
    """The child-plan detail of each listed item of the plan, or every error at once ("measures.1.sector")."""
    errors = FieldErrors()
    items = {item.pk: item for item in plan.items.select_related("child_detail")}
    built: list[ChildPlanItem] = []
    seen: set[int] = set()
    for index, data in enumerate(rows):
        row = f"measures.{index}."
        item = items.get(data.item_id) if data.item_id is not None else None
        if item is None:
            errors.add(f"{row}item", _("Choose an item of this case's plan."), "invalid_choice")
        elif item.pk in seen:
            errors.add(f"{row}item", _("The same plan item appears twice."), "duplicate")
        detail = getattr(item, "child_detail", None) if item is not None else None
        built.append(_measure(errors, row, data, detail or ChildPlanItem(item=item)))
        seen.add(data.item_id or 0)
    errors.raise_if_any()
    return built


def save_child_plan(
    user: User, case: Case, items: list[ChildPlanItemInput], *, expected_version: int | None = None
) -> ReintegrationPlan:
    """Place the plan's items in the child plan (the items not listed leave it). The details are part of the
    plan: `expected_version` is the plan's version the user read, and saving moves it."""
    child_permissions.require_child_write(user, case)
    with _write(user):
        versioning.lock(case, None)
        plan = ReintegrationPlan.objects.select_for_update().filter(case=case).first()
        versioning.check(plan, expected_version)
        lifecycle.ensure_open(case_services.facts(case))
        require_child_case(case)
        if plan is None:
            raise TransitionError(_("Draft the reintegration plan before its child plan."), "plan_required")
        built = _measures(plan, items)
        ChildPlanItem.objects.filter(item__plan=plan).exclude(item_id__in=[m.item_id for m in built]).delete()
        for measure in built:
            measure.save()
        plan.save(update_fields=["updated_at"])
        _event(case, user, "child_plan_saved", measures=len(built))
        return plan


# --- Child follow-up -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildFollowUpInput:
    monitoring_frequency: str
    vulnerabilities: list[str] = field(default_factory=list)
    vulnerability_note: str = ""
    monitored_with: str = ""
    child_participated: bool = False


def _child_side(errors: FieldErrors, record: ChildFollowUp, data: ChildFollowUpInput) -> None:
    record.monitoring_frequency = _choice(
        errors, "monitoring_frequency", data.monitoring_frequency, MonitoringFrequency
    )
    record.monitored_with = _choice(errors, "monitored_with", data.monitored_with, CommunityProtectionActor, blank=True)
    codes = list(dict.fromkeys(data.vulnerabilities))
    if not codes:
        errors.add(
            "vulnerabilities",
            _("Record the child's current vulnerabilities, or that there is none."),
            "required",
        )
    elif any(code not in ChildVulnerability.values for code in codes):
        errors.add("vulnerabilities", _("Choose a value from the list."), "invalid_choice")
    elif ChildVulnerability.NONE in codes and len(codes) > 1:
        errors.add("vulnerabilities", _("“No current vulnerability” cannot go with a vulnerability."), "exclusive")
    record.vulnerabilities = codes
    record.vulnerability_note = data.vulnerability_note.strip()
    record.child_participated = bool(data.child_participated)
    with errors.capture():
        record.full_clean(
            exclude=["visit", "case", "vulnerabilities", "monitoring_frequency", "monitored_with", "next_due_on"]
        )


def _next_visit(errors: FieldErrors, values: dict[str, Any], frequency: str) -> None:
    """The next visit within the agreed frequency; set from it when not given."""
    visited_on = values.get("visited_on")
    if not isinstance(visited_on, date) or frequency not in MonitoringFrequency.values:
        return
    latest = plan_selectors.next_due(visited_on, frequency)
    chosen = values.get("next_visit_on")
    if chosen is None:
        values["next_visit_on"] = latest
    elif chosen > latest:
        errors.add(
            "next_visit_on",
            _("At the agreed frequency the next visit is due by %(date)s.") % {"date": latest.isoformat()},
            "beyond_frequency",
        )


def record_child_follow_up(
    user: User,
    case: Case,
    visit_values: dict[str, Any],
    data: ChildFollowUpInput,
    progress: list[case_services.ProgressInput] | None = None,
) -> ChildFollowUp:
    """A follow-up visit of a child case (the cases service records the visit and its plan progress) with the
    child's current vulnerabilities and the agreed monitoring frequency; every error of both at once."""
    child_permissions.require_child_write(user, case)
    with _write(user):
        require_child_case(case)
        errors = FieldErrors()
        record = ChildFollowUp(case=case)
        _child_side(errors, record, data)
        values = dict(visit_values)
        _next_visit(errors, values, data.monitoring_frequency)
        items = [entry.item_id for entry in progress or []]
        if len(items) != len(set(items)):
            errors.add("progress", _("The same plan item appears twice."), "duplicate")
            errors.raise_if_any()
        try:
            visit = case_services.record_follow_up(user, case, values, progress)
        except ValidationError as exc:
            errors.extend(exc)
            raise errors.error() from None
        errors.raise_if_any()
        record.visit = visit
        record.next_due_on = plan_selectors.next_due(visit.visited_on, record.monitoring_frequency)
        record.save()
        _event(case, user, "child_follow_up", visit=visit.pk, frequency=record.monitoring_frequency)
        return record


# --- Child closure checklist ---------------------------------------------------------------------

CONDITIONS = ("safe_care", "school", "health", "psychosocial", "family_economy")


@dataclass(frozen=True)
class ClosureChecklistInput:
    safe_care: str = ""
    safe_care_note: str = ""
    school: str = ""
    school_note: str = ""
    health: str = ""
    health_note: str = ""
    psychosocial: str = ""
    psychosocial_note: str = ""
    family_economy: str = ""
    family_economy_note: str = ""
    child_view: str = ""
    child_view_note: str = ""
    good_practice: str = ""
    # Completed: the closure may go ahead (every condition assessed, the child's view, the good practice).
    complete: bool = False

    @classmethod
    def of(cls, checklist: ChildClosureChecklist) -> ClosureChecklistInput:
        names = [*CONDITIONS, *(f"{n}_note" for n in CONDITIONS), "child_view", "child_view_note", "good_practice"]
        return cls(**{name: getattr(checklist, name) for name in names}, complete=checklist.is_completed)


def _completion_errors(errors: FieldErrors, checklist: ChildClosureChecklist) -> None:
    for name in CONDITIONS:
        status = getattr(checklist, name)
        if not status:
            errors.add(name, _("Assess this condition to complete the checklist."), "required")
        elif name not in errors and status != ClosureConditionStatus.MET and not getattr(checklist, f"{name}_note"):
            errors.add(f"{name}_note", _("Say what is still missing and what was arranged."), "required")
    if not checklist.child_view:
        errors.add("child_view", _("Record the child's view on ending the assistance."), "required")
    if not checklist.child_view_note:
        message = (
            _("Say why the child could not be heard.")
            if checklist.child_view == ChildViewOnClosure.NOT_HEARD
            else _("Record the child's own words.")
        )
        errors.add("child_view_note", message, "required")
    if not checklist.good_practice:
        errors.add(
            "good_practice", _("Document the good practice this case leaves (or what did not work)."), "required"
        )


def _apply_checklist(checklist: ChildClosureChecklist, data: ClosureChecklistInput) -> None:
    errors = FieldErrors()
    for name in CONDITIONS:
        setattr(checklist, name, _choice(errors, name, getattr(data, name), ClosureConditionStatus, blank=True))
        setattr(checklist, f"{name}_note", getattr(data, f"{name}_note").strip())
    checklist.child_view = _choice(errors, "child_view", data.child_view, ChildViewOnClosure, blank=True)
    checklist.child_view_note = data.child_view_note.strip()
    checklist.good_practice = data.good_practice.strip()
    if data.complete:
        _completion_errors(errors, checklist)
    with errors.capture():
        checklist.full_clean(exclude=["case", "completed_by", *CONDITIONS, "child_view"])
    errors.raise_if_any()


def save_closure_checklist(
    user: User, case: Case, data: ClosureChecklistInput, *, expected_version: int | None = None
) -> ChildClosureChecklist:
    """Create or revise the child closure checklist (version 0: none yet); `complete` completes it, anything
    else leaves it a draft that does not allow the closure."""
    child_permissions.require_child_write(user, case)
    with _write(user):
        versioning.lock(case, None)
        checklist = ChildClosureChecklist.objects.select_for_update().filter(case=case).first()
        versioning.check(checklist, expected_version)
        lifecycle.ensure_open(case_services.facts(case))
        require_child_case(case)
        created = checklist is None
        checklist = checklist or ChildClosureChecklist(case=case)
        _apply_checklist(checklist, data)
        checklist.completed_at = timezone.now() if data.complete else None
        checklist.completed_by = user if data.complete else None
        checklist.save()
        what = "closure_checklist_completed" if data.complete else "closure_checklist_saved"
        _event(case, user, what, created=created)
        return checklist


# --- The rule the cases app asks (extensions.register_step_check) --------------------------------


def check_closure_checklist(case: Case) -> None:
    """A child case is closed with the child closure checklist completed since it was last reopened."""
    if not selectors.is_child_case(case):
        return
    if not plan_selectors.checklist_is_current(case, plan_selectors.closure_checklist_of(case)):
        raise TransitionError(
            _("Complete the child closure checklist before closing a child's case (the Children tab)."),
            "closure_checklist_required",
        )

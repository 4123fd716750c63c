"""Demo data of the children's path (data/children.yaml): oim-gt's child cases in every stage — a profile
only; a best-interests assessment (BIA) awaiting the supervisor's approval; a high-priority BIA past its
deadline (in the supervisor's queue and reminded); the unaccompanied 15-year-old returned by land from Mexico
with an approved BIA, a best-interests determination (BID) decided by a panel of three and family tracing
under way; a child reunified with her mother, with the follow-up visits done and the next one due; a child
case closed with the closure checklist and the child's say; and a mother's case with a child case opened
from it for one of her returned children (the family group), the other still waiting for hers.

Everything is written through the cases and children services, as the case manager ("gestora") and the
supervisor ("supervisora"), so every rule of the path applies to the demo as to a user. Dates are counted
back from today.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from reintegra.access.models import User
from reintegra.cases import duplicates
from reintegra.cases import selectors as case_selectors
from reintegra.cases import services as case_services
from reintegra.cases.choices import AttentionFlag
from reintegra.cases.models import Case
from reintegra.children import plan_services, services, tracing_services
from reintegra.children.choices import PanelRole
from reintegra.children.models import ChildProfile, ReunificationFollowUp
from reintegra.demo import vocabulary
from reintegra.demo.levels.context import DemoContext

_DATA = vocabulary.load("children.yaml")


def load(context: DemoContext) -> str:
    manager, supervisor = context.users.get("gestora"), context.users.get("supervisora")
    if manager is None or supervisor is None or manager.organisation_id != context.organisations["oim-gt"].pk:
        return "Children: no case manager or supervisor of oim-gt; skipped."
    if ChildProfile.objects.filter(case__organisation_id=manager.organisation_id).exists():
        return "Children: demo data already present."
    today = timezone.localdate()
    for entry in _DATA["cases"]:
        _child_case(entry, manager, supervisor, today)
    opened = sum(_family(entry, manager, today) for entry in _DATA["families"])
    return (
        f"Children: {len(_DATA['cases'])} child cases (profile only, BIA awaiting approval, overdue BIA, "
        "unaccompanied child with BID and tracing under way, reunified child with follow-ups, a child plan, a "
        "child-focused follow-up and a closure checklist started, a child case closed) and "
        f"{opened} opened from a parent's case (family group)."
    )


def _ago(today: date, days: int) -> date:
    return today - timedelta(days=days)


def _child_case(entry: dict[str, Any], manager: User, supervisor: User, today: date) -> Case:
    case = _open_case(entry, manager, today)
    profile = entry["profile"]
    services.save_profile(
        manager,
        case,
        services.ProfileInput(
            **{k: v for k, v in profile.items() if k != "caregivers"},
            caregivers=[services.CaregiverInput(**c) for c in profile.get("caregivers", [])],
        ),
        expected_version=0,
    )
    if "bia" in entry:
        _assessment(entry["bia"], case, manager, supervisor, today)
    if "bid" in entry:
        _determination(entry["bid"], case, manager, supervisor, today)
    found = [_tracing(request, case, manager, today) for request in entry.get("tracing", [])]
    if "reunification" in entry:
        _reunification(entry["reunification"], case, manager, found[0], today)
    if "plan" in entry:
        _child_plan(entry["plan"], case, manager, today)
    if "closure" in entry:
        _closure(entry["closure"], entry["plan"]["checklist"], case, manager, today)
    return case


def _closure(data: dict[str, Any], checklist: dict[str, Any], case: Case, manager: User, today: date) -> None:
    """The child closure checklist completed, the child heard on ending the assistance, the case closed (what
    is still open on it settled as the closure page suggests)."""
    plan_services.save_closure_checklist(
        manager,
        case,
        plan_services.ClosureChecklistInput(
            **checklist,
            child_view=data["child_view"],
            child_view_note=data["child_view_note"],
            good_practice=data["good_practice"],
            complete=True,
        ),
    )
    closed_on = _ago(today, data["days_ago"])
    services.record_participation(manager, case, decision="closure", recorded_on=closed_on, **data["participation"])
    case.refresh_from_db()
    decisions = {matter.key: matter.choices[0][0] for matter in case_selectors.open_matters(case)}
    case_services.close_case(manager, case, reason=data["reason"], closed_on=closed_on, open_matters=decisions)


def _family(entry: dict[str, Any], manager: User, today: date) -> int:
    """A parent's case with the household; a child case opened from it for each member marked `child_case`
    (children.services.create_child_case: one step, the family group). How many were opened."""
    adult, back = entry["adult"], entry["return"]
    return_date = _ago(today, back["days_ago"])
    returnee = case_services.register_returnee(
        manager,
        case_services.ReturneeInput(
            given_names=adult["given_names"],
            first_family_name=adult["first_family_name"],
            second_family_name=adult["second_family_name"],
            sex=adult["sex"],
            birth_date=return_date.replace(year=return_date.year - adult["age"]) - timedelta(days=120),
            nationality="GT",
            return_country="GT",
        ),
        confirmation=duplicates.DistinctPersonConfirmation(seen=None),
    )
    case = case_services.open_case(
        manager,
        returnee,
        case_services.ReturnInput(
            return_date=return_date,
            return_type=back["return_type"],
            host_country=back["host_country"],
            reception_place=back.get("reception_place", ""),
            causes_of_migration=back["causes"],
        ),
    )
    members = entry["members"]
    household = case_services.set_household(
        manager,
        case,
        [
            case_services.MemberInput(
                given_names=m["given_names"],
                family_names=m["family_names"],
                relationship=m["relationship"],
                sex=m["sex"],
                birth_date=return_date.replace(year=return_date.year - m["age"]) - timedelta(days=60),
                returned_too=m["returned_too"],
            )
            for m in members
        ],
        expected_version=0,
    )
    rows = list(household.members.order_by("pk"))
    chosen = [row for row, m in zip(rows, members, strict=True) if m.get("child_case")]
    for row in chosen:
        services.create_child_case(manager, case, row.pk)
    return len(chosen)


def _child_plan(data: dict[str, Any], case: Case, manager: User, today: date) -> None:
    """The case's plan with the child's measures, agreed after the child took part; a child-focused follow-up
    visit; and the closure checklist started (a draft: the case is still followed)."""
    case_services.record_assessment(manager, case, {"assessed_on": _ago(today, data["assessed_days_ago"])})
    case.refresh_from_db()
    case_services.save_plan(
        manager,
        case,
        goals=data["goals"],
        motivations=data["motivations"],
        items=[case_services.PlanItemInput(**item["item"]) for item in data["items"]],
    )
    services.record_participation(
        manager,
        case,
        decision="plan",
        method=data["participation"]["method"],
        views=data["participation"]["views"],
        recorded_on=_ago(today, data["agreed_days_ago"]),
    )
    case_services.agree_plan(
        manager, case, agreed_on=_ago(today, data["agreed_days_ago"]), late_reason=data.get("late_reason", "")
    )
    case.refresh_from_db()
    items = list(case.plan.items.order_by("pk"))
    plan_services.save_child_plan(
        manager,
        case,
        [
            plan_services.ChildPlanItemInput(item_id=item.pk, **entry["child"])
            for item, entry in zip(items, data["items"], strict=True)
        ],
    )
    visit = data["follow_up"]
    plan_services.record_child_follow_up(
        manager,
        case,
        {"visited_on": _ago(today, visit["days_ago"]), "mode": "in_person", "notes": visit["notes"]},
        plan_services.ChildFollowUpInput(**visit["child"]),
    )
    plan_services.save_closure_checklist(manager, case, plan_services.ClosureChecklistInput(**data["checklist"]))


def _open_case(entry: dict[str, Any], manager: User, today: date) -> Case:
    child, back = entry["child"], entry["return"]
    return_date = _ago(today, back["days_ago"])
    # Born a few months after the birthday that gives the age at return.
    birth = return_date.replace(year=return_date.year - child["age"]) - timedelta(days=90)
    returnee = case_services.register_returnee(
        manager,
        case_services.ReturneeInput(
            given_names=child["given_names"],
            first_family_name=child["first_family_name"],
            second_family_name=child["second_family_name"],
            sex=child["sex"],
            birth_date=birth,
            nationality="GT",
            return_country="GT",
            attention_flags=[AttentionFlag.CHILD],
        ),
        confirmation=duplicates.DistinctPersonConfirmation(seen=None),
    )
    return case_services.open_case(
        manager,
        returnee,
        case_services.ReturnInput(
            return_date=return_date,
            return_type=back["return_type"],
            host_country=back["host_country"],
            transit_countries=back.get("transit_countries", []),
            reception_place=back.get("reception_place", ""),
            causes_of_migration=back["causes"],
            causes_note=back.get("causes_note", ""),
        ),
    )


def _assessment(data: dict[str, Any], case: Case, manager: User, supervisor: User, today: date) -> None:
    skip = {"days_ago", "approved"}
    bia = services.start_assessment(
        manager,
        case,
        services.AssessmentInput(
            **{k: v for k, v in data.items() if k not in skip}, started_on=_ago(today, data["days_ago"])
        ),
    )
    if data.get("approved"):
        services.approve_assessment(supervisor, bia, note=_DATA["approval_note"])


def _determination(data: dict[str, Any], case: Case, manager: User, supervisor: User, today: date) -> None:
    authority = _DATA["panel_authority"]
    members = [
        services.PanelMemberInput(role=PanelRole.CHAIR, user_id=supervisor.pk),
        services.PanelMemberInput(role=PanelRole.CASE_MANAGER, user_id=manager.pk),
        services.PanelMemberInput(role=authority["role"], name=authority["name"]),
    ]
    declared = [
        services.PanelMemberInput(
            role=m.role, user_id=m.user_id, name=m.name, no_conflict_declared=True, confidentiality_declared=True
        )
        for m in members
    ]
    decided_on = _ago(today, data["decided_days_ago"])
    services.save_determination(
        manager,
        case,
        services.DeterminationInput(
            convened_on=_ago(today, data["convened_days_ago"]),
            members=declared,
            decision=data["decision"],
            reasons=data["reasons"],
            decided_on=decided_on,
            review_on=today + timedelta(days=data["review_in_days"]),
        ),
        expected_version=0,
    )


def _tracing(data: dict[str, Any], case: Case, manager: User, today: date) -> int | None:
    """A tracing request with its actions; the family member found (its id), if any."""
    request = tracing_services.open_tracing_request(
        manager,
        case,
        tracing_services.TracingRequestInput(
            relationship=data["relationship"],
            given_names=data["given_names"],
            family_names=data["family_names"],
            birth_year=data.get("birth_year"),
            last_known_location=data.get("last_known_location", ""),
            opened_on=_ago(today, data["days_ago"]),
        ),
    )
    for action in data.get("actions", []):
        tracing_services.record_tracing_action(
            manager,
            case,
            tracing_services.TracingActionInput(
                request=request.pk,
                method=action["method"],
                taken_on=_ago(today, action["days_ago"]),
                carried_out_by=action["carried_out_by"],
                result=action["result"],
                result_notes=action.get("result_notes", ""),
            ),
        )
    found = data.get("found")
    if found is None:
        return None
    member = tracing_services.record_family_member_found(
        manager,
        case,
        tracing_services.FamilyMemberInput(
            request=request.pk,
            relationship=found["relationship"],
            given_names=found["given_names"],
            family_names=found["family_names"],
            found_on=_ago(today, found["days_ago"]),
            contact=found.get("contact", ""),
            notes=found.get("notes", ""),
        ),
    )
    return member.pk


def _reunification(data: dict[str, Any], case: Case, manager: User, family_member: int | None, today: date) -> None:
    skip = {"assessed_days_ago", "reunified_days_ago", "follow_ups"}
    tracing_services.save_reunification_assessment(
        manager,
        case,
        tracing_services.ReunificationInput(
            **{k: v for k, v in data.items() if k not in skip},
            assessed_on=_ago(today, data["assessed_days_ago"]),
            family_member=family_member,
            reunified_on=_ago(today, data["reunified_days_ago"]),
        ),
        expected_version=0,
    )
    planned = ReunificationFollowUp.objects.filter(case=case).order_by("due_on")
    for visit, follow_up in zip(data["follow_ups"], planned, strict=False):
        tracing_services.record_reunification_follow_up(
            manager,
            case,
            follow_up.pk,
            tracing_services.FollowUpInput(
                done_on=min(follow_up.due_on + timedelta(days=visit["after_days"]), today),
                outlook=visit["outlook"],
                notes=visit["notes"],
            ),
        )

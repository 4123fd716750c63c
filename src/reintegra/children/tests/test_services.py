"""The child's case services and the rules they add to the plan, the closure and sharing (issue 13)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reintegra.access.models import Programme
from reintegra.access.transitions import TransitionError
from reintegra.cases import services as case_services
from reintegra.children import reminders, selectors, services
from reintegra.children.choices import BiaStatus, CareStatus
from reintegra.children.models import ChildProfile, ChildProtectionSettings
from reintegra.children.plan_services import save_closure_checklist  # child plan
from reintegra.children.tests.conftest import (
    World,
    approved_bia,
    bia_input,
    decided_bid,
    drafted_plan,
    panel,
    unaccompanied,
    years_ago,
)
from reintegra.children.tests.plan_helpers import checklist_input  # child plan
from reintegra.protection import services as protection_services
from reintegra.protection.models import Consent
from reintegra.testing import factories as f
from reintegra.testing.closure import suggested_decisions
from reintegra.testing.trail import access_events

pytestmark = pytest.mark.django_db


def codes(exc: ValidationError) -> dict[str, set[str]]:
    return {name: {e.code for e in errors} for name, errors in exc.error_dict.items()}  # type: ignore[misc]


# --- Which case is a child case -------------------------------------------------------------------


def test_a_case_is_a_child_case_by_age_at_return_or_by_flags_when_the_age_is_unknown(world: World):
    assert selectors.is_child_case(world.child_case)
    adult = f.case(world.manager, f.returnee(world.manager, given_names="Adulto"))
    assert not selectors.is_child_case(adult)
    # 17 at a return two years ago: still a child case now that they are 19.
    grown = f.returnee(world.manager, given_names="Luis", birth_date=years_ago(19))
    assert selectors.is_child_case(f.case(world.manager, grown, return_date=timezone.localdate() - timedelta(days=730)))
    # Registration asks for an age; a record without one (imported, anonymised) falls back on the flags.
    flagged = f.returnee(world.manager, given_names="Flag", attention_flags=["unaccompanied_minor"])
    flagged.birth_date, flagged.estimated_birth_year = None, None
    assert selectors.is_child_returnee_at(flagged, timezone.localdate())
    flagged.attention_flags = []
    assert not selectors.is_child_returnee_at(flagged, timezone.localdate())


def test_the_profile_is_refused_for_an_adult_case(world: World):
    adult = f.case(world.manager, f.returnee(world.manager, given_names="Adulto"))
    with pytest.raises(TransitionError) as exc:
        services.save_profile(world.manager, adult, services.ProfileInput(care_status="accompanied"))
    assert exc.value.code == "not_a_child_case"


def test_profile_fields_are_checked_and_encrypted(world: World):
    with pytest.raises(ValidationError) as exc:
        services.save_profile(
            world.manager,
            world.child_case,
            services.ProfileInput(
                care_status="lost",
                caregivers=[services.CaregiverInput(name=" ")],
                guardian_informed=True,
                authority_officer="Lic. Ramírez",
            ),
        )
    assert codes(exc.value) == {
        "care_status": {"invalid_choice"},
        "caregivers.0.name": {"required"},
        "guardian_name": {"required"},
        "authority": {"required"},
    }
    profile = services.save_profile(
        world.manager,
        world.child_case,
        services.ProfileInput(
            care_status="separated",
            caregivers=[services.CaregiverInput(name="Rosa Pérez", relationship="tía")],
            guardian_name="Rosa Pérez",
            authority="gt_pgn",
            authority_officer="Lic. Ramírez",
            languages="k'iche', español",
        ),
    )
    assert profile.caregivers == [{"name": "Rosa Pérez", "relationship": "tía", "contact": ""}]
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT guardian_name, languages FROM children_childprofile WHERE id = %s", [profile.pk])
        stored = cursor.fetchone()
    assert "Rosa" not in stored[0] and "k'iche'" not in stored[1]


def test_a_user_without_the_protection_category_cannot_write_the_profile(world: World):
    me = f.user(world.org, "me_officer")
    with pytest.raises(PermissionDenied):
        services.save_profile(me, world.child_case, services.ProfileInput(care_status="accompanied"))


# --- The plan and closure rules -------------------------------------------------------------------


def test_a_child_plan_needs_an_approved_bia_then_a_bid_when_unaccompanied_then_participation(world: World):
    unaccompanied(world)
    drafted_plan(world)
    agree = lambda: case_services.agree_plan(world.manager, world.child_case, agreed_on=timezone.localdate())  # noqa: E731
    with pytest.raises(TransitionError) as exc:
        agree()
    assert exc.value.code == "bia_required"
    # A completed BIA not yet approved is not enough.
    bia = services.start_assessment(world.manager, world.child_case, bia_input())
    with pytest.raises(TransitionError) as exc:
        agree()
    assert exc.value.code == "bia_required"
    services.approve_assessment(world.supervisor, bia)
    with pytest.raises(TransitionError) as exc:
        agree()
    assert exc.value.code == "bid_required"
    services.save_determination(world.manager, world.child_case, decided_bid(world))
    with pytest.raises(TransitionError) as exc:
        agree()
    assert exc.value.code == "participation_required"
    services.record_participation(
        world.manager,
        world.child_case,
        decision="plan",
        method="trusted_adult",
        views="Quiere estudiar.",
        recorded_on=timezone.localdate(),
    )
    assert agree().is_agreed


def test_an_accompanied_child_plan_needs_no_bid(world: World):
    services.save_profile(world.manager, world.child_case, services.ProfileInput(care_status=CareStatus.ACCOMPANIED))
    drafted_plan(world)
    approved_bia(world)
    services.record_participation(
        world.manager,
        world.child_case,
        decision="plan",
        method="in_person",
        views="De acuerdo.",
        recorded_on=timezone.localdate(),
    )
    plan = case_services.agree_plan(world.manager, world.child_case, agreed_on=timezone.localdate())
    assert plan.is_agreed


def test_an_adult_plan_is_not_touched_by_the_child_rules(world: World):
    assert f.agreed_case(world.manager).plan.is_agreed


def test_closing_a_child_case_records_the_childs_participation(world: World):
    with pytest.raises(TransitionError) as exc:
        case_services.close_case(
            world.manager, world.child_case, reason="left_area", open_matters=suggested_decisions(world.child_case)
        )
    assert exc.value.code == "participation_required"
    with pytest.raises(ValidationError) as refused:
        services.record_participation(
            world.manager, world.child_case, decision="closure", method="not_heard", views="", recorded_on=None
        )
    assert codes(refused.value) == {"views": {"required"}, "recorded_on": {"required"}}
    services.record_participation(
        world.manager,
        world.child_case,
        decision="closure",
        method="not_heard",
        views="No se logró contacto con la niña.",
        recorded_on=timezone.localdate(),
    )
    save_closure_checklist(world.manager, world.child_case, checklist_input())  # child plan: the checklist
    assert case_services.close_case(
        world.manager, world.child_case, reason="left_area", open_matters=suggested_decisions(world.child_case)
    ).is_closed


# --- BIA ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("priority", "days"), [("high", 2), ("medium", 7), ("low", 30)])
def test_the_bia_deadline_follows_its_priority(world: World, priority: str, days: int):
    started = timezone.localdate()
    bia = services.start_assessment(world.manager, world.child_case, bia_input(priority=priority, complete=False))
    assert bia.due_on == started + timedelta(days=days)
    assert bia.status == BiaStatus.IN_PROGRESS


def test_the_programme_sets_its_own_deadlines(world: World):
    programme = Programme.objects.get(pk=world.child_case.programme_id)
    ChildProtectionSettings.objects.create(programme=programme, high_priority_days=1)
    bia = services.start_assessment(world.manager, world.child_case, bia_input())
    assert bia.due_on == timezone.localdate() + timedelta(days=1)


def test_completing_a_bia_needs_the_childs_participation_and_a_recommendation(world: World):
    with pytest.raises(ValidationError) as exc:
        services.start_assessment(
            world.manager,
            world.child_case,
            bia_input(child_views="", hearing_method="", recommendation="", recommendation_reasons="", safety_risks=""),
        )
    assert codes(exc.value) == {
        "hearing_method": {"required"},
        "child_views": {"required"},
        "recommendation": {"required"},
        "recommendation_reasons": {"required"},
        "safety_risks": {"required"},
    }
    with pytest.raises(ValidationError) as exc:
        services.start_assessment(world.manager, world.child_case, bia_input(child_participated=False, child_views=""))
    assert codes(exc.value) == {"participation_note": {"required"}}
    # In progress, the sections may still be empty.
    draft = services.start_assessment(world.manager, world.child_case, bia_input(recommendation="", complete=False))
    assert draft.status == BiaStatus.IN_PROGRESS


def test_a_bia_is_approved_by_a_supervisor_other_than_its_author(world: World):
    bia = services.start_assessment(world.manager, world.child_case, bia_input(complete=False))
    with pytest.raises(TransitionError) as exc:
        services.approve_assessment(world.supervisor, bia)
    assert exc.value.code == "bia_not_submitted"
    bia = services.update_assessment(world.manager, bia, bia_input())
    with pytest.raises(PermissionDenied):
        services.approve_assessment(world.manager, bia)  # a case manager is no supervisor
    own = services.start_assessment(world.supervisor, world.child_case, bia_input())
    with pytest.raises(PermissionDenied):
        services.approve_assessment(world.supervisor, own)  # never one's own
    approved = services.approve_assessment(world.supervisor, bia, note="Conforme")
    assert approved.status == BiaStatus.APPROVED and approved.approved_by == world.supervisor
    with pytest.raises(TransitionError) as exc:
        services.update_assessment(world.manager, approved, bia_input())
    assert exc.value.code == "bia_completed"


def test_a_supervisor_of_another_organisation_cannot_approve(world: World):
    bia = services.start_assessment(world.manager, world.child_case, bia_input())
    stranger = f.user(f.organisation("otra"), "supervisor")
    with pytest.raises(PermissionDenied):
        services.approve_assessment(stranger, bia)


def test_every_read_of_a_bia_is_audited(world: World):
    bia = services.start_assessment(world.manager, world.child_case, bia_input())
    selectors.assessments_of(world.supervisor, world.child_case, channel="api")
    events = access_events(user=world.supervisor, object_type="children.bestinterestsassessment")
    assert [(e.object_id, e.channel) for e in events] == [(str(bia.pk), "api")]


def test_overdue_bias_remind_the_assessor_and_the_case_manager(world: World):
    bia = services.start_assessment(world.supervisor, world.child_case, bia_input(complete=False))
    due = list(reminders.bias_overdue(bia.due_on + timedelta(days=1)))
    assert {d.recipient_id for d in due} == {world.supervisor.pk, world.manager.pk}
    assert all(world.child_case.case_number == d.params["number"] for d in due)
    assert list(reminders.bias_overdue(bia.due_on)) == []


def test_the_approval_queue_lists_awaiting_and_overdue_by_priority(world: World):
    awaiting = services.start_assessment(world.manager, world.child_case, bia_input())
    late = services.start_assessment(
        world.manager, world.child_case, bia_input(priority="medium", complete=False, started_on=years_ago(0, 10))
    )
    queue = selectors.approval_queue(world.supervisor)
    assert queue.awaiting == [awaiting]
    assert queue.overdue == {"medium": [late]}
    assert selectors.approval_queue(f.user(f.organisation("otra"), "supervisor")).awaiting == []


# --- BID ------------------------------------------------------------------------------------------


def test_a_decision_needs_a_panel_of_three_with_their_declarations(world: World):
    unaccompanied(world)
    with pytest.raises(ValidationError) as exc:
        services.save_determination(world.manager, world.child_case, decided_bid(world, panel(world)[:2]))
    assert codes(exc.value) == {"members": {"panel_too_small"}}
    with pytest.raises(ValidationError) as exc:
        services.save_determination(
            world.manager, world.child_case, decided_bid(world, panel(world, confidentiality_declared=False))
        )
    assert codes(exc.value) == {f"members.{i}.confidentiality_declared": {"declaration_missing"} for i in range(3)}
    stranger = f.user(f.organisation("otra"))
    members = [
        *panel(world)[:2],
        services.PanelMemberInput(
            role="other", user_id=stranger.pk, no_conflict_declared=True, confidentiality_declared=True
        ),
    ]
    with pytest.raises(ValidationError) as exc:
        services.save_determination(world.manager, world.child_case, decided_bid(world, members))
    assert codes(exc.value) == {"members.2.user": {"invalid_choice"}}
    # Convening the panel before the decision needs no declarations yet.
    draft = services.save_determination(
        world.manager, world.child_case, services.DeterminationInput(convened_on=timezone.localdate())
    )
    assert not draft.is_decided


def test_the_bid_is_seen_only_by_the_panel_the_case_manager_and_supervisors(world: World):
    from reintegra.children import permissions

    bid = services.save_determination(world.manager, world.child_case, decided_bid(world))
    case = world.child_case
    assert permissions.can_see_determination(world.manager, case, bid)
    assert permissions.can_see_determination(world.supervisor, case, bid)
    teammate = f.user(world.org, "case_manager", team=world.manager.team)
    assert not permissions.can_see_determination(teammate, case, bid)
    programme_manager = f.user(world.org, "programme_manager")
    assert not permissions.can_see_determination(programme_manager, case, bid)
    members = [
        *panel(world)[:2],
        services.PanelMemberInput(
            role="psychologist", user_id=teammate.pk, no_conflict_declared=True, confidentiality_declared=True
        ),
    ]
    services.save_determination(world.manager, case, decided_bid(world, members), expected_version=bid.revision)
    assert permissions.can_see_determination(teammate, case, selectors.current_determination(case))
    with pytest.raises(PermissionDenied):
        services.save_determination(programme_manager, case, decided_bid(world))


# --- A child case from the adult's case -----------------------------------------------------------


def returned_son() -> case_services.MemberInput:
    """A nine-year-old son of the household who returned with the adult."""
    return case_services.MemberInput(
        given_names="Kevin", family_names="López Cux", relationship="child", birth_date=years_ago(9), returned_too=True
    )


def test_a_returned_minor_of_the_household_gets_a_child_case_in_one_step(world: World):
    adult = f.case(world.manager, f.returnee(world.manager, given_names="Marta", nationality="GT", return_country="GT"))
    household = case_services.set_household(
        world.manager,
        adult,
        [
            returned_son(),
            case_services.MemberInput(given_names="Abuela", relationship="grandparent", estimated_age=70),
        ],
    )
    kevin, grandmother = household.members.order_by("id")
    with pytest.raises(ValidationError) as exc:
        services.create_child_case(world.manager, adult, grandmother.pk)
    assert codes(exc.value) == {"member": {"not_a_returned_minor"}}
    child_case = services.create_child_case(world.manager, adult, kevin.pk)
    assert child_case.household_id == adult.household_id
    assert child_case.returnee.full_name == "Kevin López Cux"
    assert selectors.is_child_case(child_case)
    profile = ChildProfile.objects.get(case=child_case)
    assert profile.household_member == kevin and profile.care_status == CareStatus.ACCOMPANIED
    assert selectors.family_group(adult) == [child_case]
    with pytest.raises(ValidationError) as exc:
        services.create_child_case(world.manager, adult, kevin.pk)
    assert codes(exc.value) == {"member": {"duplicate"}}


def test_a_child_case_is_counted_in_the_hotspots_tally_where_the_adult_returned(world: World):
    from reintegra.community import return_tally
    from reintegra.places.models import AdminArea

    muni = AdminArea.objects.create(country="GT", level=2, code="GT-0999", name="Cobán")
    marta = f.returnee(
        world.manager, given_names="Marta", nationality="GT", return_country="GT", municipality_id=muni.pk
    )
    adult = f.case(world.manager, marta)
    household = case_services.set_household(
        world.manager,
        adult,
        [returned_son()],
    )
    child_case = services.create_child_case(world.manager, adult, household.members.get().pk)
    assert return_tally.stored() == return_tally.recount()
    counted = sum(n for (org, area, day), (n, _r) in return_tally.stored().items() if day == adult.return_date)
    assert counted == (2 if child_case.returnee.municipality_id else 1)


# --- Consent: the guardian's and the child's ------------------------------------------------------


def test_sharing_a_child_case_needs_the_guardians_consent_and_the_childs_assent(world: World):
    # Grown up since: 17 at a return two years ago. Their consents still follow the child rule.
    grown = f.returnee(world.manager, given_names="Luis", birth_date=years_ago(19))
    case = f.case(world.manager, grown, return_date=timezone.localdate() - timedelta(days=730))
    partner = f.organisation("socio", country="GT")
    with pytest.raises(ValidationError) as exc:
        protection_services.record_consent(
            world.manager, grown, "referral", "signed", timezone.localdate(), recipient_organisation=partner
        )
    assert codes(exc.value) == {"guardian_name": {"required"}, "child_assent": {"required"}}
    # A consent in the ledger without the child's assent (recorded before the rule) does not allow sharing.
    Consent.objects.create(
        returnee=grown,
        purpose="referral",
        method="signed",
        given_on=timezone.localdate(),
        recipient_organisation=partner,
        recorded_by=world.manager,
    )
    with pytest.raises(protection_services.ConsentRequired):
        protection_services.share_case(world.manager, case, partner, "Atención psicosocial")
    protection_services.record_consent(
        world.manager,
        grown,
        "referral",
        "signed",
        timezone.localdate(),
        recipient_organisation=partner,
        guardian_name="Rosa Pérez",
        child_assent=True,
    )
    assert protection_services.share_case(world.manager, case, partner, "Atención psicosocial").pk


def test_retention_clears_the_childs_free_text_and_keeps_the_codes(world: World):
    services.save_profile(
        world.manager,
        world.child_case,
        services.ProfileInput(
            care_status="unaccompanied", guardian_name="Rosa", caregivers=[services.CaregiverInput(name="Rosa")]
        ),
    )
    bia = services.start_assessment(world.manager, world.child_case, bia_input())
    protection_services.anonymise_returnee(world.child_case.returnee_id)
    profile = ChildProfile.objects.get(case=world.child_case)
    assert profile.guardian_name == "" and profile.caregivers == [] and profile.care_status == "unaccompanied"
    bia.refresh_from_db()
    assert bia.child_views == "" and bia.recommendation == "reunification"


def test_retention_clears_the_closure_checklists_notes(world: World):
    from reintegra.children import plan_services
    from reintegra.children.plan_models import ChildClosureChecklist

    plan_services.save_closure_checklist(
        world.manager,
        world.child_case,
        plan_services.ClosureChecklistInput(good_practice="La abuela Rosa participó en cada visita."),
    )
    protection_services.anonymise_returnee(world.child_case.returnee_id)
    assert ChildClosureChecklist.objects.get(case=world.child_case).good_practice == ""

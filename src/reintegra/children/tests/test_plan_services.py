"""The child plan, the child's follow-up and the child closure checklist: services and their refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reintegra.access.roles import Role
from reintegra.access.transitions import TransitionError
from reintegra.access.versioning import StaleVersion
from reintegra.cases import extensions
from reintegra.cases import services as case_services
from reintegra.cases.choices import CaseEventKind
from reintegra.cases.models import CaseEvent, FollowUpVisit
from reintegra.children import plan_selectors, plan_services, plan_wiring
from reintegra.children.plan_models import ChildClosureChecklist, ChildFollowUp, ChildPlanItem
from reintegra.children.tests.conftest import World, drafted_plan
from reintegra.children.tests.plan_helpers import (
    agreed_child_plan,
    checklist_input,
    measure,
    participation,
    plan_item_id,
)
from reintegra.testing import factories as f
from reintegra.testing.closure import suggested_decisions

pytestmark = pytest.mark.django_db


def codes(exc: ValidationError) -> dict[str, set[str]]:
    return {name: {e.code for e in errors} for name, errors in exc.error_dict.items()}  # type: ignore[misc]


# --- Child plan ----------------------------------------------------------------------------------


def test_the_child_plan_places_the_plans_items_short_and_long_term(world: World):
    drafted_plan(world)
    case = world.child_case
    case_services.save_plan(
        world.manager,
        case,
        goals="Volver a la escuela",
        motivations="Su familia",
        items=[
            case_services.PlanItemInput(
                id=plan_item_id(world), dimension="social", approach="Educación", assistance_form="in_kind"
            ),
            case_services.PlanItemInput(
                dimension="psychosocial", approach="Apoyo psicosocial", assistance_form="in_kind"
            ),
            case_services.PlanItemInput(dimension="economic", approach="Bono familiar", assistance_form="cash"),
        ],
    )
    ids = list(case.plan.items.order_by("id").values_list("pk", flat=True))
    version = case.plan.revision
    plan = plan_services.save_child_plan(
        world.manager,
        case,
        [
            measure(ids[0]),
            measure(
                ids[1], timeframe="weeks", duration=6, sector="health", community_actor="", community_actor_name=""
            ),
            measure(ids[2], timeframe="one_off", duration=3, target="family", sector="social_protection"),
        ],
        expected_version=version,
    )
    assert plan.revision == version + 1  # the details are part of the plan
    child_plan = plan_selectors.child_plan_of(case)
    assert [r.item.pk for r in child_plan.long_term] == [ids[0]]
    assert sorted(r.item.pk for r in child_plan.short_term) == sorted(ids[1:])
    assert ChildPlanItem.objects.get(item_id=ids[2]).duration is None  # a one-off measure has no duration
    stored = ChildPlanItem.objects.get(item_id=ids[0])
    assert stored.community_actor_name == "Escuela Oficial Rural Mixta" and stored.get_term_display()
    # Items left out leave the child plan; the plan item itself stays.
    plan_services.save_child_plan(world.manager, case, [measure(ids[0])], expected_version=plan.revision)
    assert set(ChildPlanItem.objects.values_list("item_id", flat=True)) == {ids[0]}
    assert case.plan.items.count() == 3
    assert CaseEvent.objects.filter(case=case, kind=CaseEventKind.CHILD, data__what="child_plan_saved").count() == 2


def test_the_child_plan_refuses_wrong_timeframes_targets_and_items(world: World):
    drafted_plan(world)
    item = plan_item_id(world)
    other = f.agreed_case(world.manager).plan.items.get().pk
    with pytest.raises(ValidationError) as exc:
        plan_services.save_child_plan(
            world.manager,
            world.child_case,
            [
                measure(item, timeframe="weeks", duration=20),
                measure(other),
                measure(item, timeframe="months", duration=None, target="community", community_actor="", sector=""),
            ],
        )
    assert codes(exc.value) == {
        "measures.0.duration": {"out_of_range"},
        "measures.1.item": {"invalid_choice"},
        "measures.2.item": {"duplicate"},
        "measures.2.duration": {"required"},
        "measures.2.community_actor": {"required"},
        "measures.2.sector": {"required"},
    }
    with pytest.raises(ValidationError) as exc:
        plan_services.save_child_plan(world.manager, world.child_case, [measure(item, duration=25, target="x")])
    assert codes(exc.value) == {"measures.0.duration": {"out_of_range"}, "measures.0.target": {"invalid_choice"}}
    assert not ChildPlanItem.objects.exists()


def test_the_child_plan_needs_a_plan_a_child_case_and_the_current_version(world: World):
    with pytest.raises(TransitionError) as refused:
        plan_services.save_child_plan(world.manager, world.child_case, [])
    assert refused.value.code == "plan_required"
    adult = f.assessed_case(world.manager)
    case_services.save_plan(world.manager, adult, goals="", motivations="")
    with pytest.raises(TransitionError) as refused:
        plan_services.save_child_plan(world.manager, adult, [])
    assert refused.value.code == "not_a_child_case"
    drafted_plan(world)
    with pytest.raises(StaleVersion):
        plan_services.save_child_plan(
            world.manager, world.child_case, [measure(plan_item_id(world))], expected_version=0
        )


def test_the_child_plan_is_written_only_by_the_holder_with_the_protection_category(world: World):
    drafted_plan(world)
    item = plan_item_id(world)
    for outsider in (f.user(world.org, Role.ME_OFFICER), f.user(f.organisation("otra"), Role.CASE_MANAGER)):
        with pytest.raises(PermissionDenied):
            plan_services.save_child_plan(outsider, world.child_case, [measure(item)])


# --- Child follow-up -----------------------------------------------------------------------------


def _visit(days_ago: int = 0, **extra: object) -> dict[str, object]:
    return {"visited_on": timezone.localdate() - timedelta(days=days_ago), "mode": "in_person", **extra}


def test_a_child_follow_up_records_vulnerabilities_and_the_agreed_frequency(world: World):
    agreed_child_plan(world)
    record = plan_services.record_child_follow_up(
        world.manager,
        world.child_case,
        _visit(notes="Visita en casa de la abuela"),
        plan_services.ChildFollowUpInput(
            monitoring_frequency="fortnightly",
            vulnerabilities=["out_of_school", "distress", "distress"],
            vulnerability_note="No se ha inscrito aún.",
            monitored_with="community_committee",
            child_participated=True,
        ),
        progress=[case_services.ProgressInput(item_id=plan_item_id(world), status="in_progress")],
    )
    record.refresh_from_db()
    today = timezone.localdate()
    assert record.vulnerabilities == ["out_of_school", "distress"]
    assert record.next_due_on == today + timedelta(days=14)
    # The visit's next visit comes from the agreed frequency when not given, and the plan progress is kept.
    assert record.visit.next_visit_on == today + timedelta(days=14)
    assert world.child_case.plan.items.get().status == "in_progress"
    assert plan_selectors.monitoring_of(world.child_case).due_on == today + timedelta(days=14)


def test_a_child_follow_up_refuses_every_error_at_once_and_writes_nothing(world: World):
    agreed_child_plan(world)
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        plan_services.record_child_follow_up(
            world.manager,
            world.child_case,
            {"visited_on": tomorrow, "mode": "in_person"},
            plan_services.ChildFollowUpInput(monitoring_frequency="", vulnerabilities=["none", "violence"]),
        )
    assert codes(exc.value) == {
        "visited_on": {"in_future"},
        "monitoring_frequency": {"required"},
        "vulnerabilities": {"exclusive"},
    }
    with pytest.raises(ValidationError) as exc:
        plan_services.record_child_follow_up(
            world.manager,
            world.child_case,
            _visit(next_visit_on=timezone.localdate() + timedelta(days=40)),
            plan_services.ChildFollowUpInput(monitoring_frequency="monthly", vulnerabilities=[]),
        )
    assert codes(exc.value) == {"next_visit_on": {"beyond_frequency"}, "vulnerabilities": {"required"}}
    assert not FollowUpVisit.objects.filter(case=world.child_case).exists()
    assert not ChildFollowUp.objects.exists()


def test_a_child_follow_up_follows_the_cases_steps(world: World):
    with pytest.raises(TransitionError) as refused:
        plan_services.record_child_follow_up(
            world.manager,
            world.child_case,
            _visit(),
            plan_services.ChildFollowUpInput(monitoring_frequency="weekly", vulnerabilities=["none"]),
        )
    assert refused.value.code == "plan_required"


def test_an_overdue_child_follow_up_reminds_the_case_manager_until_a_visit_happens(world: World):
    agreed_child_plan(world)
    plan_services.record_child_follow_up(
        world.manager,
        world.child_case,
        _visit(days_ago=20, next_visit_on=None),
        plan_services.ChildFollowUpInput(monitoring_frequency="fortnightly", vulnerabilities=["none"]),
    )
    today = timezone.localdate()
    due = list(plan_wiring.follow_ups_overdue(today))
    assert [(d.recipient_id, d.due_on) for d in due] == [(world.manager.pk, today - timedelta(days=6))]
    assert world.child_case.case_number == due[0].params["number"]
    # A plain visit keeps the rhythm: nothing is overdue any more.
    case_services.record_follow_up(world.manager, world.child_case, _visit(days_ago=1))
    assert list(plan_wiring.follow_ups_overdue(today)) == []
    assert list(plan_wiring.follow_ups_overdue(today + timedelta(days=14))) != []


# --- Child closure checklist ---------------------------------------------------------------------


def test_a_child_case_is_closed_only_with_the_completed_closure_checklist(world: World):
    participation(world, "closure")
    with pytest.raises(TransitionError) as refused:
        case_services.close_case(
            world.manager, world.child_case, reason="left_area", open_matters=suggested_decisions(world.child_case)
        )
    assert refused.value.code == "closure_checklist_required"
    draft = plan_services.save_closure_checklist(
        world.manager, world.child_case, checklist_input(complete=False), expected_version=0
    )
    with pytest.raises(TransitionError):
        case_services.close_case(
            world.manager, world.child_case, reason="left_area", open_matters=suggested_decisions(world.child_case)
        )
    plan_services.save_closure_checklist(
        world.manager, world.child_case, checklist_input(), expected_version=draft.revision
    )
    assert case_services.close_case(
        world.manager, world.child_case, reason="left_area", open_matters=suggested_decisions(world.child_case)
    ).is_closed


def test_a_reopened_child_case_needs_the_checklist_completed_again(world: World):
    participation(world, "closure")
    plan_services.save_closure_checklist(world.manager, world.child_case, checklist_input())
    case_services.close_case(
        world.manager, world.child_case, reason="left_area", open_matters=suggested_decisions(world.child_case)
    )
    case_services.reopen_case(world.manager, world.child_case, reason="La familia volvió a pedir apoyo")
    participation(world, "closure")
    with pytest.raises(TransitionError) as refused:
        case_services.close_case(
            world.manager, world.child_case, reason="left_area", open_matters=suggested_decisions(world.child_case)
        )
    assert refused.value.code == "closure_checklist_required"
    current = ChildClosureChecklist.objects.get(case=world.child_case)
    plan_services.save_closure_checklist(
        world.manager, world.child_case, checklist_input(), expected_version=current.revision
    )
    assert case_services.close_case(
        world.manager, world.child_case, reason="left_area", open_matters=suggested_decisions(world.child_case)
    ).is_closed


def test_completing_the_checklist_needs_every_condition_the_childs_view_and_good_practice(world: World):
    with pytest.raises(ValidationError) as exc:
        plan_services.save_closure_checklist(
            world.manager,
            world.child_case,
            checklist_input(
                school="", health_note="", child_view="not_heard", child_view_note="", good_practice="", safe_care="x"
            ),
        )
    assert codes(exc.value) == {
        "safe_care": {"invalid_choice"},
        "school": {"required"},
        "health_note": {"required"},
        "child_view_note": {"required"},
        "good_practice": {"required"},
    }
    # A draft keeps what is known, without the completion rules.
    draft = plan_services.save_closure_checklist(
        world.manager, world.child_case, checklist_input(school="", good_practice="", complete=False)
    )
    assert not draft.is_completed and draft.safe_care == "met"


def test_an_adult_case_is_closed_without_a_checklist(world: World):
    adult = f.assessed_case(world.manager)
    with pytest.raises(TransitionError) as refused:
        plan_services.save_closure_checklist(world.manager, adult, checklist_input())
    assert refused.value.code == "not_a_child_case"
    assert case_services.close_case(
        world.manager, adult, reason="left_area", open_matters=suggested_decisions(adult)
    ).is_closed


def test_the_closure_rule_is_registered_on_the_cases_hook():
    assert plan_services.check_closure_checklist in extensions._STEP_CHECKS[extensions.CLOSURE]


def test_a_plan_item_is_reported_once_per_visit(world: World):
    agreed_child_plan(world)
    twice = [case_services.ProgressInput(item_id=plan_item_id(world), status="in_progress")] * 2
    with pytest.raises(ValidationError) as exc:
        plan_services.record_child_follow_up(
            world.manager,
            world.child_case,
            _visit(),
            plan_services.ChildFollowUpInput(monitoring_frequency="weekly", vulnerabilities=["none"]),
            progress=twice,
        )
    assert codes(exc.value) == {"progress": {"duplicate"}}


def test_the_timeline_words_the_child_plan_events_and_still_the_cores(world: World):
    assert extensions.describe_extra(CaseEventKind.CHILD, {"what": "child_plan_saved", "measures": 2})
    assert extensions.describe_extra(CaseEventKind.CHILD, {"what": "closure_checklist_completed"})
    assert extensions.describe_extra(CaseEventKind.CHILD, {"what": "profile_created"})
    assert extensions.describe_extra(CaseEventKind.CHILD, {"what": "unknown"}) == []

"""The children's three standard indicators (monitoring/library.yaml), computed by the monitoring engine
over the child cases the services wrote, against counts made by hand."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from reintegra.children import services
from reintegra.children.choices import CareStatus
from reintegra.children.tests.conftest import World, approved_bia, decided_bid, unaccompanied, years_ago
from reintegra.children.tracing_models import ReunificationAssessment, ReunificationFollowUp
from reintegra.monitoring import engine
from reintegra.testing import factories as f
from reintegra.testing.indicators import library_values


def _value(code: str, world: World) -> engine.Cell:
    return library_values(code, [world.child_case.programme_id], days=364).total


def test_the_unaccompanied_childs_bia_in_time_and_bid_count_and_the_separated_child_without_them_does_not(
    world: World,
):
    unaccompanied(world)
    approved_bia(world)  # completed today, due in two days (high priority)
    services.save_determination(world.manager, world.child_case, decided_bid(world))
    separated = f.case(world.manager, f.returnee(world.manager, birth_date=years_ago(12), given_names="Luis"))
    services.save_profile(world.manager, separated, services.ProfileInput(care_status=CareStatus.SEPARATED))

    bia = _value("uac-bia-within-deadline", world)
    assert (bia.numerator, bia.denominator) == (1.0, 1.0)  # the separated child is not in its denominator
    bid = _value("uasc-with-bid", world)
    assert (bid.numerator, bid.denominator) == (1.0, 2.0)


def test_a_reunified_child_counts_when_every_follow_up_due_was_made(world: World):
    unaccompanied(world)
    today = timezone.localdate()
    second = f.case(world.manager, f.returnee(world.manager, birth_date=years_ago(10), given_names="Eva"))
    services.save_profile(world.manager, second, services.ProfileInput(care_status=CareStatus.UNACCOMPANIED))
    for case, missed in ((world.child_case, False), (second, True)):
        ReunificationAssessment.objects.create(
            case=case, assessed_on=today - timedelta(days=50), reunified_on=today - timedelta(days=40)
        )
        ReunificationFollowUp.objects.create(
            case=case, milestone="2w", due_on=today - timedelta(days=26), done_on=today - timedelta(days=25)
        )
        ReunificationFollowUp.objects.create(
            case=case,
            milestone="1m",
            due_on=today - timedelta(days=10),
            done_on=None if missed else today - timedelta(days=9),
        )
        ReunificationFollowUp.objects.create(case=case, milestone="3m", due_on=today + timedelta(days=50))
    value = _value("reunified-followed-up", world)
    assert (value.numerator, value.denominator) == (1.0, 2.0)  # the 3-month visit is not due yet

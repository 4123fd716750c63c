from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reintegra.access.transitions import TransitionError
from reintegra.cases.models import Returnee
from reintegra.handover import services
from reintegra.handover.choices import HandOverStatus
from reintegra.handover.models import HandOver
from reintegra.handover.tests.conftest import World, consent, framework_for, sent
from reintegra.protection.choices import ConsentPurpose
from reintegra.protection.services import CrossBorderConsentRequired
from reintegra.structural.models import DataExchangeRule
from reintegra.testing import factories
from reintegra.testing.trail import access_events

pytestmark = pytest.mark.django_db


def _codes(exc: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code or "" for e in errors] for field, errors in exc.error_dict.items()}


def test_state_machine_within_one_installation(world: World) -> None:
    handover = services.create_handover(world.sender, world.case, world.handover_input())
    assert handover.status == HandOverStatus.DRAFT
    consent(world.case, world.other_org, world.sender)
    handover = services.send_handover(world.sender, handover)
    assert handover.status == HandOverStatus.RECEIVED  # the inbox is the delivery
    handover = services.accept_handover(world.recipient, handover)
    assert handover.status == HandOverStatus.ACCEPTED
    steps = list(handover.events.values_list("to_status", "by_id"))
    assert steps == [
        ("draft", world.sender.pk),
        ("sent", world.sender.pk),
        ("received", None),
        ("accepted", world.recipient.pk),
    ]
    new_case = handover.accepted_case
    assert new_case is not None and new_case.organisation_id == world.other_org.pk
    assert new_case.returnee.organisation_id == world.other_org.pk
    assert new_case.returnee.given_names == world.case.returnee.given_names
    with pytest.raises(TransitionError) as refused:
        services.revoke_handover(world.sender, handover)
    assert refused.value.code == "not_revokeable"


def test_each_change_is_in_the_access_trail_of_its_side(world: World) -> None:
    handover = sent(world)
    services.decline_handover(world.recipient, handover, "Fuera de nuestra zona")
    purposes = [(e.user_id, e.purpose) for e in access_events(object_type="handover.handover")]
    assert (world.sender.pk, "handover sent") in purposes
    assert (world.recipient.pk, "handover declined") in purposes


def test_sending_needs_a_cross_border_consent_naming_the_recipient(world: World) -> None:
    handover = services.create_handover(world.sender, world.case, world.handover_input())
    consent(world.case, world.other_org, world.sender, purpose=ConsentPurpose.DATA_SHARING)
    other = factories.organisation("ong-gt-2", country="GT")
    consent(world.case, other, world.sender)
    with pytest.raises(CrossBorderConsentRequired) as refused:
        services.send_handover(world.sender, handover)
    assert refused.value.code == "cross_border_consent_required"
    handover.refresh_from_db()
    assert handover.status == HandOverStatus.DRAFT and handover.payload == {}


def test_only_the_allowed_categories_travel(world: World) -> None:
    handover = sent(world)
    assert sorted(handover.payload) == ["needs_intentions", "origin_situation", "returnee_profiles"]
    assert "plan_items" not in str(handover.payload) and "case_status" not in str(handover.payload)
    assert handover.payload["returnee_profiles"]["first_family_name"] == world.case.returnee.first_family_name


def test_a_rule_withdrawn_before_sending_stops_that_category(world: World) -> None:
    handover = services.create_handover(world.sender, world.case, world.handover_input())
    DataExchangeRule.objects.filter(framework=world.framework, category="needs_intentions").update(may_consult=False)
    consent(world.case, world.other_org, world.sender)
    handover = services.send_handover(world.sender, handover)
    assert "needs_intentions" not in handover.payload and handover.categories == [
        "origin_situation",
        "returnee_profiles",
    ]


def test_without_the_profile_category_no_hand_over(world: World) -> None:
    framework, party = framework_for(world.org, ["needs_intentions"])
    with pytest.raises(ValidationError) as refused:
        services.create_handover(
            world.sender, world.case, world.handover_input(framework=framework, recipient_party=party)
        )
    assert _codes(refused.value) == {"recipient_party": ["categories_not_allowed"]}


def test_inputs_are_checked(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        services.create_handover(
            world.sender, world.case, world.handover_input(reason=" ", recipient_organisation=world.org)
        )
    assert _codes(refused.value) == {"reason": ["required"], "recipient_organisation": ["invalid_choice"]}


def test_decline_needs_a_reason_and_erases_nothing_of_the_sender(world: World) -> None:
    handover = sent(world)
    with pytest.raises(ValidationError) as refused:
        services.decline_handover(world.recipient, handover, "")
    assert _codes(refused.value) == {"reason": ["required"]}
    handover = services.decline_handover(world.recipient, handover, "Sin capacidad")
    assert handover.status == HandOverStatus.DECLINED and handover.decline_reason == "Sin capacidad"


def test_revoke_erases_the_package(world: World) -> None:
    handover = sent(world)
    handover = services.revoke_handover(world.sender, handover)
    assert handover.status == HandOverStatus.REVOKED and handover.payload == {}
    with pytest.raises(TransitionError):
        services.accept_handover(world.recipient, handover)


def test_repeat_returnee_is_linked_not_duplicated(world: World) -> None:
    person = world.case.returnee
    earlier = factories.returnee(
        world.recipient,
        given_names=person.given_names,
        first_family_name=person.first_family_name,
        second_family_name=person.second_family_name,
        birth_date=person.birth_date,
    )
    handover = sent(world)
    with pytest.raises(ValidationError) as refused:
        services.accept_handover(world.recipient, handover)
    assert _codes(refused.value) == {"existing_returnee": ["possible_duplicate"]}
    before = Returnee.objects.filter(organisation=world.other_org).count()
    handover = services.accept_handover(world.recipient, handover, services.AcceptInput(existing_returnee=earlier))
    assert handover.accepted_case is not None and handover.accepted_case.returnee_id == earlier.pk
    assert Returnee.objects.filter(organisation=world.other_org).count() == before


def test_the_wrong_side_is_refused(world: World, other_case_manager: object) -> None:
    handover = sent(world)
    with pytest.raises(PermissionDenied):
        services.accept_handover(world.sender, handover)
    with pytest.raises(PermissionDenied):
        services.revoke_handover(world.recipient, handover)
    draft = services.create_handover(world.sender, world.case, world.handover_input())
    with pytest.raises(PermissionDenied):
        services.send_handover(world.recipient, draft)
    assert HandOver.objects.get(pk=draft.pk).status == HandOverStatus.DRAFT


def test_retention_clears_the_package_and_the_reasons(world: World) -> None:
    from reintegra.protection.services import anonymise_returnee

    handover = sent(world)
    services.decline_handover(world.recipient, handover, "Sin cupo")
    anonymise_returnee(world.case.returnee_id)
    handover.refresh_from_db()
    assert handover.payload == {} and handover.reason == "" and handover.decline_reason == ""
    assert handover.status == HandOverStatus.DECLINED


def test_reminder_when_unanswered(world: World) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from reintegra.handover.reminders import unanswered

    handover = sent(world)
    HandOver.objects.filter(pk=handover.pk).update(sent_at=timezone.now() - timedelta(days=6))
    due = list(unanswered(timezone.localdate()))
    assert [(d.recipient_id, d.params["number"]) for d in due] == [(world.sender.pk, world.case.case_number)]
    services.decline_handover(world.recipient, handover, "Sin cupo")
    assert list(unanswered(timezone.localdate())) == []


def test_indicator_counts_acceptance_within_the_period(world: World) -> None:
    from reintegra.handover.indicators import accepted_within_q

    handover = services.accept_handover(world.recipient, sent(world))
    assert HandOver.objects.filter(accepted_within_q()).get() == handover
    assert not HandOver.objects.filter(accepted_within_q(days=-1)).exists()


def test_the_library_indicator_is_the_share_accepted_within_15_days(world: World) -> None:
    """`handover-accepted-within-15-days` (monitoring/library.yaml): of the hand-overs sent in the period, those
    accepted at most 15 days after sending; one not answered (yet) counts in the denominator only."""
    from dataclasses import replace

    from reintegra.testing import factories
    from reintegra.testing.indicators import library_values

    services.accept_handover(world.recipient, sent(world))
    waiting = sent(replace(world, case=factories.case(world.sender)))
    assert waiting.status != HandOverStatus.ACCEPTED
    value = library_values("handover-accepted-within-15-days", [world.case.programme_id], days=30).total
    assert (value.numerator, value.denominator) == (1.0, 2.0)


def test_the_case_opened_by_an_accepted_hand_over_is_counted_in_the_hotspots_tally(world: World) -> None:
    from reintegra.community import return_tally
    from reintegra.places.models import AdminArea

    person = world.case.returnee
    muni = AdminArea.objects.create(country=person.return_country, level=2, code="X-0101", name="Centro")
    person.municipality = muni
    person.save()  # the sender's return moves there
    assert return_tally.stored() == {(world.case.organisation_id, muni.pk, world.case.return_date): (1, 0)}
    handover = services.create_handover(world.sender, world.case, world.handover_input())
    consent(world.case, world.other_org, world.sender)
    handover = services.accept_handover(world.recipient, services.send_handover(world.sender, handover))
    new_case = handover.accepted_case
    assert new_case is not None and new_case.organisation_id == world.other_org.pk
    assert return_tally.stored() == return_tally.recount()
    if new_case.returnee.municipality_id:  # when the framework shares the municipality of origin
        assert (world.other_org.pk, new_case.returnee.municipality_id, new_case.return_date) in return_tally.stored()


def test_the_case_pages_list_is_the_visible_hand_overs_of_that_case(world: World) -> None:
    """`selectors.of_case` (the case page's header) applies `handovers_for`'s rule to the one case it is given,
    without the subquery of every visible case: the same rows for those who see the case."""
    from reintegra.access.roles import Role
    from reintegra.handover import selectors

    handover = sent(world)
    supervisor = factories.user(world.org, Role.SUPERVISOR, username="sup-of-sender")
    for user in (world.sender, supervisor):
        assert list(selectors.of_case(user, world.case)) == list(selectors.handovers_for(user).filter(case=world.case))
        assert list(selectors.of_case(user, world.case)) == [handover]
    other_case = factories.case(world.sender)
    assert list(selectors.of_case(world.sender, other_case)) == []

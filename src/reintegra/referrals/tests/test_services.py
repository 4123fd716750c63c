"""The closed loop through the services: consent refusal, the status machine, provider isolation, SLA."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reintegra.access.models import AccessEvent
from reintegra.access.transitions import TransitionError
from reintegra.cases.choices import CaseEventKind
from reintegra.cases.models import CaseEvent
from reintegra.protection.services import ConsentRequired, withdraw_consent
from reintegra.referrals import catalogue, selectors, services
from reintegra.referrals.models import Referral


def test_sending_without_consent_is_refused_and_nothing_is_sent(world):
    referral = world.referral()
    with pytest.raises(ConsentRequired):
        services.send_referral(world.manager, referral)
    referral.refresh_from_db()
    assert referral.status == "draft" and referral.sent_at is None
    assert not selectors.referrals_for(world.provider_user).exists()


def test_consent_for_another_organisation_does_not_count(world):
    world.consent(world.other_provider_org)
    with pytest.raises(ConsentRequired):
        services.send_referral(world.manager, world.referral())


def test_life_at_risk_exception_needs_a_mental_health_professional(world):
    referral = world.referral()
    with pytest.raises(ConsentRequired):
        services.send_referral(world.manager, referral, life_at_risk_justification="Riesgo suicida alto")
    sent = services.send_referral(world.supervisor, referral, life_at_risk_justification="Riesgo suicida alto")
    assert sent.status == "sent" and sent.consent_exception
    assert AccessEvent.objects.filter(action="consent_exception", flagged=True).exists()


def test_full_loop_with_timeline_and_history(world):
    world.consent()
    referral = world.referral(priority="urgent")
    referral = services.send_referral(world.manager, referral)
    assert referral.acceptance_due_at == referral.sent_at + timedelta(hours=72)
    referral = services.accept_referral(world.provider_user, referral)
    assert referral.outcome_due_at is not None
    referral = services.record_outcome(world.provider_user, referral, outcome="service_delivered")
    referral = services.close_referral(world.manager, referral, satisfaction=4, feedback="Muy bien atendida")
    assert referral.status == "closed" and referral.outcome == "service_delivered"
    assert [c.to_status for c in referral.changes.all()] == ["draft", "sent", "accepted", "service_delivered", "closed"]
    events = CaseEvent.objects.filter(case=world.case, kind=CaseEventKind.REFERRAL)
    assert events.count() == 5
    for event in events:
        assert "Muy bien" not in str(event.data) and world.case.returnee.given_names not in str(event.data)


@pytest.mark.parametrize(
    ("action", "who"),
    [("accept", "provider_user"), ("decline", "provider_user"), ("outcome", "provider_user"), ("close", "manager")],
)
def test_steps_out_of_order_are_refused(world, action, who):
    referral = world.referral()  # a draft
    user = getattr(world, who)
    call = {
        "accept": lambda: services.accept_referral(user, referral),
        "decline": lambda: services.decline_referral(user, referral, reason="no_capacity"),
        "outcome": lambda: services.record_outcome(user, referral, outcome="no_show"),
        "close": lambda: services.close_referral(user, referral),
    }[action]
    with pytest.raises((TransitionError, PermissionDenied)):
        call()
    referral.refresh_from_db()
    assert referral.status == "draft"


def test_sent_referral_cannot_be_closed_or_sent_again(world):
    world.consent()
    referral = services.send_referral(world.manager, world.referral())
    with pytest.raises(TransitionError) as closing:
        services.close_referral(world.manager, referral)
    assert closing.value.code == "invalid_transition"
    with pytest.raises(TransitionError):
        services.send_referral(world.manager, referral)


def test_each_side_takes_only_its_own_steps(world):
    world.consent()
    referral = services.send_referral(world.manager, world.referral())
    with pytest.raises(PermissionDenied):
        services.accept_referral(world.manager, referral)  # the referrer cannot accept for a platform provider
    with pytest.raises(PermissionDenied):
        services.accept_referral(world.other_provider_user, referral)  # another provider
    declined = services.decline_referral(world.provider_user, referral, reason="no_capacity")
    assert declined.status == "declined"
    closed = services.close_referral(world.manager, declined)
    assert closed.status == "closed"


def test_decline_needs_a_reason(world):
    world.consent()
    referral = services.send_referral(world.manager, world.referral())
    with pytest.raises(ValidationError):
        services.decline_referral(world.provider_user, referral, reason="")
    with pytest.raises(ValidationError):
        services.decline_referral(world.provider_user, referral, reason="other", note="")


def test_provider_isolation(world):
    world.consent()
    world.consent(world.other_provider_org)
    mine = services.send_referral(world.manager, world.referral())
    theirs = services.send_referral(world.manager, world.referral(service=world.other_service))
    draft = world.referral()
    visible = set(selectors.referrals_for(world.provider_user).values_list("pk", flat=True))
    assert visible == {mine.pk}
    assert theirs.pk not in visible and draft.pk not in visible
    with pytest.raises(Referral.DoesNotExist):
        selectors.get_referral(world.provider_user, theirs.pk)


def test_payload_holds_only_the_sop_fields_and_stops_when_consent_is_withdrawn(world):
    consent = world.consent()
    referral = services.send_referral(world.manager, world.referral())
    payload = catalogue.provider_payload(referral)
    assert [f.code for f in payload] == ["case_number", "full_name", "age", "referral_reason"]
    withdraw_consent(world.manager, consent)
    referral.refresh_from_db()
    assert catalogue.provider_payload(referral) is None


def test_no_sop_no_referral(world):
    from reintegra.referrals.models import Service

    service = Service.objects.create(
        provider=world.provider, code="otro", name="Otro", dimension="social", sector="health", country="GT"
    )
    world.pathway.service = world.service  # the SOP covers one service only
    world.pathway.save()
    with pytest.raises(ValidationError) as exc:
        world.referral(service=service)
    assert "service" in exc.value.message_dict


def test_sla_overdue_shows_in_filters(world):
    world.consent()
    referral = services.send_referral(world.manager, world.referral(priority="emergency"))
    Referral.objects.filter(pk=referral.pk).update(acceptance_due_at=timezone.now() - timedelta(hours=1))
    referral.refresh_from_db()
    assert selectors.sla_of(referral) == "overdue"
    overdue = selectors.search_referrals(world.manager, selectors.ReferralFilters(overdue=True))
    assert list(overdue) == [referral]


def test_reminders_for_both_sides_once(world):
    from reintegra.reminders.models import Reminder
    from reintegra.reminders.services import send_reminders

    world.consent()
    referral = services.send_referral(world.manager, world.referral(priority="emergency"))
    Referral.objects.filter(pk=referral.pk).update(acceptance_due_at=timezone.now() - timedelta(days=2))
    today = timezone.localdate()
    send_reminders(today, kinds=["referral_not_accepted"])
    reminders = Reminder.objects.filter(kind="referral_not_accepted")
    assert set(reminders.values_list("recipient_id", flat=True)) == {world.manager.pk, world.provider_user.pk}
    provider_reminder = reminders.get(recipient=world.provider_user)
    assert world.case.case_number not in str(provider_reminder.params)
    send_reminders(today, kinds=["referral_not_accepted"])
    assert reminders.count() == 2

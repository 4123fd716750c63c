"""`reports.by_service`: the figures of each service, from referrals taken through the services."""

from datetime import timedelta

from reintegra.referrals import reports, services
from reintegra.referrals.models import Referral


def test_each_service_counts_answers_outcomes_times_and_satisfaction(world):
    world.consent()
    world.consent(world.other_provider_org)
    provider = world.provider_user

    def sent(service=world.service):
        return services.send_referral(world.manager, world.referral(service=service))

    delivered = services.accept_referral(provider, sent())
    delivered = services.record_outcome(provider, delivered, outcome="service_delivered")
    services.close_referral(world.manager, delivered, satisfaction=4)
    services.decline_referral(provider, sent(), reason="no_capacity")
    no_show = services.record_outcome(provider, services.accept_referral(provider, sent()), outcome="no_show")
    services.close_referral(world.manager, no_show, satisfaction=1)
    services.accept_referral(provider, sent())  # no outcome yet
    other = services.accept_referral(world.other_provider_user, sent(world.other_service))
    services.record_outcome(world.other_provider_user, other, outcome="referred_onward")
    world.referral()  # a draft: not in the reports' scope
    # Known durations: accepted two hours and delivered three days after sending.
    sent_at = delivered.sent_at
    Referral.objects.filter(pk=delivered.pk).update(
        answered_at=sent_at + timedelta(hours=2), outcome_at=sent_at + timedelta(days=3)
    )
    Referral.objects.filter(pk=no_show.pk).update(answered_at=no_show.sent_at + timedelta(hours=4))

    rows = reports.by_service(Referral.objects.exclude(status="draft"))
    assert [(r.provider, r.service) for r in rows] == [
        ("Centro A", "Servicio Centro A"),
        ("Centro B", "Servicio Centro B"),
    ]
    a, b = rows
    assert (a.received, a.accepted, a.declined, a.delivered, a.no_show, a.onward) == (4, 3, 1, 1, 1, 0)
    assert (a.acceptance_rate, a.no_show_rate) == (3 / 4, 1 / 2)
    assert (a.days_to_deliver, a.satisfaction, a.satisfaction_count) == (3.0, 2.5, 2)
    assert a.hours_to_accept == 2.0  # the median of 2 hours, 4 hours and a moment
    assert (b.received, b.accepted, b.onward, b.no_show_rate, b.days_to_deliver, b.satisfaction) == (
        1,
        1,
        1,
        0.0,
        None,
        None,
    )

"""The home dashboard shows the referral chart to report readers, with the overdue count."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reintegra.access.roles import Role
from reintegra.referrals import services
from reintegra.referrals.models import Referral
from reintegra.testing import factories

pytestmark = pytest.mark.django_db


def _home(user) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def test_dashboard_chart_for_report_readers_only(world):
    world.consent()
    referral = world.referral()
    services.send_referral(world.manager, referral)
    Referral.objects.filter(pk=referral.pk).update(acceptance_due_at=timezone.now() - timedelta(hours=1))
    manager = factories.user(world.org, Role.PROGRAMME_MANAGER)

    page = _home(manager)
    assert 'data-chart="referral-status-chart"' in page
    assert world.provider.name in page  # the provider's row of the table beside the chart
    assert "1 overdue referral" in page and "?overdue=on" in page
    # A case manager's dashboard is about their cases: no programme chart.
    assert "referral-status-chart" not in _home(world.manager)


def test_provider_home_lists_incoming_referrals_overdue_emergencies_first(world):
    """Issue 18.9: a provider lands on the referrals waiting for them, not on a case manager's empty counts."""
    world.consent()
    now = timezone.now()
    made = {}
    # (priority, hours until the answer is due): negative is overdue.
    for name, priority, hours in [
        ("normal-late", "normal", -5),
        ("urgent-soon", "urgent", 30),
        ("emergency-late", "emergency", -1),
        ("emergency-soon", "emergency", 10),
        ("normal-later", "normal", 200),
    ]:
        referral = world.referral(priority=priority)
        services.send_referral(world.manager, referral)
        Referral.objects.filter(pk=referral.pk).update(acceptance_due_at=now + timedelta(hours=hours))
        made[name] = referral.pk
    draft = world.referral()  # a draft never reaches the provider

    page = _home(world.provider_user)
    assert 'data-panel="incoming-referrals"' in page
    order = [int(pk) for pk in re.findall(r'data-referral="(\d+)"', page)]
    expected = ("emergency-late", "normal-late", "emergency-soon", "urgent-soon", "normal-later")
    assert order == [made[name] for name in expected]
    assert draft.pk not in order
    assert "2 overdue referrals" in page
    # Nothing of a case manager's home: no "my cases" counts, no registration button.
    assert 'data-panel="my-cases"' not in page and reverse("cases:register") not in page
    # Another provider sees none of them; the case manager does not get the provider's panel.
    assert 'data-referral="' not in _home(world.other_provider_user)
    assert 'data-panel="incoming-referrals"' not in _home(world.manager)

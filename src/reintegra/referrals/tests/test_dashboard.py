"""The home dashboard shows the referral chart to report readers, with the overdue count."""

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

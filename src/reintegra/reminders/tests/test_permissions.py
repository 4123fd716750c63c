"""Permission matrix of the reminder routes: every signed-in user reaches their own inbox; nobody else's."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from reintegra.testing.routes import routes_of_app

# (route name, method) -> (anonymous answer, signed-in answer on the user's own inbox)
MATRIX = {
    ("reminders:list", "GET"): (302, 200),
    ("reminders:read", "POST"): (302, 302),
    ("reminders:read-all", "POST"): (302, 302),
    ("api:reminder-list", "GET"): (401, 200),
    ("api:reminder-detail", "GET"): (401, 200),
    ("api:reminder-read", "POST"): (401, 200),
}


def test_every_route_has_a_row():
    exposed = {(name, m) for name, methods in routes_of_app("reintegra.reminders").items() for m in methods}
    assert exposed == set(MATRIX)


@pytest.mark.django_db
@pytest.mark.parametrize("route", sorted(MATRIX))
def test_anonymous_and_owner(route):
    from datetime import date

    from django.urls import reverse

    from reintegra.access.roles import Role
    from reintegra.reminders.models import Reminder
    from reintegra.testing import factories

    org = factories.organisation()
    owner = factories.user(org, Role.SUPERVISOR)
    reminder = Reminder.objects.create(recipient=owner, kind="k", key="1", message="x", due_on=date(2026, 1, 1))
    name, method = route
    url = reverse(name, args=[reminder.pk]) if name.endswith(("read", "detail")) else reverse(name)
    anonymous, signed_in = MATRIX[route]
    client = APIClient() if name.startswith("api:") else Client()
    assert getattr(client, method.lower())(url).status_code == anonymous
    if isinstance(client, APIClient):
        client.force_authenticate(owner)
    else:
        client.force_login(owner)
    assert getattr(client, method.lower())(url).status_code == signed_in

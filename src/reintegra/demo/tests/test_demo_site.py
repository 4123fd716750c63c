"""`reintegra demo`: every demo user's screens open, and the ones about their work show it."""

import re

from django.test import Client

from reintegra.access.models import User
from reintegra.cases.models import Case
from reintegra.demo import site
from reintegra.referrals.models import Referral
from reintegra.regional.models import RegionalAction
from reintegra.reminders.models import Reminder
from reintegra.structural.models import Stakeholder
from reintegra.web import navigation


def _pages(user: User) -> dict[str, str]:
    """The dashboard and every navigation entry the user sees, by key → the page's text."""
    client = Client()
    client.force_login(user)
    urls = {"home": "/"}
    for entry in navigation.items_for(user):
        for child in entry.get("children", [entry]):
            urls[child["key"]] = child["url"]
    pages = {}
    for key, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, (user.username, url, response.status_code)
        pages[key] = response.content.decode()
    return pages


def test_every_demo_users_screens_open_and_show_their_work(demo_site: str):
    seen = {spec.username: _pages(User.objects.get(username=spec.username)) for spec in site.DEMO_USERS}
    mine = Case.objects.filter(case_manager__username="gestora").order_by("-return_date").first()
    assert mine is not None and mine.case_number in seen["gestora"]["cases"]
    stakeholder = Stakeholder.objects.order_by("name").first()
    assert stakeholder is not None and stakeholder.name in seen["gerente"]["structural"]
    # The regional page is the level × dimension matrix of the actions.
    cells = [
        int(n) for row in re.findall(r'"data": \[([\d, ]+)\]', seen["coordinacion"]["regional"]) for n in row.split(",")
    ]
    assert RegionalAction.objects.exists() and sum(cells) >= RegionalAction.objects.count()
    sent = Referral.objects.exclude(status="draft").count()
    assert sent and seen["proveedor"]["referrals"].count("<tr") > sent / 2
    assert "audit" in seen["dpd"]  # the data protection officer reads the audit trail
    _homes_show_each_roles_work(seen)
    _inboxes_are_not_empty(seen)


# The panel each demo user's home opens with (issue 18.9; tests/test_homes.py checks every role in detail).
FIRST_PANEL = {
    "admin": "platform",
    "gerente": "organisation-cases",
    "supervisora": "organisation-cases",
    "gestora": "my-cases",
    "gestor": "my-cases",
    "monitoreo": "indicators",
    "proveedor": "incoming-referrals",
    "coordinacion": "indicators",
    "dpd": "protection-alerts",
    "focal": "feedback-queue",
}


def _homes_show_each_roles_work(seen):
    assert set(FIRST_PANEL) == {spec.username for spec in site.DEMO_USERS}
    for username, panel in FIRST_PANEL.items():
        panels = re.findall(r'data-panel="([\w-]+)"', seen[username]["home"])
        assert panels and panels[0] == panel, (username, panels)
        assert ("my-cases" in panels) == (username in ("gestora", "gestor")), (username, panels)
    # The provider's referrals wait for them on their home; the focal point's feedback too.
    assert 'data-referral="' in seen["proveedor"]["home"]
    assert 'data-feedback="' in seen["focal"]["home"]


def _inboxes_are_not_empty(seen):
    """Issue 18.10: the demo runs `send-reminders` once its data is in, so overdue rounds and referrals are in
    the inboxes (not only the few the levels used to store by hand)."""
    gestora = User.objects.get(username="gestora")
    assert Reminder.objects.filter(recipient=gestora).exists()
    assert Reminder.objects.filter(recipient=gestora, kind="rss_round_due").exists()
    assert 'class="empty"' not in seen["gestora"]["reminders"]

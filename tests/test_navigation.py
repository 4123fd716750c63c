"""The main navigation: each role's entries, a domain area's pages under one menu, the current page marked."""

import pytest
from django.test import Client
from django.urls import reverse

from reintegra.access.roles import Role
from reintegra.testing import factories
from reintegra.web import navigation

pytestmark = pytest.mark.django_db


def _labels(entries):
    return [(e["key"], [c["key"] for c in e.get("children", [])]) for e in entries]


def test_programme_manager_sees_each_area_as_one_menu():
    org = factories.organisation()
    entries = dict(_labels(navigation.items_for(factories.user(org, Role.PROGRAMME_MANAGER))))
    assert entries["referral_network"] == ["referrals", "service_directory", "referral_reports"]
    assert entries["structural_level"] == ["structural", "regional"]
    assert entries["sustainability"] == ["rss_due", "instruments"]
    assert entries["administration"] == ["programmes", "users"]
    assert "reminders" in entries


def test_a_menu_of_one_is_a_plain_link_and_nothing_unreachable_shows():
    org = factories.organisation()
    provider = dict(_labels(navigation.items_for(factories.user(org, Role.SERVICE_PROVIDER))))
    assert provider["referral_network"] == ["referrals", "service_directory"]
    assert "structural_level" not in provider and "sustainability" not in provider
    me_officer = dict(_labels(navigation.items_for(factories.user(org, Role.ME_OFFICER))))
    assert me_officer.get("instruments") == []  # one sustainability page: no menu
    assert "rss_due" not in me_officer


def test_every_entry_opens_for_its_users():
    org = factories.organisation()
    for role in Role:
        user = factories.user(org, role)
        client = Client()
        client.force_login(user)
        for entry in navigation.items_for(user):
            for link in entry.get("children", [entry]):
                assert client.get(link["url"]).status_code == 200, (role, link["key"])


def test_current_page_is_marked_inside_its_menu():
    org = factories.organisation()
    client = Client()
    client.force_login(factories.user(org, Role.PROGRAMME_MANAGER))
    page = client.get(reverse("referrals:directory")).content.decode()
    assert '<summary class="is-current">' in page
    assert f'href="{reverse("referrals:directory")}" aria-current="page"' in page


def test_community_level_pages_are_one_menu_with_the_projects():
    org = factories.organisation()
    manager = dict(_labels(navigation.items_for(factories.user(org, Role.PROGRAMME_MANAGER))))
    assert manager["community_level"] == ["community", "community_projects", "community_hotspots"]
    case_manager = dict(_labels(navigation.items_for(factories.user(org, Role.CASE_MANAGER))))
    assert case_manager["community_level"] == ["community", "community_projects"]  # no aggregates
    provider = dict(_labels(navigation.items_for(factories.user(org, Role.SERVICE_PROVIDER))))
    assert "community_level" not in provider and "community_projects" not in provider


def test_project_pages_mark_the_projects_entry():
    org = factories.organisation()
    client = Client()
    client.force_login(factories.user(org, Role.PROGRAMME_MANAGER))
    page = client.get(reverse("community:projects")).content.decode()
    assert f'href="{reverse("community:projects")}" aria-current="page"' in page


def test_badges_are_counted_once_a_minute_per_session_and_again_after_the_users_write(monkeypatch):
    """The badge counts are kept in the user's session a minute: a reminder sent meanwhile shows after that
    minute, the user's own write (marking reminders read) shows on the next page."""
    from reintegra.reminders.models import Reminder

    user = factories.user(factories.organisation(), Role.CASE_MANAGER)
    Reminder.objects.bulk_create(
        [Reminder(recipient=user, kind="test_kind", key=f"thing:{i}", message="Follow-up due") for i in range(3)]
    )
    client = Client()
    client.force_login(user)
    assert ">3</span>" in client.get(reverse("dashboard")).content.decode()
    Reminder.objects.create(recipient=user, kind="test_kind", key="thing:3", message="Follow-up due")
    assert ">3</span>" in client.get(reverse("dashboard")).content.decode()  # kept
    later = navigation.time.time() + 60
    monkeypatch.setattr(navigation.time, "time", lambda: later)
    assert ">4</span>" in client.get(reverse("dashboard")).content.decode()  # the minute is over
    assert client.post(reverse("reminders:read-all")).status_code == 302
    assert "badge--count" not in client.get(reverse("dashboard")).content.decode()  # the user's write


def test_badges_without_a_session_or_with_no_time_kept_are_counted_each_time(settings):
    from reintegra.reminders.models import Reminder

    user = factories.user(factories.organisation(), Role.CASE_MANAGER)
    Reminder.objects.create(recipient=user, kind="test_kind", key="thing", message="Follow-up due")
    assert [e.get("badge") for e in navigation.items_for(user) if e["key"] == "reminders"] == [1]
    session: dict = {}
    settings.REINTEGRA_NAV_BADGE_SECONDS = 0
    navigation.items_for(user, session)
    assert session == {}


@pytest.mark.parametrize("language", ["es", "en", "fr"])
def test_the_navigation_rendered_once_is_the_one_rendered_each_time(language):
    """`main_navigation` keeps the markup by language, current page and entries: what it answers is what the
    template renders for that page, and another language or page is rendered anew."""
    from django.template import Context
    from django.template.loader import render_to_string
    from django.utils import translation

    from reintegra.web.templatetags import web_kit

    entries = navigation.items_for(factories.user(factories.organisation(), Role.PROGRAMME_MANAGER))
    with translation.override(language):
        for nav in ("dashboard", "referrals", "programmes", None):
            values = {"nav": nav, "nav_sections": entries}
            fresh = render_to_string("web/includes/main_nav.html", values)
            assert web_kit.main_navigation(Context(values)) == fresh
            assert web_kit.main_navigation(Context(values)) == fresh  # from the kept markup
    with translation.override("en" if language != "en" else "es"):
        assert web_kit.main_navigation(Context({"nav": None, "nav_sections": entries})) != fresh

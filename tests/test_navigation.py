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

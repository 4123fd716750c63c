"""Each role lands where its work is (issue 18.9): the home dashboard's panels per role, which show and which
not, and in what order. The panels are the apps' (`web.dashboard`); their markers are `data-panel`."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reintegra.access import audit
from reintegra.access.roles import Role
from reintegra.protection import services as protection
from reintegra.protection.choices import ConsentMethod, ConsentPurpose
from reintegra.testing import factories
from reintegra.web.management.commands.worker import beat

pytestmark = pytest.mark.django_db

# The panels of each role's home, in order, on an organisation whose people hold no case.
HOMES = {
    Role.ADMIN: ["platform", "health"],
    Role.SERVICE_PROVIDER: ["incoming-referrals"],
    Role.ME_OFFICER: ["indicators"],
    Role.DATA_PROTECTION_OFFICER: ["protection-alerts"],
    Role.FEEDBACK_FOCAL_POINT: ["feedback-queue"],
    Role.COORDINATOR: ["indicators", "structural"],
    Role.PROGRAMME_MANAGER: ["organisation-cases", "indicators", "structural"],
    Role.SUPERVISOR: ["organisation-cases", "indicators"],
    Role.CASE_MANAGER: ["my-cases"],
}


def _home(user) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def _panels(page: str) -> list[str]:
    return re.findall(r'data-panel="([\w-]+)"', page)


def test_every_role_has_its_own_home():
    assert set(HOMES) == set(Role)
    org = factories.organisation()
    for role, expected in HOMES.items():
        assert _panels(_home(factories.user(org, role))) == expected, role


def test_a_case_managers_counts_show_to_no_role_without_cases():
    org = factories.organisation()
    for role in HOMES:
        page = _home(factories.user(org, role))
        shown = "my-cases" in _panels(page)
        assert shown == (role == Role.CASE_MANAGER), role
        if not shown:
            assert "Your cases at a glance" not in page


def test_a_supervisor_with_cases_of_their_own_sees_them_after_the_organisations():
    org = factories.organisation()
    supervisor = factories.user(org, Role.SUPERVISOR)
    factories.case(supervisor, case_manager=supervisor)
    assert _panels(_home(supervisor)) == ["organisation-cases", "indicators", "my-cases"]


def test_admin_home_counts_the_platform_and_runs_the_health_checks():
    org = factories.organisation()
    admin = factories.user(org, Role.ADMIN, is_staff=True, is_superuser=True)
    factories.user(org, Role.CASE_MANAGER, is_active=False)
    assert 'data-check="worker"' in _home(admin) and "Failing" in _home(admin)  # no worker has beaten yet
    beat("worker-a", timezone.now())
    page = _home(admin)
    assert reverse("admin:index") in page and reverse("account:users") in page
    assert page.count('data-check="') == 4 and "Failing" not in page
    assert re.search(r'(\d+)</span>\s*<span class="stat__label">Deactivated users', page).group(1) == "1"


def test_dpo_home_shows_exceptions_exports_and_withdrawals_with_links_to_the_trail():
    org = factories.organisation()
    manager = factories.user(org, Role.CASE_MANAGER)
    dpo = factories.user(org, Role.DATA_PROTECTION_OFFICER)
    case = factories.case(manager, case_manager=manager)
    audit.record_access(manager, "consent_exception", case.returnee, purpose="riesgo", flagged=True)
    audit.record_access(manager, "export", object_type="cases.case", purpose="lista")
    audit.record_access(manager, "export", object_type="cases.case", purpose="lista")
    consent = protection.record_consent(
        manager,
        case.returnee,
        ConsentPurpose.REFERRAL,
        ConsentMethod.SIGNED,
        timezone.localdate() - timedelta(days=3),
        recipient_organisation=org,
    )
    protection.withdraw_consent(manager, consent)
    # Another organisation's staff is outside this officer's trail.
    other = factories.user(factories.organisation(), Role.CASE_MANAGER)
    audit.record_access(other, "export", object_type="cases.case", purpose="lista")

    page = _home(dpo)
    counts = dict(re.findall(r'data-alert="(\w+)">.*?<span class="stat__value">(\d+)</span>', page, re.S))
    assert counts == {"consent_exception": "1", "export": "2", "flagged": "1", "withdrawals": "1"}
    assert f"{reverse('access:audit')}?action=consent_exception&amp;since=" in page
    assert f"{reverse('access:audit')}?action=export&amp;since=" in page
    assert reverse("protection:consents", args=[case.returnee_id]) in page
    assert case.returnee.given_names not in page  # counts and links, no names


def test_focal_point_home_is_the_feedback_queue():
    from reintegra.public.models import Feedback

    org = factories.organisation()
    focal = factories.user(org, Role.FEEDBACK_FOCAL_POINT)
    programme = org.programmes.first()
    today = timezone.localdate()
    made = {}
    for name, kind, status, acknowledge, resolve in [
        ("question-soon", "question", "received", 3, 20),
        ("sensitive-soon", "sensitive", "received", 5, 20),
        ("complaint-late", "complaint", "acknowledged", -9, -1),
        ("closed", "complaint", "closed", -9, -1),
    ]:
        item = Feedback.objects.create(
            tracking_code=name[:16],
            programme=programme,
            kind=kind,
            concern="fraud" if kind == "sensitive" else "",
            channel="phone",
            status=status,
            text="texto",
            acknowledge_by=today + timedelta(days=acknowledge),
            resolve_by=today + timedelta(days=resolve),
        )
        made[name] = item.pk
    page = _home(focal)
    order = [int(pk) for pk in re.findall(r'data-feedback="(\d+)"', page)]
    assert order == [made["complaint-late"], made["sensitive-soon"], made["question-soon"]]
    assert "texto" not in page


def test_a_supervisors_organisation_counts_are_counted_once_a_minute_and_say_so():
    """Issue 19: the organisation's counts (every case it holds) are read once per minute and organisation, by
    whichever of its managers comes first; the page says when they were counted."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reintegra.cases import services

    org = factories.organisation()
    supervisor = factories.user(org, Role.SUPERVISOR)
    other_supervisor = factories.user(org, Role.SUPERVISOR)
    manager = factories.user(org, Role.CASE_MANAGER, first_name="Rosa", last_name="Díaz")
    newcomer = factories.user(org, Role.CASE_MANAGER, first_name="Ana", last_name="Paz")
    case = factories.case(manager, case_manager=manager)
    factories.case(manager, case_manager=manager)

    def visit(user):
        client = Client()
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        return response.content.decode(), len(queries)

    page, counted = visit(supervisor)
    assert "Counted at" in page and "may take up to a minute" in page
    assert ">Rosa Díaz</a>" in page and ">Ana Paz</a>" not in page
    _page, cached = visit(other_supervisor)  # another manager of the organisation, within the minute
    assert cached == counted - 4  # the four counts over the organisation's cases are not run again
    services.assign_case(supervisor, case, newcomer, expected_version=None)
    assert ">Ana Paz</a>" not in visit(supervisor)[0]  # within the minute: the figures as counted
    cache.clear()  # a minute later
    assert ">Ana Paz</a>" in visit(supervisor)[0]

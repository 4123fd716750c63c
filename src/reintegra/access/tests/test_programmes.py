"""Programme settings: who may read and change them, validation, and the permission matrix of their routes."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from reintegra.access import services
from reintegra.access.models import Programme
from reintegra.access.roles import ROLE_CAPABILITIES, Capability, Role
from reintegra.testing import factories
from reintegra.testing.routes import routes_of_app

pytestmark = pytest.mark.django_db

# (route, method) -> (needs MANAGE_PROGRAMME, takes a programme, body)
ROWS = {
    ("programmes:list", "GET"): (False, False, None),
    ("programmes:edit", "GET"): (True, True, None),
    ("programmes:edit", "POST"): (
        True,
        True,
        {
            "name": "Programa nuevo",
            "countries": ["GT"],
            "is_active": "on",
            "rss_round_months": "0, 3, 12",
            "rss_baseline_window_days": "30",
            "rss_round_window_days": "60",
            "stakeholder_high_threshold": "3",
            "stakeholder_review_months": "3",
            "agreement_renewal_notice_days": "60",
            "suppression_threshold": "7",
        },
    ),
    ("api:programme-list", "GET"): (False, False, None),
    ("api:programme-detail", "GET"): (False, True, None),
    ("api:programme-detail", "PATCH"): (True, True, {"stakeholder_high_threshold": 3}),
}


def test_every_route_has_a_row():
    exposed = {
        (name, method)
        for module in ("reintegra.access.programme_views", "reintegra.access.programme_api")
        for name, methods in routes_of_app(module).items()
        for method in methods
    }
    assert exposed == set(ROWS)


def _expected(role: Role, route: tuple[str, str], own: bool) -> set[int]:
    manage, takes_object, _body = ROWS[route]
    if manage and Capability.MANAGE_PROGRAMME not in ROLE_CAPABILITIES[role]:
        return {403}
    if takes_object and not own:
        return {404}
    return {302} if route == ("programmes:edit", "POST") else {200}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("route", sorted(ROWS))
@pytest.mark.parametrize("own", [True, False], ids=["own_org", "other_org"])
def test_matrix(role, route, own):
    org, other = factories.organisation("gt1", "GT"), factories.organisation("mx1", "MX")
    user = factories.user(org, role)
    target = Programme.objects.get(organisation=org if own else other)
    name, method = route
    _manage, takes_object, body = ROWS[route]
    url = reverse(name, args=[target.pk]) if takes_object else reverse(name)
    # Writes carry the version they were based on (issue 10): If-Match in the API, a hidden field in forms.
    if name.startswith("api:"):
        client = APIClient()
        client.force_authenticate(user)
        precondition = {"HTTP_IF_MATCH": f'"{target.revision}"'} if method == "PATCH" else {}
        response = getattr(client, method.lower())(url, body, format="json", **precondition)
    else:
        client = Client()
        client.force_login(user)
        response = getattr(client, method.lower())(url, {**(body or {}), "revision": str(target.revision)})
    assert response.status_code in _expected(role, route, own), response.content[:300]
    if response.status_code == 200 and name.endswith("list"):
        # Lists show only the user's own organisation's programmes.
        text = response.content.decode()
        assert Programme.objects.get(organisation=org).code in text
        assert Programme.objects.get(organisation=other).code not in text


def test_anonymous_is_sent_to_login_or_refused():
    assert Client().get(reverse("programmes:list")).status_code == 302
    assert APIClient().get(reverse("api:programme-list")).status_code in {401, 403}


def test_settings_saved_from_the_form_sorted_and_audited():
    org = factories.organisation("gt2", "GT")
    manager = factories.user(org, Role.PROGRAMME_MANAGER)
    programme = Programme.objects.get(organisation=org)
    client = Client()
    client.force_login(manager)
    data = dict(ROWS[("programmes:edit", "POST")][2], revision=str(programme.revision))
    data["rss_round_months"] = "12, 0, 6"
    assert client.post(reverse("programmes:edit", args=[programme.pk]), data).status_code == 302
    programme.refresh_from_db()
    assert programme.rss_round_months == [0, 6, 12]
    assert programme.stakeholder_high_threshold == 3
    assert programme.suppression_threshold == 7
    from auditlog.models import LogEntry

    assert LogEntry.objects.get_for_object(programme).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("rss_round_months", "0, seis"),
        ("rss_round_months", "0, 6, 6"),
        ("rss_round_months", "0, 200"),
        ("stakeholder_high_threshold", "7"),
        ("ends_on", "2020-01-01"),
        ("suppression_threshold", "1"),
        ("suppression_threshold", "51"),
    ],
)
def test_bad_settings_redisplay_with_a_message_and_change_nothing(field, value):
    org = factories.organisation("gt3", "GT")
    manager = factories.user(org, Role.PROGRAMME_MANAGER)
    programme = Programme.objects.get(organisation=org)
    client = Client()
    client.force_login(manager)
    data = dict(ROWS[("programmes:edit", "POST")][2], starts_on="2024-01-01", revision=str(programme.revision))
    data[field] = value
    response = client.post(reverse("programmes:edit", args=[programme.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors.get(field), response.context["form"].errors
    programme.refresh_from_db()
    assert programme.rss_round_months == [0, 6, 12, 18]


def test_api_refuses_bad_values_with_field_errors():
    org = factories.organisation("gt4", "GT")
    manager = factories.user(org, Role.PROGRAMME_MANAGER)
    programme = Programme.objects.get(organisation=org)
    client = APIClient()
    client.force_authenticate(manager)
    url = reverse("api:programme-detail", args=[programme.pk])
    read = {"HTTP_IF_MATCH": client.get(url)["ETag"]}
    response = client.patch(url, {"rss_round_months": [0, 6, 6]}, format="json", **read)
    assert response.status_code == 400 and "rss_round_months" in response.json()
    response = client.patch(url, {"stakeholder_high_threshold": 9}, format="json", **read)
    assert response.status_code == 400 and "stakeholder_high_threshold" in response.json()
    for k in (1, 51, "x"):
        response = client.patch(url, {"suppression_threshold": k}, format="json", **read)
        assert response.status_code == 400 and "suppression_threshold" in response.json()
    response = client.patch(url, {"suppression_threshold": 10}, format="json", **read)
    assert response.status_code == 200 and response.json()["suppression_threshold"] == 10
    read = {"HTTP_IF_MATCH": response["ETag"]}
    saved = client.patch(url, {"rss_round_months": [0, 3, 9]}, format="json", **read)
    assert saved.json()["rss_round_months"] == [0, 3, 9]


def test_service_refuses_another_organisations_programme():
    from django.core.exceptions import PermissionDenied

    org, other = factories.organisation("gt5", "GT"), factories.organisation("mx5", "MX")
    manager = factories.user(org, Role.PROGRAMME_MANAGER)
    with pytest.raises(PermissionDenied):
        services.update_programme(manager, Programme.objects.get(organisation=other), {"name": "x"})


def test_country_names_follow_the_readers_language():
    org = factories.organisation("gt6", "GT")
    client = Client()
    client.force_login(factories.user(org, Role.PROGRAMME_MANAGER))
    url = reverse("programmes:edit", args=[Programme.objects.get(organisation=org).pk])
    assert ">Germany</option>" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">Alemania</option>" in client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()

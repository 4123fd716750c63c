"""A programme's BIA deadlines: programme managers change them from the programme's settings (page and API,
the same rules), others read or are refused, and new assessments follow them."""

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reintegra.access.roles import ROLE_CAPABILITIES, Capability, Role
from reintegra.children import selectors, settings_services
from reintegra.children.settings_services import DeadlineInput
from reintegra.testing import factories
from reintegra.testing.api_clients import api_client_for
from reintegra.testing.routes import routes_of_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting() -> dict[str, Any]:
    org = factories.organisation("nna-plazos", "GT")
    programme = factories.programme(org, "prog-nna")
    other = factories.organisation("otra-org", "GT")
    return {
        "org": org,
        "programme": programme,
        "manager": factories.user(org, Role.PROGRAMME_MANAGER),
        "case_manager": factories.user(org, Role.CASE_MANAGER),
        "outsider": factories.user(other, Role.PROGRAMME_MANAGER),
    }


def _url(programme: Any) -> str:
    return f"/api/v1/programmes/{programme.pk}/child-protection-settings/"


def test_the_defaults_until_a_manager_saves_them(setting: dict[str, Any]) -> None:
    assert selectors.deadlines_of(setting["programme"]) == {"high": 2, "medium": 7, "low": 30}
    saved = settings_services.save_deadlines(setting["manager"], setting["programme"], DeadlineInput(1, 5, 20))
    assert (saved.high_priority_days, saved.medium_priority_days, saved.low_priority_days) == (1, 5, 20)
    assert selectors.deadline_days(setting["programme"], "medium") == 5
    assert selectors.due_date(setting["programme"], "low", timezone.localdate()) == timezone.localdate() + timedelta(
        days=20
    )


@pytest.mark.parametrize(
    ("days", "field", "code"),
    [
        ((0, 7, 30), "high_priority_days", "out_of_range"),
        ((2, 91, 120), "medium_priority_days", "out_of_range"),
        ((2, 7, 181), "low_priority_days", "out_of_range"),
        ((10, 7, 30), "medium_priority_days", "priority_order"),
        ((2, 40, 30), "medium_priority_days", "priority_order"),
    ],
)
def test_out_of_range_or_out_of_order_deadlines_are_refused(
    setting: dict[str, Any], days: tuple[int, int, int], field: str, code: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        settings_services.save_deadlines(setting["manager"], setting["programme"], DeadlineInput(*days))
    assert [e.code for e in raised.value.error_dict[field]] == [code]
    assert selectors.settings_of(setting["programme"]) is None  # nothing saved


def test_only_the_programmes_own_managers_change_them(setting: dict[str, Any]) -> None:
    for user in (setting["case_manager"], setting["outsider"]):
        with pytest.raises(PermissionDenied):
            settings_services.save_deadlines(user, setting["programme"], DeadlineInput(1, 5, 20))


def test_the_api_reads_writes_and_refuses_like_the_page(setting: dict[str, Any], client: Any) -> None:
    api = api_client_for(setting["manager"])
    first = api.get(_url(setting["programme"]))
    assert first.status_code == 200
    assert first.json() == {"high_priority_days": 2, "medium_priority_days": 7, "low_priority_days": 30, "version": 0}
    created = api.put(
        _url(setting["programme"]),
        {"high_priority_days": 1, "medium_priority_days": 3, "low_priority_days": 15},
        format="json",
    )
    assert created.status_code == 200 and created.json()["version"] == 1
    stale = api.put(
        _url(setting["programme"]),
        {"high_priority_days": 1, "medium_priority_days": 3, "low_priority_days": 14},
        format="json",
        HTTP_IF_MATCH='"0"',
    )
    assert stale.status_code == 412
    refused = api.put(
        _url(setting["programme"]),
        {"high_priority_days": 9, "medium_priority_days": 3, "low_priority_days": 14},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert refused.status_code == 400
    assert ("medium_priority_days", "priority_order") in {(e["field"], e["code"]) for e in refused.json()["errors"]}
    # The same input through the page: re-displayed with the same message, nothing saved.
    client.force_login(setting["manager"])
    page = client.post(
        reverse("children:deadlines", args=[setting["programme"].pk]),
        {"high_priority_days": 9, "medium_priority_days": 3, "low_priority_days": 14, "revision": 1},
    )
    assert page.status_code == 200 and "medium_priority_days" in page.context["form"].errors
    assert selectors.deadlines_of(setting["programme"]) == {"high": 1, "medium": 3, "low": 15}


def test_others_read_or_are_refused(setting: dict[str, Any]) -> None:
    assert api_client_for(setting["case_manager"]).get(_url(setting["programme"])).status_code == 200
    refused = api_client_for(setting["case_manager"]).put(
        _url(setting["programme"]),
        {"high_priority_days": 1, "medium_priority_days": 3, "low_priority_days": 15},
        format="json",
    )
    assert refused.status_code == 403
    assert api_client_for(setting["outsider"]).get(_url(setting["programme"])).status_code == 404


def test_the_page_is_found_from_the_programme_settings(setting: dict[str, Any], client: Any) -> None:
    client.force_login(setting["manager"])
    address = reverse("children:deadlines", args=[setting["programme"].pk])
    settings_page = client.get(reverse("programmes:edit", args=[setting["programme"].pk]))
    assert address in settings_page.content.decode()
    form = client.get(address)
    assert form.status_code == 200 and form.context["form"].initial["medium_priority_days"] == 7
    saved = client.post(
        address, {"high_priority_days": 3, "medium_priority_days": 10, "low_priority_days": 45, "revision": 0}
    )
    assert saved.status_code == 302
    assert selectors.deadlines_of(setting["programme"]) == {"high": 3, "medium": 10, "low": 45}
    client.force_login(setting["case_manager"])
    assert client.get(address).status_code == 403


# (route, method) -> the capabilities that may use it (any of them); another organisation's programme is 404.
MATRIX = {
    ("children:deadlines", "GET"): {Capability.MANAGE_PROGRAMME},
    ("children:deadlines", "POST"): {Capability.MANAGE_PROGRAMME},
    ("api:programme-child-protection-settings", "GET"): {Capability.SEE_PROTECTION, Capability.MANAGE_PROGRAMME},
    ("api:programme-child-protection-settings", "PUT"): {Capability.MANAGE_PROGRAMME},
}


def test_every_route_has_a_row() -> None:
    exposed = {
        (name, method)
        for module in ("reintegra.children.settings_views", "reintegra.children.settings_api")
        for name, methods in routes_of_app(module).items()
        for method in methods
    }
    assert exposed == set(MATRIX)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("own", [True, False])
def test_every_role_on_its_own_and_another_organisations_programme(role: Role, own: bool) -> None:
    org = factories.organisation(f"o-{role.value}"[:20], "GT")
    other = factories.organisation(f"x-{role.value}"[:20], "GT")
    programme = factories.programme(org if own else other, f"p-{role.value}"[:20])
    user = factories.user(org, role)
    client = Client()
    client.force_login(user)
    api = api_client_for(user)
    body = {"high_priority_days": 2, "medium_priority_days": 7, "low_priority_days": 30}
    for (name, method), allowed in MATRIX.items():
        url = reverse(name, args=[programme.pk])
        if name.startswith("api:"):
            answer = api.get(url) if method == "GET" else api.put(url, body, format="json")
        else:
            answer = client.get(url) if method == "GET" else client.post(url, {**body, "revision": 0})
        may = bool(allowed & ROLE_CAPABILITIES[role])
        expected = {403} if not may else ({200, 302} if own else {404})
        assert answer.status_code in expected, (name, method, role, own, answer.status_code)

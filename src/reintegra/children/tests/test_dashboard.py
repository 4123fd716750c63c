"""The child-protection dashboard (/ninez/panel/): who may open it (monitoring's readers, the permission
matrix of `children.dashboard_views`), what it counts, and the small counts hidden from aggregate roles."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from reintegra.access.roles import ROLE_CAPABILITIES, Capability, Role
from reintegra.children import services
from reintegra.children.choices import BiaStatus, CareStatus
from reintegra.children.tests.conftest import World, bia_input, years_ago
from reintegra.testing import factories as f
from reintegra.testing.routes import routes_of_app

pytestmark = pytest.mark.django_db

READ = {Capability.VIEW_AGGREGATES, Capability.MANAGE_MONITORING}
MATRIX = {("children:dashboard", "GET"): "read"}


def test_every_route_has_a_row():
    exposed = {(n, m) for n, methods in routes_of_app("reintegra.children.dashboard_views").items() for m in methods}
    assert exposed == set(MATRIX)


@pytest.mark.parametrize("role", list(Role))
def test_only_readers_of_monitoring_open_it(world: World, role: Role):
    client = Client()
    client.force_login(f.user(world.org, role))
    answer = client.get(reverse("children:dashboard")).status_code
    assert answer == (200 if ROLE_CAPABILITIES[role] & READ else 403)


def _children(world: World, count: int, care: str) -> None:
    for i in range(count):
        case = f.case(world.manager, f.returnee(world.manager, birth_date=years_ago(14), given_names=f"Niña {i}"))
        services.save_profile(world.manager, case, services.ProfileInput(care_status=care))


def _rows(page, index: int, codes: list[str]) -> dict[str, object]:
    """The table's values by code (rows in the order of the codes: the page speaks the reader's language)."""
    table = page.context["dashboard"].tables[index]
    return dict(zip(codes, (shown for _label, shown in table.rows), strict=True)) | {"total": table.total}


def test_counts_are_exact_for_managers_and_small_ones_hidden_from_the_me_officer(world: World):
    services.save_profile(world.manager, world.child_case, services.ProfileInput(care_status=CareStatus.UNACCOMPANIED))
    services.start_assessment(world.manager, world.child_case, bia_input())  # completed: awaiting approval
    _children(world, 6, CareStatus.ACCOMPANIED)
    _children(world, 2, CareStatus.SEPARATED)
    care = list(CareStatus.values)

    manager = Client()
    manager.force_login(f.user(world.org, Role.PROGRAMME_MANAGER))
    page = manager.get(reverse("children:dashboard"))
    exact = _rows(page, 0, care)
    assert [exact[k].value for k in ("unaccompanied", "separated", "accompanied", "total")] == [1, 2, 6, 9]
    bias = _rows(page, 1, list(BiaStatus.values))
    assert bias["submitted"].value == 1

    officer = Client()
    officer.force_login(f.user(world.org, Role.ME_OFFICER))
    page = officer.get(reverse("children:dashboard"))
    hidden = _rows(page, 0, care)
    assert hidden["unaccompanied"].suppressed and hidden["separated"].suppressed
    assert hidden["accompanied"].value == 6 and hidden["total"].value == 9  # 9 − 6 gives only a sum
    assert "&lt; 5" in page.content.decode()
    assert "Niña" not in page.content.decode() and world.child_case.case_number not in page.content.decode()

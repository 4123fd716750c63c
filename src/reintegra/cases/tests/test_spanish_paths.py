"""Issue 18.14: the case pages have Spanish paths like every other page; the old English ones redirect
permanently, keeping the method and the query string."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reintegra.testing import factories
from reintegra.web.legacy_paths import spanish_path

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/cases/", "/casos/"),
        ("/cases/new/duplicates/", "/casos/nuevo/duplicados/"),
        ("/cases/12/assessments/new/", "/casos/12/evaluaciones/nueva/"),
        ("/cases/12/counselling/new/", "/casos/12/consejeria/nueva/"),
        ("/cases/12/follow-up/new/", "/casos/12/seguimiento/nuevo/"),
        ("/cases/12/household/edit/", "/casos/12/hogar/editar/"),
        ("/places/municipalities/", "/lugares/municipios/"),
    ],
)
def test_old_paths_read_in_spanish(old, new):
    assert spanish_path(old) == new


def test_every_case_page_is_under_casos(case_manager):
    case = factories.case(case_manager)
    names = ["detail", "assessments", "counselling", "plan", "follow_up", "closure", "timeline", "close", "reopen"]
    for name in names:
        assert reverse(f"cases:{name}", args=[case.pk]).startswith(f"/casos/{case.pk}/")
    assert reverse("cases:list") == "/casos/" and reverse("cases:register") == "/casos/nuevo/"


def test_an_old_link_redirects_with_its_query_and_method(client, case_manager):
    case = factories.case(case_manager)
    client.force_login(case_manager)
    listed = client.get("/cases/?search=tzoc")
    assert (listed.status_code, listed["Location"]) == (308, "/casos/?search=tzoc")
    page = client.get(f"/cases/{case.pk}/closure/", follow=True)
    assert page.redirect_chain == [(f"/casos/{case.pk}/cierre/", 308)] and page.status_code == 200
    posted = client.post(f"/cases/{case.pk}/close/", {"reason": "left_area"})
    assert (posted.status_code, posted["Location"]) == (308, f"/casos/{case.pk}/cerrar/")
    assert client.get("/cases/12/nowhere/").status_code == 404

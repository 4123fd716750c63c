"""The community level in a real browser, in Spanish: the programme manager opens the return hotspots, goes
from the hotspot to its community, writes the community profile (six rated sections), records a participatory
session with returnees and non-migrant residents, creates a community project for that community, links two
returnees' cases (one with the plan item that says so) and records non-migrant participants; the project page
shows the returnee / non-migrant ratio, and the case page shows the project."""

from datetime import date

import pytest
from tests.browser.conftest import PASSWORD, log_in, main_text, submit

pytestmark = pytest.mark.browser

TODAY = date.today().isoformat()
SETUP = f"""
from datetime import date, timedelta
from reintegra.access.roles import Role
from reintegra.cases import services as case_services
from reintegra.community import services
from reintegra.places.models import AdminArea
from reintegra.testing import factories
# An organisation and a municipality of its own: the other journeys of this server use oim-gt.
org = factories.organisation("oim-gt-comunidad", country="GT")
manager = factories.user(org, Role.PROGRAMME_MANAGER, username="gerente-com", password="{PASSWORD}",
                         first_name="Rosa", last_name="Cux")
dept = AdminArea.objects.create(country="GT", level=1, code="GT-XCOM", name="Departamento de prueba")
muni = AdminArea.objects.create(country="GT", level=2, code="GT-XCOM01", name="San Andrés Xecul", parent=dept)
community = services.save_community(manager, services.CommunityInput(
    municipality=muni.pk, population=29000, population_year=2018, population_source="Censo INE 2018"))
today = date.today()
cases = []
for i, name in enumerate(["Edwin", "Marvin", "Yesenia", "Byron", "Heidy", "Wilmer", "Glendy"]):
    person = factories.returnee(manager, given_names=name, first_family_name="Tzul", return_country="GT",
                                municipality_id=muni.pk, sex="female" if i % 3 == 2 else "male")
    cases.append(factories.case(manager, person, return_date=today - timedelta(days=10 + 20 * i)))
case_services.record_assessment(manager, cases[0], {{"assessed_on": today, "economic_need": "high"}})
case_services.save_plan(manager, cases[0], goals="Ingresos estables", motivations="Su familia",
                        items=[case_services.PlanItemInput(dimension="economic", approach="Huerto comunitario",
                                                           assistance_form="in_kind")])
item = cases[0].plan.items.get()
print(f"COMMUNITY={{community.pk}} CASE1={{cases[0].pk}} CASE2={{cases[1].pk}} ITEM={{item.pk}} "
      f"NUMBER1={{cases[0].case_number}}")
"""


def _go(page, link_name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("link", name=link_name).first.click()
    page.wait_for_load_state("networkidle")


def test_hotspot_to_profile_session_and_project_with_cases_and_residents(page, live_app):
    result = live_app.manage("shell", "-c", SETUP)
    line = next(line for line in result.stdout.splitlines() if line.startswith("COMMUNITY="))
    ids = dict(part.split("=", 1) for part in line.split())

    log_in(page, live_app, "gerente-com")

    # The hotspot table: San Andrés Xecul with its returns per 1,000 residents; its name opens the community.
    page.goto(f"{live_app.url}/comunidades/focos-de-retorno/")
    assert "San Andrés Xecul" in main_text(page)
    _go(page, "San Andrés Xecul")
    assert page.url.endswith(f"/comunidades/{ids['COMMUNITY']}/")
    assert "Aún no hay perfil comunitario." in main_text(page)

    # The community profile: six sections rated with evidence.
    _go(page, "Elaborar el perfil")
    for section, rating in (
        ("needs", "3"),
        ("resources", "1"),
        ("impact_of_returns", "2"),
        ("drivers", "3"),
        ("barriers", "2"),
        ("resilience", "2"),
    ):
        page.select_option(f"[name={section}_rating]", rating)
        page.fill(f"[name={section}_evidence]", f"Grupo focal con retornados y vecinos ({section})")
    page.fill("[name=drivers_sources]", "Encuesta de hogares 2024")
    submit(page)
    assert "Versión 1 del" in main_text(page)
    assert "Encuesta de hogares 2024" in main_text(page)

    # A participatory session: returnees and non-migrant residents, counts only.
    _go(page, "+ Nueva sesión")
    page.select_option("[name=kind]", "community_meeting")
    page.fill("[name=held_on]", TODAY)
    page.fill("[name=place]", "Salón comunal de Xecul")
    page.fill("[name=n_returnee_male_adult]", "6")
    page.fill("[name=n_non_migrant_female_adult]", "9")
    page.fill("[name=priorities]", "Empleo para jóvenes\nAgua potable")
    submit(page)
    assert "Asamblea comunitaria" in main_text(page) and "Empleo para jóvenes" in main_text(page)

    # A community project for this community (pre-selected), economic.
    _go(page, "+ Nuevo proyecto")
    page.fill("[name=title]", "Huerto comunitario de Xecul")
    page.select_option("[name=approach]", "new_community")
    page.check("[name=dimensions][value=economic]")
    page.check("[name=activities][value=collective_income]")
    page.fill("[name=currency]", "GTQ")
    page.fill("[name=budget_0_line]", "Semillas y herramientas")
    page.fill("[name=budget_0_budget]", "15000")
    page.fill("[name=budget_0_spent]", "2500")
    page.fill("[name=milestone_0_title]", "Primera cosecha")
    submit(page)
    assert "Huerto comunitario de Xecul" in main_text(page) and "Semillas y herramientas" in main_text(page)
    project_url = page.url

    # Two returnees' cases, the first with the plan item that says it takes part.
    _go(page, "+ Vincular el caso de una persona retornada")
    page.select_option("[name=case]", ids["CASE1"])
    page.select_option("[name=plan_item]", ids["ITEM"])
    submit(page)
    _go(page, "+ Vincular el caso de una persona retornada")
    page.select_option("[name=case]", ids["CASE2"])
    page.select_option("[name=role]", "leader")
    submit(page)
    # Non-migrant residents: a count with sex and role, no names.
    _go(page, "+ Agregar participantes no migrantes")
    page.fill("[name=count]", "12")
    page.select_option("[name=sex]", "female")
    submit(page)
    main = main_text(page)
    assert page.url == project_url
    assert "Personas retornadas : residentes no migrantes = 2 : 12" in main
    assert ids["NUMBER1"] in main and "componente del plan: Huerto comunitario" in main

    # The case page shows the project it takes part in.
    page.goto(f"{live_app.url}/casos/{ids['CASE1']}/")
    assert "Huerto comunitario de Xecul" in main_text(page)

"""At the reception desk, in a real browser and in Spanish: a flight from the United States lands at the air
force base's reception centre. The desk officer records the arrival, then three people with the fast intake
("Guardar y siguiente" brings back an empty form, focused on the first field): a new adult; a man returned
before, recognised by his identity document and linked to his record, not registered twice; and an
unaccompanied 15-year-old, whose protection flag opens a child case with its best-interests assessment. The
arrival's page lists the three, and the child's case summary shows the return recorded at reception."""

from datetime import date, datetime, timedelta

import pytest
from tests.browser.conftest import PASSWORD, log_in, main_text

pytestmark = pytest.mark.browser

SETUP = f"""
from datetime import date
from reintegra.access.models import Team
from reintegra.access.roles import Role
from reintegra.cases import services as case_services
from reintegra.reception import services
from reintegra.testing import factories
# An organisation of its own: the other journeys of this server use theirs.
org = factories.organisation("oim-gt-recepcion", country="GT")
team = Team.objects.create(organisation=org, name="Recepción aeropuerto")
pm = factories.user(org, Role.PROGRAMME_MANAGER, username="gerente-recepcion", password="{PASSWORD}")
desk = factories.user(org, Role.CASE_MANAGER, team=team, username="recepcion-gt", password="{PASSWORD}",
                      first_name="Ana", last_name="Cojtí")
point = services.save_point(pm, services.PointInput(
    code="fag", name="Centro de Recepción — Fuerza Aérea Guatemalteca", country="GT", kind="airport",
    receiving_institution="Instituto Guatemalteco de Migración"))
known = factories.returnee(desk, given_names="Marvin Estuardo", first_family_name="Tux", second_family_name="Coj",
                           sex="male", birth_date=date(1987, 8, 14), nationality="GT", return_country="GT",
                           documents=[case_services.DocumentInput("national_id", "2587 45123 0101", "GT")])
print(f"POINT={{point.pk}} KNOWN={{known.pk}}")
"""


def _person(page, given: str, family: str, sex: str, born: date, *, document: str = "") -> None:
    page.fill("[name=given_names]", given)
    page.fill("[name=family_names]", family)
    page.select_option("[name=sex]", sex)
    page.fill("[name=birth_date]", born.isoformat())
    if document:
        page.fill("[name=document_number]", document)


def test_an_arrival_and_three_people_at_the_desk(page, live_app):
    result = live_app.manage("shell", "-c", SETUP)
    line = next(line for line in result.stdout.splitlines() if line.startswith("POINT="))
    ids = dict(part.split("=", 1) for part in line.split())

    log_in(page, live_app, "recepcion-gt")
    page.goto(f"{live_app.url}/recepcion/")
    assert "Llegadas" in main_text(page)
    page.get_by_role("link", name="Nueva llegada").click()
    page.wait_for_load_state("networkidle")
    landed = (datetime.now() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    page.select_option("[name=point]", ids["POINT"])
    page.fill("[name=arrived_at]", landed)
    page.select_option("[name=means]", "flight")
    page.fill("[name=means_number]", "ICE-4471")
    page.select_option("[name=host_country]", "US")
    page.select_option("[name=return_type]", "forced")
    page.fill("[name=men]", "96")
    page.fill("[name=women]", "22")
    page.fill("[name=boys]", "6")
    page.fill("[name=girls]", "4")
    page.fill("[name=accompanied_minors]", "9")
    page.fill("[name=unaccompanied_minors]", "1")
    page.get_by_role("button", name="Registrar la llegada").click()
    page.wait_for_load_state("networkidle")
    assert "/ingreso/" in page.url
    intake_url = page.url
    # The fast intake, on a tablet held upright: the first field has the focus, no chart is loaded, nothing
    # scrolls sideways, and the page is light (its HTML, without the cached style sheet and scripts).
    page.set_viewport_size({"width": 768, "height": 1024})
    page.reload()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.activeElement.name") == "given_names"
    assert page.locator("canvas").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert len(page.content().encode()) < 60_000

    # 1. A new adult, with food and a phone call, typed from the keyboard: Enter saves and brings the next form.
    _person(page, "Rosa Elvira", "Chávez Ajú", "female", date(1990, 4, 2))
    page.check("[name=assistance][value=food]")
    page.check("[name=assistance][value=phone_call]")
    page.focus("[name=phone]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    assert page.url == intake_url
    assert "Guardado. Siguiente persona." in main_text(page)
    assert page.input_value("[name=given_names]") == ""
    assert "1 persona registrada" in main_text(page)

    # 2. Returned before: the same identity document, the names typed differently. Linked, not registered again.
    _person(page, "Marvin", "Tux", "male", date(1987, 8, 14), document="2587451230101")
    page.check("[name=assistance][value=hygiene_kit]")
    page.get_by_role("button", name="Guardar y siguiente").click()
    page.wait_for_load_state("networkidle")
    assert "Retorno reiterado" in main_text(page)

    # 3. An unaccompanied 15-year-old: the protection flag, then "Guardar y terminar".
    today = date.today()
    _person(page, "Dulce María", "Chitay Pérez", "female", today.replace(year=today.year - 15) - timedelta(days=60))
    page.check("[name=protection_flags][value=unaccompanied_child]")
    page.check("[name=assistance][value=psychological_first_aid]")
    page.get_by_role("button", name="Guardar y terminar").click()
    page.wait_for_load_state("networkidle")
    text = main_text(page)
    assert "3 personas recibidas" in text and "1 retorno reiterado" in text
    assert "Rosa Elvira Chávez Ajú" in text and "Marvin Estuardo Tux Coj" in text
    assert "Niña, niño o adolescente no acompañado" in text

    # The child's case, opened by the routing: its summary shows the return recorded at reception, and the
    # Children tab the best-interests assessment started on arrival.
    page.locator("tr", has_text="Dulce María").get_by_role("link").nth(1).click()
    page.wait_for_load_state("networkidle")
    assert "Retornos registrados en recepción" in main_text(page)
    assert "Centro de Recepción — Fuerza Aérea Guatemalteca" in main_text(page)

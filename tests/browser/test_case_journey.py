"""A case manager's whole journey in Spanish, in a real browser against a real server:
log in → register (duplicate warning) → assess → counselling → plan → agree → follow-up → close."""

import re
from datetime import date, timedelta

import pytest
from tests.browser.conftest import log_in, submit

pytestmark = pytest.mark.browser

TODAY = date.today()


def _status(page) -> str:
    return page.locator(".case-header__badges .badge").first.inner_text().strip()


def _register(page, live_app, given: str, first: str, second: str, born: date) -> None:
    page.goto(f"{live_app.url}/casos/nuevo/")
    page.fill("[name=given_names]", given)
    page.fill("[name=first_family_name]", first)
    page.fill("[name=second_family_name]", second)
    page.select_option("[name=sex]", "female")
    page.fill("[name=birth_date]", born.isoformat())
    page.select_option("[name=nationality]", "GT")
    page.select_option("[name=return_country]", "GT")
    page.wait_for_load_state("networkidle")
    option = page.locator("[name=municipality] option", has_text="Quetzaltenango").first
    page.select_option("[name=municipality]", option.get_attribute("value"))
    page.fill("[name=return_date]", (TODAY - timedelta(days=12)).isoformat())
    page.select_option("[name=return_type]", "forced")
    page.select_option("[name=host_country]", "US")
    page.check("[name=causes_of_migration][value=economic]")
    page.check("[name=causes_of_migration][value=violence]")
    page.fill("[name=members-0-given_names]", "Mateo")
    page.fill("[name=members-0-family_names]", "Ajú")
    page.select_option("[name=members-0-relationship]", "child")
    page.fill("[name=members-0-estimated_age]", "7")


def test_case_manager_journey_in_spanish(page, live_app):
    page.goto(f"{live_app.url}/")
    assert "/login/" in page.url  # anonymous users land on the login page
    log_in(page, live_app)
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("heading", level=1).first.inner_text().strip()

    # Register a returnee and open the case.
    _register(page, live_app, "Rosa María", "Ajú", "Tzoc", date(1991, 3, 14))
    submit(page)
    assert re.search(r"/casos/\d+/$", page.url), page.url
    case_url = page.url
    assert _status(page) == "Registrado"
    assert page.get_by_text("Rosa María Ajú Tzoc").first.is_visible()

    # Assessment.
    page.goto(case_url + "evaluaciones/nueva/")
    page.fill("[name=assessed_on]", TODAY.isoformat())
    page.select_option("[name=economic_need]", "high")
    page.fill("[name=needs_vulnerabilities]", "Sin ingresos desde el retorno; deudas con prestamistas.")
    page.fill("[name=capacities_skills]", "Experiencia en cocina y ventas.")
    submit(page)
    assert _status(page) == "Evaluado"

    # Counselling session.
    page.goto(case_url + "consejeria/nueva/")
    page.fill("[name=held_on]", TODAY.isoformat())
    page.fill("[name=topics]", "Duelo migratorio")
    submit(page)
    assert page.locator(".messages").inner_text().strip()

    # Plan with one item, then agree it.
    page.goto(case_url + "plan/editar/")
    page.fill("[name=goals]", "Abrir un comedor en Quetzaltenango.")
    page.fill("[name=motivations]", "Quedarse con sus hijos.")
    page.select_option("[name=items-0-dimension]", "economic")
    page.fill("[name=items-0-approach]", "Apoyo para emprendimiento")
    page.select_option("[name=items-0-assistance_form]", "in_kind")
    page.fill("[name=items-0-amount]", "3500")
    page.fill("[name=items-0-currency]", "GTQ")
    submit(page)
    page.goto(case_url + "plan/acordar/")
    page.fill("[name=agreed_on]", TODAY.isoformat())
    submit(page)
    assert _status(page) == "Plan acordado"

    # Follow-up visit with progress on the item.
    page.goto(case_url + "seguimiento/nuevo/")
    page.fill("[name=visited_on]", TODAY.isoformat())
    page.select_option("[name=mode]", "phone")
    page.fill("[name=notes]", "Compró el equipo de cocina.")
    page.locator("select[name^=progress_]").first.select_option("in_progress")
    submit(page)
    assert _status(page) == "En seguimiento"

    # Closing without a reason is refused with a message; with a reason it closes.
    page.goto(case_url + "cierre/")
    page.on("dialog", lambda dialog: dialog.accept())  # "Close this case?" confirmation
    page.locator("main form button[type=submit]").filter(has_text="Cerrar el caso").click()
    page.wait_for_load_state("networkidle")
    assert _status(page) == "En seguimiento"
    assert page.locator(".errorlist, .alert--error").first.is_visible()
    page.select_option("[name=reason]", "support_ended")
    page.fill("[name=note]", "Negocio funcionando.")
    page.locator("main form button[type=submit]").filter(has_text="Cerrar el caso").click()
    page.wait_for_load_state("networkidle")
    assert _status(page) == "Cerrado"

    # The timeline tells the whole story.
    page.goto(case_url + "cronologia/")
    timeline = page.locator("main").inner_text()
    for label in ("Caso abierto", "Evaluación registrada", "Plan acordado", "Visita de seguimiento", "Caso cerrado"):
        assert label in timeline

    # The case is found again by a search typed without accents.
    page.goto(f"{live_app.url}/casos/?search=aju+tzoc")
    assert page.locator("main table").get_by_text("Rosa María").first.is_visible()


def test_duplicate_warning_before_saving(page, live_app):
    log_in(page, live_app)
    _register(page, live_app, "Juana", "Xicará", "Cux", date(1985, 7, 2))
    submit(page)
    assert _status(page) == "Registrado"
    # The same person returned again, typed without accents and with the surnames swapped.
    _register(page, live_app, "JUANA", "Cux", "Xicara", date(1985, 7, 2))
    page.locator("[name=birth_date]").dispatch_event("change")
    panel = page.locator("#duplicate-panel")
    panel.get_by_text("Juana Xicará Cux").first.wait_for()
    submit(page)
    # Not saved until the case manager confirms it is a different person.
    assert page.url.endswith("/casos/nuevo/")
    assert page.locator("[name=given_names]").input_value() == "JUANA"

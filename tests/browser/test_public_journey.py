"""The public portal in a real browser, in Spanish, on a 390 px wide phone screen, without logging in: a person
preparing a return finds the services of their municipality (searched with a typo and no accents), asks a
question about it, gives anonymous feedback, and follows it with the tracking code."""

import re

import pytest

pytestmark = pytest.mark.browser

SETUP = """
from reintegra.access.models import Programme
from reintegra.access.roles import Role
from reintegra.places.models import AdminArea
from reintegra.public import services
from reintegra.referrals import services as referral_services
from reintegra.testing import factories
# An organisation of its own: the other journeys of this server use oim-gt.
org = factories.organisation("oim-gt-portal", country="GT")
programme = Programme.objects.get(organisation=org)
manager = factories.user(org, Role.PROGRAMME_MANAGER, username="gerente-portal")
services.save_settings(manager, programme, services.SettingsInput(
    True, "Acompañamiento a personas retornadas", "Personas guatemaltecas retornadas en el último año", 3, 1, 30, 6))
xela = AdminArea.objects.get(country="GT", level=2, name="Quetzaltenango")
provider = referral_services.save_provider(manager, referral_services.ProviderInput(
    name="Centro de Empleo Xelajú", organisation_type="government", country="GT"))
referral_services.save_service(manager, referral_services.ServiceInput(
    provider=provider, name="Bolsa de empleo municipal", dimension="economic", sector="employment", country="GT",
    areas=[xela], is_public=True, public_contact="Oficina: +502 7765 0000"))
print(f"MUNI={xela.pk} PROGRAMME={programme.pk}")
"""


def _answer_challenge(page) -> None:
    question = page.locator("#id_challenge_answer_helptext").inner_text()
    a, b = (int(n) for n in re.findall(r"\d+", question)[:2])
    page.fill("[name=challenge_answer]", str(a + b))


def _send(page) -> None:
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def _fits_the_screen(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_find_services_ask_give_feedback_and_follow_it(page, live_app):
    result = live_app.manage("shell", "-c", SETUP)
    line = next(line for line in result.stdout.splitlines() if line.startswith("MUNI="))
    ids = dict(part.split("=", 1) for part in line.split())
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.clear_cookies()

    # Find the municipality by name, with a typo and without accents, and its public services.
    page.goto(f"{live_app.url}/info/")
    assert "Encuentre los servicios de su municipio" in page.locator("main").inner_text()
    page.fill("[name=q]", "quetzaltenago")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    page.locator(f"a[href^='/info/municipio/{ids['MUNI']}/']").first.click()
    page.wait_for_load_state("networkidle")
    main = page.locator("main").inner_text()
    assert "Bolsa de empleo municipal" in main and "+502 7765 0000" in main
    assert "Personas guatemaltecas retornadas en el último año" in main
    _fits_the_screen(page)

    # Ask a question about it.
    page.get_by_role("link", name="Hacer una pregunta sobre este municipio").click()
    page.wait_for_load_state("networkidle")
    page.select_option("[name=programme]", ids["PROGRAMME"])
    page.select_option("[name=requester_kind]", "family")
    page.fill("[name=question]", "Mi hermano regresa en marzo: ¿dónde puede inscribirse para buscar trabajo?")
    page.check("[name=agrees_to_publish]")
    _answer_challenge(page)
    _fits_the_screen(page)
    _send(page)
    assert "Recibimos su pregunta" in page.locator("main").inner_text()

    # Anonymous feedback: a wrong answer to the challenge first (kept what was typed), then sent.
    page.get_by_role("link", name="Retroalimentación").click()
    page.wait_for_load_state("networkidle")
    page.select_option("[name=programme]", ids["PROGRAMME"])
    page.select_option("[name=kind]", "suggestion")
    page.fill("[name=text]", "Sería bueno atender también los sábados.")
    page.fill("[name=challenge_answer]", "999")
    _send(page)
    assert "Todavía no se envió nada" in page.locator("main").inner_text()
    assert page.input_value("[name=text]") == "Sería bueno atender también los sábados."
    _answer_challenge(page)
    _send(page)
    assert "Recibimos su retroalimentación" in page.locator("main").inner_text()
    code = page.locator("#tracking-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{10}", code)

    # Follow it with the code.
    page.get_by_role("link", name="Seguirla").click()
    page.wait_for_load_state("networkidle")
    status = page.locator("#status").inner_text()
    assert "Recibido" in status and "Aún no hay respuesta" in status
    _fits_the_screen(page)

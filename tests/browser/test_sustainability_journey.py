"""Sustainability in a real browser, in Spanish: a case manager records the RSS baseline from the case page,
sees the four scores, their bands and the trajectory chart, then plans with the feasibility grid: the
weakest dimension is highlighted and "Usar" fills the plan item's approach and dimension (a new item when every
row is taken), and the currency is the organisation's country's."""

from datetime import date
from pathlib import Path

import pytest
import yaml
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

RSS = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "src/reintegra/sustainability/instruments/rss.yaml").read_text(
        encoding="utf-8"
    )
)
SETUP = """
from reintegra.access.models import User
from reintegra.testing import factories
user = User.objects.get(username="gestora")
case = factories.assessed_case(user, case_manager=user)
print(f"CASE={case.pk}")
"""


def _options(question: dict) -> list[dict]:
    options = question.get("options")
    return RSS["option_sets"][options] if isinstance(options, str) else options


def _answer(page, social_worst: bool) -> None:
    for question in RSS["questions"]:
        name = f"q_{question['code']}"
        worst = social_worst and question["dimension"] == "social"
        if question["type"] == "number":
            points = question["scoring"]["points"]
            page.fill(f"[name={name}]", str(points[-1][0] if worst else points[0][0]))
            continue
        scored = [o for o in _options(question) if not o.get("missing")]
        chosen = min(scored, key=lambda o: o["score"]) if worst else max(scored, key=lambda o: o["score"])
        page.check(f"[name={name}][value={chosen['code']}]")


def test_rss_round_and_planning_with_the_grid(page, live_app):
    result = live_app.manage("shell", "-c", SETUP)
    case_id = next(line.split("=", 1)[1] for line in result.stdout.splitlines() if line.startswith("CASE="))

    log_in(page, live_app, "gestora")

    # The case's Sustainability tab: nothing yet, the schedule, a button to record a round.
    page.goto(f"{live_app.url}/sostenibilidad/caso/{case_id}/")
    assert page.get_by_role("link", name="Sostenibilidad").first.is_visible()
    assert "Línea de base" in page.locator(".rss-schedule").inner_text()
    page.get_by_role("link", name="Registrar una ronda RSS").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("¿Qué tan satisfecho/a está con su situación económica actual?").is_visible()

    # A round with a bad date first: the form comes back with the answers kept and a translated error.
    page.fill("[name=taken_on]", "2099-01-01")
    _answer(page, social_worst=True)
    page.get_by_role("button", name="Guardar la ronda").click()
    page.wait_for_load_state("networkidle")
    assert "no puede ser futura" in page.content()
    assert page.is_checked("[name=q_eco_satisfaction][value=very_satisfied]")

    page.fill("[name=taken_on]", date.today().isoformat())
    page.get_by_role("button", name="Guardar la ronda").click()
    page.wait_for_load_state("networkidle")
    assert "Ronda registrada" in page.content()
    cards = page.locator(".rss-score")
    assert cards.count() == 4
    assert page.locator(".rss-score--weakest").inner_text().startswith("Social")
    assert page.locator("canvas[data-chart=rss-trajectory]").is_visible()
    table = page.locator("#rss-rounds").inner_text()
    assert "Línea de base" in table

    # The plan page highlights the weakest dimension and lists the grid's approaches for it.
    page.goto(f"{live_app.url}/casos/{case_id}/plan/")
    assert page.locator(".rss-weakest").inner_text().strip() == "Social"
    assert "Apoyo para vivienda" in page.locator(".rss-plan-panel").inner_text()

    # The plan form: "Usar" fills the approach and the dimension of the plan item from the grid.
    page.goto(f"{live_app.url}/casos/{case_id}/plan/editar/")
    page.wait_for_load_state("networkidle")
    page.fill("[name=goals]", "Conseguir vivienda estable y trabajo.")
    # The blank row proposes the organisation's currency (Guatemala: quetzales), not pesos (issue 18.5).
    assert page.input_value("[name=items-0-currency]") == "GTQ"
    page.locator("[data-use-approach='Apoyo para vivienda']").click()
    assert page.input_value("[name=items-0-approach]") == "Apoyo para vivienda"
    assert page.input_value("[name=items-0-dimension]") == "social"
    # The next choice to make, the form of assistance, has the focus.
    assert page.evaluate("document.activeElement.name") == "items-0-assistance_form"
    page.select_option("[name=items-0-assistance_form]", index=1)
    # Every row taken: "Usar" adds a plan item instead of overwriting the last one (issue 18.5).
    page.locator("[data-grid-picker] summary:has(.dimension--economic)").click()
    page.locator("[data-use-approach='Desarrollo de negocios']").click()
    assert page.input_value("[name=items-0-approach]") == "Apoyo para vivienda"
    assert page.input_value("[name=items-1-approach]") == "Desarrollo de negocios"
    assert page.input_value("[name=items-1-dimension]") == "economic"
    assert page.input_value("[name=items-1-currency]") == "GTQ"
    page.select_option("[name=items-1-assistance_form]", index=1)
    page.fill("[name=items-1-amount]", "2500")
    page.fill("[name=items-1-currency]", "")
    page.get_by_role("button", name="Guardar el plan").click()
    page.wait_for_load_state("networkidle")
    assert "Apoyo para vivienda" in page.content()
    # The amount left without currency was saved in quetzales.
    assert "GTQ" in page.content() and "Desarrollo de negocios" in page.content()

"""A programme manager registers a stakeholder in Spanish and sees it placed on the interest x influence
grid (real browser, real server): the point sits in the "manage closely" quadrant and opens its page."""

import subprocess
import sys

import pytest
from tests.browser.conftest import PASSWORD, log_in, submit

pytestmark = pytest.mark.browser

USERNAME = "gerencia-estructural"


def _programme_manager(live_app) -> None:
    # The organisation (created with `reintegra createorg`) already has its first programme.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "reintegra",
            "createuser",
            "--username",
            USERNAME,
            "--organization",
            "oim-gt",
            "--role",
            "programme_manager",
            "--password-env",
            "BROWSER_PASSWORD",
        ],
        env={**live_app.env, "BROWSER_PASSWORD": PASSWORD},
        check=True,
        capture_output=True,
        timeout=120,
    )


def test_new_stakeholder_is_placed_on_the_grid(page, live_app):
    _programme_manager(live_app)
    log_in(page, live_app, USERNAME)

    # The structural level's pages sit under one menu of the main navigation.
    page.locator("summary", has_text="Nivel estructural").click()
    page.locator("details[data-nav-menu]").get_by_role("link", name="Nivel estructural").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="Nuevo interlocutor").click()
    page.wait_for_load_state("networkidle")
    page.fill("[name=name]", "Secretaría de Bienestar Social")
    page.select_option("[name=category]", "national_authority")
    page.select_option("[name=level]", "national")
    page.select_option("[name=country]", "GT")
    page.fill("[name=interest]", "5")
    page.fill("[name=influence]", "4")
    page.check("[name=functions][value=serve_returnees]")
    submit(page)
    assert "/estructural/interlocutores/" in page.url
    detail_url = page.url
    assert page.get_by_test_id("engagement-category").inner_text().strip() == "Controlar estrechamente"

    page.goto(f"{live_app.url}/estructural/")
    canvas = page.locator("canvas[data-chart=home-grid]")
    canvas.wait_for(state="visible")
    page.wait_for_selector("canvas[data-chart=home-grid][data-chart-ready=true]")
    # The same figures as text: the table row gives the scores and the category.
    row = page.get_by_test_id("grid-table").locator("tr", has_text="Secretaría de Bienestar Social")
    assert "Controlar estrechamente" in row.text_content()
    # Where Chart.js drew the point: in the first dataset (manage closely), at influence 4, interest 5.
    point = page.evaluate(
        """() => {
          const chart = Chart.getChart(document.querySelector('canvas[data-chart=home-grid]'));
          const data = chart.data.datasets[0].data;
          const index = data.findIndex(p => p.label === 'Secretaría de Bienestar Social');
          const element = chart.getDatasetMeta(0).data[index];
          return {index, x: element.x, y: element.y, value: data[index],
                  label: chart.data.datasets[0].label};
        }"""
    )
    assert point["index"] >= 0
    assert point["label"] == "Controlar estrechamente"
    assert (round(point["value"]["x"]), round(point["value"]["y"])) == (4, 5)
    canvas.click(position={"x": point["x"], "y": point["y"]})
    page.wait_for_url(detail_url)
    assert page.locator("h1").inner_text().strip() == "Secretaría de Bienestar Social"

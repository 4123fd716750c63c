"""A coordination body's look at the regional catalogue, in Spanish, in a real browser against a real server:
log in → matrix for Guatemala (counts from the CRM 2022 actions) → click a cell → the filtered actions."""

import csv
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from tests.browser.conftest import PASSWORD, log_in

pytestmark = pytest.mark.browser

DATA = Path(__file__).resolve().parents[2] / "src" / "reintegra" / "demo" / "data" / "regional_actions_crm_2022.csv"


def _guatemala_rows() -> list[dict[str, str]]:
    with DATA.open(encoding="utf-8") as f:
        return [row for row in csv.DictReader(f) if row["country"] == "GT"]


def test_coordinator_reads_the_matrix_and_drills_down(page, live_app):
    live_app.manage("createorg", "--code", "mesa-gt", "--name", "Mesa Interinstitucional", "--country", "GT")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "reintegra",
            "createuser",
            "--username",
            "coordinacion",
            "--organization",
            "mesa-gt",
            "--role",
            "coordinator",
            "--password-env",
            "BROWSER_PASSWORD",
        ],
        env={**live_app.env, "BROWSER_PASSWORD": PASSWORD},
        check=True,
        capture_output=True,
        timeout=120,
    )
    live_app.manage("import-regional-actions", str(DATA), "--organisation", "oim-gt")
    rows = _guatemala_rows()
    counts = Counter((row["level"], row["dimension"]) for row in rows)

    log_in(page, live_app, "coordinacion")

    # The structural level's pages sit under one menu of the main navigation.
    page.locator("summary", has_text="Nivel estructural").click()
    page.locator("details[data-nav-menu]").get_by_role("link", name="Acciones regionales").click()
    page.wait_for_load_state("networkidle")
    page.select_option("#id_country", "GT")  # submits itself (data-autosubmit)
    page.wait_for_url("**country=GT**")
    assert "Guatemala" in page.get_by_role("heading", level=2).first.inner_text()

    for level in ("individual", "community", "structural"):
        for dimension in ("economic", "social", "psychosocial"):
            cell = page.locator(f'td[data-level="{level}"][data-dimension="{dimension}"] .heatmap__count')
            assert cell.inner_text().strip() == str(counts[(level, dimension)])
    gap = page.locator('td[data-level="individual"][data-dimension="psychosocial"]')
    if not counts[("individual", "psychosocial")]:
        assert "Vacío" in gap.inner_text()

    level, dimension = "structural", "social"
    page.locator(f'td[data-level="{level}"][data-dimension="{dimension}"] a').click()
    page.wait_for_load_state("networkidle")
    titles = page.locator("table[data-testid=actions] tbody tr td:first-child a").all_inner_texts()
    expected = sorted(r["action"] for r in rows if (r["level"], r["dimension"]) == (level, dimension))
    assert sorted(t.strip() for t in titles) == expected
    assert page.locator("#id_country").input_value() == "GT"
    assert page.locator("#id_level").input_value() == level

    page.get_by_role("link", name=expected[0]).click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", level=1).inner_text().strip() == expected[0]
    # The coordination body reads the country's actions but changes them only once the organisation that
    # entered them gives it write access (issue 10, item 13): here oim-gt's programme manager does.
    assert page.get_by_role("link", name="Editar").count() == 0
    live_app.manage("shell", "-c", GRANT_REGIONAL_WRITE)
    page.reload()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("link", name="Editar").count() == 1


GRANT_REGIONAL_WRITE = """
from reintegra.access.models import Organisation
from reintegra.access.services import create_user
from reintegra.structural.services import grant_write
oim = Organisation.objects.get(code="oim-gt")
manager = create_user("gerente-acciones", oim, ["programme_manager"])
grant_write(manager, Organisation.objects.get(code="mesa-gt"), "regional")
"""

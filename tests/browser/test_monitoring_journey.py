"""Monitoring and evaluation in a real browser, in Spanish: the M&E officer defines a computed indicator (a bad
computation first: the form comes back with the error and what was typed), sees it on the IPTT disaggregated
by sex, adds the year's quarters, submits the last complete one, and downloads the donor report (PDF) and the
indicator values (HXL, read back with libhxl)."""

import io
from datetime import date, timedelta
from pathlib import Path

import hxl
import pytest
from tests.browser.conftest import PASSWORD, log_in

pytestmark = pytest.mark.browser


def _last_complete_quarter(today: date) -> tuple[date, date, int]:
    first_month = 3 * ((today.month - 1) // 3) + 1
    end = date(today.year, first_month, 1) - timedelta(days=1)
    start = date(end.year, end.month - 2, 1)
    return start, end, (end.month - 1) // 3 + 1


START, END, QUARTER = _last_complete_quarter(date.today())
LABEL = f"{END.year}-T{QUARTER}"
SETUP = f"""
from datetime import date
from reintegra.access.models import Programme
from reintegra.access.roles import Role
from reintegra.monitoring import services
from reintegra.testing import factories
# An organisation of its own: the other journeys of this server add cases to oim-gt.
org = factories.organisation("oim-sv-me", country="SV")
gestora = factories.user(org, Role.CASE_MANAGER, username="gestora-sv")
officer = factories.user(org, Role.ME_OFFICER, username="monitoreo", password="{PASSWORD}")
for sex in ["female"] * 6 + ["male"] * 7:
    person = factories.returnee(gestora, sex=sex)
    factories.case(gestora, person, return_date=date.fromisoformat("{START.isoformat()}"))
programme = Programme.default_for(org.pk)
framework = services.create_framework(officer, programme)
services.add_node(officer, framework, services.NodeInput(kind="impact", title="Reintegración sostenible"))
print(f"PROGRAMME={{programme.pk}}")
"""
DEFINITION = '{"population": "cases", "unit": "person", "date": "return_date"}'


def test_define_an_indicator_see_it_disaggregated_submit_and_download(page, live_app):
    result = live_app.manage("shell", "-c", SETUP)
    programme = next(line.split("=", 1)[1] for line in result.stdout.splitlines() if line.startswith("PROGRAMME="))

    log_in(page, live_app, "monitoreo")

    # From the menu to the programme's indicators.
    page.get_by_role("link", name="Seguimiento y evaluación").first.click()
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_app.url}/seguimiento/programas/{programme}/indicadores/")
    page.get_by_role("link", name="Nuevo indicador").click()
    page.wait_for_load_state("networkidle")

    # A computation naming a population that does not exist: refused, nothing lost.
    page.fill("[name=code]", "RET-1")
    page.fill("[name=name_es]", "Personas retornadas registradas")
    page.select_option("[name=measure]", "count")
    page.select_option("[name=node]", index=1)
    page.check("[name=is_computed]")
    page.fill("[name=definition]", '{"population": "nadie", "unit": "person", "date": "return_date"}')
    page.get_by_role("button", name="Guardar").click()
    page.wait_for_load_state("networkidle")
    assert "Todavía no se guardó nada" in page.content()
    assert page.input_value("[name=name_es]") == "Personas retornadas registradas"

    page.fill("[name=definition]", DEFINITION)
    page.get_by_role("button", name="Guardar").click()
    page.wait_for_load_state("networkidle")
    assert "RET-1" in page.locator("main").inner_text()

    # The year's quarters, then the last complete one submitted.
    page.get_by_role("link", name="Periodos").first.click()
    page.wait_for_load_state("networkidle")
    page.fill("[name=year]", str(END.year))
    page.get_by_role("button", name="Añadir los trimestres").click()
    page.wait_for_load_state("networkidle")
    page.locator("tr", has_text=LABEL).first.get_by_role("link", name="Presentar").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Presentar").click()  # the confirmation: what submitting freezes
    page.wait_for_load_state("networkidle")
    submitted = page.locator("tr", has_text=LABEL).first.inner_text()
    assert "Presentado" in submitted and "Presentar" not in submitted

    # The IPTT, disaggregated by sex on screen: 13 people, 6 women and 7 men in that quarter.
    page.get_by_role("link", name="IPTT").first.click()
    page.wait_for_load_state("networkidle")
    page.select_option("select[name=por]", "sex")
    # A script-submitted form is not waited for by Playwright: wait for the navigation it starts.
    with page.expect_navigation():
        page.locator("select[name=por]").evaluate("select => select.form.requestSubmit()")
    page.wait_for_load_state("networkidle")
    iptt = page.locator("main table").first
    assert "(PRESENTADO)" in iptt.locator("thead").inner_text().upper()

    def cells(name: str) -> list[str]:
        return [cell.strip() for cell in iptt.locator("tr", has_text=name).first.locator("td").all_inner_texts()]

    # The submitted quarter and the life of programme: 13 people, 6 women and 7 men.
    assert cells("RET-1").count("13") == 2, cells("RET-1")
    assert cells("Sexo: Mujer").count("6") == 2, cells("Sexo: Mujer")
    assert cells("Sexo: Hombre").count("7") == 2, cells("Sexo: Hombre")

    # The donor report of the submitted quarter, and the HXL file of the values.
    with page.expect_download() as pdf:
        page.get_by_role("link", name=f"Informe al donante {LABEL} (PDF)").click()
    assert Path(pdf.value.path()).read_bytes()[:5] == b"%PDF-"
    with page.expect_download() as values:
        page.get_by_role("link", name="Valores de los indicadores (HXL)").click()
    dataset = hxl.data(io.BytesIO(Path(values.value.path()).read_bytes()))
    rows = [row for row in dataset if row.get("#indicator+code") == "RET-1"]
    assert rows, "the HXL file has no row of the indicator"
    assert "#sex" in [column.display_tag for column in dataset.columns]

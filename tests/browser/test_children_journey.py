"""The children's path in a real browser, in Spanish: an unaccompanied 15-year-old returned by land from
Mexico. The case manager records the profile, starts the best-interests assessment (BIA) and completes it;
the supervisor finds it in her queue and approves it; the case manager convenes the determination (BID) panel
(a panel of two first: refused, with the error summary and what was typed kept), opens a family tracing
request, records an action and the mother found, assesses the reunification, records how the child took part
in the plan, and agrees the plan."""

from datetime import date, timedelta

import pytest
from tests.browser.conftest import PASSWORD, log_in, main_text, submit

pytestmark = pytest.mark.browser

TODAY = date.today()
SETUP = f"""
from datetime import date, timedelta
from reintegra.access.models import Team
from reintegra.access.roles import Role
from reintegra.cases import services
from reintegra.testing import factories
# An organisation of its own: the other journeys of this server add cases to oim-gt.
org = factories.organisation("oim-gt-nna", country="GT")
team = Team.objects.create(organisation=org, name="Niñez no acompañada")
manager = factories.user(org, Role.CASE_MANAGER, team=team, username="gestora-nna", password="{PASSWORD}",
                         first_name="Lucía", last_name="Ramírez")
supervisor = factories.user(org, Role.SUPERVISOR, team=team, username="supervisora-nna", password="{PASSWORD}",
                            first_name="Carmen", last_name="Orozco")
today = date.today()
child = factories.returnee(manager, given_names="Brandon Josué", first_family_name="Xiloj", second_family_name="Tum",
                           sex="male", birth_date=today.replace(year=today.year - 15) - timedelta(days=100),
                           nationality="GT", return_country="GT")
case = factories.case(manager, child, return_date=today - timedelta(days=3), host_country="MX",
                      reception_place="Centro de recepción de niñez retornada, Tecún Umán (frontera terrestre)")
# The case's own steps before the plan (the cases journey walks them): an assessment and a drafted plan.
services.record_assessment(manager, case, {{"assessed_on": today, "economic_need": "medium"}})
services.save_plan(manager, case, goals="Volver a estudiar en Totonicapán", motivations="Estar con su familia",
                   items=[services.PlanItemInput(dimension="social", approach="Inscripción escolar",
                                                 assistance_form="service")])
print(f"CASE={{case.pk}} NUMBER={{case.case_number}} MANAGER={{manager.pk}} SUPERVISOR={{supervisor.pk}}")
"""


def test_unaccompanied_child_from_assessment_to_agreed_plan(page, live_app):
    result = live_app.manage("shell", "-c", SETUP)
    line = next(line for line in result.stdout.splitlines() if line.startswith("CASE="))
    ids = dict(part.split("=", 1) for part in line.split())
    child_url = f"{live_app.url}/ninez/casos/{ids['CASE']}/"

    # The case manager: the child's profile (unaccompanied), then the BIA started and saved in progress.
    log_in(page, live_app, "gestora-nna")
    page.goto(child_url)
    page.get_by_role("link", name="Registrar el perfil").click()
    page.wait_for_load_state("networkidle")
    page.select_option("[name=care_status]", "unaccompanied")
    page.select_option("[name=authority]", "gt_pgn")
    page.fill("[name=authority_officer]", "Licda. Marta Sic")
    page.fill("[name=languages]", "K'iche', español")
    submit(page)
    assert "No acompañado" in main_text(page) or "No acompañada" in main_text(page)

    page.get_by_role("link", name="Iniciar una Evaluación del Interés Superior").click()
    page.wait_for_load_state("networkidle")
    page.select_option("[name=stage]", "arrival")
    page.select_option("[name=priority]", "high")
    page.fill("[name=family_situation]", "La madre vive en Totonicapán; sin contacto desde que salió.")
    page.locator("main form button[name=save]").click()
    page.wait_for_load_state("networkidle")
    assert "En curso" in main_text(page)

    # ...and completed: the child heard through an interpreter, sent for approval.
    page.get_by_role("link", name="Continuar la evaluación").click()
    page.wait_for_load_state("networkidle")
    assert page.input_value("[name=family_situation]").startswith("La madre vive en Totonicapán")
    page.check("[name=child_participated]")
    page.select_option("[name=hearing_method]", "interpreter")
    page.check("[name=trusted_adult_present]")
    page.fill("[name=child_views]", "Quiere volver con su madre si ella puede recibirlo.")
    page.fill("[name=safety_risks]", "Trabajó sin pago en una finca en Chiapas; sin riesgos conocidos en la aldea.")
    page.select_option("[name=recommendation]", "determination")
    page.fill("[name=recommendation_reasons]", "Niño no acompañado: determinación del interés superior y localización.")
    page.get_by_role("button", name="Completar y enviar a aprobación").click()
    page.wait_for_load_state("networkidle")
    assert "Pendiente de aprobación de supervisión" in main_text(page)

    # The supervisor: the assessment is in her queue; she approves it.
    log_in(page, live_app, "supervisora-nna")
    page.goto(f"{live_app.url}/ninez/supervision/")
    queue = page.locator("main").locator("tr", has_text=ids["NUMBER"]).first
    queue.get_by_role("link").first.click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Aprobar la evaluación").click()
    page.wait_for_load_state("networkidle")
    assert "Aprobada" in main_text(page)

    # The case manager convenes the BID panel: two members with a decision is refused, nothing typed lost.
    log_in(page, live_app, "gestora-nna")
    page.goto(child_url + "dis/")
    page.fill("[name=convened_on]", TODAY.isoformat())
    page.select_option("[name=members-0-user]", ids["MANAGER"])
    page.select_option("[name=members-0-role]", "case_manager")
    page.check("[name=members-0-no_conflict_declared]")
    page.check("[name=members-0-confidentiality_declared]")
    page.fill("[name=members-1-name]", "Licda. Marta Sic (PGN)")
    page.select_option("[name=members-1-role]", "authority")
    page.check("[name=members-1-no_conflict_declared]")
    page.check("[name=members-1-confidentiality_declared]")
    page.select_option("[name=decision]", "reunification_support")
    page.fill("[name=reasons]", "La madre fue localizada y quiere recibirlo; necesita apoyo económico.")
    page.fill("[name=decided_on]", TODAY.isoformat())
    page.fill("[name=review_on]", (TODAY + timedelta(days=60)).isoformat())
    page.get_by_role("button", name="Guardar la determinación").click()
    page.wait_for_load_state("networkidle")
    assert "Todavía no se guardó nada" in page.content()
    assert "al menos tres miembros" in main_text(page)
    assert page.input_value("[name=members-1-name]") == "Licda. Marta Sic (PGN)"
    assert page.input_value("[name=reasons]").startswith("La madre fue localizada")

    page.select_option("[name=members-2-user]", ids["SUPERVISOR"])
    page.select_option("[name=members-2-role]", "chair")
    page.check("[name=members-2-no_conflict_declared]")
    page.check("[name=members-2-confidentiality_declared]")
    page.get_by_role("button", name="Guardar la determinación").click()
    page.wait_for_load_state("networkidle")
    assert "Todavía no se guardó nada" not in page.content()
    assert page.url.rstrip("/").endswith(f"/ninez/casos/{ids['CASE']}")
    assert "Reunificación con apoyo" in main_text(page) and "Licda. Marta Sic (PGN)" in main_text(page)

    # Family tracing: the request for the mother, an action through the community leaders, the mother found.
    page.goto(child_url + "localizacion/")
    page.get_by_role("link", name="Abrir una solicitud de localización").first.click()
    page.wait_for_load_state("networkidle")
    page.select_option("[name=relationship]", "mother")
    page.fill("[name=given_names]", "Catarina")
    page.fill("[name=family_names]", "Tum Batz")
    page.fill("[name=last_known_location]", "Aldea Chuicruz, Totonicapán")
    submit(page)
    assert "Catarina" in main_text(page)
    page.get_by_role("link", name="Registrar una acción de localización").first.click()
    page.wait_for_load_state("networkidle")
    page.select_option("[name=method]", "community_leaders")
    page.fill("[name=carried_out_by]", "Alcaldía comunitaria de Chuicruz")
    page.select_option("[name=result]", "family_located")
    submit(page)
    page.goto(child_url + "localizacion/")
    page.locator("main a", has_text="Catarina").first.click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="Registrar un familiar localizado").click()
    page.wait_for_load_state("networkidle")
    page.select_option("[name=relationship]", "mother")
    page.fill("[name=given_names]", "Catarina")
    page.fill("[name=family_names]", "Tum Batz")
    submit(page)
    page.goto(child_url + "localizacion/")
    assert "Familia localizada" in main_text(page)

    # The reunification suitability assessment: the mother willing and able, the home safe, the child heard.
    page.get_by_role("link", name="Evaluar la reunificación").click()
    page.wait_for_load_state("networkidle")
    page.select_option("[name=family_member]", index=1)
    for name in ("family_willing", "family_able", "home_safe"):
        page.select_option(f"[name={name}]", "yes")
    page.select_option("[name=child_wish]", "wants")
    page.fill("[name=child_views]", "Quiere volver con su madre y terminar el básico.")
    page.fill("[name=authority]", "PGN, Delegación de Totonicapán")
    page.select_option("[name=authority_view]", "agrees")
    page.select_option("[name=recommendation]", "reunify_with_support")
    page.fill("[name=reasons]", "Madre dispuesta; ingresos bajos: reunificación con apoyo económico.")
    submit(page)
    assert "Todavía no se guardó nada" not in page.content()
    page.goto(child_url + "localizacion/")
    assert "Reunificación con apoyo" in main_text(page)

    # The plan waits for the child's participation; recorded, it is agreed.
    page.goto(f"{live_app.url}/casos/{ids['CASE']}/plan/")
    assert "Registre cómo participó la NNA en el plan" in main_text(page)
    page.goto(child_url)
    page.get_by_role("link", name="Registrar la participación en el plan").click()
    page.wait_for_load_state("networkidle")
    page.select_option("[name=method]", "in_person")
    page.fill("[name=views]", "Pidió que el plan incluya volver a la escuela en Totonicapán.")
    submit(page)
    page.goto(f"{live_app.url}/casos/{ids['CASE']}/plan/acordar/")
    page.fill("[name=agreed_on]", TODAY.isoformat())
    submit(page)
    assert page.locator(".case-header__badges .badge").first.inner_text().strip() == "Plan acordado"

"""Labour intermediation in a real browser, in Spanish: a returned bricklayer who worked six years in the
United States consents, the case manager records his jobseeker profile with a skill certified by INTECAP;
the programme manager publishes a vacancy of a construction company (a private-sector stakeholder) and sees
him among the candidates with the explanation of the score; the case manager shortlists him from the case
tab, refers him to the employment service through the referral network (the job-placement SOP's CV fields,
his consent naming the service), the service accepts, and the case manager records the interview, the hire
and the 3-month retention check."""

import pytest
from tests.browser.conftest import PASSWORD, log_in, main_text, submit

pytestmark = pytest.mark.browser

SETUP = f"""
from datetime import date, timedelta
from reintegra.access.models import Programme
from reintegra.access.roles import Role
from reintegra.places.models import AdminArea
from reintegra.protection import services as protection
from reintegra.structural.models import Stakeholder
from reintegra.testing import factories
# An organisation of its own: the other journeys of this server add cases to oim-gt.
org = factories.organisation("oim-gt-empleo", country="GT")
programme = Programme.objects.get(organisation=org)
manager = factories.user(org, Role.CASE_MANAGER, username="gestora-empleo", password="{PASSWORD}",
                         first_name="Rosa", last_name="Batz")
boss = factories.user(org, Role.PROGRAMME_MANAGER, username="gerente-empleo", password="{PASSWORD}",
                      first_name="Julio", last_name="Coyoy")
dept = AdminArea.objects.create(country="GT", level=1, code="GT-EMP-09", name="Quetzaltenango (empleo)")
muni = AdminArea.objects.create(country="GT", level=2, code="GT-EMP-0901", name="Salcajá (empleo)", parent=dept)
Stakeholder.objects.create(programme=programme, name="Constructora Los Altos (empleo)", category="private_sector",
                           level="local", country="GT", interest=4, influence=3)
person = factories.returnee(manager, given_names="Edgar Rolando", first_family_name="Tzul", second_family_name="Chay",
                            sex="male", nationality="GT", return_country="GT")
case = factories.case(manager, person, host_country="US")
protection.record_consent(manager, person, "employment", "signed", date.today(),
                          recipient_description="Bolsa de empleo de OIM y empresas aliadas")
# The employment service on the platform, oim-gt-empleo's job-placement SOP with it, his consent naming it.
from reintegra.employment import cv
from reintegra.referrals import services as referral_services
from reintegra.referrals.models import Service, ServiceProvider
sne = factories.organisation("sne-empleo", country="GT")
factories.user(sne, Role.SERVICE_PROVIDER, username="proveedor-empleo", password="{PASSWORD}")
provider = ServiceProvider.objects.create(name="Servicio Nacional de Empleo (empleo)", organisation_type="government",
                                          country="GT", organisation=sne, owner=sne)
Service.objects.create(provider=provider, code="sne-empleo-intermediacion", name="Intermediación laboral",
                       dimension="economic", sector="employment", country="GT")
referral_services.save_pathway(boss, referral_services.PathwayInput(
    provider=provider, title="POE de colocación laboral", approved_on=date.today(),
    transferred_fields=sorted(cv.CV_FIELDS)))
protection.record_consent(manager, person, "referral", "signed", date.today(), recipient_organisation=sne)
print(f"CASE={{case.pk}} NUMBER={{case.case_number}} MUNI={{muni.pk}} PROGRAMME={{programme.pk}}")
"""


def test_certified_bricklayer_from_profile_to_retention(page, live_app):
    result = live_app.manage("shell", "-c", SETUP)
    line = next(line for line in result.stdout.splitlines() if line.startswith("CASE="))
    ids = dict(part.split("=", 1) for part in line.split())
    tab = f"{live_app.url}/empleo/casos/{ids['CASE']}/"

    # The case manager records the jobseeker profile: work abroad and a skill certified by INTECAP.
    log_in(page, live_app, "gestora-empleo")
    page.goto(tab)
    assert "Empleo" in page.locator("nav, main").first.inner_text() or "Empleo" in page.content()
    page.get_by_role("link", name="Registrar el perfil").click()
    page.wait_for_load_state("networkidle")
    page.select_option("[name=education_level]", "2")
    page.select_option("[name=municipality]", ids["MUNI"])
    page.select_option("[name=travel_reach]", "admin1")
    page.select_option("[name=availability]", "immediate")
    page.fill("[name=desired_occupation]", "7112")
    page.fill("[name=experience-0-isco]", "7112")
    page.fill("[name=experience-0-years]", "6")
    page.check("[name=experience-0-abroad]")
    page.select_option("[name=experience-0-country]", "US")
    page.fill("[name=experience-0-sector]", "construcción residencial")
    page.fill("[name=skills-0-name]", "Albañilería")
    page.select_option("[name=skills-0-evidence]", "certified")
    page.select_option("[name=certifications-0-issuer]", "intecap")
    page.fill("[name=certifications-0-standard]", "Albañil en obra gris")
    page.fill("[name=certifications-0-issued_on]", "2024-03-01")
    submit(page, last=True)
    text = main_text(page)
    assert "Albañilería (Certificada)" in text
    assert "Albañil en obra gris, INTECAP (Guatemala), 01/03/2024" in text
    assert "Estados Unidos" in text and "(US)" not in text  # the country's name, not its code

    # The programme manager publishes a vacancy of the construction company and sees him as a candidate.
    log_in(page, live_app, "gerente-empleo")
    page.goto(f"{live_app.url}/empleo/vacantes/nueva/")
    page.select_option("[name=programme]", ids["PROGRAMME"])
    page.select_option("[name=employer]", label=page.locator("[name=employer] option").nth(1).inner_text())
    page.fill("[name=title]", "Albañil para vivienda social")
    page.fill("[name=occupation]", "7112")
    page.fill("[name=essential_skills]", "albañilería")
    page.select_option("[name=municipality]", ids["MUNI"])
    page.fill("[name=wage_min]", "3200")
    page.fill("[name=wage_max]", "4200")
    page.select_option("[name=contract_type]", "permanent")
    page.fill("[name=positions]", "3")
    page.fill("[name=closing_date]", "2099-12-31")
    page.select_option("[name=incentive]", "wage_cofinancing")
    submit(page, last=True)
    text = main_text(page)
    assert "Albañil para vivienda social" in text
    assert ids["NUMBER"] in text  # the candidate, by case number only
    assert "mismo grupo primario (4 dígitos)" in text

    # The case manager shortlists him from the tab, with the explanation shown, and follows the placement.
    log_in(page, live_app, "gestora-empleo")
    page.goto(tab)
    assert "Competencias esenciales cubiertas" in main_text(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Preseleccionar").click()
    assert "Preseleccionada" in main_text(page)
    assert "Todavía no se ha derivado al empleador." in main_text(page)

    # The employer hears of him through the referral network only: the interview waits for the service's yes.
    page.get_by_role("link", name="Derivar al empleador").click()
    page.wait_for_load_state("networkidle")
    text = main_text(page)
    assert "Currículum de la persona buscadora de empleo" in text  # what the SOP transfers
    assert "Albañiles" in text and "Estados Unidos" in text  # the CV as the service reads it
    page.select_option("[name=service]", label="Servicio Nacional de Empleo (empleo) — Intermediación laboral")
    page.fill("[name=note]", "Disponible de inmediato")
    with page.expect_navigation():
        page.get_by_role("button", name="Derivar y enviar").click()
    text = main_text(page)
    assert "La persona candidata fue derivada al empleador por la red de derivación." in text
    assert "REF-" in text
    live_app.manage(
        "shell",
        "-c",
        "from reintegra.access.models import User; from reintegra.employment.models import Placement; "
        "from reintegra.referrals import services; "
        f"p = Placement.objects.get(profile__case_id={ids['CASE']}); "
        "services.accept_referral(User.objects.get(username='proveedor-empleo'), p.referral)",
    )
    page.goto(tab)
    placement = page.locator("article.placement").first
    placement.locator("[name=step]").select_option("interview")
    with page.expect_navigation():
        placement.get_by_role("button", name="Registrar el paso").click()
    placement = page.locator("article.placement").first
    placement.locator("[name=step]").select_option("hired")
    with page.expect_navigation():
        placement.get_by_role("button", name="Registrar el paso").click()
    text = main_text(page)
    assert "Contratada" in text
    assert "3 meses" in text and "12 meses" in text
    row = page.locator("#retention-3")
    row.locator("[name=outcome]").select_option("employed")
    with page.expect_navigation():
        row.get_by_role("button", name="Registrar").click()
    assert "Sigue trabajando con el empleador" in main_text(page)

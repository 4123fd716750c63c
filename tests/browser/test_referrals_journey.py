"""A referral's closed loop in Spanish, in a real browser against a real server: the case manager opens a
case, records the person's referral consent naming the provider's organisation, refers the case from its
Referrals tab to a recommended service and sends it; the provider's user sees it in the portal with only
the SOP's fields, accepts it and records the outcome; the case manager sees the status and the timeline."""

import re
import subprocess
import sys
from datetime import date, timedelta

import pytest
from tests.browser.conftest import PASSWORD, log_in, submit

pytestmark = pytest.mark.browser

TODAY = date.today()
PROVIDER_ORG = "Asociación Puentes de Empleo"
SERVICE = "Bolsa de empleo y orientación laboral"
SOP_FIELDS = ["case_number", "full_name", "age", "referral_reason"]

SETUP = f"""
from django.utils import timezone
from reintegra.access.models import Organisation, User
from reintegra.referrals.models import ReferralPathway, Service, ServiceProvider
org = Organisation.objects.get(code="puentes-gt")
provider = ServiceProvider.objects.create(
    name={PROVIDER_ORG!r}, organisation_type="ngo", country="GT", organisation=org, owner=org
)
Service.objects.create(
    provider=provider, code="puentes-bolsa-empleo", name={SERVICE!r}, dimension="economic",
    sector="employment", country="GT", target_response_days=10,
)
ReferralPathway.objects.create(
    referring_organisation=Organisation.objects.get(code="oim-gt"), provider=provider,
    title="POE de derivación laboral", approved_on=timezone.localdate(), fields={SOP_FIELDS!r},
    created_by=User.objects.get(username="gestora"),
)
"""


def _set_up_provider(live_app) -> None:
    live_app.manage("createorg", "--code", "puentes-gt", "--name", PROVIDER_ORG, "--country", "GT")
    command = ["createuser", "--username", "puentes", "--organization", "puentes-gt", "--role", "service_provider"]
    subprocess.run(
        [sys.executable, "-m", "reintegra", *command, "--password-env", "BROWSER_PASSWORD"],
        env={**live_app.env, "BROWSER_PASSWORD": PASSWORD},
        check=True,
        capture_output=True,
        timeout=120,
    )
    live_app.manage("shell", "-c", SETUP)


def _open_case(page, live_app) -> str:
    page.goto(f"{live_app.url}/casos/nuevo/")
    page.fill("[name=given_names]", "Julia Esperanza")
    page.fill("[name=first_family_name]", "Coyoy")
    page.fill("[name=second_family_name]", "Tum")
    page.select_option("[name=sex]", "female")
    page.fill("[name=birth_date]", date(1994, 6, 2).isoformat())
    page.select_option("[name=nationality]", "GT")
    page.select_option("[name=return_country]", "GT")
    page.wait_for_load_state("networkidle")
    option = page.locator("[name=municipality] option", has_text="Quetzaltenango").first
    page.select_option("[name=municipality]", option.get_attribute("value"))
    page.fill("[name=phone]", "+502 5123 4567")
    page.fill("[name=return_date]", (TODAY - timedelta(days=20)).isoformat())
    page.select_option("[name=return_type]", "forced")
    page.select_option("[name=host_country]", "US")
    page.check("[name=causes_of_migration][value=economic]")
    submit(page)
    assert re.search(r"/casos/\d+/$", page.url), page.url
    return page.url


def test_referral_closed_loop_in_spanish(page, live_app):
    _set_up_provider(live_app)
    log_in(page, live_app, "gestora")
    case_url = _open_case(page, live_app)
    case_id = re.search(r"/casos/(\d+)/$", case_url).group(1)

    # Consent in the ledger, naming the provider's organisation, for referral.
    page.locator("a", has_text="Consentimientos").first.click()
    page.wait_for_load_state("networkidle")
    assert "/consentimientos/" in page.url
    page.select_option("[name=purpose]", "referral")
    page.select_option("[name=method]", "signed")
    page.select_option("[name=recipient_organisation]", label=PROVIDER_ORG)
    submit(page)
    assert page.locator(".alert--error").count() == 0, page.locator("main").inner_text()

    # The case's Referrals tab -> refer -> choose the recommended service.
    page.goto(f"{live_app.url}/derivaciones/casos/{case_id}/")
    page.locator("main .tab-actions a.button--primary").click()
    page.wait_for_load_state("networkidle")
    row = page.locator("#recommendation-table tbody tr", has_text=SERVICE)
    assert row.count() == 1
    row.locator("a.button").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[name=service] option:checked").inner_text().startswith(SERVICE)
    page.fill("[name=reason]", "Busca empleo en cocina; experiencia de cinco años en restaurantes.")
    page.select_option("[name=priority]", "urgent")
    page.uncheck("[name=send_now]")
    submit(page, "main form[method=post]")
    found = re.search(r"/derivaciones/(\d+)/(#.*)?$", page.url)
    assert found, page.url
    referral_url = f"{live_app.url}/derivaciones/{found.group(1)}/"
    assert page.locator(".badge.referral-status--draft").count() == 1

    # Send: the consent is checked, the answer is due within 72 hours (urgent).
    page.locator("form[data-action=send] button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".badge.referral-status--sent").inner_text().strip() == "Enviada"
    assert page.get_by_text("Derivación enviada a").count() == 0  # sent from the detail page, not the form

    # The provider's user: the portal lists it; the detail shows only the SOP's four fields.
    log_in(page, live_app, "puentes")
    page.goto(f"{live_app.url}/derivaciones/")
    assert page.get_by_text(SERVICE).first.is_visible()
    page.goto(referral_url)
    shared = page.locator("#shared-data")
    assert shared.locator("dt").count() == len(SOP_FIELDS)
    text = shared.inner_text()
    assert "Julia Esperanza Coyoy Tum" in text
    assert "Busca empleo en cocina" in text
    assert "Quetzaltenango" not in text  # the place of return is not in the SOP
    assert "5123 4567" not in page.locator("main").inner_text()  # nor the phone, anywhere on the page
    assert "1994" not in text

    page.locator("form[data-action=accept] button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".badge.referral-status--accepted").inner_text().strip() == "Aceptada"
    assert page.get_by_role("heading", name="Datos del caso compartidos según el POE").is_visible()
    page.select_option("form[data-action=outcome] [name=outcome-outcome]", "service_delivered")
    page.fill("form[data-action=outcome] [name=outcome-note]", "Colocada en un comedor de Xela.")
    page.locator("form[data-action=outcome] button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".badge.referral-status--service_delivered").inner_text().strip() == "Servicio prestado"

    # Back to the case manager: the status on the case's tab and the lines of the case timeline.
    log_in(page, live_app, "gestora")
    page.goto(f"{live_app.url}/derivaciones/casos/{case_id}/")
    assert page.locator(".badge.referral-status--service_delivered").count() == 1
    page.goto(case_url + "cronologia/")
    timeline = page.locator("main").inner_text()
    assert PROVIDER_ORG in timeline
    assert f"a {PROVIDER_ORG}: Servicio prestado" in timeline
    assert "Prioridad: Urgente (72 horas)" in timeline
    assert re.search(r"REF-\d{6}", timeline)

"""Accessibility of the main pages, checked with axe-core in a real browser, in Spanish: each main role logs in
and visits its main pages (the home, the case list, a case, a form after a refused submit, the referral form,
the regional matrix, the monitoring dashboard, the stakeholder chart); axe finds no serious or critical
violation on any of them. After the refused submit the focus is on the error summary, which links each error
to its field.

axe-core is vendored in tests/browser/vendor/ (version and licence in its README) and injected by the test.
The page's Content-Security-Policy forbids inline script, and Playwright injects the file's text as an inline
script, so this test's browser context alone bypasses the CSP (the journeys keep it).
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.browser.conftest import CHROMIUM, PASSWORD, log_in

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
FAILING = ("serious", "critical")

SETUP = f"""
from reintegra.access.models import Programme, User
from reintegra.access.roles import Role
from reintegra.cases.models import Case
from reintegra.monitoring import services as monitoring
from reintegra.structural.models import Stakeholder
from reintegra.testing import factories
# Organisations of their own: the journeys of this server use theirs.
if not User.objects.filter(username="a11y-gestora").exists():
    org = factories.organisation("oim-gt-a11y", country="GT")
    programme = Programme.objects.get(organisation=org)
    people = dict(first_name="Ana", last_name="Sic", password="{PASSWORD}")
    manager = factories.user(org, Role.CASE_MANAGER, username="a11y-gestora", **people)
    factories.user(org, Role.PROGRAMME_MANAGER, username="a11y-gerente", **people)
    officer = factories.user(org, Role.ME_OFFICER, username="a11y-monitoreo", **people)
    mesa = factories.organisation("mesa-gt-a11y", country="GT")
    factories.user(mesa, Role.COORDINATOR, username="a11y-coordinacion", **people)
    provider = factories.organisation("proveedor-gt-a11y", country="GT")
    factories.user(provider, Role.SERVICE_PROVIDER, username="a11y-proveedor", **people)
    factories.assessed_case(manager, case_manager=manager)
    # Three stakeholders on the same scores: the chart spreads and numbers them.
    for name, interest, influence in [("Ministerio de Trabajo", 5, 4), ("SOSEP", 5, 4), ("INTECAP", 5, 4),
                                      ("Cámara de Comercio", 2, 2), ("Municipalidad de Xela", 3, 5)]:
        Stakeholder.objects.create(programme=programme, name=name, category="national_authority",
                                   level="national", country="GT", interest=interest, influence=influence)
    monitoring.create_framework(officer, programme)
case = Case.objects.filter(organisation__code="oim-gt-a11y").order_by("pk").first()
print(f"CASE={{case.pk}}")
"""

# Each main role and its main pages ({case}: the case of the set-up). A page given with `refused=True` is a
# form submitted empty: the check runs on the form as it comes back.
ROLES = {
    "case_manager": (
        "a11y-gestora",
        [
            ("home", "/", False),
            ("case list", "/casos/", False),
            ("a case", "/casos/{case}/", False),
            ("registration refused", "/casos/nuevo/", True),
            ("referral form", "/derivaciones/casos/{case}/nueva/", False),
            ("referral form refused", "/derivaciones/casos/{case}/nueva/", True),
        ],
    ),
    "programme_manager": (
        "a11y-gerente",
        [
            ("home", "/", False),
            ("case list", "/casos/", False),
            ("stakeholder chart", "/estructural/", False),
            ("referral reports", "/derivaciones/informes/", False),
            ("stakeholder refused", "/estructural/interlocutores/nuevo/", True),
        ],
    ),
    "coordinator": (
        "a11y-coordinacion",
        [("home", "/", False), ("regional matrix", "/acciones-regionales/?country=GT", False)],
    ),
    "me_officer": ("a11y-monitoreo", [("home", "/", False), ("monitoring dashboard", "/seguimiento/panel/", False)]),
    "service_provider": ("a11y-proveedor", [("home", "/", False), ("referrals", "/derivaciones/", False)]),
}


@pytest.fixture(scope="module")
def case_id(live_app) -> str:
    result = live_app.manage("shell", "-c", SETUP)
    return next(line.split("=", 1)[1] for line in result.stdout.splitlines() if line.startswith("CASE="))


@pytest.fixture
def axe_page(live_app) -> Iterator["object"]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
        )
        context = browser.new_context(locale="es-MX", viewport={"width": 1280, "height": 900}, bypass_csp=True)
        page = context.new_page()
        page.set_default_timeout(15000)
        try:
            yield page
        finally:
            artifacts = Path(os.environ.get("REINTEGRA_TEST_ARTIFACTS", "test-artifacts"))
            artifacts.mkdir(exist_ok=True)
            page.screenshot(path=str(artifacts / "last-axe-page.png"), full_page=True)
            context.close()
            browser.close()


def _refuse(page) -> None:
    """Submit the page's main form empty and check where the reader lands: on the error summary, with a
    link per error that takes the focus to its field."""
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    summary = page.locator("[data-error-summary]")
    assert summary.count() == 1, "no error summary after a refused submit"
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')"), "focus is not on the summary"
    links = summary.locator("a[href^='#']")
    assert links.count() >= 1, summary.inner_text()
    target = links.first.get_attribute("href")[1:]
    links.first.click()
    assert page.evaluate("document.activeElement.id") == target


def _violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
          // The experimental rules too (label-content-name-mismatch is one), as the review ran them.
          const rules = {};
          axe.getRules(["experimental"]).forEach(rule => { rules[rule.ruleId] = {enabled: true}; });
          const result = await axe.run(document, {resultTypes: ["violations"], rules});
          return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}));
        }"""
    )


@pytest.mark.parametrize("role", list(ROLES))
def test_main_pages_have_no_serious_accessibility_violation(axe_page, live_app, case_id, role):
    username, pages = ROLES[role]
    log_in(axe_page, live_app, username)
    found = []
    for name, path, refused in pages:
        response = axe_page.goto(live_app.url + path.format(case=case_id))
        assert response is not None and response.status == 200, f"{name}: {path} answered {response}"
        axe_page.wait_for_load_state("networkidle")
        if refused:
            _refuse(axe_page)
        found += [
            f"{name} ({path}): {v['impact']} {v['id']}: {v['help']} {v['nodes']}"
            for v in _violations(axe_page)
            if v["impact"] in FAILING
        ]
    assert not found, "\n".join(found)

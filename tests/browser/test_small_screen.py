"""A phone-sized screen (issue 18.17, 390 × 844): the header stays compact, the navigation folds behind a menu
button that works without script, and the case page's tabs wrap instead of scrolling sideways."""

import pytest
from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.browser

MAKE_CASE = """
from reintegra.access.models import User
from reintegra.testing import factories
user = User.objects.get(username="gestora")
person = factories.returnee(user, nationality="GT", return_country="GT")
print(f"CASE={factories.case(user, person, case_manager=user).pk}")
"""


def _log_in(page, live_app) -> None:
    page.goto(f"{live_app.url}/login/")
    page.fill("[name=username]", "gestora")
    page.fill("[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("script", [True, False], ids=["with-js", "without-js"])
def test_case_page_on_a_phone(live_app, page, script):
    output = live_app.manage("shell", "-c", MAKE_CASE).stdout
    pk = int(next(line for line in output.splitlines() if line.startswith("CASE="))[5:])
    if not script:
        context = page.context.browser.new_context(
            locale="es-MX", viewport={"width": 390, "height": 844}, java_script_enabled=False
        )
        page = context.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    _log_in(page, live_app)
    page.goto(f"{live_app.url}/casos/{pk}/")

    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] <= 120, header
    assert _no_sideways_scroll(page)
    tabs = page.locator("nav.tabs a")
    assert tabs.count() >= 7
    for i in range(tabs.count()):
        box = tabs.nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, (i, box)

    # The navigation is folded; the menu button opens it (a label for a checkbox: no script involved).
    nav_link = page.locator(".main-nav a", has_text="Inicio")
    assert not nav_link.is_visible()
    page.locator(".site-menu-button").click()
    assert nav_link.is_visible()
    assert page.locator(".lang-switch select").is_visible()
    assert _no_sideways_scroll(page)
    page.locator(".site-menu-button").click()
    assert not nav_link.is_visible()

    # Every tab of the case still fits the screen.
    for path in ("evaluaciones/", "plan/", "seguimiento/", "cierre/"):
        page.goto(f"{live_app.url}/casos/{pk}/{path}")
        assert _no_sideways_scroll(page), path
    assert page.locator(f'a[href="/casos/{pk}/expediente.pdf"]').count() == 1
    if not script:
        page.context.close()


def test_wide_screens_keep_the_navigation_open(live_app, page):
    _log_in(page, live_app)
    assert page.locator(".main-nav a", has_text="Inicio").is_visible()
    assert not page.locator(".site-menu-button").is_visible()

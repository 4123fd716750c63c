"""Each level's demo content: the regional catalogue's actions (CRM 2022 report), and `reintegra demo` as a
whole (see test_seed for the users and cases; test_demo_site for every role's screens)."""

import os
from itertools import takewhile
from pathlib import Path

import pytest

from reintegra.access.roles import Role
from reintegra.demo.levels import DemoContext, regional
from reintegra.regional import selectors
from reintegra.regional.choices import EvaluationStatus
from reintegra.regional.duplication import normalise
from reintegra.regional.models import RegionalAction
from reintegra.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def gt():
    return factories.organisation(country="GT")


# The CRM 2022 workshop report as plain text (docs/domain.md §1) is not part of the repository: set this variable
# to its path to check the demo's actions against the report itself.
REPORT_VARIABLE = "REINTEGRA_CRM_2022_REPORT"


def _report_actions():
    """(country, title, level, dimension) of every row of the CRM 2022 report's §4 that gives a level and a
    dimension."""
    report = os.environ.get(REPORT_VARIABLE, "")
    if not report or not Path(report).is_file():
        pytest.skip(f"the CRM 2022 report's text is not available (set {REPORT_VARIABLE})")
    text = Path(report).read_text(encoding="utf-8")
    start = text.index("4. ALGUNAS ACCIONES IMPLEMENTADAS EN LA REGIÓN\n\nDurante")
    section = text[start : text.index("4.4 Acciones clave", start)]
    country, rows = "SV", []
    for line in section.splitlines():
        if line.strip() in {"MÉXICO"}:
            country = "MX"
        cols = line.split("\t")
        if len(cols) < 4 or cols[0] == "Acción" or not cols[1].strip():
            continue
        title, level, dimension = cols[0].strip().rstrip("."), cols[1], cols[2]
        if not title:  # Mexico's rows: the action is the capitalised start of the description
            words = list(takewhile(str.isupper, cols[3].split()))
            while words and len(words[-1]) == 1:  # "ACCESO AL EMPLEO A través de…": "A" starts the text
                words.pop()
            title = " ".join(words)
        if title.startswith("Inclusión laboral"):
            country = "GT"
        rows.append((country, normalise(title), normalise(level), normalise(dimension)))
    return rows


def test_every_action_of_the_crm_2022_report_is_in_the_demo_with_its_level_and_dimension():
    level = {"individual": "individual", "comunitario": "community", "estructural": "structural"}
    dimension = {"economica": "economic", "social": "social", "psicosocial": "psychosocial"}
    shipped = {(r.country, normalise(r.title)): (r.levels, r.dimensions) for r in regional.report_rows()}
    seed = _report_actions()
    assert len(seed) == 22 == len(shipped)
    for country, title, lv, dim in seed:
        matches = [key for key in shipped if key[0] == country and key[1].startswith(title[:40])]
        assert len(matches) == 1, (country, title)
        assert shipped[matches[0]] == ([level[lv]], [dimension[dim]]), title


def test_demo_loads_the_report_and_good_practices(gt):
    orgs = {
        code: factories.organisation(code, country=code[-2:].upper())
        for code in ("oim-sv", "oim-mx", "oim-hn", "mesa-gt")
    }
    orgs["oim-gt"] = gt
    summary = regional.load(DemoContext(orgs, {}, 1))
    assert "Regional actions" in summary
    assert RegionalAction.objects.filter(source=regional.SOURCE).count() >= 22
    assert RegionalAction.objects.filter(evaluation_status=EvaluationStatus.GOOD_PRACTICE).count() == 2
    before = RegionalAction.objects.count()
    regional.load(DemoContext(orgs, {}, 1))
    assert RegionalAction.objects.count() == before
    gt_user = factories.user(gt, Role.CASE_MANAGER)
    cells = {(lv, d): n for lv, d, n in selectors.matrix_counts(gt_user, "GT")}
    assert cells[("structural", "social")] == 3 and ("individual", "psychosocial") not in cells


def test_referral_consent_of_someone_returned_as_a_child(gt):
    """An 18-year-old whose case started when they were 17: the consent rule still asks for a guardian and the
    child's assent, and the demo's referrals give them (`reintegra demo` stopped on such a case)."""
    from datetime import timedelta

    from django.utils import timezone

    from reintegra.demo.levels import referrals
    from reintegra.protection.models import Consent

    today = timezone.localdate()
    user = factories.user(gt, Role.CASE_MANAGER)
    platform = factories.organisation("servicios-demo", country="GT")
    person = factories.returnee(user, birth_date=today.replace(year=today.year - 18) - timedelta(days=10))
    case = factories.case(user, person, return_date=today - timedelta(days=30))
    assert not person.is_minor
    referrals._consent(user, case, platform, days_ago=5)
    consent = Consent.objects.get(returnee=person, recipient_organisation=platform)
    assert consent.child_assent and consent.guardian_name

"""`reintegra demo`: a demo user per role, the cases it reports, and a second run that changes nothing. The first
run is the demo the demo content tests share (the `demo_site` fixture, src/reintegra/conftest.py)."""

import re
from io import StringIO

from django.core.management import call_command

from reintegra.access.models import User
from reintegra.access.roles import Role
from reintegra.cases.models import Case, Returnee
from reintegra.demo import vocabulary
from reintegra.testing.template_db import DEMO_CASES


def test_demo_creates_a_user_per_role_and_is_idempotent(demo_site: str):
    text = demo_site  # what `reintegra demo --no-serve --cases DEMO_CASES` printed
    # The synthetic cases asked for, the children's path's own (levels/children.py: its cases, and each family's
    # parent with the child cases opened from the parent's), and those the reception desk's protection flags
    # open (levels/reception.py).
    routed = [p for p in vocabulary.load("reception.yaml")["desk"] if p.get("flags")]
    children = vocabulary.load("children.yaml")
    families = sum(1 + sum(1 for m in family["members"] if m.get("child_case")) for family in children["families"])
    # and the repeat returns the community level opens in the hotspots (levels/community.py), as it reports them.
    found = re.search(r"(\d+) repeat returns in the hotspots", text)
    assert found is not None, text
    demo_cases = DEMO_CASES + len(children["cases"]) + families + len(routed) + int(found.group(1))
    assert Case.objects.count() == demo_cases
    for role in Role:
        holders = User.objects.filter(role_assignments__role=role, password__isnull=False)
        demo = [u for u in holders if u.check_password("reintegra-demo")]
        assert demo, role
        assert demo[0].username in text
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    gestora, gestor = User.objects.get(username="gestora"), User.objects.get(username="gestor")
    assert gestora.team_id == gestor.team_id is not None
    mine = Case.objects.filter(case_manager__in=[gestora, gestor]).count()
    assert mine > Case.objects.filter(organisation=gestora.organisation).count() / 2
    assert "reintegra-demo" in text and "http://127.0.0.1:8000" in text
    for returnee in Returnee.objects.all():
        assert returnee.full_name not in text

    users = User.objects.count()
    out = StringIO()
    call_command("demo", "--no-serve", "--cases", str(DEMO_CASES), stdout=out)
    assert Case.objects.count() == demo_cases and User.objects.count() == users
    assert "already has cases" in out.getvalue() and "gestora" in out.getvalue()

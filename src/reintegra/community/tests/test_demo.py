"""`reintegra demo`'s community content: the demo organisation's communities with their checklist and
sessions, the coordination body's, and every community screen answering with content for the demo roles."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from reintegra.access.models import User
from reintegra.community.models import Community, ParticipatorySession, SiteScore

pytestmark = pytest.mark.django_db


def test_demo_community_content() -> None:
    out = StringIO()
    call_command("demo", "--no-serve", "--cases", "60", stdout=out)
    assert "Community: " in out.getvalue()
    own = Community.objects.filter(organisation__code="oim-gt")
    assert own.filter(municipality__country="GT").count() >= 1
    assert own.filter(municipality__country="HN").count() == 1
    assert Community.objects.filter(organisation__code="mesa-gt").count() == 1
    assert SiteScore.objects.filter(community__in=own).count() == 7 * own.count()
    assert ParticipatorySession.objects.filter(community__in=own).count() == 2 * own.count()
    community = own.first()
    assert community is not None
    for username in ("gerente", "gestora", "monitoreo", "coordinacion"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        listing = client.get(reverse("community:list"))
        assert listing.status_code == 200 and b"/comunidades/" in listing.content
    client = Client()
    client.force_login(User.objects.get(username="gerente"))
    for name in ("community:detail", "community:edit", "community:checklist", "community:session-new"):
        assert client.get(reverse(name, args=[community.pk])).status_code == 200, name
    page = client.get(reverse("community:hotspots"))
    assert page.status_code == 200 and b'class="sparkline"' in page.content

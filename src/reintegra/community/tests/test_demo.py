"""`reintegra demo`'s community content: the demo organisation's communities with their checklist and
sessions, the coordination body's, and every community screen answering with content for the demo roles."""

from django.test import Client
from django.urls import reverse

from reintegra.access.models import User
from reintegra.community.models import (
    Community,
    CommunityProfile,
    CommunityProject,
    ParticipatorySession,
    PerceptionResponse,
    ProjectParticipant,
    SiteScore,
)


def test_demo_community_content(demo_site: str) -> None:
    assert "Community: " in demo_site
    own = Community.objects.filter(organisation__code="oim-gt")
    assert own.filter(municipality__country="GT").count() >= 1
    assert own.filter(municipality__country="HN").count() == 1
    assert Community.objects.filter(organisation__code="mesa-gt").count() == 1
    assert SiteScore.objects.filter(community__in=own).count() == 7 * own.count()
    assert ParticipatorySession.objects.filter(community__in=own).count() == 2 * own.count()
    assert PerceptionResponse.objects.filter(community__in=own).values("community").distinct().count() == own.count()
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
    detail = client.get(reverse("community:detail", args=[community.pk]))
    assert detail.context["perception"].shown  # both groups, above k: the results show
    assert client.get(reverse("community:perception-new", args=[community.pk])).status_code == 200
    page = client.get(reverse("community:hotspots"))
    assert page.status_code == 200 and b'class="sparkline"' in page.content

    # Profiles, projects with two or more linked cases and non-migrant participants, on every new screen.
    assert CommunityProfile.objects.filter(community__in=own).count() == own.count()
    projects = CommunityProject.objects.filter(organisation__code="oim-gt")
    assert projects.count() == own.count() and projects.filter(status="closed").exists()
    linked = ProjectParticipant.objects.filter(project__in=projects, kind="returnee")
    assert max(linked.filter(project=p).count() for p in projects) >= 2
    assert ProjectParticipant.objects.filter(project__in=projects, kind="non_migrant").exists()
    project = max(projects, key=lambda p: p.participants.filter(kind="returnee").count())
    profile = CommunityProfile.objects.filter(community__in=own).first()
    assert profile is not None
    pages = [
        (reverse("community:projects"), project.title),
        (reverse("community:project", args=[project.pk]), "Personas retornadas : residentes no migrantes"),
        (reverse("community:project-edit", args=[project.pk]), project.title),
        (reverse("community:profile", args=[profile.pk]), "Necesidades"),
        (reverse("community:profile-new", args=[community.pk]), "Barreras a la reintegración"),
        (reverse("community:detail", args=[community.pk]), "Perfil comunitario"),
    ]
    for url, text in pages:
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="es")
        assert page.status_code == 200 and text in page.content.decode(), url
    case = linked.filter(project=project).first().case
    gestora = Client()
    gestora.force_login(User.objects.get(username="gerente"))
    case_page = gestora.get(reverse("cases:detail", args=[case.pk]))
    assert project.title in case_page.content.decode()

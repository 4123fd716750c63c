"""`reintegra demo`'s labour intermediation: oim-gt's employers, vacancies, jobseekers with consent and
placements in every state, seen by the demo users."""

from django.test import Client
from django.urls import reverse

from reintegra.access.models import User
from reintegra.employment import selectors
from reintegra.employment.choices import PlacementStatus
from reintegra.employment.models import JobseekerProfile, Placement, RetentionCheck, Vacancy


def test_demo_employment_content(demo_site: str):
    assert "Employment: 8 employers, 20 vacancies" in demo_site
    profiles = JobseekerProfile.objects.filter(case__organisation__code="oim-gt")
    assert profiles.count() >= 5  # 60 in a full demo; fewer open adult cases in this small one
    assert all(selectors.has_employment_consent(p.case) for p in profiles)
    assert any(s["evidence"] == "certified" for p in profiles for s in p.skills)
    assert any(row["abroad"] for p in profiles for row in p.experience)
    assert Vacancy.objects.filter(employer__category="private_sector").count() == 20
    assert set(Placement.objects.values_list("status", flat=True)) == set(PlacementStatus.values)
    assert RetentionCheck.objects.filter(checked_on__isnull=False).exists()
    manager = User.objects.get(username="gerente")
    client = Client()
    client.force_login(manager)
    vacancy = Vacancy.objects.order_by("pk").first()
    page = client.get(reverse("employment:vacancy", args=[vacancy.pk]))
    assert page.status_code == 200 and "candidate-" in page.content.decode()

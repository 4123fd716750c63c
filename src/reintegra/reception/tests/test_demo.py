"""`reintegra demo`'s reception content: three points per country, about sixty arrivals each, intakes with
repeat returns and assistance, and the desk's three people recorded through the services (routing included)."""

from django.test import Client
from django.urls import reverse

from reintegra.access.models import User
from reintegra.children.models import BestInterestsAssessment
from reintegra.reception.manifest_models import ManifestMapping
from reintegra.reception.models import Arrival, AssistanceGiven, Intake, ReceptionPoint


def test_demo_reception_content(demo_site: str) -> None:
    assert "Reception: 12 points" in demo_site
    for code in ("oim-gt", "oim-hn", "oim-sv", "oim-mx"):
        assert ReceptionPoint.objects.filter(organisation__code=code).count() == 3
    assert Arrival.objects.count() >= 240
    intakes = Intake.objects.all()
    assert intakes.filter(is_repeat_return=True).exists() and intakes.filter(is_repeat_return=False).exists()
    assert AssistanceGiven.objects.exists()
    # Every repeat return of the history had an earlier intake of the same person.
    for intake in intakes.filter(is_repeat_return=True).select_related("arrival")[:50]:
        assert Intake.objects.filter(
            returnee_id=intake.returnee_id, arrival__arrived_at__lt=intake.arrival.arrived_at
        ).exists()
    desk = Intake.objects.filter(arrival__means_number="ICE-4471")
    assert desk.count() == 3
    child = next(i for i in desk if "unaccompanied_child" in i.protection_flags)
    assert BestInterestsAssessment.objects.filter(case=child.case).exists()
    manager = User.objects.get(username="gestora")
    client = Client()
    client.force_login(manager)
    assert client.get(reverse("reception:arrivals")).status_code == 200
    assert client.get(reverse("reception:arrival", args=[child.arrival_id])).status_code == 200
    assert client.get(reverse("reception:dashboard")).status_code == 200
    # The supervisor finds the saved flight-list mapping on the manifest page and can open it to edit it.
    supervisor = Client()
    supervisor.force_login(User.objects.get(username="supervisora"))
    mapping = ManifestMapping.objects.get(name="IGM — lista de vuelo")
    edit = reverse("manifests:mapping-edit", args=[mapping.pk])
    assert edit in supervisor.get(reverse("manifests:list")).content.decode()
    assert supervisor.get(edit).status_code == 200

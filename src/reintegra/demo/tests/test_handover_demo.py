"""`reintegra demo`'s hand-overs: a partner installation and three hand-overs in different states."""

from io import StringIO

from django.core.management import call_command
from django.test import Client

from reintegra.access.models import User
from reintegra.handover.choices import DeliveryStatus, HandOverStatus
from reintegra.handover.models import Delivery, HandOver, PartnerInstallation
from reintegra.testing.template_db import DEMO_CASES


def test_demo_hand_overs(demo_site: str):
    assert "Hand-overs: a partner installation; " in demo_site
    assert PartnerInstallation.objects.filter(owner__code="oim-gt", organisation__code="oim-mx").count() == 1
    states = sorted(HandOver.objects.filter(sending_organisation__code="oim-gt").values_list("status", flat=True))
    # Three with enough open cases of adults (two in this small demo): received, sent to the partner, a draft.
    assert states in (
        sorted([HandOverStatus.RECEIVED, HandOverStatus.SENT, HandOverStatus.DRAFT]),
        sorted([HandOverStatus.RECEIVED, HandOverStatus.SENT]),
    )
    # The push to the partner is waiting (or failed once and is scheduled again): shown in the outbox.
    assert Delivery.objects.exclude(status=DeliveryStatus.DELIVERED).count() == 1
    client = Client()
    client.force_login(User.objects.get(username="gerente"))
    page = client.get("/traspasos/enviados/", HTTP_ACCEPT_LANGUAGE="es")
    assert page.status_code == 200 and "Reintegra – Red consular de México" in page.content.decode()
    out = StringIO()
    call_command("demo", "--no-serve", "--cases", str(DEMO_CASES), stdout=out)
    assert HandOver.objects.filter(sending_organisation__code="oim-gt").count() == len(states)

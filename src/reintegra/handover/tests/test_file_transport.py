"""The package carried as a file: downloaded at the sender, uploaded at the recipient (page and API), with
the inbox's checks; and `reintegra handover-keys`, which never prints a private key."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from rest_framework.test import APIClient

from reintegra.handover import keys, services
from reintegra.handover.choices import HandOverDirection, HandOverStatus
from reintegra.handover.models import HandOver
from reintegra.handover.tests.conftest import World, consent
from reintegra.handover.tests.test_packages import _body, _from_partner, _partner

pytestmark = pytest.mark.django_db


def test_upload_through_the_api_and_the_page(world: World, client: object) -> None:
    _partner(world)
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(world.sender)  # a case worker of the recipient organisation (world.org)
    token = _from_partner(world, _body(world))
    response = api.post("/api/v1/handovers/upload/", {"package": token}, format="json")
    assert response.status_code == 201 and response.json()["direction"] == "incoming"
    again = api.post("/api/v1/handovers/upload/", {"package": token}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "replay"
    client.force_login(world.sender)  # type: ignore[attr-defined]
    upload = SimpleUploadedFile("traspaso.json.jwe", _from_partner(world, _body(world)).encode())
    page = client.post("/traspasos/subir/", {"file": upload})  # type: ignore[attr-defined]
    assert page.status_code == 302
    assert HandOver.objects.filter(direction=HandOverDirection.INCOMING, status=HandOverStatus.RECEIVED).count() == 2


def test_another_organisation_cannot_upload_a_package_for_this_one(world: World) -> None:
    _partner(world)
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(world.recipient)  # of world.other_org; the package names world.org
    response = api.post("/api/v1/handovers/upload/", {"package": _from_partner(world, _body(world))}, format="json")
    assert response.status_code == 403 and not HandOver.objects.exists()


def test_the_sender_downloads_the_sealed_package(world: World) -> None:
    partner = _partner(world)
    consent(world.case, world.other_org, world.sender)
    draft = services.create_handover(
        world.sender, world.case, world.handover_input(recipient_organisation=None, partner=partner)
    )
    handover = services.send_handover(world.sender, draft)
    api = APIClient()
    api.force_authenticate(world.sender)
    response = api.get(f"/api/v1/handovers/{handover.pk}/package/")
    assert response.status_code == 200 and response["Content-Type"] == "application/jose"
    assert response["Content-Disposition"].endswith('.json.jwe"')
    assert response.content.decode().count(".") == 4
    assert world.case.returnee.first_family_name.encode() not in response.content


def test_handover_keys_prints_public_keys_only() -> None:
    out = StringIO()
    call_command("handover_keys", "--json", stdout=out)
    printed = json.loads(out.getvalue())
    assert printed == keys.public_jwks() and all("d" not in key for key in printed["keys"])
    out = StringIO()
    call_command("handover_keys", stdout=out)
    assert "fingerprint:" in out.getvalue() and '"d"' not in out.getvalue()
    call_command("handover_keys", "--rotate", stdout=StringIO())
    assert keys.installation_id() != printed["keys"][0]["kid"]
    assert len(keys.decrypting_jwks()) == 2

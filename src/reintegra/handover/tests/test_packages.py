"""Between installations, in one database: a partner registered with our own second key pair stands for
the other installation (its keys differ, so signatures and audiences are real)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reintegra.handover import keys, package, services
from reintegra.handover.choices import DeliveryStatus, HandOverDirection, HandOverStatus
from reintegra.handover.models import Delivery, HandOver, PartnerInstallation
from reintegra.handover.tests.conftest import World, consent

pytestmark = pytest.mark.django_db

PARTNER_PRIVATE, PARTNER_PUBLIC = package.generate_keys()


def _partner(world: World, *, public: dict[str, Any] | None = None) -> PartnerInstallation:
    return PartnerInstallation.objects.create(
        name="Reintegra Guatemala",
        base_url="http://127.0.0.1:9",
        public_jwks=public or PARTNER_PUBLIC,
        sender_id=package.installation_id(public or PARTNER_PUBLIC),
        framework=world.framework,
        organisation=world.other_org,
        remote_organisation_code=world.other_org.code,
        owner=world.org,
        registered_by=world.sender,
    )


def _from_partner(
    world: World, body: dict[str, Any], *, jti: str | None = None, kind: str = "handover", **kw: Any
) -> str:
    return package.seal(
        private_jwks=kw.get("private", PARTNER_PRIVATE),
        recipient_public_jwks=keys.public_jwks(),
        jti=jti or uuid.uuid4().hex,
        kind=kind,
        body=body,
        lifetime_seconds=kw.get("lifetime", 3600),
        now=kw.get("now"),
    )


def _body(world: World) -> dict[str, Any]:
    return {
        "handover_id": str(uuid.uuid4()),
        "recipient": world.org.code,
        "sender_name": "ONG Guatemala",
        "reason": "Regresa a México",
        "categories": ["returnee_profiles", "origin_situation"],
        "data": {
            "returnee_profiles": {
                "given_names": "Luis",
                "first_family_name": "Ramírez",
                "nationality": "MX",
                "sex": "male",
                "birth_date": "1990-04-02",
                "documents": [],
            },
            "origin_situation": {"return_country": "MX", "return_date": "2026-10-01", "return_type": "forced"},
        },
    }


def test_a_package_from_a_registered_partner_lands_in_the_inbox(world: World) -> None:
    _partner(world)
    handover = services.receive_package(_from_partner(world, _body(world)))
    assert handover.direction == HandOverDirection.INCOMING and handover.status == HandOverStatus.RECEIVED
    assert handover.recipient_organisation_id == world.org.pk
    assert handover.payload["returnee_profiles"]["first_family_name"] == "Ramírez"
    accepted = services.accept_handover(world.sender, handover)
    assert accepted.accepted_case is not None and accepted.accepted_case.return_type == "forced"
    # The answer goes back to the partner as a signed status package.
    answer = Delivery.objects.get(handover=handover, kind="status")
    opened = package.open_package(
        answer.token, private_jwks_list=[PARTNER_PRIVATE], sender_keys=lambda kid: keys.public_jwks()
    )
    assert opened.body == {"handover_id": str(handover.package_id), "status": "accepted", "reason": ""}


def test_unknown_sender_is_refused(world: World) -> None:
    with pytest.raises(services.PackageRefused) as refused:
        services.receive_package(_from_partner(world, _body(world)))
    assert refused.value.code == "unknown_sender" and not HandOver.objects.exists()


def test_a_replay_is_refused(world: World) -> None:
    _partner(world)
    token = _from_partner(world, _body(world))
    services.receive_package(token)
    with pytest.raises(services.PackageRefused) as refused:
        services.receive_package(token)
    assert refused.value.code == "replay" and refused.value.status == 409
    assert HandOver.objects.count() == 1


def test_an_expired_package_is_refused(world: World) -> None:
    _partner(world)
    token = _from_partner(world, _body(world), now=1_000_000, lifetime=60)
    with pytest.raises(services.PackageRefused) as refused:
        services.receive_package(token)
    assert refused.value.code == "expired"


def test_a_tampered_package_is_refused(world: World) -> None:
    _partner(world)
    parts = _from_partner(world, _body(world)).split(".")
    middle = len(parts[3]) // 2
    parts[3] = parts[3][:middle] + ("A" if parts[3][middle] != "A" else "B") + parts[3][middle + 1 :]
    with pytest.raises(services.PackageRefused) as refused:
        services.receive_package(".".join(parts))
    assert refused.value.code == "cannot_decrypt"


def test_a_package_signed_by_another_key_claiming_the_partner_is_refused(world: World) -> None:
    _partner(world)
    forger_private, _forger_public = package.generate_keys()
    # The forger copies the partner's key id into its signature header: the signature does not verify.
    forger_private["keys"][0]["kid"] = PARTNER_PUBLIC["keys"][0]["kid"]
    sig = package._key(forger_private, "sig")
    from joserfc import jwe, jws

    claims = {
        "jti": "x",
        "iat": 2_000_000_000,
        "exp": 2_000_003_600,
        "iss": package.installation_id(PARTNER_PUBLIC),
        "aud": keys.installation_id(),
        "kind": "handover",
        "body": _body(world),
    }
    inner = jws.serialize_compact(
        {"alg": "ES256", "kid": package.installation_id(PARTNER_PUBLIC)}, json.dumps(claims).encode(), sig
    )
    token = jwe.encrypt_compact(
        {"alg": package.KEY_ALG, "enc": package.ENC_ALG}, inner.encode(), package._key(keys.public_jwks(), "enc")
    )
    with pytest.raises(services.PackageRefused) as refused:
        services.receive_package(token)
    assert refused.value.code == "bad_signature"


def test_failed_pushes_back_off_then_fail_visibly(world: World, settings: Any) -> None:
    settings.REINTEGRA_HANDOVER_MAX_ATTEMPTS = 3
    settings.REINTEGRA_HANDOVER_RETRY_SECONDS = 10
    _partner(world)
    consent(world.case, world.other_org, world.sender)
    partner = PartnerInstallation.objects.get()
    handover = services.create_handover(
        world.sender, world.case, world.handover_input(recipient_organisation=None, partner=partner)
    )
    with_commit = services.send_handover(world.sender, handover)
    assert with_commit.status == HandOverStatus.SENT
    delivery = Delivery.objects.get(handover=handover)
    # Nothing listens on port 9: the first push (on commit) failed and the next is scheduled.
    delivery = services.record_attempt(delivery, ok=False, error="URLError")
    assert delivery.status in (DeliveryStatus.PENDING, DeliveryStatus.FAILED)
    while delivery.status == DeliveryStatus.PENDING:
        delivery = services.record_attempt(delivery, ok=False, error="URLError")
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 3
    assert services.backoff_seconds(1) == 10 and services.backoff_seconds(3) == 40
    delivery = services.retry_delivery(world.sender, delivery)
    assert delivery.status in (DeliveryStatus.PENDING, DeliveryStatus.FAILED)
    delivery = services.record_attempt(delivery, ok=True)
    handover.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and handover.status == HandOverStatus.RECEIVED


@settings(max_examples=25, deadline=None)
@given(body=st.dictionaries(st.text(max_size=8), st.integers() | st.text(max_size=20), max_size=5))
def test_seal_and_open_round_trip(body: dict[str, Any]) -> None:
    a_private, a_public = PARTNER_PRIVATE, PARTNER_PUBLIC
    token = package.seal(
        private_jwks=a_private,
        recipient_public_jwks=RECEIVER_PUBLIC,
        jti="j1",
        kind="status",
        body=body,
        lifetime_seconds=60,
    )
    opened = package.open_package(
        token,
        private_jwks_list=[RECEIVER_PRIVATE],
        sender_keys=lambda kid: a_public if kid == package.installation_id(a_public) else None,
    )
    assert opened.body == body and opened.jti == "j1" and opened.kind == "status"


RECEIVER_PRIVATE, RECEIVER_PUBLIC = package.generate_keys()

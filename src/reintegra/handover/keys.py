"""This installation's key pair: generated on first use (or by `reintegra handover-keys`), the private
half encrypted at rest with the field keys (`access.crypto` through `EncryptedTextField`), never logged."""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction

from reintegra.handover import package
from reintegra.handover.models import InstallationKey


def current() -> InstallationKey:
    """The newest active key pair, created when there is none."""
    key = InstallationKey.objects.filter(is_active=True).first()
    if key is not None:
        return key
    return rotate()


def rotate() -> InstallationKey:
    """A new key pair; older ones stay active for decrypting packages sealed for them."""
    private, public = package.generate_keys()
    with transaction.atomic():
        return InstallationKey.objects.create(
            kid=package.installation_id(public), private_jwks=json.dumps(private), public_jwks=public
        )


def public_jwks() -> dict[str, Any]:
    return dict(current().public_jwks)


def installation_id() -> str:
    return current().kid


def signing_jwks() -> dict[str, Any]:
    return dict(json.loads(current().private_jwks))


def decrypting_jwks() -> list[dict[str, Any]]:
    current()
    return [json.loads(key.private_jwks) for key in InstallationKey.objects.filter(is_active=True)]

"""Checks of the keys that protect personal data, used by the production settings.

Each check raises ImproperlyConfigured naming the variable and what is wrong with it, never the value.
Another key added later (e.g. a new blind index) is checked the same way: `require_secret_key("NAME")`.
"""

import binascii
import os
from collections.abc import Mapping

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

# A keyed hash is only as strong as its key: 32 bytes (256 bits) at least.
MIN_KEY_BYTES = 32


def require_secret_key(name: str, environ: Mapping[str, str] | None = None, min_bytes: int = MIN_KEY_BYTES) -> str:
    """The value of the variable `name`, which must hold at least `min_bytes` bytes."""
    environ = os.environ if environ is None else environ
    value = environ.get(name, "")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in production (see README, Configuration).")
    if len(value.encode()) < min_bytes:
        raise ImproperlyConfigured(
            f"{name} is too short: it must be a random value of at least {min_bytes} bytes "
            f'(e.g. python -c "import secrets; print(secrets.token_urlsafe(48))").'
        )
    return value


def require_fernet_keys(name: str, environ: Mapping[str, str] | None = None) -> list[str]:
    """The comma-separated Fernet keys of the variable `name` (newest first), each one valid."""
    environ = os.environ if environ is None else environ
    keys = [item.strip() for item in environ.get(name, "").split(",") if item.strip()]
    if not keys:
        raise ImproperlyConfigured(f"{name} must be set in production (see README, Configuration).")
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except (ValueError, binascii.Error):
            raise ImproperlyConfigured(
                f"Key number {position} of {name} is not a Fernet key (32 url-safe base64-encoded bytes; make one "
                'with python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())").'
            ) from None
    return keys

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


def backup_keys(values: list[str], key_file: str = "") -> list[bytes]:
    """The backup keys (newest first): those of REINTEGRA_BACKUP_KEY (comma-separated), then the lines of the
    file named by REINTEGRA_BACKUP_KEY_FILE. Each is 32 random bytes in url-safe base64, never a field key:
    `reintegra backup --generate-key` makes one."""
    from reintegra.access.backup_archive import decode_key

    found = [("REINTEGRA_BACKUP_KEY", position, value) for position, value in enumerate(values, start=1)]
    if key_file:
        try:
            with open(key_file, encoding="ascii") as stream:
                lines = [line.strip() for line in stream if line.strip() and not line.lstrip().startswith("#")]
        except OSError as exc:
            raise ImproperlyConfigured(f"REINTEGRA_BACKUP_KEY_FILE cannot be read ({exc.strerror}).") from None
        except UnicodeDecodeError:
            raise ImproperlyConfigured("REINTEGRA_BACKUP_KEY_FILE is not a text file of keys.") from None
        found += [("REINTEGRA_BACKUP_KEY_FILE", position, value) for position, value in enumerate(lines, start=1)]
    if not found:
        raise ImproperlyConfigured(
            "No backup key: set REINTEGRA_BACKUP_KEY or REINTEGRA_BACKUP_KEY_FILE (make a key with "
            "`reintegra backup --generate-key`; see docs/backup.md)."
        )
    keys = []
    for name, position, value in found:
        try:
            keys.append(decode_key(value))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"Key number {position} of {name} is not a backup key ({exc}; make one with "
                "`reintegra backup --generate-key`)."
            ) from None
    return keys

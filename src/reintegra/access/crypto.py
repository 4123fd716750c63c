"""Encryption at rest for sensitive text, blind indexes for exact lookup, and pseudonymous ids.

Keys come from the environment (settings.REINTEGRA_FIELD_KEYS, newest first). Without explicit keys a
key is derived from SECRET_KEY so the demo runs with zero setup; production settings demand real keys.
"""

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

ENCRYPTED_PREFIX = "enc1:"


def _derived(purpose: str) -> bytes:
    return hashlib.sha256(f"reintegra:{purpose}:{settings.SECRET_KEY}".encode()).digest()


@cache
def _fernet(keys: tuple[str, ...], secret: str) -> MultiFernet:
    del secret  # part of the cache key only
    derived = base64.urlsafe_b64encode(_derived("field-encryption")).decode()
    # The derived key stays last so data written before explicit keys were configured can still be read,
    # and `reintegra rotate-keys` moves it under the newest key.
    material = [*keys, derived] if derived not in keys else list(keys)
    return MultiFernet([Fernet(key.encode()) for key in material])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.REINTEGRA_FIELD_KEYS), settings.SECRET_KEY)


def encrypt(plain: str) -> str:
    return ENCRYPTED_PREFIX + fernet().encrypt(plain.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(ENCRYPTED_PREFIX):
        return stored  # written before encryption was enabled
    try:
        return fernet().decrypt(stored[len(ENCRYPTED_PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ValueError("Encrypted value cannot be read with the configured keys.") from exc


def rotate(stored: str) -> str:
    """Re-encrypt under the newest key (MultiFernet.rotate)."""
    if not stored:
        return stored
    if not stored.startswith(ENCRYPTED_PREFIX):
        return encrypt(stored)
    token = fernet().rotate(stored[len(ENCRYPTED_PREFIX) :].encode())
    return ENCRYPTED_PREFIX + token.decode()


def _keyed_hash(purpose: str, configured: str, value: str) -> str:
    key = configured.encode() if configured else _derived(purpose)
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def normalize_document_number(number: str) -> str:
    return "".join(ch for ch in number.upper() if ch.isalnum())


def document_index(number: str) -> str:
    """Keyed hash of a normalised document number ("blind index"): exact-match lookup, and duplicate
    detection, without storing the number in clear. Type-independent so a passport typed as "other"
    still matches."""
    return _keyed_hash("blind-index", settings.REINTEGRA_BLIND_INDEX_KEY, normalize_document_number(number))


@cache
def _name_index_key(configured: str, secret: str) -> bytes:
    del secret  # part of the cache key only (the derived default depends on it)
    base = configured.encode() if configured else _derived("blind-index")
    # A key of its own, derived from the blind-index key: a name digest can never equal a document one.
    return hmac.digest(base, b"reintegra:name-index", "sha256")


def name_index_key() -> bytes:
    """Key of the name search index and of the duplicate check's blocking keys (see cases/name_index.py)."""
    return _name_index_key(settings.REINTEGRA_BLIND_INDEX_KEY, settings.SECRET_KEY)


def keyed_digest(key: bytes, text: str) -> int:
    """HMAC-SHA256 of `text` cut to a signed 64-bit integer: a compact blind-index entry. Collisions
    (about one in 2**32 after four billion distinct values) only add a spurious candidate to a lookup."""
    return int.from_bytes(hmac.digest(key, text.encode(), "sha256")[:8], "big", signed=True)


def pseudonym(kind: str, object_id: int) -> str:
    """Stable pseudonymous id for M&E exports: the same person always gets the same id, not reversible."""
    return _keyed_hash("pseudonym", settings.REINTEGRA_PSEUDONYM_KEY, f"{kind}:{object_id}")[:16]

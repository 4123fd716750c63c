"""Encryption at rest for sensitive text, blind indexes for exact lookup, and pseudonymous ids.

Keys come from the environment (settings.REINTEGRA_FIELD_KEYS, newest first). Without explicit keys a
key is derived from SECRET_KEY so the demo runs with zero setup; production settings demand real keys.
"""

import base64
import binascii
import hashlib
import hmac
from collections.abc import Sequence
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.signals import setting_changed

from reintegra.access import fernet_columns
from reintegra.access.fernet_columns import (
    _FERNET_VERSION,
    _HEAD,
    _MAC,
    _PADDINGS,
    _URLSAFE,
    _block_decryptor,
    _unsigned,
    open_many,
)

ENCRYPTED_PREFIX = fernet_columns.ENCRYPTED_PREFIX


def _derived(purpose: str) -> bytes:
    return hashlib.sha256(f"reintegra:{purpose}:{settings.SECRET_KEY}".encode()).digest()


def _material(keys: tuple[str, ...]) -> list[str]:
    derived = base64.urlsafe_b64encode(_derived("field-encryption")).decode()
    # The derived key stays last so data written before explicit keys were configured can still be read,
    # and `reintegra rotate-keys` moves it under the newest key.
    return [*keys, derived] if derived not in keys else list(keys)


@cache
def _fernet(keys: tuple[str, ...], secret: str) -> MultiFernet:
    del secret  # part of the cache key only
    return MultiFernet([Fernet(key.encode()) for key in _material(keys)])


@cache
def _opening_keys(keys: tuple[str, ...], secret: str) -> tuple[tuple[bytes, bytes], ...]:
    """(signing key, encryption key) of each Fernet key, in MultiFernet's order."""
    del secret  # part of the cache key only
    pairs = []
    for key in _material(keys):
        raw = base64.urlsafe_b64decode(key.encode())
        pairs.append((raw[:16], raw[16:]))
    return tuple(pairs)


_KEY_SETTINGS = ("REINTEGRA_FIELD_KEYS", "SECRET_KEY")
_keys_in_force: tuple[tuple[bytes, bytes], ...] = ()


def _current_opening_keys() -> tuple[tuple[bytes, bytes], ...]:
    # Read from the settings once (not twice per value), again when a test or a command changes them.
    global _keys_in_force
    if not _keys_in_force:
        _keys_in_force = _opening_keys(tuple(settings.REINTEGRA_FIELD_KEYS), settings.SECRET_KEY)
    return _keys_in_force


def opening_keys() -> fernet_columns.OpeningKeys:
    """The keys in force as `fernet_columns.open_many` takes them (for a process without Django's settings:
    the manifest import's worker gets them over its pipe, as it gets the cipher that encrypts)."""
    return _current_opening_keys()


def _forget_keys(setting: str, **kwargs: Any) -> None:
    global _keys_in_force
    if setting in _KEY_SETTINGS:
        _keys_in_force = ()


setting_changed.connect(_forget_keys)


def _open(stored: str) -> bytes:
    """Fernet's decryption of a stored value (the specification's steps, no time-to-live, MultiFernet's key
    order), about three times faster than `MultiFernet.decrypt` for the short values of a list: the token's
    HMAC-SHA256 is checked before anything is decrypted, exactly as Fernet does (`_signed_token`), and the
    AES-128-CBC decryption reuses one block decryptor per key (CBC is each block's AES decryption XOR the
    previous ciphertext block, the IV first), instead of building a cipher, a mode, a context and an unpadder
    per value. An export decrypts three names per row (issue 19, docs/scaling.md; a whole column at once:
    `decrypt_many`). Anything malformed raises `InvalidToken`, as Fernet would."""
    keys = _current_opening_keys()
    index, data = _signed_token(stored, keys)
    blocks = _block_decryptor(keys[index][1]).update(data[_HEAD:-_MAC])
    chained = data[9 : -_MAC - 16]  # the IV, then each ciphertext block but the last
    size = len(blocks)
    padded = (int.from_bytes(blocks) ^ int.from_bytes(chained)).to_bytes(size)
    pad = padded[-1]
    if not 1 <= pad <= 16 or padded[-pad:] != _PADDINGS[pad]:
        raise InvalidToken
    return padded[:-pad]


def _signed_token(value: str, keys: tuple[tuple[bytes, bytes], ...]) -> tuple[int, bytes]:
    """(index of the key whose signature the token carries, the token's bytes) of a stored value, after the
    checks `_open` makes before decrypting; `InvalidToken` if it is malformed or no key signed it."""
    try:
        data = binascii.a2b_base64(value[len(ENCRYPTED_PREFIX) :].encode().translate(_URLSAFE))
    except (TypeError, binascii.Error) as exc:
        raise InvalidToken from exc
    size = len(data) - _HEAD - _MAC
    if size <= 0 or size % 16 or data[0] != _FERNET_VERSION:
        raise InvalidToken
    signed, mac = data[:-_MAC], data[-_MAC:]
    for index, (signing_key, _encryption_key) in enumerate(keys):
        if not _unsigned(signing_key, [signed], [mac]):
            return index, data
    raise InvalidToken


def decrypt_many(stored: Sequence[str | None]) -> list[str | None]:
    """`decrypt` of each value of a column (None and "" kept as they are, as a field reads them), a column at a
    time (`fernet_columns.open_many`, under the keys in force). Raises ValueError, as `decrypt` does, if any
    value cannot be read."""
    try:
        return open_many(stored, _current_opening_keys())
    except (InvalidToken, binascii.Error, TypeError, IndexError) as exc:
        raise ValueError("Encrypted value cannot be read with the configured keys.") from exc


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.REINTEGRA_FIELD_KEYS), settings.SECRET_KEY)


def encrypt(plain: str) -> str:
    return ENCRYPTED_PREFIX + fernet().encrypt(plain.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(ENCRYPTED_PREFIX):
        return stored  # written before encryption was enabled
    try:
        return _open(stored).decode()
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

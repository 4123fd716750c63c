"""Encryption at rest for sensitive text, blind indexes for exact lookup, and pseudonymous ids.

Keys come from the environment (settings.REINTEGRA_FIELD_KEYS, newest first). Without explicit keys a
key is derived from SECRET_KEY so the demo runs with zero setup; production settings demand real keys.
"""

import base64
import binascii
import hashlib
import hmac
import operator
import threading
from collections.abc import Sequence
from functools import cache
from itertools import accumulate, repeat
from typing import Any, cast

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.signals import setting_changed

ENCRYPTED_PREFIX = "enc1:"


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


def _forget_keys(setting: str, **kwargs: Any) -> None:
    global _keys_in_force
    if setting in _KEY_SETTINGS:
        _keys_in_force = ()


setting_changed.connect(_forget_keys)

_contexts = threading.local()  # a cipher context is not shared between threads
_FERNET_VERSION = 0x80
_HEAD = 25  # version (1) + timestamp (8) + IV (16)
_MAC = 32
_URLSAFE = bytes.maketrans(b"-_", b"+/")
_PADDINGS = tuple(bytes((pad,)) * pad for pad in range(17))  # the padding of each length


def _block_decryptor(encryption_key: bytes) -> Any:
    made: dict[bytes, Any] | None = getattr(_contexts, "made", None)
    if made is None:
        made = _contexts.made = {}
    context = made.get(encryption_key)
    if context is None:
        # The AES block decryption alone (ECB), set up once per key and thread; CBC is applied below.
        context = made[encryption_key] = Cipher(algorithms.AES(encryption_key), modes.ECB()).decryptor()  # noqa: S305
    return context


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
    time (issue 19's export rate: an export decrypts a batch of 2,000 rows column by column): every step is
    applied to the whole column by `map` over C functions, not by Python code per value. The same checks as
    `_open`, in the same order: the token's form, then its HMAC-SHA256 (under the first key, then any other
    key for the tokens the first did not sign), before anything is decrypted; ECB decrypts each block on its
    own, so the blocks of all the tokens a key signed go through one `update`, and CBC's XOR with the
    previous ciphertext block (the IV first) is one XOR of the concatenated chains; then each value's padding
    is checked. Raises ValueError, as `decrypt` does, if any value cannot be read."""
    opened: list[str | None] = list(stored)
    at = [position for position, value in enumerate(stored) if value and value.startswith(ENCRYPTED_PREFIX)]
    if not at:
        return opened
    try:
        tokens = cast(list[str], list(map(stored.__getitem__, at)))  # none is None: `at`
        data = _decoded(tokens)
        keys = _current_opening_keys()
        signed = list(map(_SIGNED, data))
        key_of = [0] * len(data)
        unsigned = _unsigned(keys[0][0], signed, list(map(_MAC_OF, data)))
        for index, (signing_key, _encryption_key) in enumerate(keys[1:], start=1):
            for number in unsigned:
                key_of[number] = index
            macs = [_MAC_OF(data[number]) for number in unsigned]
            unsigned = [unsigned[n] for n in _unsigned(signing_key, [signed[number] for number in unsigned], macs)]
        if unsigned:
            raise InvalidToken
        for index in sorted(set(key_of)):
            mine = [number for number, key in enumerate(key_of) if key == index] if any(key_of) else range(len(at))
            values = _decrypted(keys[index][1], [data[number] for number in mine])
            for number, value in zip(mine, values, strict=True):
                opened[at[number]] = value
    except (InvalidToken, binascii.Error, TypeError, IndexError) as exc:
        raise ValueError("Encrypted value cannot be read with the configured keys.") from exc
    return opened


_SIGNED = operator.itemgetter(slice(None, -_MAC))  # what the HMAC covers
_MAC_OF = operator.itemgetter(slice(-_MAC, None))
_BODY = operator.itemgetter(slice(_HEAD, -_MAC))  # the ciphertext
_CHAIN = operator.itemgetter(slice(9, -_MAC - 16))  # the IV, then each ciphertext block but the last
_TOKEN = operator.itemgetter(slice(len(ENCRYPTED_PREFIX), None))
_LAST = operator.itemgetter(-1)


def _decoded(tokens: list[str]) -> list[bytes]:
    """Each stored token's bytes, with `_signed_token`'s checks of their form."""
    data = list(map(binascii.a2b_base64, map(bytes.translate, map(str.encode, map(_TOKEN, tokens)), repeat(_URLSAFE))))
    sizes = [len(item) - _HEAD - _MAC for item in data]
    if min(sizes) <= 0 or any(size % 16 for size in sizes) or any(item[0] != _FERNET_VERSION for item in data):
        raise InvalidToken
    return data


def _unsigned(signing_key: bytes, signed: list[bytes], macs: list[bytes]) -> list[int]:
    """The positions of the tokens whose HMAC-SHA256 this key did not make. HMAC as RFC 2104 defines it,
    H((K ^ opad) || H((K ^ ipad) || message)), from the two hash states after the padded key (`_hmac_pads`),
    copied for each token: about 0.6 µs a token instead of 1.5 µs for `hmac.digest`, which sets the key up
    again each time (`test_crypto_decrypt` compares the two)."""
    inner, outer = _hmac_pads(signing_key)
    unsigned = []
    for number, (message, mac) in enumerate(zip(signed, macs, strict=True)):
        digest = inner.copy()
        digest.update(message)
        signature = outer.copy()
        signature.update(digest.digest())
        if not hmac.compare_digest(signature.digest(), mac):
            unsigned.append(number)
    return unsigned


@cache
def _hmac_pads(key: bytes) -> tuple[Any, Any]:
    """SHA-256 after the key XOR ipad, and after the key XOR opad (RFC 2104, a block of 64 bytes)."""
    block = (hashlib.sha256(key).digest() if len(key) > 64 else key).ljust(64, b"\0")
    return (
        hashlib.sha256(bytes(byte ^ 0x36 for byte in block)),
        hashlib.sha256(bytes(byte ^ 0x5C for byte in block)),
    )


def _decrypted(encryption_key: bytes, data: list[bytes]) -> list[str]:
    """The texts of tokens signed by one key: one AES-ECB `update` for all their blocks, one XOR for CBC."""
    bodies = b"".join(map(_BODY, data))
    blocks = _block_decryptor(encryption_key).update(bodies)
    plain = (int.from_bytes(blocks) ^ int.from_bytes(b"".join(map(_CHAIN, data)))).to_bytes(len(bodies))
    ends = list(accumulate(len(item) - _HEAD - _MAC for item in data))
    padded = list(map(plain.__getitem__, map(slice, [0, *ends[:-1]], ends)))
    pads = list(map(_LAST, padded))
    if min(pads) < 1 or max(pads) > 16 or not all(map(bytes.endswith, padded, map(_PADDINGS.__getitem__, pads))):
        raise InvalidToken
    return [text[:-pad].decode() for text, pad in zip(padded, pads, strict=True)]


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

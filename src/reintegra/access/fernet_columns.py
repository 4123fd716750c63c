"""Fernet tokens opened a column at a time, given the keys: no Django here, so that a process that never sets
Django up (the manifest import's worker, `reception.manifest_pool`) opens what the register stores exactly as
`access.crypto` does (which calls this with the keys in force). The format is Fernet's (the `cryptography`
package's, which encrypts every value): version, timestamp, IV, AES-128-CBC ciphertext, HMAC-SHA256; only the
opening of many short tokens at once is done here, on `cryptography`'s AES and `hashlib`'s SHA-256."""

from __future__ import annotations

import binascii
import hashlib
import hmac
import operator
import threading
from collections.abc import Sequence
from functools import cache
from itertools import accumulate, repeat
from typing import Any, cast

from cryptography.fernet import InvalidToken
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

ENCRYPTED_PREFIX = "enc1:"
# (signing key, encryption key) of each Fernet key, in MultiFernet's order (`crypto._opening_keys`).
OpeningKeys = tuple[tuple[bytes, bytes], ...]

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


def open_many(stored: Sequence[str | None], keys: OpeningKeys) -> list[str | None]:
    """Each stored value opened (None, "" and values without the prefix kept as they are), every step applied to
    the whole column by `map` over C functions, not by Python code per value (issue 19's export rate). The same
    checks as Fernet, in the same order: the token's form, then its HMAC-SHA256 (under the first key, then any
    other key for the tokens the first did not sign), before anything is decrypted; ECB decrypts each block on
    its own, so the blocks of all the tokens a key signed go through one `update`, and CBC's XOR with the
    previous ciphertext block (the IV first) is one XOR of the concatenated chains; then each value's padding
    is checked. Raises `InvalidToken` (or binascii.Error) if any value cannot be read."""
    opened: list[str | None] = list(stored)
    at = [position for position, value in enumerate(stored) if value and value.startswith(ENCRYPTED_PREFIX)]
    if not at:
        return opened
    tokens = cast(list[str], list(map(stored.__getitem__, at)))  # none is None: `at`
    data = _decoded(tokens)
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

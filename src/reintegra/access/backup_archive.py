"""The encrypted backup archive: a streamed AEAD format built from the `cryptography` library's primitives.

Pure Python (no Django). Written in one pass, read in one pass, never held whole in memory.

The construction is the "online AEAD" of Hoang, Reyhanitabar, Rogaway and Vizár (STREAM), as in Google
Tink's AES-GCM-HKDF streaming AEAD; nothing here is a cipher of its own:

    header   = MAGIC | version (1) | key id (8) | salt (16) | nonce prefix (7)          (48 bytes, in clear)
    subkey   = HKDF-SHA256(backup key, salt, info="reintegra backup v1")               (a fresh key per archive)
    chunk i  = length (4, big-endian) | AES-256-GCM(subkey, nonce_i, plaintext_i, aad=header)
    nonce_i  = nonce prefix (7) | i (4, big-endian) | 1 if the last chunk else 0 (1)

Each chunk is authenticated with its position and with whether it is the last one, and every chunk
authenticates the header: a chunk moved, dropped, duplicated or altered, a header edited, an archive cut
after any chunk (no chunk flagged last) or with bytes appended after the last one is refused. Each plaintext
starts with a record type: `D` a piece of the database dump, `M` the manifest (JSON), which is the last
chunk and the only one flagged last.

The key id (HMAC-SHA256 of a constant under the key, 8 bytes) names the key an archive needs without
revealing it, so a wrong key is told apart from a damaged archive.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"REINTEGRA-BACKUP"
VERSION = 1
KEY_BYTES = 32
KEY_ID_BYTES = 8
SALT_BYTES = 16
NONCE_PREFIX_BYTES = 7
HEADER_BYTES = len(MAGIC) + 1 + KEY_ID_BYTES + SALT_BYTES + NONCE_PREFIX_BYTES
CHUNK_BYTES = 1024 * 1024  # plaintext per chunk: memory stays bounded whatever the size of the dump
TAG_BYTES = 16
MAX_CHUNKS = 2**32 - 1
DUMP, MANIFEST = b"D", b"M"
_LENGTH = struct.Struct(">I")


class ArchiveError(Exception):
    """The archive cannot be read: the message says why (never a key)."""


class WrongKeyError(ArchiveError):
    """None of the configured backup keys is the one the archive was written with."""


def generate_key() -> str:
    """A new backup key: 32 random bytes, url-safe base64 (44 characters)."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode()


def decode_key(text: str) -> bytes:
    """The 32 bytes of a key written by `generate_key`; ValueError otherwise."""
    try:
        raw = base64.urlsafe_b64decode(text.strip().encode())
    except (binascii.Error, ValueError):
        raise ValueError("not url-safe base64") from None
    if len(raw) != KEY_BYTES:
        raise ValueError(f"{len(raw)} bytes instead of {KEY_BYTES}")
    return raw


def key_id(key: bytes) -> str:
    return hmac.digest(key, b"reintegra backup key id", "sha256")[:KEY_ID_BYTES].hex()


def _subkey(key: bytes, salt: bytes) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"reintegra backup v1").derive(key)
    return AESGCM(derived)


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    if index > MAX_CHUNKS:
        raise ArchiveError("The archive is too large for its format (more than 2**32 chunks).")
    return prefix + index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


class ArchiveWriter:
    """Writes an archive to a binary stream: `write_dump(bytes)` as often as needed, then `finish(manifest)`.

    Dump bytes are buffered up to one chunk; `dump_sha256` and `dump_bytes` describe the clear dump."""

    def __init__(self, stream: IO[bytes], key: bytes) -> None:
        self._stream = stream
        salt, prefix = os.urandom(SALT_BYTES), os.urandom(NONCE_PREFIX_BYTES)
        self._header = MAGIC + bytes([VERSION]) + bytes.fromhex(key_id(key)) + salt + prefix
        self._aead = _subkey(key, salt)
        self._prefix = prefix
        self._index = 0
        self._buffer = bytearray()
        self._digest = hashlib.sha256()
        self.dump_bytes = 0
        self._finished = False
        stream.write(self._header)

    @property
    def dump_sha256(self) -> str:
        return self._digest.hexdigest()

    def _chunk(self, record: bytes, payload: bytes, *, last: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._prefix, self._index, last), record + payload, self._header)
        self._stream.write(_LENGTH.pack(len(sealed)))
        self._stream.write(sealed)
        self._index += 1

    def write_dump(self, data: bytes) -> None:
        self._digest.update(data)
        self.dump_bytes += len(data)
        self._buffer += data
        while len(self._buffer) >= CHUNK_BYTES:
            self._chunk(DUMP, bytes(self._buffer[:CHUNK_BYTES]), last=False)
            del self._buffer[:CHUNK_BYTES]

    def copy_dump(self, source: IO[bytes]) -> None:
        while piece := source.read(CHUNK_BYTES):
            self.write_dump(piece)

    def finish(self, manifest: dict[str, Any]) -> None:
        if self._buffer:
            self._chunk(DUMP, bytes(self._buffer), last=False)
            self._buffer.clear()
        body = json.dumps(manifest, sort_keys=True, ensure_ascii=True).encode()
        if len(body) >= CHUNK_BYTES:
            raise ArchiveError("The manifest is larger than one chunk.")
        self._chunk(MANIFEST, body, last=True)
        self._finished = True


@dataclass
class OpenedArchive:
    key_id: str
    manifest: dict[str, Any]
    dump_bytes: int
    dump_sha256: str


def read_header(stream: IO[bytes]) -> tuple[bytes, str]:
    header = stream.read(HEADER_BYTES)
    if len(header) < HEADER_BYTES or not header.startswith(MAGIC):
        raise ArchiveError("This is not a Reintegra backup archive (or its header is damaged).")
    if header[len(MAGIC)] != VERSION:
        raise ArchiveError(
            f"Archive format version {header[len(MAGIC)]} is not supported (this version reads {VERSION})."
        )
    start = len(MAGIC) + 1
    return header, header[start : start + KEY_ID_BYTES].hex()


def _chunks(stream: IO[bytes], header: bytes, key: bytes) -> Iterator[tuple[bytes, bool]]:
    """The authenticated plaintexts of the chunks, each with whether it was flagged last."""
    start = len(MAGIC) + 1 + KEY_ID_BYTES
    salt, prefix = header[start : start + SALT_BYTES], header[start + SALT_BYTES :]
    aead = _subkey(key, salt)
    index = 0
    while True:
        length_bytes = stream.read(_LENGTH.size)
        if not length_bytes:
            raise ArchiveError("The archive is truncated: it ends before its manifest (nothing was restored).")
        if len(length_bytes) < _LENGTH.size:
            raise ArchiveError("The archive is truncated in the middle of a chunk.")
        (length,) = _LENGTH.unpack(length_bytes)
        if not TAG_BYTES < length <= CHUNK_BYTES + 1 + TAG_BYTES:
            raise ArchiveError(f"Chunk {index} has an impossible length: the archive is damaged or was altered.")
        sealed = stream.read(length)
        if len(sealed) < length:
            raise ArchiveError("The archive is truncated in the middle of a chunk.")
        plain, last = _open_chunk(aead, prefix, index, sealed, header)
        yield plain, last
        if last:
            if stream.read(1):
                raise ArchiveError("The archive has data after its last chunk: it was altered.")
            return
        index += 1


def _open_chunk(aead: AESGCM, prefix: bytes, index: int, sealed: bytes, header: bytes) -> tuple[bytes, bool]:
    for last in (False, True):
        try:
            return aead.decrypt(_nonce(prefix, index, last), sealed, header), last
        except InvalidTag:
            continue
    raise ArchiveError(
        f"Chunk {index} of the archive fails authentication: the archive was altered or damaged "
        "(or its header was edited). Nothing was restored."
    )


def pick_key(found_id: str, keys: list[bytes]) -> bytes:
    for key in keys:
        if hmac.compare_digest(key_id(key), found_id):
            return key
    known = ", ".join(key_id(key) for key in keys) or "none"
    raise WrongKeyError(
        f"This archive was written with the backup key {found_id}, which is not configured "
        f"(configured: {known}). Add that key to REINTEGRA_BACKUP_KEY (or its key file) and try again."
    )


def open_archive(stream: IO[bytes], keys: list[bytes], dump: IO[bytes] | None = None) -> OpenedArchive:
    """Authenticate the whole archive, copying the clear dump to `dump` when given; return its manifest.

    Raises ArchiveError (WrongKeyError for a key that is not configured) before the end when anything is
    wrong; the caller uses what was written to `dump` only after this returns."""
    header, found_id = read_header(stream)
    key = pick_key(found_id, keys)
    digest, size = hashlib.sha256(), 0
    manifest: dict[str, Any] | None = None
    for plain, last in _chunks(stream, header, key):
        record, payload = plain[:1], plain[1:]
        if record == DUMP and not last:
            digest.update(payload)
            size += len(payload)
            if dump is not None:
                dump.write(payload)
        elif record == MANIFEST and last:
            manifest = json.loads(payload)
        else:
            raise ArchiveError("The archive's chunks are out of order.")
    assert manifest is not None  # the loop ends only on the last chunk, which is the manifest
    expected = manifest.get("dump", {})
    if expected.get("sha256") != digest.hexdigest() or expected.get("bytes") != size:
        raise ArchiveError("The dump does not match the checksum in the archive's manifest.")
    return OpenedArchive(key_id=found_id, manifest=manifest, dump_bytes=size, dump_sha256=digest.hexdigest())

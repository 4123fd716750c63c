"""The backup archive format (`access/backup_archive.py`): streamed, authenticated in order, refused whole
when a key is wrong or a byte is changed, cut or added; and how backup keys are configured."""

import io
import sqlite3
import struct

import pytest
from django.core.exceptions import ImproperlyConfigured

from reintegra.access import backup, backup_archive
from reintegra.access.backup_archive import ArchiveError, ArchiveWriter, WrongKeyError, open_archive
from reintegra.settings.keys import backup_keys

KEY = backup_archive.decode_key(backup_archive.generate_key())
OTHER_KEY = backup_archive.decode_key(backup_archive.generate_key())
MANIFEST = {"engine": "sqlite", "tables": {"t": {"rows": 1, "sha256": "0" * 64}}}


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    monkeypatch.setattr(backup_archive, "CHUNK_BYTES", 256)  # many chunks from a small dump


def write(dump: bytes, key: bytes = KEY) -> bytes:
    stream = io.BytesIO()
    writer = ArchiveWriter(stream, key)
    for start in range(0, len(dump), 50):
        writer.write_dump(dump[start : start + 50])
    writer.finish({**MANIFEST, "dump": {"bytes": writer.dump_bytes, "sha256": writer.dump_sha256}})
    return stream.getvalue()


def read(archive: bytes, keys: list[bytes] | None = None) -> tuple[bytes, dict]:
    clear = io.BytesIO()
    opened = open_archive(io.BytesIO(archive), keys or [OTHER_KEY, KEY], clear)
    return clear.getvalue(), opened.manifest


def chunk_offsets(archive: bytes) -> list[tuple[int, int]]:
    """(start, end) of every chunk, its length prefix included."""
    offsets, position = [], backup_archive.HEADER_BYTES
    while position < len(archive):
        (length,) = struct.unpack(">I", archive[position : position + 4])
        offsets.append((position, position + 4 + length))
        position += 4 + length
    return offsets


DUMP = bytes(range(256)) * 12  # twelve dump chunks of 256 bytes, then the manifest


def test_round_trip_with_the_manifest_and_the_key_the_archive_names():
    archive = write(DUMP)
    assert DUMP not in archive and b"tables" not in archive  # dump and manifest are encrypted
    clear, manifest = read(archive)
    assert clear == DUMP
    assert manifest["tables"] == MANIFEST["tables"]
    assert len(chunk_offsets(archive)) == 13


def test_an_empty_dump_still_has_its_manifest():
    clear, manifest = read(write(b""))
    assert clear == b"" and manifest["dump"]["bytes"] == 0


def test_a_wrong_key_is_named_as_such():
    with pytest.raises(WrongKeyError, match=backup_archive.key_id(KEY)):
        read(write(DUMP), [OTHER_KEY])


def tampered(archive: bytes, position: int) -> bytes:
    changed = bytearray(archive)
    changed[position] ^= 0x01
    return bytes(changed)


def test_every_changed_byte_is_refused():
    archive = write(DUMP[:300])  # header, two dump chunks, manifest
    for position in range(len(archive)):
        with pytest.raises(ArchiveError):
            read(tampered(archive, position))


def test_a_cut_archive_is_refused_wherever_it_is_cut():
    archive = write(DUMP)
    boundaries = [start for start, _ in chunk_offsets(archive)]
    for length in [0, 10, backup_archive.HEADER_BYTES, *boundaries, *(b + 7 for b in boundaries), len(archive) - 1]:
        with pytest.raises(ArchiveError):
            read(archive[:length])
    with pytest.raises(ArchiveError, match="ends before its manifest"):
        read(archive[: boundaries[-1]])  # every dump chunk, no manifest


def test_chunks_moved_dropped_or_repeated_are_refused():
    archive = write(DUMP)
    offsets = chunk_offsets(archive)
    header, chunks = archive[: backup_archive.HEADER_BYTES], [archive[a:b] for a, b in offsets]
    variants = [
        [chunks[1], chunks[0], *chunks[2:]],  # swapped
        [chunks[0], *chunks[2:]],  # one dropped
        [chunks[0], chunks[0], *chunks[1:]],  # one repeated
        [*chunks[:-1]],  # the manifest dropped
        [*chunks, chunks[-1]],  # the last chunk twice
    ]
    for variant in variants:
        with pytest.raises(ArchiveError):
            read(header + b"".join(variant))
    with pytest.raises(ArchiveError, match="after its last chunk"):
        read(archive + b"\x00")
    # A chunk of another archive under the same key does not fit (another salt, another nonce prefix).
    foreign = write(DUMP)
    with pytest.raises(ArchiveError):
        read(header + chunk_offsets_bytes(foreign)[0] + b"".join(chunks[1:]))


def chunk_offsets_bytes(archive: bytes) -> list[bytes]:
    return [archive[a:b] for a, b in chunk_offsets(archive)]


def test_not_an_archive():
    with pytest.raises(ArchiveError, match="not a Reintegra backup archive"):
        read(b"PGDMP" + b"\x00" * 100)


# --- keys ------------------------------------------------------------------------------------------------


def test_backup_keys_from_the_variable_and_the_file(tmp_path):
    first, second = backup_archive.generate_key(), backup_archive.generate_key()
    key_file = tmp_path / "backup.key"
    key_file.write_text(f"# the previous key, kept for older archives\n{second}\n")
    keys = backup_keys([first], str(key_file))
    assert keys == [backup_archive.decode_key(first), backup_archive.decode_key(second)]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([], "No backup key"),
        (["short"], "Key number 1 of REINTEGRA_BACKUP_KEY is not a backup key"),
        (["QUJD"], "3 bytes instead of 32"),
    ],
)
def test_bad_backup_keys_are_named_never_shown(values, message):
    with pytest.raises(ImproperlyConfigured, match=message) as refused:
        backup_keys(values)
    assert all(value not in str(refused.value) for value in values if value)


def test_an_unreadable_key_file(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="REINTEGRA_BACKUP_KEY_FILE cannot be read"):
        backup_keys([], str(tmp_path / "missing.key"))


def test_a_field_key_is_not_a_backup_key(settings):
    settings.REINTEGRA_BACKUP_KEY = [settings.REINTEGRA_FIELD_KEYS[0]]
    with pytest.raises(backup.BackupError, match="also in REINTEGRA_FIELD_KEYS"):
        backup.configured_keys()


# --- the manifest's checksums and the restore's comparison ------------------------------------------------


def sqlite_with(rows):
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (id integer PRIMARY KEY, name text, amount real, data blob)")
    conn.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", rows)
    return conn


def test_table_checksums_follow_the_rows_not_their_insertion_order():
    rows = [(1, "a", 1.5, b"\x00"), (2, None, 2.0, None), (3, "a,b\nc", -0.1, b"")]
    same = backup.sqlite_digests(sqlite_with(rows))
    assert backup.sqlite_digests(sqlite_with(list(reversed(rows)))) == same
    assert same["t"].rows == 3
    for changed in [(3, "a,b\nC", -0.1, b""), (3, "a,b\nc", -0.2, b""), (3, "a,b\nc", -0.1, None)]:
        assert backup.sqlite_digests(sqlite_with([*rows[:2], changed]))["t"] != same["t"]


def test_the_restore_report_names_every_difference():
    digest = backup.TableDigest
    verification = backup.Verification(
        tables={"same": digest(1, "x"), "fewer": digest(2, "y"), "altered": digest(1, "q"), "extra": digest(0, "z")},
        expected={
            "same": {"rows": 1, "sha256": "x"},
            "fewer": {"rows": 3, "sha256": "y"},
            "altered": {"rows": 1, "sha256": "w"},
            "missing": {"rows": 4, "sha256": "v"},
        },
        unguarded=["access_accessevent"],
    )
    assert not verification.ok
    assert verification.mismatches == [
        "altered: 1 rows as expected, but their checksum differs",
        "fewer: 2 rows, expected 3",
        "missing: missing (expected 4 rows)",
        "extra: not in the backup",
        "access_accessevent: the append-only guard (triggers) is missing",
    ]

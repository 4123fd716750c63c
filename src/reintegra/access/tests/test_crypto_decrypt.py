"""`crypto.decrypt` opens Fernet tokens itself (one block decryptor per key, issue 19's export rate): it must read
exactly what `cryptography`'s Fernet writes and refuse exactly what Fernet refuses."""

import base64
import hashlib
import hmac

import pytest
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from reintegra.access import crypto

TEXTS = ["", "a", "José", "x" * 15, "y" * 16, "z" * 17, "Ñandú Pérez-Ávila " * 7, "名前", "=1+2"]


@pytest.mark.parametrize("text", TEXTS)
def test_reads_what_fernet_writes(text):
    assert crypto.decrypt(crypto.encrypt(text)) == text
    token = crypto.fernet().encrypt(text.encode()).decode()
    assert crypto.decrypt(crypto.ENCRYPTED_PREFIX + token) == text


def test_reads_tokens_of_every_configured_key_in_order(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.REINTEGRA_FIELD_KEYS = [old]
    written_before = crypto.encrypt("antes")
    settings.REINTEGRA_FIELD_KEYS = []
    derived = crypto.encrypt("derivada")
    settings.REINTEGRA_FIELD_KEYS = [new, old]
    assert crypto.decrypt(written_before) == "antes"
    assert crypto.decrypt(derived) == "derivada"  # the key derived from SECRET_KEY stays last
    assert crypto.decrypt(crypto.encrypt("nueva")) == "nueva"
    settings.REINTEGRA_FIELD_KEYS = [new]
    with pytest.raises(ValueError):
        crypto.decrypt(written_before)


def _token_parts(stored):
    return bytearray(base64.urlsafe_b64decode(stored.removeprefix(crypto.ENCRYPTED_PREFIX)))


def _stored(data):
    return crypto.ENCRYPTED_PREFIX + base64.urlsafe_b64encode(bytes(data)).decode()


@pytest.mark.parametrize("where", [0, 5, 20, 30, -1, -40])
def test_a_changed_byte_is_refused(where):
    data = _token_parts(crypto.encrypt("nombre secreto"))
    data[where] ^= 0x01
    with pytest.raises(ValueError):
        crypto.decrypt(_stored(data))


@pytest.mark.parametrize("bad", ["enc1:", "enc1:not base64!", "enc1:" + "A" * 120, "enc1:gAAAAA"])
def test_malformed_tokens_are_refused(bad):
    with pytest.raises(ValueError):
        crypto.decrypt(bad)


def test_wrong_padding_under_a_valid_signature_is_refused():
    """A token signed with the right key whose plaintext padding is wrong (only a key holder can make one):
    refused as Fernet refuses it, not returned cut."""
    signing, encryption = crypto._opening_keys(tuple(), crypto.settings.SECRET_KEY)[0]
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    iv = bytes(16)
    block = b"abc" + bytes([0] * 12) + b"\x05"  # claims 5 bytes of padding, but they are not all 5
    encryptor = Cipher(algorithms.AES(encryption), modes.CBC(iv)).encryptor()
    body = b"\x80" + bytes(8) + iv + encryptor.update(block) + encryptor.finalize()
    token = body + hmac.digest(signing, body, hashlib.sha256)
    with pytest.raises(ValueError):
        crypto.decrypt(_stored(token))
    with pytest.raises(ValueError):
        crypto.decrypt_many([crypto.encrypt("bueno"), _stored(token)])
    key = base64.urlsafe_b64encode(signing + encryption)
    with pytest.raises(InvalidToken):  # Fernet refuses it too
        MultiFernet([Fernet(key)]).decrypt(base64.urlsafe_b64encode(token))


def test_a_column_is_opened_as_each_value_is(settings):
    """`decrypt_many` (an export's column of a batch): the values `decrypt` gives one by one, None and "" kept,
    clear text written before encryption kept, tokens of several keys in one column."""
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.REINTEGRA_FIELD_KEYS = [old]
    under_old = [crypto.encrypt(text) for text in TEXTS]
    settings.REINTEGRA_FIELD_KEYS = [new, old]
    column = [None, "", "written in clear", *under_old, *(crypto.encrypt(text) for text in reversed(TEXTS))]
    assert crypto.decrypt_many(column) == [None, "", "written in clear", *TEXTS, *reversed(TEXTS)]
    assert crypto.decrypt_many(column) == [value if not value else crypto.decrypt(value) for value in column]
    assert crypto.decrypt_many([]) == []


@pytest.mark.parametrize("where", [0, 20, 30, -1])
def test_one_bad_token_in_a_column_is_refused(where):
    data = _token_parts(crypto.encrypt("nombre secreto"))
    data[where] ^= 0x01
    with pytest.raises(ValueError):
        crypto.decrypt_many([crypto.encrypt("bueno"), _stored(data), crypto.encrypt("otro")])
    with pytest.raises(ValueError):
        crypto.decrypt_many(["enc1:not base64!"])


@pytest.mark.parametrize("key", [b"k" * 16, b"", b"x" * 64, b"y" * 65, bytes(range(100))])
def test_the_column_hmac_is_hmac_sha256(key):
    messages = [b"", b"a", b"m" * 63, b"n" * 64, b"o" * 200]
    macs = [hmac.digest(key, message, "sha256") for message in messages]
    assert crypto._unsigned(key, messages, macs) == []
    macs[2] = macs[1]
    assert crypto._unsigned(key, messages, macs) == [2]

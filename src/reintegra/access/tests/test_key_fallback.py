from cryptography.fernet import Fernet, InvalidToken

from reintegra.access import crypto


def test_data_written_before_explicit_keys_stays_readable_and_rotates(settings):
    settings.REINTEGRA_FIELD_KEYS = []
    token = crypto.encrypt("nota de salud")
    new_key = Fernet.generate_key().decode()
    settings.REINTEGRA_FIELD_KEYS = [new_key]
    assert crypto.decrypt(token) == "nota de salud"
    rotated = crypto.rotate(token)
    # After rotation the newest explicit key alone reads it.
    Fernet(new_key.encode()).decrypt(rotated.removeprefix(crypto.ENCRYPTED_PREFIX).encode())
    try:
        Fernet(new_key.encode()).decrypt(token.removeprefix(crypto.ENCRYPTED_PREFIX).encode())
    except InvalidToken:
        pass
    else:
        raise AssertionError("the original token should not be readable with the new key alone")

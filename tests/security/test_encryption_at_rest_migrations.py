"""The data migrations encrypt rows that already exist (and decrypt them when unapplied), on SQLite and
PostgreSQL: records are built, the encryption migrations are unapplied (values back in clear, as on a
database from before them), then applied again."""

import importlib

import pytest
from django.db import connection
from django_otp.oath import TOTP
from tests.migration_round_trip import RoundTrip

from reintegra.access import crypto
from reintegra.access.models import TOTPDevice
from reintegra.testing.personal_records import m


def test_unapplying_decrypts_and_applying_encrypts_existing_rows(migration_round_trip: RoundTrip):
    """The records are built, the migrations unapplied back to BEFORE and applied again: the run's one replay of
    the migrations (tests/migration_round_trip.py, shared with the consent move's test), read here."""
    seen = migration_round_trip.encryption
    # Before the migrations (BEFORE), the values they encrypt (ENCRYPTED but not ALREADY_ENCRYPTED) are back in
    # clear; the later apps' tables are gone with their rows.
    assert seen.surviving
    assert seen.still_clear == [], f"not decrypted by the reverse migration: {seen.still_clear}"
    assert m("cases.CaseEvent.note") in seen.reopened_note  # back in the timeline's JSON
    # After them, nothing personal in clear, and every value read back through the models.
    assert seen.left_in_clear == [], f"left in clear by the migrations: {seen.left_in_clear}"
    assert seen.not_read_back == [], seen.not_read_back
    # The access trail is append-only again after its migration.
    assert seen.trail_update_refused


LEGACY_TABLE = """
CREATE TABLE otp_totp_totpdevice (
    id {id_type} PRIMARY KEY,
    name varchar(64) NOT NULL,
    confirmed boolean NOT NULL,
    user_id bigint NOT NULL,
    key varchar(80) NOT NULL,
    step smallint NOT NULL,
    t0 bigint NOT NULL,
    digits smallint NOT NULL,
    tolerance smallint NOT NULL,
    drift smallint NOT NULL,
    last_t bigint NOT NULL,
    throttling_failure_timestamp timestamp with time zone NULL,
    throttling_failure_count integer NOT NULL,
    created_at timestamp with time zone NULL,
    last_used_at timestamp with time zone NULL
)
"""
LEGACY_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test secret, hex


@pytest.mark.django_db
def test_devices_of_django_otp_move_to_the_encrypted_model(django_user_model):
    migration = importlib.import_module("reintegra.access.migrations.0009_encrypted_totp_devices")
    user = django_user_model.objects.create_user("con-app", password="correct-horse-battery")
    with connection.cursor() as cursor:
        id_type = "serial" if connection.vendor == "postgresql" else "integer"
        cursor.execute(LEGACY_TABLE.format(id_type=id_type))
        cursor.execute(
            "INSERT INTO otp_totp_totpdevice (id, name, confirmed, user_id, key, step, t0, digits, tolerance, "
            "drift, last_t, throttling_failure_count) VALUES (7, 'Phone', %s, %s, %s, 30, 0, 6, 1, 0, -1, 0)",
            [True, user.pk, LEGACY_KEY],
        )

    class Editor:
        def __init__(self):
            self.connection = connection

    migration.move_devices_here(None, Editor())
    device = TOTPDevice.objects.get(user=user)
    assert (device.name, device.confirmed, device.key) == ("Phone", True, LEGACY_KEY)
    assert device.verify_token(TOTP(device.bin_key).token())  # the user's app keeps working
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM access_totpdevice")
        assert cursor.fetchone()[0].startswith(crypto.ENCRYPTED_PREFIX)
        cursor.execute("SELECT count(*) FROM otp_totp_totpdevice")
        assert cursor.fetchone()[0] == 0  # no clear secret left behind

    migration.move_devices_back(None, Editor())
    assert not TOTPDevice.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, name FROM otp_totp_totpdevice")
        assert cursor.fetchone() == (LEGACY_KEY, "Phone")
        cursor.execute("DROP TABLE otp_totp_totpdevice")

"""The data migrations encrypt rows that already exist (and decrypt them when unapplied), on SQLite and
PostgreSQL: records are built, the encryption migrations are unapplied (values back in clear, as on a
database from before them), then applied again."""

import importlib

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django_otp.oath import TOTP

from reintegra.access import crypto
from reintegra.access.models import AccessEvent, TOTPDevice
from reintegra.testing.personal_records import (
    ENCRYPTED,
    build_everything,
    expected,
    holds_expected,
    m,
    raw_text_of_every_table,
    stored_value,
)
from reintegra.testing.trail import empty_audit_tables

BEFORE = [
    ("access", "0007_drop_plaintext_api_tokens"),
    ("cases", "0004_default_programmes"),
    ("referrals", "0003_provider_owner_required"),
    ("sustainability", "0002_default_rss_and_grid"),
]
# Encrypted before these migrations: they stay encrypted whichever way the migrations run.
ALREADY_ENCRYPTED = {
    "cases.Assessment.protection_concerns",
    "cases.Assessment.health_notes",
    "cases.Assessment.mental_health_notes",
    "cases.Assessment.gbv_notes",
    "cases.CounsellingSession.notes",
    "cases.IdentityDocument.number",
    "referrals.Referral.reason",
    "referrals.Referral.feedback",
}


def _table_of(label: str) -> str:
    app_label, model_name, _field = label.split(".")
    return apps.get_model(app_label, model_name)._meta.db_table


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.fixture
def trail_emptied_after(transactional_db):
    """The database is flushed after a transactional test; the audit tables refuse DELETE, so they are
    emptied here first, with their append-only guard lifted for that moment."""
    yield
    empty_audit_tables()


def test_unapplying_decrypts_and_applying_encrypts_existing_rows(trail_emptied_after):
    build_everything()
    # The tables of the apps built after these migrations (children, hand-over, community, employment, public) are
    # encrypted from their first row: going back drops them (with their rows), so they have nothing to decrypt.
    later_apps = ("children.", "handover.", "community.", "employment.", "public.")
    surviving = [label for label in ENCRYPTED if not label.startswith(later_apps)]
    newly = [label for label in surviving if label not in ALREADY_ENCRYPTED]
    try:
        migrate(BEFORE)
        # A model added later to an app of BEFORE (access's export jobs) has no table back there either: its rows
        # go with it, as the later apps' do.
        tables = set(connection.introspection.table_names())
        surviving = [label for label in surviving if _table_of(label) in tables]
        newly = [label for label in newly if label in surviving]
        dump = raw_text_of_every_table()
        still_clear = [label for label in newly if expected(label).lower() not in dump]
        assert still_clear == [], f"not decrypted by the reverse migration: {still_clear}"
        with connection.cursor() as cursor:
            cursor.execute("SELECT data FROM cases_caseevent WHERE kind = 'reopened'")
            assert m("cases.CaseEvent.note") in cursor.fetchone()[0]  # back in the timeline's JSON
    finally:
        migrate(latest())
    dump = raw_text_of_every_table()
    found = [label for label in ENCRYPTED if expected(label).lower() in dump]
    assert found == [], f"left in clear by the migrations: {found}"
    for label in surviving:
        assert holds_expected(label, stored_value(label)), label
    # The access trail is append-only again after its migration.
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessEvent.objects.update(flagged=False)


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

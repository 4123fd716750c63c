"""Issue 10, item 5: personal data at rest. One record of each kind is created through the services with a
recognisable marker in every personal text field; then every column of every table is read with raw SQL
(what a stolen database file or backup shows) and no marker may appear in clear.

Phone numbers and dates cannot be markers: they use recognisable values of their shape (NOT_MARKERS).
"""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection

from reintegra.access import crypto, two_factor
from reintegra.access.management.commands.rotate_keys import encrypted_columns
from reintegra.testing.personal_records import (
    CONTAINED,
    ENCRYPTED,
    build_everything,
    expected,
    m,
    raw_text_of_every_table,
    stored_value,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def everything(db):
    return build_everything()


def test_no_personal_marker_in_clear_in_any_table(everything):
    dump = raw_text_of_every_table()
    assert everything["case"].case_number.lower() in dump  # the scan does see ordinary data
    found = [label for label in ENCRYPTED if expected(label).lower() in dump]
    assert found == [], f"personal data stored in clear: {found}"
    # The markers really are in the database (read back through the models): their absence from the raw
    # tables means they are encrypted, not missing.
    for label in ENCRYPTED:
        values = stored_value(label)
        if label == "sustainability.SurveyRound.answers":
            assert any(v.get("comment") == expected(label) for v in values), label
        elif label in CONTAINED:
            assert any(expected(label) in str(value) for value in values), (label, values)
        else:
            assert expected(label) in [str(value) for value in values], (label, values)

    # The TOTP secret, in hex and in the base32 form apps are given.
    device = everything["device"]
    assert device.key.lower() not in dump
    assert two_factor.secret_base32(device).lower() not in dump
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM access_totpdevice WHERE id = %s", [device.pk])
        (stored,) = cursor.fetchone()
    assert stored.startswith(crypto.ENCRYPTED_PREFIX)

    # The reopening reason left the timeline's JSON for the event's encrypted note.
    event = everything["case"].events.get(kind="reopened")
    assert "reason" not in event.data and event.note == m("cases.CaseEvent.note")


def test_the_proof_covers_every_encrypted_field():
    """A field made encrypted later joins ENCRYPTED (and the records built above), or this fails."""
    labels = {label for label, *_ in encrypted_columns()}
    # The duplicate check's copy of the names and birth date: covered by the names' markers above.
    # A manifest kept until its import has run: the same names, dates and numbers as the returnees it creates
    # (their markers above); an EncryptedTextField, so what the field test above proves holds for it.
    manifest_file = "reception.ManifestImport.content"
    # The installation's private keys: no marker fits a key; test_private_keys_are_not_in_clear checks them.
    assert labels == {
        *ENCRYPTED,
        "access.TOTPDevice.key",
        "cases.Returnee.match_record",
        "handover.InstallationKey.private_jwks",
        manifest_file,
    }


def test_private_keys_are_not_in_clear():
    import json

    from reintegra.handover import keys

    private = json.loads(keys.current().private_jwks)
    dump = raw_text_of_every_table()
    assert all(key["d"].lower() not in dump for key in private["keys"])
    assert all(key["x"].lower() in dump for key in private["keys"])  # the public halves are stored in clear


DECISIONS = Path(__file__).resolve().parents[2] / "docs" / "data-protection.md"


def test_the_decision_table_lists_every_model_and_every_encrypted_field():
    text = DECISIONS.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    for model in apps.get_models():
        meta = model._meta
        if not model.__module__.startswith("reintegra.") or meta.proxy:
            continue
        named = re.compile(rf"[`.]{model.__name__}\.")
        assert any(named.search(row) or f"`{meta.app_label}.*`" in row for row in rows), meta.label
    for label, *_ in encrypted_columns():
        _app, model_name, field = label.split(".")
        assert any(
            f"`{model_name}." in row and f"{field}`" in row and "encrypted" in row.split("|")[3] for row in rows
        ), f"{label}: no row says it is encrypted"

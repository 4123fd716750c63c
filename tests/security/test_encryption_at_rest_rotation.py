"""`reintegra rotate-keys` covers every encrypted field generically, the newly encrypted ones included (the
append-only access trail and the TOTP secrets too)."""

import re
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from django_otp.oath import TOTP

from reintegra.access.models import AccessEvent, TOTPDevice
from reintegra.testing.personal_records import ENCRYPTED, build_everything, holds_expected, stored_value

pytestmark = pytest.mark.django_db

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def raw_column(label):
    app_label, model_name, field = label.split(".")
    from django.apps import apps

    meta = apps.get_model(app_label, model_name)._meta
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        column = meta.get_field(field).column
        cursor.execute(f"SELECT {qn(column)} FROM {qn(meta.db_table)} WHERE {qn(column)} <> ''")  # noqa: S608
        return sorted(row[0] for row in cursor.fetchall())


def test_rotate_keys_re_encrypts_every_encrypted_field(db):
    with override_settings(REINTEGRA_FIELD_KEYS=[OLD_KEY]):
        built = build_everything()
        device = built["device"]
        before = {label: raw_column(label) for label in [*ENCRYPTED, "access.TOTPDevice.key"]}
    out = StringIO()
    with override_settings(REINTEGRA_FIELD_KEYS=[NEW_KEY, OLD_KEY]):
        call_command("rotate_keys", stdout=out)
    output = out.getvalue()
    for label in [*ENCRYPTED, "access.TOTPDevice.key"]:
        count = int(re.search(rf"^{re.escape(label)}: (\d+) value", output, re.M).group(1))
        assert count >= 1, label
        assert raw_column(label) != before[label], label
    with override_settings(REINTEGRA_FIELD_KEYS=[NEW_KEY]):  # the old key is gone
        for label in ENCRYPTED:
            assert holds_expected(label, stored_value(label)), label
        # The authenticator app still works: its secret was re-encrypted, not changed.
        rotated = TOTPDevice.objects.get(pk=device.pk)
        assert rotated.key == device.key
        assert rotated.verify_token(TOTP(rotated.bin_key, rotated.step, rotated.t0, rotated.digits).token())
    # The access trail is append-only again once the rotation is over.
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessEvent.objects.update(flagged=False)

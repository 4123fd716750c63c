"""Authenticator apps with their TOTP secret encrypted at rest (`access.TOTPDevice`), replacing django-otp's
`otp_totp.TOTPDevice`, which stores it in clear. Devices set up before are moved here (secret encrypted,
same user, name, state and counters) and removed from the old table; their users keep their app.

The old table is left empty (django-otp's otp_totp app is no longer installed); it is read only when it
exists, so new installations never had it. Reversible: the devices are moved back.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import reintegra.access.fields
import reintegra.access.models
from reintegra.access import crypto
from reintegra.access.encryption_migrations import check_deferred_constraints

LEGACY = "otp_totp_totpdevice"
NEW = "access_totpdevice"
COLUMNS = [
    "user_id",
    "name",
    "confirmed",
    "key",
    "step",
    "t0",
    "digits",
    "tolerance",
    "drift",
    "last_t",
    "throttling_failure_timestamp",
    "throttling_failure_count",
    "created_at",
    "last_used_at",
]


def _move(schema_editor, source, target, convert_key):
    connection = schema_editor.connection
    tables = connection.introspection.table_names()
    if source not in tables or target not in tables:
        return
    with connection.cursor() as cursor:
        present = {c.name for c in connection.introspection.get_table_description(cursor, source)}
        columns = [c for c in COLUMNS if c in present]
        qn = connection.ops.quote_name
        names = ", ".join(qn(c) for c in columns)
        cursor.execute(f"SELECT {names} FROM {qn(source)} ORDER BY {qn('id')}")  # noqa: S608
        rows = cursor.fetchall()
        key_at = columns.index("key")
        moved = []
        for row in rows:
            values = list(row)
            values[key_at] = convert_key(values[key_at])
            moved.append(values)
        marks = ", ".join(["%s"] * len(columns))
        if moved:
            cursor.executemany(f"INSERT INTO {qn(target)} ({names}) VALUES ({marks})", moved)  # noqa: S608
        cursor.execute(f"DELETE FROM {qn(source)}")  # noqa: S608
    check_deferred_constraints(schema_editor)


def _encrypted(key):
    return key if key.startswith(crypto.ENCRYPTED_PREFIX) else crypto.encrypt(key)


def move_devices_here(apps, schema_editor):
    _move(schema_editor, LEGACY, NEW, _encrypted)


def move_devices_back(apps, schema_editor):
    _move(schema_editor, NEW, LEGACY, crypto.decrypt)


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0008_encrypt_consent_notes_and_access_purpose"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='TOTPDevice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='The human-readable name of this device.', max_length=64)),
                ('confirmed', models.BooleanField(default=True, help_text='Is this device ready for use?')),
                ('throttling_failure_timestamp', models.DateTimeField(blank=True, default=None, help_text='A timestamp of the last failed verification attempt. Null if last attempt succeeded.', null=True)),
                ('throttling_failure_count', models.PositiveIntegerField(default=0, help_text='Number of successive failed attempts.')),
                ('created_at', models.DateTimeField(auto_now_add=True, help_text='The date and time when this device was initially created in the system.', null=True)),
                ('last_used_at', models.DateTimeField(blank=True, help_text='The most recent date and time this device was used.', null=True)),
                ('key', reintegra.access.fields.EncryptedTextField(blank=False, default=reintegra.access.models._new_totp_key, max_length=80, validators=[reintegra.access.models._hex_key])),
                ('step', models.PositiveSmallIntegerField(default=30)),
                ('t0', models.BigIntegerField(default=0)),
                ('digits', models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)),
                ('tolerance', models.PositiveSmallIntegerField(default=1)),
                ('drift', models.SmallIntegerField(default=0)),
                ('last_t', models.BigIntegerField(default=-1)),
                ('user', models.ForeignKey(help_text='The user that this device belongs to.', on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'authenticator app',
                'verbose_name_plural': 'authenticator apps',
                'abstract': False,
            },
        ),
        migrations.RunPython(move_devices_here, move_devices_back),
    ]

"""Encrypt the provider's note of a referral (free text about the person's situation); existing values are
encrypted in place (docs/data-protection.md). Reversible."""

from django.db import migrations

import reintegra.access.fields
from reintegra.access.encryption_migrations import encrypt_values
class Migration(migrations.Migration):

    dependencies = [
        ('referrals', '0003_provider_owner_required'),
    ]

    operations = [
        migrations.AlterField(
            model_name='referral',
            name='provider_note',
            field=reintegra.access.fields.EncryptedTextField(blank=True, default='', max_length=500, verbose_name="provider's note"),
        ),
        encrypt_values(("referrals", "Referral", "provider_note")),
    ]

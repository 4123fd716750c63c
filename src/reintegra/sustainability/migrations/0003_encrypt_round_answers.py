"""Encrypt the answers of survey rounds (the person's situation, free-text answers included); the scores
stay beside them in clear for statistics. Existing answers are encrypted in place (their JSON text).
Reversible: decrypted back to JSON before the column becomes JSON again."""

from django.db import migrations

import reintegra.access.fields
from reintegra.access.encryption_migrations import encrypt_values
class Migration(migrations.Migration):

    dependencies = [
        ('sustainability', '0002_default_rss_and_grid'),
    ]

    operations = [
        migrations.AlterField(
            model_name='surveyround',
            name='answers',
            field=reintegra.access.fields.EncryptedJSONField(blank=True, default=dict, verbose_name='answers'),
        ),
        encrypt_values(("sustainability", "SurveyRound", "answers")),
    ]

"""A referral's consent is now `protection.Consent` (the same table and rows, moved from access).

State only: the foreign key keeps pointing at the same table, which protection 0002 renames. Reversible.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0005_versions_for_concurrency"),
        ("protection", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="referral",
                    name="consent",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="protection.consent",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]

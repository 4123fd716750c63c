"""`Consent` now belongs to the protection app (its table and rows stay: see protection 0001-0002).

State only: nothing changes in the database. Runs after the models pointing at it (cases' shares,
referrals) point at `protection.Consent`. Reversible.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0011_programme_suppression_threshold"),
        ("protection", "0001_initial"),
        ("cases", "0009_caseshare_moved_to_protection"),
        ("referrals", "0006_consent_moved_to_protection"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Consent")],
            database_operations=[],
        ),
    ]

"""`CaseShare` now belongs to the protection app (its table and rows stay: see protection 0001-0002).

State only: nothing changes in the database. Reversible.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_identity_document_unique_per_organisation"),
        ("protection", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="CaseShare")],
            database_operations=[],
        ),
    ]

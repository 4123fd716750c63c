"""The case-level name search tokens (CaseSearchToken), filled from NameToken and Case in one INSERT … SELECT
(set-based: SQLite and PostgreSQL, a million cases in one statement), the index built after the rows."""

import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    # The statement of `name_index.fill_case_tokens`, frozen here (tables by their names).
    schema_editor.execute(
        "INSERT INTO cases_casesearchtoken (digest, organisation_id, return_date, case_id, returnee_id) "
        "SELECT t.digest, c.organisation_id, c.return_date, c.id, c.returnee_id "
        "FROM cases_case c JOIN cases_nametoken t ON t.returnee_id = c.returnee_id WHERE 1 = 1 ON CONFLICT DO NOTHING"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0015_export_jobs"),
        ("cases", "0014_monitoring_covering_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="CaseSearchToken",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "case", "digest", blank=True, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("return_date", models.DateField()),
                ("digest", models.BigIntegerField()),
                (
                    "case",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="cases.case",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="access.organisation",
                    ),
                ),
                (
                    "returnee",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="cases.returnee",
                    ),
                ),
            ],
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="casesearchtoken",
            index=models.Index(
                fields=["digest", "organisation", "return_date", "case", "returnee"], name="case_search_token_idx"
            ),
        ),
    ]

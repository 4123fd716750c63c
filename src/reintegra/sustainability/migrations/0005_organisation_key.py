"""The organisation key on survey rounds and their scores (issue 19; see cases 0016 and
reintegra.access.org_key)."""

from django.db import migrations

from reintegra.access.org_key import Link, operations


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0015_export_jobs"),
        ("cases", "0016_organisation_key"),
        ("sustainability", "0004_versions_for_concurrency"),
    ]

    operations = operations(
        {
            "surveyround": Link("sustainability_surveyround", "case_id", "cases_case"),
            "roundscore": Link("sustainability_roundscore", "round_id", "sustainability_surveyround"),
        },
        {"surveyround": "survey_round_organisation_key"},
    )

"""The organisation key on the rows below a returnee, a household and a case (issue 19, docs/scaling.md "Growing
past one server"): added nullable, filled from the parent with one set-based UPDATE per table, made required, and
kept equal to the parent's by the database (reintegra.access.org_key).

The case search tokens (cases.0015) already carry their case's organisation (written with it by every writer):
they only get the database's guard, whose composite foreign key also stands for the case's own."""

import django.db.models.deletion
from django.db import migrations, models

from reintegra.access.org_key import Link, keep_equal, operations


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0015_export_jobs"),
        ("cases", "0015_case_search_token"),
        # After the consents and shares moved to `protection`, so that unapplying runs this first: SQLite checks
        # the foreign keys of each table it rebuilds, and a referral's consent must still be in protection's table.
        ("protection", "0004_consent_recipient_provider"),
    ]

    # Parents before children: a plan item's key comes from its plan's, a progress line's from its visit's.
    operations = [
        *operations(
            {
                "nametoken": Link("cases_nametoken", "returnee_id", "cases_returnee"),
                "matchkey": Link("cases_matchkey", "returnee_id", "cases_returnee"),
                "householdmember": Link("cases_householdmember", "household_id", "cases_household"),
                "assessment": Link("cases_assessment", "case_id", "cases_case"),
                "counsellingsession": Link("cases_counsellingsession", "case_id", "cases_case"),
                "reintegrationplan": Link("cases_reintegrationplan", "case_id", "cases_case"),
                "followupvisit": Link("cases_followupvisit", "case_id", "cases_case"),
                "caseevent": Link("cases_caseevent", "case_id", "cases_case"),
                "planitem": Link("cases_planitem", "plan_id", "cases_reintegrationplan"),
                "planitemprogress": Link("cases_planitemprogress", "visit_id", "cases_followupvisit"),
            },
            {
                "returnee": "returnee_organisation_key",
                "household": "household_organisation_key",
                "case": "case_organisation_key",
                "reintegrationplan": "plan_organisation_key",
                "followupvisit": "visit_organisation_key",
            },
        ),
        migrations.AlterField(
            model_name="casesearchtoken",
            name="case",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="cases.case",
            ),
        ),
        keep_equal(Link("cases_casesearchtoken", "case_id", "cases_case")),
    ]

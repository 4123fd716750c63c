"""The organisation key on the rows below a returnee, a household and a case (issue 19, docs/scaling.md "Growing
past one server"): added nullable, filled from the parent with one set-based UPDATE per table, made required, and
kept equal to the parent's by the database (reintegra.access.org_key)."""

from django.db import migrations

from reintegra.access.org_key import Link, operations


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0015_export_jobs"),
        ("cases", "0014_monitoring_covering_indexes"),
    ]

    # Parents before children: a plan item's key comes from its plan's, a progress line's from its visit's.
    operations = operations(
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
    )

"""The organisation key on referrals and their status changes: the case's organisation, whoever referred (issue
19; see cases 0016 and reintegra.access.org_key)."""

from django.db import migrations

from reintegra.access.org_key import Link, operations


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0015_export_jobs"),
        ("cases", "0016_organisation_key"),
        ("referrals", "0009_service_public_contact"),
    ]

    operations = operations(
        {
            "referral": Link("referrals_referral", "case_id", "cases_case"),
            "referralstatuschange": Link("referrals_referralstatuschange", "referral_id", "referrals_referral"),
        },
        {"referral": "referral_organisation_key"},
    )

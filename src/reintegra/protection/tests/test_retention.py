from datetime import date, timedelta
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone, translation

from reintegra.access.models import AccessEvent
from reintegra.cases import services as case_services
from reintegra.cases.models import (
    Assessment,
    Case,
    CounsellingSession,
    FollowUpVisit,
    HouseholdMember,
    IdentityDocument,
    MatchKey,
    NameToken,
    PlanItem,
    ReintegrationPlan,
    Returnee,
)
from reintegra.monitoring import analytics
from reintegra.protection import services
from reintegra.protection.models import CaseShare, Consent
from reintegra.testing import factories
from reintegra.testing.sensitive_cases import (
    ADDRESS,
    DOCUMENT_NUMBER,
    GBV_NOTE,
    HEALTH_NOTE,
    LOCALITY,
    MENTAL_NOTE,
    PHONE,
    all_database_text,
    close_long_ago,
    detailed_case,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def retention(*args):
    out = StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def old_case(supervisor, places, other_org):
    """A full case closed 61 months ago (the default retention is 60), shared under a consent."""
    case = detailed_case(supervisor, places, given_names="Zqxmaría", first_family_name="Zqxhernández")
    services.record_consent(
        supervisor,
        case.returnee,
        "referral",
        "signed",
        timezone.localdate(),
        recipient_organisation=other_org,
        given_by_returnee=False,
        guardian_name="Zqxtutora Legal",
    )
    services.share_case(supervisor, case, other_org, "Referencia Zqx salud")
    return close_long_ago(supervisor, case, months_ago=61)


def snapshot(case):
    case.refresh_from_db()
    r = case.returnee
    r.refresh_from_db()
    return (
        r.given_names,
        r.phone,
        r.birth_date,
        IdentityDocument.objects.count(),
        MatchKey.objects.count(),
        Assessment.objects.get(case=case).health_notes,
        r.anonymised_at,
    )


def test_dry_run_reports_and_changes_nothing(old_case):
    before, dump = snapshot(old_case), all_database_text()
    output = retention("--dry-run")
    assert "oim-mx: 1 returnee(s), 1 case(s) would be anonymised" in output
    assert "ong-gt: 0 returnee(s), 0 case(s) would be anonymised" in output
    assert "Dry run: nothing was changed." in output
    assert snapshot(old_case) == before
    assert all_database_text() == dump
    assert "Zqxmaría" not in output


def test_anonymises_and_keeps_statistics(old_case, supervisor, places):
    case = old_case
    stats_before = (
        case.status,
        case.return_type,
        case.return_date,
        case.closure_reason,
        case.closure_category,
        case.closed_on,
    )
    returnee_stats = (
        case.returnee.sex,
        case.returnee.nationality,
        case.returnee.municipality_id,
        case.returnee.admin1_id,
    )
    log_count = LogEntry.objects.count()
    output = retention()
    assert "oim-mx: 1 returnee(s), 1 case(s) anonymised" in output
    assert "Zqx" not in output

    case.refresh_from_db()
    r = Returnee.objects.get(pk=case.returnee_id)
    assert (r.given_names, r.first_family_name, r.second_family_name) == ("Anonimizado", "Anonimizado", "")
    assert (r.birth_date, r.estimated_birth_year) == (None, 1990)
    assert (r.phone, r.address, r.locality, r.gender_identity, r.languages, r.match_record) == ("",) * 6
    assert (r.birth_year, r.birth_date_index) == (1990, None)
    assert r.anonymised_at is not None
    assert r.attention_flags == ["victim_of_violence"]
    assert (r.sex, r.nationality, r.municipality_id, r.admin1_id) == returnee_stats
    assert (
        case.status,
        case.return_type,
        case.return_date,
        case.closure_reason,
        case.closure_category,
        case.closed_on,
    ) == (stats_before)
    assert sorted(case.causes_of_migration) == ["economic", "violence"]
    assert case.closure_note == ""
    assert not IdentityDocument.objects.exists() and not MatchKey.objects.exists()
    assert not NameToken.objects.exists()

    a = Assessment.objects.get(case=case)
    assert (a.health_notes, a.mental_health_notes, a.gbv_notes, a.needs_vulnerabilities) == ("", "", "", "")
    assert a.economic_need == "high" and a.assessed_on
    assert CounsellingSession.objects.get(case=case).notes == ""
    plan = ReintegrationPlan.objects.get(case=case)
    assert (plan.goals, plan.motivations) == ("", "") and plan.agreed_on
    assert sorted(PlanItem.objects.filter(plan=plan).values_list("dimension", flat=True)) == [
        "economic",
        "psychosocial",
    ]
    assert set(PlanItem.objects.values_list("description", flat=True)) == {""}
    assert FollowUpVisit.objects.get(case=case).notes == ""
    member = HouseholdMember.objects.get()
    assert (member.given_names, member.family_names, member.birth_date) == ("", "", None)
    assert member.relationship == "child" and member.is_minor and member.estimated_age is not None
    assert case.household.notes == ""
    share = CaseShare.objects.get()
    assert share.revoked_at is not None and share.reason == ""
    assert Consent.objects.get().guardian_name == ""

    # Nothing identifying or sensitive is left anywhere, and the change log got no copy of it.
    assert LogEntry.objects.count() == log_count
    assert not AccessEvent.objects.filter(flagged=True).exists()
    dump = all_database_text(exclude=["auditlog_logentry"])
    for secret in ("Zqx", HEALTH_NOTE, MENTAL_NOTE, GBV_NOTE, DOCUMENT_NUMBER, PHONE, ADDRESS, LOCALITY, "mujer trans"):
        assert secret not in dump


def test_change_log_holds_no_names_after_retention(old_case):
    retention()
    assert "Zqx" not in all_database_text()


def test_idempotent(old_case):
    retention()
    anonymised_at = Returnee.objects.get().anonymised_at
    dump = all_database_text()
    output = retention()
    assert "Total: 0 returnee(s), 0 case(s) anonymised." in output
    assert Returnee.objects.get().anonymised_at == anonymised_at
    assert all_database_text() == dump


def test_recent_or_open_cases_are_kept(supervisor):
    recent = close_long_ago(supervisor, factories.case(supervisor), months_ago=12)
    # An old closed case and a newer open one for the same person.
    returnee = factories.returnee(supervisor, given_names="Pedro", birth_date=date(1985, 1, 1))
    old = close_long_ago(supervisor, factories.case(supervisor, returnee), months_ago=70)
    case_services.open_case(supervisor, returnee, factories.return_input())
    # Two old closed cases: anonymised.
    twice = factories.returnee(supervisor, given_names="Juana", birth_date=date(1970, 1, 1))
    close_long_ago(supervisor, factories.case(supervisor, twice), months_ago=80)
    close_long_ago(supervisor, factories.case(supervisor, twice), months_ago=65)
    output = retention()
    assert "oim-mx: 1 returnee(s), 2 case(s) anonymised" in output
    assert Returnee.objects.get(pk=recent.returnee_id).anonymised_at is None
    assert Returnee.objects.get(pk=old.returnee_id).anonymised_at is None
    assert Returnee.objects.get(pk=twice.pk).anonymised_at is not None


def test_retention_period_is_per_organisation(org, supervisor):
    org.retention_months = 12
    org.save()
    case = close_long_ago(supervisor, factories.case(supervisor), months_ago=13)
    kept = close_long_ago(supervisor, factories.case(supervisor), months_ago=11)
    retention("--organization", "oim-mx")
    assert Returnee.objects.get(pk=case.returnee_id).anonymised_at is not None
    assert Returnee.objects.get(pk=kept.returnee_id).anonymised_at is None


def test_months_before():
    assert services.months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert services.months_before(date(2026, 1, 15), 60) == date(2021, 1, 15)
    assert services.months_before(date(2026, 1, 15), 13) == date(2024, 12, 15)


def test_statistics_still_count_anonymised_cases(old_case, me_officer):
    before = analytics.aggregate_cases(me_officer, by=["status", "return_type"])
    assert analytics.pseudonymised_release(me_officer).release.total == 1
    retention()
    assert analytics.aggregate_cases(me_officer, by=["status", "return_type"]) == before
    assert analytics.pseudonymised_release(me_officer).release.total == 1


def test_anonymised_person_cannot_be_shared_or_consent_recorded(old_case, supervisor, other_org):
    retention()
    case = Case.objects.get()
    case_services.reopen_case(supervisor, case, reason="Regresa")
    case.refresh_from_db()
    with pytest.raises(ValidationError, match="anonymised"):
        services.share_case(supervisor, case, other_org, "Referencia")
    with pytest.raises(ValidationError, match="anonymised"):
        services.record_consent(supervisor, case.returnee, "assistance", "verbal", timezone.localdate())


def test_service_checks_the_capability(old_case, dpo, supervisor, org):
    with pytest.raises(PermissionDenied):
        services.apply_retention(actor=supervisor, organisation=org)
    report = services.apply_retention(actor=dpo, organisation=org, dry_run=True)
    assert (report.returnees, report.cases) == (1, 1)
    other = factories.organisation("ong-sv", country="SV")
    with pytest.raises(PermissionDenied):
        services.apply_retention(actor=dpo, organisation=other)


def test_lapsed_shares_reported(supervisor, other_org):
    case = factories.case(supervisor)
    services.record_consent(
        supervisor,
        case.returnee,
        "referral",
        "signed",
        timezone.localdate() - timedelta(days=10),
        expires_on=timezone.localdate() + timedelta(days=1),
        recipient_organisation=other_org,
    )
    services.share_case(supervisor, case, other_org, "Referencia")
    Consent.objects.update(expires_on=timezone.localdate() - timedelta(days=1))
    assert "Shares whose consent has lapsed: 1 to revoke" in retention("--dry-run")
    assert "Shares whose consent has lapsed: 1 revoked" in retention()
    assert CaseShare.objects.get().revoked_at is not None

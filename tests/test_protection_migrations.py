"""Issue 11, item 2: consent and case shares moved from `access` and `cases` into `protection` with their rows.

A database from before the move (built here by unapplying the move, then written to through the models of
that time, as the old code did) is migrated forward: every consent and share is still there, encrypted
and readable, under the new tables; a referral still finds its consent; the change log written under the
old names stays attached to the records; shared cases are still visible to the organisation they were
shared with; the audit tables are still append-only. Runs on SQLite and PostgreSQL (DATABASE_URL).
"""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from reintegra.access import crypto
from reintegra.access.models import AccessEvent
from reintegra.access.roles import Role
from reintegra.cases import selectors as case_selectors
from reintegra.protection import services
from reintegra.protection.choices import ConsentMethod, ConsentPurpose
from reintegra.protection.models import CaseShare, Consent
from reintegra.referrals.models import Referral
from reintegra.testing import factories
from reintegra.testing.personal_records import build_everything
from reintegra.testing.trail import empty_audit_tables

# The last migration of each app before the move, and no protection app yet.
BEFORE_MOVE = [
    ("access", "0011_programme_suppression_threshold"),
    ("cases", "0008_identity_document_unique_per_organisation"),
    ("referrals", "0005_versions_for_concurrency"),
    ("protection", None),
]
OLD_TABLES = {"access_consent", "cases_caseshare"}
NEW_TABLES = {"protection_consent", "protection_caseshare"}
GUARDIAN = "Tutora Zqmigrada"


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def tables():
    return set(connection.introspection.table_names())


def raw_column(table, column):
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {qn(column)} FROM {qn(table)} ORDER BY id")  # noqa: S608 - constants
        return [row[0] for row in cursor.fetchall()]


def encrypted_at_rest(table, column):
    """Every non-empty value of the column is a ciphertext (empty stays empty), and there is one at least."""
    stored = [value for value in raw_column(table, column) if value]
    return bool(stored) and all(value.startswith(crypto.ENCRYPTED_PREFIX) for value in stored)


def content_type_pk(app_label, model):
    found = ContentType.objects.filter(app_label=app_label, model=model).values_list("pk", flat=True)
    return found[0] if found else None


@pytest.fixture
def trail_emptied_after(transactional_db):
    """The database is flushed after a transactional test; the audit tables refuse DELETE, so they are
    emptied here first, with their append-only guard lifted for that moment."""
    yield
    empty_audit_tables()


def _records_before_the_move():
    """Records of every kind the move touches, written through today's services (consents with encrypted
    text, a withdrawn one, shares with and without consent, a referral under a consent, change-log entries)."""
    build_everything()
    org = factories.organisation("oim-mv", "MX")
    partner = factories.organisation("ong-mv", "GT")
    manager = factories.user(org, Role.CASE_MANAGER, username="gestora-mv")
    partner_supervisor = factories.user(partner, Role.SUPERVISOR, username="supervisora-mv")
    case = factories.case(manager)
    services.record_consent(
        manager,
        case.returnee,
        ConsentPurpose.CROSS_BORDER,  # Mexico → Guatemala: a cross-border share (issue 14)
        ConsentMethod.SIGNED,
        timezone.localdate() - timedelta(days=2),
        recipient_organisation=partner,
        given_by_returnee=False,
        guardian_name=GUARDIAN,
    )
    share = services.share_case(manager, case, partner, "Atención de salud")
    assert share.consent_id is not None
    return {"case": case, "partner_supervisor": partner_supervisor, "share": share}


def test_consents_and_shares_survive_the_move_with_their_history(trail_emptied_after):
    made = _records_before_the_move()
    consents = {c.pk: (c.guardian_name, c.recipient_description, c.withdrawal_note) for c in Consent.objects.all()}
    shares = {s.pk: (s.case_id, s.organisation_id, s.consent_id, s.reason) for s in CaseShare.objects.all()}
    referral_consents = dict(Referral.objects.exclude(consent=None).values_list("pk", "consent_id"))
    assert consents and len(shares) == 2 and referral_consents
    consent_type = ContentType.objects.get_for_model(Consent).pk
    history = LogEntry.objects.filter(content_type_id=consent_type).count()
    assert history >= len(consents)
    try:
        executor = migrate(BEFORE_MOVE)
        # The old layout, as a database from before the move has it.
        assert tables() >= OLD_TABLES and not NEW_TABLES & tables()
        assert content_type_pk("access", "consent") == consent_type
        assert content_type_pk("protection", "consent") is None
        assert LogEntry.objects.filter(content_type_id=consent_type).count() == history
        # The old code keeps writing there: one more consent and share through the models of that time.
        old = executor.loader.project_state([key for key in BEFORE_MOVE if key[1]]).apps
        returnee = old.get_model("cases", "Returnee").objects.get(pk=made["case"].returnee_id)
        added = old.get_model("access", "Consent").objects.create(
            returnee=returnee,
            purpose="referral",
            recipient_description="Cualquier clínica pública",
            guardian_name=GUARDIAN + " 2",
            method="verbal",
            given_on=timezone.localdate(),
            recorded_by_id=made["case"].case_manager_id,
        )
        consents[added.pk] = (GUARDIAN + " 2", "Cualquier clínica pública", "")
        assert encrypted_at_rest("access_consent", "guardian_name")
    finally:
        migrate(latest())

    assert tables() >= NEW_TABLES and not OLD_TABLES & tables()
    # Every row, readable through today's models, and still encrypted at rest.
    assert {c.pk: (c.guardian_name, c.recipient_description, c.withdrawal_note) for c in Consent.objects.all()} == (
        consents
    )
    assert encrypted_at_rest("protection_consent", "guardian_name")
    assert encrypted_at_rest("protection_caseshare", "reason")
    assert {s.pk: (s.case_id, s.organisation_id, s.consent_id, s.reason) for s in CaseShare.objects.all()} == shares
    assert dict(Referral.objects.exclude(consent=None).values_list("pk", "consent_id")) == referral_consents
    assert all(referral.consent.pk for referral in Referral.objects.exclude(consent=None).select_related("consent"))
    # The content type moved with the model: the change log written before still belongs to the records.
    assert ContentType.objects.get_for_model(Consent).pk == consent_type
    assert content_type_pk("access", "consent") is None and content_type_pk("cases", "caseshare") is None
    assert LogEntry.objects.filter(content_type_id=consent_type).count() == history
    assert LogEntry.objects.get_for_object(made["share"]).exists()
    # A share still lets the receiving organisation see the case.
    assert case_selectors.cases_for(made["partner_supervisor"]).filter(pk=made["case"].pk).exists()
    # New rows go to the new tables; the index carries its new name.
    services.withdraw_consent(made["case"].case_manager, Consent.objects.get(pk=added.pk), note="Retirado")
    assert raw_column("protection_consent", "withdrawn_on")[-1] is not None
    with connection.cursor() as cursor:
        names = connection.introspection.get_constraints(cursor, "protection_consent")
    assert "consent_returnee_purpose_idx" in names
    # The audit tables are still append-only after the move.
    for model in (AccessEvent, LogEntry):
        with pytest.raises(DatabaseError), transaction.atomic():
            model.objects.all().delete()

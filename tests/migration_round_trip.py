"""One replay of the migrations for the two tests that prove data migrations on rows that already exist
(tests/security/test_encryption_at_rest_migrations.py, tests/test_protection_migrations.py and
tests/test_organisation_key_migration.py).

Each test used to build its records, unapply most of the project's migrations on the worker's test database,
apply them again and flush: two replays of about a hundred migrations each way per run. Going back to before the
encryption migrations passes through the state from before the consent and share move, so one replay serves
both, on a fresh copy of the run's migrated template (testing.template_db.own_database):

1. at the latest state, the records of both tests, written through today's services;
2. back to before the move (BEFORE_MOVE), which is also before the organisation key: the old layout is read,
   one more consent is written through the models of that time, as the old code did, and the rows without
   their key column are listed;
3. further back to before the encryption migrations (BEFORE): the values are read back in clear;
4. forward again to the latest state: everything is read back encrypted and readable, the move's guarantees too,
   and every row's organisation key next to its parent's.

What each stage reads is kept in `RoundTrip`; each test asserts its own part of it (what it asserted inline before).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from reintegra.access import crypto

# Before the encryption migrations of the records that existed then.
BEFORE = [
    ("access", "0007_drop_plaintext_api_tokens"),
    ("cases", "0004_default_programmes"),
    ("referrals", "0003_provider_owner_required"),
    ("sustainability", "0002_default_rss_and_grid"),
]
# The last migration of each app before the consent and share move, and no protection app yet.
BEFORE_MOVE = [
    ("access", "0011_programme_suppression_threshold"),
    ("cases", "0008_identity_document_unique_per_organisation"),
    ("referrals", "0005_versions_for_concurrency"),
    ("protection", None),
]
# Encrypted before the encryption migrations: they stay encrypted whichever way the migrations run.
ALREADY_ENCRYPTED = {
    "cases.Assessment.protection_concerns",
    "cases.Assessment.health_notes",
    "cases.Assessment.mental_health_notes",
    "cases.Assessment.gbv_notes",
    "cases.CounsellingSession.notes",
    "cases.IdentityDocument.number",
    "referrals.Referral.reason",
    "referrals.Referral.feedback",
}
GUARDIAN = "Tutora Zqmigrada"


def migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def tables() -> set[str]:
    return set(connection.introspection.table_names())


def raw_column(table: str, column: str) -> list[Any]:
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {qn(column)} FROM {qn(table)} ORDER BY id")  # noqa: S608 - constants
        return [row[0] for row in cursor.fetchall()]


def encrypted_at_rest(table: str, column: str) -> bool:
    """Every non-empty value of the column is a ciphertext (empty stays empty), and there is one at least."""
    stored = [value for value in raw_column(table, column) if value]
    return bool(stored) and all(value.startswith(crypto.ENCRYPTED_PREFIX) for value in stored)


def content_type_pk(app_label: str, model: str) -> int | None:
    from django.contrib.contenttypes.models import ContentType

    found = ContentType.objects.filter(app_label=app_label, model=model).values_list("pk", flat=True)
    return found[0] if found else None


def refused(write: Any) -> bool:
    """Whether the database refuses the write (an append-only table)."""
    try:
        with transaction.atomic():
            write()
    except DatabaseError:
        return True
    return False


@dataclass
class Encryption:
    """What the encryption test reads (tests/security/test_encryption_at_rest_migrations.py)."""

    surviving: list[str] = field(default_factory=list)  # labels whose table exists before the migrations
    still_clear: list[str] = field(default_factory=list)  # newly encrypted labels NOT back in clear before them
    reopened_note: str = ""  # the timeline's JSON of the reopening event, before them
    left_in_clear: list[str] = field(default_factory=list)  # labels in clear after them
    not_read_back: list[str] = field(default_factory=list)  # surviving labels not read back after them
    trail_update_refused: bool = False


@dataclass
class Move:
    """What the consent and share move test reads (tests/test_protection_migrations.py)."""

    made: dict[str, Any] = field(default_factory=dict)
    consents: dict[int, tuple[str, str, str]] = field(default_factory=dict)  # written before, and the added one
    shares: dict[int, tuple[Any, ...]] = field(default_factory=dict)
    referral_consents: dict[int, int] = field(default_factory=dict)
    consent_type: int = 0
    history: int = 0
    old_tables: set[str] = field(default_factory=set)
    old_consent_type: int | None = None  # access.consent's content type before the move
    old_protection_type: int | None = None
    old_history: int = 0
    old_consent_encrypted: bool = False
    added: int = 0  # the consent written through the models of before the move
    # After the move (the latest state again).
    new_tables: set[str] = field(default_factory=set)
    consents_after: dict[int, tuple[str, str, str]] = field(default_factory=dict)
    encrypted_after: dict[str, bool] = field(default_factory=dict)  # "table.column" → every value a ciphertext
    shares_after: dict[int, tuple[Any, ...]] = field(default_factory=dict)
    referral_consents_after: dict[int, int] = field(default_factory=dict)
    referrals_find_their_consent: bool = False
    consent_type_after: int = 0
    moved_types_left: list[int | None] = field(default_factory=list)  # access.consent's, cases.caseshare's
    history_after: int = 0
    share_history_kept: bool = False
    partner_sees_the_case: bool = False
    withdrawn_on: Any = None  # the added consent withdrawn through today's services, as stored
    consent_constraints: set[str] = field(default_factory=set)
    deletes_refused: dict[str, bool] = field(default_factory=dict)  # audit table → DELETE refused


@dataclass
class Key:
    """What the organisation key test reads (tests/test_organisation_key_migration.py): per keyed table, row id →
    organisation."""

    written: dict[str, dict[Any, int]] = field(default_factory=dict)  # the parent's, at the latest state
    keyed_back_there: list[str] = field(default_factory=list)  # tables still holding the key before the move
    rows_back_there: dict[str, set[Any]] = field(default_factory=dict)  # the rows of the tables without it
    stored_after: dict[str, dict[Any, int]] = field(default_factory=dict)  # in the row itself, forward again
    parents_after: dict[str, dict[Any, int]] = field(default_factory=dict)  # the parent's, forward again


@dataclass
class RoundTrip:
    encryption: Encryption
    move: Move
    key: Key


def _records_before_the_move(move: Move) -> None:
    """Records of every kind the move touches, written through today's services (consents with encrypted
    text, a withdrawn one, shares with and without consent, a referral under a consent, change-log entries)."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from reintegra.access.roles import Role
    from reintegra.protection import services
    from reintegra.protection.choices import ConsentMethod, ConsentPurpose
    from reintegra.protection.models import CaseShare, Consent
    from reintegra.referrals.models import Referral
    from reintegra.testing import factories

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
    move.made = {"case": case, "partner_supervisor": partner_supervisor, "share": share}
    move.consents = {c.pk: (c.guardian_name, c.recipient_description, c.withdrawal_note) for c in Consent.objects.all()}
    move.shares = {s.pk: (s.case_id, s.organisation_id, s.consent_id, s.reason) for s in CaseShare.objects.all()}
    move.referral_consents = dict(Referral.objects.exclude(consent=None).values_list("pk", "consent_id"))
    move.consent_type = ContentType.objects.get_for_model(Consent).pk
    move.history = LogEntry.objects.filter(content_type_id=move.consent_type).count()


def _before_the_move(move: Move, executor: MigrationExecutor) -> None:
    """The old layout, as a database from before the move has it; the old code keeps writing there."""
    from auditlog.models import LogEntry

    move.old_tables = tables()
    move.old_consent_type = content_type_pk("access", "consent")
    move.old_protection_type = content_type_pk("protection", "consent")
    move.old_history = LogEntry.objects.filter(content_type_id=move.consent_type).count()
    old = executor.loader.project_state([key for key in BEFORE_MOVE if key[1]]).apps
    case = move.made["case"]
    returnee = old.get_model("cases", "Returnee").objects.get(pk=case.returnee_id)
    added = old.get_model("access", "Consent").objects.create(
        returnee=returnee,
        purpose="referral",
        recipient_description="Cualquier clínica pública",
        guardian_name=GUARDIAN + " 2",
        method="verbal",
        given_on=timezone.localdate(),
        recorded_by_id=case.case_manager_id,
    )
    move.added = added.pk
    move.consents[added.pk] = (GUARDIAN + " 2", "Cualquier clínica pública", "")
    move.old_consent_encrypted = encrypted_at_rest("access_consent", "guardian_name")


def _after_the_move(move: Move) -> None:
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from reintegra.access.models import AccessEvent
    from reintegra.cases import selectors as case_selectors
    from reintegra.protection import services
    from reintegra.protection.models import CaseShare, Consent
    from reintegra.referrals.models import Referral

    ContentType.objects.clear_cache()  # read from the table, not remembered from before the replay
    move.new_tables = tables()
    move.consents_after = {
        c.pk: (c.guardian_name, c.recipient_description, c.withdrawal_note) for c in Consent.objects.all()
    }
    move.encrypted_after = {
        f"{table}.{column}": encrypted_at_rest(table, column)
        for table, column in (("protection_consent", "guardian_name"), ("protection_caseshare", "reason"))
    }
    move.shares_after = {s.pk: (s.case_id, s.organisation_id, s.consent_id, s.reason) for s in CaseShare.objects.all()}
    referred = Referral.objects.exclude(consent=None)
    move.referral_consents_after = dict(referred.values_list("pk", "consent_id"))
    move.referrals_find_their_consent = all(r.consent.pk for r in referred.select_related("consent"))
    move.consent_type_after = ContentType.objects.get_for_model(Consent).pk
    move.moved_types_left = [content_type_pk("access", "consent"), content_type_pk("cases", "caseshare")]
    move.history_after = LogEntry.objects.filter(content_type_id=move.consent_type).count()
    move.share_history_kept = LogEntry.objects.get_for_object(move.made["share"]).exists()
    case = move.made["case"]
    move.partner_sees_the_case = case_selectors.cases_for(move.made["partner_supervisor"]).filter(pk=case.pk).exists()
    # New rows go to the new tables; the index carries its new name.
    services.withdraw_consent(case.case_manager, Consent.objects.get(pk=move.added), note="Retirado")
    move.withdrawn_on = raw_column("protection_consent", "withdrawn_on")[-1]
    with connection.cursor() as cursor:
        move.consent_constraints = set(connection.introspection.get_constraints(cursor, "protection_consent"))
    # The audit tables are still append-only after the move.
    for model in (AccessEvent, LogEntry):
        move.deletes_refused[model._meta.db_table] = refused(model.objects.all().delete)


def _keyed() -> list[Any]:
    return [model for model in apps.get_models() if getattr(model, "organisation_from", None)]


def _parents_of_keyed_rows() -> dict[str, dict[Any, int]]:
    """Per keyed table: row id → its parent's organisation, read through the parent."""
    found = {}
    for model in _keyed():
        parent = model._meta.get_field(model.organisation_from)
        found[model._meta.db_table] = dict(
            model._base_manager.values_list("pk", f"{parent.name}__organisation_id")  # type: ignore[arg-type]
        )
    return found


def _records_of_another_organisation() -> None:
    from reintegra.access.roles import Role
    from reintegra.testing import factories

    factories.agreed_case(factories.user(factories.organisation("org-mig"), Role.CASE_MANAGER))


def _key_before_the_move(key: Key) -> None:
    """Before the move the organisation key (cases.0016 and the migrations after it) is not applied yet."""
    qn = connection.ops.quote_name
    present = tables()
    with connection.cursor() as cursor:
        for table in key.written:
            if table not in present:
                continue
            columns = {column.name for column in connection.introspection.get_table_description(cursor, table)}
            if "organisation_id" in columns:
                key.keyed_back_there.append(table)
            else:
                cursor.execute(f"SELECT id FROM {qn(table)}")  # noqa: S608 - a model's table
                key.rows_back_there[table] = {row[0] for row in cursor.fetchall()}


def _key_after(key: Key) -> None:
    key.stored_after = {
        model._meta.db_table: dict(model._base_manager.values_list("pk", "organisation_id")) for model in _keyed()
    }
    key.parents_after = _parents_of_keyed_rows()


def _table_of(label: str) -> str:
    app_label, model_name, _field = label.split(".")
    return apps.get_model(app_label, model_name)._meta.db_table


def _before_the_encryption(seen: Encryption, surviving: list[str]) -> None:
    from reintegra.testing.personal_records import expected, raw_text_of_every_table

    # A model added later to an app of BEFORE (access's export jobs) has no table back there either: its rows
    # go with it, as the later apps' do.
    present = tables()
    seen.surviving = [label for label in surviving if _table_of(label) in present]
    newly = [label for label in seen.surviving if label not in ALREADY_ENCRYPTED]
    dump = raw_text_of_every_table()
    seen.still_clear = [label for label in newly if expected(label).lower() not in dump]
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM cases_caseevent WHERE kind = 'reopened'")
        seen.reopened_note = str(cursor.fetchone()[0])


def _after_the_encryption(seen: Encryption) -> None:
    from reintegra.access.models import AccessEvent
    from reintegra.testing.personal_records import (
        ENCRYPTED,
        expected,
        holds_expected,
        raw_text_of_every_table,
        stored_value,
    )

    dump = raw_text_of_every_table()
    seen.left_in_clear = [label for label in ENCRYPTED if expected(label).lower() in dump]
    seen.not_read_back = [label for label in seen.surviving if not holds_expected(label, stored_value(label))]
    seen.trail_update_refused = refused(lambda: AccessEvent.objects.update(flagged=False))


def replay() -> RoundTrip:
    """The four stages on the current connection (a fresh copy of the template: own_database)."""
    from reintegra.testing.personal_records import ENCRYPTED, build_everything

    seen, move, key = Encryption(), Move(), Key()
    build_everything()
    _records_before_the_move(move)
    _records_of_another_organisation()
    key.written = _parents_of_keyed_rows()
    # The tables of the apps built after these migrations (children, hand-over, community, employment, public) are
    # encrypted from their first row: going back drops them (with their rows), so they have nothing to decrypt.
    later_apps = ("children.", "handover.", "community.", "employment.", "public.")
    surviving = [label for label in ENCRYPTED if not label.startswith(later_apps)]
    try:
        _before_the_move(move, migrate(BEFORE_MOVE))
        _key_before_the_move(key)
        migrate(BEFORE)
        _before_the_encryption(seen, surviving)
    finally:
        migrate(latest())
    _after_the_encryption(seen)
    _after_the_move(move)
    _key_after(key)
    return RoundTrip(encryption=seen, move=move, key=key)

"""Issue 11, item 2: consent and case shares moved from `access` and `cases` into `protection` with their rows.

A database from before the move (built here by unapplying the move, then written to through the models of
that time, as the old code did) is migrated forward: every consent and share is still there, encrypted
and readable, under the new tables; a referral still finds its consent; the change log written under the
old names stays attached to the records; shared cases are still visible to the organisation they were
shared with; the audit tables are still append-only. Runs on SQLite and PostgreSQL (DATABASE_URL).

The records, the migrations back and forward and the reads are the run's one replay of the migrations
(tests/migration_round_trip.py, shared with the encryption test): this test asserts what the move must keep.
"""

from tests.migration_round_trip import RoundTrip

OLD_TABLES = {"access_consent", "cases_caseshare"}
NEW_TABLES = {"protection_consent", "protection_caseshare"}


def test_consents_and_shares_survive_the_move_with_their_history(migration_round_trip: RoundTrip):
    move = migration_round_trip.move
    # Written through today's services before the replay.
    assert move.made["share"].consent_id is not None
    written = [pk for pk in move.consents if pk != move.added]
    assert written and len(move.shares) == 2 and move.referral_consents
    assert move.history >= len(written)
    # The old layout, as a database from before the move has it.
    assert move.old_tables >= OLD_TABLES and not NEW_TABLES & move.old_tables
    assert move.old_consent_type == move.consent_type
    assert move.old_protection_type is None
    assert move.old_history == move.history
    # The old code kept writing there: one more consent through the models of that time, encrypted.
    assert move.added in move.consents and move.old_consent_encrypted

    assert move.new_tables >= NEW_TABLES and not OLD_TABLES & move.new_tables
    # Every row, readable through today's models, and still encrypted at rest.
    assert move.consents_after == move.consents
    assert move.encrypted_after == {"protection_consent.guardian_name": True, "protection_caseshare.reason": True}
    assert move.shares_after == move.shares
    assert move.referral_consents_after == move.referral_consents
    assert move.referrals_find_their_consent
    # The content type moved with the model: the change log written before still belongs to the records.
    assert move.consent_type_after == move.consent_type
    assert move.moved_types_left == [None, None]
    assert move.history_after == move.history
    assert move.share_history_kept
    # A share still lets the receiving organisation see the case.
    assert move.partner_sees_the_case
    # New rows go to the new tables; the index carries its new name.
    assert move.withdrawn_on is not None
    assert "consent_returnee_purpose_idx" in move.consent_constraints
    # The audit tables are still append-only after the move.
    assert move.deletes_refused == {"access_accessevent": True, "auditlog_logentry": True}

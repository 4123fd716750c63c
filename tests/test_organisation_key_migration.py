"""Issue 19: the migrations adding the organisation key to the rows below a case fill it from the parent, set-based,
for rows written before them. The rows are written through today's services, the key columns are removed by
migrating back, and migrating forward fills them again: every row holds its parent's organisation. Runs on SQLite
and PostgreSQL (DATABASE_URL).

The records, the migrations back and forward and the reads are the run's one replay of the migrations
(tests/migration_round_trip.py, shared with the encryption and consent-move tests): this test asserts the key's part.
"""

from tests.migration_round_trip import RoundTrip

# The case search tokens are written with their case's organisation from the start (cases.0015, before the key):
# the key migration only adds the database's guard to them.
GUARDED_ONLY = {"cases_casesearchtoken"}


def test_rows_written_before_the_key_get_their_parents_organisation(migration_round_trip: RoundTrip):
    key = migration_round_trip.key
    written = sum(len(rows) for rows in key.written.values())
    assert written > 50 and len({org for rows in key.written.values() for org in rows.values()}) >= 2
    # Back before the key, no table holds it.
    assert set(key.keyed_back_there) <= GUARDED_ONLY
    # The rows that were there without it, forward again: each holds the organisation it was written under (the
    # rows a later migration rebuilds, such as the match keys on PostgreSQL, come back under other ids: the last
    # assertion covers them).
    filled = {
        (table, pk): key.stored_after[table][pk]
        for table, rows in key.rows_back_there.items()
        for pk in rows
        if pk in key.written[table] and pk in key.stored_after[table]
    }
    assert len(filled) > 50 and len(set(filled.values())) >= 2
    assert filled == {(table, pk): key.written[table][pk] for table, pk in filled}
    # And every row forward again, the survivors and those written back there alike, holds its parent's.
    assert key.stored_after == key.parents_after

"""PostgreSQL: the name-search tokens and the blocking keys hold their organisation key by statement-level
triggers (`access.org_key.statement_key_sql`) instead of the composite foreign key `(returnee_id,
organisation_id) -> cases_returnee (id, organisation_id)`. A foreign key is checked row by row at commit, about
4 µs a row; a 100,000-row manifest writes some 1.4 million tokens and 560,000 keys, and their checks were 7.5 of
the commit's 10 seconds at a million people, with one core idle (docs/reception.md). The triggers check each
statement's rows with one join and lock their parents as the key did; a parent's new organisation or id is carried to
its rows, and a parent deleted while rows still name it is refused at commit.

SQLite is unchanged: its single-column foreign keys and its triggers (`keep_equal_sql`) stay."""

from django.db import migrations

from reintegra.access.org_key import Link, keyed_per_statement


class Migration(migrations.Migration):
    dependencies = [("cases", "0017_index_tables_one_foreign_key")]

    operations = [
        keyed_per_statement(
            Link("cases_nametoken", "returnee_id", "cases_returnee", per_statement=True),
            Link("cases_matchkey", "returnee_id", "cases_returnee", per_statement=True),
        )
    ]

"""Names, contact details and exact birth dates encrypted at rest; name search and duplicate keys as blind indexes.

Forward, on a database with rows (SQLite and PostgreSQL):
- returnees' names, phone, locality, address and household members' names become text columns holding
  Fernet tokens, and exact birth dates move to encrypted text columns (through a new column, so no
  database-specific date-to-text cast is involved); every existing row is encrypted in place;
- the clear-text search columns (Returnee.search_name, Case.search_text) are dropped; name search reads
  NameToken (keyed hashes of words, prefixes and phonetic keys) and the duplicate check MatchKey, whose
  keys become keyed hashes; both are built for every existing returnee (cases/name_index.py), with the
  clear birth year and the birth-date hash of each.

Reversible: backwards, values are decrypted into the clear columns again, the clear search columns and
the clear blocking keys are rebuilt and the blind-index tables emptied. Both directions need the keys
the data was written with (REINTEGRA_FIELD_KEYS, REINTEGRA_BLIND_INDEX_KEY).
"""

from django.db import connection, migrations, models

import reintegra.access.fields
from reintegra.cases import matching, name_index

BATCH = 500
RETURNEE_TEXT = ("given_names", "first_family_name", "second_family_name", "phone", "locality", "address")
MEMBER_TEXT = ("given_names", "family_names")


def _batches(queryset):
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def encrypt_and_index(apps, schema_editor):
    Returnee = apps.get_model("cases", "Returnee")
    HouseholdMember = apps.get_model("cases", "HouseholdMember")
    NameToken = apps.get_model("cases", "NameToken")
    MatchKey = apps.get_model("cases", "MatchKey")
    idx = name_index.Indexer()
    for batch in _batches(Returnee.objects.all()):
        tokens, keys = [], []
        for r in batch:
            # Read in clear (a value without the encryption prefix is returned as stored); saved encrypted.
            r.birth_date_encrypted = r.birth_date
            if r.anonymised_at is not None:
                r.birth_year = r.estimated_birth_year
                continue  # anonymised: nothing to find them by
            index = name_index.identity_index(
                idx,
                r.organisation_id,
                r.given_names,
                r.first_family_name,
                r.second_family_name,
                r.birth_date,
                r.estimated_birth_year,
            )
            r.birth_year, r.birth_date_index, r.match_record = (
                index.birth_year,
                index.birth_date_index,
                index.match_record,
            )
            tokens.extend(NameToken(returnee_id=r.pk, kind=kind, digest=digest) for kind, digest in index.tokens)
            keys.extend(MatchKey(returnee_id=r.pk, key=key) for key in index.match_keys)
        Returnee.objects.bulk_update(
            batch, [*RETURNEE_TEXT, "birth_date_encrypted", "birth_year", "birth_date_index", "match_record"]
        )
        NameToken.objects.bulk_create(tokens)
        MatchKey.objects.bulk_create(keys)
    for batch in _batches(HouseholdMember.objects.all()):
        for m in batch:
            m.birth_date_encrypted = m.birth_date
        HouseholdMember.objects.bulk_update(batch, [*MEMBER_TEXT, "birth_date_encrypted"])
    _checks_now(schema_editor)


def _write_clear(table, pk, values):
    """Clear values written past the (encrypting) model fields, for the columns to become plain again."""
    qn = connection.ops.quote_name
    assignments = ", ".join(f"{qn(column)} = %s" for column in values)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {qn(table)} SET {assignments} WHERE id = %s",  # noqa: S608 - names from this migration
            [*values.values(), pk],
        )


def decrypt_and_unindex(apps, schema_editor):
    Returnee = apps.get_model("cases", "Returnee")
    HouseholdMember = apps.get_model("cases", "HouseholdMember")
    apps.get_model("cases", "NameToken").objects.all().delete()
    apps.get_model("cases", "MatchKey").objects.all().delete()
    for batch in _batches(Returnee.objects.all()):
        for r in batch:
            _write_clear(Returnee._meta.db_table, r.pk, {name: getattr(r, name) for name in RETURNEE_TEXT})
            Returnee.objects.filter(pk=r.pk).update(birth_date=r.birth_date_encrypted)
    for batch in _batches(HouseholdMember.objects.all()):
        for m in batch:
            _write_clear(HouseholdMember._meta.db_table, m.pk, {name: getattr(m, name) for name in MEMBER_TEXT})
            HouseholdMember.objects.filter(pk=m.pk).update(birth_date=m.birth_date_encrypted)
    _checks_now(schema_editor)


def delete_clear_match_keys(apps, schema_editor):
    apps.get_model("cases", "MatchKey").objects.all().delete()


def rebuild_clear_match_keys(apps, schema_editor):
    """Backwards: the blocking keys as they were stored before (phonetic codes and years in clear)."""
    Returnee = apps.get_model("cases", "Returnee")
    MatchKey = apps.get_model("cases", "MatchKey")
    for batch in _batches(Returnee.objects.filter(anonymised_at__isnull=True)):
        keys = []
        for r in batch:
            person = matching.PersonRecord(
                id=r.pk,
                given_names=r.given_names,
                first_family_name=r.first_family_name,
                second_family_name=r.second_family_name,
                birth_date=r.birth_date,
                birth_year=r.estimated_birth_year,
            )
            keys.extend(MatchKey(returnee_id=r.pk, key=k) for k in sorted(matching.blocking_keys(person)))
        MatchKey.objects.bulk_create(keys)
    _checks_now(schema_editor)


def fill_clear_search_columns(apps, schema_editor):
    """Backwards: the clear search columns as services kept them before."""
    Returnee = apps.get_model("cases", "Returnee")
    Case = apps.get_model("cases", "Case")
    for batch in _batches(Returnee.objects.all()):
        for r in batch:
            family = " ".join(part for part in (r.first_family_name, r.second_family_name) if part)
            name = matching.normalize_name(f"{r.given_names} {family}".strip())
            if r.anonymised_at is None:
                Returnee.objects.filter(pk=r.pk).update(search_name=name)
            else:
                name = ""
            for case in Case.objects.filter(returnee_id=r.pk).only("pk", "case_number"):
                text = f"{name} {case.case_number.lower()}" if name else case.case_number.lower()
                Case.objects.filter(pk=case.pk).update(search_text=text[:360])
    _checks_now(schema_editor)


def _encrypted_char(label, max_length, **kwargs):
    return reintegra.access.fields.EncryptedCharField(max_length=max_length, verbose_name=label, **kwargs)


def _checks_now(schema_editor):
    # PostgreSQL: run the deferred foreign-key checks of the rows written above now, or the schema changes
    # that follow in this transaction fail ("pending trigger events").
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_versions_for_concurrency"),
    ]

    operations = [
        migrations.CreateModel(
            name="NameToken",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.PositiveSmallIntegerField(choices=[(1, "word"), (2, "prefix"), (3, "phonetic")])),
                ("digest", models.BigIntegerField()),
                (
                    "returnee",
                    models.ForeignKey(
                        on_delete=models.deletion.CASCADE, related_name="+", to="cases.returnee"
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["digest", "returnee"], name="name_token_digest_idx")],
            },
        ),
        migrations.AddField(
            model_name="returnee",
            name="birth_year",
            field=models.PositiveSmallIntegerField(blank=True, editable=False, null=True, verbose_name="birth year"),
        ),
        migrations.AddField(
            model_name="returnee",
            name="birth_date_index",
            field=models.BigIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="returnee",
            name="match_record",
            field=reintegra.access.fields.EncryptedTextField(blank=True, default="", editable=False),
        ),
        migrations.AddField(
            model_name="returnee",
            name="birth_date_encrypted",
            field=reintegra.access.fields.EncryptedDateField(blank=True, null=True, verbose_name="birth date"),
        ),
        migrations.AddField(
            model_name="householdmember",
            name="birth_date_encrypted",
            field=reintegra.access.fields.EncryptedDateField(blank=True, null=True, verbose_name="birth date"),
        ),
        migrations.AlterField(
            model_name="returnee", name="given_names", field=_encrypted_char("given names", 120, blank=False)
        ),
        migrations.AlterField(
            model_name="returnee",
            name="first_family_name",
            field=_encrypted_char("first family name", 80, blank=False),
        ),
        migrations.AlterField(
            model_name="returnee", name="second_family_name", field=_encrypted_char("second family name", 80)
        ),
        migrations.AlterField(model_name="returnee", name="phone", field=_encrypted_char("phone", 32)),
        migrations.AlterField(
            model_name="returnee", name="locality", field=_encrypted_char("locality / community", 120)
        ),
        migrations.AlterField(model_name="returnee", name="address", field=_encrypted_char("address", 250)),
        migrations.AlterField(
            model_name="householdmember", name="given_names", field=_encrypted_char("given names", 120, blank=False)
        ),
        migrations.AlterField(
            model_name="householdmember", name="family_names", field=_encrypted_char("family names", 160)
        ),
        # Blocking keys become keyed hashes: the clear ones go first, so the column can change type.
        migrations.RunPython(delete_clear_match_keys, rebuild_clear_match_keys),
        migrations.AlterField(model_name="matchkey", name="key", field=models.BigIntegerField()),
        migrations.RunPython(encrypt_and_index, decrypt_and_unindex),
        migrations.RemoveField(model_name="returnee", name="birth_date"),
        migrations.RenameField(model_name="returnee", old_name="birth_date_encrypted", new_name="birth_date"),
        migrations.RemoveField(model_name="householdmember", name="birth_date"),
        migrations.RenameField(model_name="householdmember", old_name="birth_date_encrypted", new_name="birth_date"),
        migrations.RunPython(migrations.RunPython.noop, fill_clear_search_columns),
        migrations.RemoveIndex(model_name="case", name="case_search_idx"),
        migrations.RemoveField(model_name="case", name="search_text"),
        migrations.RemoveField(model_name="returnee", name="search_name"),
        migrations.AlterModelOptions(
            name="returnee",
            options={"ordering": ["id"], "verbose_name": "returnee", "verbose_name_plural": "returnees"},
        ),
    ]

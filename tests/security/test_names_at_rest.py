"""Issue 10, item 5 for the returnee's identity: names, contact details and exact birth dates are encrypted
at rest, name search and the duplicate check run on keyed hashes, and nothing of the name stays in clear.

Each test reads the database with a raw cursor, as someone holding a copy of it would.
"""

import re
from datetime import date
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from reintegra.access import crypto
from reintegra.access.management.commands.rotate_keys import encrypted_columns
from reintegra.access.roles import Role
from reintegra.cases import matching, name_index, selectors, services
from reintegra.cases.models import Case, CaseSearchToken, MatchKey, NameToken, Returnee
from reintegra.protection import services as protection_services
from reintegra.testing import factories

pytestmark = pytest.mark.django_db


GIVEN, FIRST, SECOND = "Zoraida Xiomara", "Quetzalcóatl", "Yxtabay"
PHONE, ADDRESS, LOCALITY = "+526645550199", "Calle Olivo 1234, Colonia Zqxland", "Ejido Zqxcampo"
BIRTH = date(1987, 11, 23)
CHILD_GIVEN, CHILD_FAMILY, CHILD_BIRTH = "Wendolyne", "Quetzalcóatl Uxmalito", date(2015, 2, 14)
DOCUMENT = "ZQX4471902"


def raw_rows(table: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - fixed names
        return cursor.fetchall()


def database_text() -> str:
    """Every value of every table, as text: what a stolen copy of the database shows."""
    chunks = []
    for table in connection.introspection.table_names():
        for row in raw_rows(table):
            chunks.extend(str(value) for value in row if value is not None)
    return "\n".join(chunks)


def clear_forms() -> set[str]:
    """The identity in every form it could leak in: as typed, normalised, word by word, prefixes, sounds."""
    forms = {GIVEN, FIRST, SECOND, PHONE, ADDRESS, LOCALITY, CHILD_GIVEN, CHILD_FAMILY, DOCUMENT}
    forms |= {BIRTH.isoformat(), CHILD_BIRTH.isoformat(), "1987-11-23", "23/11/1987", "2015-02-14"}
    for _kind, term in matching.name_search_terms(GIVEN, FIRST, SECOND):
        if len(term) >= 5:  # shorter fragments occur by chance in any base64 text
            forms.add(term)
            forms.add(term.upper())
    for key in matching.blocking_keys(matching.PersonRecord(0, GIVEN, FIRST, SECOND, birth_date=BIRTH)):
        forms.add(key)
    forms |= {matching.phonetic_key(w) for w in ("Zoraida", "Xiomara", "Quetzalcoatl", "Yxtabay")}
    return forms


@pytest.fixture
def registered(case_manager):
    returnee = factories.returnee(
        case_manager,
        given_names=GIVEN,
        first_family_name=FIRST,
        second_family_name=SECOND,
        birth_date=BIRTH,
        phone=PHONE,
        address=ADDRESS,
        locality=LOCALITY,
        documents=[services.DocumentInput("passport", DOCUMENT, "MX")],
    )
    case = factories.case(case_manager, returnee)
    services.set_household(
        case_manager,
        case,
        [services.MemberInput(CHILD_GIVEN, "child", family_names=CHILD_FAMILY, birth_date=CHILD_BIRTH)],
    )
    return case


def test_raw_rows_hold_no_name_contact_or_birth_date_in_clear(registered):
    returnee = registered.returnee
    (row,) = [r for r in raw_rows("cases_returnee") if r[0] == returnee.pk]
    columns = [c.name for c in connection.introspection.get_table_description(connection.cursor(), "cases_returnee")]
    stored = dict(zip(columns, row, strict=True))
    for column in ("given_names", "first_family_name", "second_family_name", "phone", "address", "locality"):
        assert stored[column].startswith(crypto.ENCRYPTED_PREFIX), column
    assert stored["birth_date"].startswith(crypto.ENCRYPTED_PREFIX)
    assert stored["match_record"].startswith(crypto.ENCRYPTED_PREFIX)
    assert stored["birth_year"] == 1987  # the clear year statistics need
    assert "search_name" not in stored
    assert "search_text" not in {
        c.name for c in connection.introspection.get_table_description(connection.cursor(), "cases_case")
    }
    # The whole database (change log and access trail included) holds none of it in clear.
    dump = database_text()
    assert "Tijuana" in dump or "gestora" in dump  # the dump does see ordinary data
    leaked = sorted(form for form in clear_forms() if form in dump)
    assert leaked == []
    # Read back in clear through the model.
    returnee.refresh_from_db()
    assert (returnee.given_names, returnee.phone, returnee.birth_date) == (GIVEN, PHONE, BIRTH)
    member = registered.household.members.get()
    assert (member.given_names, member.family_names, member.birth_date) == (CHILD_GIVEN, CHILD_FAMILY, CHILD_BIRTH)


def test_token_and_key_tables_hold_only_keyed_hashes(registered):
    tokens = raw_rows("cases_nametoken")
    keys = raw_rows("cases_matchkey")
    assert len(tokens) > 10 and len(keys) > 3
    for table_rows in (tokens, keys):
        for row in table_rows:
            assert all(isinstance(value, int) for value in row)  # ids, kinds and 64-bit digests only
    digests = {row[-1] for row in tokens} | {row[-1] for row in keys}
    # Not a plain (unkeyed) hash of any term either: the key is needed to compute them.
    import hashlib

    for kind, term in matching.name_search_terms(GIVEN, FIRST, SECOND):
        plain = hashlib.sha256(f"{kind}:{term}".encode()).digest()[:8]
        assert int.from_bytes(plain, "big", signed=True) not in digests
    # Scoped to the organisation: the same name in another register gets other digests.
    org_digests = set(NameToken.objects.values_list("digest", flat=True))
    elsewhere = name_index.identity_index(
        name_index.indexer(), registered.organisation_id + 1, GIVEN, FIRST, SECOND, BIRTH, None
    )
    assert org_digests.isdisjoint(d for _k, d in elsewhere.tokens)


def test_name_search_finds_words_prefixes_sounds_and_exact_case_numbers(registered, supervisor):
    def found(term):
        return list(selectors.search_cases(supervisor, selectors.CaseFilters(search=term)))

    assert found("zoraida") == [registered]  # a word, accents and capitals aside
    assert found("QUETZALCOATL zor") == [registered]  # a word and a prefix of another
    assert found("quet") == [registered]  # a prefix of three letters or more
    assert found("ketsalkoatl") == [registered]  # by sound
    assert found("zo") == []  # too short to be a prefix
    assert found("oraida") == []  # the middle of a word is not indexed
    assert found(registered.case_number.lower()) == [registered]
    assert found(registered.case_number[:-1]) == []  # case numbers are exact
    assert found(DOCUMENT.lower()) == [registered]


def test_search_is_an_index_lookup(registered, supervisor):
    with CaptureQueriesContext(connection) as ctx:
        list(selectors.search_cases(supervisor, selectors.CaseFilters(search="Quetzalcoatl Zor")))
    # (The other statements reading NameToken count each word's people, to walk the rarest one.)
    (sql,) = [q["sql"] for q in ctx.captured_queries if "cases_nametoken" in q["sql"] and "case_number" in q["sql"]]
    # The unique index, as typed (the search's union aliases the table, hence any alias).
    assert "UPPER(" not in sql and re.search(r'"(cases_case|[A-Z]\d+)"\."case_number" = ', sql)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table: ask whether the index can serve
            cursor.execute("EXPLAIN " + sql)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
        plan = "\n".join(str(row) for row in cursor.fetchall())
    assert "name_token_digest_idx" in plan and "case_search_token_idx" in plan
    assert "SCAN cases_nametoken" not in plan and "Seq Scan on cases_nametoken" not in plan
    assert "SCAN cases_casesearchtoken" not in plan and "Seq Scan on cases_casesearchtoken" not in plan


def test_duplicate_check_on_hashed_keys_still_finds_the_person(registered, supervisor):
    typed = matching.PersonRecord(0, "ZORAIDA", "Quetzalcoatl", "", birth_date=BIRTH)  # accents, second name off
    found = selectors.duplicate_candidates(supervisor, typed)
    assert found and found[0].returnee.pk == registered.returnee_id and found[0].match.score >= 0.8


def test_rotate_keys_re_encrypts_the_identity_fields(org, team):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(REINTEGRA_FIELD_KEYS=[old]):
        user = factories.user(org, Role.SUPERVISOR, team=team)
        factories.case(user, factories.returnee(user, given_names=GIVEN, phone=PHONE, birth_date=BIRTH))
        before = raw_rows("cases_returnee")
    labels = {label for label, *_ in encrypted_columns()}
    assert {
        "cases.Returnee.given_names",
        "cases.Returnee.first_family_name",
        "cases.Returnee.second_family_name",
        "cases.Returnee.birth_date",
        "cases.Returnee.phone",
        "cases.Returnee.address",
        "cases.Returnee.locality",
        "cases.Returnee.match_record",
        "cases.HouseholdMember.given_names",
        "cases.HouseholdMember.family_names",
        "cases.HouseholdMember.birth_date",
    } <= labels
    with override_settings(REINTEGRA_FIELD_KEYS=[new, old]):
        out = StringIO()
        call_command("rotate_keys", stdout=out)
    assert "cases.Returnee.birth_date: 1 value(s) re-encrypted" in out.getvalue()
    assert raw_rows("cases_returnee") != before
    with override_settings(REINTEGRA_FIELD_KEYS=[new]):  # the old key is gone
        returnee = Returnee.objects.get()
        assert (returnee.given_names, returnee.phone, returnee.birth_date) == (GIVEN, PHONE, BIRTH)
        found = selectors.duplicate_candidates(user, matching.PersonRecord(0, GIVEN, "Hernández", "López"))
        assert [c.returnee.pk for c in found] == [returnee.pk]


def test_rebuild_search_index_after_the_blind_index_key_changes(registered, supervisor):
    def found(term):
        return list(selectors.search_cases(supervisor, selectors.CaseFilters(search=term)))

    with override_settings(REINTEGRA_BLIND_INDEX_KEY="a-new-blind-index-key-of-32-bytes-or-more"):
        assert found("zoraida") == [] and found(DOCUMENT) == []  # digests of the old key
        out = StringIO()
        call_command("rebuild_search_index", "--batch-size", "1", stdout=out)
        assert "1 returnee(s) re-indexed" in out.getvalue()
        assert found("zoraida") == [registered] and found(DOCUMENT) == [registered]
        typed = matching.PersonRecord(0, GIVEN, FIRST, SECOND, birth_date=BIRTH)
        assert selectors.duplicate_candidates(supervisor, typed)[0].returnee.pk == registered.returnee_id
    assert found("zoraida") == []  # and the old key no longer finds anyone


def test_retention_clears_the_search_index(registered):
    returnee = registered.returnee
    assert NameToken.objects.filter(returnee=returnee).exists() and MatchKey.objects.filter(returnee=returnee).exists()
    protection_services.anonymise_returnee(returnee.pk)
    assert not NameToken.objects.filter(returnee=returnee).exists()
    assert not MatchKey.objects.filter(returnee=returnee).exists()
    assert not CaseSearchToken.objects.filter(returnee_id=returnee.pk).exists()
    returnee.refresh_from_db()
    assert (returnee.match_record, returnee.birth_date_index, returnee.birth_year) == ("", None, 1987)
    assert all(form not in database_text() for form in (GIVEN, FIRST, PHONE, CHILD_GIVEN))


def test_encrypted_columns_refuse_value_lookups_instead_of_finding_nothing(registered):
    from django.core.exceptions import FieldError

    for lookup in (
        {"given_names": GIVEN},
        {"birth_date": BIRTH},
        {"phone__icontains": "664"},
        {"birth_date__year": 1987},
    ):
        with pytest.raises(FieldError):
            list(Returnee.objects.filter(**lookup))
    assert Case.objects.filter(returnee__birth_date__isnull=False).count() == 1

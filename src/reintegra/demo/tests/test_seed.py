import re
from collections import Counter
from datetime import date
from io import StringIO
from itertools import pairwise

import phonenumbers
import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from django.db import connection

from reintegra.access import crypto
from reintegra.access.models import Organisation, User
from reintegra.cases import lifecycle, matching, name_index, selectors, services
from reintegra.cases.choices import CLOSURE_CATEGORY, CaseEventKind, CaseStatus, ClosureReason
from reintegra.cases.models import (
    Case,
    CaseNumberSequence,
    Household,
    IdentityDocument,
    MatchKey,
    NameToken,
    PlanItem,
    Returnee,
)
from reintegra.demo import seeding, staff
from reintegra.testing import factories

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 6, 30)
CASE_NUMBER = re.compile(r"^OIM-(MX|GT|HN|SV)-(\d{4})-(\d{5})$")


def snapshot() -> list[tuple]:
    return list(
        Case.objects.order_by("case_number").values_list(
            "case_number",
            "status",
            "return_date",
            "opened_on",
            "closed_on",
            "closure_reason",
            "return_type",
            "returnee__given_names",
            "returnee__first_family_name",
            "returnee__second_family_name",
            "returnee__birth_date",
            "returnee__estimated_birth_year",
            "returnee__municipality__code",
        )
    )


def wipe() -> None:
    Case.objects.all().delete()
    Returnee.objects.all().delete()
    Household.objects.all().delete()
    CaseNumberSequence.objects.all().delete()


@pytest.fixture
def seeded_200(db):
    return seeding.seed(200, seed=11, as_of=AS_OF)


def test_same_seed_same_people_dates_statuses_and_case_numbers():
    seeding.seed(60, seed=3, as_of=AS_OF)
    first = snapshot()
    wipe()
    seeding.seed(60, seed=3, as_of=AS_OF, chunk_size=7)  # chunking does not change the data
    assert snapshot() == first
    wipe()
    seeding.seed(60, seed=4, as_of=AS_OF)
    other = snapshot()
    assert [row[7:10] for row in other] != [row[7:10] for row in first]


def test_every_status_with_the_records_it_implies(seeded_200):
    assert seeded_200.cases == Case.objects.count() == 200
    assert {c.value for c in CaseStatus} == set(Case.objects.values_list("status", flat=True))
    for case in Case.objects.select_related("returnee", "case_manager"):
        assert case.return_date <= case.opened_on <= AS_OF
        assert case.team_id == case.case_manager.team_id
        events = list(case.events.order_by("occurred_at", "id"))
        assert events[0].kind == CaseEventKind.REGISTERED
        assert all(e.actor_id == case.case_manager_id for e in events)
        changes = [(e.data["old"], e.data["new"]) for e in events if e.kind == CaseEventKind.STATUS_CHANGED]
        for (_old, new), (following_old, _new) in pairwise(changes):
            assert following_old == new
        if case.status == CaseStatus.CLOSED:
            assert case.closed_on is not None and case.opened_on <= case.closed_on <= AS_OF
            assert case.closure_category == CLOSURE_CATEGORY[ClosureReason(case.closure_reason)]
            assert events[-1].kind == CaseEventKind.CLOSED
            assert events[-1].data["reason"] == case.closure_reason
        else:
            assert case.closure_reason == "" and case.closed_on is None
            # The stored status is the one the lifecycle derives from the case's records.
            assert lifecycle.status_from_facts(services.facts(case)) == case.status
            assert (changes[-1][1] if changes else CaseStatus.REGISTERED) == case.status
    agreed = Case.objects.filter(status__in=[CaseStatus.PLAN_AGREED, CaseStatus.IN_FOLLOW_UP])
    assert all(case.plan.items.exists() for case in agreed)
    assert not PlanItem.objects.filter(amount__isnull=False, currency="").exists()
    assert Counter(Case.objects.values_list("return_type", flat=True)).most_common(1)[0][0] == "forced"


def test_case_numbers_sequences_and_assignment(seeded_200):
    numbers = list(Case.objects.values_list("case_number", "organisation__code", "opened_on"))
    assert len({n for n, _o, _d in numbers}) == 200
    last = {}
    for number, org_code, opened in sorted(numbers, key=lambda row: (row[1], row[0])):
        match = CASE_NUMBER.match(number)
        assert match and number.startswith(org_code.upper()) and int(match[2]) == opened.year
        key = (org_code, opened.year)
        assert opened >= last.get(key, date.min)  # numbers follow the opening date
        last[key] = opened
    for seq in CaseNumberSequence.objects.select_related("organisation"):
        used = [int(n[-5:]) for n, o, d in numbers if o == seq.organisation.code and d.year == seq.year]
        assert seq.last_value == max(used)
    # Several case managers and teams per organisation, for meaningful scoping.
    for org in Organisation.objects.filter(code__startswith="oim-"):
        cases = Case.objects.filter(organisation=org)
        assert cases.values("case_manager").distinct().count() >= 3
        assert cases.values("team").distinct().count() >= 2


def test_search_index_and_match_keys_as_the_services_compute_them(seeded_200):
    keys: dict[int, set[int]] = {}
    for returnee_id, key in MatchKey.objects.values_list("returnee_id", "key"):
        keys.setdefault(returnee_id, set()).add(key)
    tokens: dict[int, set[tuple[int, int]]] = {}
    for returnee_id, kind, digest in NameToken.objects.values_list("returnee_id", "kind", "digest"):
        tokens.setdefault(returnee_id, set()).add((kind, digest))
    idx = name_index.indexer()
    for returnee in Returnee.objects.all():
        expected = name_index.identity_index(
            idx,
            returnee.organisation_id,
            returnee.given_names,
            returnee.first_family_name,
            returnee.second_family_name,
            returnee.birth_date,
            returnee.estimated_birth_year,
        )
        assert keys[returnee.pk] == set(expected.match_keys)
        assert tokens[returnee.pk] == set(expected.tokens)
        assert (returnee.birth_year, returnee.birth_date_index, returnee.match_record) == (
            expected.birth_year,
            expected.birth_date_index,
            expected.match_record,
        )


def test_duplicate_check_and_search_find_a_seeded_person(seeded_200):
    returnee = Returnee.objects.filter(birth_date__isnull=False).exclude(second_family_name="").order_by("id").first()
    case = returnee.cases.get()
    clerk = case.case_manager
    typed = matching.PersonRecord(
        id=0,
        given_names=returnee.given_names.upper(),
        first_family_name=matching.normalize_name(returnee.first_family_name),  # accents dropped
        second_family_name=returnee.second_family_name,
        birth_date=returnee.birth_date,
    )
    found = selectors.duplicate_candidates(clerk, typed)
    assert found and found[0].returnee.pk == returnee.pk and found[0].match.score >= 0.9
    supervisor = User.objects.get(username=f"{case.organisation.code}-supervisor")
    by_name = selectors.search_cases(
        supervisor, selectors.CaseFilters(search=f"{returnee.first_family_name} {returnee.given_names}")
    )
    assert case in by_name
    assert list(selectors.search_cases(supervisor, selectors.CaseFilters(search=case.case_number))) == [case]


def test_document_numbers_are_encrypted_at_rest_and_blind_indexed(seeded_200):
    assert IdentityDocument.objects.count() > 60
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, number, number_index FROM cases_identitydocument")
        stored = cursor.fetchall()
    clear = dict(IdentityDocument.objects.values_list("id", "number"))
    for pk, raw, index in stored:
        assert raw.startswith(crypto.ENCRYPTED_PREFIX)
        assert clear[pk] not in raw
        assert index == crypto.document_index(clear[pk])
    # Searching by the number finds the case, for someone allowed to see documents.
    doc = IdentityDocument.objects.select_related("returnee").order_by("id").first()
    case = doc.returnee.cases.get()
    supervisor = User.objects.get(username=f"{case.organisation.code}-supervisor")
    assert case in selectors.search_cases(supervisor, selectors.CaseFilters(search=doc.number))


def test_phones_are_valid_and_stored_in_e164_as_the_services_store_them(seeded_200):
    phones = list(Returnee.objects.exclude(phone="").values_list("phone", "return_country"))
    assert len(phones) > 100
    for phone, country in phones:
        parsed = phonenumbers.parse(phone, str(country))
        assert phonenumbers.is_valid_number(parsed), phone
        assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == phone


def test_country_specific_document_formats(seeded_200):
    patterns = {
        ("MX", "national_id"): r"^[A-Z]{4}\d{6}[HM][A-Z]{5}[0-9A-Z]\d$",  # CURP
        ("GT", "national_id"): r"^\d{4} \d{5} \d{4}$",  # DPI / CUI
        ("HN", "national_id"): r"^\d{4}-\d{4}-\d{5}$",  # DNI
        ("SV", "national_id"): r"^\d{8}-\d$",  # DUI
    }
    seen = set()
    for doc in IdentityDocument.objects.all():
        pattern = patterns.get((str(doc.issuing_country), doc.document_type))
        if pattern:
            seen.add(str(doc.issuing_country))
            assert re.match(pattern, doc.number), doc.number
    assert seen


def test_next_case_through_the_services_does_not_collide():
    org = staff.ensure_organisation("oim-hn")
    seeding.seed(40, seed=5, organisations=[org])  # up to today, so this year's numbers are taken
    manager = staff.ensure_staff(org)[0]
    case = factories.case(manager)
    year = case.opened_on.year
    taken = [
        int(n[-5:])
        for n in Case.objects.filter(case_number__contains=f"-{year}-").values_list("case_number", flat=True)
    ]
    assert int(case.case_number[-5:]) == max(taken)
    assert Case.objects.filter(case_number=case.case_number).count() == 1


def test_seeding_again_appends_with_new_case_numbers():
    seeding.seed(30, seed=9, as_of=AS_OF)
    seeding.seed(30, seed=9, as_of=AS_OF)
    assert Case.objects.count() == 60
    assert Case.objects.values("case_number").distinct().count() == 60
    names = Counter(Returnee.objects.values_list("given_names", "first_family_name", "second_family_name"))
    assert all(count % 2 == 0 for count in names.values())  # the same people came back


def test_synthetic_data_is_not_in_the_change_log():
    before = LogEntry.objects.count()
    seeding.seed(20, seed=1, as_of=AS_OF)
    assert LogEntry.objects.count() == before


def test_seed_command(capsys):
    out = StringIO()
    call_command(
        "seed", "--cases", "25", "--seed", "2", "--as-of", "2026-06-30", "--organisation", "oim-gt", stdout=out
    )
    assert "Seeded 25 cases (oim-gt: 25)" in out.getvalue()
    assert set(Returnee.objects.values_list("return_country", flat=True)) == {"GT"}
    assert "Juan" not in out.getvalue() + capsys.readouterr().err  # counts only, never names
    with pytest.raises(CommandError, match="Unknown organisation"):
        call_command("seed", "--cases", "1", "--organisation", "nope", stdout=StringIO())
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("seed", "--cases", "1", "--as-of", "30/06/2026", stdout=StringIO())

"""The case-level search tokens (CaseSearchToken, issue 19): kept exact under every write that changes what they
copy, and a name search read from them finds exactly what the search over the people's tokens finds, in the same
order, within what the user may see."""

from datetime import date, timedelta
from itertools import count

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from reintegra.cases import name_index, selectors
from reintegra.cases import scoping as case_scoping
from reintegra.cases.models import Case, CaseSearchToken, NameToken, Returnee
from reintegra.web.pagination import CappedPaginator

pytestmark = pytest.mark.django_db

WORDS = ["Moreno", "Morena", "Moreño", "Hernández", "López", "Lopes", "María", "José", "Ana", "García"]
SEARCHES = ["moreno", "morena", "more", "lopez", "lopes", "maria moreno", "jose lop", "garcia hernandez", "ana", "xyz"]
_numbers = count(1)


def _person(org, by, given: str, first: str, second: str = "") -> Returnee:
    """A person written as the services write one: derived columns, then NameToken (`name_index.store`)."""
    person = Returnee(
        organisation=org,
        given_names=given,
        first_family_name=first,
        second_family_name=second,
        nationality="MX",
        return_country="MX",
        registered_by=by,
    )
    index = name_index.apply(person)
    person.save()
    name_index.store(person, index)
    return person


def _case(person: Returnee, org, day: date, manager=None) -> Case:
    return Case.objects.create(
        case_number=f"T-{next(_numbers):06d}",
        returnee=person,
        organisation=org,
        return_date=day,
        return_type="forced",
        case_manager=manager,
    )


def _expected_rows() -> set[tuple[int, int, int, date, int]]:
    """What the table must hold: every case x its person's NameToken digests (computed here without SQL joins)."""
    digests: dict[int, set[int]] = {}
    for returnee_id, digest in NameToken.objects.values_list("returnee_id", "digest"):
        digests.setdefault(returnee_id, set()).add(digest)
    return {
        (case_id, digest, org, day, returnee_id)
        for case_id, org, day, returnee_id in Case.objects.values_list(
            "pk", "organisation_id", "return_date", "returnee_id"
        )
        for digest in digests.get(returnee_id, ())
    }


def _stored_rows() -> set[tuple[int, int, int, date, int]]:
    return set(
        CaseSearchToken.objects.values_list("case_id", "digest", "organisation_id", "return_date", "returnee_id")
    )


def _reference(user, term: str) -> list[int]:
    """The search as it was before the case-level table: the people every typed word's NameToken digests find
    (intersected), then their cases the user sees, newest return first."""
    alternatives = name_index.indexer().search_alternatives(selectors.searchable_organisations(user), term)
    people: set[int] | None = None
    for digests in alternatives:
        found = set(NameToken.objects.filter(digest__in=digests).values_list("returnee_id", flat=True))
        people = found if people is None else people & found
    cases = selectors.cases_for(user).filter(returnee_id__in=people or set())
    return list(cases.order_by("-return_date", "-id").values_list("pk", flat=True))


@pytest.fixture
def granted(monkeypatch):
    """A case grant (as `protection`'s shares register one): the case ids in the list, to `other_org`."""
    ids: list[int] = []
    grants = dict(case_scoping._GRANTS)
    grants["test"] = lambda organisation_id: Case.objects.filter(pk__in=ids).values("pk")
    monkeypatch.setattr(case_scoping, "_GRANTS", grants)
    return ids


people_st = st.lists(
    st.tuples(
        st.sampled_from(WORDS),
        st.sampled_from(WORDS),
        st.sampled_from(["", *WORDS]),
        st.booleans(),  # in the other organisation
        st.lists(st.integers(0, 400), min_size=0, max_size=3),  # their cases' return dates, days ago
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=people_st, shared=st.lists(st.integers(0, 30), max_size=3), term=st.sampled_from(SEARCHES))
def test_a_search_read_from_the_case_tokens_finds_what_the_people_tokens_find(
    people, shared, term, org, other_org, supervisor, case_manager, other_supervisor, granted
):
    with transaction.atomic():
        today = date(2026, 11, 1)
        cases = []
        for given_name, first, second, elsewhere, days in people:
            where, by = (other_org, other_supervisor) if elsewhere else (org, supervisor)
            person = _person(where, by, given_name, first, second)
            manager = case_manager if not elsewhere and len(cases) % 2 else None
            cases.extend(_case(person, where, today - timedelta(days=d), manager) for d in days)
        own = [c.pk for c in cases if c.organisation_id == org.pk]
        granted[:] = [own[i % len(own)] for i in shared] if own else []
        assert _stored_rows() == _expected_rows()
        for user in (supervisor, case_manager, other_supervisor):
            found = selectors.search_cases(user, selectors.CaseFilters(search=term))
            expected = _reference(user, term)
            assert list(found.values_list("pk", flat=True)) == expected, (user.username, term)
            assert [c.pk for c in found] == expected  # the rows themselves, read as a plain queryset
            assert CappedPaginator(found.values_list("pk", flat=True), 25).count == len(expected)
            assert list(found.values_list("pk", flat=True)[1:3]) == expected[1:3]  # a page further on
        transaction.set_rollback(True)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["rename", "date", "move_org", "move_person", "delete", "clear"]), st.integers(0, 50)
        ),
        min_size=1,
        max_size=8,
    )
)
def test_the_case_tokens_stay_exact_under_every_write(steps, org, other_org, supervisor, other_supervisor):
    with transaction.atomic():
        people = [_person(org, supervisor, "Ana", name) for name in ("Moreno", "López", "García")]
        cases = [_case(p, org, date(2026, 1, 1) + timedelta(days=i), None) for i, p in enumerate(people * 2)]
        for action, n in steps:
            if not cases:
                break
            case = cases[n % len(cases)]
            person = people[n % len(people)]
            if action == "rename":
                person.first_family_name = WORDS[n % len(WORDS)]
                index = name_index.apply(person)
                person.save()
                name_index.store(person, index)
            elif action == "date":
                case.return_date += timedelta(days=n + 1)
                case.save()
            elif action == "move_org":
                case.organisation = other_org if case.organisation_id == org.pk else org
                case.save(update_fields=["organisation"])
            elif action == "move_person":
                case.returnee = people[(n + 1) % len(people)]
                case.save()
            elif action == "delete":
                cases.remove(case)
                case.delete()
            else:
                name_index.clear([person.pk])
            assert _stored_rows() == _expected_rows(), action
        transaction.set_rollback(True)


def test_an_unrelated_save_does_not_rewrite_the_tokens(org, supervisor):
    case = _case(_person(org, supervisor, "Ana", "Moreno"), org, date(2026, 3, 1))
    case.status = "assessed"
    with CaptureQueriesContext(connection) as ctx:
        case.save(update_fields=["status"])
    assert not any("casesearchtoken" in q["sql"].lower() for q in ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx:
        case.save()  # every field: one read of one token row tells they are current
    assert len([q for q in ctx.captured_queries if "casesearchtoken" in q["sql"].lower()]) == 1


def test_the_rebuild_writes_the_case_tokens(org, supervisor):
    for name in ("Moreno", "López"):
        _case(_person(org, supervisor, "José", name), org, date(2026, 2, 1))
    expected = _expected_rows()
    CaseSearchToken.objects.all().delete()
    counts = name_index.rebuild()
    assert counts["case_tokens"] == len(expected) > 0
    assert _stored_rows() == expected


def test_another_organisations_person_is_never_found_and_a_granted_case_is(
    org, other_org, supervisor, other_supervisor, granted
):
    mine = _case(_person(org, supervisor, "Ana", "Moreno"), org, date(2026, 3, 1))
    theirs = _case(_person(other_org, other_supervisor, "Ana", "Moreno"), other_org, date(2026, 3, 2))
    search = selectors.CaseFilters(search="moreno")
    assert list(selectors.search_cases(supervisor, search).values_list("pk", flat=True)) == [mine.pk]
    assert list(selectors.search_cases(other_supervisor, search).values_list("pk", flat=True)) == [theirs.pk]
    granted.append(mine.pk)
    assert list(selectors.search_cases(other_supervisor, search).values_list("pk", flat=True)) == [theirs.pk, mine.pk]
    assert list(selectors.search_cases(supervisor, search).values_list("pk", flat=True)) == [mine.pk]
    # A full name walks the same ranges, joined: the same scoping.
    full_name = selectors.CaseFilters(search="ana moreno")
    found = selectors.search_cases(other_supervisor, full_name).values_list("pk", flat=True)
    assert list(found) == [theirs.pk, mine.pk]
    assert list(selectors.search_cases(supervisor, full_name).values_list("pk", flat=True)) == [mine.pk]


@pytest.mark.parametrize(("people", "term"), [(2, "moreno"), (12, "moreno"), (12, "josé moreno")])
def test_the_search_api_reads_a_bounded_number_of_statements_whatever_the_matches(org, supervisor, people, term):
    """A common surname's page and capped count are read from the token table: the statements do not grow with
    the matches (the page's rows, then their joins), nor with the words typed (no word counted to choose one)."""
    for i in range(people):
        _case(_person(org, supervisor, "José", "Moreno"), org, date(2026, 1, 1) + timedelta(days=i))
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(supervisor)
    with CaptureQueriesContext(connection) as ctx:
        body = api.get("/api/v1/cases/", {"search": term, "page_size": 5}).json()
    assert body["count"] == people and len(body["results"]) == min(5, people)
    tokens = [q["sql"] for q in ctx.captured_queries if "casesearchtoken" in q["sql"].lower()]
    assert len(tokens) == 2  # the capped count and the page's ids
    assert not any('"cases_case"' in sql.lower() for sql in tokens)  # never a case row to find them
    assert not any("cases_nametoken" in q["sql"].lower() for q in ctx.captured_queries)
    assert len(ctx.captured_queries) <= 6

"""The narrow fact rows of the cases (`monitoring.case_facts`): every write that changes what a case's row says
keeps it equal to the records (services, plain ORM saves and deletes, the bulk reindex of names); writes past
the signals are made right by the rebuild; the `cases` population reads them with the same numbers."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reintegra.access.roles import Role
from reintegra.cases import name_index
from reintegra.cases import services as case_services
from reintegra.cases.choices import CaseStatus
from reintegra.cases.models import Case, ReintegrationPlan, Returnee
from reintegra.monitoring import case_facts
from reintegra.monitoring.models import CaseFact
from reintegra.places.models import AdminArea
from reintegra.testing import factories as f
from reintegra.testing.closure import suggested_decisions
from reintegra.testing.undone import writes_undone

pytestmark = pytest.mark.django_db


def _agrees() -> None:
    assert case_facts.stored() == case_facts.recount()


@pytest.fixture
def office(places):
    _state, muni = places
    other_state = AdminArea.objects.create(country="MX", level=1, code="SO", name="Sonora")
    other_muni = AdminArea.objects.create(country="MX", level=2, code="SO-HMO", name="Hermosillo", parent=other_state)
    org = f.organisation("facts")
    manager = f.user(org, Role.CASE_MANAGER)
    return manager, muni, other_muni


def _person(manager, muni, **overrides) -> Returnee:
    return f.returnee(manager, municipality_id=muni.pk, return_country="MX", **overrides)


# --- Every write path ---------------------------------------------------------------------------------------


def test_the_services_keep_the_fact_row_of_a_case_through_its_life(office):
    manager, muni, _other_muni = office
    case = f.agreed_case(manager, returnee_obj=_person(manager, muni))
    fact = CaseFact.objects.get(pk=case.pk)
    assert (fact.municipality_id, fact.plan_agreed_on, fact.status) == (muni.pk, case.plan.agreed_on, case.status)
    _agrees()
    person = Returnee.objects.get(pk=case.returnee_id)
    case_services.update_returnee(
        manager,
        person,
        f.returnee_input(
            sex="male",
            birth_date=date(1985, 3, 1),
            attention_flags=["disability"],
            return_country="MX",
            municipality_id=muni.pk,
        ),
        documents=False,
    )
    person.refresh_from_db()
    fact.refresh_from_db()
    assert (fact.sex, fact.birth_year, fact.attention_mask) == ("male", 1985, person.attention_mask)
    case_services.update_return_information(manager, case, f.return_input(return_type="voluntary_assisted"))
    assert CaseFact.objects.get(pk=case.pk).return_type == "voluntary_assisted"
    case.refresh_from_db()
    case_services.close_case(manager, case, reason="support_ended", open_matters=suggested_decisions(case))
    fact.refresh_from_db()
    assert (fact.status, fact.closure_category, fact.closed_on) == (
        CaseStatus.CLOSED,
        case.__class__.objects.get(pk=case.pk).closure_category,
        timezone.localdate(),
    )
    _agrees()


def test_plain_saves_and_deletes_of_cases_returnees_and_plans_keep_the_rows(office):
    manager, muni, other_muni = office
    case = f.agreed_case(manager, returnee_obj=_person(manager, muni))
    other = f.case(manager, _person(manager, other_muni))
    person = Returnee.objects.get(pk=case.returnee_id)
    person.municipality = other_muni
    person.save()
    assert CaseFact.objects.get(pk=case.pk).municipality_id == other_muni.pk
    case.returnee = Returnee.objects.get(pk=other.returnee_id)  # a case moved to another person
    case.save(update_fields=["returnee"])
    assert CaseFact.objects.get(pk=case.pk).returnee_id == other.returnee_id
    plan = ReintegrationPlan.objects.get(case=case)
    assert CaseFact.objects.get(pk=case.pk).plan_id == plan.pk
    plan.case = Case.objects.get(pk=other.pk)  # a plan moved to another case leaves the first one's row
    plan.save()
    assert (CaseFact.objects.get(pk=case.pk).plan_id, CaseFact.objects.get(pk=other.pk).plan_id) == (None, plan.pk)
    _agrees()
    plan.case = case
    plan.save()
    ReintegrationPlan.objects.get(case=case).delete()
    assert (CaseFact.objects.get(pk=case.pk).plan_agreed_on, CaseFact.objects.get(pk=case.pk).plan_id) == (None, None)
    _agrees()
    Case.objects.get(pk=other.pk).delete()  # with its plan-less fact row (a cascade)
    assert not CaseFact.objects.filter(pk=other.pk).exists()
    _agrees()


def test_a_write_that_changes_no_fact_leaves_the_row_alone(office):
    manager, muni, _other = office
    case = f.case(manager, _person(manager, muni))
    with CaptureQueriesContext(connection) as queries:
        case.save(update_fields=["updated_at"])
        ReintegrationPlan.objects.filter(case=case).first()
    assert not [q for q in queries.captured_queries if CaseFact._meta.db_table in q["sql"]]
    _agrees()


def test_the_reindex_of_names_rewrites_the_people_s_rows(office):
    manager, muni, _other = office
    case = f.case(manager, _person(manager, muni, birth_date=date(1990, 5, 17)))
    Returnee.objects.filter(pk=case.returnee_id).update(birth_year=1800)  # past the signals: stale
    CaseFact.objects.filter(pk=case.pk).update(birth_year=1800)
    name_index.rebuild()
    assert CaseFact.objects.get(pk=case.pk).birth_year == 1990
    _agrees()


def test_the_rebuild_makes_rows_written_past_the_signals_right_and_is_idempotent(office):
    manager, muni, _other = office
    cases = [f.case(manager, _person(manager, muni)) for _ in range(2)]
    Case.objects.filter(pk=cases[0].pk).update(return_type="voluntary_assisted", closed_on=date(2026, 3, 1))
    CaseFact.objects.filter(pk=cases[1].pk).delete()
    assert case_facts.stored() != case_facts.recount()
    call_command("rebuild_case_facts", stdout=io.StringIO())
    _agrees()
    assert case_facts.rebuild() == 2
    _agrees()


# --- Random sequences of writes (hypothesis) ---------------------------------------------------------------------

OPS = st.lists(
    st.one_of(
        st.tuples(st.just("open"), st.integers(0, 2), st.integers(0, 60)),
        st.tuples(
            st.just("return"), st.integers(0, 9), st.integers(0, 60), st.sampled_from(["forced", "voluntary_assisted"])
        ),
        st.tuples(st.just("close"), st.integers(0, 9), st.sampled_from(["support_ended", "re_migrated"])),
        st.tuples(st.just("plan"), st.integers(0, 9), st.integers(0, 30)),
        st.tuples(st.just("unplan"), st.integers(0, 9)),
        st.tuples(st.just("replan"), st.integers(0, 9), st.integers(0, 9)),
        st.tuples(st.just("person"), st.integers(0, 2), st.sampled_from(["male", "female"]), st.integers(0, 2)),
        st.tuples(st.just("move"), st.integers(0, 9), st.integers(0, 2)),
        st.tuples(st.just("delete"), st.integers(0, 9)),
    ),
    max_size=10,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_the_fact_rows_equal_the_records_after_any_sequence_of_writes(office, ops):
    with writes_undone():  # each example starts from the same records
        _play(office, ops)
        _agrees()


def _open(manager, person, returned_on) -> list[int]:
    """A new case for `person`, unless they have one open: the service refuses a second (a "move" below can give
    a person two open cases)."""
    if person.cases.exclude(status=CaseStatus.CLOSED).exists():
        return []
    return [f.case(manager, person, return_date=returned_on).pk]


def _play(office, ops: list[tuple]) -> None:
    manager, muni, other_muni = office
    areas = [muni, other_muni, None]
    people = [_person(manager, muni if i % 2 else other_muni) for i in range(3)]
    cases: list[int] = []
    today = timezone.localdate()
    for op in ops:
        kind = op[0]
        if kind == "open":
            cases.extend(_open(manager, people[op[1]], today - timedelta(days=op[2])))
        elif kind == "person":
            person = Returnee.objects.get(pk=people[op[1]].pk)
            person.sex, person.municipality = op[2], areas[op[3]]
            person.attention_flags = ["disability"] if op[3] else []
            person.save()
        elif cases:
            _on_case(op, cases, people, today)


def _on_case(op: tuple, cases: list[int], people: list[Returnee], today: date) -> None:
    """One write to one of the cases (`op[1]` picks it)."""
    kind, index = op[0], op[1] % len(cases)
    case = Case.objects.get(pk=cases[index])
    if kind == "return":
        case.return_date, case.return_type = today - timedelta(days=op[2]), op[3]
        case.save()
    elif kind == "close":
        case.status, case.closure_reason, case.closed_on = CaseStatus.CLOSED, op[2], today
        case.closure_category = "planned" if op[2] == "support_ended" else "abrupt"
        case.save()
    elif kind == "plan":
        plan, _created = ReintegrationPlan.objects.get_or_create(case=case)
        plan.agreed_on = today - timedelta(days=op[2])
        plan.save()
    elif kind == "unplan":
        ReintegrationPlan.objects.filter(case=case).delete()
    elif kind == "replan":  # the case's plan moved to another case without one
        plan = ReintegrationPlan.objects.filter(case=case).first()
        target = Case.objects.get(pk=cases[op[2] % len(cases)])
        if plan is not None and not ReintegrationPlan.objects.filter(case=target).exists():
            plan.case = target
            plan.save()
    elif kind == "move":
        case.returnee = people[op[2]]
        case.save()
    else:
        case.delete()
        cases.pop(index)


def test_plan_items_read_through_the_facts_count_what_their_plans_and_cases_say(office):
    from django.db.models import Count

    from reintegra.cases.models import PlanItem
    from reintegra.monitoring import definition, dimensions, engine

    manager, muni, other_muni = office
    cases = [
        f.agreed_case(manager, returnee_obj=_person(manager, m, sex=s))
        for m, s in ((muni, "male"), (other_muni, "female"), (muni, "female"))
    ]
    f.case(manager, _person(manager, muni))  # no plan: no items
    Returnee.objects.filter(pk=cases[2].returnee_id).update(sex="male")  # past the signals: the refresh makes it right
    case_facts.refresh([cases[2].pk])
    today = timezone.localdate()
    parsed = definition.parse({"population": "plan_items", "unit": "record", "date": "agreed_on"}, "count")
    keys = ("sex", "adm2", "programme")
    assert set(keys) <= set(dimensions.available(parsed.population))
    programme_ids = [manager.organisation.programmes.get().pk]
    (values,) = engine.compute(parsed, "count", programme_ids=programme_ids, periods=[(today, today)], by=keys)
    items = PlanItem.objects.filter(plan__agreed_on=today, plan__case__programme_id__in=programme_ids)
    expected = items.values_list(
        "plan__case__returnee__sex", "plan__case__returnee__municipality_id", "plan__case__programme_id"
    ).annotate(n=Count("pk"))
    assert values.total.numerator == items.count() == 3
    assert {b: c.numerator for b, c in values.cells.items()} == {(s, str(m), str(p)): n for s, m, p, n in expected}

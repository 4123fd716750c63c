from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reintegra.access.roles import Role
from reintegra.cases import selectors, services
from reintegra.cases.choices import CaseEventKind, CaseStatus
from reintegra.cases.lifecycle import TransitionError
from reintegra.testing import factories
from reintegra.testing.closure import suggested_decisions

pytestmark = pytest.mark.django_db


def test_full_lifecycle_records_timeline(case_manager):
    case = factories.case(case_manager)
    assert case.status == CaseStatus.REGISTERED
    assert case.case_number.startswith("OIM-MX-")
    services.record_assessment(case_manager, case, {"assessed_on": timezone.localdate(), "economic_need": "high"})
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSED
    services.record_counselling_session(case_manager, case, {"held_on": timezone.localdate(), "notes": "Ansiedad"})
    services.save_plan(
        case_manager,
        case,
        goals="Empleo",
        motivations="Familia",
        items=[services.PlanItemInput(dimension="economic", approach="Colocación laboral", assistance_form="service")],
    )
    services.agree_plan(case_manager, case, agreed_on=timezone.localdate())
    case.refresh_from_db()
    assert case.status == CaseStatus.PLAN_AGREED
    item = case.plan.items.get()
    services.record_follow_up(
        case_manager,
        case,
        {"visited_on": timezone.localdate(), "mode": "phone", "notes": "Bien"},
        [services.ProgressInput(item_id=item.pk, status="in_progress")],
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_FOLLOW_UP
    item.refresh_from_db()
    assert item.status == "in_progress"
    services.close_case(case_manager, case, reason="support_ended", note="Fin", open_matters=suggested_decisions(case))
    case.refresh_from_db()
    assert (case.status, case.closure_category) == (CaseStatus.CLOSED, "planned")
    services.reopen_case(case_manager, case, reason="Nueva amenaza")
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_FOLLOW_UP
    kinds = [e.kind for e in selectors.timeline(case)]
    assert kinds[0] == CaseEventKind.REOPENED
    assert kinds[-1] == CaseEventKind.REGISTERED
    assert CaseEventKind.CLOSED in kinds and CaseEventKind.PLAN_AGREED in kinds


def test_follow_up_needs_agreed_plan(case_manager):
    case = factories.assessed_case(case_manager)
    with pytest.raises(TransitionError) as err:
        services.record_follow_up(case_manager, case, {"visited_on": timezone.localdate()})
    assert err.value.code == "plan_required"


def test_plan_needs_assessment(case_manager):
    case = factories.case(case_manager)
    with pytest.raises(TransitionError) as err:
        services.save_plan(case_manager, case, goals="x", motivations="y")
    assert err.value.code == "assessment_required"


def test_close_needs_reason_and_closed_case_is_frozen(case_manager):
    case = factories.case(case_manager)
    with pytest.raises(TransitionError):
        services.close_case(case_manager, case, reason="")
    services.close_case(case_manager, case, reason="remigrated", open_matters=suggested_decisions(case))
    case.refresh_from_db()
    assert case.closure_category == "abrupt"
    with pytest.raises(TransitionError) as err:
        services.record_assessment(case_manager, case, {"assessed_on": timezone.localdate()})
    assert err.value.code == "case_closed"


def test_agreeing_late_is_flagged_not_refused(case_manager):
    case = factories.assessed_case(case_manager, return_date=timezone.localdate() - timedelta(days=60))
    services.save_plan(
        case_manager,
        case,
        goals="g",
        motivations="m",
        items=[services.PlanItemInput(dimension="social", approach="Documentación", assistance_form="service")],
    )
    plan = services.agree_plan(case_manager, case, agreed_on=timezone.localdate(), late_reason="Hospitalizado")
    assert selectors.plan_is_late(case, plan.agreed_on)
    assert not selectors.plan_is_late(case, case.return_date + timedelta(days=20))


def _cash(amount=500, currency=""):
    return services.PlanItemInput(
        dimension="economic", approach="Efectivo", assistance_form="cash", amount=amount, currency=currency
    )


def test_an_amount_without_currency_is_in_the_organisations_currency(case_manager):
    # Issue 18.5: the organisation works in Mexico, so an amount left without currency is in pesos.
    case = factories.assessed_case(case_manager)
    plan = services.save_plan(case_manager, case, goals="g", motivations="m", items=[_cash()])
    assert plan.items.get().currency == "MXN"
    # A currency typed by the user wins; no amount, no currency.
    services.save_plan(case_manager, case, goals="g", motivations="m", items=[_cash(currency="usd"), _cash(None)])
    assert sorted(plan.items.values_list("currency", flat=True)) == ["", "USD"]


@pytest.mark.parametrize(("country", "currency"), [("GT", "GTQ"), ("HN", "HNL"), ("SV", "USD"), ("MX", "MXN")])
def test_the_default_currency_follows_the_country(country, currency):
    from reintegra.places.currencies import currency_of

    assert currency_of(country) == currency
    assert currency_of(country.lower()) == currency
    assert currency_of("") == currency_of(None) == currency_of("ZZ") == ""


def test_amount_requires_currency_where_the_country_has_none(case_manager):
    case = factories.assessed_case(case_manager)
    type(case.organisation).objects.filter(pk=case.organisation_id).update(country="ZW")
    case.refresh_from_db()
    with pytest.raises(ValidationError) as err:
        services.save_plan(case_manager, case, goals="g", motivations="m", items=[_cash()])
    assert err.value.error_dict["items.0.currency"][0].code == "required"


def test_one_open_case_per_returnee(case_manager):
    case = factories.case(case_manager)
    with pytest.raises(ValidationError) as err:
        services.open_case(case_manager, case.returnee, factories.return_input())
    assert "returnee" in err.value.message_dict


def test_roles_without_edit_capability_cannot_write(org):
    me = factories.user(org, Role.ME_OFFICER)
    with pytest.raises(PermissionDenied):
        factories.returnee(me)


def test_search_is_accent_insensitive_and_scoped(case_manager, other_case_manager):
    mine = factories.case(case_manager)
    factories.case(other_case_manager, factories.returnee(other_case_manager, nationality="GT", return_country="GT"))
    found = selectors.search_cases(case_manager, selectors.CaseFilters(search="HERNANDEZ lopez"))
    assert list(found) == [mine]
    assert list(selectors.search_cases(case_manager, selectors.CaseFilters(search=mine.case_number))) == [mine]


def test_document_number_lookup_by_blind_index(case_manager):
    r = factories.returnee(case_manager, documents=[services.DocumentInput("passport", "G 1234-5678", "MX")])
    case = factories.case(case_manager, r)
    found = selectors.search_cases(case_manager, selectors.CaseFilters(search="g12345678"))
    assert list(found) == [case]


def test_duplicate_candidates_ranked(case_manager):
    original = factories.returnee(case_manager)
    factories.returnee(
        case_manager,
        given_names="Pedro",
        first_family_name="Ramírez",
        second_family_name="Soto",
        birth_date=None,
        estimated_age=40,
    )
    from reintegra.cases.matching import PersonRecord

    query = PersonRecord(id=0, given_names="Maria Jose", first_family_name="Lopez", second_family_name="Hernandes")
    found = selectors.duplicate_candidates(case_manager, query)
    assert [c.returnee for c in found][:1] == [original]

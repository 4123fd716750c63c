"""The reception services: points, arrivals, the intake with its duplicate check and protection routing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reintegra.cases import duplicates
from reintegra.cases.models import Case, Returnee
from reintegra.children.choices import BiaPriority, BiaStatus, CareStatus
from reintegra.children.models import BestInterestsAssessment, ChildProfile
from reintegra.reception import services
from reintegra.reception.models import AssistanceGiven, Intake
from reintegra.reception.tests.conftest import Desk, arrival_input, intake_input, point_input, years_ago
from reintegra.referrals.models import ServiceProvider
from reintegra.testing import factories as f


def codes(error: ValidationError) -> dict[str, list[str]]:
    return {name: [e.code for e in errors] for name, errors in error.error_dict.items()}


# --- points and arrivals ---------------------------------------------------------------------------


def test_point_code_is_unique_per_organisation_only(desk: Desk) -> None:
    with pytest.raises(ValidationError) as caught:
        services.save_point(desk.programme_manager, point_input(name="Otro"))
    assert codes(caught.value) == {"code": ["duplicate"]}
    # The other organisation may use the same code.
    other_pm = f.user(desk.other_org, "programme_manager")
    assert services.save_point(other_pm, point_input(country="HN")).organisation_id == desk.other_org.pk


def test_point_refuses_bad_values_with_codes(desk: Desk) -> None:
    with pytest.raises(ValidationError) as caught:
        services.save_point(desk.programme_manager, point_input(code="No Slug", name="", country="XX", kind="boat"))
    assert codes(caught.value) == {
        "code": ["invalid"],
        "name": ["required"],
        "country": ["invalid_choice"],
        "kind": ["invalid_choice"],
    }


def test_only_programme_managers_manage_points(desk: Desk) -> None:
    with pytest.raises(PermissionDenied):
        services.save_point(desk.manager, point_input(code="otro"))
    with pytest.raises(PermissionDenied):
        services.save_point(desk.other_manager, point_input(code="x"), desk.point)


def test_arrival_refuses_another_organisations_point_and_inconsistent_counts(desk: Desk) -> None:
    with pytest.raises(ValidationError) as caught:
        services.create_arrival(
            desk.manager,
            arrival_input(desk.other_point, arrived_at=timezone.now() + timedelta(days=2)),
        )
    assert codes(caught.value) == {"point": ["invalid_choice"], "arrived_at": ["in_future"]}
    with pytest.raises(ValidationError) as caught:
        services.create_arrival(desk.manager, arrival_input(desk.point, boys=1, girls=0, unaccompanied_minors=2))
    assert codes(caught.value) == {"unaccompanied_minors": ["inconsistent"]}
    with pytest.raises(ValidationError) as caught:
        services.create_arrival(desk.manager, arrival_input(desk.point, men=-1, means="ship"))
    assert codes(caught.value) == {"means": ["invalid_choice"], "men": ["out_of_range"]}


def test_me_officer_cannot_record_arrivals(desk: Desk) -> None:
    with pytest.raises(PermissionDenied):
        services.create_arrival(desk.me_officer, arrival_input(desk.point))


# --- intake ----------------------------------------------------------------------------------------


def test_new_person_is_registered_with_assistance(desk: Desk) -> None:
    intake = services.record_intake(desk.manager, desk.arrival, intake_input(municipality_id=desk.municipality.pk))
    person = intake.returnee
    assert (person.given_names, person.first_family_name, person.second_family_name) == (
        "Juan Carlos",
        "Pérez",
        "Xicará",
    )
    assert person.organisation_id == desk.org.pk
    assert str(person.return_country) == "GT"
    assert person.phone.startswith("+502")
    assert person.municipality_id == desk.municipality.pk
    assert intake.municipality_of_destination_id == desk.municipality.pk
    assert not intake.is_repeat_return
    assert intake.case is None
    assert sorted(AssistanceGiven.objects.filter(intake=intake).values_list("kind", "given_by")) == [
        ("food", desk.manager.pk),
        ("phone_call", desk.manager.pk),
    ]


def test_validation_reports_every_field_with_codes_and_writes_nothing(desk: Desk) -> None:
    before = Returnee.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.record_intake(
            desk.manager,
            desk.arrival,
            intake_input(
                given_names="",
                family_names="",
                birth_date=None,
                sex="x",
                nationality="ZZ",
                phone="12",
                protection_flags=["lost"],
                assistance=["money"],
            ),
        )
    found = codes(caught.value)
    assert found["sex"] == ["invalid_choice"]
    assert found["nationality"] == ["invalid_choice"]
    assert found["protection_flags"] == ["invalid_choice"]
    assert found["assistance"] == ["invalid_choice"]
    assert "required" in found["given_names"]
    assert "family_names" in found
    assert found["birth_date"] == ["required"]
    assert "phone" in found
    assert Returnee.objects.count() == before
    assert not Intake.objects.exists()


def test_unaccompanied_flag_on_an_adult_is_refused(desk: Desk) -> None:
    with pytest.raises(ValidationError) as caught:
        services.prepare_intake(desk.manager, desk.arrival, intake_input(protection_flags=["unaccompanied_child"]))
    assert codes(caught.value) == {"protection_flags": ["not_a_child"]}


def test_repeat_returnee_with_same_document_is_linked_not_duplicated(desk: Desk) -> None:
    first = services.record_intake(desk.manager, desk.arrival, intake_input(document_number="2456 78901 0101"))
    later = services.create_arrival(desk.manager, arrival_input(desk.point, means="bus", means_number="B-7"))
    before = Returnee.objects.count()
    again = services.record_intake(
        desk.manager,
        later,
        intake_input(given_names="Juan", family_names="Peres", document_number="2456 78901 0101"),
    )
    assert Returnee.objects.count() == before
    assert again.returnee_id == first.returnee_id
    assert again.is_repeat_return
    assert list(Intake.objects.filter(returnee_id=first.returnee_id).values_list("arrival_id", flat=True)) == [
        later.pk,
        desk.arrival.pk,
    ]


def test_same_person_twice_at_one_arrival_is_refused(desk: Desk) -> None:
    services.record_intake(desk.manager, desk.arrival, intake_input(document_number="999"))
    with pytest.raises(ValidationError) as caught:
        services.record_intake(desk.manager, desk.arrival, intake_input(document_number="999"))
    assert codes(caught.value) == {"returnee": ["duplicate"]}


def test_uncertain_match_asks_then_links_or_registers(desk: Desk) -> None:
    known = f.returnee(
        desk.manager,
        given_names="Juan Carlos",
        first_family_name="Pérez",
        second_family_name="Xicará",
        birth_date=date(1994, 9, 3),
        nationality="GT",
        return_country="GT",
    )
    data = intake_input()
    with pytest.raises(duplicates.PossibleDuplicate) as caught:
        services.record_intake(desk.manager, desk.arrival, data)
    shown = {c.returnee.pk for c in caught.value.result.candidates}
    assert known.pk in shown
    assert not Intake.objects.exists()
    # "It is this person": linked as a repeat return.
    linked = services.record_intake(desk.manager, desk.arrival, intake_input(returnee_id=known.pk))
    assert linked.returnee_id == known.pk and linked.is_repeat_return
    # "A different person" (having seen the candidates): registered.
    later = services.create_arrival(desk.manager, arrival_input(desk.point))
    other = services.record_intake(desk.manager, later, intake_input(distinct_from=frozenset(shown)))
    assert other.returnee_id != known.pk and not other.is_repeat_return


def test_exact_name_and_birth_date_link_without_asking(desk: Desk) -> None:
    known = f.returnee(
        desk.manager,
        given_names="Juan Carlos",
        first_family_name="Pérez",
        second_family_name="Xicará",
        birth_date=date(1994, 3, 9),
        nationality="GT",
        return_country="GT",
    )
    intake = services.record_intake(desk.manager, desk.arrival, intake_input())
    assert intake.returnee_id == known.pk and intake.is_repeat_return


def test_returnee_of_another_organisation_cannot_be_named(desk: Desk) -> None:
    stranger = f.returnee(desk.other_manager, nationality="HN", return_country="HN")
    with pytest.raises(ValidationError) as caught:
        services.record_intake(desk.manager, desk.arrival, intake_input(returnee_id=stranger.pk))
    assert codes(caught.value) == {"returnee": ["invalid_choice"]}


def test_row_key_makes_recording_idempotent(desk: Desk) -> None:
    one = services.record_intake(desk.manager, desk.arrival, intake_input(row_key="abc"))
    two = services.record_intake(desk.manager, desk.arrival, intake_input(row_key="abc"))
    assert one.pk == two.pk
    assert Intake.objects.count() == 1


def test_other_organisation_cannot_record_at_an_arrival(desk: Desk) -> None:
    with pytest.raises(PermissionDenied):
        services.record_intake(desk.other_manager, desk.arrival, intake_input())
    with pytest.raises(PermissionDenied):
        services.record_intake(desk.me_officer, desk.arrival, intake_input())


# --- routing ---------------------------------------------------------------------------------------


def test_unaccompanied_child_opens_a_child_case_with_a_bia_due(desk: Desk) -> None:
    intake = services.record_intake(
        desk.manager,
        desk.arrival,
        intake_input(
            given_names="Ana",
            family_names="Tzul",
            sex="female",
            birth_date=years_ago(14),
            protection_flags=["unaccompanied_child"],
        ),
    )
    case = Case.objects.get(pk=intake.case_id)
    assert case.returnee_id == intake.returnee_id
    assert case.return_type == "forced"
    assert ChildProfile.objects.get(case=case).care_status == CareStatus.UNACCOMPANIED
    bia = BestInterestsAssessment.objects.get(case=case)
    assert (bia.priority, bia.status, bia.stage) == (BiaPriority.HIGH, BiaStatus.IN_PROGRESS, "arrival")
    assert bia.due_on > bia.started_on
    assert "unaccompanied_minor" in intake.returnee.attention_flags


def test_health_emergency_opens_a_case_with_an_urgent_draft_referral(desk: Desk) -> None:
    from reintegra.referrals import services as referral_services
    from reintegra.referrals.models import Referral, Service, ServiceProvider

    provider_org = f.organisation("clinica", "GT")
    provider = ServiceProvider.objects.create(
        name="Clínica", organisation_type="ngo", country="GT", organisation=provider_org, owner=provider_org
    )
    service = Service.objects.create(
        provider=provider, code="clinica-urg", name="Urgencias", dimension="social", sector="health", country="GT"
    )
    referral_services.save_pathway(
        desk.programme_manager,
        referral_services.PathwayInput(
            provider=provider, title="POE salud", approved_on=timezone.localdate(), transferred_fields=["case_number"]
        ),
    )
    intake = services.record_intake(desk.manager, desk.arrival, intake_input(protection_flags=["health_emergency"]))
    assert intake.case is not None
    referral = Referral.objects.get(case=intake.case)
    assert (referral.service_id, referral.priority, referral.status) == (service.pk, "urgent", "draft")


def test_risk_of_violence_without_a_fitting_service_still_opens_a_case(desk: Desk) -> None:
    intake = services.record_intake(desk.manager, desk.arrival, intake_input(protection_flags=["risk_of_violence"]))
    assert intake.case is not None and intake.case.returnee_id == intake.returnee_id


def test_routing_reuses_the_open_case_of_a_repeat_returnee(desk: Desk) -> None:
    first = services.record_intake(
        desk.manager, desk.arrival, intake_input(document_number="77", protection_flags=["risk_of_violence"])
    )
    later = services.create_arrival(desk.manager, arrival_input(desk.point))
    again = services.record_intake(
        desk.manager, later, intake_input(document_number="77", protection_flags=["risk_of_violence"])
    )
    assert again.case_id == first.case_id
    assert Case.objects.filter(returnee_id=first.returnee_id).count() == 1


def test_set_assistance_keeps_who_gave_what(desk: Desk) -> None:
    intake = services.record_intake(desk.manager, desk.arrival, intake_input(assistance=["food"]))
    services.set_assistance(desk.supervisor, intake, ["food", "hygiene_kit"])
    given = dict(AssistanceGiven.objects.filter(intake=intake).values_list("kind", "given_by"))
    assert given == {"food": desk.manager.pk, "hygiene_kit": desk.supervisor.pk}
    services.set_assistance(desk.supervisor, intake, ["hygiene_kit"])
    assert list(AssistanceGiven.objects.filter(intake=intake).values_list("kind", flat=True)) == ["hygiene_kit"]


# --- who gave an item: an institution of the service directory ------------------------------------


def _provider(desk: Desk, name: str, country: str = "GT", **extra: object) -> ServiceProvider:
    return ServiceProvider.objects.create(
        name=name, organisation_type="ngo", country=country, owner=desk.other_org, **extra
    )


def test_an_institution_gave_an_item_and_the_point_remembers_it(desk: Desk) -> None:
    red_cross = _provider(desk, "Cruz Roja Guatemalteca")
    intake = services.record_intake(
        desk.manager,
        desk.arrival,
        intake_input(assistance=["food", "hygiene_kit"], assistance_institutions={"hygiene_kit": red_cross.pk}),
    )
    given = {a.kind: (a.institution_id, a.given_by_id) for a in AssistanceGiven.objects.filter(intake=intake)}
    # The staff member who recorded it is kept with the institution that gave it.
    assert given == {"food": (None, desk.manager.pk), "hygiene_kit": (red_cross.pk, desk.manager.pk)}
    desk.point.refresh_from_db()
    assert desk.point.assistance_institutions == {"hygiene_kit": red_cross.pk}
    # The next person's kit defaults to the Red Cross without naming it.
    second = services.record_intake(
        desk.manager, desk.arrival, intake_input(given_names="Ana", family_names="López", assistance=["hygiene_kit"])
    )
    assert second.assistance.get().institution_id == red_cross.pk


def test_set_assistance_changes_who_gave_it_and_forgets_when_staff_gave_it(desk: Desk) -> None:
    ministry = _provider(desk, "Ministerio de Salud Pública")
    intake = services.record_intake(desk.manager, desk.arrival, intake_input(assistance=["medical_care"]))
    services.set_assistance(desk.supervisor, intake, ["medical_care"], {"medical_care": ministry.pk})
    item = intake.assistance.get()
    assert (item.institution_id, item.given_by_id) == (ministry.pk, desk.manager.pk)
    services.set_assistance(desk.supervisor, intake, ["medical_care"], {"medical_care": None})
    assert intake.assistance.get().institution_id is None
    desk.point.refresh_from_db()
    assert desk.point.assistance_institutions == {}


def test_institution_refused_outside_the_directory_country_inactive_or_for_an_item_not_ticked(desk: Desk) -> None:
    abroad = _provider(desk, "Red Cross El Paso", country="US")
    closed = _provider(desk, "Albergue cerrado", is_active=False)
    red_cross = _provider(desk, "Cruz Roja Guatemalteca")
    intake = services.record_intake(desk.manager, desk.arrival, intake_input(assistance=["food"]))
    for chosen, field, code in [
        ({"food": abroad.pk}, "assistance_institutions.food", "invalid_choice"),
        ({"food": closed.pk}, "assistance_institutions.food", "invalid_choice"),
        ({"food": 999999}, "assistance_institutions.food", "invalid_choice"),
        ({"clothes": red_cross.pk}, "assistance_institutions.clothes", "not_ticked"),
        ({"boat": red_cross.pk}, "assistance_institutions", "invalid_choice"),
    ]:
        with pytest.raises(ValidationError) as caught:
            services.set_assistance(desk.supervisor, intake, ["food"], chosen)
        assert codes(caught.value) == {field: [code]}
        with pytest.raises(ValidationError) as caught:
            services.prepare_intake(
                desk.manager, desk.arrival, intake_input(assistance=["food"], assistance_institutions=chosen)
            )
        assert codes(caught.value) == {field: [code]}
    assert intake.assistance.get().institution_id is None
    # A remembered institution that left the directory is not used.
    desk.point.assistance_institutions = {"food": closed.pk}
    desk.point.save()
    assert services.assistance_defaults(desk.point) == {}


def test_a_case_opened_at_the_desk_is_counted_in_the_hotspots_tally(desk: Desk) -> None:
    from reintegra.community import return_tally

    intake = services.record_intake(
        desk.manager,
        desk.arrival,
        intake_input(protection_flags=["risk_of_violence"], municipality_id=desk.municipality.pk),
    )
    case = intake.case
    assert case is not None and case.returnee.municipality_id == desk.municipality.pk
    assert return_tally.stored() == {(case.organisation_id, desk.municipality.pk, case.return_date): (1, 0)}
    assert return_tally.stored() == return_tally.recount()

"""Services: the rules with their fields and codes, the permission and object checks, the timeline, the
encryption of work history and certifications, retention checks and their reminders, skills gaps."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from reintegra.cases.choices import CaseEventKind
from reintegra.cases.models import CaseEvent
from reintegra.employment import reminders, selectors, services
from reintegra.employment.models import JobseekerProfile, Occupation, RetentionCheck
from reintegra.employment.tests.conftest import World, employer, profile_input, referred, vacancy_input
from reintegra.testing import factories as f

pytestmark = pytest.mark.django_db


def _codes(exc: ValidationError) -> dict[str, list[str]]:
    return {name: [e.code for e in errors] for name, errors in exc.error_dict.items()}


def test_isco_is_loaded_in_three_languages(world: World) -> None:
    assert Occupation.objects.filter(level=1).count() == 10
    assert Occupation.objects.filter(level=2).count() == 43
    assert Occupation.objects.filter(level=3).count() == 130
    bricklayers = Occupation.objects.get(code="7112")
    assert (bricklayers.title_es, bricklayers.title_fr) == ("Albañiles", "Maçons")
    assert bricklayers.parent.code == "711"
    assert [o.code for o in selectors.search_occupations("albanil")] == ["7112"]
    assert "7112" in [o.code for o in selectors.search_occupations("MAÇONS")]


def test_a_profile_needs_the_employment_consent(world: World) -> None:
    case = f.case(world.case_manager)
    with pytest.raises(ValidationError) as exc:
        services.save_profile(world.case_manager, case, profile_input(world.muni))
    assert exc.value.code == "no_consent"
    assert not JobseekerProfile.objects.filter(case=case).exists()


def test_a_profile_is_saved_with_work_abroad_encrypted_and_on_the_timeline(world: World) -> None:
    profile = services.save_profile(world.case_manager, world.case, profile_input(world.muni))
    assert profile.isco_codes == ["7112"]
    assert profile.experience[0]["country"] == "US"
    with connection.cursor() as cursor:
        cursor.execute("SELECT experience, certifications FROM employment_jobseekerprofile WHERE id = %s", [profile.pk])
        experience, certifications = cursor.fetchone()
    assert "construcción" not in experience and "Albañil" not in certifications  # ñ, ó: never in a token
    event = CaseEvent.objects.get(case=world.case, kind=CaseEventKind.EMPLOYMENT)
    assert event.data == {"what": "profile_created", "skills": 2, "abroad": 1}


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"education_level": "9"}, "education_level", "invalid_choice"),
        ({"travel_reach": ""}, "travel_reach", "required"),
        ({"municipality_id": None}, "municipality", "required"),
        ({"desired_occupation": "9999"}, "desired_occupation", "invalid_choice"),
        ({"experience": [{"isco": "7112", "years": 80}]}, "experience.0.years", "out_of_range"),
        ({"experience": [{"isco": "7112", "years": 2, "abroad": True}]}, "experience.0.country", "required"),
        ({"languages": [{"language": "en", "level": "Z9"}]}, "languages.0.level", "invalid_choice"),
        ({"certifications": []}, "skills.0.evidence", "certification_required"),
        (
            {
                "certifications": [
                    {"issuer": "conocer", "standard": "X", "issued_on": "2024-01-01", "expires_on": "2023-01-01"}
                ]
            },
            "certifications.0.expires_on",
            "ends_before_start",
        ),
        (
            {"skills": [{"name": "Soldadura", "evidence": "assessed"}, {"name": "soldadura", "evidence": "assessed"}]},
            "skills.1.name",
            "duplicate",
        ),
    ],
)
def test_profile_rules(world: World, changes: dict, field: str, code: str) -> None:
    with pytest.raises(ValidationError) as exc:
        services.save_profile(world.case_manager, world.case, profile_input(world.muni, **changes))
    assert code in _codes(exc.value)[field]
    assert not JobseekerProfile.objects.exists()


def test_a_case_of_another_organisation_is_refused(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.save_profile(world.case_manager, world.other_case, profile_input(world.muni))
    with pytest.raises(PermissionDenied):
        services.save_profile(world.me_officer, world.case, profile_input(world.muni))


def test_a_vacancy_names_a_private_sector_stakeholder_the_user_sees(world: World) -> None:
    vacancy = services.save_vacancy(world.manager, vacancy_input(world.programme, world.employer, world.muni))
    assert vacancy.occupation.code == "7112" and vacancy.employer == world.employer
    with pytest.raises(ValidationError) as exc:
        services.save_vacancy(world.manager, vacancy_input(world.programme, world.other_employer, world.muni))
    assert _codes(exc.value)["employer"] == ["invalid_choice"]
    ministry = employer(world.programme, "Ministerio de Trabajo", category="national_authority")
    with pytest.raises(ValidationError) as exc:
        services.save_vacancy(world.manager, vacancy_input(world.programme, ministry, world.muni))
    assert _codes(exc.value)["employer"] == ["invalid_choice"]


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"wage_min": 5000, "wage_max": 4000}, "wage_max", "out_of_range"),
        ({"positions": 0}, "positions", "out_of_range"),
        ({"closing_date": None}, "closing_date", "required"),
        ({"occupation": ""}, "occupation", "required"),
        ({"contract_type": "forever"}, "contract_type", "invalid_choice"),
    ],
)
def test_vacancy_rules(world: World, changes: dict, field: str, code: str) -> None:
    with pytest.raises(ValidationError) as exc:
        services.save_vacancy(world.manager, vacancy_input(world.programme, world.employer, world.muni, **changes))
    assert code in _codes(exc.value)[field]


def test_vacancies_are_written_by_programme_managers_of_the_programme(world: World) -> None:
    data = vacancy_input(world.programme, world.employer, world.muni)
    with pytest.raises(PermissionDenied):
        services.save_vacancy(world.case_manager, data)
    with pytest.raises(PermissionDenied):
        services.save_vacancy(world.other_manager, data)


def test_matching_both_ways_and_only_consenting_jobseekers_the_user_sees(world: World) -> None:
    profile = services.save_profile(world.case_manager, world.case, profile_input(world.muni))
    vacancy = services.save_vacancy(world.manager, vacancy_input(world.programme, world.employer, world.muni))
    [candidate] = selectors.matches_for_vacancy(world.manager, vacancy)
    assert candidate.profile == profile
    assert candidate.match.factors == {
        "skills": 1.0,
        "occupation": 1.0,
        "location": 1.0,
        "requirements": 1.0,
        "preferences": 1.0,
    }
    assert [v.vacancy for v in selectors.matches_for_profile(world.case_manager, profile)] == [vacancy]
    # Another organisation's manager sees neither the vacancy nor the person.
    assert vacancy not in selectors.visible_vacancies(world.other_manager)
    assert profile not in selectors.matchable_profiles(world.other_manager)
    # A withdrawn consent takes the person out of the candidates.
    from reintegra.protection.models import Consent

    Consent.objects.filter(returnee=world.case.returnee).update(withdrawn_on=timezone.localdate() - timedelta(days=0))
    assert selectors.matches_for_vacancy(world.manager, vacancy) == []


def test_the_placement_workflow_to_retention(world: World) -> None:
    profile = services.save_profile(world.case_manager, world.case, profile_input(world.muni))
    vacancy = services.save_vacancy(world.manager, vacancy_input(world.programme, world.employer, world.muni))
    placement = services.shortlist(world.case_manager, vacancy, profile)
    assert placement.score == 1.0
    with pytest.raises(ValidationError) as exc:
        services.shortlist(world.case_manager, vacancy, profile)
    assert _codes(exc.value)["vacancy"] == ["duplicate"]
    with pytest.raises(ValidationError) as exc:
        services.advance_placement(world.case_manager, placement, step="hired")
    assert _codes(exc.value)["step"] == ["invalid_transition"]
    today = timezone.localdate()
    placement = referred(placement, world.case_manager)
    services.advance_placement(world.case_manager, placement, step="interview", on=today)
    with pytest.raises(PermissionDenied):
        services.advance_placement(world.other_manager, placement, step="hired", on=today)
    services.advance_placement(world.case_manager, placement, step="hired", on=today)
    checks = list(RetentionCheck.objects.filter(placement=placement).values_list("months", "due_on"))
    assert [m for m, _d in checks] == [3, 6, 12]
    assert checks[0][1] == services.add_months(today, 3)
    due = list(reminders.retention_checks_due(today + timedelta(days=200)))
    assert {d.params["months"] for d in due} == {3, 6} and {d.recipient_id for d in due} == {world.case_manager.pk}
    check = RetentionCheck.objects.get(placement=placement, months=3)
    services.record_retention(world.case_manager, check, outcome="employed", checked_on=today)
    kinds = list(
        CaseEvent.objects.filter(case=world.case, kind=CaseEventKind.EMPLOYMENT)
        .order_by("pk")
        .values_list("data__what", flat=True)
    )
    assert kinds == ["profile_created", "shortlisted", "referred", "interview", "hired", "retention"]


def test_not_hired_needs_a_reason(world: World) -> None:
    profile = services.save_profile(world.case_manager, world.case, profile_input(world.muni))
    vacancy = services.save_vacancy(world.manager, vacancy_input(world.programme, world.employer, world.muni))
    placement = services.shortlist(world.case_manager, vacancy, profile)
    with pytest.raises(ValidationError) as exc:
        services.advance_placement(world.case_manager, placement, step="not_hired")
    assert _codes(exc.value)["reason"] == ["required"]
    services.advance_placement(world.case_manager, placement, step="not_hired", reason="wage")
    placement.refresh_from_db()
    assert (placement.status, placement.not_hired_reason) == ("not_hired", "wage")


def test_shortlisting_on_a_vacancy_the_user_cannot_see_is_refused(world: World) -> None:
    profile = services.save_profile(world.case_manager, world.case, profile_input(world.muni))
    with pytest.raises(PermissionDenied):
        services.shortlist(world.case_manager, world.other_vacancy, profile)


def test_skills_gaps_hide_small_counts_of_people(world: World) -> None:
    services.save_profile(world.case_manager, world.case, profile_input(world.muni))
    services.save_vacancy(
        world.manager,
        vacancy_input(world.programme, world.employer, world.muni, essential_skills=["soldadura", "albañilería"]),
    )
    gaps, total = selectors.skills_gaps(world.manager, admin1_id=None, k=5)
    assert total is None
    assert {g.skill: (g.vacancies, g.jobseekers) for g in gaps} == {"albanileria": (1, None), "soldadura": (1, None)}
    gaps, total = selectors.skills_gaps(world.manager, admin1_id=world.dept.pk, k=1)
    assert total == 1
    assert {g.skill: g.jobseekers for g in gaps} == {"albanileria": 1, "soldadura": 0}

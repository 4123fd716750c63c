"""Pages and API: the tab shows the profile and the explained matches, the vacancy page its ranked candidates;
the API searches ISCO-08 without accents, answers matches in both directions with every factor, refuses a
profile without consent (400 no_consent), and keeps the skills gaps' counts of people below k hidden."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from reintegra.employment import services
from reintegra.employment.models import JobseekerProfile, Placement
from reintegra.employment.tests.conftest import World, profile_input, referred, vacancy_input
from reintegra.testing import factories as f
from reintegra.testing.api_clients import api_client_for

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_occupations_search_ignores_accents_and_case(world: World) -> None:
    api = api_client_for(world.case_manager)
    rows = api.get("/api/v1/occupations/", {"search": "ALBANIL"}).json()
    assert [r["code"] for r in rows] == ["7112"]
    assert rows[0]["title_es"] == "Albañiles" and rows[0]["title_fr"] == "Maçons"
    assert api.get("/api/v1/occupations/", {"level": 1}).json()[0]["code"] == "0"
    assert api.get("/api/v1/occupations/", {"nope": 1}).status_code == 400


def test_the_profile_api_refuses_without_consent_and_saves_with_it(world: World) -> None:
    api = api_client_for(world.case_manager)
    case = f.case(world.case_manager)
    body = {
        "education_level": "2",
        "municipality": world.muni.pk,
        "travel_reach": "admin1",
        "availability": "immediate",
    }
    answer = api.put(f"/api/v1/cases/{case.pk}/jobseeker/", body, format="json")
    assert answer.status_code == 400
    assert "no_consent" in {e["code"] for e in answer.json()["errors"]}
    answer = api.put(f"/api/v1/cases/{world.case.pk}/jobseeker/", body, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["version"] == 1
    other = api.get(f"/api/v1/cases/{world.other_case.pk}/jobseeker/")
    assert other.status_code == 404


def test_matches_in_both_directions_with_every_factor(world: World) -> None:
    profile = services.save_profile(world.case_manager, world.case, profile_input(world.muni2))
    vacancy = services.save_vacancy(world.manager, vacancy_input(world.programme, world.employer, world.muni))
    api = api_client_for(world.manager)
    [row] = api.get(f"/api/v1/vacancies/{vacancy.pk}/matches/").json()
    assert row["jobseeker"] == profile.pk
    assert row["factors"]["location"] == 0.8  # another municipality of the department, which the person reaches
    assert set(row["factors"]) == {"skills", "occupation", "location", "requirements", "preferences"}
    [back] = api.get(f"/api/v1/jobseekers/{profile.pk}/matches/").json()
    assert back["vacancy"] == vacancy.pk and back["score"] == row["score"]
    assert api.get(f"/api/v1/vacancies/{world.other_vacancy.pk}/matches/").status_code == 404


def test_the_placement_api_walks_to_retention(world: World) -> None:
    profile = services.save_profile(world.case_manager, world.case, profile_input(world.muni))
    vacancy = services.save_vacancy(world.manager, vacancy_input(world.programme, world.employer, world.muni))
    api = api_client_for(world.case_manager)
    created = api.post("/api/v1/placements/", {"jobseeker": profile.pk, "vacancy": vacancy.pk}, format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    assert api.post(f"/api/v1/placements/{pk}/step/", {"step": "hired"}, format="json").json()["errors"][0]["code"] == (
        "invalid_transition"
    )
    referred(Placement.objects.get(pk=pk), world.case_manager)
    api.post(f"/api/v1/placements/{pk}/step/", {"step": "interview"}, format="json")
    hired = api.post(f"/api/v1/placements/{pk}/step/", {"step": "hired"}, format="json").json()
    assert [c["months"] for c in hired["retention_checks"]] == [3, 6, 12]
    done = api.post(f"/api/v1/placements/{pk}/retention/", {"months": 6, "outcome": "employed"}, format="json")
    assert done.status_code == 200
    assert [c["outcome"] for c in done.json()["retention_checks"]] == ["", "employed", ""]


def test_skills_gaps_api_hides_small_counts(world: World) -> None:
    services.save_profile(world.case_manager, world.case, profile_input(world.muni))
    services.save_vacancy(world.manager, vacancy_input(world.programme, world.employer, world.muni))
    body = api_client_for(world.manager).get("/api/v1/employment/skills-gaps/", {"admin1": world.dept.pk}).json()
    assert body["k"] == 5 and body["jobseekers"] is None
    assert {g["skill"]: g["jobseekers"] for g in body["gaps"]} == {"albanileria": None, "lectura de planos": None}


def test_the_tab_shows_the_profile_and_the_explained_matches(world: World) -> None:
    services.save_profile(world.case_manager, world.case, profile_input(world.muni))
    vacancy = services.save_vacancy(world.manager, vacancy_input(world.programme, world.employer, world.muni))
    page = _client(world.case_manager).get(reverse("employment:case", args=[world.case.pk]), HTTP_ACCEPT_LANGUAGE="es")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Albañilería" in text and "Certificada" in text
    # The work record in words, not codes: the ISCO title, the country's name, the language and its level.
    assert "Albañiles" in text and "Estados Unidos" in text and ">7112 ·" not in text and "(US)" not in text
    assert "Inglés" in text
    assert re.search(r"Albañiles · 3[.,\u00a0 ]500", text)  # the desired wage grouped as the reader writes numbers
    assert f'id="match-{vacancy.pk}"' in text and "mismo grupo primario (4 dígitos)" in text
    candidates = _client(world.manager).get(reverse("employment:vacancy", args=[vacancy.pk]))
    assert world.case.case_number in candidates.content.decode()


def test_the_profile_form_saves_rows_and_shows_a_row_error(world: World) -> None:
    client = _client(world.case_manager)
    url = reverse("employment:profile", args=[world.case.pk])
    data = {
        "revision": "0",
        "education_level": "3",
        "municipality": world.muni.pk,
        "travel_reach": "municipality",
        "availability": "later",
        **{
            f"{name}-{k}": v
            for name in ("experience", "languages", "skills", "certifications")
            for k, v in {"TOTAL_FORMS": "2", "INITIAL_FORMS": "0", "MIN_NUM_FORMS": "0", "MAX_NUM_FORMS": "30"}.items()
        },
        "skills-0-name": "Soldadura",
        "skills-0-evidence": "certified",
    }
    page = client.post(url, data)
    assert page.status_code == 200
    assert "certification_required" in {
        e.code for e in page.context["formsets"]["skills"].forms[0].errors.as_data()["evidence"]
    }
    data.update(
        {
            "certifications-0-issuer": "insaforp",
            "certifications-0-standard": "Soldador",
            "certifications-0-issued_on": "2023-05-02",
        }
    )
    answer = client.post(url, data)
    assert answer.status_code == 302, answer.context["form"].errors if answer.context else answer
    assert answer["Location"] == reverse("employment:case", args=[world.case.pk])
    profile = JobseekerProfile.objects.get(case=world.case)
    assert profile.certifications[0]["issuer"] == "insaforp"
    assert profile.skills == [{"name": "Soldadura", "evidence": "certified"}]


def test_skills_gaps_page(world: World) -> None:
    services.save_vacancy(world.manager, vacancy_input(world.programme, world.employer, world.muni))
    page = _client(world.manager).get(reverse("employment:skills-gaps"), {"admin1": world.dept.pk})
    assert page.status_code == 200 and "albanileria" in page.content.decode()

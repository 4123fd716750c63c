"""Issue 10, items 10 and 11 for the duplicate check.

It took names and document numbers in the query string (so they reached URLs and request logs), had no
rate limit (225 guesses in 15 s revealed 11 of 36 out-of-team people with birth date and case number),
and showed people the user may not see in full. Now: POST only, never a name in a log line, a per-user
limit (429 with code "throttled"; a translated message on the form), and out-of-scope matches only as
"a possible match exists in your organisation, ask your supervisor", web and API alike, each check
recorded in the access trail without personal data.
"""

import logging

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from reintegra.access.models import AccessEvent
from reintegra.access.roles import Role
from reintegra.cases import services
from reintegra.testing import factories

pytestmark = pytest.mark.django_db


API = "/api/v1/returnees/duplicates/"
HIDDEN = {"given_names": "Rigoberta Xquic", "first_family_name": "Tzunún", "second_family_name": "Ajpop"}
DOCUMENT = "GT5512087734"


def api_for(user):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def web_for(user, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def other_team_case(org):
    """A person of the organisation that a case manager of another team may not see."""
    colleague = factories.user(org, Role.CASE_MANAGER, team=factories.team(org, "Equipo Juárez"))
    returnee = factories.returnee(
        colleague, **HIDDEN, documents=[services.DocumentInput("national_id", DOCUMENT, "GT")]
    )
    return factories.case(colleague, returnee)


def query(**overrides):
    return {
        "given_names": HIDDEN["given_names"],
        "family_names": f"{HIDDEN['first_family_name']} {HIDDEN['second_family_name']}",
        "birth_date": "1990-05-17",
        **overrides,
    }


def assert_reveals_nothing(text: str, case) -> None:
    for secret in (*HIDDEN.values(), "Tzunun", "1990-05-17", "17/05/1990", case.case_number, DOCUMENT):
        assert secret not in text, secret
    assert f'"id":{case.returnee_id}' not in text.replace(" ", "")
    assert f'value="{case.returnee_id}"' not in text


def test_the_duplicate_check_is_a_post_and_get_is_gone(case_manager):
    api = api_for(case_manager)
    assert api.get(API, {"given_names": "María", "family_names": "Hernández"}).status_code == 405
    assert api.post(API, query(), format="json").status_code == 200
    # The web form's check posts too.
    html = web_for(case_manager).get(reverse("cases:register")).content.decode()
    assert 'hx-post="/casos/nuevo/duplicados/"' in html and 'hx-get="/casos/nuevo/duplicados/' not in html
    assert web_for(case_manager).get(reverse("cases:duplicates")).status_code == 405


def test_no_name_or_number_reaches_a_log_line(case_manager, other_team_case, caplog):
    api = api_for(case_manager)
    for name in ("", "django", "django.request", "django.server", "reintegra"):
        caplog.set_level(logging.DEBUG, logger=name)
    with override_settings(REINTEGRA_DUPLICATE_CHECKS_PER_MINUTE=2):
        assert api.post(API, query(document_number=DOCUMENT), format="json").status_code == 200
        assert api.post(API, query(birth_date="17/05/19xx"), format="json").status_code == 400
        web_for(case_manager).post(reverse("cases:duplicates"), {**HIDDEN, "documents-0-number": DOCUMENT})
        assert api.post(API, query(), format="json").status_code == 429
    assert any("duplicates" in r.getMessage() for r in caplog.records)  # 4xx answers are logged...
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)
    for secret in (*HIDDEN.values(), DOCUMENT, "Tzun"):
        assert secret not in logged


def test_out_of_scope_matches_are_only_a_flag_in_the_api(case_manager, other_team_case):
    response = api_for(case_manager).post(API, query(document_number=DOCUMENT), format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["candidates"] == []
    assert body["out_of_scope_match"] is True
    assert "ask your supervisor" in body["out_of_scope_message"]
    assert_reveals_nothing(response.content.decode(), other_team_case)


def test_out_of_scope_matches_are_only_a_flag_on_the_form(case_manager, other_team_case):
    response = web_for(case_manager).post(reverse("cases:duplicates"), HIDDEN)
    html = response.content.decode()
    assert "A possible match exists in your organisation that you may not see: ask your supervisor." in html
    assert_reveals_nothing(html, other_team_case)
    assert 'name="confirm_distinct"' not in html  # names alone: a possible match, not a likely one
    response = web_for(case_manager).post(reverse("cases:duplicates"), {**HIDDEN, "birth_date": "1990-05-17"})
    html = response.content.decode()
    assert_reveals_nothing(html, other_team_case)
    assert 'name="confirm_distinct"' in html  # likely: registering needs the confirmation


def test_a_registration_refused_for_an_out_of_scope_match_reveals_nothing(case_manager, other_team_case):
    body = {**HIDDEN, "birth_date": "1990-05-17", "nationality": "GT", "return_country": "GT"}
    response = api_for(case_manager).post("/api/v1/returnees/", body, format="json")
    assert response.status_code == 409
    assert response.json()["candidates"] == [] and response.json()["out_of_scope_match"] is True
    assert_reveals_nothing(response.content.decode(), other_team_case)
    confirmed = api_for(case_manager).post(
        "/api/v1/returnees/", {**body, "confirmed_new_person": True, "seen_candidates": []}, format="json"
    )
    assert confirmed.status_code == 201


def test_people_the_user_may_see_are_shown_in_full(supervisor, other_team_case):
    response = api_for(supervisor).post(API, query(), format="json")
    (candidate,) = response.json()["candidates"]
    assert candidate["id"] == other_team_case.returnee_id
    assert candidate["case_numbers"] == [other_team_case.case_number]
    assert response.json()["out_of_scope_match"] is False


@override_settings(REINTEGRA_DUPLICATE_CHECKS_PER_MINUTE=30)
def test_the_check_is_rate_limited_per_user(case_manager, supervisor):
    api = api_for(case_manager)
    for n in range(30):
        assert api.post(API, query(given_names=f"Persona{n}"), format="json").status_code == 200
    response = api.post(API, query(), format="json")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled" and int(response["Retry-After"]) >= 1
    # The web form of the same user is limited too, with a translated message.
    html = web_for(case_manager, "es").post(reverse("cases:duplicates"), HIDDEN).content.decode()
    assert "Demasiadas verificaciones de duplicados" in html
    # So is a registration answered with candidates (it shows them as a check does).
    factories.returnee(supervisor)
    registration = {
        "given_names": "María José", "first_family_name": "Hernández", "second_family_name": "López",
        "birth_date": "1990-05-17", "nationality": "MX", "return_country": "MX",
    }  # fmt: skip
    assert api.post("/api/v1/returnees/", registration, format="json").status_code == 429
    # Per user: a colleague is not affected.
    assert api_for(supervisor).post(API, query(), format="json").status_code == 200


def test_each_check_is_in_the_access_trail_without_personal_data(case_manager, other_team_case):
    api = api_for(case_manager)
    api.post(API, query(document_number=DOCUMENT), format="json")
    web_for(case_manager).post(reverse("cases:duplicates"), HIDDEN)
    events = list(AccessEvent.objects.filter(action="search").order_by("id"))
    assert [(e.user, e.channel, e.purpose, e.object_type, e.object_id) for e in events] == [
        (case_manager, "api", "duplicate check", "cases.returnee", ""),
        (case_manager, "web", "duplicate check", "cases.returnee", ""),
    ]
    for event in events:
        text = f"{event.purpose} {event.object_id} {event.object_type}"
        assert all(secret not in text for secret in (*HIDDEN.values(), DOCUMENT))


def test_visible_returnee_ids_is_returnee_visibility(
    org, case_manager, supervisor, other_team_case, other_case_manager
):
    """The duplicate check's fast visibility test answers exactly what scoping.returnee_visibility does."""
    from reintegra.cases import scoping
    from reintegra.cases.models import Returnee

    mine = factories.case(case_manager)
    registered_only = factories.returnee(case_manager, given_names="Sin", first_family_name="Caso")
    elsewhere = factories.returnee(other_case_manager)
    me_officer = factories.user(org, Role.ME_OFFICER)
    ids = [mine.returnee_id, registered_only.pk, other_team_case.returnee_id, elsewhere.pk]
    for user in (case_manager, supervisor, other_case_manager, me_officer):
        expected = set(
            Returnee.objects.filter(scoping.returnee_visibility(user), pk__in=ids).values_list("pk", flat=True)
        )
        assert scoping.visible_returnee_ids(user, ids) == expected, user
    assert scoping.visible_returnee_ids(case_manager, ids) == {mine.returnee_id, registered_only.pk}

"""The case-management web UI, through the Django test client (pytest-django)."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reintegra.access.models import AccessEvent
from reintegra.access.roles import ROLE_CAPABILITIES, Capability, Role
from reintegra.cases import selectors, services
from reintegra.cases.choices import CaseStatus
from reintegra.cases.models import Case, HouseholdMember, Returnee
from reintegra.places.models import AdminArea
from reintegra.testing import factories
from reintegra.testing.closure import suggested_decisions, suggested_form_fields
from reintegra.testing.trail import access_events

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def english(client, settings):
    """Assertions read the English source strings; Spanish is the default language of the site."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def cm_client(client, case_manager):
    client.force_login(case_manager)
    return client


@pytest.fixture
def places(db):
    jalisco = AdminArea.objects.create(country="MX", level=1, code="MX-JAL", name="Jalisco")
    oaxaca = AdminArea.objects.create(country="MX", level=1, code="MX-OAX", name="Oaxaca")
    return {
        "guadalajara": AdminArea.objects.create(
            country="MX", level=2, code="MX-JAL-039", name="Guadalajara", parent=jalisco
        ),
        "zapopan": AdminArea.objects.create(country="MX", level=2, code="MX-JAL-120", name="Zapopan", parent=jalisco),
        "oaxaca": AdminArea.objects.create(
            country="MX", level=2, code="MX-OAX-067", name="Oaxaca de Juárez", parent=oaxaca
        ),
        "jalisco": jalisco,
    }


def _text(response) -> str:
    return response.content.decode()


def _management(prefix: str, total: int, initial: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _version(record) -> str:
    """The hidden version an edit form carries (issue 10: a save from an older read is refused)."""
    record.refresh_from_db(fields=["revision"])
    return str(record.revision)


def registration_data(**overrides) -> dict[str, str]:
    data = {
        "given_names": "Juan Carlos",
        "first_family_name": "Ramírez",
        "second_family_name": "Ortega",
        "sex": "male",
        "birth_date": "1988-03-02",
        "estimated_age": "",
        "nationality": "MX",
        "phone": "33 1234 5678",
        "languages": "español",
        "return_country": "MX",
        "municipality": "",
        "locality": "Colonia Centro",
        "address": "",
        "attention_flags": ["indigenous"],
        "return_date": (TODAY - timedelta(days=3)).isoformat(),
        "return_type": "forced",
        "host_country": "US",
        "transit_countries": ["GT"],
        "reception_place": "Aeropuerto de Guadalajara",
        "reception_assistance": ["registration", "food"],
        "causes_of_migration": ["economic", "violence"],
        "causes_note": "",
        **_management("documents", 1),
        "documents-0-document_type": "national_id",
        "documents-0-number": "RAOJ880302HJCMRN09",
        "documents-0-issuing_country": "MX",
        **_management("members", 2),
        "members-0-given_names": "Lucía",
        "members-0-family_names": "Ramírez Díaz",
        "members-0-relationship": "child",
        "members-0-sex": "female",
        "members-0-birth_date": "2015-06-01",
        "members-0-estimated_age": "",
        "members-0-returned_too": "on",
        # An untouched extra row is ignored.
        "members-1-given_names": "",
        "members-1-family_names": "",
        "members-1-relationship": "",
        "members-1-sex": "unknown",
        "members-1-birth_date": "",
        "members-1-estimated_age": "",
    }
    data.update(overrides)
    return data


# --- Access, login, layout -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["dashboard", "cases:list", "cases:register"])
def test_pages_require_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_case_page_requires_login(client, case_manager):
    case = factories.case(case_manager)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_and_login(client, case_manager):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'name="username"' in _text(response)
    response = client.post(reverse("login"), {"username": "gestora", "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    client.logout()
    response = client.post(reverse("login"), {"username": "gestora", "password": "wrong"})
    assert response.status_code == 200
    assert 'role="alert"' in _text(response)


def test_logout_is_a_post(cm_client):
    response = cm_client.post(reverse("logout"))
    assert response.status_code == 302
    assert cm_client.get(reverse("dashboard")).status_code == 302


def test_layout_shows_user_organisation_navigation_and_language_switch(cm_client):
    html = _text(cm_client.get(reverse("dashboard")))
    assert "Ana Pérez" in html
    assert "OIM México" in html
    assert reverse("set_language") in html
    assert 'name="language"' in html
    assert reverse("cases:register") in html
    assert 'aria-current="page"' in html
    assert "vendor/htmx.min.js" in html
    assert '"includeIndicatorStyles": false' in html


def test_language_switch_and_spanish_rendering(cm_client):
    response = cm_client.post(reverse("set_language"), {"language": "es", "next": reverse("cases:list")})
    assert response.status_code == 302
    response = cm_client.get(reverse("cases:list"))
    assert response.status_code == 200
    assert '<html lang="es">' in _text(response)
    cm_client.cookies.pop("django_language")
    response = cm_client.get(reverse("cases:list"), headers={"Accept-Language": "fr"})
    assert '<html lang="fr">' in _text(response)


@pytest.mark.parametrize("language", ["es", "en", "fr"])
def test_every_page_renders_in_each_language(client, case_manager, language):
    case = factories.agreed_case(case_manager)
    client.force_login(case_manager)
    client.cookies["django_language"] = language
    urls = [reverse("dashboard"), reverse("cases:list"), reverse("cases:register")]
    tabs = ["detail", "assessments", "counselling", "plan", "follow_up", "closure", "timeline"]
    forms_ = [
        "edit_returnee",
        "edit_return",
        "household",
        "assessment_new",
        "counselling_new",
        "plan_edit",
        "follow_up_new",
    ]
    urls += [reverse(f"cases:{name}", args=[case.pk]) for name in tabs + forms_]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'<html lang="{language}">' in _text(response)


INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def test_pages_have_no_inline_script_or_style(cm_client, case_manager):
    """The CSP forbids them: no style= attributes, no <style>, no inline <script>, no onclick=."""
    case = factories.agreed_case(case_manager)
    urls = [reverse("dashboard"), reverse("cases:list"), reverse("cases:register"), reverse("login")]
    urls += [reverse(f"cases:{tab}", args=[case.pk]) for tab in ("detail", "plan", "plan_edit", "follow_up_new")]
    for url in urls:
        html = _text(cm_client.get(url))
        assert "style=" not in html, url
        assert "<style" not in html, url
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not INLINE_HANDLER.search(html), url
        # Nothing loaded from another host or a CDN (the CSRF token is random text: look at addresses only).
        assert not re.search(r'(?:src|href)="(?:https?:)?//', html), url
        assert not re.search(r'(?:src|href)="[^"]*cdn', html, re.IGNORECASE), url


# --- Dashboard -----------------------------------------------------------------------------------


def test_dashboard_counts_and_due_plans(cm_client, case_manager):
    late = factories.case(case_manager, return_date=TODAY - timedelta(days=40))
    factories.assessed_case(case_manager, returnee_obj=factories.returnee(case_manager, given_names="Pedro"))
    response = cm_client.get(reverse("dashboard"))
    assert response.status_code == 200
    html = _text(response)
    panel = response.context["panel"]  # the cases app's panel of the home dashboard (web.dashboard)
    assert panel["board"].total == 2
    assert late.returnee.full_name in html
    assert "Overdue" in html
    counts = {value: count for value, _label, count in panel["status_counts"]}
    assert counts[CaseStatus.REGISTERED] == 1
    assert counts[CaseStatus.ASSESSED] == 1


def test_dashboard_visits_due(cm_client, case_manager):
    case = factories.agreed_case(case_manager)
    services.record_follow_up(
        case_manager,
        case,
        {"visited_on": TODAY - timedelta(days=20), "next_visit_on": TODAY - timedelta(days=1)},
    )
    html = _text(cm_client.get(reverse("dashboard")))
    assert reverse("cases:follow_up", args=[case.pk]) in html


# --- Case list -----------------------------------------------------------------------------------


def test_list_search_is_accent_insensitive(cm_client, case_manager):
    jose = factories.case(
        case_manager, factories.returnee(case_manager, given_names="José Ángel", first_family_name="Núñez")
    )
    factories.case(case_manager, factories.returnee(case_manager, given_names="Pedro", first_family_name="Ruiz"))
    for term in ("jose angel", "NUNEZ", "Núñez José"):
        response = cm_client.get(reverse("cases:list"), {"q": term})
        assert [c.pk for c in response.context["cases"]] == [jose.pk], term
    response = cm_client.get(reverse("cases:list"), {"q": jose.case_number})
    assert [c.pk for c in response.context["cases"]] == [jose.pk]


def test_list_search_by_document_number(cm_client, case_manager):
    r = factories.returnee(
        case_manager,
        documents=[services.DocumentInput(document_type="passport", number="G12345678", issuing_country="MX")],
    )
    case = factories.case(case_manager, r)
    factories.case(case_manager, factories.returnee(case_manager, given_names="Otro", first_family_name="Nombre"))
    response = cm_client.get(reverse("cases:list"), {"q": "G12345678"})
    assert [c.pk for c in response.context["cases"]] == [case.pk]


def test_list_filters(cm_client, case_manager, supervisor, places):
    in_gdl = factories.case(
        case_manager,
        factories.returnee(case_manager, given_names="Ana", municipality_id=places["guadalajara"].pk),
        return_date=TODAY - timedelta(days=5),
        return_type="voluntary_assisted",
    )
    old = factories.assessed_case(
        case_manager,
        returnee_obj=factories.returnee(case_manager, given_names="Beto"),
        return_date=TODAY - timedelta(days=200),
    )
    theirs = factories.case(supervisor, factories.returnee(supervisor, given_names="Carla"), case_manager=supervisor)
    url = reverse("cases:list")

    def found(**params):
        response = cm_client.get(url, params)
        assert response.status_code == 200
        assert not response.context["invalid_filters"], params
        return {c.pk for c in response.context["cases"]}

    # The case manager sees the team's cases (the supervisor is in the same team).
    assert found() == {in_gdl.pk, old.pk, theirs.pk}
    assert found(status="assessed") == {old.pk}
    assert found(mine="on") == {in_gdl.pk, old.pk}
    assert found(case_manager=supervisor.pk) == {theirs.pk}
    assert found(return_type="voluntary_assisted") == {in_gdl.pk}
    assert found(municipality=places["guadalajara"].pk) == {in_gdl.pk}
    assert found(return_from=(TODAY - timedelta(days=100)).isoformat()) == {in_gdl.pk, theirs.pk}
    assert found(return_to=(TODAY - timedelta(days=100)).isoformat()) == {old.pk}


def test_list_municipality_filter_is_grouped_by_state(cm_client, places):
    html = _text(cm_client.get(reverse("cases:list")))
    assert '<optgroup label="Jalisco">' in html
    assert "Oaxaca de Juárez" in html


def test_list_bad_filter_values_show_a_message(cm_client, case_manager):
    factories.case(case_manager)
    response = cm_client.get(
        reverse("cases:list"),
        {"status": "bogus", "return_from": "not-a-date", "municipality": "abc", "case_manager": "x", "page": "zz"},
    )
    assert response.status_code == 200
    html = _text(response)
    assert "Some filters were not understood and were ignored" in html
    assert "Status" in html and "Returned from" in html
    # The valid part still applies: everything is listed.
    assert len(response.context["cases"]) == 1


def test_list_reversed_date_range_is_reported(cm_client):
    response = cm_client.get(reverse("cases:list"), {"return_from": "2024-05-01", "return_to": "2024-01-01"})
    assert response.status_code == 200
    assert response.context["invalid_filters"]


def test_list_pagination_counts_once(cm_client, case_manager, django_assert_max_num_queries):
    returnee = factories.returnee(case_manager)
    for i in range(30):
        case = factories.case(case_manager, returnee, return_date=TODAY - timedelta(days=i))
        services.close_case(case_manager, case, reason="support_ended", open_matters=suggested_decisions(case))
    # 13: the twelve of the page and the unread-reminders badge of the navigation.
    with django_assert_max_num_queries(13) as captured:
        response = cm_client.get(reverse("cases:list"), {"page": "2"})
    counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper() and "cases_case" in q["sql"]]
    assert len(counts) == 1
    assert response.status_code == 200
    assert len(response.context["cases"]) == 5
    html = _text(response)
    assert "Page 2 of 2" in html
    assert "30 cases" in html
    # Out-of-range pages show the last page instead of failing.
    response = cm_client.get(reverse("cases:list"), {"page": "99"})
    assert response.context["page"].number == 2


def test_list_counts_only_up_to_the_limit(cm_client, case_manager, monkeypatch):
    """A million cases are not counted on every request: the list says "more than" the limit and offers
    the pages up to it."""
    from reintegra.web import pagination

    for i in range(7):
        factories.case(case_manager, return_date=TODAY - timedelta(days=i))
    monkeypatch.setattr(pagination, "COUNT_LIMIT", 5)
    monkeypatch.setattr("reintegra.cases.views.PAGE_SIZE", 2)
    response = cm_client.get(reverse("cases:list"), {"page": "9"})
    html = _text(response)
    assert "More than 5 cases" in html and "page 3 of 3" in html
    assert "Only the first 5 can be paged through" in html
    assert response.context["page"].number == 3
    monkeypatch.setattr(pagination, "COUNT_LIMIT", 7)  # exactly the limit: an exact count
    html = _text(cm_client.get(reverse("cases:list")))
    assert "7 cases" in html and "More than" not in html


def test_list_htmx_returns_only_the_results(cm_client, case_manager):
    factories.case(case_manager)
    response = cm_client.get(
        reverse("cases:list"), {"q": "maria"}, headers={"HX-Request": "true", "HX-Target": "case-results"}
    )
    assert response.status_code == 200
    html = _text(response)
    assert "<html" not in html
    assert "Hernández" in html
    assert "HX-Request" in response["Vary"]
    # The form carries the htmx attributes, and works as a plain GET form too.
    full = _text(cm_client.get(reverse("cases:list")))
    assert 'hx-get="/casos/"' in full and 'hx-push-url="true"' in full and 'method="get"' in full


# --- Registration --------------------------------------------------------------------------------


def test_registration_happy_path(cm_client, case_manager, places):
    data = registration_data(municipality=str(places["zapopan"].pk))
    response = cm_client.post(reverse("cases:register"), data)
    assert response.status_code == 302, response.context and response.context.get("has_errors")
    returnee = Returnee.objects.get()
    assert returnee.given_names == "Juan Carlos"
    case = returnee.cases.get()
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    assert returnee.phone == "+523312345678"
    assert returnee.municipality == places["zapopan"]
    assert returnee.admin1 == places["jalisco"]
    assert returnee.attention_flags == ["indigenous"]
    assert returnee.documents.get().number == "RAOJ880302HJCMRN09"
    assert case.case_manager == case_manager
    assert case.transit_countries == ["GT"]
    assert case.causes_of_migration == ["economic", "violence"]
    members = list(HouseholdMember.objects.filter(household=case.household))
    assert [(m.given_names, m.is_minor, m.returned_too) for m in members] == [("Lucía", True, True)]
    follow = cm_client.get(response["Location"])
    assert case.case_number in _text(follow)
    assert "opened for" in _text(follow)


def test_registration_with_estimated_age_and_no_household(cm_client, case_manager):
    data = registration_data(birth_date="", estimated_age="34", phone="")
    data.update(_management("members", 0))
    data.update(_management("documents", 0))
    response = cm_client.post(reverse("cases:register"), data)
    assert response.status_code == 302
    returnee = Returnee.objects.get()
    assert returnee.given_names == "Juan Carlos"
    assert returnee.estimated_birth_year == TODAY.year - 34
    assert returnee.cases.get().household is None


def test_registration_missing_fields_redisplays_with_values(cm_client, case_manager):
    data = registration_data(first_family_name="", birth_date="", return_date="", causes_of_migration=[])
    response = cm_client.post(reverse("cases:register"), data)
    assert response.status_code == 200
    assert not Returnee.objects.exists()
    html = _text(response)
    assert "Nothing was saved yet." in html
    assert response.context["returnee_form"].errors["first_family_name"]
    assert response.context["returnee_form"].errors["birth_date"]
    assert response.context["return_form"].errors["return_date"]
    assert response.context["return_form"].errors["causes_of_migration"]
    # What was typed is kept.
    assert 'value="Juan Carlos"' in html
    assert 'value="RAOJ880302HJCMRN09"' in html
    assert 'value="Lucía"' in html
    assert 'aria-invalid="true"' in html


def test_registration_validates_phone_other_cause_and_municipality_country(cm_client, places):
    gt_dept = AdminArea.objects.create(country="GT", level=1, code="GT-01", name="Guatemala")
    gt_muni = AdminArea.objects.create(country="GT", level=2, code="GT-0101", name="Mixco", parent=gt_dept)
    data = registration_data(phone="123", causes_of_migration=["other"], municipality=str(gt_muni.pk))
    response = cm_client.post(reverse("cases:register"), data)
    assert response.status_code == 200
    assert response.context["returnee_form"].errors["phone"]
    assert response.context["returnee_form"].errors["municipality"]  # not a choice for Mexico
    assert response.context["return_form"].errors["causes_note"]


def test_municipality_options_follow_the_country(cm_client, places):
    response = cm_client.get(reverse("cases:municipalities"), {"return_country": "MX"})
    html = _text(response)
    assert '<optgroup label="Jalisco">' in html and "Zapopan" in html
    assert "Zapopan" not in _text(cm_client.get(reverse("cases:municipalities"), {"return_country": "GT"}))


def _existing_person(user):
    return factories.case(
        user,
        factories.returnee(
            user,
            documents=[services.DocumentInput(document_type="passport", number="X9988776", issuing_country="MX")],
        ),
    )


def test_duplicate_panel_while_typing(cm_client, case_manager):
    existing = _existing_person(case_manager)
    response = cm_client.post(
        reverse("cases:duplicates"),
        {
            "given_names": "Maria Jose",
            "first_family_name": "Hernandez",
            "second_family_name": "Lopez",
            "birth_date": "1990-05-17",
        },
    )
    assert response.status_code == 200
    html = _text(response)
    assert "María José Hernández López" in html
    assert existing.case_number in html
    assert reverse("cases:detail", args=[existing.pk]) in html
    assert "Same birth date" in html
    assert re.search(r"\d+ % match", html)
    assert 'name="confirm_distinct"' in html
    assert access_events(action="search", purpose="duplicate check", user=case_manager)


def test_duplicate_panel_by_document_number_only(cm_client, case_manager):
    _existing_person(case_manager)
    response = cm_client.post(
        reverse("cases:duplicates"), {**_management("documents", 1), "documents-0-number": "X9988776"}
    )
    assert "Same identity document" in _text(response)


def test_duplicate_panel_without_match(cm_client, case_manager):
    _existing_person(case_manager)
    response = cm_client.post(reverse("cases:duplicates"), {"given_names": "Zacarías", "first_family_name": "Wong"})
    assert "No earlier registration" in _text(response)


def test_registration_fields_trigger_the_duplicate_check(cm_client):
    html = _text(cm_client.get(reverse("cases:register")))
    assert html.count(f'hx-post="{reverse("cases:duplicates")}"') >= 6  # names, birth date, age, documents
    assert 'hx-trigger="change delay:500ms"' in html


def test_registration_blocks_near_duplicate_until_confirmed(cm_client, case_manager):
    existing = _existing_person(case_manager)
    services.close_case(case_manager, existing, reason="support_ended", open_matters=suggested_decisions(existing))
    data = registration_data(
        given_names="Maria José", first_family_name="Hernandez", second_family_name="López", birth_date="1990-05-17"
    )
    response = cm_client.post(reverse("cases:register"), data)
    assert response.status_code == 200
    assert Returnee.objects.count() == 1
    html = _text(response)
    assert existing.case_number in html
    assert "I checked the possible duplicates and this is a different person" in html
    assert response.context["extras"].errors["confirm_distinct"]
    assert 'value="Maria José"' in html  # nothing lost
    # Ticking the box is not enough: the form confirms against the candidates it showed (hidden ids).
    response = cm_client.post(reverse("cases:register"), {**data, "confirm_distinct": "on"})
    assert response.status_code == 200 and Returnee.objects.count() == 1
    seen = f'<input type="hidden" name="seen_candidate" value="{existing.returnee_id}">'
    assert seen in _text(response)
    response = cm_client.post(
        reverse("cases:register"), {**data, "confirm_distinct": "on", "seen_candidate": str(existing.returnee_id)}
    )
    assert response.status_code == 302
    assert Returnee.objects.count() == 2


def test_registration_rolls_back_when_a_service_refuses(cm_client, case_manager, monkeypatch):
    def refuse(*args, **kwargs):
        from django.core.exceptions import ValidationError

        raise ValidationError({"return_date": "Refused by the service."})

    monkeypatch.setattr(services, "open_case", refuse)
    response = cm_client.post(reverse("cases:register"), registration_data())
    assert response.status_code == 200
    assert not Returnee.objects.exists()
    assert "Refused by the service." in _text(response)


def test_supervisor_can_register_for_a_case_manager(client, supervisor, case_manager):
    client.force_login(supervisor)
    response = client.post(reverse("cases:register"), registration_data(case_manager=str(case_manager.pk)))
    assert response.status_code == 302
    assert Case.objects.get().case_manager == case_manager


def test_me_officer_cannot_register(client, org):
    officer = factories.user(org, Role.ME_OFFICER)
    client.force_login(officer)
    response = client.post(reverse("cases:register"), registration_data())
    assert response.status_code == 403
    assert "You cannot do this" in _text(response)
    assert not Returnee.objects.exists()
    assert client.get(reverse("cases:register")).status_code == 403
    assert reverse("cases:register") not in _text(client.get(reverse("dashboard")))


# --- Case page -----------------------------------------------------------------------------------


def test_case_page_shows_everything_and_records_access(cm_client, case_manager):
    case = factories.agreed_case(case_manager)
    response = cm_client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    html = _text(response)
    assert case.case_number in html
    assert "María José Hernández López" in html
    assert "badge--plan_agreed" in html
    assert AccessEvent.objects.filter(
        action="view", object_type="cases.case", object_id=str(case.pk), user=case_manager
    ).exists()
    for tab in ("assessments", "counselling", "plan", "follow_up", "closure", "timeline"):
        before = AccessEvent.objects.count()
        assert cm_client.get(reverse(f"cases:{tab}", args=[case.pk])).status_code == 200
        assert AccessEvent.objects.count() == before + 1


def test_timeline_translates_events(cm_client, case_manager):
    case = factories.agreed_case(case_manager)
    html = _text(cm_client.get(reverse("cases:timeline", args=[case.pk])))
    assert "Status: Assessed → Plan agreed" in html
    assert "Plan agreed" in html
    assert "Return type: Forced return (deportation)" in html


def test_other_organisations_case_is_404(client, case_manager, other_case_manager):
    case = factories.case(case_manager)
    client.force_login(other_case_manager)
    for name in ("cases:detail", "cases:plan", "cases:timeline", "cases:assessment_new"):
        response = client.get(reverse(name, args=[case.pk]))
        assert response.status_code == 404
    response = client.post(reverse("cases:close", args=[case.pk]), {"reason": "died", "closed_on": TODAY})
    assert response.status_code == 404
    assert "Page not found" in _text(response)
    case.refresh_from_db()
    assert case.status == CaseStatus.REGISTERED


def test_programme_manager_does_not_see_health_notes(client, org, case_manager):
    assert Capability.SEE_HEALTH not in ROLE_CAPABILITIES[Role.PROGRAMME_MANAGER]
    case = factories.case(case_manager)
    services.record_assessment(
        case_manager,
        case,
        {"assessed_on": TODAY, "health_notes": "Diabetes tipo 2", "protection_concerns": "Amenazas de pandilla"},
    )
    services.record_counselling_session(case_manager, case, {"held_on": TODAY, "notes": "Duelo por su hermano"})
    client.force_login(case_manager)
    assert "Diabetes tipo 2" in _text(client.get(reverse("cases:assessments", args=[case.pk])))
    manager = factories.user(org, Role.PROGRAMME_MANAGER)
    client.force_login(manager)
    html = _text(client.get(reverse("cases:assessments", args=[case.pk])))
    assert "Diabetes tipo 2" not in html
    assert "Amenazas de pandilla" in html  # the programme manager may see protection concerns
    assert "Duelo por su hermano" not in _text(client.get(reverse("cases:counselling", args=[case.pk])))
    form_html = _text(client.get(reverse("cases:assessment_new", args=[case.pk])))
    assert 'name="health_notes"' not in form_html
    assert 'name="protection_concerns"' in form_html


def test_document_numbers_hidden_without_permission(client, org, case_manager, monkeypatch):
    case = _existing_person(case_manager)
    monkeypatch.setitem(
        ROLE_CAPABILITIES,
        Role.PROGRAMME_MANAGER,
        ROLE_CAPABILITIES[Role.PROGRAMME_MANAGER] - {Capability.SEE_IDENTITY_DOCUMENTS},
    )
    manager = factories.user(org, Role.PROGRAMME_MANAGER)
    client.force_login(manager)
    html = _text(client.get(reverse("cases:detail", args=[case.pk])))
    assert "Passport" in html
    assert "X9988776" not in html
    assert "8776" not in html
    form_html = _text(client.get(reverse("cases:edit_returnee", args=[case.pk])))
    assert "X9988776" not in form_html
    # Saving personal details keeps the documents this user cannot see.
    data = registration_data(given_names="María Josefa", first_family_name="Hernández", birth_date="1990-05-17")
    data["revision"] = _version(case.returnee)
    response = client.post(reverse("cases:edit_returnee", args=[case.pk]), data)
    assert response.status_code == 302
    assert case.returnee.documents.get().number == "X9988776"


def test_steps_not_allowed_are_disabled_with_reason(cm_client, case_manager):
    case = factories.case(case_manager)
    html = _text(cm_client.get(reverse("cases:follow_up", args=[case.pk])))
    assert "Follow-up starts once a reintegration plan has been agreed." in html
    assert "disabled" in html
    html = _text(cm_client.get(reverse("cases:plan", args=[case.pk])))
    assert "Record an assessment before drafting the reintegration plan." in html
    # A GET of the form redirects back with the reason.
    response = cm_client.get(reverse("cases:follow_up_new", args=[case.pk]), follow=True)
    assert "Follow-up starts once a reintegration plan has been agreed." in _text(response)


def test_follow_up_before_plan_agreed_shows_translated_error(cm_client, case_manager):
    case = factories.assessed_case(case_manager)
    data = {"visited_on": TODAY.isoformat(), "mode": "phone", "notes": "Llamada de seguimiento"}
    response = cm_client.post(reverse("cases:follow_up_new", args=[case.pk]), data)
    assert response.status_code == 200
    html = _text(response)
    assert "Follow-up starts once a reintegration plan has been agreed." in html
    assert "Llamada de seguimiento" in html
    assert not case.follow_ups.exists()
    cm_client.cookies["django_language"] = "es"
    response = cm_client.post(reverse("cases:follow_up_new", args=[case.pk]), data)
    assert response.status_code == 200
    assert 'class="alert alert--error"' in _text(response)


# --- Step forms: happy path and invalid submission ----------------------------------------------


def test_edit_returnee(cm_client, case_manager):
    case = factories.case(case_manager)
    url = reverse("cases:edit_returnee", args=[case.pk])
    assert 'value="María José"' in _text(cm_client.get(url))
    data = registration_data(given_names="María Josefa", first_family_name="Hernández", birth_date="1990-05-17")
    data.update(_management("documents", 0))
    data["revision"] = _version(case.returnee)
    response = cm_client.post(url, {**data, "given_names": ""})
    assert response.status_code == 200
    assert response.context["returnee_form"].errors["given_names"]
    response = cm_client.post(url, data)
    assert response.status_code == 302
    case.returnee.refresh_from_db()
    assert case.returnee.given_names == "María Josefa"
    found = selectors.search_cases(case_manager, selectors.CaseFilters(search="josefa"))
    assert list(found) == [case]


def test_edit_return_information(cm_client, case_manager):
    case = factories.case(case_manager)
    url = reverse("cases:edit_return", args=[case.pk])
    data = {
        "return_date": (TODAY - timedelta(days=2)).isoformat(),
        "return_type": "voluntary_assisted",
        "host_country": "CA",
        "causes_of_migration": ["other"],
        "causes_note": "",
        "revision": _version(case),
    }
    response = cm_client.post(url, data)
    assert response.status_code == 200
    assert response.context["return_form"].errors["causes_note"]
    response = cm_client.post(url, {**data, "causes_note": "Reunirse con su pareja"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.return_type, case.host_country.code) == ("voluntary_assisted", "CA")
    assert case.causes_note == "Reunirse con su pareja"


def test_household(cm_client, case_manager):
    case = factories.case(case_manager)
    url = reverse("cases:household", args=[case.pk])
    data = {
        **_management("members", 2),
        "members-0-given_names": "Rosa",
        "members-0-relationship": "parent",
        "members-0-sex": "female",
        "members-0-estimated_age": "67",
        "members-1-given_names": "Tomás",
        "members-1-relationship": "",
        "members-1-sex": "male",
        "notes": "Viven con la abuela",
        "revision": "0",  # no household yet
    }
    response = cm_client.post(url, data)
    assert response.status_code == 200
    assert response.context["members"].forms[1].errors["relationship"]
    assert 'value="Rosa"' in _text(response)
    data["members-1-relationship"] = "sibling"
    assert cm_client.post(url, data).status_code == 302
    case.refresh_from_db()
    assert sorted(m.given_names for m in case.household.members.all()) == ["Rosa", "Tomás"]
    # Edit again: existing rows come back; one is removed.
    assert 'value="Rosa"' in _text(cm_client.get(url))
    data.update(_management("members", 2, initial=2))
    data["members-1-DELETE"] = "on"
    data["revision"] = _version(case.household)
    assert cm_client.post(url, data).status_code == 302
    assert [m.given_names for m in case.household.members.all()] == ["Rosa"]


def test_assessment(cm_client, case_manager):
    case = factories.case(case_manager)
    url = reverse("cases:assessment_new", args=[case.pk])
    response = cm_client.post(url, {"kind": "initial", "assessed_on": "", "economic_need": "high"})
    assert response.status_code == 200
    assert response.context["form"].errors["assessed_on"]
    response = cm_client.post(
        url,
        {
            "kind": "initial",
            "assessed_on": TODAY.isoformat(),
            "economic_need": "high",
            "social_need": "medium",
            "psychosocial_need": "low",
            "capacities_skills": "Carpintería",
            "health_notes": "Hipertensión",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSED
    assessment = case.assessments.get()
    assert assessment.health_notes == "Hipertensión"
    assert "Carpintería" in _text(cm_client.get(reverse("cases:assessments", args=[case.pk])))


def test_counselling(cm_client, case_manager):
    case = factories.case(case_manager)
    url = reverse("cases:counselling_new", args=[case.pk])
    data = {"held_on": TODAY.isoformat(), "mode": "in_person", "duration_minutes": "0", "notes": "Ansiedad"}
    response = cm_client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors["duration_minutes"]
    assert cm_client.post(url, {**data, "duration_minutes": "45"}).status_code == 302
    assert case.counselling_sessions.get().notes == "Ansiedad"


def test_plan_edit(cm_client, case_manager):
    case = factories.assessed_case(case_manager)
    url = reverse("cases:plan_edit", args=[case.pk])
    data = {
        "goals": "Abrir una tortillería",
        "motivations": "Sus hijos",
        **_management("items", 2),
        "items-0-id": "",
        "items-0-dimension": "economic",
        "items-0-approach": "Desarrollo de negocios",
        "items-0-assistance_form": "cash",
        "items-0-amount": "15000",
        "items-0-currency": "",
        "items-0-status": "planned",
        "items-1-id": "",
        "items-1-dimension": "psychosocial",
        "items-1-approach": "Grupo de apoyo",
        "items-1-assistance_form": "service",
        "items-1-status": "planned",
        "revision": "0",  # no plan yet
    }
    # The form proposes the organisation's currency (Mexico: pesos) on every row, the blank one included.
    form = _text(cm_client.get(url))
    assert 'name="items-0-currency" value="MXN"' in form and 'placeholder="MXN"' in form
    data["items-0-currency"] = "a1"
    response = cm_client.post(url, data)
    assert response.status_code == 200
    assert response.context["items"].forms[0].errors["currency"]
    assert 'value="Grupo de apoyo"' in _text(response)
    # Left empty, the amount is in the organisation's currency.
    data["items-0-currency"] = ""
    assert cm_client.post(url, data).status_code == 302
    plan = case.plan
    assert plan.goals == "Abrir una tortillería"
    items = {i.approach: i for i in plan.items.all()}
    assert items["Desarrollo de negocios"].currency == "MXN"
    # Revising keeps item ids and removes deleted rows.
    html = _text(cm_client.get(url))
    assert 'value="Desarrollo de negocios"' in html
    business = items["Desarrollo de negocios"]
    revised = {
        "goals": "Abrir una tortillería",
        "motivations": "Sus hijos",
        **_management("items", 2, initial=2),
        "items-0-id": str(business.pk),
        "items-0-dimension": "economic",
        "items-0-approach": "Desarrollo de negocios",
        "items-0-assistance_form": "mixed",
        "items-0-status": "in_progress",
        "items-1-id": str(items["Grupo de apoyo"].pk),
        "items-1-dimension": "psychosocial",
        "items-1-approach": "Grupo de apoyo",
        "items-1-assistance_form": "service",
        "items-1-status": "planned",
        "items-1-DELETE": "on",
        "revision": _version(plan),
    }
    assert cm_client.post(url, revised).status_code == 302
    assert [(i.pk, i.assistance_form) for i in plan.items.all()] == [(business.pk, "mixed")]


def test_plan_shows_items_table(cm_client, case_manager):
    case = factories.agreed_case(case_manager)
    html = _text(cm_client.get(reverse("cases:plan", args=[case.pk])))
    assert "Desarrollo de negocios" in html
    assert "Plan agreed with the returnee" in html


def test_agree_plan_late_needs_a_reason(cm_client, case_manager):
    case = factories.assessed_case(case_manager, return_date=TODAY - timedelta(days=60))
    services.save_plan(
        case_manager,
        case,
        goals="Empleo",
        motivations="Familia",
        items=[services.PlanItemInput(dimension="economic", approach="Colocación laboral", assistance_form="service")],
    )
    url = reverse("cases:plan_agree", args=[case.pk])
    page = _text(cm_client.get(url))
    assert "more than one month after the return" in page
    version = _version(case.plan)
    response = cm_client.post(url, {"agreed_on": TODAY.isoformat(), "late_reason": "", "revision": version})
    assert response.status_code == 200
    assert response.context["form"].errors["late_reason"]
    response = cm_client.post(
        url, {"agreed_on": TODAY.isoformat(), "late_reason": "Hospitalizado tres semanas", "revision": version}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.PLAN_AGREED
    assert case.plan.agreed_late_reason == "Hospitalizado tres semanas"


def test_agree_plan_before_return_date_is_a_field_error(cm_client, case_manager):
    case = factories.assessed_case(case_manager)
    services.save_plan(
        case_manager,
        case,
        goals="x",
        motivations="y",
        items=[services.PlanItemInput(dimension="social", approach="Documentos", assistance_form="service")],
    )
    response = cm_client.post(
        reverse("cases:plan_agree", args=[case.pk]),
        {"agreed_on": (case.return_date - timedelta(days=1)).isoformat(), "revision": _version(case.plan)},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["agreed_on"]


def test_follow_up_with_progress(cm_client, case_manager):
    case = factories.agreed_case(case_manager)
    item = case.plan.items.get()
    url = reverse("cases:follow_up_new", args=[case.pk])
    html = _text(cm_client.get(url))
    assert f'name="progress_{item.pk}"' in html
    data = {
        "visited_on": TODAY.isoformat(),
        "mode": "in_person",
        "notes": "Ya compró el horno",
        "next_visit_on": (TODAY - timedelta(days=3)).isoformat(),
        f"progress_{item.pk}": "in_progress",
        f"progress_note_{item.pk}": "Local rentado",
    }
    response = cm_client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors["next_visit_on"]
    data["next_visit_on"] = (TODAY + timedelta(days=30)).isoformat()
    assert cm_client.post(url, data).status_code == 302
    case.refresh_from_db()
    item.refresh_from_db()
    assert case.status == CaseStatus.IN_FOLLOW_UP
    assert item.status == "in_progress"
    html = _text(cm_client.get(reverse("cases:follow_up", args=[case.pk])))
    assert "Local rentado" in html and "Ya compró el horno" in html


def test_close_and_reopen(cm_client, case_manager):
    case = factories.assessed_case(case_manager)
    closure = _text(cm_client.get(reverse("cases:closure", args=[case.pk])))
    assert '<optgroup label="Planned exit">' in closure
    assert '<optgroup label="Abrupt exit">' in closure
    assert '<optgroup label="Involuntary exit">' in closure
    response = cm_client.post(
        reverse("cases:close", args=[case.pk]), {"reason": "", "closed_on": TODAY.isoformat(), "note": "Se mudó"}
    )
    assert response.status_code == 200
    assert "A case cannot be closed without a reason." in _text(response)
    assert "Se mudó" in _text(response)
    # What is still open (no survey round yet) is asked: without an answer, the form comes back saying so.
    assert "Still open on this case" in closure and "Close without a final round" in closure
    response = cm_client.post(
        reverse("cases:close", args=[case.pk]),
        {"reason": "left_area", "closed_on": TODAY.isoformat(), "note": "Se mudó"},
    )
    assert response.status_code == 200
    assert "Say what happens to it when the case closes." in _text(response)
    response = cm_client.post(
        reverse("cases:close", args=[case.pk]),
        {"reason": "left_area", "closed_on": TODAY.isoformat(), "note": "Se mudó", **suggested_form_fields(case)},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.closure_category) == (CaseStatus.CLOSED, "planned")
    # Closed: recording is refused with the lifecycle message, and closing twice too.
    assessment_url = reverse("cases:assessment_new", args=[case.pk])
    response = cm_client.post(assessment_url, {"kind": "initial", "assessed_on": TODAY})
    assert "This case is closed. Reopen it before recording anything new." in _text(response)
    response = cm_client.post(
        reverse("cases:close", args=[case.pk]), {"reason": "died", "closed_on": TODAY.isoformat()}
    )
    assert response.status_code == 200
    assert "This case is already closed." in _text(response)
    # Reopen needs a reason.
    response = cm_client.post(reverse("cases:reopen", args=[case.pk]), {"reason": "  "})
    assert response.status_code == 200
    assert "Say why the case is reopened." in _text(response)
    assert cm_client.post(reverse("cases:reopen", args=[case.pk]), {"reason": "Nueva amenaza"}).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSED
    timeline = _text(cm_client.get(reverse("cases:timeline", args=[case.pk])))
    assert "Reason: Nueva amenaza" in timeline
    assert "Reason: Left the area (Planned exit)" in timeline


def test_assign_case_manager(client, supervisor, case_manager, org, team):
    case = factories.case(case_manager)
    colleague = factories.user(org, Role.CASE_MANAGER, team=team, first_name="Luis", last_name="Soto")
    client.force_login(case_manager)
    assert client.get(reverse("cases:assign", args=[case.pk])).status_code == 403
    client.force_login(supervisor)
    url = reverse("cases:assign", args=[case.pk])
    assert "Luis Soto" in _text(client.get(url))
    version = _version(case)
    response = client.post(url, {"case_manager": "999999", "revision": version})
    assert response.status_code == 200
    assert response.context["form"].errors["case_manager"]
    assert client.post(url, {"case_manager": str(colleague.pk), "revision": version}).status_code == 302
    case.refresh_from_db()
    assert case.case_manager == colleague


def test_me_officer_gets_403_page_when_posting_a_step(client, org, case_manager):
    case = factories.case(case_manager)
    officer = factories.user(org, Role.ME_OFFICER)
    client.force_login(officer)
    # The officer cannot see the case at all (404); registering is refused with the 403 page.
    assert client.post(reverse("cases:assessment_new", args=[case.pk]), {}).status_code == 404
    response = client.post(reverse("cases:duplicates"), {"given_names": "María", "first_family_name": "Hernández"})
    assert response.status_code == 403


def test_read_only_role_sees_no_step_buttons(client, org, case_manager, monkeypatch):
    case = factories.case(case_manager)
    monkeypatch.setitem(
        ROLE_CAPABILITIES, Role.PROGRAMME_MANAGER, ROLE_CAPABILITIES[Role.PROGRAMME_MANAGER] - {Capability.EDIT_CASES}
    )
    reader = factories.user(org, Role.PROGRAMME_MANAGER)
    client.force_login(reader)
    html = _text(client.get(reverse("cases:assessments", args=[case.pk])))
    assert "Your role can read this case but not change it." in html
    response = client.post(reverse("cases:assessment_new", args=[case.pk]), {"assessed_on": TODAY.isoformat()})
    assert response.status_code == 403
    assert not case.assessments.exists()


def test_date_inputs_are_native(cm_client, case_manager):
    case = factories.case(case_manager)
    html = _text(cm_client.get(reverse("cases:assessment_new", args=[case.pk])))
    assert f'type="date" name="assessed_on" value="{TODAY.isoformat()}"' in html


def test_birth_date_in_future_is_refused(cm_client):
    data = registration_data(birth_date=(TODAY + timedelta(days=1)).isoformat())
    response = cm_client.post(reverse("cases:register"), data)
    assert response.status_code == 200
    assert response.context["returnee_form"].errors["birth_date"]


def test_minor_badge(cm_client, case_manager):
    child = factories.returnee(case_manager, given_names="Kevin", birth_date=date(TODAY.year - 12, 1, 1))
    case = factories.case(case_manager, child)
    assert "badge--minor" in _text(cm_client.get(reverse("cases:detail", args=[case.pk])))


def test_fast_select_escapes_and_marks_selection():
    from django import forms as django_forms

    from reintegra.web.widgets import FastSelect, FastSelectMultiple

    class Form(django_forms.Form):
        place = django_forms.TypedChoiceField(
            choices=[("", "—"), ("<State>", [(1, "Tlaquepaque & Tonalá"), (2, '"Quoted"')])],
            coerce=int,
            widget=FastSelect,
        )
        transit = django_forms.MultipleChoiceField(
            choices=[("GT", "Guatemala"), ("MX", "México")], widget=FastSelectMultiple
        )

    form = Form({"place": "2", "transit": ["GT", "MX"]})
    assert form.is_valid()
    html = str(form["place"])
    assert '<optgroup label="&lt;State&gt;">' in html
    assert "Tlaquepaque &amp; Tonalá" in html
    assert '<option value="2" selected>&quot;Quoted&quot;</option>' in html
    multiple = str(form["transit"])
    assert "multiple" in multiple and multiple.count("selected") == 2


@pytest.mark.parametrize("value", ["", "a", "1", None, "g2", "unknown"])
def test_select_widget_renders_django_select_markup_exactly(value):
    """The case list's filter selects are rendered in Python: byte for byte what Django's templates render
    (attributes, escaping, optgroups, the first matching option selected, whitespace), and the same
    `widget_type` (the field's CSS class)."""
    from django import forms as django_forms
    from django.utils.safestring import mark_safe

    from reintegra.web.widgets import SelectWidget

    group = ("grp", [("g2", mark_safe("<b>G2</b>"))])
    choices = [("", "All <x> & 'q' \"d\""), ("a", "Á"), (1, "one"), group, ("a", "again")]
    attrs = {"id": "id_x", "aria-describedby": "id_x_helptext", "required": True, "disabled": False, "data-n": 3}
    django_html = django_forms.Select(choices=choices, attrs={"class": "c&"}).render("na<me", value, attrs=attrs)
    assert SelectWidget(choices=choices, attrs={"class": "c&"}).render("na<me", value, attrs=attrs) == django_html

    class Form(django_forms.Form):
        status = django_forms.ChoiceField(choices=[("a", "A")], widget=SelectWidget)

    assert Form()["status"].widget_type == "select"


def test_error_pages_render_without_a_request_context():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Something went wrong" in html
    assert "style=" not in html

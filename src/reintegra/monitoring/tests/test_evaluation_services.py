"""Evaluations, management responses and lessons: the services' rules, the search on the database the suite
runs on (SQLite or PostgreSQL: the same expectations), lessons from similar programmes, and the reminders."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from reintegra.access.roles import Role
from reintegra.access.versioning import StaleVersion
from reintegra.monitoring import evaluation_reminders
from reintegra.monitoring import evaluation_selectors as selectors
from reintegra.monitoring import evaluation_services as services
from reintegra.monitoring.models import ResultNode, ResultsFramework
from reintegra.reminders import registry
from reintegra.testing import factories as f

pytestmark = pytest.mark.django_db


def codes(error: ValidationError) -> dict[str, set[str]]:
    return {field: {e.code for e in errors} for field, errors in error.error_dict.items()}


@pytest.fixture
def world():
    org = f.organisation("oim-mx", country="MX")
    other = f.organisation("ong-gt", country="GT")
    return {
        "org": org,
        "programme": org.programmes.get(),
        "other": other,
        "other_programme": other.programmes.get(),
        "officer": f.user(org, Role.ME_OFFICER),
        "manager": f.user(org, Role.PROGRAMME_MANAGER),
        "colleague": f.user(org, Role.CASE_MANAGER),
        "stranger": f.user(other, Role.PROGRAMME_MANAGER),
        "supervisor": f.user(org, Role.SUPERVISOR),
        "coordinator": f.user(f.organisation("mesa", country="GT"), Role.COORDINATOR),
    }


def evaluation(user, programme, **changes):
    data = services.EvaluationInput(kind="mid_term", title="Evaluación de medio término", **changes)
    return services.create_evaluation(user, programme.pk, data)


def pdf(name="informe.pdf", content=b"%PDF-1.7\n%fake but starts right\n"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def zipped(name, members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for member, content in members.items():
            package.writestr(member, content)
    return SimpleUploadedFile(name, buffer.getvalue())


# --- evaluations -------------------------------------------------------------------------------------


def test_an_evaluation_is_recorded_with_its_ratings_in_criteria_order(world):
    created = evaluation(
        world["officer"],
        world["programme"],
        ratings={"sustainability": "2", "relevance": 4, "impact": None},
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 3, 1),
        report=pdf(),
    )
    created.refresh_from_db()
    assert list(created.ratings.items()) == [("relevance", 4), ("sustainability", 2)]
    assert created.report.name.endswith(".pdf")
    assert created.created_by == world["officer"]
    assert created.revision == 1


def test_the_rules_of_an_evaluation_are_refused_together_with_codes(world):
    with pytest.raises(ValidationError) as refused:
        evaluation(
            world["officer"],
            world["programme"],
            starts_on=date(2026, 3, 1),
            ends_on=date(2026, 1, 1),
            ratings={"relevance": 7, "efficiency": 0, "beauty": 3, "impact": "muy bien"},
        )
    assert codes(refused.value) == {
        "ends_on": {"ends_before_start"},
        "ratings.relevance": {"out_of_range"},
        "ratings.efficiency": {"out_of_range"},
        "ratings.beauty": {"invalid_choice"},
        "ratings.impact": {"out_of_range"},
    }
    with pytest.raises(ValidationError) as refused:
        services.create_evaluation(
            world["officer"], world["programme"].pk, services.EvaluationInput(kind="", title=" ")
        )
    assert codes(refused.value) == {"kind": {"required"}, "title": {"required"}}


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (SimpleUploadedFile("informe.exe", b"MZ"), "invalid_file_type"),
        (SimpleUploadedFile("informe.pdf", b"PK\x03\x04 not a pdf"), "invalid_file_type"),
        (SimpleUploadedFile("informe.docx", b"%PDF-1.4"), "invalid_file_type"),
        (pdf(content=b"%PDF-" + b"0" * (services.MAX_REPORT_BYTES + 1)), "too_large"),
    ],
)
def test_a_report_must_be_a_document_of_a_known_kind_and_size(world, upload, code):
    with pytest.raises(ValidationError) as refused:
        evaluation(world["officer"], world["programme"], report=upload)
    assert codes(refused.value) == {"report": {code}}


def test_word_and_opendocument_reports_are_accepted(world):
    docx = zipped("informe.docx", {"[Content_Types].xml": "<x/>", "word/document.xml": "<w/>"})
    odt = zipped("informe.odt", {"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<o/>"})
    assert evaluation(world["officer"], world["programme"], report=docx).report.name.endswith(".docx")
    assert evaluation(world["officer"], world["programme"], report=odt).report.name.endswith(".odt")


def test_another_organisations_programme_is_refused(world):
    # Another organisation's programme is not one the user reads: a wrong choice (as through the API).
    for user, programme in ((world["stranger"], world["programme"]), (world["officer"], world["other_programme"])):
        with pytest.raises(ValidationError) as refused:
            evaluation(user, programme)
        assert codes(refused.value) == {"programme": {"invalid_choice"}}
    # Readers without MANAGE_MONITORING (a supervisor, a coordinator) may not write.
    for reader in (world["supervisor"], world["coordinator"]):
        with pytest.raises(PermissionDenied):
            evaluation(reader, world["programme"])
    created = evaluation(world["officer"], world["programme"])
    with pytest.raises(PermissionDenied):
        services.update_evaluation(world["stranger"], created, services.EvaluationInput.of(created))


def test_an_edit_based_on_a_stale_version_is_refused(world):
    created = evaluation(world["officer"], world["programme"])
    services.update_evaluation(
        world["manager"], created, services.EvaluationInput.of(created), expected_version=created.revision
    )
    with pytest.raises(StaleVersion):
        services.update_evaluation(world["officer"], created, services.EvaluationInput.of(created), expected_version=1)


# --- recommendations -----------------------------------------------------------------------------------


def test_a_committed_response_needs_an_action_an_owner_and_a_due_date(world):
    created = evaluation(world["officer"], world["programme"])
    with pytest.raises(ValidationError) as refused:
        services.add_recommendation(
            world["officer"], created, services.RecommendationInput(text="Ampliar", decision="accepted")
        )
    assert codes(refused.value) == {"action": {"required"}, "owner": {"required"}, "due_on": {"required"}}
    with pytest.raises(ValidationError) as refused:
        services.add_recommendation(
            world["officer"], created, services.RecommendationInput(text="", decision="maybe", status="done")
        )
    assert codes(refused.value) == {"text": {"required"}, "decision": {"invalid_choice"}}


def test_the_owner_must_be_of_the_programmes_organisation(world):
    created = evaluation(world["officer"], world["programme"])
    data = services.RecommendationInput(
        text="Ampliar la red de empleadores",
        decision="partially",
        action="Convenios con dos cámaras",
        owner=world["stranger"].pk,
        due_on=date(2026, 9, 1),
    )
    with pytest.raises(ValidationError) as refused:
        services.add_recommendation(world["officer"], created, data)
    assert codes(refused.value) == {"owner": {"invalid_choice"}}
    saved = services.add_recommendation(
        world["officer"], created, services.RecommendationInput(**{**data.__dict__, "owner": world["colleague"].pk})
    )
    assert saved.owner == world["colleague"] and saved.order == 1
    with pytest.raises(PermissionDenied):
        services.update_recommendation(world["stranger"], saved, services.RecommendationInput.of(saved))


def test_an_owner_who_left_stays_on_the_recommendation(world):
    created = evaluation(world["officer"], world["programme"])
    saved = services.add_recommendation(
        world["officer"],
        created,
        services.RecommendationInput(
            text="Ampliar",
            decision="accepted",
            action="Convenios",
            owner=world["colleague"].pk,
            due_on=date(2026, 9, 1),
        ),
    )
    world["colleague"].is_active = False
    world["colleague"].save()
    changed = services.update_recommendation(
        world["officer"],
        saved,
        services.RecommendationInput(**{**services.RecommendationInput.of(saved).__dict__, "status": "in_progress"}),
        expected_version=saved.revision,
    )
    assert changed.status == "in_progress" and changed.owner_id == world["colleague"].pk


# --- lessons -----------------------------------------------------------------------------------------------


def lesson(user, programme, title, body="", **changes):
    data = services.LessonInput(title=title, body=body or title, **changes)
    return services.create_lesson(user, programme.pk, data)


def test_a_lesson_keeps_an_unaccented_lower_case_search_text(world):
    saved = lesson(
        world["officer"],
        world["programme"],
        "Migración  y EMPLEO",
        "La reintegración económica necesita acompañamiento.",
        themes=["Empleo", "empleo", " Salud mental "],
        country="MX",
        level="community",
    )
    assert saved.themes == ["Empleo", "Salud mental"]
    assert saved.title == "Migración y EMPLEO"
    assert saved.search_text == (
        "migracion y empleo\nla reintegracion economica necesita acompanamiento.\n|empleo|salud mental|"
    )


def test_the_rules_of_a_lesson(world):
    other_evaluation = evaluation(world["stranger"], world["other_programme"])
    with pytest.raises(ValidationError) as refused:
        lesson(
            world["officer"],
            world["programme"],
            "Título",
            country="XX",
            level="galactic",
            dimension="spiritual",
            evaluation=other_evaluation.pk,
            themes=["x" * 61],
        )
    assert codes(refused.value) == {
        "country": {"invalid_choice"},
        "level": {"invalid_choice"},
        "dimension": {"invalid_choice"},
        "evaluation": {"invalid_choice"},
        "themes": {"max_length"},
    }
    with pytest.raises(ValidationError) as refused:
        lesson(world["stranger"], world["programme"], "Título")
    assert codes(refused.value) == {"programme": {"invalid_choice"}}
    with pytest.raises(PermissionDenied):
        lesson(world["supervisor"], world["programme"], "Título")


def test_search_finds_every_word_without_accents_and_ranks_title_hits_first(world):
    officer, programme = world["officer"], world["programme"]
    in_body = lesson(officer, programme, "Acompañamiento psicosocial", "La migración de retorno forzado pesa.")
    in_title = lesson(officer, programme, "Migración y retorno", "Las redes comunitarias sostienen.")
    lesson(officer, programme, "Empleo", "Convenios con empleadores.")
    found = list(selectors.search_lessons(officer, selectors.LessonFilters(search="migracion")))
    assert found == [in_title, in_body]
    # Every word must be there (AND), accents and case aside.
    found = list(selectors.search_lessons(officer, selectors.LessonFilters(search="MIGRACIÓN comunitarias")))
    assert found == [in_title]
    assert list(selectors.search_lessons(officer, selectors.LessonFilters(search="migracion empleadores"))) == []


def test_search_runs_on_this_database_and_filters_by_tag(world):
    officer, programme = world["officer"], world["programme"]
    tagged = lesson(officer, programme, "Documentación", "Sin documentos no hay empleo.", themes=["Documentos"])
    lesson(officer, programme, "Salud", "Los documentos médicos ayudan.", themes=["Salud mental"])
    by_theme = list(selectors.search_lessons(officer, selectors.LessonFilters(theme="documentos")))
    assert by_theme == [tagged]
    # On PostgreSQL the search is full text (a Spanish stem: "documento" finds "documentos"); on SQLite,
    # substrings of the unaccented text: "documento" is a substring of "documentos" too.
    found = set(selectors.search_lessons(officer, selectors.LessonFilters(search="documento")))
    assert tagged in found and len(found) == 2
    assert connection.vendor in {"sqlite", "postgresql"}


def test_lessons_are_read_through_the_programmes_the_user_reads_and_shared_ones_by_all(world):
    mine = lesson(world["officer"], world["programme"], "Propia")
    theirs = lesson(world["stranger"], world["other_programme"], "Ajena", is_shared=False)
    shared = lesson(world["stranger"], world["other_programme"], "Compartida")
    assert set(selectors.lessons_for(world["officer"])) == {mine, shared}
    assert set(selectors.lessons_for(world["coordinator"])) == {mine, theirs, shared}
    assert set(selectors.lessons_for(world["colleague"])) == set()  # a case manager reads no monitoring


def test_lessons_from_similar_programmes(world):
    org = world["org"]
    sister = f.programme(org, code="hermano")
    planning = f.programme(org, code="nuevo")
    type(sister).objects.filter(pk__in=[sister.pk, planning.pk]).update(countries=["GT"])
    sister.refresh_from_db()
    planning.refresh_from_db()
    framework = ResultsFramework.objects.create(programme=planning)
    ResultNode.objects.create(framework=framework, kind="impact", title="Reintegración", level="community")
    officer = world["officer"]
    same_country = lesson(officer, sister, "Mismo país", country="GT")
    same_level = lesson(officer, world["programme"], "Mismo nivel", country="MX", level="community")
    unrelated = lesson(officer, world["programme"], "Otro", country="MX", level="individual", dimension="economic")
    own = lesson(officer, planning, "Propia", country="GT", level="community")
    lesson(world["stranger"], world["other_programme"], "Ajena", country="GT", is_shared=False)  # in-house
    shared = lesson(
        world["stranger"], world["other_programme"], "Compartida", country="GT", recorded_on=date(2024, 5, 1)
    )
    found = selectors.similar_lessons(officer, planning)
    assert found == [same_country, shared, same_level]  # same country first, the most recent first
    assert unrelated not in found and own not in found
    coordinator_view = selectors.similar_lessons(world["coordinator"], planning)
    assert {lesson_.title for lesson_ in coordinator_view} == {"Mismo país", "Mismo nivel", "Ajena", "Compartida"}


# --- reminders ---------------------------------------------------------------------------------------------


def test_the_owner_is_reminded_of_an_open_action_near_or_past_its_due_date(world):
    assert registry.producers()["recommendation_action_due"] is evaluation_reminders.recommendation_actions_due
    today = timezone.localdate()
    created = evaluation(world["officer"], world["programme"])
    owner = world["colleague"]

    def add(due_on, decision="accepted", status="not_started"):
        return services.add_recommendation(
            world["officer"],
            created,
            services.RecommendationInput(
                text="R", decision=decision, action="A", owner=owner.pk, due_on=due_on, status=status
            ),
        )

    near = add(today + timedelta(days=5))
    past = add(today - timedelta(days=1), decision="partially", status="in_progress")
    add(today + timedelta(days=60))  # not yet
    add(today - timedelta(days=3), status="done")
    add(today - timedelta(days=3), status="dropped")
    services.add_recommendation(world["officer"], created, services.RecommendationInput(text="R", decision="rejected"))
    due = list(evaluation_reminders.recommendation_actions_due(today))
    assert {(d.recipient_id, d.key) for d in due} == {
        (owner.pk, f"recommendation:{near.pk}:due:{near.due_on.isoformat()}:near"),
        (owner.pk, f"recommendation:{past.pk}:due:{past.due_on.isoformat()}:past"),
    }
    assert all(d.params["evaluation"] == created.title and "#recommendation-" in d.url for d in due)
    owner.is_active = False
    owner.save()
    assert list(evaluation_reminders.recommendation_actions_due(today)) == []


def test_a_lesson_keeps_the_date_it_was_drawn_and_refuses_a_future_one(world):
    old = lesson(world["officer"], world["programme"], "Del piloto", recorded_on=date(2023, 6, 30))
    assert old.recorded_on == date(2023, 6, 30)
    assert lesson(world["officer"], world["programme"], "Hoy").recorded_on == timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        lesson(world["officer"], world["programme"], "Futura", recorded_on=timezone.localdate() + timedelta(days=1))
    assert refused.value.error_dict["recorded_on"][0].code == "in_future"

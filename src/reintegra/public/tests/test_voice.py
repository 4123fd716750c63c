"""Issue 17's second part: the cases' satisfaction survey (service, case tab, API), the service provider a
feedback item concerns, the dashboard's breakdowns (provider, month, satisfaction) with k-suppression, and
the feedback and satisfaction indicators of the monitoring library computed on known data."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from reintegra.access.roles import Role
from reintegra.monitoring import engine
from reintegra.public import dashboard, services
from reintegra.public.models import Feedback, SatisfactionSurvey
from reintegra.public.tests.conftest import Portal
from reintegra.referrals import services as referral_services
from reintegra.referrals.models import ServiceProvider
from reintegra.testing import factories as f
from reintegra.testing.indicators import library_values

pytestmark = pytest.mark.django_db


def _codes(error: ValidationError) -> set[tuple[str, str]]:
    return {(field, e.code or "") for field, errors in error.error_dict.items() for e in errors}


def _answers(**overrides: Any) -> services.SatisfactionInput:
    values: dict[str, Any] = {
        "taken_on": timezone.localdate(),
        "informed_of_options": "yes",
        "took_part_in_decisions": "partly",
        "confidentiality_respected": "yes",
        "would_recommend": "no",
        "comment": "",
    }
    values.update(overrides)
    return services.SatisfactionInput(**values)


def _value(code: str, portal: Portal, by: tuple[str, ...] = ()) -> engine.Values:
    return library_values(code, [portal.programme.pk], days=60, by=by)


# --- the survey ---------------------------------------------------------------------------------------


def test_the_survey_scores_yes_as_one_and_partly_as_half(portal: Portal) -> None:
    case = portal.cases[0]
    survey = services.record_satisfaction_survey(portal.case_manager, case, _answers(comment="Me trataron bien"))
    assert survey.score == 62.5  # (1 + 0.5 + 1 + 0) / 4
    assert survey.recorded_by == portal.case_manager
    raw = SatisfactionSurvey.objects.filter(pk=survey.pk).values_list("comment", flat=True).query
    assert "Me trataron bien" not in str(raw)  # encrypted at rest (the query reads the stored column)
    assert (
        services.satisfaction_score(
            dict.fromkeys(
                ("informed_of_options", "took_part_in_decisions", "confidentiality_respected", "would_recommend"), "yes"
            )
        )
        == 100
    )


def test_the_survey_refuses_bad_answers_with_codes(portal: Portal) -> None:
    case = portal.cases[0]
    with pytest.raises(ValidationError) as refused:
        services.record_satisfaction_survey(
            portal.case_manager, case, _answers(informed_of_options="", would_recommend="maybe", taken_on=None)
        )
    assert _codes(refused.value) == {
        ("informed_of_options", "required"),
        ("would_recommend", "invalid_choice"),
        ("taken_on", "required"),
    }
    with pytest.raises(ValidationError) as refused:
        services.record_satisfaction_survey(
            portal.case_manager, case, _answers(taken_on=timezone.localdate() + timedelta(days=1))
        )
    assert _codes(refused.value) == {("taken_on", "future_date")}
    with pytest.raises(ValidationError) as refused:
        services.record_satisfaction_survey(
            portal.case_manager, case, _answers(taken_on=case.return_date - timedelta(1))
        )
    assert _codes(refused.value) == {("taken_on", "before_return")}


def test_only_whoever_may_change_the_case_records_a_survey(portal: Portal) -> None:
    case = portal.cases[0]
    for user in (portal.focal_point, portal.me_officer, portal.other_handler):
        with pytest.raises(PermissionDenied):
            services.record_satisfaction_survey(user, case, _answers())
    assert not SatisfactionSurvey.objects.exists()


def test_the_case_tab_shows_and_records_surveys(portal: Portal) -> None:
    case = portal.cases[0]
    client = Client()
    client.force_login(portal.case_manager)
    url = reverse("public_staff:case-satisfaction", args=[case.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert url.encode() in client.get(reverse("cases:detail", args=[case.pk])).content  # the tab is registered
    refused = client.post(url, {"taken_on": timezone.localdate().isoformat(), "informed_of_options": "yes"})
    assert refused.status_code == 200
    assert b"error-summary" in refused.content or b"errorlist" in refused.content
    posted = client.post(
        url,
        {
            "taken_on": timezone.localdate().isoformat(),
            "informed_of_options": "yes",
            "took_part_in_decisions": "yes",
            "confidentiality_respected": "yes",
            "would_recommend": "yes",
        },
    )
    assert posted.status_code == 302
    assert SatisfactionSurvey.objects.get(case=case).score == 100
    assert b"satisfaction-surveys" in client.get(url).content
    focal = Client()
    focal.force_login(portal.focal_point)  # reads no case
    assert focal.get(url).status_code == 403


def test_the_api_lists_and_records_surveys(portal: Portal) -> None:
    case = portal.cases[1]
    client = APIClient()
    client.force_authenticate(portal.case_manager)
    url = reverse("api:case-satisfaction-surveys", args=[case.pk])
    bad = client.post(url, {"informed_of_options": "maybe"}, format="json")
    assert bad.status_code == 400
    codes = {(e["field"], e["code"]) for e in bad.json()["errors"]}
    assert {("informed_of_options", "invalid_choice"), ("taken_on", "required")} <= codes
    good = client.post(
        url,
        {
            "taken_on": timezone.localdate().isoformat(),
            "informed_of_options": "yes",
            "took_part_in_decisions": "no",
            "confidentiality_respected": "yes",
            "would_recommend": "yes",
        },
        format="json",
    )
    assert good.status_code == 201, good.content
    assert good.json()["score"] == 75.0
    assert [row["id"] for row in client.get(url).json()] == [good.json()["id"]]
    other = APIClient()
    other.force_authenticate(portal.other_handler)
    assert other.get(url).status_code == 404


# --- the provider a feedback item concerns ------------------------------------------------------------


def _provider(portal: Portal, name: str, country: str = "GT") -> ServiceProvider:
    return referral_services.save_provider(
        portal.pm, referral_services.ProviderInput(name=name, organisation_type="ngo", country=country)
    )


def test_feedback_names_a_provider_of_the_programmes_countries(portal: Portal) -> None:
    clinic = _provider(portal, "Clínica San Juan")
    abroad = _provider(portal, "Clinic of Tegucigalpa", "HN")
    base = {"programme": portal.programme.pk, "kind": "complaint", "channel": "phone", "text": "Me cobraron"}
    item = services.record_feedback(portal.case_manager, services.FeedbackInput(**base, provider=clinic.pk))
    assert item.provider == clinic
    for wrong in (abroad.pk, 999_999):
        with pytest.raises(ValidationError) as refused:
            services.record_feedback(portal.case_manager, services.FeedbackInput(**base, provider=wrong))
        assert _codes(refused.value) == {("provider", "invalid_choice")}
    client = APIClient()
    client.force_authenticate(portal.case_manager)
    answer = client.post(reverse("api:feedback"), {**base, "provider": abroad.pk}, format="json")
    assert answer.status_code == 400
    assert ("provider", "invalid_choice") in {(e["field"], e["code"]) for e in answer.json()["errors"]}
    answer = client.post(reverse("api:feedback"), {**base, "provider": clinic.pk}, format="json")
    assert answer.status_code == 201 and answer.json()["provider"] == clinic.pk


# --- the dashboard ------------------------------------------------------------------------------------


def _items(portal: Portal, provider: ServiceProvider | None, count: int, kind: str = "complaint") -> list[Feedback]:
    return [
        services.record_feedback(
            portal.case_manager,
            services.FeedbackInput(
                programme=portal.programme.pk,
                kind=kind,
                channel="phone",
                text="Texto",
                provider=provider.pk if provider else None,
            ),
        )
        for _ in range(count)
    ]


def _rows(board: dashboard.Board, title: str) -> dict[str, int | None]:
    return dict(next(b for b in board.breakdowns if b.title == title).rows)


def test_the_dashboard_breaks_down_by_provider_month_and_satisfaction(portal: Portal) -> None:
    clinic = _provider(portal, "Clínica San Juan")
    _items(portal, clinic, 6)
    _items(portal, None, 2, kind="question")
    for case in portal.cases:
        services.record_satisfaction_survey(portal.case_manager, case, _answers())
    services.record_satisfaction_survey(portal.case_manager, portal.cases[0], _answers(would_recommend="yes"))
    board = dashboard.board_for(portal.supervisor)  # a handler: exact counts
    assert _rows(board, "provider") == {"Clínica San Juan": 6, "—": 2}
    assert [count for _month, count in board.months] == [8]
    assert board.satisfaction is not None
    # the latest survey of each case: 87.5 (case 1, retaken) and 62.5 (case 2)
    assert (board.satisfaction.surveys, board.satisfaction.mean_score) == (2, 75.0)
    shares = dict(board.satisfaction.items)
    assert list(shares.values()) == [100.0, 0.0, 100.0, 50.0]

    portal.programme.suppression_threshold = 5
    portal.programme.save(update_fields=["suppression_threshold"])
    aggregate = f.user(portal.org, Role.ME_OFFICER)  # VIEW_AGGREGATES only: k-suppressed
    board = dashboard.board_for(aggregate)
    assert board.suppressed and board.k == 5
    # 2 < k is hidden, and so is the only other cell (else the total 8 minus 6 would give it back)
    assert board.total == 8
    assert _rows(board, "provider") == {"Clínica San Juan": None, "—": None}
    assert board.satisfaction is not None
    assert (board.satisfaction.surveys, board.satisfaction.mean_score) == (None, None)  # 2 surveys < k

    client = Client()
    client.force_login(portal.supervisor)
    page = client.get(reverse("public_staff:dashboard")).content.decode()
    assert "Clínica San Juan" in page and 'id="feedback-satisfaction"' in page and 'id="feedback-months"' in page


# --- the indicators -----------------------------------------------------------------------------------


def test_feedback_indicators_on_known_data(portal: Portal) -> None:
    now = timezone.now()
    items = _items(portal, None, 3) + _items(portal, None, 1, kind="question")
    late, in_time, closed, untouched = items
    services.acknowledge_feedback(portal.supervisor, in_time)
    services.acknowledge_feedback(portal.supervisor, closed)
    services.respond_feedback(portal.supervisor, closed, response="Resuelto")
    services.close_loop(portal.supervisor, closed, how="Llamada")
    services.acknowledge_feedback(portal.supervisor, late)
    # acknowledged after its deadline: received 10 days ago with a 3-day deadline
    Feedback.objects.filter(pk=late.pk).update(
        received_at=now - timedelta(days=10), acknowledge_by=(now - timedelta(days=7)).date()
    )
    assert _value("feedback-received", portal).total.value == 4
    assert _value("complaints-received", portal).total.value == 3
    acknowledged = _value("feedback-acknowledged-in-time", portal).total
    assert (acknowledged.numerator, acknowledged.denominator, acknowledged.value) == (2, 4, 50.0)
    resolved = _value("feedback-resolved-in-time", portal).total
    assert (resolved.numerator, resolved.denominator) == (1, 4)
    looped = _value("feedback-loop-closed", portal).total
    assert (looped.numerator, looped.denominator, looped.value) == (1, 4, 25.0)
    by_programme = _value("feedback-received", portal, ("programme",))
    assert {k: c.value for k, c in by_programme.cells.items()} == {(str(portal.programme.pk),): 4}
    assert untouched.status == "received"


def test_satisfaction_indicators_on_known_data(portal: Portal) -> None:
    first, second = portal.cases
    services.record_satisfaction_survey(portal.case_manager, first, _answers())  # 62.5, would not recommend
    services.record_satisfaction_survey(
        portal.case_manager, first, _answers(would_recommend="yes")
    )  # retaken: 87.5, the latest counts
    services.record_satisfaction_survey(
        portal.case_manager,
        second,
        _answers(informed_of_options="no", took_part_in_decisions="no", confidentiality_respected="partly"),
    )  # 12.5
    score = _value("satisfaction-score", portal).total
    assert (score.numerator, score.denominator, score.value) == (100.0, 2, 50.0)
    recommend = _value("satisfaction-would-recommend", portal).total
    assert (recommend.numerator, recommend.denominator, recommend.value) == (1, 2, 50.0)
    by_sex = _value("satisfaction-would-recommend", portal, ("sex",))
    assert sum(c.denominator or 0 for c in by_sex.cells.values()) == 2  # the groups add up to the total

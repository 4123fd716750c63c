"""The community perception survey: an instrument of the sustainability engine whose subject is a community,
answered anonymously on the community's page and the API, scored by the engine, its results suppressed."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from reintegra.cases.models import Case
from reintegra.community import perception_selectors, perception_services, services
from reintegra.community.models import PerceptionResponse
from reintegra.community.tests.conftest import Office, session_input
from reintegra.sustainability import selectors as engine_selectors
from reintegra.sustainability import services as engine
from reintegra.sustainability.definition import SUBJECT_COMMUNITY
from reintegra.sustainability.services import RoundInput
from reintegra.testing import factories as f
from reintegra.testing.api_clients import api_client_for as api_client

pytestmark = pytest.mark.django_db

PROFILE = {"respondent_group": "returnee", "respondent_sex": "female", "respondent_age_band": "adult"}
GOOD = {
    "cohesion_trust": "strongly_agree",
    "cohesion_welcome": "agree",
    "services_health": "good",
    "cohesion_together": "often",
    "tensions_frequency": "rarely",
    "services_education": "good",
    "stigma_discrimination": "strongly_disagree",
    "stigma_failure": "disagree",
    "economy_work": "fair",
    "needs_priority": ["jobs", "health"],
}


def answer(office: Office, **profile: str) -> PerceptionResponse:
    data = perception_services.PerceptionInput(timezone.localdate(), {**PROFILE, **profile, **GOOD})
    return perception_services.record_response(office.programme_manager, office.community, data)


def codes(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return {field: [e.code or "" for e in errors] for field, errors in exc.value.error_dict.items()}


def test_the_survey_is_shipped_published_and_about_a_community(office: Office) -> None:
    version = perception_selectors.survey_version(office.community)
    assert version is not None and version.is_published
    assert version.parsed().subject == SUBJECT_COMMUNITY
    assert {"respondent_group", "respondent_sex", "respondent_age_band"} <= {q.code for q in version.parsed().questions}


def test_an_answer_is_scored_by_the_engine_and_keeps_only_the_profile_in_clear(office: Office) -> None:
    response = answer(office)
    assert (response.group, response.sex, response.age_band) == ("returnee", "female", "adult")
    assert response.composite is not None and 0 <= response.composite <= 1
    assert response.psychosocial == pytest.approx((1.0 + 0.75) / 2)
    stored = PerceptionResponse.objects.get(pk=response.pk)
    assert stored.answers["needs_priority"] == ["jobs", "health"]


def test_refusals_come_with_field_and_code(office: Office) -> None:
    data = perception_services.PerceptionInput(
        timezone.localdate() + timedelta(days=1), {"respondent_group": "tourist", "cohesion_trust": "maybe"}
    )
    with pytest.raises(ValidationError) as exc:
        perception_services.record_response(office.programme_manager, office.community, data)
    found = codes(exc)
    assert found["taken_on"] == ["in_future"]
    assert found["answers.respondent_group"] == ["invalid_choice"]
    assert found["answers.respondent_sex"] == ["required"]
    assert found["answers.cohesion_trust"] == ["invalid_choice"]
    with pytest.raises(ValidationError) as exc:
        perception_services.record_response(
            office.programme_manager, office.community, perception_services.PerceptionInput(None, dict(PROFILE))
        )
    assert codes(exc) == {"taken_on": ["required"], "answers": ["too_few_answers"]}


def test_a_session_must_be_a_household_survey_of_the_community(office: Office) -> None:
    focus = services.record_session(office.programme_manager, office.community, session_input())
    survey = services.record_session(office.programme_manager, office.community, session_input(kind="household_survey"))
    base = {**PROFILE, **GOOD}
    with pytest.raises(ValidationError) as exc:
        perception_services.record_response(
            office.programme_manager,
            office.community,
            perception_services.PerceptionInput(timezone.localdate(), base, session=focus.pk),
        )
    assert codes(exc) == {"session": ["invalid_choice"]}
    response = perception_services.record_response(
        office.programme_manager,
        office.community,
        perception_services.PerceptionInput(timezone.localdate(), base, session=survey.pk),
    )
    assert response.session == survey


def test_only_the_communitys_editors_record(office: Office) -> None:
    data = perception_services.PerceptionInput(timezone.localdate(), {**PROFILE, **GOOD})
    for user in (office.case_manager, office.me_officer, office.other_pm):
        with pytest.raises(PermissionDenied):
            perception_services.record_response(user, office.community, data)
    perception_services.record_response(office.coordinator, office.community, data)


def test_results_are_hidden_under_k_and_by_group(office: Office) -> None:
    k = perception_selectors.threshold(office.community)
    for _ in range(k - 1):
        answer(office)
    results = perception_selectors.results_of(office.community)
    assert not results.shown and results.groups == [] and results.questions == []
    answer(office)
    results = perception_selectors.results_of(office.community)
    assert results.total == k
    by_group = {g.group: g for g in results.groups}
    assert by_group["all"].responses == k and by_group["all"].scores["composite"] is not None
    assert by_group["returnee"].responses == k
    assert by_group["non_migrant"].responses is None  # nobody: shown as zero counts, no mean
    # One non-migrant next to k returnees: both groups hidden (one alone could be worked out from the total).
    answer(office, respondent_group="non_migrant")
    results = perception_selectors.results_of(office.community)
    by_group = {g.group: g for g in results.groups}
    assert by_group["returnee"].responses is None and by_group["non_migrant"].responses is None
    assert by_group["returnee"].scores["composite"] is None
    trust = next(q for q in results.questions if q.code == "cohesion_trust")
    agree = next(o for o in trust.options if o.code == "strongly_agree")
    assert agree.counts["all"] == k + 1 and agree.counts["returnee"] is None and agree.counts["non_migrant"] is None
    assert "respondent_group" not in {q.code for q in results.questions}


def test_a_case_round_refuses_the_community_instrument(office: Office) -> None:
    case = f.case(office.case_manager)
    assert "community_perception" not in {v.instrument.code for v in engine_selectors.instruments_for_case(case)}
    with pytest.raises(ValidationError) as exc:
        engine.record_round(
            office.case_manager,
            case,
            RoundInput(instrument="community_perception", taken_on=timezone.localdate(), answers=dict(GOOD)),
        )
    assert codes(exc) == {"instrument": ["invalid_choice"]}
    assert Case.objects.filter(pk=case.pk).exists()


def test_a_programme_may_load_its_own_version_with_the_same_profile_codes(office: Office) -> None:
    version = perception_selectors.survey_version(office.community)
    assert version is not None
    raw = yaml.safe_load(yaml.safe_dump(version.definition))
    raw["version"] = 2
    raw["questions"][0]["options"][0]["code"] = "migrant"  # not a code of the community level
    programme = f.programme(office.org)
    engine.load_instrument(office.programme_manager, raw, programme=programme, publish=True)
    own = perception_selectors.survey_version(office.community)
    assert own is not None and own.number == 2 and own.instrument.programme_id == programme.pk
    with pytest.raises(ValidationError) as exc:
        perception_services.record_response(
            office.programme_manager,
            office.community,
            perception_services.PerceptionInput(
                timezone.localdate(), {**PROFILE, "respondent_group": "migrant", **GOOD}
            ),
        )
    assert codes(exc) == {"answers.respondent_group": ["invalid_choice"]}


def test_web_answer_and_results_on_the_community_page(client: Any, office: Office) -> None:
    client.force_login(office.programme_manager)
    url = reverse("community:perception-new", args=[office.community.pk])
    page = client.get(url)
    assert page.status_code == 200 and "q_respondent_group" in page.content.decode()
    refused = client.post(url, {"taken_on": timezone.localdate().isoformat(), "q_cohesion_trust": "agree"})
    assert refused.status_code == 200
    assert "q_respondent_group" in refused.context["form"].errors
    assert not PerceptionResponse.objects.exists()
    data = {"taken_on": timezone.localdate().isoformat(), **{f"q_{k}": v for k, v in {**PROFILE, **GOOD}.items()}}
    assert client.post(url, data).status_code == 302
    k = perception_selectors.threshold(office.community)
    for _ in range(k - 1):
        answer(office)
    detail = client.get(reverse("community:detail", args=[office.community.pk]))
    assert detail.context["perception"].total == k
    assert "perception" in detail.content.decode()


def test_xlsform_has_no_case_number_and_the_profile_first(client: Any, office: Office) -> None:
    client.force_login(office.me_officer)
    response = client.get(reverse("community:perception-xlsform", args=[office.community.pk]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    names = [row[1] for row in book["survey"].iter_rows(min_row=2, values_only=True)]
    assert names[:4] == ["survey_date", "respondent_group", "respondent_sex", "respondent_age_band"]
    assert "case_number" not in names


def test_xlsform_converts_with_pyxform(office: Office) -> None:
    from pyxform import xls2xform

    from reintegra.sustainability import xlsform

    version = perception_selectors.survey_version(office.community)
    assert version is not None
    content = xlsform.to_xlsform(version.parsed())
    result = xls2xform.convert(xlsform=io.BytesIO(content), file_type=".xlsx")
    assert "respondent_group" in result.xform


def test_api_records_and_reads_results(office: Office) -> None:
    api = api_client(office.programme_manager)
    url = f"/api/v1/communities/{office.community.pk}/perception/"
    bad = api.post(
        url, {"taken_on": timezone.localdate().isoformat(), "answers": {"cohesion_trust": "agree"}}, format="json"
    )
    assert bad.status_code == 400
    assert {e["field"]: e["code"] for e in bad.json()["errors"]}["answers.respondent_group"] == "required"
    created = api.post(
        url, {"taken_on": timezone.localdate().isoformat(), "answers": {**PROFILE, **GOOD}}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert created.json()["group"] == "returnee" and "answers" not in created.json()
    results = api.get(url).json()
    assert results["total"] is None and results["groups"] == []
    assert api_client(office.other_pm).get(url).status_code == 404

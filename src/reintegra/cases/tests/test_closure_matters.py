"""Issue 18.2: closing a case asks what happens to each thing still open on it — the plan's items in
progress, its referrals (tests in referrals/tests/test_closed_case.py) and a missing final sustainability
survey round — on the web and in the API alike; nothing is settled until every question has its answer."""

from __future__ import annotations

import pytest
from django.utils import timezone

from reintegra.cases import selectors, services
from reintegra.cases.choices import CaseStatus, PlanItemStatus
from reintegra.sustainability import services as survey_services
from reintegra.testing import factories
from reintegra.testing.api_clients import api_client_for as client_for
from reintegra.testing.survey import best_answers

pytestmark = pytest.mark.django_db


def _keys(case):
    return {m.key: [code for code, _words in m.choices] for m in selectors.open_matters(case)}


def test_the_open_items_and_the_missing_final_round_are_asked(case_manager):
    case = factories.agreed_case(case_manager)
    item = selectors.plan_items_of(case)[0]
    assert _keys(case) == {f"plan-item-{item.pk}": ["completed", "cancelled"], "final-round": ["close_without"]}
    # A survey round taken lately: nothing is missing any more; a completed item is not asked about.
    survey_services.record_round(
        case_manager, case, survey_services.RoundInput("rss", timezone.localdate(), best_answers())
    )
    item.status = PlanItemStatus.COMPLETED
    item.save()
    assert _keys(case) == {}


def test_closing_settles_each_item_as_decided_and_says_so_on_the_timeline(case_manager):
    case = factories.agreed_case(case_manager)
    item = selectors.plan_items_of(case)[0]
    decisions = {f"plan-item-{item.pk}": "cancelled", "final-round": "close_without"}
    services.close_case(case_manager, case, reason="remigrated", open_matters=decisions)
    item.refresh_from_db()
    assert (case.status, item.status) == (CaseStatus.CLOSED, PlanItemStatus.CANCELLED)
    event = case.events.get(kind="closed")
    assert event.data["settled"] == [
        {"kind": "plan_item", "choice": "cancelled"},
        {"kind": "final_round", "choice": "close_without"},
    ]


def test_the_api_lists_the_questions_and_refuses_a_closure_that_skips_one(case_manager):
    case = factories.agreed_case(case_manager)
    item = selectors.plan_items_of(case)[0]
    api = client_for(case_manager)
    listed = api.get(f"/api/v1/cases/{case.pk}/open-matters/").json()
    assert [m["key"] for m in listed] == [f"plan-item-{item.pk}", "final-round"]
    assert [c["code"] for c in listed[0]["choices"]] == ["completed", "cancelled"]
    skipped = api.post(
        f"/api/v1/cases/{case.pk}/close/",
        {"reason": "remigrated", "open_matters": {"final-round": "close_without"}},
        format="json",
    )
    assert skipped.status_code == 400
    assert f"open_matters.plan-item-{item.pk}" in str(skipped.json())
    case.refresh_from_db()
    item.refresh_from_db()
    assert (case.status, item.status) != (CaseStatus.CLOSED, PlanItemStatus.CANCELLED)
    decisions = {f"plan-item-{item.pk}": "completed", "final-round": "close_without"}
    closed = api.post(
        f"/api/v1/cases/{case.pk}/close/", {"reason": "remigrated", "open_matters": decisions}, format="json"
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    item.refresh_from_db()
    assert item.status == PlanItemStatus.COMPLETED

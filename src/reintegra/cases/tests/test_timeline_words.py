"""What each timeline event of cases says (`cases_ui.describe_event`), in English."""

import pytest
from django.utils import translation

from reintegra.cases import extensions
from reintegra.cases.choices import CaseEventKind as Kind
from reintegra.cases.templatetags.cases_ui import describe_event


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("kind", "data", "note", "lines"),
    [
        (Kind.STATUS_CHANGED, {"old": "registered", "new": "assessed"}, "", ["Status: Registered → Assessed"]),
        (Kind.REGISTERED, {"return_type": "forced"}, "", ["Return type: Forced return (deportation)"]),
        (Kind.REGISTERED, {}, "", []),
        (Kind.UPDATED, {"what": "household", "members": 1}, "", ["Household updated", "1 household member"]),
        (Kind.UPDATED, {"what": "unknown", "members": None}, "", ["0 household members"]),
        (Kind.ASSIGNED, {"case_manager": "Ana Pérez"}, "", ["Case manager: Ana Pérez"]),
        (Kind.ASSIGNED, {}, "", []),
        (Kind.ASSESSMENT, {"assessment_kind": "reassessment"}, "", ["Reassessment"]),
        (Kind.COUNSELLING, {"mode": "phone"}, "", ["Mode: Phone"]),
        (Kind.FOLLOW_UP, {"mode": "in_person"}, "", ["Mode: In person"]),
        (Kind.FOLLOW_UP, {}, "", []),
        (Kind.PLAN_AGREED, {"late": True}, "", ["Agreed more than one month after the return"]),
        (Kind.PLAN_AGREED, {"agreed_on": "not a date"}, "", ["Agreed on not a date"]),
        (
            Kind.CLOSED,
            {"reason": "support_ended", "category": "planned", "old": "in_follow_up"},
            "",
            ["Reason: Support period ended (Planned exit)", "Status before closing: In follow-up"],
        ),
        (
            Kind.REOPENED,
            {"previous_reason": "support_ended", "new": "in_follow_up"},
            "Nueva amenaza",
            ["Reason: Nueva amenaza", "Had been closed for: Support period ended", "Status: In follow-up"],
        ),
        (Kind.REOPENED, {}, "", []),
    ],
)
def test_case_events_in_words(kind, data, note, lines):
    assert describe_event(kind, data, note) == lines


def test_no_data_is_no_data():
    assert describe_event(Kind.ASSIGNED, None, "") == []  # type: ignore[arg-type]


def test_other_apps_events_are_worded_by_what_they_register(monkeypatch):
    assert describe_event("another_apps_kind", {"n": 2}, "") == []
    monkeypatch.setitem(extensions._DESCRIBERS, "another_apps_kind", lambda data: [f"{data['n']} things"])
    assert describe_event("another_apps_kind", {"n": 2}, "a note") == ["2 things"]

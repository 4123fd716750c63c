"""The story of a synthetic case: what a case manager did, step by step, with the inputs the services take.

A story is the generator's only description of a case. `writer` turns it into rows the way the services
would have written them (for speed); the parity test (`demo/tests/test_parity.py`) plays the same story
through the services themselves and compares every row, so the two cannot drift apart.

Each step is the call of one service, at the moment it happened:

| step | service |
|---|---|
| `Registration` | `register_returnee` then `open_case` |
| `HouseholdRecorded` | `set_household` |
| `SessionHeld` | `record_counselling_session` |
| `Assessed` | `record_assessment` |
| `PlanDrafted` | `save_plan` |
| `PlanAgreed` | `agree_plan` |
| `Visited` | `record_follow_up` (progress names plan items by their position in the plan) |
| `Closed` | `close_case` |
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from reintegra.cases.services import MemberInput, PlanItemInput, ReturneeInput, ReturnInput
from reintegra.demo.skeleton import Slot

# At most this many rows of each kind per case: each case owns a block of ids of that size (`writer`).
MAX_ASSESSMENTS = 4
MAX_SESSIONS = 4
MAX_PLAN_ITEMS = 4
MAX_VISITS = 16


@dataclass(slots=True)
class Registration:
    at: datetime
    returnee: ReturneeInput
    return_information: ReturnInput


@dataclass(slots=True)
class HouseholdRecorded:
    at: datetime
    members: list[MemberInput]
    notes: str


@dataclass(slots=True)
class SessionHeld:
    at: datetime
    values: dict[str, Any]  # record_counselling_session's values


@dataclass(slots=True)
class Assessed:
    at: datetime
    values: dict[str, Any]  # record_assessment's values


@dataclass(slots=True)
class PlanDrafted:
    at: datetime
    goals: str
    motivations: str
    items: list[PlanItemInput]


@dataclass(slots=True)
class PlanAgreed:
    at: datetime
    agreed_on: date
    late_reason: str


@dataclass(slots=True)
class Visited:
    at: datetime
    values: dict[str, Any]  # record_follow_up's values
    # (position of the plan item in the plan, its new status, a note)
    progress: list[tuple[int, str, str]] = field(default_factory=list)


@dataclass(slots=True)
class Closed:
    at: datetime
    reason: str
    note: str
    closed_on: date
    # What the closure makes of plan items still open (cases.services.close_case asks): completed or cancelled.
    open_items_become: str


Step = Registration | HouseholdRecorded | SessionHeld | Assessed | PlanDrafted | PlanAgreed | Visited | Closed


@dataclass(slots=True)
class CaseStory:
    slot: Slot
    steps: list[Step]  # in the order they happened; the first is the Registration

    @property
    def registration(self) -> Registration:
        first = self.steps[0]
        assert isinstance(first, Registration)
        return first

"""Issue 11 item 5: the generator writes what the services write.

The generator tells each case as a story of service calls (`reintegra.demo.stories`) and writes its rows
directly, for speed. Here the same stories are played through the services themselves, step by step at the
moment each happened, and every row of every model either path wrote is compared field by field: a case,
its returnee (names, contact details and dates decrypted), documents, blind indexes of names and search
keys, household, assessments, counselling, plan and items, follow-up visits and progress, the timeline and
case numbers. Only ids, timestamps and ciphertexts (Fernet draws a fresh IV) are left out. A field or a row
a service writes and the generator does not (or writes differently) fails the test, naming it.
"""

from collections import Counter
from datetime import date

import pytest
from django.db import transaction

from reintegra.demo import seeding, staff, stories
from reintegra.demo.tests import parity

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 6, 30)
CASES = 16
SEED = 184  # 16 cases of this seed hold every kind of step and record (checked below)

# What the services write that the generator deliberately does not, and why.
NOT_GENERATED = {
    # The change log records what users changed; synthetic data is no user's change, so seeding disables it
    # (test_seed.test_synthetic_data_is_not_in_the_change_log).
    "auditlog.LogEntry",
}

# Columns that hold one value in every row the stories produce, and why that is right (any other column
# must vary, so that comparing it proves something: a new field both paths leave empty shows up here).
ALWAYS_THE_SAME = {
    "cases.Returnee.revision",  # registered once, never edited in a story
    "cases.Household.revision",  # recorded once
    "cases.Assessment.revision",  # recorded once
    "cases.CaseEvent.note",  # only reopening a case writes one; no story reopens
    # The hotspots' tally (the seed rebuilds it, the services keep it): a story is one case of one new person,
    # so each (organisation, municipality, day) of the few stories holds one return and no repeat.
    "community.ReturnTally.returns",
    "community.ReturnTally.repeats",
}


def _coverage(told: list[stories.CaseStory]) -> Counter:
    """How many of each kind of step and record the stories hold."""
    seen: Counter = Counter()
    for story in told:
        kinds = [type(step).__name__ for step in story.steps]
        seen.update(set(kinds))
        registration = story.registration
        seen["documents"] += bool(registration.returnee.documents)
        seen["estimated age"] += registration.returnee.estimated_age is not None
        seen["phone"] += bool(registration.returnee.phone)
        seen["gender identity"] += bool(registration.returnee.gender_identity)
        seen["progress note"] += any(
            isinstance(s, stories.Visited) and any(n for *_, n in s.progress) for s in story.steps
        )
        seen["late plan"] += any(isinstance(s, stories.PlanAgreed) and s.late_reason for s in story.steps)
        first_visit = kinds.index("Visited") if "Visited" in kinds else len(kinds)
        seen["reassessment"] += "Assessed" in kinds[first_visit:]
        seen["open"] += "Closed" not in kinds
    return seen


@pytest.fixture
def organisations():
    return [staff.ensure_organisation("oim-gt"), staff.ensure_organisation("oim-mx")]


def test_a_seeded_case_is_the_case_the_services_build(organisations, monkeypatch):
    plan = seeding.prepare(CASES, seed=SEED, organisations=organisations, as_of=AS_OF)
    told = list(seeding.stories(plan))
    coverage = _coverage(told)
    for kind in ("HouseholdRecorded", "SessionHeld", "Assessed", "PlanDrafted", "PlanAgreed", "Visited", "Closed"):
        assert coverage[kind], f"no story with {kind}: the comparison would miss it"
    for kind in (
        "documents",
        "estimated age",
        "phone",
        "gender identity",
        "progress note",
        "late plan",
        "reassessment",
        "open",
    ):
        assert coverage[kind], f"no story with {kind}: the comparison would miss it"

    before = parity.row_counts()
    with transaction.atomic():
        seeding.seed(CASES, seed=SEED, organisations=organisations, as_of=AS_OF)
        by_generator = parity.written(before, parity.row_counts())
        generated = parity.Snapshot(by_generator)
        generated_in_clear = parity.clear_at_rest(by_generator)
        transaction.set_rollback(True)
    assert parity.row_counts() == before

    clock = parity.freeze(monkeypatch)
    for story in sorted(told, key=lambda s: s.slot.case_number):  # the order the numbers were drawn in
        parity.play(story, clock)
    monkeypatch.undo()
    by_services = parity.written(before, parity.row_counts())
    built = parity.Snapshot(by_services - NOT_GENERATED)

    assert sorted(generated.rows["cases.Case"]) == sorted(story.slot.case_number for story in told)
    assert by_services >= NOT_GENERATED, "an exclusion nothing needs any more"
    assert by_generator == by_services - NOT_GENERATED, "tables one path writes and the other does not"
    assert parity.differences(generated, built) == []
    assert set(parity.constant_columns(built)) == ALWAYS_THE_SAME, "a column the comparison never sees vary"
    assert generated_in_clear == [] and parity.clear_at_rest(by_services - NOT_GENERATED) == []

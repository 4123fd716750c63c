"""Property tests of the pure cores: status machine, SLA, recommendation ranking, gaps."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reintegra.access.transitions import TransitionError
from reintegra.referrals import gaps, lifecycle, recommend, sla

ACTIONS = list(lifecycle.ACTIONS)


@given(st.lists(st.tuples(st.sampled_from(ACTIONS), st.sampled_from(lifecycle.OUTCOMES)), max_size=12))
def test_any_sequence_stays_on_the_documented_graph(steps):
    status = lifecycle.DRAFT
    for action, outcome in steps:
        try:
            target = lifecycle.next_status(status, action, outcome)
        except TransitionError:
            continue
        assert target in lifecycle.TRANSITIONS[status]
        status = target
    assert status in lifecycle.STATUSES


@pytest.mark.parametrize("status", lifecycle.STATUSES)
@pytest.mark.parametrize("action", ACTIONS)
def test_invalid_transitions_raise(status, action):
    sources = lifecycle.ACTIONS[action][0]
    if status in sources:
        assert lifecycle.next_status(status, action, "no_show") in lifecycle.TRANSITIONS[status]
    else:
        with pytest.raises(TransitionError):
            lifecycle.next_status(status, action, "no_show")


def test_closed_is_final_and_outcome_must_be_known():
    assert lifecycle.TRANSITIONS[lifecycle.CLOSED] == frozenset()
    with pytest.raises(TransitionError):
        lifecycle.next_status(lifecycle.ACCEPTED, "outcome", "seen")


def test_external_provider_steps_belong_to_the_referrer():
    assert lifecycle.allowed_actions("sent", "provider") == ["accept", "decline"]
    # Withdrawing is always the referring side's (the case closes, the person no longer needs it).
    assert lifecycle.allowed_actions("sent", "referrer") == ["withdraw"]
    assert lifecycle.allowed_actions("sent", "referrer", provider_on_platform=False) == [
        "accept",
        "decline",
        "withdraw",
    ]
    assert lifecycle.allowed_actions("accepted", "provider") == ["outcome"]
    assert lifecycle.allowed_actions("withdrawn", "referrer") == []
    assert lifecycle.allowed_actions("withdrawn", "provider") == []


T0 = datetime(2026, 1, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(("priority", "hours"), [("emergency", 24), ("urgent", 72), ("normal", 336)])
def test_priority_deadlines(priority, hours):
    assert sla.acceptance_deadline(T0, priority) == T0 + timedelta(hours=hours)


@given(st.sampled_from(list(sla.PRIORITY_HOURS)), st.integers(min_value=0, max_value=2000))
def test_overdue_exactly_after_the_deadline(priority, hours_later):
    due = sla.acceptance_deadline(T0, priority)
    now = T0 + timedelta(hours=hours_later)
    state = sla.sla_state(
        "sent", acceptance_due_at=due, answered_at=None, outcome_due_at=None, outcome_at=None, now=now
    )
    assert state == (sla.OVERDUE if now > due else sla.ON_TIME)


def test_answered_late_is_missed_and_outcome_counts_after_acceptance():
    due = sla.acceptance_deadline(T0, "emergency")
    late = due + timedelta(hours=1)
    assert (
        sla.sla_state(
            "declined", acceptance_due_at=due, answered_at=late, outcome_due_at=None, outcome_at=None, now=late
        )
        == sla.MISSED
    )
    out_due = sla.outcome_deadline(T0, 5)
    state = sla.sla_state(
        "accepted",
        acceptance_due_at=due,
        answered_at=T0,
        outcome_due_at=out_due,
        outcome_at=None,
        now=out_due + timedelta(seconds=1),
    )
    assert state == sla.OVERDUE
    assert sla.outcome_deadline(T0, None) == T0 + timedelta(days=sla.DEFAULT_OUTCOME_DAYS)


PERSON = recommend.Person(age=30, sex="female", nationality="GT", country="GT", admin1_id=1, municipality_id=10)


def _c(i, **kw):
    base = {"id": i, "name": f"S{i}", "dimension": "economic", "sector": "employment", "country": "GT"}
    base.update(kw)
    return recommend.Candidate(**base)


def test_ranking_by_area_then_capacity():
    ranked = recommend.recommend(
        PERSON,
        [
            _c(1),  # whole country
            _c(2, area_ids=frozenset({1})),  # the department
            _c(3, area_ids=frozenset({10}), capacity=5, used=5),  # municipality, full
            _c(4, area_ids=frozenset({10})),  # municipality, unlimited
            _c(5, area_ids=frozenset({99})),  # elsewhere: left out
            _c(6, country="MX"),  # abroad: left out unless asked
            _c(7, max_age=25),  # not eligible
        ],
    )
    assert [r.candidate.id for r in ranked] == [4, 3, 2, 1]
    assert ranked[1].at_capacity


@pytest.mark.parametrize(
    ("approach", "sectors"),
    [
        ("Desarrollo de negocios", ("business",)),
        ("Business development", ("business",)),
        ("Développement d'entreprise", ("business",)),
        ("Colocación laboral", ("employment",)),
        ("Formación profesional", ("employment",)),
        ("Derivación a salud mental especializada", ("mhpss", "health")),
        ("Apoyo para vivienda", ("housing",)),
        ("Inscripción escolar", ("education",)),
        ("Apoyo para documentación", ("legal",)),
        ("Asistencia en efectivo", ()),
        ("", ()),
    ],
)
def test_a_need_names_its_sectors(approach, sectors):
    assert recommend.sectors_for_need(approach) == sectors


def test_the_needs_sector_comes_first_then_the_nearest():
    # Issue 18.6: for business development, a business service of the country before an employment service
    # of the municipality; within the need's sector, the municipality, then the department, then the country.
    ranked = recommend.recommend(
        PERSON,
        [
            _c(1, area_ids=frozenset({10})),  # employment, municipality
            _c(2, sector="business"),  # business, whole country
            _c(3, sector="business", area_ids=frozenset({1})),  # business, department
            _c(4, sector="business", area_ids=frozenset({10})),  # business, municipality
            _c(5, sector="financial", area_ids=frozenset({10})),
        ],
        need="Desarrollo de negocios",
    )
    assert [r.candidate.id for r in ranked] == [4, 3, 2, 1, 5]
    assert [r.need_match for r in ranked] == [0, 0, 0, 2, 2]
    # Without a need the area decides, as before.
    assert [
        r.candidate.id for r in recommend.recommend(PERSON, [_c(2, sector="business"), _c(1, area_ids=frozenset({10}))])
    ] == [1, 2]


def test_a_form_offers_only_what_can_be_chosen():
    offered = recommend.recommend(
        PERSON,
        [
            _c(1),
            _c(2, choosable=False),  # no SOP of the referring organisation
            _c(3, country="MX"),  # another country
            _c(4, capacity=3, used=3),  # no place left this month
            _c(5, is_active=False),
            _c(6, max_age=25),  # the person does not meet its criteria
        ],
        include_abroad=True,
        include_ineligible=True,
        only_choosable=True,
    )
    assert [r.candidate.id for r in offered] == [1]
    assert all(recommend.can_be_chosen(r) for r in offered)


@given(
    st.lists(
        st.builds(
            lambda i, areas, cap, used, min_age: _c(
                i, area_ids=frozenset(areas), capacity=cap, used=used, min_age=min_age
            ),
            st.integers(1, 10_000),
            st.sets(st.sampled_from([1, 10, 99]), max_size=2),
            st.none() | st.integers(0, 5),
            st.integers(0, 6),
            st.none() | st.integers(0, 60),
        ),
        max_size=15,
    )
)
def test_recommendations_are_eligible_covering_and_sorted(candidates):
    ranked = recommend.recommend(PERSON, candidates)
    for r in ranked:
        assert r.eligible and recommend.proximity(PERSON, r.candidate) is not None
        assert r.candidate.min_age is None or r.candidate.min_age <= 30
    keys = [recommend.rank_key(r) for r in ranked]
    assert keys == sorted(keys)


def test_gap_states():
    area = gaps.Area(10, "Quetzaltenango", 1, "GT")
    offers = [
        gaps.Offer(1, 1, "economic", "employment", "GT", frozenset({1}), 0),
        gaps.Offer(2, 2, "social", "health", "GT", frozenset(), None),
        gaps.Offer(3, 3, "social", "health", "GT", frozenset({10}), 2),
    ]
    rows = {
        r.dimension: r
        for r in gaps.gap_rows({(10, "economic"): 3, (10, "social"): 2, (10, "psychosocial"): 1}, {10: area}, offers)
    }
    assert rows["economic"].state == gaps.AT_CAPACITY
    assert rows["psychosocial"].state == gaps.NO_SERVICE
    assert rows["social"].state == gaps.COVERED and rows["social"].duplicated_sectors == ("health",)
    assert rows["social"].places_left is None


# --- duplication ---------------------------------------------------------------------------------

DEPT = gaps.Area(1, "Quetzaltenango", None, "GT")
OTHER_DEPT = gaps.Area(2, "Huehuetenango", None, "GT")


def _offer(service_id, provider_id, sector, area_ids=(), country="GT"):
    return gaps.Offer(service_id, provider_id, "economic", sector, country, frozenset(area_ids), None)


def test_duplication_needs_two_providers_of_the_same_sector_in_the_area():
    offers = [
        _offer(1, 10, "employment", [1]),
        _offer(2, 10, "employment", [1]),  # same provider twice: not duplication
        _offer(3, 11, "employment"),  # whole country: in both departments
        _offer(4, 12, "business", [1]),
        _offer(5, 13, "business", [2]),
        _offer(6, 14, "employment", [1], country="HN"),
    ]
    rows = gaps.duplication([DEPT, OTHER_DEPT], offers)
    assert [(r.area.name, r.sector, r.provider_ids, r.service_ids) for r in rows] == [
        ("Quetzaltenango", "employment", (10, 11), (1, 2, 3))
    ]


@given(
    st.lists(
        st.tuples(st.integers(1, 4), st.sampled_from(["health", "legal"]), st.sets(st.integers(1, 2), max_size=2)),
        max_size=12,
    )
)
def test_every_duplication_row_has_distinct_providers_covering_the_area(raw):
    offers = [_offer(i, provider, sector, areas) for i, (provider, sector, areas) in enumerate(raw)]
    rows = gaps.duplication([DEPT, OTHER_DEPT], offers)
    for row in rows:
        found = [o for o in offers if o.service_id in row.service_ids]
        assert len({o.provider_id for o in found}) == len(row.provider_ids) > 1
        assert all(o.sector == row.sector and gaps.covers(o, row.area) for o in found)
    # nothing missed: every (area, sector) with 2+ providers is a row
    for area in (DEPT, OTHER_DEPT):
        for sector in ("health", "legal"):
            providers = {o.provider_id for o in offers if o.sector == sector and gaps.covers(o, area)}
            assert (len(providers) > 1) == any(r.area == area and r.sector == sector for r in rows)

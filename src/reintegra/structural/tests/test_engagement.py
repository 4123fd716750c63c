"""The gradient engagement model (Figure 4.1) and the progress flag: pure rules, property-tested."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reintegra.structural import engagement
from reintegra.structural.engagement import COMMUNICATE, INFORM, MANAGE_CLOSELY, ProductState

scores = st.integers(min_value=1, max_value=5)


@given(interest=scores, influence=scores, threshold=scores)
def test_category_follows_the_count_of_high_scores(interest, influence, threshold):
    high = [interest >= threshold, influence >= threshold]
    expected = {2: MANAGE_CLOSELY, 1: COMMUNICATE, 0: INFORM}[sum(high)]
    assert engagement.engagement_category(interest, influence, threshold) == expected


@given(interest=scores, influence=scores, threshold=scores)
def test_symmetric_in_interest_and_influence(interest, influence, threshold):
    assert engagement.engagement_category(interest, influence, threshold) == engagement.engagement_category(
        influence, interest, threshold
    )


@given(interest=scores, influence=scores, threshold=scores, bump=st.sampled_from(["interest", "influence"]))
def test_raising_a_score_never_lowers_priority(interest, influence, threshold, bump):
    rank = {INFORM: 0, COMMUNICATE: 1, MANAGE_CLOSELY: 2}
    before = engagement.engagement_category(interest, influence, threshold)
    if bump == "interest":
        interest = min(5, interest + 1)
    else:
        influence = min(5, influence + 1)
    assert rank[engagement.engagement_category(interest, influence, threshold)] >= rank[before]


def test_default_threshold_is_four():
    assert engagement.engagement_category(4, 4) == MANAGE_CLOSELY
    assert engagement.engagement_category(4, 3) == COMMUNICATE
    assert engagement.engagement_category(3, 5) == COMMUNICATE
    assert engagement.engagement_category(3, 3) == INFORM


@pytest.mark.parametrize("bad", [(0, 3, 4), (6, 3, 4), (3, 3, 0), (3, 3, 6)])
def test_scores_out_of_range_are_refused(bad):
    with pytest.raises(ValueError):
        engagement.engagement_category(*bad)


statuses = st.sampled_from(["agreed", "in_progress", "completed", "stalled", "dropped"])
days = st.integers(min_value=-400, max_value=400)


@given(status=statuses, offset=st.none() | days)
def test_a_product_is_behind_when_stalled_or_open_after_its_due_date(status, offset):
    today = date(2026, 3, 1)
    due = None if offset is None else today + timedelta(days=offset)
    behind = engagement.product_is_behind(ProductState(status, due), today)
    expected = status == "stalled" or (status in {"agreed", "in_progress"} and due is not None and due < today)
    assert behind == expected


@given(products=st.lists(st.tuples(statuses, st.none() | days), max_size=6))
def test_insufficient_progress_means_any_product_behind(products):
    today = date(2026, 3, 1)
    states = [ProductState(s, None if o is None else today + timedelta(days=o)) for s, o in products]
    assert engagement.insufficient_progress(states, today) == any(
        engagement.product_is_behind(p, today) for p in states
    )

"""The pure hotspot core: counts, windows, suppression, ranking, sparkline (hypothesis property tests)."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from reintegra.community.hotspots_core import ReturnEvent, hotspots, sparkline_svg

TODAY = date(2026, 6, 30)
AREAS = ["1", "2", "3", "4"]

events_st = st.lists(
    st.builds(
        ReturnEvent,
        area=st.sampled_from(AREAS),
        day=st.integers(min_value=0, max_value=800).map(lambda d: TODAY - timedelta(days=d)),
        repeat=st.booleans(),
        n=st.integers(min_value=1, max_value=30),
    ),
    max_size=60,
)


def _raw(events, days, offset=0):
    out = {}
    for e in events:
        if TODAY - timedelta(days=days + offset) < e.day <= TODAY - timedelta(days=offset):
            out[e.area] = out.get(e.area, 0) + e.n
    return out


@settings(max_examples=150, deadline=None)
@given(events_st, st.integers(min_value=1, max_value=10), st.sampled_from([90, 365]))
def test_shown_counts_are_exact_and_never_small(events, k, period):
    raw_now, raw_before = _raw(events, period), _raw(events, period, period)
    raw_90, raw_365 = _raw(events, 90), _raw(events, 365)
    for row in hotspots(events, today=TODAY, k=k, period_days=period):
        for shown, raw in ((row.returns, raw_now), (row.previous_returns, raw_before), (row.returns_90, raw_90)):
            if shown is not None:
                assert shown == raw.get(row.area, 0)
                assert shown == 0 or shown >= k
        if row.returns_365 is not None:
            assert row.returns_365 == raw_365.get(row.area, 0)
        for bucket in row.spark:
            assert bucket is None or bucket == 0 or bucket >= k


@settings(max_examples=150, deadline=None)
@given(events_st, st.integers(min_value=1, max_value=10))
def test_one_hidden_cell_is_never_alone(events, k):
    """With a published total, a single hidden count could be worked out: suppression hides another one."""
    shown = {r.area: r.returns_365 for r in hotspots(events, today=TODAY, k=k, period_days=365)}
    raw = _raw(events, 365)
    hidden = [area for area, n in raw.items() if n and shown.get(area) is None]  # a left-out place is hidden too
    if len(raw) > 1 and sum(raw.values()) >= k:
        assert len(hidden) != 1


@settings(max_examples=150, deadline=None)
@given(events_st, st.integers(min_value=1, max_value=5), st.dictionaries(st.sampled_from(AREAS), st.integers(1, 10**6)))
def test_ranked_by_rate_then_returns(events, k, populations):
    rows = hotspots(events, today=TODAY, k=k, populations=populations)

    def tier(row):  # returns in the period with a rate, without one, hidden (1 to k - 1), none
        if row.returns is None:
            return 2
        return 3 if row.returns == 0 else (0 if row.returns_per_1000 is not None else 1)

    tiers = [tier(r) for r in rows]
    assert tiers == sorted(tiers)  # a place with no return in the period never ranks above one with returns
    rated = [r.returns_per_1000 for r in rows if tier(r) == 0]
    assert rated == sorted(rated, reverse=True)
    for row in rows:
        if row.returns_per_1000 is not None:
            assert row.returns is not None and row.population
            assert abs(row.returns_per_1000 - row.returns * 1000 / row.population) < 1e-9


@settings(max_examples=150, deadline=None)
@given(events_st, st.integers(min_value=1, max_value=5))
def test_repeat_share_and_trend(events, k):
    for row in hotspots(events, today=TODAY, k=k, period_days=365):
        if row.repeat_share is not None:
            assert 0 <= row.repeat_share <= 1
            repeats = sum(
                e.n for e in events if e.area == row.area and e.repeat and TODAY - timedelta(days=365) < e.day <= TODAY
            )
            assert row.returns and abs(row.repeat_share - repeats / row.returns) < 1e-9
            assert repeats == 0 or repeats >= k
            assert row.returns - repeats == 0 or row.returns - repeats >= k
        if row.trend is not None:
            assert row.previous_returns and row.returns is not None
            assert abs(row.trend - (row.returns - row.previous_returns) / row.previous_returns) < 1e-9


def test_future_events_and_old_events_do_not_count():
    events = [ReturnEvent("1", TODAY + timedelta(days=1), n=50), ReturnEvent("1", TODAY - timedelta(days=400), n=9)]
    (row,) = hotspots(events, today=TODAY, k=1, period_days=365)
    assert (row.returns, row.previous_returns, row.returns_365, row.returns_90) == (
        None,
        9,
        None,
        None,
    )  # a total of 0 is below k: hidden


def test_weakest_dimension_needs_k_scored_people():
    events = [ReturnEvent("1", TODAY, n=10)]
    scores = {"1": [{"economic": 0.2, "social": 0.6, "psychosocial": 0.5}] * 3}
    assert hotspots(events, today=TODAY, k=3, scores=scores)[0].weakest_dimension == "economic"
    assert hotspots(events, today=TODAY, k=4, scores=scores)[0].weakest_dimension is None


def test_a_place_with_only_hidden_counts_is_left_out():
    events = [ReturnEvent("1", TODAY, n=2), ReturnEvent("2", TODAY, n=20), ReturnEvent("3", TODAY, n=30)]
    areas = [row.area for row in hotspots(events, today=TODAY, k=5)]
    assert "1" not in areas


@given(st.lists(st.one_of(st.none(), st.integers(0, 1000)), min_size=1, max_size=24))
def test_sparkline_is_svg_with_a_line_per_run(values):
    svg = sparkline_svg(values, label='<script>"x"')
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "<script>" not in svg
    runs, current = 0, False
    for value in values:
        if value is not None and not current:
            runs += 1
        current = value is not None
    assert svg.count("<polyline") == runs

"""Return hotspots from the platform's own records, as pure Python (no Django): tested with hypothesis.

Input: one `ReturnEvent` per return (a case's return date and its returnee's municipality of return, or a
reception intake's arrival date and municipality of destination), the population of the places, and each
scored returnee's latest RSS dimension scores. Output: one `Hotspot` per municipality, ranked by returns per
1,000 residents, with every count of fewer than `k` people hidden (`monitoring.indicators.suppress`: the
small cells and enough others that the hidden ones cannot be worked out from a total).

A hidden count is None, and so is everything computed from it (rate, trend, share).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from reintegra.monitoring.indicators import suppress

DIMENSIONS = ("economic", "social", "psychosocial")
SPARK_BUCKETS = 12


@dataclass(frozen=True)
class ReturnEvent:
    area: str
    day: date
    repeat: bool = False
    n: int = 1  # how many returns this event stands for (the database groups them by area, day and kind)


@dataclass(frozen=True)
class Hotspot:
    area: str
    returns: int | None  # in the period (the last `period_days` days, today included)
    previous_returns: int | None  # in the period of the same length just before
    returns_90: int | None
    returns_365: int | None
    population: int | None
    returns_per_1000: float | None
    trend: float | None  # (returns - previous) / previous; None when hidden or previous is 0
    repeat_share: float | None  # share of the period's returns that were repeat returns
    weakest_dimension: str | None  # the lowest average RSS dimension of the returnees there
    spark: tuple[int | None, ...]  # returns per 30-day bucket, oldest first, small counts hidden


def _counts(events: Sequence[ReturnEvent], today: date, days: int, offset: int = 0) -> Counter[str]:
    """Returns per area on the days (today - offset - days, today - offset]."""
    end = today - timedelta(days=offset)
    start = end - timedelta(days=days)
    counts: Counter[str] = Counter()
    for e in events:
        if start < e.day <= end:
            counts[e.area] += e.n
    return counts


def _shown(counts: Mapping[str, int], areas: Iterable[str], k: int) -> dict[str, int | None]:
    return suppress({area: counts.get(area, 0) for area in areas}, k)


@dataclass(frozen=True)
class ScoreTotals:
    """The scored returnees of a place as the database sums them: how many people, and per dimension the sum
    and the number of their latest scores that have it (the same means as a list of each person's scores)."""

    people: int
    sums: Mapping[str, float]
    counts: Mapping[str, int]


def _totals(scores: Sequence[Mapping[str, float]] | ScoreTotals) -> ScoreTotals:
    if isinstance(scores, ScoreTotals):
        return scores
    values = {d: [s[d] for s in scores if s.get(d) is not None] for d in DIMENSIONS}
    return ScoreTotals(len(scores), {d: sum(v) for d, v in values.items()}, {d: len(v) for d, v in values.items()})


def _weakest(scores: Sequence[Mapping[str, float]] | ScoreTotals, k: int) -> str | None:
    totals = _totals(scores)
    if totals.people < k:
        return None
    means = {
        d: totals.sums[d] / totals.counts[d] for d in DIMENSIONS if totals.counts.get(d, 0) >= k and d in totals.sums
    }
    if not means:
        return None
    return min(sorted(means), key=lambda d: means[d])


def _share(part: int, whole: int | None, k: int) -> float | None:
    """part/whole, hidden when either side of the split has 1..k-1 people."""
    if not whole:
        return None
    rest = whole - part
    if 0 < part < k or 0 < rest < k:
        return None
    return part / whole


def _trend(now: int | None, before: int | None) -> float | None:
    if now is None or not before:
        return None
    return (now - before) / before


def _spark(events: Sequence[ReturnEvent], areas: list[str], today: date, k: int) -> dict[str, list[int | None]]:
    """Per area, the returns of each of the last 12 30-day buckets, each bucket suppressed across areas."""
    out: dict[str, list[int | None]] = {area: [] for area in areas}
    for bucket in range(SPARK_BUCKETS - 1, -1, -1):
        shown = _shown(_counts(events, today, 30, offset=30 * bucket), areas, k)
        for area in areas:
            out[area].append(shown[area])
    return out


def _rank_key(row: Hotspot) -> tuple[int, float, int, str]:
    """Places with returns in the period first (by rate, then by count), then those whose count is hidden (1 to
    k - 1 returns), then those with none in the period (listed for their earlier returns)."""
    rate, returns = row.returns_per_1000, row.returns
    if returns is None:
        tier = 2
    elif returns == 0:
        tier = 3
    else:
        tier = 0 if rate is not None else 1
    return (tier, -(rate or 0.0), -(returns or 0), row.area)


def hotspots(
    events: Iterable[ReturnEvent],
    *,
    today: date,
    k: int,
    period_days: int = 365,
    populations: Mapping[str, int] | None = None,
    scores: Mapping[str, Sequence[Mapping[str, float]] | ScoreTotals] | None = None,
) -> list[Hotspot]:
    """The municipalities with at least one return in the last 365 days or in the period (or the one before),
    ranked by returns per 1,000 residents (`_rank_key`: without a population, with hidden returns, then with
    none in the period, last)."""
    if k < 1 or period_days < 1:
        raise ValueError("k and period_days must be positive")
    populations = populations or {}
    scores = scores or {}
    listed = [e for e in events if e.day <= today and e.n > 0]
    now = _counts(listed, today, period_days)
    before = _counts(listed, today, period_days, offset=period_days)
    last_90, last_365 = _counts(listed, today, 90), _counts(listed, today, 365)
    areas = sorted(set(now) | set(before) | set(last_365))
    repeats = _counts([e for e in listed if e.repeat], today, period_days)
    shown_now, shown_before = _shown(now, areas, k), _shown(before, areas, k)
    shown_90, shown_365 = _shown(last_90, areas, k), _shown(last_365, areas, k)
    sparks = _spark(listed, areas, today, k)
    per_area_scores: defaultdict[str, Sequence[Mapping[str, float]] | ScoreTotals] = defaultdict(list, scores)
    rows = []
    for area in areas:
        returns = shown_now[area]
        population = populations.get(area)
        rate = returns * 1000 / population if returns is not None and population else None
        rows.append(
            Hotspot(
                area=area,
                returns=returns,
                previous_returns=shown_before[area],
                returns_90=shown_90[area],
                returns_365=shown_365[area],
                population=population,
                returns_per_1000=rate,
                trend=_trend(returns, shown_before[area]),
                repeat_share=_share(repeats[area], returns, k),
                weakest_dimension=_weakest(per_area_scores[area], k),
                spark=tuple(sparks[area]),
            )
        )
    # A place whose every count is hidden is left out: listing it would tell that someone returned there.
    kept = [r for r in rows if (r.returns, r.previous_returns, r.returns_365) != (None, None, None)]
    return sorted(kept, key=_rank_key)


def sparkline_svg(values: Sequence[int | None], *, width: int = 120, height: int = 24, label: str = "") -> str:
    """A small inline SVG line of `values` (None: a gap), drawn server-side; numbers only, so safe to embed."""
    known = [v for v in values if v is not None]
    top = max(known, default=0) or 1
    step = width / max(len(values) - 1, 1)
    segments: list[list[str]] = [[]]
    for i, value in enumerate(values):
        if value is None:
            if segments[-1]:
                segments.append([])
            continue
        y = height - 2 - (height - 4) * value / top
        segments[-1].append(f"{i * step:.1f},{y:.1f}")
    lines = "".join(
        f'<polyline fill="none" stroke="currentColor" stroke-width="1.5" points="{" ".join(points)}"/>'
        for points in segments
        if points
    )
    title = "".join(ch for ch in label if ch not in "<>&\"'")
    return (
        f'<svg class="sparkline" role="img" aria-label="{title}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">{lines}</svg>'
    )

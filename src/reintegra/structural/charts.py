"""Chart.js configurations (static/js/charts.js draws them) and the tables that give the same figures."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from reintegra.structural import choices as c
from reintegra.structural import engagement
from reintegra.web import charts

COLOURS = {
    engagement.MANAGE_CLOSELY: "rgba(183, 28, 28, 0.7)",
    engagement.COMMUNICATE: "rgba(230, 145, 0, 0.7)",
    engagement.INFORM: "rgba(30, 100, 170, 0.7)",
}
# Points sharing the same scores are spread around the score so each stays clickable.
_SPREAD = [
    (0, 0),
    (0.18, 0),
    (-0.18, 0),
    (0, 0.18),
    (0, -0.18),
    (0.18, 0.18),
    (-0.18, -0.18),
    (0.18, -0.18),
    (-0.18, 0.18),
]


def stakeholder_grid(stakeholders: Iterable[Any], highlight: int | None = None) -> dict[str, Any]:
    """Interest (y) x influence (x) bubbles, one dataset per engagement category, with the programme's
    threshold drawn as two dashed lines (quadrant boundaries); each point links to its stakeholder."""
    datasets: dict[str, dict[str, Any]] = {
        value: {"label": str(label), "type": "bubble", "data": [], "backgroundColor": COLOURS[value]}
        for value, label in c.EngagementCategory.choices
    }
    links: dict[str, list[str]] = {value: [] for value in datasets}
    rows = []
    seen: Counter[tuple[int, int]] = Counter()
    thresholds: set[int] = set()
    for s in stakeholders:
        threshold = s.programme.stakeholder_high_threshold
        thresholds.add(threshold)
        category = engagement.engagement_category(s.interest, s.influence, threshold)
        dx, dy = _SPREAD[seen[(s.influence, s.interest)] % len(_SPREAD)]
        seen[(s.influence, s.interest)] += 1
        url = reverse("structural:stakeholder-detail", args=[s.pk])
        datasets[category]["data"].append(
            {"x": s.influence + dx, "y": s.interest + dy, "r": 12 if s.pk == highlight else 8, "label": s.name}
        )
        links[category].append(url)
        rows.append(
            {
                "name": s.name,
                "url": url,
                "interest": s.interest,
                "influence": s.influence,
                "category": c.EngagementCategory(category).label,
            }
        )
    threshold = min(thresholds) if len(thresholds) == 1 else engagement.DEFAULT_THRESHOLD
    line = threshold - 0.5  # scores >= threshold fall on the "high" side of the line
    boundary: dict[str, Any] = {
        "type": "line",
        "borderColor": "rgba(0,0,0,0.35)",
        "borderDash": [6, 4],
        "pointRadius": 0,
        "borderWidth": 1,
        "fill": False,
    }
    config = charts.config(
        "bubble",
        [
            *datasets.values(),
            charts.dataset(
                _("High influence from %(t)s") % {"t": threshold},
                [{"x": line, "y": 0.5}, {"x": line, "y": 5.5}],
                **boundary,
            ),
            charts.dataset(
                _("High interest from %(t)s") % {"t": threshold},
                [{"x": 0.5, "y": line}, {"x": 5.5, "y": line}],
                **boundary,
            ),
        ],
        options={
            "scales": {
                "x": {"type": "linear", "min": 0.5, "max": 5.5, "title": {"display": True, "text": _("Influence")}},
                "y": {"type": "linear", "min": 0.5, "max": 5.5, "title": {"display": True, "text": _("Interest")}},
            },
            "plugins": {"legend": {"position": "bottom"}},
            "animation": False,  # points appear where they belong at once (and nothing moves for readers)
        },
        links=[*links.values(), [], []],
    )
    return {"config": config, "rows": rows, "threshold": threshold, "count": len(rows)}


def capacity_progress(activities: list[Any], indicators: list[Any]) -> dict[str, Any]:
    """Progress of a capacity plan: each activity's progress and each indicator's share of its target."""
    labels = [a.title for a in activities] + [i.name for i in indicators]
    values = [a.progress / 100 for a in activities] + [round(i.achieved, 3) for i in indicators]
    colours = ["rgba(30, 100, 170, 0.7)"] * len(activities) + ["rgba(46, 125, 50, 0.7)"] * len(indicators)
    config = charts.config(
        "bar",
        [charts.dataset(_("Progress"), values, colour=colours)],
        labels=labels,
        options={"indexAxis": "y", "scales": {"x": {"min": 0, "max": 1}}, "plugins": {"legend": {"display": False}}},
        percent_axis="x",
    )
    rows = [{"label": label, "percent": round(v * 100)} for label, v in zip(labels, values, strict=True)]
    return {"config": config, "rows": rows, "count": len(rows)}

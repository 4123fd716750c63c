"""Chart.js configurations (static/js/charts.js draws them) and the tables that give the same figures."""

from __future__ import annotations

import math
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
# Points sharing the same scores are spread around their score (a sunflower pattern, in the order given, so
# the same list draws the same picture), within a radius that keeps them inside their cell: each stays
# visible and clickable, and on the right side of the quadrant lines (which run between the scores).
_GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))
_SPREAD_RADIUS = 0.36


def spread(index: int, count: int) -> tuple[float, float]:
    """The offset (dx, dy) in score units of the `index`-th of `count` points sharing one cell."""
    if count <= 1:
        return 0.0, 0.0
    radius = _SPREAD_RADIUS * math.sqrt((index + 0.5) / count)
    angle = index * _GOLDEN_ANGLE
    return round(radius * math.cos(angle), 3), round(radius * math.sin(angle), 3)


def stakeholder_grid(stakeholders: Iterable[Any], highlight: int | None = None) -> dict[str, Any]:
    """Interest (y) x influence (x) bubbles, one dataset per engagement category, with the programme's
    threshold drawn as two dashed lines (quadrant boundaries); each point links to its stakeholder, carries
    its number in the table beside the chart (drawn on the point) and a tooltip with its name and scores."""
    datasets: dict[str, dict[str, Any]] = {
        value: {"label": str(label), "type": "bubble", "data": [], "backgroundColor": COLOURS[value]}
        for value, label in c.EngagementCategory.choices
    }
    links: dict[str, list[str]] = {value: [] for value in datasets}
    listed = list(stakeholders)
    per_cell = Counter((s.influence, s.interest) for s in listed)
    seen: Counter[tuple[int, int]] = Counter()
    rows = []
    thresholds: set[int] = set()
    for number, s in enumerate(listed, start=1):
        threshold = s.programme.stakeholder_high_threshold
        thresholds.add(threshold)
        category = engagement.engagement_category(s.interest, s.influence, threshold)
        cell = (s.influence, s.interest)
        dx, dy = spread(seen[cell], per_cell[cell])
        seen[cell] += 1
        url = reverse("structural:stakeholder-detail", args=[s.pk])
        scores = _("interest %(interest)s, influence %(influence)s") % {
            "interest": s.interest,
            "influence": s.influence,
        }
        datasets[category]["data"].append(
            {
                "x": s.influence + dx,
                "y": s.interest + dy,
                "r": 13 if s.pk == highlight else 10,
                "label": s.name,
                "tag": str(number),
                "tooltip": f"{number}. {s.name}: {scores}",
            }
        )
        links[category].append(url)
        rows.append(
            {
                "number": number,
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
    # Scores are whole numbers from 1 to 5: one tick per score, none at the padded bounds.
    ticks = {"stepSize": 1, "includeBounds": False, "precision": 0}
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
                "x": {
                    "type": "linear",
                    "min": 0.5,
                    "max": 5.5,
                    "ticks": ticks,
                    "title": {"display": True, "text": _("Influence")},
                },
                "y": {
                    "type": "linear",
                    "min": 0.5,
                    "max": 5.5,
                    "ticks": ticks,
                    "title": {"display": True, "text": _("Interest")},
                },
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

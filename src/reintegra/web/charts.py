"""Chart configurations for `web/includes/chart.html`, which static/js/charts.js draws with Chart.js.

A config is Chart.js's own ({type, data, options}) plus two extras that charts.js understands and only this
module spells: `links` (a URL per point or bar, per dataset: clicking opens it, for drill-down) and
`percentAxis` (that axis's ticks show 0.25 as "25 %": for shares only; a score on a 0–1 scale, such as the
RSS scores, keeps its own numbers). A point given as an object may carry `tooltip` (its tooltip line, written
here in the reader's language) and `tag` (a short text drawn on it: its number in the table beside the chart).
charts.js gives Chart.js the page's language, so ticks and tooltips use the reader's decimal separator. Every
chart has its figures in a table too.

    chart = charts.config("bar", [charts.dataset(_("Cases"), counts, colour="#1d4ed8")], labels=months)
    {% include "web/includes/chart.html" with chart_id="cases-by-month" label=chart_label %}
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


def dataset(
    label: Any, data: Iterable[Any], *, colour: str | Sequence[str] | None = None, **extra: Any
) -> dict[str, Any]:
    """One series: its label (translated), its values, its colour (or one per value); `extra` are Chart.js
    dataset options."""
    series: dict[str, Any] = {"label": str(label), "data": list(data)}
    if colour is not None:
        series["backgroundColor"] = colour
    series.update(extra)
    return series


def config(
    kind: str,
    datasets: Sequence[dict[str, Any]],
    *,
    labels: Sequence[Any] | None = None,
    options: dict[str, Any] | None = None,
    links: Sequence[Sequence[str]] | None = None,
    percent_axis: str | None = None,
) -> dict[str, Any]:
    """A chart of `kind` ("bar", "line", "bubble"...). `labels` name the categories of the x (or y) axis."""
    data: dict[str, Any] = {"datasets": list(datasets)}
    if labels is not None:
        data = {"labels": [str(label) for label in labels], "datasets": list(datasets)}
    chart: dict[str, Any] = {"type": kind, "data": data, "options": options or {}}
    if links is not None:
        chart["links"] = [list(urls) for urls in links]
    if percent_axis is not None:
        chart["percentAxis"] = percent_axis
    return chart

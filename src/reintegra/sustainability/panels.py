"""What this app adds to the case pages: the plan-tab panel, the grid picker of the plan form, timeline lines."""

from __future__ import annotations

from typing import Any

from django.utils import formats
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from reintegra.cases.models import Case
from reintegra.monitoring import svg
from reintegra.sustainability import selectors
from reintegra.sustainability.choices import Dimension
from reintegra.sustainability.definition import SCORES, label
from reintegra.sustainability.pages import month_label, score_titles


def _grid_by_dimension(case: Case, weakest: str | None) -> list[dict[str, Any]]:
    rows = list(selectors.grid_for(case.programme))
    groups = []
    for value, name in Dimension.choices:
        approaches = [r for r in rows if r.dimension == value]
        if approaches:
            groups.append({"dimension": value, "label": name, "approaches": approaches, "weakest": value == weakest})
    # The weakest dimension first: that is where the grid's suggestions matter most.
    return sorted(groups, key=lambda g: not g["weakest"])


def plan_panel_context(request: Any, case: Case) -> dict[str, Any] | None:
    score = selectors.latest_scores(case)
    scores = score.values() if score else {}
    weakest = selectors.weakest_dimension(scores) if score else None
    groups = _grid_by_dimension(case, weakest)
    if score is None and not groups:
        return None
    suggestions = next((g for g in groups if g["weakest"]), None)
    return {
        "score": score,
        "weakest": weakest,
        "weakest_label": dict(Dimension.choices).get(weakest or "", ""),
        "suggestions": suggestions,
        "bands": score.bands if score else {},
    }


def grid_picker_context(request: Any, case: Case) -> dict[str, Any] | None:
    score = selectors.latest_scores(case)
    weakest = selectors.weakest_dimension(score.values()) if score else None
    groups = _grid_by_dimension(case, weakest)
    if not groups:
        return None
    return {"groups": groups, "weakest": weakest}


def describe_round(data: dict[str, Any]) -> list[str]:
    month = data.get("round")
    if month == 0:
        what = _("RSS baseline")
    elif month:
        what = _("RSS round at %(month)s months") % {"month": month}
    else:
        what = _("Additional RSS round")
    lines = [f"{what} · {data.get('instrument', '')} v{data.get('version', '')}"]
    band = data.get("composite_band")
    if band:
        names = {"low": _("low"), "medium": _("medium"), "high": _("high")}
        lines.append(_("Composite score: %(band)s") % {"band": names.get(band, band)})
    else:
        lines.append(_("Composite score not reported (too few answers)"))
    return lines


def band_label(version_definition: dict[str, Any], code: str | None, language: str) -> str:
    for band in version_definition.get("bands", []):
        if band.get("code") == code:
            return label(band.get("labels"), language)
    return code or ""


COLOURS = {"economic": "#b45309", "social": "#1d4ed8", "psychosocial": "#7c3aed", "composite": "#111827"}


def _score(value: float) -> str:
    return formats.number_format(value, decimal_pos=2, use_l10n=True)


def case_file_section(user: Any, case: Case) -> dict[str, Any] | None:
    """The case file's RSS section (issue 18.15): each round's scores and the trajectory as a static SVG (the
    PDF runs no Chart.js); every reader of the case sees its sustainability tab, so the same here."""
    rounds = list(selectors.rounds_for_case(case))
    titles = score_titles()
    values = [[getattr(r.current_score, key) if r.current_score else None for key in SCORES] for r in rounds]
    rows = [{"label": month_label(r.round_month), "round": r, "values": v} for r, v in zip(rounds, values, strict=True)]
    chart = None
    if rounds:
        series = [
            svg.Series(str(titles[key]), [v[n] for v in values], COLOURS[key], 3 if key == "composite" else 2)
            for n, key in enumerate(SCORES)
        ]
        labels = [(str(month_label(r.round_month)), date_format(r.taken_on, "SHORT_DATE_FORMAT")) for r in rounds]
        chart = svg.line_chart(labels, series, _("Trajectory over rounds"), _score)
    return {"rows": rows, "titles": [titles[key] for key in SCORES], "chart": chart}

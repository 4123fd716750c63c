"""The hotspot table as pages, exports and the API present it (from `selectors.hotspots_for`)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from reintegra.access import exports
from reintegra.community import boundaries_core, hotspots_core
from reintegra.community.choices import Dimension
from reintegra.community.selectors import HotspotBoundaries, HotspotRow, Hotspots
from reintegra.web import charts

CHART_ROWS = 15


def dimension_label(code: str | None) -> str:
    return str(Dimension(code).label) if code else ""


def sparkline(row: HotspotRow) -> SafeString:
    # Built from numbers only (hotspots_core.sparkline_svg strips markup from the label).
    return mark_safe(hotspots_core.sparkline_svg(row.spot.spark, label=_("Returns per month, last 12 months")))  # noqa: S308


def as_dict(row: HotspotRow) -> dict[str, Any]:
    spot = row.spot
    return {
        "community": row.community.pk if row.community else None,
        "name": row.name,
        "admin_code": row.area.code,
        "country": str(row.area.country),
        "returns": spot.returns,
        "returns_90": spot.returns_90,
        "returns_365": spot.returns_365,
        "population": spot.population,
        "returns_per_1000": round(spot.returns_per_1000, 3) if spot.returns_per_1000 is not None else None,
        "previous_returns": spot.previous_returns,
        "trend": round(spot.trend, 4) if spot.trend is not None else None,
        "repeat_share": round(spot.repeat_share, 4) if spot.repeat_share is not None else None,
        "weakest_dimension": spot.weakest_dimension,
    }


def header() -> list[exports.Column]:
    """The export's columns (`access.exports`: labels by default, these codes with `?codes=1`)."""
    return [
        exports.Column("name", _("Community or municipality")),
        exports.Column("admin_code", _("Code")),
        exports.Column("returns", _("Returns in the period")),
        exports.Column("returns_90", _("Returns, last 90 days")),
        exports.Column("returns_365", _("Returns, last 365 days")),
        exports.Column("population", _("Population")),
        exports.Column("returns_per_1000", _("Returns per 1,000 residents")),
        exports.Column("previous_returns", _("Returns in the previous period")),
        exports.Column("trend", _("Trend")),
        exports.Column("repeat_share", _("Repeat returns (share)")),
        exports.Column("weakest_dimension", _("Weakest RSS dimension"), Dimension.choices),
    ]


def export_rows(found: Hotspots) -> list[list[Any]]:
    """A hidden count is written "< k", never its number."""
    hidden = f"< {found.k}"

    def cell(value: Any) -> Any:
        return hidden if value is None else value

    rows = []
    for row in found.rows:
        d = as_dict(row)
        rows.append(
            [
                d["name"],
                d["admin_code"],
                cell(d["returns"]),
                cell(d["returns_90"]),
                cell(d["returns_365"]),
                d["population"] if d["population"] is not None else "",
                d["returns_per_1000"] if d["returns_per_1000"] is not None else "",
                cell(d["previous_returns"]),
                d["trend"] if d["trend"] is not None else "",
                d["repeat_share"] if d["repeat_share"] is not None else "",
                d["weakest_dimension"] or "",
            ]
        )
    return rows


def bar_chart(found: Hotspots) -> dict[str, Any]:
    """Returns per 1,000 residents of the top places (those with a rate)."""
    ranked = [row for row in found.rows if row.spot.returns_per_1000][:CHART_ROWS]  # a zero bar shows nothing
    return charts.config(
        "bar",
        [
            charts.dataset(
                _("Returns per 1,000 residents"),
                [round(r.spot.returns_per_1000 or 0, 2) for r in ranked],
                colour="#1d4ed8",
            )
        ],
        labels=[row.name for row in ranked],
        options={"indexAxis": "y"},
    )


def _rate(value: float) -> str:
    return number_format(round(value, 2), decimal_pos=2, use_l10n=True, force_grouping=True)


def _shape_title(name: str, row: HotspotRow | None, k: int) -> str:
    if row is None:
        return _("%(place)s: no return recorded in the period") % {"place": name}
    spot = row.spot
    if spot.returns_per_1000 is not None:
        return _("%(place)s: %(rate)s returns per 1,000 residents") % {
            "place": name,
            "rate": _rate(spot.returns_per_1000),
        }
    if spot.returns is None:
        return _("%(place)s: fewer than %(k)s returns, no rate shown") % {"place": name, "k": k}
    return _("%(place)s: %(n)s returns, no population recorded") % {"place": name, "n": spot.returns}


def choropleth(found: Hotspots, boundaries: HotspotBoundaries) -> dict[str, Any] | None:
    """The hotspot map (returns per 1,000 residents by municipality) and its legend; None without boundaries.

    Drawn from the table's own, already suppressed figures: the map shows nothing the table does not."""
    if not boundaries.municipalities:
        return None
    rows = {row.area.pk: row for row in found.rows}
    shapes = []
    for boundary in boundaries.municipalities:
        row = rows.get(boundary.area_id)
        name = row.name if row else str(boundary.area)
        shapes.append(
            boundaries_core.Shape(
                code=boundary.area.code,
                polygons=boundary.polygons,
                value=row.spot.returns_per_1000 if row else None,
                has_returns=row is not None,
                title=_shape_title(name, row, found.k),
                href=reverse("community:detail", args=[row.community.pk]) if row and row.community else "",
            )
        )
    svg = boundaries_core.choropleth_svg(
        shapes,
        outlines=[b.polygons for b in boundaries.outlines],
        title=_("Map of returns per 1,000 residents by municipality"),
        description=_("The same figures are in the ranked table below, which is the text alternative to this map."),
    )
    legend = []
    for entry in boundaries_core.legend(shapes):
        if entry.kind == "rate" and entry.low is not None and entry.high is not None:
            label = (
                _rate(entry.low)
                if entry.low == entry.high
                else _("%(low)s to %(high)s")
                % {
                    "low": _rate(entry.low),
                    "high": _rate(entry.high),
                }
            )
        elif entry.kind == "no_rate":
            label = _("Returns without a rate (no population recorded, or fewer than %(k)s)") % {"k": found.k}
        else:
            label = _("No return recorded in the period")
        legend.append({"colour": entry.colour, "label": label})
    outlined = {b.area_id for b in boundaries.municipalities}
    # Built from escaped text and numbers only (boundaries_core.choropleth_svg escapes every label).
    return {
        "svg": mark_safe(svg),  # noqa: S308
        "legend": legend,
        "unmapped": [row.name for row in found.rows if row.area.pk not in outlined],
    }

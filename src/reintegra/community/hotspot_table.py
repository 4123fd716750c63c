"""The hotspot table as pages, exports and the API present it (from `selectors.hotspots_for`)."""

from __future__ import annotations

from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from reintegra.access import exports
from reintegra.community import hotspots_core
from reintegra.community.choices import Dimension
from reintegra.community.selectors import HotspotRow, Hotspots
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

"""Area boundaries from GeoJSON and the hotspot choropleth drawn from them, as pure Python (no Django).

A programme loads the boundaries of its areas once (`reintegra load-boundaries`); the hotspot page then draws
them server-side as an SVG map: no tile server, no internet, nothing sent to a third party. Shapes are
simplified when loaded (Douglas-Peucker, `TOLERANCE` degrees, about 100 m) so a country's municipalities stay
a page of a few hundred kilobytes.

Coordinates are [longitude, latitude] (GeoJSON, WGS 84). The map uses an equirectangular projection scaled by
the cosine of the middle latitude: for a country or two of Central America the distortion is negligible.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

TOLERANCE = 0.001  # degrees kept apart by simplification
DECIMALS = 4  # stored precision (about 11 m)
MAX_FEATURES = 20_000

Ring = list[tuple[float, float]]
Polygon = list[Ring]  # the outer ring, then its holes

# A sequential blue scale (light to dark), readable on white and distinct in greyscale.
PALETTE = ("#dbeafe", "#93c5fd", "#3b82f6", "#1d4ed8", "#1e3a8a")
NO_RATE = "#e5e7eb"  # returns without a rate (no population, or a hidden count)
NO_RETURNS = "#ffffff"


class BoundaryError(ValueError):
    """The file is not usable GeoJSON; `problems` lists why (English, for the command line)."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Feature:
    code: str
    polygons: list[Polygon]


def normalise_code(code: Any) -> str:
    """'GT-1301', 'gt 1301', 'GT1301' -> 'GT1301': PCODEs and gazetteer codes differ in separators."""
    return re.sub(r"[^0-9A-Za-z]", "", str(code)).upper()


def _point(raw: Any) -> tuple[float, float] | None:
    if not isinstance(raw, list | tuple) or len(raw) < 2:
        return None
    lon, lat = raw[0], raw[1]
    if any(isinstance(v, bool) or not isinstance(v, int | float) for v in (lon, lat)):
        return None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return None
    return float(lon), float(lat)


def _ring(raw: Any) -> Ring | None:
    if not isinstance(raw, list):
        return None
    points = [_point(p) for p in raw]
    if any(p is None for p in points) or len(points) < 4:
        return None
    return [p for p in points if p is not None]


def _polygons(geometry: Any) -> list[Polygon] | None:
    if not isinstance(geometry, Mapping):
        return None
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    raw_polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else None
    if not isinstance(raw_polygons, list) or not raw_polygons:
        return None
    polygons: list[Polygon] = []
    for raw in raw_polygons:
        if not isinstance(raw, list) or not raw:
            return None
        rings = [_ring(r) for r in raw]
        if any(r is None for r in rings):
            return None
        polygons.append([r for r in rings if r is not None])
    return polygons


def parse_features(data: Any, code_field: str) -> tuple[list[Feature], list[str]]:
    """The features of a FeatureCollection with their code (`properties[code_field]`) and polygons.

    Raises BoundaryError when the file is not a FeatureCollection; a feature without the code or with a
    geometry other than a valid Polygon / MultiPolygon is skipped and named in the second list."""
    if not isinstance(data, Mapping) or data.get("type") != "FeatureCollection":
        raise BoundaryError(["not a GeoJSON FeatureCollection"])
    raw_features = data.get("features")
    if not isinstance(raw_features, list):
        raise BoundaryError(["'features' is not a list"])
    if len(raw_features) > MAX_FEATURES:
        raise BoundaryError([f"more than {MAX_FEATURES} features"])
    features: list[Feature] = []
    skipped: list[str] = []
    for i, raw in enumerate(raw_features, start=1):
        props = raw.get("properties") if isinstance(raw, Mapping) else None
        code = props.get(code_field) if isinstance(props, Mapping) else None
        if code is None or not normalise_code(code):
            skipped.append(f"feature {i}: no '{code_field}'")
            continue
        polygons = _polygons(raw.get("geometry"))
        if polygons is None:
            skipped.append(f"feature {i} ({code}): not a valid Polygon or MultiPolygon")
            continue
        features.append(Feature(str(code), polygons))
    return features, skipped


def _distance(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    if dx == 0 and dy == 0:
        return math.hypot(p[0] - a[0], p[1] - a[1])
    return abs(dy * p[0] - dx * p[1] + b[0] * a[1] - b[1] * a[0]) / math.hypot(dx, dy)


def simplify_ring(ring: Ring, tolerance: float = TOLERANCE) -> Ring:
    """Douglas-Peucker (iterative), keeping at least a triangle; rounded to `DECIMALS`, closed."""
    if len(ring) <= 4:
        kept = ring
    else:
        keep = [False] * len(ring)
        keep[0] = keep[-1] = True
        stack = [(0, len(ring) - 1)]
        while stack:
            start, end = stack.pop()
            far, index = 0.0, -1
            for i in range(start + 1, end):
                d = _distance(ring[i], ring[start], ring[end])
                if d > far:
                    far, index = d, i
            if index >= 0 and far > tolerance:
                keep[index] = True
                stack += [(start, index), (index, end)]
        kept = [p for p, k in zip(ring, keep, strict=True) if k]
        if len(kept) < 4:  # a ring whose first and last point coincide: keep the two farthest from them
            inner = sorted(range(1, len(ring) - 1), key=lambda i: -_distance(ring[i], ring[0], ring[0]))[:2]
            kept = [ring[0], *(ring[i] for i in sorted(inner)), ring[-1]]
    rounded = [(round(x, DECIMALS), round(y, DECIMALS)) for x, y in kept]
    deduped = [p for i, p in enumerate(rounded) if i == 0 or p != rounded[i - 1]]
    if deduped[0] != deduped[-1]:
        deduped.append(deduped[0])
    return deduped


def simplify(polygons: Sequence[Polygon], tolerance: float = TOLERANCE) -> list[list[list[list[float]]]]:
    """The polygons simplified, as JSON-ready lists; rings that collapse below a triangle are dropped."""
    out: list[list[list[list[float]]]] = []
    for polygon in polygons:
        rings = [simplify_ring(r, tolerance) for r in polygon]
        rings = [r for r in rings if len(r) >= 4]
        if rings:
            out.append([[list(p) for p in r] for r in rings])
    return out


def bbox(polygons: Iterable[Sequence[Sequence[Sequence[float]]]]) -> tuple[float, float, float, float]:
    xs: list[float] = []
    ys: list[float] = []
    for polygon in polygons:
        for ring in polygon:
            xs += [p[0] for p in ring]
            ys += [p[1] for p in ring]
    return min(xs), min(ys), max(xs), max(ys)


# --- The choropleth --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    code: str
    polygons: Sequence[Sequence[Sequence[Sequence[float]]]]
    value: float | None  # returns per 1,000 residents; None: no rate
    has_returns: bool  # False: no return recorded there in the period (or all its counts hidden)
    title: str  # the tooltip and accessible name: place and its figure, already formatted
    href: str = ""


@dataclass(frozen=True)
class LegendClass:
    colour: str
    low: float | None  # None for the two classes without a rate
    high: float | None
    kind: str  # "rate", "no_rate" or "no_returns"


def classes(values: Sequence[float], n: int = len(PALETTE)) -> list[tuple[float, float]]:
    """Up to `n` classes by quantiles of `values` (distinct bounds), each (low, high] with the first closed."""
    ordered = sorted(set(values))
    if not ordered:
        return []
    if len(ordered) <= n:
        return [(v, v) for v in ordered]
    cuts = [ordered[min(len(ordered) - 1, math.ceil(len(ordered) * (i + 1) / n) - 1)] for i in range(n)]
    bounds: list[tuple[float, float]] = []
    low = ordered[0]
    for cut in cuts:
        if bounds and cut == bounds[-1][1]:
            continue
        bounds.append((low, cut))
        low = cut
    return bounds


def _class_of(value: float, bounds: Sequence[tuple[float, float]]) -> int:
    for i, (_low, high) in enumerate(bounds):
        if value <= high:
            return i
    return len(bounds) - 1


def legend(shapes: Sequence[Shape]) -> list[LegendClass]:
    bounds = classes([s.value for s in shapes if s.value is not None])
    palette = PALETTE[len(PALETTE) - len(bounds) :] if bounds else ()
    rows = [LegendClass(colour, low, high, "rate") for colour, (low, high) in zip(palette, bounds, strict=True)]
    if any(s.value is None and s.has_returns for s in shapes):
        rows.append(LegendClass(NO_RATE, None, None, "no_rate"))
    if any(not s.has_returns for s in shapes):
        rows.append(LegendClass(NO_RETURNS, None, None, "no_returns"))
    return rows


def _fill(shape: Shape, bounds: Sequence[tuple[float, float]], palette: Sequence[str]) -> str:
    if shape.value is not None and bounds:
        return palette[_class_of(shape.value, bounds)]
    return NO_RATE if shape.has_returns else NO_RETURNS


def _path(polygons: Sequence[Any], project: Any) -> str:
    parts = []
    for polygon in polygons:
        for ring in polygon:
            points = [project(p) for p in ring]
            parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points) + "Z")
    return "".join(parts)


def choropleth_svg(
    shapes: Sequence[Shape],
    *,
    outlines: Sequence[Sequence[Sequence[Sequence[Sequence[float]]]]] = (),
    width: int = 720,
    title: str = "",
    description: str = "",
) -> str:
    """An SVG map of `shapes` filled by class of value (see `legend`), with `outlines` (say, departments)
    drawn over them. Every text is escaped; each shape is a link when it has an href. '' without shapes."""
    if not shapes:
        return ""
    min_x, min_y, max_x, max_y = bbox([*(p for s in shapes for p in s.polygons), *(p for o in outlines for p in o)])
    mid = math.radians((min_y + max_y) / 2)
    span_x = max((max_x - min_x) * math.cos(mid), 1e-6)
    span_y = max(max_y - min_y, 1e-6)
    scale = (width - 8) / span_x
    height = min(round(span_y * scale) + 8, 4 * width)

    def project(p: Sequence[float]) -> tuple[float, float]:
        return 4 + (p[0] - min_x) * math.cos(mid) * scale, 4 + (max_y - p[1]) * scale

    bounds = classes([s.value for s in shapes if s.value is not None])
    palette = PALETTE[len(PALETTE) - len(bounds) :] if bounds else ()
    body = []
    for shape in shapes:
        path = (
            f'<path d="{_path(shape.polygons, project)}" fill="{_fill(shape, bounds, palette)}" '
            f'fill-rule="evenodd" stroke="#6b7280" stroke-width="0.5"><title>{escape(shape.title)}</title></path>'
        )
        if shape.href:
            path = f'<a href="{escape(shape.href)}" data-code="{escape(shape.code)}">{path}</a>'
        else:
            path = f'<g data-code="{escape(shape.code)}">{path}</g>'
        body.append(path)
    for polygons in outlines:
        body.append(f'<path d="{_path(polygons, project)}" fill="none" stroke="#111827" stroke-width="1"/>')
    return (
        f'<svg class="choropleth" role="img" aria-labelledby="choropleth-title choropleth-desc" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMidYMid meet" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="choropleth-title">{escape(title)}</title>'
        f'<desc id="choropleth-desc">{escape(description)}</desc>{"".join(body)}</svg>'
    )

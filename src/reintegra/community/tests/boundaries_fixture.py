"""A small made-up GeoJSON for the tests: rough boxes, NOT the real outlines, carrying the real gazetteer codes
of two Huehuetenango municipalities (1301 Huehuetenango, 1302 Chiantla) and of their department (GT-13)."""

from __future__ import annotations

from typing import Any


def _box(lon: float, lat: float, size: float = 0.1, steps: int = 20) -> list[list[float]]:
    """A closed square ring with `steps` points per side (so simplification has something to drop)."""
    ring: list[list[float]] = []
    corners = [(lon, lat), (lon + size, lat), (lon + size, lat + size), (lon, lat + size)]
    for (x0, y0), (x1, y1) in zip(corners, corners[1:] + corners[:1], strict=True):
        ring += [[x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps] for i in range(steps)]
    return [*ring, ring[0]]


def municipalities(code_field: str = "PCODE", prefix: str = "GT") -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {code_field: f"{prefix}1301", "name": "Huehuetenango"},
                "geometry": {"type": "Polygon", "coordinates": [_box(-91.5, 15.3)]},
            },
            {
                "type": "Feature",
                "properties": {code_field: f"{prefix}1302", "name": "Chiantla"},
                "geometry": {"type": "MultiPolygon", "coordinates": [[_box(-91.4, 15.3)], [_box(-91.4, 15.4, 0.05)]]},
            },
            {
                "type": "Feature",
                "properties": {code_field: f"{prefix}9999", "name": "Nowhere"},
                "geometry": {"type": "Polygon", "coordinates": [_box(-91.0, 15.0)]},
            },
            {"type": "Feature", "properties": {"name": "no code"}, "geometry": None},
        ],
    }


def departments() -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"PCODE": "GT13"},
                "geometry": {"type": "Polygon", "coordinates": [_box(-91.5, 15.3, 0.2)]},
            }
        ],
    }

"""Bar and line charts as inline SVG, drawn on the server (the donor report's and the case file's PDFs and the public
page run no script).

One chart per indicator: for each period, the target as an outlined bar and the actual as a filled one,
each labelled with its number, so the chart reads in black and white and the numbers are in the text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 560, 180
TOP, BOTTOM, LEFT = 18, 34, 8
ACTUAL, TARGET, TEXT = "#1d4e89", "#5f6b7a", "#1f2933"


@dataclass(frozen=True)
class Bar:
    label: str
    target: float | None
    actual: float | None
    note: str = ""  # written where the actual bar would be when there is no number to draw (e.g. "< 5")


def _bar(x: float, width: float, value: float, scale: float, *, filled: bool) -> str:
    height = max(value * scale, 0.0)
    y = TOP + (HEIGHT - TOP - BOTTOM) - height
    paint = f'fill="{ACTUAL}"' if filled else f'fill="none" stroke="{TARGET}" stroke-width="1.5"'
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" {paint}/>'


def _text(x: float, y: float, text: str, *, size: int = 10) -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="middle" fill="{TEXT}">{escape(text)}</text>'


def bar_chart(bars: Sequence[Bar], title: str, fmt: Callable[[float], str], legend: tuple[str, str]) -> SafeString:
    """Target vs actual per period; `fmt` writes a number as the reader's locale does."""
    values = [v for bar in bars for v in (bar.target, bar.actual) if v is not None and v > 0]
    top = max(values, default=1.0)
    scale = (HEIGHT - TOP - BOTTOM - 12) / top
    slot = (WIDTH - LEFT * 2) / max(len(bars), 1)
    width = min(slot / 3, 40.0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>',
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - LEFT}" y2="{HEIGHT - BOTTOM}" stroke="{TARGET}"/>',
    ]
    for i, bar in enumerate(bars):
        middle = LEFT + slot * i + slot / 2
        for value, x, filled in ((bar.target, middle - width - 2, False), (bar.actual, middle + 2, True)):
            if value is None:
                continue
            parts.append(_bar(x, width, value, scale, filled=filled))
            y = TOP + (HEIGHT - TOP - BOTTOM) - max(value * scale, 0.0) - 3
            parts.append(_text(x + width / 2, y, fmt(value), size=9))
        if bar.actual is None and bar.note:
            parts.append(_text(middle + 2 + width / 2, HEIGHT - BOTTOM - 4, bar.note, size=9))
        parts.append(_text(middle, HEIGHT - BOTTOM + 14, bar.label))
    target_label, actual_label = legend
    parts += [
        f'<rect x="{LEFT}" y="{HEIGHT - 12}" width="10" height="8" fill="none" stroke="{TARGET}"/>',
        f'<text x="{LEFT + 14}" y="{HEIGHT - 4}" font-size="9" fill="{TEXT}">{escape(target_label)}</text>',
        f'<rect x="{LEFT + 110}" y="{HEIGHT - 12}" width="10" height="8" fill="{ACTUAL}"/>',
        f'<text x="{LEFT + 124}" y="{HEIGHT - 4}" font-size="9" fill="{TEXT}">{escape(actual_label)}</text>',
        "</svg>",
    ]
    return mark_safe("".join(parts))  # noqa: S308  every text above is escaped


# --- Lines over time (a case's RSS trajectory in its case file) ------------------------------------------------

LINE_HEIGHT, LINE_LEFT, LINE_BOTTOM, LINE_RIGHT = 230, 40, 62, 16
LINE_INSET = 40  # the first and last points stand this far inside the plot, so their labels fit
DASHES = ("", "6 3", "2 3", "8 3 2 3")  # each series also differs by its dash: the chart reads in black and white


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]  # one per x label; None: no value (the line is broken there)
    colour: str
    width: float = 2.0


def _polylines(points: list[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if run]


def _series_parts(series: Series, points: list[tuple[float, float] | None], dash: str) -> list[str]:
    pattern = f' stroke-dasharray="{dash}"' if dash else ""
    parts = []
    for run in _polylines(points):
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{series.colour}" stroke-width="{series.width}"{pattern}/>'
        )
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.6" fill="{series.colour}"/>' for x, y in run]
    return parts


def line_chart(
    labels: Sequence[tuple[str, str]],
    series: Sequence[Series],
    title: str,
    fmt: Callable[[float], str],
    *,
    top: float = 1.0,
    ticks: int = 4,
) -> SafeString:
    """Values from 0 to `top` over the x labels (two lines each: e.g. the round and its date); `fmt` writes
    the axis numbers as the reader's locale does."""
    plot_height = LINE_HEIGHT - TOP - LINE_BOTTOM
    plot_width = WIDTH - LINE_LEFT - LINE_RIGHT
    step = (plot_width - 2 * LINE_INSET) / max(len(labels) - 1, 1)

    def x_of(i: int) -> float:
        return LINE_LEFT + (LINE_INSET + step * i if len(labels) > 1 else plot_width / 2)

    def y_of(value: float) -> float:
        return TOP + plot_height - max(min(value, top), 0.0) / top * plot_height

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {LINE_HEIGHT}" width="{WIDTH}" '
        f'height="{LINE_HEIGHT}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for t in range(ticks + 1):
        value = top * t / ticks
        y = y_of(value)
        parts.append(f'<line x1="{LINE_LEFT}" y1="{y:.1f}" x2="{WIDTH - LINE_RIGHT}" y2="{y:.1f}" stroke="#d5dbe1"/>')
        parts.append(
            f'<text x="{LINE_LEFT - 4}" y="{y + 3:.1f}" font-size="9" text-anchor="end" fill="{TEXT}">'
            f"{escape(fmt(value))}</text>"
        )
    for i, (first, second) in enumerate(labels):
        parts.append(_text(x_of(i), TOP + plot_height + 13, first, size=9))
        parts.append(_text(x_of(i), TOP + plot_height + 24, second, size=8))
    for n, line in enumerate(series):
        points = [None if v is None else (x_of(i), y_of(v)) for i, v in enumerate(line.values)]
        parts += _series_parts(line, points, DASHES[n % len(DASHES)])
    slot = (WIDTH - LINE_LEFT) / max(len(series), 1)
    for n, line in enumerate(series):
        x, y = LINE_LEFT + slot * n, LINE_HEIGHT - 10
        dash = DASHES[n % len(DASHES)]
        pattern = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line x1="{x:.1f}" y1="{y - 3}" x2="{x + 18:.1f}" y2="{y - 3}" stroke="{line.colour}" '
            f'stroke-width="{line.width}"{pattern}/>'
        )
        parts.append(f'<text x="{x + 22:.1f}" y="{y}" font-size="9" fill="{TEXT}">{escape(line.label)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  every text above is escaped

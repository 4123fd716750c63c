"""Bar charts as inline SVG, drawn on the server (the donor report's PDF and the public page run no script).

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

"""Inline SVG charts for server-rendered pages: pure functions of their data, no script.

Every text is escaped; colours come from classes (the page's stylesheet, `.chart …`) so that
the nonce-based Content Security Policy, which forbids inline `style`, holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
_LABEL_W = 150  # bar charts: room for the labels on the left
_CAPTION_W = 130  # and for the value captions on the right
_ROW_H = 26
_PLOT_H = 160
_PAD = 28


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    caption: str  # shown after the bar, e.g. "2.5 d"
    marker: float | None = None  # a second value, drawn as a tick (e.g. the 90th percentile)


@dataclass(frozen=True, slots=True)
class Point:
    label: str  # e.g. the day, shown in the tooltip and on the first and last ticks
    value: float | None  # None: no value that day (a gap in the line)


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _svg(title: str, height: int, body: list[str]) -> Markup:
    label = escape(title)
    head = (
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" aria-label="{label}">'
        f"<title>{label}</title>"
    )
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704 - every text part escaped


def _empty(title: str) -> Markup:
    return _svg(
        title,
        48,
        [f'<text class="empty" x="{WIDTH // 2}" y="28" text-anchor="middle">No data</text>'],
    )


def bar_chart(title: str, bars: Sequence[Bar]) -> Markup:
    """Horizontal bars, one row each, scaled to the largest value or marker."""
    if not bars:
        return _empty(title)
    top = max(max(b.value, b.marker or 0.0) for b in bars) or 1.0
    span = WIDTH - _LABEL_W - _CAPTION_W
    body: list[str] = []
    for i, bar in enumerate(bars):
        y = _PAD // 2 + i * _ROW_H
        width = max(bar.value, 0.0) / top * span
        tip = escape(f"{bar.label}: {bar.caption}")
        body.append(
            f'<g class="row"><title>{tip}</title>'
            f'<text class="label" x="{_LABEL_W - 8}" y="{y + 16}" text-anchor="end">'
            f"{escape(bar.label)}</text>"
            f'<rect class="bar" x="{_LABEL_W}" y="{y + 4}" width="{width:.1f}" height="16" rx="3"/>'
        )
        if bar.marker is not None:
            x = _LABEL_W + max(bar.marker, 0.0) / top * span
            body.append(
                f'<line class="marker" x1="{x:.1f}" x2="{x:.1f}" y1="{y + 1}" y2="{y + 23}"/>'
            )
        end = _LABEL_W + span + 8
        body.append(f'<text class="value" x="{end}" y="{y + 16}">{escape(bar.caption)}</text></g>')
    return _svg(title, _PAD + len(bars) * _ROW_H, body)


def _frame(top: float, unit: str, points: Sequence[Point]) -> list[str]:
    """Axes of a time chart: zero and top lines with their values, first and last labels."""
    left, right, base = _PAD + 20, WIDTH - 8, _PAD + _PLOT_H
    return [
        f'<line class="axis" x1="{left}" x2="{right}" y1="{base}" y2="{base}"/>',
        f'<line class="grid" x1="{left}" x2="{right}" y1="{_PAD}" y2="{_PAD}"/>',
        f'<text class="tick" x="{left - 4}" y="{base + 4}" text-anchor="end">0</text>',
        f'<text class="tick" x="{left - 4}" y="{_PAD + 4}" text-anchor="end">'
        f"{escape(_num(top) + unit)}</text>",
        f'<text class="tick" x="{left}" y="{base + 18}">{escape(points[0].label)}</text>',
        f'<text class="tick" x="{right}" y="{base + 18}" text-anchor="end">'
        f"{escape(points[-1].label)}</text>",
    ]


def _x(i: int, count: int) -> float:
    left, right = _PAD + 20, WIDTH - 8
    step = (right - left) / count
    return left + step * (i + 0.5)


def _y(value: float, top: float) -> float:
    return _PAD + _PLOT_H - max(value, 0.0) / top * _PLOT_H


def column_chart(title: str, points: Sequence[Point], *, unit: str = "") -> Markup:
    """One column per point (e.g. deliveries per day); a missing value draws nothing."""
    values = [p.value for p in points if p.value is not None]
    if not values:
        return _empty(title)
    top = max(values) or 1.0
    width = max((WIDTH - _PAD - 28) / len(points) - 1, 0.5)
    body = _frame(top, unit, points)
    for i, p in enumerate(points):
        if p.value is None:
            continue
        y = _y(p.value, top)
        body.append(
            f'<rect class="bar" x="{_x(i, len(points)) - width / 2:.1f}" y="{y:.1f}" '
            f'width="{width:.1f}" height="{_PAD + _PLOT_H - y:.1f}">'
            f"<title>{escape(f'{p.label}: {_num(p.value)}{unit}')}</title></rect>"
        )
    return _svg(title, _PAD + _PLOT_H + 26, body)


def line_chart(title: str, points: Sequence[Point], *, unit: str = "") -> Markup:
    """A line through the points with a value, broken where a value is missing."""
    values = [p.value for p in points if p.value is not None]
    if not values:
        return _empty(title)
    top = max(values) or 1.0
    body = _frame(top, unit, points)
    runs: list[list[str]] = [[]]
    for i, p in enumerate(points):
        if p.value is None:
            runs.append([])
            continue
        x, y = _x(i, len(points)), _y(p.value, top)
        runs[-1].append(f"{x:.1f},{y:.1f}")
        body.append(
            f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="3">'
            f"<title>{escape(f'{p.label}: {_num(p.value)}{unit}')}</title></circle>"
        )
    lines = [
        f'<polyline class="line" fill="none" points="{" ".join(run)}"/>'
        for run in runs
        if len(run) > 1
    ]
    return _svg(title, _PAD + _PLOT_H + 26, lines + body)

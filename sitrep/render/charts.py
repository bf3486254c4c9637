"""Trend charts as inline SVG: vector shapes, so they stay crisp in the PDF and in a browser.

A chart shows one key figure across the reports of the series so far. The y axis starts at
zero (a count drawn from zero does not exaggerate a change); a range reported as low–high is
drawn as a shaded band between its bounds; weeks in which no source reported the figure are
gaps, not interpolated values.
"""

from __future__ import annotations

import re
from typing import Sequence

from markupsafe import Markup, escape

from sitrep.errors import excerpt
from sitrep.report.formatting import format_number

WIDTH, HEIGHT = 240, 64  # user units; the SVG scales to its box
LEFT, RIGHT, TOP, BOTTOM = 40, 6, 6, 14  # room for the axis labels
# Presentation attributes rather than CSS classes: every SVG renderer (WeasyPrint's included)
# honours them, in a page or on its own.
MUTED = "#5f6b76"
MAX_MARKED_POINTS = 52  # a year of weekly reports


def trend_svg(points: Sequence, label: str = "", *, color: str = "#1f4e79", width: int = WIDTH,
              height: int = HEIGHT) -> Markup:
    """An SVG line chart of `points` (objects with .report, .week, .low and .high), drawn in
    `color` (a CSS colour such as '#1f4e79')."""
    color = _safe_color(color)
    tick = f'font-family="Noto Sans, sans-serif" font-size="7" fill="{MUTED}"'
    if not points:
        return Markup("")
    first, last = points[0].report, points[-1].report
    top_value = max(p.high for p in points) or 1
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM

    def x(report: int) -> float:
        return LEFT + (plot_w / 2 if first == last else (report - first) / (last - first) * plot_w)

    def y(value: float) -> float:
        return TOP + plot_h - value / top_value * plot_h

    shapes = [
        f'<line x1="{LEFT}" y1="{y(0):.1f}" x2="{width - RIGHT}" y2="{y(0):.1f}" stroke="{MUTED}" stroke-width="0.5"/>',
        f'<line x1="{LEFT}" y1="{y(top_value):.1f}" x2="{width - RIGHT}" y2="{y(top_value):.1f}" stroke="{MUTED}" '
        f'stroke-width="0.3" stroke-dasharray="2,2"/>',
        f'<text {tick} x="{LEFT - 3}" y="{y(top_value) + 2.5:.1f}" text-anchor="end">{escape(format_number(top_value))}</text>',
        f'<text {tick} x="{LEFT - 3}" y="{y(0) + 2.5:.1f}" text-anchor="end">0</text>',
        f'<text {tick} x="{x(first):.1f}" y="{height - 2}" text-anchor="{"middle" if first == last else "start"}">'
        f'{escape(_short_week(points[0].week))}</text>',
    ]
    if first != last:
        shapes.append(f'<text {tick} x="{x(last):.1f}" y="{height - 2}" text-anchor="end">'
                      f'{escape(_short_week(points[-1].week))}</text>')
    for run in _runs(points):
        if any(p.low != p.high for p in run):
            band = [(x(p.report), y(p.high)) for p in run] + [(x(p.report), y(p.low)) for p in reversed(run)]
            shapes.append(f'<polygon points="{_coords(band)}" fill="{color}" fill-opacity="0.18" stroke="none"/>')
        if len(run) > 1:
            middle = [(x(p.report), y((p.low + p.high) / 2)) for p in run]
            shapes.append(f'<polyline points="{_coords(middle)}" fill="none" stroke="{color}" stroke-width="1.2" '
                          f'stroke-linejoin="round"/>')
    # A dot per report while they can be told apart; over a long series only this report's
    # value is marked (hundreds of dots would blur into the line and slow the PDF down).
    marked = points if len(points) <= MAX_MARKED_POINTS else points[-1:]
    for p in marked:
        radius = 2.4 if p is points[-1] else 1.5  # this report's value stands out
        shapes.append(f'<circle cx="{x(p.report):.1f}" cy="{y((p.low + p.high) / 2):.1f}" r="{radius}" fill="{color}"/>')
    title = escape(label or "Trend")
    described = "; ".join(f"{p.week}: {format_number(p.low) if p.low == p.high else format_number(p.low) + '–' + format_number(p.high)}"
                          for p in points)
    return Markup(
        f'<svg class="trend" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{title}">'
        f'<title>{title}: {escape(described)}</title>{"".join(shapes)}</svg>'
    )


def _safe_color(color: str) -> str:
    """Only a plain colour may reach an SVG attribute: #rrggbb, a name, rgb(...)/hsl(...).
    (config.yaml's theme colours are validated as CSS already; this keeps quotes and markup out
    whatever a template passes.)"""
    if re.fullmatch(r"#[0-9a-f]{3,8}|[a-z]{3,20}|(rgba?|hsla?|hwb|lab|lch|oklab|oklch)\([0-9a-z.,%\s/+-]*\)",
                    color or "", re.IGNORECASE):
        return color
    raise ValueError(f"not a colour: {excerpt(repr(color))} (expected #rrggbb, a colour name, or rgb(...))")


def _runs(points: Sequence) -> list[list]:
    """Consecutive reports, split where the figure was not reported (a gap in the line)."""
    runs: list[list] = []
    for p in points:
        if runs and p.report == runs[-1][-1].report + 1:
            runs[-1].append(p)
        else:
            runs.append([p])
    return runs


def _coords(pairs) -> str:
    return " ".join(f"{a:.1f},{b:.1f}" for a, b in pairs)


def _short_week(week: str) -> str:
    """'2016-W26' -> 'W26 2016', the tick label."""
    year, _, number = week.partition("-")
    return f"{number} {year}"

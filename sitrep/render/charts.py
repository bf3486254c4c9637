"""Trend charts as inline SVG: vector shapes, so they stay crisp in the PDF and in a browser.

A chart shows every report of one key figure known by the report's end, as its source gave it
(docs/report.md, "When a fact enters the series"): the x axis is time, each report spanning the days its
date covers (a day, a week, a month); a range reported as low–high is a shaded band between its
bounds, even for a single report, and a single value is a point (a short bar across its days
when its date is a week or a month). Nothing is drawn between reports: a line joining them would
show numbers that no source gave. The y axis starts at zero (a count drawn from zero does not
exaggerate a change).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Sequence

from markupsafe import Markup, escape

from sitrep.errors import excerpt
from sitrep.language import date_pattern, gettext
from sitrep.report.formatting import format_number, format_range

WIDTH, HEIGHT = 240, 64  # user units; the SVG scales to its box
LEFT, RIGHT, TOP, BOTTOM = 40, 6, 6, 14  # room for the axis labels
# Presentation attributes rather than CSS classes: every SVG renderer (WeasyPrint's included)
# honours them, in a page or on its own.
MUTED = "#5f6b76"
MIN_MARK_WIDTH = 2.5  # a report dated to one day is still a visible mark


def trend_svg(points: Sequence, label: str = "", *, color: str = "#1f4e79", width: int = WIDTH,
              height: int = HEIGHT) -> Markup:
    """An SVG chart of `points` (report.TrendPoint: .start, .end, .low, .high, .as_of), drawn
    in `color` (a CSS colour such as '#1f4e79')."""
    color = _safe_color(color)
    if not points:
        return Markup("")
    first = min(p.start for p in points)
    last = max(p.end for p in points) + dt.timedelta(days=1)  # the end of the last day
    days = (last - first).days
    top_value = max(p.high for p in points) or 1
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM

    def x(day: dt.date) -> float:
        return LEFT + (day - first).days / days * plot_w

    def y(value: float) -> float:
        return TOP + plot_h - value / top_value * plot_h

    shapes = [
        f'<line x1="{LEFT}" y1="{y(0):.1f}" x2="{width - RIGHT}" y2="{y(0):.1f}" stroke="{MUTED}" stroke-width="0.5"/>',
        f'<line x1="{LEFT - 2}" y1="{y(top_value):.1f}" x2="{LEFT}" y2="{y(top_value):.1f}" stroke="{MUTED}" '
        f'stroke-width="0.5"/>',  # a tick, not a line across: a report at the top value must stand out
        _tick(LEFT - 3, y(top_value) + 2.5, "end", format_number(top_value)),
        _tick(LEFT - 3, y(0) + 2.5, "end", format_number(0)),
        _tick(LEFT, height - 2, "start", _short_date(first)),
    ]
    if last - first > dt.timedelta(days=40):  # room for a second label
        shapes.append(_tick(width - RIGHT, height - 2, "end", _short_date(last - dt.timedelta(days=1))))
    for p in points:
        left = x(p.start)
        right = max(x(p.end + dt.timedelta(days=1)), left + MIN_MARK_WIDTH)
        latest = p is points[-1]
        if p.low != p.high:  # a range: a band between its bounds, over the days it covers
            shapes.append(f'<rect x="{left:.1f}" y="{y(p.high):.1f}" width="{right - left:.1f}" '
                          f'height="{max(y(p.low) - y(p.high), 0.8):.1f}" fill="{color}" '
                          f'fill-opacity="{0.45 if latest else 0.25}" stroke="{color}" stroke-width="0.4"/>')
        else:  # a value: a point, with a bar across the days its date covers
            if right - left > MIN_MARK_WIDTH:
                shapes.append(f'<line x1="{left:.1f}" y1="{y(p.low):.1f}" x2="{right:.1f}" y2="{y(p.low):.1f}" '
                              f'stroke="{color}" stroke-width="1.2"/>')
            shapes.append(f'<circle cx="{(left + right) / 2:.1f}" cy="{y(p.low):.1f}" r="{2.4 if latest else 1.6}" '
                          f'fill="{color}"/>')
    # The chart's data in words: what a screen reader says, and the PDF figure's alternate text.
    title = (label.unescape() if isinstance(label, Markup) else str(label)) or gettext("Trend")  # escaped once, below
    # Each number as its source gave it: 'less than 8,000' is not 8,000 (a template's own points
    # may carry no text: their bounds, then).
    described = gettext("; ").join(gettext("%(date)s: %(number)s") % {
        "date": p.as_of, "number": getattr(p, "text", "") or format_range(p.low, p.high)} for p in points)
    words = gettext("%(figure)s, as reported: %(reports)s") % {"figure": title, "reports": described}
    return Markup(
        f'<svg class="trend" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(words)}">'
        f'<title>{escape(words)}</title>{"".join(shapes)}</svg>'
    )


# WeasyPrint shapes SVG text with the first font of its family only: Arabic set in a Latin font's
# fallback falls apart. A text in Arabic script (letters or Arabic-Indic digits) gets an Arabic face.
LATIN_FONT = 'font-family="Noto Sans, DejaVu Sans, sans-serif"'
ARABIC_FONT = 'font-family="Noto Sans Arabic, Noto Sans, sans-serif"'


def font_for(text: str) -> str:
    """The SVG font-family attribute for `text`."""
    return ARABIC_FONT if any("\u0600" <= char <= "\u06ff" for char in text) else LATIN_FONT


def _tick(x: float, y: float, anchor: str, text: str) -> str:
    return (f'<text {font_for(text)} font-size="7" fill="{MUTED}" x="{x:.1f}" y="{y:.1f}" '
            f'text-anchor="{anchor}">{escape(text)}</text>')


def _safe_color(color: str) -> str:
    """Only a plain colour may reach an SVG attribute: #rrggbb, a name, rgb(...)/hsl(...).
    (config.yaml's theme colours are validated as CSS already; this keeps quotes and markup out
    whatever a template passes.)"""
    if re.fullmatch(r"#[0-9a-f]{3,8}|[a-z]{3,20}|(rgba?|hsla?|hwb|lab|lch|oklab|oklch)\([0-9a-z.,%\s/+-]*\)",
                    color or "", re.IGNORECASE):
        return color
    raise ValueError(f"not a colour: {excerpt(repr(color))} (expected #rrggbb, a colour name, or rgb(...))")


def _short_date(day: dt.date) -> str:
    """'Jun 2016', the tick label."""
    return date_pattern(day, "yMMM")  # in the edition's language: 'Jun 2016', 'juin 2016', 'حزيران ٢٠١٦'

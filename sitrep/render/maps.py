"""The map of the week, drawn as inline SVG: vector in the PDF, crisp when printed, and no tile
server or network (docs/map.md, "The map").

- **Projection**: a local equirectangular projection centred on the map (x scaled by the
  cosine of the central latitude), which is within 0.5% of the true distance over a
  governorate (tests/render/test_maps.py measures it against the haversine distance).
- **Routes** are drawn along their waypoints, styled by their status as last reported: colour
  *and* dash pattern, so that a greyscale print and a colour-blind reader tell them apart.
- **Labels** never overlap one another, a marker or the map's furniture: each label tries
  eight positions around its place, most important places first; a label that fits nowhere is
  replaced by a number, and the legend's key names it.
- Every feature carries the id of the entry it draws (`data-fact`), as table rows do, and the
  SVG's <title> states the map's content in words (a screen reader's text, the PDF's alt text).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

from markupsafe import Markup, escape

from sitrep.language import format_decimal, gettext as _, ngettext
from sitrep.render.charts import _safe_color, font_for
from sitrep.source.vocabulary import ROUTE_STATUSES

EARTH_RADIUS_KM = 6371.0088  # the mean radius (IUGG)
KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180
WIDTH, HEIGHT, MARGIN = 520, 340, 18  # user units; the SVG scales to its box
MIN_SPAN_KM = 6.0  # a map of one place still shows its surroundings
LABEL_SIZE = 8.5  # font size of place labels
CHAR_WIDTH = 0.56  # of the font size: an average letter of Noto Sans (Arabic is no wider)

# How each route status is drawn: (theme colour, dash pattern, width). The patterns alone tell
# the statuses apart in greyscale.
ROUTE_STYLES = {
    "open": ("ok", "", 2.6),
    "restricted": ("warning", "7 3", 2.6),
    "unsafe": ("danger", "9 3 2 3", 2.8),
    "closed": ("ink", "2.2 2.6", 3.0),
    "unknown": ("muted", "1 3", 1.6),
}
BASEMAP_STYLES = {  # stroke, width, dash, fill
    "river": ("#8fb8d8", 2.4, "", "none"),
    "road": ("#b4b4b4", 1.0, "", "none"),
    "boundary": ("#9a9a9a", 0.8, "4 2 1 2", "none"),
    "built_up": ("#d3d7da", 0.6, "", "#eceef0"),
}
# Areas held by different parties: a fill colour and a hatch angle each, in the order the map
# meets them, so that two neighbouring areas differ in greyscale too.
AREA_FILLS = (("warning", 45), ("accent", -45), ("ok", 0), ("danger", 90))
PLACE_RANK = {"city": 0, "town": 1, "camp": 2, "crossing": 3, "checkpoint": 3, "village": 4, "neighbourhood": 5,
              "area": 6}
DEFAULT_COLOURS = {"ok": "#2e6b30", "warning": "#8a5a00", "danger": "#a4262c", "ink": "#1d2327", "muted": "#5b6770",
                   "accent": "#1f5f8b", "panel": "#f6f8fa", "rule": "#c9d2d8"}
# --- Projection ----------------------------------------------------------------------------------

def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The great-circle distance between two (lat, lon) points, in km."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


class Projection:
    """(lat, lon) to map units, fitting `points` inside the map's margins, north up."""

    def __init__(self, points: Iterable[tuple[float, float]], width: float = WIDTH, height: float = HEIGHT,
                 margin: float = MARGIN):
        points = list(points)
        lats, lons = [p[0] for p in points], [p[1] for p in points]
        self.lat0, self.lon0 = (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2
        self.cos0 = math.cos(math.radians(self.lat0))
        span_x = max((max(lons) - min(lons)) * self.cos0 * KM_PER_DEGREE, MIN_SPAN_KM)
        span_y = max((max(lats) - min(lats)) * KM_PER_DEGREE, MIN_SPAN_KM)
        self.units_per_km = min((width - 2 * margin) / span_x, (height - 2 * margin) / span_y)
        self.cx, self.cy = width / 2, height / 2

    def km(self, point: tuple[float, float]) -> tuple[float, float]:
        """Kilometres east and north of the map's centre."""
        lat, lon = point
        return (lon - self.lon0) * self.cos0 * KM_PER_DEGREE, (lat - self.lat0) * KM_PER_DEGREE

    def xy(self, point: tuple[float, float]) -> tuple[float, float]:
        east, north = self.km(point)
        return self.cx + east * self.units_per_km, self.cy - north * self.units_per_km


def round_distance(km: float) -> float:
    """The round distance (1, 2 or 5 times a power of ten) at most `km`: 10, 20, 50, 0.5..."""
    power = 10 ** math.floor(math.log10(km))
    return max(step * power for step in (1, 2, 5) if step * power <= km)


# --- Labels ---------------------------------------------------------------------------------------

Box = tuple[float, float, float, float]  # x0, y0, x1, y1


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def label_box(text: str, size: float = LABEL_SIZE) -> tuple[float, float]:
    """(width, height) of a label of `text`."""
    return len(text) * size * CHAR_WIDTH + 2, size * 1.25


@dataclass
class Label:
    id: str
    text: str
    x: float  # the middle of the text
    y: float  # its baseline
    box: Box
    number: int | None = None  # when it fits nowhere: a number, named in the legend's key


def place_labels(places: list[tuple[str, str, float, float, float]], obstacles: list[Box], width: float,
                 height: float) -> list[Label]:
    """A label for each (id, text, x, y, marker radius), most important first, at the first of
    eight positions around its marker that overlaps no other label, marker or obstacle and
    stays inside the map; else a number beside the marker."""
    placed: list[Box] = list(obstacles)
    labels: list[Label] = []
    frame = (1, 1, width - 1, height - 1)
    number = 0
    for place_id, text, x, y, radius in places:
        w, h = label_box(text)
        gap = radius + 2.5
        candidates = [(x + gap + w / 2, y), (x - gap - w / 2, y), (x, y - gap - h / 2), (x, y + gap + h / 2),
                      (x + gap + w / 2, y - gap), (x - gap - w / 2, y - gap), (x + gap + w / 2, y + gap),
                      (x - gap - w / 2, y + gap)]
        for cx, cy in candidates:
            box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            inside = box[0] >= frame[0] and box[1] >= frame[1] and box[2] <= frame[2] and box[3] <= frame[3]
            if inside and not any(overlaps(box, other) for other in placed):
                placed.append(box)
                labels.append(Label(place_id, text, cx, cy + h * 0.3, box))
                break
        else:
            number += 1
            tag = format_decimal(number)
            w, h = label_box(tag, LABEL_SIZE)
            cx, cy = _free_spot(x, y, w, h, radius, placed, frame)
            box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            placed.append(box)
            labels.append(Label(place_id, tag, cx, cy + h * 0.3, box, number))
    return labels


def _free_spot(x: float, y: float, w: float, h: float, radius: float, placed: list[Box],
               frame: Box) -> tuple[float, float]:
    """The nearest free spot for a number of size w×h around (x, y): rings of twelve positions,
    ever wider, until one overlaps nothing and stays inside the frame."""
    for ring in range(1, 30):
        distance = radius + 2 + ring * 3.5
        for step in range(12):
            angle = math.pi * 2 * step / 12
            cx, cy = x + math.cos(angle) * (distance + w / 2), y - math.sin(angle) * (distance + h / 2)
            box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            inside = box[0] >= frame[0] and box[1] >= frame[1] and box[2] <= frame[2] and box[3] <= frame[3]
            if inside and not any(overlaps(box, other) for other in placed):
                return cx, cy
    return x + radius + 2 + w / 2, y  # a map this crowded: beside its place, whatever it touches


# --- Drawing -------------------------------------------------------------------------------------

@dataclass
class DrawnMap:
    svg: Markup
    key: list[tuple[int, str]]  # (number, place name) of the labels that did not fit


def draw_map(situation, *, width: float = WIDTH, height: float = HEIGHT, colours: dict | None = None) -> DrawnMap:
    """The SVG of report.map (context.SituationMap), in the theme's colours."""
    palette = _palette(colours)
    extent = [(p.lat, p.lon) for p in situation.points]
    extent += [point for route in situation.routes for point in route.points]
    extent += [point for area in situation.areas for ring in area.rings for point in ring]
    projection = Projection(extent, width, height, MARGIN + 6)
    shapes: list[str] = []

    def path(ring, closed: bool = False) -> str:
        coordinates = " ".join(f"{x:.1f},{y:.1f}" for x, y in (projection.xy(p) for p in ring))
        return f"M{coordinates.replace(' ', ' L')}{' Z' if closed else ''}"

    for layer in situation.layers:
        stroke, stroke_width, dash, fill = BASEMAP_STYLES[layer.kind]
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        for ring in layer.areas:
            shapes.append(f'<path d="{path(ring, True)}" fill="{fill}" stroke="{stroke}" stroke-width="{stroke_width}"/>')
        for ring in layer.lines:
            shapes.append(f'<path d="{path(ring)}" fill="none" stroke="{stroke}" stroke-width="{stroke_width}"'
                          f'{dashes} stroke-linecap="round" stroke-linejoin="round"/>')
    hatches: dict[int, str] = {}  # one pattern per party's look
    for area in situation.areas:
        style = area_style(situation, area)
        colour, angle = AREA_FILLS[style]
        closed = area.shape == "area"
        if closed and style not in hatches:
            hatches[style] = (f'<pattern id="hatch-{style}" width="5" height="5" patternUnits="userSpaceOnUse" '
                           f'patternTransform="rotate({angle})"><rect width="5" height="5" fill="{palette[colour]}" '
                           f'fill-opacity="0.10"/><path d="M0,0 L0,5" stroke="{palette[colour]}" stroke-width="1" '
                           f'stroke-opacity="0.45"/></pattern>')
        for ring in area.rings:
            look = (f'fill="url(#hatch-{style})" stroke="{palette[colour]}" stroke-width="1.2"' if closed
                    else f'fill="none" stroke="{palette[colour]}" stroke-width="2.2" stroke-dasharray="1 2.5"')
            shapes.append(f'<path data-fact="{escape(area.id)}" d="{path(ring, closed)}" {look}/>')
    for route in situation.routes:
        colour, dash, stroke_width = ROUTE_STYLES.get(route.status, ROUTE_STYLES["unknown"])
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        d = path(route.points)
        shapes.append(f'<g data-fact="{escape(route.id)}" class="route route-{escape(route.status)}">'
                      f'<path d="{d}" fill="none" stroke="#fff" stroke-width="{stroke_width + 2}" stroke-linejoin="round"/>'
                      f'<path d="{d}" fill="none" stroke="{palette[colour]}" stroke-width="{stroke_width}"{dashes} '
                      f'stroke-linejoin="round"/></g>')
    obstacles: list[Box] = []
    to_label = []
    for point in sorted(situation.points, key=lambda p: (PLACE_RANK.get(p.kind, 9), str(p.name))):
        x, y = projection.xy((point.lat, point.lon))
        radius = _place_marker(shapes, point, x, y, palette)
        obstacles.append((x - radius, y - radius, x + radius, y + radius))
        to_label.append((point.id, str(point.name), x, y, radius))
    for group in situation.incidents:
        x, y = projection.xy((group.lat, group.lon))
        x, y = (x + 9, y - 9) if group.category == "abuse" else (x - 9, y - 9)  # beside the place, not on it
        obstacles.append(_incident_marker(shapes, group, x, y, palette))
    furniture = _furniture(shapes, projection, situation.as_of, width, height, palette)
    labels = place_labels(to_label, obstacles + furniture, width, height)
    for label in labels:
        weight = ' font-weight="700"' if label.number is None and any(
            p.id == label.id and p.kind in ("city", "town") for p in situation.points) else ""
        # A white halo under the text keeps it readable over lines (drawn twice: WeasyPrint
        # does not know paint-order).
        common = (f'x="{label.x:.1f}" y="{label.y:.1f}" {font_for(label.text)} font-size="{LABEL_SIZE}" '
                  f'text-anchor="middle"{weight}')
        shapes.append(f'<text {common} fill="#fff" stroke="#fff" stroke-width="2.6" stroke-linejoin="round" '
                      f'aria-hidden="true">{escape(label.text)}</text>')
        shapes.append(f'<text data-fact="{escape(label.id)}" {common} fill="{palette["ink"]}">{escape(label.text)}</text>')
    names = {p.id: str(p.name) for p in situation.points}
    key = [(label.number, names[label.id]) for label in labels if label.number is not None]
    title = escape(situation.description)
    svg = (f'<svg class="situation-map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" aria-label="{title}"><title>{title}</title>'
           f'<defs><clipPath id="map-frame"><rect width="{width}" height="{height}"/></clipPath>{"".join(hatches.values())}</defs>'
           f'<rect width="{width}" height="{height}" fill="#fbfbfa" stroke="{palette["rule"]}" stroke-width="0.8"/>'
           f'<g clip-path="url(#map-frame)">{"".join(shapes)}</g></svg>')
    return DrawnMap(Markup(svg), key)


def _palette(colours: dict | None) -> dict[str, str]:
    """The theme's colours the map uses (each checked to be a plain colour), the defaults for the rest."""
    return {**DEFAULT_COLOURS, **{k: _safe_color(v) for k, v in (colours or {}).items() if k in DEFAULT_COLOURS}}


def area_style(situation, area) -> int:
    """The index in AREA_FILLS of an area's look: one per party holding areas on the map."""
    holders = list(dict.fromkeys(tuple(a.controlled_by) for a in situation.areas))
    return holders.index(tuple(area.controlled_by)) % len(AREA_FILLS)


def _place_marker(shapes: list[str], point, x: float, y: float, palette: dict) -> float:
    """A place's marker: a square for a camp, a diamond for a crossing or checkpoint, a dot
    (larger for a city) for the rest; returns its radius."""
    attrs = f'data-fact="{escape(point.id)}" fill="#fff" stroke="{palette["ink"]}" stroke-width="1.2"'
    if point.kind == "camp":
        shapes.append(f'<rect {attrs} x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8"/>'
                      f'<path d="M{x - 2.6:.1f},{y + 2.4:.1f} L{x:.1f},{y - 2.6:.1f} L{x + 2.6:.1f},{y + 2.4:.1f} Z" '
                      f'fill="{palette["ink"]}"/>')
        return 4.5
    if point.kind in ("checkpoint", "crossing"):
        shapes.append(f'<path {attrs} d="M{x:.1f},{y - 4.5:.1f} L{x + 4.5:.1f},{y:.1f} L{x:.1f},{y + 4.5:.1f} '
                      f'L{x - 4.5:.1f},{y:.1f} Z"/>')
        return 4.5
    radius = 4.2 if point.kind in ("city", "town") else 2.6
    fill = palette["ink"] if point.kind in ("city", "town") else "#fff"
    shapes.append(f'<circle data-fact="{escape(point.id)}" cx="{x:.1f}" cy="{y:.1f}" r="{radius}" fill="{fill}" '
                  f'stroke="{palette["ink"]}" stroke-width="1.2"/>')
    return radius


def _incident_marker(shapes: list[str], group, x: float, y: float, palette: dict) -> Box:
    """The week's incidents of one category at one place: a triangle (abuses) or a diamond
    (other events) with their number."""
    ids = escape(" ".join(group.ids))
    if group.category == "abuse":
        shapes.append(f'<path data-fact="{ids}" d="M{x:.1f},{y - 6.5:.1f} L{x + 6.5:.1f},{y + 5:.1f} '
                      f'L{x - 6.5:.1f},{y + 5:.1f} Z" fill="{palette["danger"]}" stroke="#fff" stroke-width="0.8"/>')
    else:
        shapes.append(f'<path data-fact="{ids}" d="M{x:.1f},{y - 6.5:.1f} L{x + 6.5:.1f},{y:.1f} L{x:.1f},{y + 6.5:.1f} '
                      f'L{x - 6.5:.1f},{y:.1f} Z" fill="{palette["accent"]}" stroke="#fff" stroke-width="0.8"/>')
    count = format_decimal(len(group.ids))
    shapes.append(f'<text x="{x:.1f}" y="{y + 3:.1f}" {font_for(count)} font-size="6.5" font-weight="700" '
                  f'text-anchor="middle" fill="#fff">{escape(count)}</text>')
    return (x - 7, y - 7, x + 7, y + 6)


def _furniture(shapes: list[str], projection: Projection, as_of: str, width: float, height: float,
               palette: dict) -> list[Box]:
    """The north arrow, the scale bar and the as-of date; returns the room they take."""
    boxes = []
    # North arrow, top right (north is up: the projection keeps meridians vertical).
    nx, ny, north = width - 16, 12, _("N")
    shapes.append(f'<path d="M{nx},{ny} L{nx + 5},{ny + 13} L{nx},{ny + 10} L{nx - 5},{ny + 13} Z" '
                  f'fill="{palette["ink"]}"/><text x="{nx}" y="{ny + 22}" {font_for(north)} font-size="7.5" font-weight="700" '
                  f'text-anchor="middle" fill="{palette["ink"]}">{escape(north)}</text>')
    boxes.append((nx - 8, ny - 2, nx + 8, ny + 24))
    # Scale bar, bottom left: a round distance about a quarter of the map's width.
    km = round_distance(width / 4 / projection.units_per_km)
    length = km * projection.units_per_km
    sx, sy = 12, height - 12
    distance = f"{format_decimal(km)} {ngettext('km', 'km', 3)}"
    shapes.append(f'<path d="M{sx},{sy - 4} L{sx},{sy} L{sx + length:.1f},{sy} L{sx + length:.1f},{sy - 4}" fill="none" '
                  f'stroke="{palette["ink"]}" stroke-width="1.2"/><text x="{sx + length / 2:.1f}" y="{sy - 5}" '
                  f'{font_for(distance)} font-size="7.5" text-anchor="middle" fill="{palette["ink"]}">{escape(distance)}</text>')
    boxes.append((sx - 2, sy - 14, sx + length + 2, sy + 2))
    # The date the map shows, bottom right.
    text = _("As of %(date)s") % {"date": as_of}
    w, h = label_box(text, 7.5)
    shapes.append(f'<text x="{width - 8 - w / 2:.1f}" y="{height - 8}" {font_for(text)} font-size="7.5" text-anchor="middle" '
                  f'fill="{palette["muted"]}">{escape(text)}</text>')
    boxes.append((width - 10 - w, height - 8 - h, width - 6, height - 4))
    return boxes


def map_svg(situation, width: float = WIDTH, height: float = HEIGHT, colours: dict | None = None) -> Markup:
    """{{ report.map | map_svg(colours=theme.colours) }}: the map as inline SVG."""
    return draw_map(situation, width=width, height=height, colours=colours).svg


def map_legend(situation, width: float = WIDTH, height: float = HEIGHT, colours: dict | None = None) -> Markup:
    """{{ report.map | map_legend(colours=theme.colours) }}: what the map's lines and symbols
    mean (only those it draws), the key of numbered places, and the basemap's credits."""
    palette = _palette(colours)
    items = []
    for status in [s for s in ROUTE_STYLES if any(r.status == s for r in situation.routes)]:
        colour, dash, stroke_width = ROUTE_STYLES[status]
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        words = _("Route: %(status)s") % {"status": _(ROUTE_STATUSES[status]).lower()}
        items.append(f'<svg class="swatch" width="28" height="8" viewBox="0 0 28 8"><title>{escape(words)}</title>'
                     f'<path d="M1,4 L27,4" stroke="{palette[colour]}" stroke-width="{stroke_width}"{dashes}/></svg> '
                     f'{escape(words)}')
    symbols = (  # (shown when, its swatch, its words)
        (any(g.category == "abuse" for g in situation.incidents),
         f'<path d="M7,0.5 L13.5,11.5 L0.5,11.5 Z" fill="{palette["danger"]}"/>', _("Abuses reported this week (their number)")),
        (any(g.category == "event" for g in situation.incidents),
         f'<path d="M7,0.5 L13.5,7 L7,13.5 L0.5,7 Z" fill="{palette["accent"]}"/>', _("Other events this week (their number)")),
        (any(p.kind == "camp" for p in situation.points),
         f'<rect x="2" y="2" width="10" height="10" fill="#fff" stroke="{palette["ink"]}"/>', _("Camp or reception point")),
    )
    for shown, swatch, words in symbols:
        if shown:
            # Its <title>: WeasyPrint tags every SVG as a figure, which PDF/UA wants described.
            items.append(f'<svg class="swatch" width="14" height="14" viewBox="0 0 14 14"><title>{escape(words)}</title>'
                         f'{swatch}</svg> {escape(words)}')
    for area in situation.areas:  # each area of control: its colour, its name
        colour, _angle = AREA_FILLS[area_style(situation, area)]
        swatch = (f'<rect x="1" y="2" width="12" height="10" fill="{palette[colour]}" fill-opacity="0.25" '
                  f'stroke="{palette[colour]}"/>' if area.shape == "area" else
                  f'<path d="M1,7 L13,7" stroke="{palette[colour]}" stroke-width="2.2" stroke-dasharray="1 2.5"/>')
        items.append(f'<svg class="swatch" width="14" height="14" viewBox="0 0 14 14"><title>{escape(str(area.name))}</title>'
                     f'{swatch}</svg> {escape(str(area.name))}')
    parts = [f'<ul class="map-legend">{"".join(f"<li>{item}</li>" for item in items)}</ul>']
    key = draw_map(situation, width=width, height=height, colours=colours).key
    if key:
        parts.append('<ul class="map-key">' + "".join(
            f'<li><b>{escape(format_decimal(number))}</b> {escape(name)}</li>' for number, name in key) + "</ul>")
    if situation.attributions:
        credits = _("Basemap: %(credits)s") % {"credits": _("; ").join(situation.attributions)}
        parts.append(f'<p class="map-credits">{escape(credits)}</p>')
    return Markup("".join(parts))


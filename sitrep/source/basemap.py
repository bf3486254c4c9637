"""The basemap: outlines a workspace adds under the map (rivers, roads, boundaries, built-up
areas), as GeoJSON files that config.yaml lists with their licence and attribution (docs/map.md,
"The map"). Nothing is fetched: a map needs no network and no tile server.

A GeoJSON file is read like a store file (a regular file, of bounded size) and checked: every
geometry a LineString, Polygon or their Multi- forms, every position [longitude, latitude]
within range. A mistake is one message naming the file, and the line where JSON says it is.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from sitrep.errors import ConfigError, Problem, display_path, excerpt
from sitrep.source.regularfiles import YamlLoadError, read_yaml_bytes

MAX_BASEMAP_BYTES = 5 * 1024 * 1024  # a governorate's rivers and roads are a few hundred kB
GEOMETRIES = {"LineString": "line", "MultiLineString": "line", "Polygon": "area", "MultiPolygon": "area"}

Ring = tuple[tuple[float, float], ...]  # (lat, lon) points, in order


@dataclass(frozen=True)
class BasemapLayer:
    """One GeoJSON file of the basemap: its shapes, drawn as its `kind` says."""

    name: str
    kind: str  # river, road, boundary or built_up: how the map draws it
    attribution: str  # printed on the map: '© OpenStreetMap contributors'
    licence: str  # 'ODbL', 'CC BY 4.0', 'public domain'
    lines: tuple[Ring, ...]  # open lines (rivers, roads)
    areas: tuple[Ring, ...]  # closed outlines (each polygon's outer ring)


def load_layer(path: Path, name: str, kind: str, attribution: str, licence: str) -> BasemapLayer:
    """Read and check one GeoJSON file; raises ConfigError naming the file and line."""
    shown = display_path(path)
    try:
        raw = read_yaml_bytes(path, shown, max_bytes=MAX_BASEMAP_BYTES)
    except YamlLoadError as exc:
        raise ConfigError(exc.problem) from None
    try:
        text = raw.decode("utf-8")
        data = json.loads(text, parse_int=_number(int), parse_float=_number(float), parse_constant=_not_a_number)
    except UnicodeDecodeError:
        raise ConfigError(Problem(shown, 0, "the file is not UTF-8 text", expected="a GeoJSON file")) from None
    except _BadNumber as exc:
        line = text[: text.find(exc.literal)].count("\n") + 1 if exc.literal in text else 0
        raise ConfigError(Problem(shown, line, exc.why,
                                  expected=f"numbers such as 43.78, of at most {MAX_NUMBER_LENGTH} characters")) from None
    except json.JSONDecodeError as exc:
        raise ConfigError(Problem(shown, exc.lineno, f"not valid JSON: {exc.msg}", expected="a GeoJSON file")) from None
    except RecursionError:
        raise ConfigError(Problem(shown, 0, "not valid JSON: nested too deeply", expected="a GeoJSON file")) from None
    lines: list[Ring] = []
    areas: list[Ring] = []
    for index, geometry in enumerate(_geometries(data, shown)):
        kind_of = GEOMETRIES.get(geometry.get("type")) if isinstance(geometry, dict) and isinstance(
            geometry.get("type"), str) else None
        where = f"geometry {index + 1}"
        if kind_of is None:
            raise ConfigError(Problem(shown, 0, f"{where} is a {_type_name(geometry)}, which the map does not draw",
                                      expected="LineString, MultiLineString, Polygon or MultiPolygon"))
        coordinates = geometry.get("coordinates")
        parts = [coordinates] if geometry["type"] in ("LineString", "Polygon") else coordinates
        if not isinstance(parts, list):
            raise ConfigError(Problem(shown, 0, f"{where} has no list of coordinates", expected="GeoJSON coordinates"))
        for part in parts:
            if kind_of == "area":
                if not isinstance(part, list) or not part:
                    raise ConfigError(Problem(shown, 0, f"{where} has a polygon without rings", expected="GeoJSON coordinates"))
                areas.append(_ring(part[0], shown, where))  # the outer ring; holes are not drawn
            else:
                lines.append(_ring(part, shown, where))
    return BasemapLayer(name, kind, attribution, licence, tuple(lines), tuple(areas))


# The characters of one number in a GeoJSON file: a coordinate needs about 20. Python's own
# reading stops at 4,300 digits with an error of its own, and spends quadratic time before it.
MAX_NUMBER_LENGTH = 64


class _BadNumber(ValueError):
    def __init__(self, literal: str, why: str):
        super().__init__(why)
        self.literal, self.why = literal, why


def _number(kind):
    """JSON's reading of a number of `kind` (int, float), refusing one too long to be a
    coordinate or too large for a float (1e400)."""
    def read(literal: str):
        if len(literal) > MAX_NUMBER_LENGTH:
            raise _BadNumber(literal, f"a number of {len(literal):,} characters ({excerpt(literal, 20)})")
        value = kind(literal)
        if kind is float and not math.isfinite(value):
            raise _BadNumber(literal, f"the number {literal} is too large to read")
        return value
    return read


def _not_a_number(literal: str):
    """NaN, Infinity and -Infinity, which Python's JSON reads and JSON does not allow."""
    raise _BadNumber(literal, f"{literal} is not a number JSON allows")


def _geometries(data: object, shown: str) -> list:
    if isinstance(data, dict) and data.get("type") == "FeatureCollection" and isinstance(data.get("features"), list):
        return [feature.get("geometry") if isinstance(feature, dict) else None for feature in data["features"]]
    if isinstance(data, dict) and data.get("type") == "Feature":
        return [data.get("geometry")]
    if isinstance(data, dict) and isinstance(data.get("type"), str) and data["type"] in GEOMETRIES:
        return [data]
    raise ConfigError(Problem(shown, 0, "not a GeoJSON FeatureCollection, Feature or geometry",
                              expected='a GeoJSON file: {"type": "FeatureCollection", "features": [...]}'))


def _ring(points: object, shown: str, where: str) -> Ring:
    if not isinstance(points, list) or len(points) < 2:
        raise ConfigError(Problem(shown, 0, f"{where} has fewer than two positions", expected="GeoJSON coordinates"))
    ring = []
    for point in points:
        if (not isinstance(point, list) or len(point) < 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in point[:2])):
            raise ConfigError(Problem(shown, 0, f"{where} has a position that is not [longitude, latitude]",
                                      expected="positions such as [43.78, 33.35]"))
        lon, lat = float(point[0]), float(point[1])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ConfigError(Problem(shown, 0, f"{where} has a position out of range: [{lon:g}, {lat:g}]",
                                      expected="[longitude, latitude]: longitude first, in degrees"))
        ring.append((lat, lon))
    return tuple(ring)


def _type_name(geometry: object) -> str:
    return f"'{geometry.get('type')}'" if isinstance(geometry, dict) else "missing geometry"

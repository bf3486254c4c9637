"""The map of the week as the template contract holds it (ReportContext.map, context.py;
docs/template-context.md documents it from these classes): the places, routes, incidents and
areas a report shows, where, and the basemap's outlines. report/geography.py fills it;
render/maps.py draws it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sitrep.report.facts import Sourcing


@dataclass
class MapPoint:
    """A place the report mentions, on the map."""

    id: str
    name: str
    kind: str  # the place's kind: city, town, neighbourhood, camp, checkpoint...
    lat: float
    lon: float


@dataclass
class MapRoute:
    """A route as last reported by the report's end, along its waypoints."""

    id: str
    name: str
    status: str  # open, restricted, unsafe, closed, unknown: how the line is drawn
    status_label: str
    as_of: str
    points: list[tuple[float, float]]  # (lat, lon) of its origin, waypoints and destination


@dataclass
class MapIncidents:
    """The week's incidents of one kind (abuses, or other events) at one place."""

    ids: list[str]
    category: str  # 'abuse' or 'event'
    place: str
    lat: float
    lon: float
    types: list[str]  # their types' labels, for the map's words


@dataclass
class MapArea:
    """An area of control or a front line as last reported by the report's end."""

    id: str
    name: str
    shape: str  # 'area' (an outline) or 'line' (a front line)
    controlled_by: list[str]
    as_of: str
    rings: list[list[tuple[float, float]]]  # (lat, lon) points of each outline or line
    summary: str | None
    citations: list[int]
    sourcing: "Sourcing"
    is_new: bool  # this report of it entered the series in this report


@dataclass
class MapLayer:
    """One outline of the basemap (config.yaml's basemap:)."""

    name: str
    kind: str  # river, road, boundary or built_up
    lines: list[list[tuple[float, float]]]
    areas: list[list[tuple[float, float]]]


@dataclass
class SituationMap:
    """The map of the week: what the report mentions, where, as of its end (docs/map.md, "The map")."""

    as_of: str
    points: list[MapPoint]
    routes: list[MapRoute]
    incidents: list[MapIncidents]
    areas: list[MapArea]
    layers: list[MapLayer]
    attributions: list[str]  # each basemap outline's credit: 'Euphrates: hand-drawn ... (CC0 1.0)'
    description: str  # the map in words: its alternate text for screen readers

"""The map's content: what a report shows where (docs/map.md, "The map").

The map draws what the report says, nothing else: the places it mentions that have
coordinates (not countries or governorates, which are areas, not points), each route as last
reported by the report's end along its waypoints, the week's incidents at their places, the
areas of control as last reported, and the basemap's outlines. Everything comes from the rows
the report already holds, so a restricted entry left out of a public edition is left off its
map too. Drawing it is render/maps.py's.
"""

from __future__ import annotations

from sitrep.language import format_integer, gettext as _, ngettext
from sitrep.report.facts import IncidentRow, RouteRow
from sitrep.report.situationmap import MapArea, MapIncidents, MapLayer, MapPoint, MapRoute, SituationMap
from sitrep.source import vocabulary as vocab
from sitrep.source.basemap import BasemapLayer
from sitrep.source.schema import Place

NOT_POINTS = ("country", "governorate", "district")  # areas: a dot would claim a precision they lack


def situation_map(as_of: str, places: dict[str, Place], names: dict[str, str], routes: list[RouteRow],
                  incidents: list[IncidentRow], areas: list[MapArea], basemap: list[BasemapLayer]) -> SituationMap | None:
    """The map of a report: `places` the store's places the report mentions (id -> Place),
    `names` their names as the edition prints them, `routes` its current route rows,
    `incidents` the week's incident rows. None when nothing it mentions has coordinates."""
    points = [MapPoint(p.id, names[p.id], p.kind, p.lat, p.lon) for p in places.values()
              if p.lat is not None and p.lon is not None and p.kind not in NOT_POINTS]
    located = {p.id: (p.lat, p.lon) for p in points}  # not a governorate's centre: a route or incident there is not drawn
    map_routes = []
    for row in routes:
        if row.superseded_by:
            continue
        stops = [row.origin.id, *(stop.id for stop in row.via), row.destination.id]
        line = [located[stop] for stop in stops if stop in located]
        if len(line) >= 2:
            map_routes.append(MapRoute(row.id, row.name, row.status, row.status_label, row.as_of, line))
    groups: dict[tuple[str, str], MapIncidents] = {}
    for row in incidents:
        if row.place.id not in located:
            continue
        category = vocab.INCIDENT_TYPES[row.type].category
        group = groups.setdefault((row.place.id, category), MapIncidents(
            [], category, row.place.name, *located[row.place.id], []))
        group.ids.append(row.id)
        if row.type_label not in group.types:
            group.types.append(row.type_label)
    if not points and not map_routes and not areas:
        return None
    layers = [MapLayer(layer.name, layer.kind, [list(r) for r in layer.lines], [list(r) for r in layer.areas])
              for layer in basemap]
    attributions = [f"{layer.name}: {layer.attribution} ({layer.licence})" for layer in basemap]
    incident_groups = list(groups.values())
    return SituationMap(as_of, points, map_routes, incident_groups, areas, layers, attributions,
                        _describe(as_of, points, map_routes, incident_groups, areas))


def _describe(as_of: str, points: list[MapPoint], routes: list[MapRoute], incidents: list[MapIncidents],
              areas: list[MapArea]) -> str:
    """The map in words, for a screen reader (the SVG's title, the PDF figure's alternate text)."""
    sentences = [_("Map of the situation as of %(date)s.") % {"date": as_of}]
    for route in routes:
        sentences.append(_("Route %(route)s: %(status)s (as of %(date)s).") % {
            "route": str(route.name), "status": route.status_label.lower(), "date": route.as_of})
    for area in areas:
        sentences.append(_("%(area)s, held by %(actors)s (as of %(date)s).") % {
            "area": str(area.name), "actors": _(", ").join(map(str, area.controlled_by)) or _("not reported"),
            "date": area.as_of})
    for group in incidents:
        count = len(group.ids)
        sentences.append(ngettext("%(count)s incident at %(place)s: %(types)s.",
                                  "%(count)s incidents at %(place)s: %(types)s.", count) % {
            "count": format_integer(count), "place": str(group.place), "types": _(", ").join(group.types)})
    if points:
        sentences.append(_("Places: %(places)s.") % {"places": _(", ").join(str(p.name) for p in points)})
    return " ".join(sentences)

"""The map of the week (docs/map.md, "The map"): its projection, its route styles, labels that never
collide, what it carries for `sitrep trace` and screen readers, and that it draws nothing a
public edition leaves out."""

from __future__ import annotations

import itertools
import random
import re

import pytest

from support import write
from sitrep.language import Language, speaking
from sitrep.render.maps import (ROUTE_STYLES, Projection, draw_map, haversine_km, map_legend, overlaps, place_labels,
                                round_distance)
from sitrep.report.situationmap import MapIncidents, MapPoint, MapRoute, SituationMap

FALLUJAH, AMIRIYAT = (33.35, 43.78), (33.08, 43.85)


def test_the_projection_keeps_distances_within_one_percent_over_a_governorate():
    # Fallujah to Amiriyat al-Fallujah camp, and corners of Anbar (some 300 km across).
    for a, b in [(FALLUJAH, AMIRIYAT), ((34.4, 41.0), (32.3, 43.9)), ((33.42, 43.30), (33.32, 44.37))]:
        projection = Projection([a, b])
        (x1, y1), (x2, y2) = projection.km(a), projection.km(b)
        projected = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5
        true = haversine_km(a, b)
        assert abs(projected - true) / true < 0.01, (a, b, projected, true)
    assert haversine_km(FALLUJAH, AMIRIYAT) == pytest.approx(30.8, abs=0.3)


def test_the_scale_bar_shows_a_round_distance():
    assert [round_distance(km) for km in (0.7, 1, 3.4, 9.9, 10, 27, 73)] == [0.5, 1, 2, 5, 10, 20, 50]


def situation(points=(), routes=(), incidents=()) -> SituationMap:
    return SituationMap("3 July 2016", list(points), list(routes), list(incidents), [], [], [], "A map.")


def test_each_route_status_is_drawn_apart_in_colour_and_in_greyscale():
    routes = [MapRoute(f"route-{status}", status, status, status.title(), "June 2016",
                       [(33.35, 43.70 + i * 0.02), (33.10, 43.70 + i * 0.02)])
              for i, status in enumerate(ROUTE_STYLES)]
    svg = str(draw_map(situation(routes=routes)).svg)
    patterns = {}
    for status in ROUTE_STYLES:
        group = re.search(rf'<g data-fact="route-{status}" class="route route-{status}">(.*?)</g>', svg).group(1)
        drawn = re.findall(r'stroke="([^"]+)" stroke-width="([^"]+)"(?: stroke-dasharray="([^"]+)")?', group)[-1]
        patterns[status] = drawn
    assert len({p[2] for p in patterns.values()}) == len(ROUTE_STYLES)  # the dash patterns alone tell them apart
    assert len({p[0] for p in patterns.values()}) == len(ROUTE_STYLES)  # and so do the colours
    legend = str(map_legend(situation(routes=routes)))
    assert legend.count('class="swatch"') == len(ROUTE_STYLES) and "Route: unsafe" in legend


def test_labels_never_overlap_on_a_crowded_map_and_the_rest_are_numbered():
    rng = random.Random(12)
    points = [MapPoint(f"p{i}", f"Place number {i} with a long name", rng.choice(["city", "town", "village", "camp"]),
                       33.0 + rng.random() * 0.4, 43.5 + rng.random() * 0.4) for i in range(60)]
    incidents = [MapIncidents([f"i{i}"], "abuse", p.name, p.lat, p.lon, ["Attack"]) for i, p in enumerate(points[:10])]
    drawn = draw_map(situation(points, incidents=incidents))
    texts = re.findall(r'<text data-fact="(p\d+)" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]+)</text>', str(drawn.svg))
    assert len(texts) == 60  # every place is labelled: by its name, or by a number
    named = [t for t in texts if not t[3].isdigit()]
    assert named and drawn.key and len(named) + len(drawn.key) == 60
    # The labels' boxes, as the placement computed them, overlap nowhere.
    to_place = [(p.id, p.name, 50 + i * 7.0, 40 + (i % 9) * 30.0, 3) for i, p in enumerate(points)]
    labels = place_labels(to_place, [], 520, 340)
    for a, b in itertools.combinations([label.box for label in labels], 2):
        assert not overlaps(a, b)
    assert str(map_legend(situation(points))).count("<li><b>") == len(draw_map(situation(points)).key)


def test_the_map_carries_its_entries_ids_and_states_its_content_in_words(workspace, sitrep_cli):
    done = sitrep_cli("build", "--config", workspace / "config.yaml", "--language", "en", "--format", "html")
    assert done.exit_code == 0, done.output
    html = (workspace / "output/2016-W26/fallujah-sitrep-2016-W26.html").read_text(encoding="utf-8")
    svg = re.search(r'<svg class="situation-map".*?</svg>', html, re.S).group(0)
    assert '<g data-fact="fallujah-south-to-amiriyat" class="route route-unsafe">' in svg
    for place in ("fallujah", "shuhada", "southern-fallujah", "amiriyat-camp"):
        assert f'data-fact="{place}"' in svg, place
    assert re.search(r'data-fact="fallujah-fleeing-shot-2016-06 [^"]*"', svg)  # the week's abuses at Fallujah
    title = re.search(r"<title>(.*?)</title>", svg).group(1)
    assert title.startswith("Map of the situation as of 3 July 2016. Route Fallujah south to Amiriyat al-Fallujah "
                            "camp: unsafe (as of June 2016).")
    assert "Places: Fallujah, Amiriyat al-Fallujah camp" in title
    assert "Basemap: Euphrates: hand-drawn approximation" in html  # each outline's credit and licence
    assert ">10 km</text>" in svg and ">As of 3 July 2016</text>" in svg and ">N</text>" in svg


def test_a_restricted_route_place_or_incident_never_reaches_the_public_map(workspace, sitrep_cli):
    write(workspace / "facts/zz-restricted-map.yaml", """\
places:
  - {id: secret-crossing, name: Secret crossing zqxmapplace, kind: crossing, lat: 33.2, lon: 43.6}
routes:
  - id: secret-route
    name: Secret route zqxmaproute
    origin: fallujah
    destination: secret-crossing
    sensitivity: restricted
    updates:
      - {as_of: 2016-06, status: open, cited: [{source: news-roundup-2016-06}]}
incidents:
  - id: secret-incident
    type: attack_on_civilians
    date: 2016-06
    place: secret-crossing
    status: alleged
    summary: zqxmapincident
    cited: [{source: news-roundup-2016-06}]
    sensitivity: restricted
""")
    for edition, shown in (("public", False), ("internal", True)):
        done = sitrep_cli("build", "--config", workspace / "config.yaml", "--language", "en", "--format", "html",
                          "--edition", edition)
        assert done.exit_code == 0, done.output
        suffix = "" if edition == "public" else "-internal"
        html = (workspace / f"output/2016-W26/fallujah-sitrep-2016-W26{suffix}.html").read_text(encoding="utf-8")
        svg = re.search(r'<svg class="situation-map".*?</svg>', html, re.S).group(0)
        for marker in ("secret-route", "secret-crossing", "secret-incident", "zqxmap"):
            assert (marker in svg) is shown, (edition, marker)


def test_the_arabic_map_speaks_arabic():
    points = [MapPoint("fallujah", "الفلوجة", "city", *FALLUJAH), MapPoint("camp", "مخيم عامرية الفلوجة", "camp", *AMIRIYAT)]
    with speaking(Language("ar", "IQ", "native")):
        svg = str(draw_map(situation(points)).svg)
    assert 'font-family="Noto Sans Arabic, Noto Sans, sans-serif" font-size="8.5" text-anchor="middle" font-weight="700" ' \
           'fill="#1d2327">الفلوجة</text>' in svg  # Arabic in an Arabic face: WeasyPrint shapes SVG text with its first font
    assert "٥ كم</text>" in svg or "١٠ كم</text>" in svg


AREA = """\
areas:
  - id: probe-front
    name: Probe front line
    shape: front_line
    updates:
      - as_of: 2015-07
        controlled_by: [iraqi-security-forces]
        outline: [[33.30, 43.70], [33.30, 43.90]]
        cited: [{source: news-roundup-2016-06}]
      - as_of: 2016-06
        controlled_by: [isis]
        outline: [[33.20, 43.70], [33.20, 43.90]]
        cited: [{source: news-roundup-2016-06}]
"""


def map_of(workspace, week: str) -> str:
    html = (workspace / f"output/{week}/fallujah-sitrep-{week}.html").read_text(encoding="utf-8")
    return re.search(r'<section class="map" id="map">.*?</section>', html, re.S).group(0)


def test_an_area_of_control_is_drawn_as_last_reported_by_each_report(workspace, sitrep_cli):
    write(workspace / "facts/zz-area.yaml", AREA)
    done = sitrep_cli("build", "--config", workspace / "config.yaml", "--all", "--language", "en", "--format", "html")
    assert done.exit_code == 0, done.output
    july_2015, june_2016 = map_of(workspace, "2015-W31"), map_of(workspace, "2016-W26")
    # July 2015: the first report of the front line, held by the security forces.
    assert 'data-fact="probe-front"' in july_2015 and "held by Iraqi security forces (as of July 2015)" in july_2015
    # June 2016: the later report supersedes it; the line has moved south.
    assert "held by Islamic State (ISIS) (as of June 2016)" in june_2016 and "as of July 2015" not in june_2016
    first = re.search(r'<path data-fact="probe-front" d="M([\d.]+),([\d.]+)', july_2015)
    assert first and 'stroke-dasharray="1 2.5"' in july_2015  # a front line: a dotted line, not an outline


def test_an_area_that_no_report_has_updated_for_a_while_leaves_the_map(workspace, sitrep_cli):
    write(workspace / "facts/zz-area.yaml", AREA.replace("      - as_of: 2016-06\n        controlled_by: [isis]\n"
                                                         "        outline: [[33.20, 43.70], [33.20, 43.90]]\n"
                                                         "        cited: [{source: news-roundup-2016-06}]\n", ""))
    done = sitrep_cli("build", "--config", workspace / "config.yaml", "--all", "--language", "en", "--format", "html")
    assert done.exit_code == 0, done.output
    assert 'data-fact="probe-front"' in map_of(workspace, "2015-W31")
    assert 'data-fact="probe-front"' not in map_of(workspace, "2016-W26")  # stale after 8 weeks: no longer shown


def test_an_area_without_a_usable_shape_is_refused_at_its_line(workspace, sitrep_cli):
    text = (AREA.replace("        outline: [[33.30, 43.70], [33.30, 43.90]]\n", "        file: geo/missing.geojson\n")
            .replace("    shape: front_line\n", "")
            .replace("        outline: [[33.20, 43.70], [33.20, 43.90]]\n", "        outline: [[33.20, 43.70], [33.20, 43.90]]\n"))
    write(workspace / "facts/zz-area.yaml", text)
    result = sitrep_cli("check", "--config", workspace / "config.yaml")
    assert result.exit_code == 1
    assert "[probe-front] outline has 2 points (expected at least 3 [latitude, longitude] points)" in result.stderr
    # The store's own mistakes first; then the files its areas name, read once the store is sound.
    write(workspace / "facts/zz-area.yaml", text.replace("[[33.20, 43.70], [33.20, 43.90]]",
                                                         "[[33.20, 43.70], [33.20, 43.90], [33.10, 43.80]]"))
    result = sitrep_cli("check", "--config", workspace / "config.yaml")
    assert result.exit_code == 1
    assert "[probe-front] file: 'geo/missing.geojson' is not a file inside the store folder" in result.stderr
    write(workspace / "facts/zz-area.yaml", AREA.replace("[33.30, 43.90]]", "[143.9, 33.3]]"))  # longitude first
    result = sitrep_cli("check", "--config", workspace / "config.yaml")
    assert result.exit_code == 1
    assert "[143.9, 33.3] is out of range (expected [latitude, longitude], latitude first)" in result.stderr


def test_labels_do_not_collide_on_the_map_of_a_crowded_generated_store(tmp_path):
    """A generated store of 3,000 entries (the benchmark's): its latest report's map, as drawn."""
    import sys

    from support import REPO
    from sitrep.pipeline import Workspace
    from sitrep.render.maps import label_box

    sys.path.insert(0, str(REPO / "bench"))
    from generate import generate

    made = generate(tmp_path / "crowded", 3000, seed=4)
    workspace = Workspace.load(made.config)
    context = workspace.context(workspace.resolve(None, "public"), "public")
    assert context.map is not None and len(context.map.points) >= 20 and context.map.areas
    svg = str(draw_map(context.map).svg)
    labels = re.findall(r'<text data-fact="([^"]+)" x="([\d.]+)" y="([\d.]+)"[^>]*?font-size="8.5"[^>]*>([^<]+)</text>', svg)
    assert len(labels) == len(context.map.points)
    boxes = []
    for _, x, y, text in labels:
        w, h = label_box(text)
        cx, cy = float(x), float(y) - h * 0.3  # the baseline back to the box's middle
        boxes.append((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
    assert not [pair for pair in itertools.combinations(boxes, 2) if overlaps(*pair)]


def test_an_area_file_is_read_on_every_load_and_its_change_rebuilds(workspace, sitrep_cli):
    geojson = workspace / "facts/geo/front.geojson"
    line = '{"type": "LineString", "coordinates": [[43.70, 33.30], [43.90, 33.30]]}'
    write(geojson, line)
    write(workspace / "facts/zz-area.yaml", AREA.replace("        outline: [[33.20, 43.70], [33.20, 43.90]]\n",
                                                         "        file: geo/front.geojson\n"))
    args = ["build", "--config", workspace / "config.yaml", "--language", "en", "--format", "html"]
    assert sitrep_cli(*args).exit_code == 0
    before = map_of(workspace, "2016-W26")
    write(geojson, line.replace("33.30], [43.90, 33.30", "33.25], [43.90, 33.25"))  # the front moved
    rebuilt = sitrep_cli(*args)
    assert "built in" in rebuilt.stdout, rebuilt.stdout
    assert map_of(workspace, "2016-W26") != before
    write(geojson, '{"type": "LineString", "coordinates": "x"}')
    checked = sitrep_cli("check", "--config", workspace / "config.yaml")  # the store cache does not hide it
    assert checked.exit_code == 1 and "[probe-front] file:" in checked.stderr


@pytest.mark.parametrize("content, message", [
    ('{"type": ["FeatureCollection"]}', "not a GeoJSON FeatureCollection"),
    ('{"type": "FeatureCollection", "features": [{"geometry": {"type": ["LineString"]}}]}', "which the map does not draw"),
    ("[" * 100000, "not valid JSON"),
])
def test_a_broken_basemap_file_is_refused_in_words(workspace, sitrep_cli, content, message):
    write(workspace / "facts/geo/euphrates.geojson", content)
    result = sitrep_cli("check", "--config", workspace / "config.yaml")
    assert result.exit_code == 1 and "Traceback" not in result.output and "internal error" not in result.output
    assert "euphrates.geojson" in result.stderr and message in result.stderr


def test_an_incident_at_a_governorate_is_not_drawn_at_its_centre():
    from sitrep.report.facts import IncidentRow, PlaceRef, Sourcing
    from sitrep.report.geography import situation_map
    from sitrep.source.schema import Place

    places = {"anbar": Place(id="anbar", name="Anbar", kind="governorate", lat=32.5, lon=41.9),
              "fallujah": Place(id="fallujah", name="Fallujah", kind="city", lat=33.35, lon=43.78)}
    row = IncidentRow("i1", "air_strikes", "Air strikes", "June 2016", PlaceRef("anbar", "Anbar", {}), None, None,
                      "alleged", "Alleged", "x", [], Sourcing(1, "F", "", True, "x"), True)
    drawn = situation_map("3 July 2016", places, {"anbar": "Anbar", "fallujah": "Fallujah"}, [], [row], [], [])
    assert drawn.incidents == [] and [p.id for p in drawn.points] == ["fallujah"]

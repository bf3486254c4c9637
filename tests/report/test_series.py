"""The report as part of a series: change against the last known value, news once, state
carried forward, route status changes, figures no longer reported, and trend charts that draw
what sources said. (The scenario store in test_time_scenario.py and the properties in
test_time_properties.py test the time rules in depth.)"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from support import CONFIG, STORE, write
from sitrep.render.charts import trend_svg
from sitrep.source.config import load_config
from sitrep.render.templates import render_html
from sitrep.report.builder import build_context
from sitrep.report.facts import TrendPoint
from sitrep.source.store import load_store

@pytest.fixture
def series(tmp_path: Path) -> Path:
    write(tmp_path / "config.yaml", CONFIG)
    write(tmp_path / "facts" / "store.yaml", STORE)
    return tmp_path


def context_of(workspace: Path, week: str):
    config = load_config(workspace / "config.yaml")
    store = load_store(config.store_dir, today=dt.date(2025, 12, 31))
    return build_context(store, config, week)


def key(context, metric):
    return next(f for f in context.key_figures if f.metric == metric)


def test_the_report_knows_its_place_in_the_series(series):
    first, third, fourth = (context_of(series, w) for w in ("2025-W10", "2025-W12", "2025-W14"))
    assert (first.number, first.previous_week, first.previous_number) == (1, None, None)
    assert (third.number, third.previous_week, third.previous_number, third.next_week) == (3, "2025-W11", 2, None)
    assert third.previous_period == "10–16 March 2025" and third.previous_gap is None
    # Nothing became known in W13, so report 4 follows report 3, and says it is two weeks back.
    assert (fourth.number, fourth.previous_week, fourth.previous_gap) == (4, "2025-W12", "2 weeks earlier")
    assert "(2 weeks earlier)" in render_html(fourth)


def test_key_figures_change_against_the_last_known_value(series):
    first = context_of(series, "2025-W10")
    assert key(first, "civilians_trapped").change is None  # nothing to compare the first report with
    second = context_of(series, "2025-W11")
    up = key(second, "civilians_trapped").change
    assert (up.direction, up.text, up.previous) == ("up", "up from 12,000 (as of 5 March 2025)", "12,000")
    same = key(second, "civilians_killed").change
    assert (same.direction, same.text) == ("unchanged", "unchanged from at least 40 (as of 5 March 2025)")
    third = context_of(series, "2025-W12")
    down = key(third, "civilians_trapped").change
    assert (down.direction, down.text) == ("down", "down from 15,000–18,000 (as of 12 March 2025)")
    assert (key(third, "arrivals").change.direction, key(third, "arrivals").change.text) == \
        ("new", "first reported in this series")
    # No new report of the killed this week: the last value holds, with its date.
    carried = key(third, "civilians_killed")
    assert (carried.number, carried.is_new, carried.change.direction, carried.change.text) == \
        ("40", False, "carried", "no new report since 12 March 2025")


def test_a_key_figure_goes_stale_only_after_the_configured_weeks_and_is_said_once(series):
    write(series / "config.yaml", CONFIG + "series: {stale_after_weeks: 1}\n")
    third = context_of(series, "2025-W12")
    assert "civilians_killed" not in [f.metric for f in third.key_figures]
    [dropped] = third.dropped_key_figures
    assert (dropped.label, dropped.place.name, dropped.last_number, dropped.last_as_of, dropped.last_report) == \
        ("Civilians killed", "Rivertown", "at least 40", "12 March 2025", 2)
    html = render_html(third)
    assert "No longer reported (no new report for 1 week)" in html and "last at least 40 people as of 12 March 2025" in html
    # Said once: report 4 names what went stale since report 3 (the arrivals), not the killed again.
    assert [d.metric for d in context_of(series, "2025-W14").dropped_key_figures] == ["arrivals"]


def test_news_is_news_in_one_report(series):
    second = context_of(series, "2025-W11")
    incidents = {i.id: i for g in second.abuses for i in g.incidents}
    # The blockade ran W10-W12: known only at its end, it is news in report 3, not before.
    assert list(incidents) == ["shelling-w11"]
    third = context_of(series, "2025-W12")
    assert [i.id for g in third.abuses for i in g.incidents] == ["blockade-march"]
    assert [r.is_new for r in key(second, "civilians_trapped").reports] == [True]
    assert [r.is_new for r in key(third, "civilians_killed").reports] == [False]  # carried from report 2
    html = render_html(third)
    routes = html[html.index('<table class="facts routes"'):]
    row = routes[routes.index('<tr data-fact="river-road"'):]
    assert '<span class="new-badge"' in row[:row.index("</tr>")]


def test_a_route_that_changes_status_is_called_out(series):
    second, third = context_of(series, "2025-W11"), context_of(series, "2025-W12")
    assert second.route_changes == []
    [changed] = third.route_changes
    assert (changed.previous_status, changed.previous_as_of, changed.status, changed.status_changed) == \
        ("open", "12 March 2025", "closed", True)
    assert any(h.text.startswith("Route River road: now closed (as of 19 March 2025); was open (as of 12 March 2025).")
               for h in third.highlights)
    html = render_html(third)
    assert "Status changed:</strong> River road is now" in html


def test_a_route_with_no_new_report_keeps_its_last_status(series):
    fourth = context_of(series, "2025-W14")
    [route] = fourth.routes
    assert (route.status, route.is_new, route.as_of, route.since) == \
        ("closed", False, "19 March 2025", "no new report since 19 March 2025")
    assert "no new report since 19 March 2025" in render_html(fourth)


def test_trend_shows_every_report_known_by_the_report_as_its_source_gave_it(series):
    fourth = context_of(series, "2025-W14")
    trend = key(fourth, "civilians_trapped").trend
    assert [(p.id, str(p.start), p.low, p.high, p.as_of) for p in trend] == [
        ("trapped-w10", "2025-03-05", 12000, 12000, "5 March 2025"),
        ("trapped-w11", "2025-03-12", 15000, 18000, "12 March 2025"),
        ("trapped-w12", "2025-03-19", 9000, 9000, "19 March 2025"),
        ("trapped-w14", "2025-04-02", 8000, 8000, "2 April 2025")]
    assert "<svg" in render_html(fourth)
    assert [p.id for p in key(context_of(series, "2025-W11"), "civilians_trapped").trend] == ["trapped-w10", "trapped-w11"]


def point(id: str, start: str, end: str, low: float, high: float) -> TrendPoint:
    return TrendPoint(id, dt.date.fromisoformat(start), dt.date.fromisoformat(end), low, high, start)


def test_trend_chart_draws_bands_for_ranges_and_points_for_values_and_nothing_between():
    points = [point("a", "2025-03-05", "2025-03-05", 100, 100), point("b", "2025-03-01", "2025-03-31", 150, 250),
              point("c", "2025-04-20", "2025-04-20", 50, 50)]
    svg = str(trend_svg(points, "Trapped <b>"))
    assert svg.startswith("<svg") and 'viewBox="0 0 240 64"' in svg
    assert svg.count("<rect") == 1  # the one range, as a band over its month
    assert "<polyline" not in svg and "<polygon" not in svg  # nothing joins the reports
    assert svg.count("<circle") == 2
    assert ">250<" in svg and ">0<" in svg  # the axis runs from zero to the highest value
    assert "Trapped &lt;b&gt;" in svg and "<b>" not in svg
    with pytest.raises(ValueError):
        trend_svg(points, color='red" onload="x')


def test_a_range_reported_once_is_a_band_not_a_midpoint():
    svg = str(trend_svg([point("only", "2025-03-01", "2025-03-07", 5000, 9000)]))
    assert svg.count("<rect") == 1 and "<circle" not in svg


def test_restricted_facts_do_not_leak_into_change_or_trend(series):
    store = STORE.replace("value: 9000, unit: people, cited: [{source: agency}]}",
                          "value: 9000, unit: people, cited: [{source: agency}], sensitivity: restricted}")
    write(series / "facts" / "store.yaml", store)
    third = context_of(series, "2025-W12")
    trapped = key(third, "civilians_trapped")
    assert (trapped.number, trapped.is_new) == ("15,000–18,000", False)  # the public value carried forward
    fourth = context_of(series, "2025-W14")
    assert 9000 not in [p.low for p in key(fourth, "civilians_trapped").trend]
    assert key(fourth, "civilians_trapped").change.text == "down from 15,000–18,000 (as of 12 March 2025)"


def test_a_range_that_widens_both_ways_is_changed_not_up_or_down(series):
    store = STORE.replace("low: 15000, high: 18000", "low: 11000, high: 13000")  # W11 around W10's 12,000
    write(series / "facts" / "store.yaml", store)
    change = key(context_of(series, "2025-W11"), "civilians_trapped").change
    assert (change.direction, change.text) == ("changed", "now 11,000–13,000; was 12,000 (as of 5 March 2025)")
    assert "↕ now 11,000–13,000" in render_html(context_of(series, "2025-W11"))


def test_any_css_colour_the_theme_accepts_can_draw_a_chart():
    points = [point("a", "2025-03-05", "2025-03-05", 1, 1), point("b", "2025-03-12", "2025-03-12", 2, 2)]
    for colour in ("#1F5F8B", "RGB(31, 95, 139)", "hsl(200deg 60% 40% / 80%)", "rebeccapurple"):
        assert f'fill="{colour}"' in str(trend_svg(points, color=colour))


def test_the_trend_chart_reaches_back_a_year(series):
    a_year_before = "  - {id: trapped-2024, metric: civilians_trapped, place: town, as_of: 2024-03-10, value: 500, unit: people, cited: [{source: agency}]}\n"
    write(series / "facts" / "store.yaml", STORE.replace("figures:\n", "figures:\n" + a_year_before))
    first_of_2025 = context_of(series, "2025-W10")
    assert [p.id for p in key(first_of_2025, "civilians_trapped").trend] == ["trapped-w10"]  # 52 weeks before 9 March 2025: outside
    assert key(first_of_2025, "civilians_trapped").change.text == "up from 500 (as of 10 March 2024)"  # the change still knows it

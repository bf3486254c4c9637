"""The report as part of a series: change since the previous report, new facts, route status
changes, dropped figures and trend charts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from support import CONFIG, STORE, write
from sitrep.render.charts import trend_svg
from sitrep.source.config import load_config
from sitrep.render.templates import render_html
from sitrep.report.builder import build_context
from sitrep.report.context import TrendPoint
from sitrep.source.store import load_store

@pytest.fixture
def series(tmp_path: Path) -> Path:
    write(tmp_path / "config.yaml", CONFIG)
    write(tmp_path / "facts" / "store.yaml", STORE)
    return tmp_path


def context_of(workspace: Path, week: str):
    config = load_config(workspace / "config.yaml")
    store = load_store(config.store_dir, today=dt.date(2031, 12, 31))
    return build_context(store, config, week)


def key(context, metric):
    return next(f for f in context.key_figures if f.metric == metric)


def test_the_report_knows_its_place_in_the_series(series):
    first, third, fourth = (context_of(series, w) for w in ("2031-W10", "2031-W12", "2031-W14"))
    assert (first.number, first.previous_week, first.previous_number) == (1, None, None)
    assert (third.number, third.previous_week, third.previous_number, third.next_week) == (3, "2031-W11", 2, "2031-W14")
    assert third.previous_period == "10–16 March 2031"
    # W13 has no facts, so report 4 follows report 3 and compares with it.
    assert (fourth.number, fourth.previous_week) == (4, "2031-W12")


def test_key_figures_change_up_down_unchanged_and_new(series):
    first = context_of(series, "2031-W10")
    assert key(first, "civilians_trapped").change is None  # nothing to compare the first report with
    second = context_of(series, "2031-W11")
    up = key(second, "civilians_trapped").change
    assert (up.direction, up.text, up.previous) == ("up", "up from 12,000 (report 1)", "12,000")
    same = key(second, "civilians_killed").change
    assert (same.direction, same.text) == ("unchanged", "unchanged since report 1")
    third = context_of(series, "2031-W12")
    down = key(third, "civilians_trapped").change
    assert (down.direction, down.text) == ("down", "down from 15,000–18,000 (report 2)")
    assert key(third, "arrivals").change.direction == "new"


def test_a_key_figure_that_disappears_is_reported_as_no_longer_reported(series):
    third = context_of(series, "2031-W12")
    assert "civilians_killed" not in [f.metric for f in third.key_figures]
    [dropped] = third.dropped_key_figures
    assert (dropped.label, dropped.place.name, dropped.last_number, dropped.last_report) == \
        ("Civilians killed", "Rivertown", "at least 40", 2)
    html = render_html(third)
    assert "No longer reported this week" in html and "report 2: at least 40 people" in html


def test_facts_new_since_the_previous_report_are_marked(series):
    second = context_of(series, "2031-W11")
    incidents = {i.id: i for g in second.abuses for i in g.incidents}
    assert incidents["shelling-w11"].is_new is True
    assert incidents["blockade-march"].is_new is False  # dated March: already in report 1
    assert [r.is_new for r in key(second, "civilians_trapped").reports] == [True]
    html = render_html(second)
    row = html[html.index('data-fact="shelling-w11"'):]
    assert '<span class="new-badge"' in row[:row.index("</tr>")]
    row = html[html.index('data-fact="blockade-march"'):]
    assert '<span class="new-badge"' not in row[:row.index("</tr>")]
    assert '<span class="new-badge"' not in render_html(context_of(series, "2031-W10"))  # the first report marks nothing


def test_a_route_that_changes_status_is_called_out(series):
    second, third = context_of(series, "2031-W11"), context_of(series, "2031-W12")
    assert second.route_changes == []
    [changed] = third.route_changes
    assert (changed.previous_status, changed.status, changed.status_changed) == ("open", "closed", True)
    assert any(h.text.startswith("Route River road: open in report 2, now closed.") for h in third.highlights)
    html = render_html(third)
    assert "Status changed:</strong> River road was open in report 2 and is now" in html


def test_trend_follows_the_figure_through_the_series_with_gaps(series):
    fourth = context_of(series, "2031-W14")
    trend = key(fourth, "civilians_trapped").trend
    assert [(p.week, p.report, p.low, p.high) for p in trend] == [
        ("2031-W10", 1, 12000, 12000), ("2031-W11", 2, 15000, 18000), ("2031-W12", 3, 9000, 9000),
        ("2031-W14", 4, 8000, 8000)]
    assert "<svg" in render_html(fourth)


def test_trend_chart_is_vector_drawn_from_zero_with_bands_and_gaps():
    points = [TrendPoint("2031-W10", 1, 100, 100), TrendPoint("2031-W11", 2, 150, 250), TrendPoint("2031-W13", 4, 50, 50)]
    svg = str(trend_svg(points, "Trapped <b>"))
    assert svg.startswith("<svg") and 'viewBox="0 0 240 64"' in svg
    assert svg.count("<polygon") == 1  # the one range, as a band
    assert svg.count("<polyline") == 1  # reports 1-2 joined; report 4 stands alone after the gap
    assert svg.count("<circle") == 3
    assert ">250<" in svg and ">0<" in svg  # the axis runs from zero to the highest value
    assert "Trapped &lt;b&gt;" in svg and "<b>" not in svg
    with pytest.raises(ValueError):
        trend_svg(points, color='red" onload="x')


def test_restricted_facts_do_not_leak_into_change_or_trend(series):
    store = STORE.replace("value: 9000, unit: people, cited: [{source: agency}]}",
                          "value: 9000, unit: people, cited: [{source: agency}], sensitivity: restricted}")
    write(series / "facts" / "store.yaml", store)
    third = context_of(series, "2031-W12")
    assert "civilians_trapped" not in [f.metric for f in third.key_figures]
    assert [d.metric for d in third.dropped_key_figures] == ["civilians_killed", "civilians_trapped"] or \
        sorted(d.metric for d in third.dropped_key_figures) == ["civilians_killed", "civilians_trapped"]
    fourth = context_of(series, "2031-W14")
    assert 9000 not in [p.low for p in key(fourth, "civilians_trapped").trend]


def test_a_long_series_marks_only_the_current_report():
    long = [TrendPoint(f"2031-W{(i % 52) + 1:02d}", i + 1, 100 + i, 100 + i) for i in range(300)]
    svg = str(trend_svg(long))
    assert svg.count("<circle") == 1 and svg.count("<polyline") == 1
    assert svg.count(",") > 300  # the line still runs through every report


def test_a_range_that_widens_both_ways_is_changed_not_up_or_down(series):
    store = STORE.replace("low: 15000, high: 18000", "low: 11000, high: 13000")  # W11 around W10's 12,000
    write(series / "facts" / "store.yaml", store)
    change = key(context_of(series, "2031-W11"), "civilians_trapped").change
    assert (change.direction, change.text) == ("changed", "now 11,000–13,000, was 12,000 (report 1)")
    assert "↕ now 11,000–13,000" in render_html(context_of(series, "2031-W11"))


def test_any_css_colour_the_theme_accepts_can_draw_a_chart():
    points = [TrendPoint("2031-W10", 1, 1, 1), TrendPoint("2031-W11", 2, 2, 2)]
    for colour in ("#1F5F8B", "RGB(31, 95, 139)", "hsl(200deg 60% 40% / 80%)", "rebeccapurple"):
        assert f'stroke="{colour}"' in str(trend_svg(points, color=colour))

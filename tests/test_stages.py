"""Each pipeline stage tested directly, without the CLI."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from support import REPO, write
from sitrep.source.config import load_config
from sitrep.source.dates import IsoWeek, format_fuzzy, parse_fuzzy_date
from sitrep.errors import OutputError, StoreError, TemplateProblem
from sitrep.report.formatting import format_amount, format_number
from sitrep.output import write_atomic
from sitrep.render.templates import make_environment, render_html
from sitrep.report.builder import build_context
from sitrep.report.series import resolve_week, series_of
from sitrep.source.schema import Amount
from sitrep.source.regularfiles import YamlLoadError
from sitrep.source.store import load_store
from sitrep.source.yamlsource import parse_yaml_bytes



# --- yamlsource ---------------------------------------------------------------------------------

def test_positions_point_at_each_key_and_item():
    doc = parse_yaml_bytes(b"figures:\n  - id: a\n    cited:\n      - source: x\n", "f.yaml")
    assert doc.positions[("figures",)] == 1
    assert doc.positions[("figures", 0, "id")] == 2
    assert doc.positions[("figures", 0, "cited", 0, "source")] == 4
    assert doc.line_of(("figures", 0, "cited", 0, "source", "deeper")) == 4


def test_keys_stay_text_and_dates_become_dates():
    doc = parse_yaml_bytes(b"names: {no: Fallujah, on: x}\nwhen: 2016-06-03\n", "f.yaml")
    assert doc.data["names"] == {"no": "Fallujah", "on": "x"}
    assert doc.data["when"] == dt.date(2016, 6, 3)


def test_loader_refuses_duplicate_keys_with_both_lines():
    with pytest.raises(YamlLoadError) as caught:
        parse_yaml_bytes(b"a: 1\nb: 2\na: 3\n", "f.yaml")
    assert caught.value.problem.line == 3
    assert "first set on line 1" in caught.value.problem.message


def test_loader_refuses_aliases():
    with pytest.raises(YamlLoadError) as caught:
        parse_yaml_bytes(b"a: &x [1, 2]\nb: *x\n", "f.yaml")
    assert "aliases" in caught.value.problem.message


# --- dates --------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, start, end, precision", [
    ("2016-06-03", dt.date(2016, 6, 3), dt.date(2016, 6, 3), "day"),
    ("2016-W23", dt.date(2016, 6, 6), dt.date(2016, 6, 12), "week"),
    ("2016-06", dt.date(2016, 6, 1), dt.date(2016, 6, 30), "month"),
    ("2016-02", dt.date(2016, 2, 1), dt.date(2016, 2, 29), "month"),
    ("2016", dt.date(2016, 1, 1), dt.date(2016, 12, 31), "year"),
    ("2016-05/2016-W23", dt.date(2016, 5, 1), dt.date(2016, 6, 12), "span"),
])
def test_fuzzy_dates_cover_the_days_they_may_fall_on(text, start, end, precision):
    date = parse_fuzzy_date(text)
    assert (date.start, date.end, date.precision) == (start, end, precision)


@pytest.mark.parametrize("bad", ["2016-13", "2016-06-31", "soon", "2016-W54", "2016-06/2016-05", True, 3.5])
def test_bad_dates_are_refused(bad):
    with pytest.raises(ValueError):
        parse_fuzzy_date(bad)


def test_dates_print_no_more_precisely_than_recorded():
    assert format_fuzzy(parse_fuzzy_date("2016-06")) == "June 2016"
    assert format_fuzzy(parse_fuzzy_date(dt.date(2016, 6, 3))) == "3 June 2016"
    assert format_fuzzy(parse_fuzzy_date("2016-W26")) == "week 26 of 2016 (27 June – 3 July 2016)"


def test_iso_weeks_cross_years():
    week = IsoWeek.parse("2015-W53")
    assert (week.start, week.end) == (dt.date(2015, 12, 28), dt.date(2016, 1, 3))
    assert str(week.shifted(1)) == "2016-W01"


# --- formatting ---------------------------------------------------------------------------------

def test_amounts_read_as_reported():
    assert format_number(30000) == "30,000"
    assert format_number(2.50) == "2.5"
    assert format_amount(Amount(low=30000, high=40000, qualifier="about"), "people") == "about 30,000–40,000 people"
    assert format_amount(Amount(value=30, qualifier="at_least"), "people") == "at least 30 people"
    assert format_amount(Amount(value=1), "families") == "1 family"


# --- store --------------------------------------------------------------------------------------

def test_example_store_loads_every_kind():
    store = load_store(REPO / "facts", cache=False)  # writes nothing into the repository
    counts = store.counts()
    assert all(counts[kind] > 0 for kind in counts), counts
    assert store.origins["fallujah"].file.endswith("facts/places.yaml")


def test_every_problem_in_a_store_is_reported_in_one_run(tmp_path):
    write(tmp_path / "a.yaml", "sources:\n  - {id: s, name: S, kind: media, reliability: B}\n"
                               "figures:\n  - id: f\n    metric: civilians_trapped\n    place: nowhere\n"
                               "    as_of: 2016-06\n    low: 5\n    high: 1\n    unit: people\n"
                               "    cited: [{source: s}]\n")
    write(tmp_path / "b.yaml", "places:\n  - {id: p, name: P, kind: city, colour: red}\n")
    with pytest.raises(StoreError) as caught:
        load_store(tmp_path)
    lines = [(Path(p.file).name, p.line) for p in caught.value.problems]
    assert lines == [("a.yaml", 6), ("a.yaml", 8), ("b.yaml", 2)]


# --- report -------------------------------------------------------------------------------------

def _example():
    config = load_config(REPO / "config.yaml")
    return load_store(config.store_dir, cache=False), config  # writes nothing into the repository


def test_week_selection_defaults_to_latest_and_refuses_empty_weeks():
    store, config = _example()
    series = series_of(store, config.series)
    assert str(resolve_week(series, store, None)) == "2016-W26"
    with pytest.raises(Exception, match="the series has no report for week 2016-W40"):
        resolve_week(series, store, "2016-W40")


def test_the_example_series_is_what_became_known_when():
    store, config = _example()
    series = series_of(store, config.series)
    # Every fact of the example is dated to a month, and so are its citations: it enters the
    # report that holds the last day of the month its source reported it in. Two reports, not
    # nineteen: the offensives of June 2015 and May 2016 were reported the month after.
    assert [str(week) for week in series.reports] == ["2015-W31", "2016-W26"]
    first = {a.entry.id: a for a in series.arrived_in(series.reports[0])}
    latest = {a.entry.id: a for a in series.arrived_in(series.reports[1])}
    assert first["pmf-offensive-launch-2015-06"].known_on == dt.date(2015, 7, 31)
    assert latest["fallujah-offensive-2016-05"].known_on == dt.date(2016, 6, 30)


def test_context_for_the_latest_week():
    store, config = _example()
    report = build_context(store, config, "2016-W26")
    assert report.number == 2 and report.as_of == "3 July 2016" and report.next_report == "10 July 2016"
    assert (report.previous_number, report.previous_gap) == (1, "48 weeks earlier")
    trapped = next(k for k in report.key_figures if k.metric == "civilians_trapped")
    assert (trapped.number, trapped.qualifier, trapped.unit) == ("30,000–40,000", "about", "people")
    # Citations are numbered in reading order: page one's "since the last report" opens with [1].
    assert report.since_last[0].parts[0].citations == [1]
    assert report.sections[:5] == ["since_last", "key_figures", "routes_glance", "contacts", "map"]
    assert [s.number for s in report.sources] == list(range(1, len(report.sources) + 1))
    assert {g.type for g in report.abuses} >= {"killing_of_fleeing_civilians", "forced_blood_donation"}
    assert report.routes[0].status == "unsafe"


def test_conflicting_reports_show_their_range_and_who_said_what(tmp_path):
    store_dir = tmp_path / "facts"
    store_dir.mkdir()
    for name in ("sources.yaml", "places.yaml", "actors.yaml"):
        (store_dir / name).write_bytes((REPO / "facts" / name).read_bytes())
    write(store_dir / "w.yaml", """figures:
  - {id: t1, metric: civilians_trapped, place: fallujah, as_of: 2016-06-10, value: 50000, unit: people, cited: [{source: nbc-news}]}
  - {id: t2, metric: civilians_trapped, place: fallujah, as_of: 2016-06-10, low: 30000, high: 40000, unit: people, cited: [{source: fox-news}]}
  - {id: t0, metric: civilians_trapped, place: fallujah, as_of: 2016-06-06, value: 90000, unit: people, cited: [{source: ibtimes}]}
""")
    config = load_config(REPO / "config.yaml")
    report = build_context(load_store(store_dir), config, "2016-W23")
    [trapped] = report.key_figures
    assert trapped.conflicting and trapped.number == "30,000–50,000"
    assert [r.id for r in trapped.reports] == ["t1", "t2"]  # the older 90,000 is not the latest
    assert [r.sources for r in trapped.reports] == [["NBC News"], ["Fox News"]]
    # ... but it was reported this week, so it is shown as superseded, not dropped.
    assert [(r.id, r.superseded_by) for r in trapped.superseded] == [("t0", "a report as of 10 June 2016 (t1)")]
    # Without written highlights, each new report of a key figure is a highlight with its own citation.
    assert [h.citations for h in report.highlights[:2]] == [r.citations for r in trapped.reports]
    assert report.highlights[0].text == "Civilians trapped in Fallujah: 50,000 people (as of 10 June 2016). [1]"


# --- render -------------------------------------------------------------------------------------

def test_user_template_overrides_one_section_and_can_extend_the_builtin(tmp_path):
    store, config = _example()
    report = build_context(store, config, "2016-W26")
    write(tmp_path / "sections/outlook.html", "<section id='outlook'>OUR OWN OUTLOOK</section>")
    write(tmp_path / "base.html", "{% extends 'builtin:base.html' %}{% block title %}CUSTOM TITLE{% endblock %}")
    html = render_html(report, user_dir=tmp_path)
    assert "OUR OWN OUTLOOK" in html and "<title>CUSTOM TITLE</title>" in html
    assert "Documented abuses" in html  # the other sections still come from the built-ins


def test_undefined_variable_in_a_template_names_file_and_line(tmp_path):
    store, config = _example()
    report = build_context(store, config, "2016-W26")
    write(tmp_path / "sections/outlook.html", "<p>\n{{ report.outlok }}\n</p>")
    with pytest.raises(TemplateProblem) as caught:
        render_html(report, user_dir=tmp_path)
    problem = caught.value.problems[0]
    assert problem.file.endswith("sections/outlook.html") and problem.line == 2
    assert "outlok" in problem.message


def test_template_syntax_error_names_file_and_line(tmp_path):
    store, config = _example()
    report = build_context(store, config, "2016-W26")
    write(tmp_path / "sections/places.html", "ok\n{% if %}\n")
    with pytest.raises(TemplateProblem) as caught:
        render_html(report, user_dir=tmp_path)
    assert caught.value.problems[0].line == 2


def test_environment_escapes_and_is_strict():
    env = make_environment()
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"
    with pytest.raises(Exception):
        env.from_string("{{ missing }}").render()


# --- output -------------------------------------------------------------------------------------

def test_atomic_write_leaves_the_old_file_when_writing_fails(tmp_path, monkeypatch):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"old report")

    def broken_fsync(fd):
        raise OSError("disk full")

    monkeypatch.setattr("os.fsync", broken_fsync)
    with pytest.raises(OutputError, match="disk full"):
        write_atomic(target, b"new report")
    assert target.read_bytes() == b"old report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]  # no temporary file left

"""One order of fuzzy dates wherever a report compares (issue 23): a report is newer than another
only when it begins after the other ends (report/timeline.strictly_before). The change of a key
figure or a route is measured against every report it replaced, news that only overlaps what
held is shown beside it, page one shows only what is current, staleness is measured by the same
order and always said, with its citation, and `sitrep trace` tells what each report prints.

Each case is a small store, read as the report prints it: the context, the HTML's words, and
once the HTML a `sitrep build` writes."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from support import write
from sitrep.render.templates import render_html
from sitrep.report.builder import build_context
from sitrep.report.timeline import Arrival, current, latest_day, strictly_before
from sitrep.source.config import load_config
from sitrep.source.dates import format_fuzzy, parse_fuzzy_date
from sitrep.source.store import load_store

CONFIG = """title: Order report
crisis: Rivertown siege
organisation: {name: Desk}
key_metrics: [civilians_trapped, people_displaced]
"""

HEAD = """sources:
  - {id: agency, name: Relief Agency, kind: un_agency, reliability: A}
  - {id: paper, name: Daily Paper, kind: media, reliability: B}
places:
  - {id: town, name: Rivertown, kind: town, lat: 33.0, lon: 44.0}
  - {id: camp, name: Hill Camp, kind: camp, lat: 33.1, lon: 44.1}
"""


def route(*updates: str) -> str:
    return ("routes:\n  - id: road\n    name: River road\n    origin: town\n    destination: camp\n    updates:\n"
            + "".join(f"      - {u}\n" for u in updates))


# "open, as of September" and "restricted, as of 23 September" (known first), then closed on 7 October.
VAGUE_ROUTE = HEAD + route("{as_of: 2016-09, status: open, cited: [{source: agency}]}",
                           "{as_of: 2016-09-23, status: restricted, cited: [{source: paper}]}",
                           "{as_of: 2016-10-07, status: closed, cited: [{source: agency}]}")
# "3,000 (20 February)", then "5,000 (February)": February is not later than its 20th.
VAGUE_FIGURE = HEAD + """figures:
  - {id: t-0220, metric: civilians_trapped, place: town, as_of: 2016-02-20, value: 3000, unit: people, cited: [{source: agency}]}
  - {id: t-feb, metric: civilians_trapped, place: town, as_of: 2016-02, value: 5000, unit: people, cited: [{source: paper}]}
  - {id: t-0310, metric: civilians_trapped, place: town, as_of: 2016-03-10, value: 4000, qualifier: about, unit: people, cited: [{source: agency}]}
"""
# Restricted on 4 February and closed on 6 February: both become known in one week.
ONE_WEEK = HEAD + route("{as_of: 2016-01-20, status: open, cited: [{source: agency}]}",
                        "{as_of: 2016-02-04, status: restricted, cited: [{source: paper}]}",
                        "{as_of: 2016-02-06, status: closed, cited: [{source: agency}]}")
# Every key figure and route goes stale at once: nothing but an incident is left in report 2.
ALL_STALE = HEAD + """figures:
  - {id: t-1, metric: civilians_trapped, place: town, as_of: 2016-01-05, value: 2400, qualifier: about, unit: people, cited: [{source: agency}]}
incidents:
  - {id: shell, type: attack_on_civilians, date: 2016-04-01, place: town, status: alleged, summary: Shelling., cited: [{source: paper}]}
""" + route("{as_of: 2016-01-05, status: restricted, cited: [{source: paper}]}")
# A figure dated to the year 2016, reported on 1 March: it speaks of no later than 1 March.
YEAR = HEAD + """figures:
  - {id: d-2016, metric: people_displaced, place: town, as_of: 2016, value: 900, unit: people, cited: [{source: agency, date: 2016-03-01}]}
incidents:
  - {id: shell, type: attack_on_civilians, date: 2016-05-18, place: town, status: alleged, summary: Shelling., cited: [{source: paper}]}
"""
# About 25,000-30,000, then about 20,000-35,000: wider both ways.
QUALIFIED = HEAD + """figures:
  - {id: t-1, metric: civilians_trapped, place: town, as_of: 2016-01-05, low: 25000, high: 30000, qualifier: about, unit: people, cited: [{source: agency}]}
  - {id: t-2, metric: civilians_trapped, place: town, as_of: 2016-01-12, low: 20000, high: 35000, qualifier: about, unit: people, cited: [{source: agency}]}
"""


def workspace(folder: Path, store: str) -> Path:
    write(folder / "config.yaml", CONFIG)
    write(folder / "facts" / "store.yaml", store)
    return folder


def contexts(folder: Path, store: str, *weeks: str) -> list:
    workspace(folder, store)
    config = load_config(folder / "config.yaml")
    loaded = load_store(config.store_dir, today=dt.date(2017, 1, 1), cache=False)
    return [build_context(loaded, config, week) for week in weeks]


def words(markup: str, section: str | None = None) -> str:
    """The text a reader sees, of the whole page or of one section (by its id)."""
    if section is not None:
        start = markup.index(f'id="{section}"')
        markup = markup[start:markup.index("</section>", start)]
    markup = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", markup, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def box(context) -> list[str]:
    return [line.text for line in context.since_last]


# The relation itself ----------------------------------------------------------------------

def arrival(key: str, date: str, known: str | None = None) -> Arrival:
    """A report of something, known at its date's end unless `known` says earlier."""
    fuzzy = parse_fuzzy_date(date)
    return Arrival(SimpleNamespace(id=key), fuzzy, (), dt.date.fromisoformat(known) if known else fuzzy.end, "test")


def test_a_month_is_concurrent_with_its_days_and_before_the_next_month():
    february, twentieth, march = parse_fuzzy_date("2016-02"), parse_fuzzy_date("2016-02-20"), parse_fuzzy_date("2016-03-01")
    assert not strictly_before(twentieth, february) and not strictly_before(february, twentieth)
    assert strictly_before(february, march) and strictly_before(twentieth, march)
    reports = [arrival("feb", "2016-02"), arrival("20th", "2016-02-20"), arrival("19th", "2016-02-19")]
    holding, superseded = current(reports)
    # The 19th is over before the 20th begins; February overlaps both and hides neither.
    assert [a.key for a in holding] == ["feb", "20th"]
    assert {a.key: b.key for a, b in superseded.items()} == {"19th": "20th"}


def test_staleness_counts_from_the_last_day_a_report_could_speak_of():
    # dated 2016, reported on 1 March: it cannot speak of anything after 1 March
    assert latest_day([arrival("year", "2016", known="2016-03-01")]) == dt.date(2016, 3, 1)
    # a month and its 20th, both known at the month's end: the month speaks of its last day
    assert latest_day([arrival("feb", "2016-02"), arrival("20th", "2016-02-20")]) == dt.date(2016, 2, 29)


# Change against every report it replaced ---------------------------------------------------

def test_a_route_change_names_every_update_it_replaced(tmp_path):
    second, third = contexts(tmp_path, VAGUE_ROUTE, "2016-W39", "2016-W40")
    [changed] = third.route_changes
    assert changed.previous_ids == ["road#2", "road#1"]
    assert changed.previous == "restricted (as of 23 September 2016) and open (as of September 2016)"
    said = "now closed (as of 7 October 2016); was restricted (as of 23 September 2016) and open (as of September 2016)."
    assert box(third) == [f"Route River road: {said} [1]"]
    page = render_html(third)
    assert ("Status changed: River road is now closed (as of 7 October 2016); it was restricted (as of 23 September "
            "2016) and open (as of September 2016).") in words(page, "routes")
    assert "Restricted, Open → Closed" in words(page, "routes")
    # Report 2: the vaguer "open (September)" arrives after "restricted (23 September)" and
    # overlaps it, so neither is newer: both are said, side by side, in the box too.
    assert box(second) == ["Route River road: open (as of September 2016), reported alongside restricted (as of 23 "
                           "September 2016); neither is more recent. [1]"]
    assert [(r.status, r.previous_ids, r.alongside_ids, r.status_changed) for r in second.routes] == [
        ("open", [], ["road#2"], False), ("restricted", [], [], False)]
    glance = words(render_html(second), "routes-glance")
    assert "Open [ 1 ] September 2016" in glance and "Restricted [ 2 ] 23 September 2016" in glance


def test_a_report_concurrent_with_what_held_is_no_rise(tmp_path):
    second, third = contexts(tmp_path, VAGUE_FIGURE, "2016-W09", "2016-W10")
    [figure] = second.key_figures
    assert (figure.change.direction, figure.change.against) == ("concurrent", ["t-0220"])
    assert figure.change.text == "reported alongside 3,000 (as of 20 February 2016); neither is more recent"
    shown = words(render_html(second), "key-figures")
    assert "▲" not in shown and "up from" not in shown
    assert "‖ reported alongside 3,000 (as of 20 February 2016); neither is more recent" in shown
    assert box(second) == ["Civilians trapped in Rivertown: 5,000 people (as of February 2016); reported alongside "
                           "3,000 (as of 20 February 2016); neither is more recent. [1]"]
    # 10 March is later than both: measured against both, each with its date, its qualifier kept.
    [figure] = third.key_figures
    assert (figure.change.direction, figure.change.against) == ("changed", ["t-0220", "t-feb"])
    assert figure.change.text == "now about 4,000; was 3,000 (as of 20 February 2016) and 5,000 (as of February 2016)"
    assert "↕ now about 4,000; was 3,000 (as of 20 February 2016) and 5,000 (as of February 2016)" in \
        words(render_html(third), "key-figures")


def test_a_change_keeps_the_qualifiers_it_repeats(tmp_path):
    [second] = contexts(tmp_path, QUALIFIED, "2016-W02")
    [figure] = second.key_figures
    assert figure.change.text == "now about 20,000–35,000; was about 25,000–30,000 (as of 5 January 2016)"
    assert figure.change.against == ["t-1"]
    assert "↕ now about 20,000–35,000; was about 25,000–30,000 (as of 5 January 2016)" in words(render_html(second))


# Page one: only what is current -------------------------------------------------------------

def test_an_update_superseded_in_its_week_stays_off_page_one(tmp_path):
    [second] = contexts(tmp_path, ONE_WEEK, "2016-W05")
    assert [(r.status, r.current) for r in second.routes] == [("closed", True), ("restricted", False)]
    assert box(second) == ["Route River road: now closed (as of 6 February 2016); was open (as of 20 January 2016). [1]"]
    assert all("restricted" not in line for line in box(second) + [h.text for h in second.highlights])
    page = render_html(second)
    glance = words(page, "routes-glance")
    assert "Closed" in glance and "Restricted" not in glance and "4 February" not in glance
    assert "Reported this week, since superseded by an update as of 6 February 2016." in words(page, "routes")
    assert [r.status for r in second.map.routes] == ["closed"]


# Staleness: always said, once, with its citation -------------------------------------------

def test_twin_updates_of_a_stale_route_are_said_once_with_both_citations(tmp_path):
    """Two sources report the road closed on one day, with different hazards: both hold. When
    the road goes stale, its line (route, status, date) is said once, citing both."""
    twins = HEAD + """incidents:
  - {id: shell, type: attack_on_civilians, date: 2016-04-01, place: town, status: alleged, summary: Shelling., cited: [{source: paper}]}
""" + route("{as_of: 2016-01-05, status: closed, hazards: [snipers], cited: [{source: paper}]}",
            "{as_of: 2016-01-05, status: closed, hazards: [ieds], cited: [{source: agency}]}")
    first, second = contexts(tmp_path, twins, "2016-W01", "2016-W13")
    assert len(first.routes) == 2  # side by side while they hold
    [stale] = second.stale_routes
    numbers = {s.name: s.number for s in second.sources}
    assert stale.citations == sorted([numbers["Relief Agency"], numbers["Daily Paper"]])
    said = words(render_html(second), "routes")
    assert said.count("River road, last closed as of 5 January 2016") == 1, said


def test_no_longer_reported_is_said_when_nothing_else_of_its_section_is_left(tmp_path):
    first, second = contexts(tmp_path, ALL_STALE, "2016-W01", "2016-W13")
    assert second.key_figures == [] and second.routes == []
    [dropped] = second.dropped_key_figures
    assert (dropped.last_number, dropped.ids) == ("about 2,400", ["t-1"])
    page = render_html(second)
    agency = next(s.number for s in second.sources if s.name == "Relief Agency")
    assert dropped.citations == [agency]
    assert ("No longer reported (no new report for 12 weeks): civilians trapped in Rivertown, last about 2,400 people "
            f"as of 5 January 2016 (report 1) [ {agency} ] .") in words(page, "key-figures")
    paper = next(s.number for s in second.sources if s.name == "Daily Paper")
    assert f"River road, last restricted as of 5 January 2016 [ {paper} ]" in words(page, "routes")
    # citations in reading order: the box's incident, then the key figure's last value
    assert [s.name for s in second.sources] == ["Daily Paper", "Relief Agency"]


def test_a_report_dated_to_a_year_goes_stale_within_that_year(tmp_path):
    [later] = contexts(tmp_path, YEAR, "2016-W20")
    assert later.key_figures == []
    [dropped] = later.dropped_key_figures
    assert (dropped.last_number, dropped.last_as_of) == ("900", "2016")
    assert "people displaced in Rivertown, last 900 people as of 2016 (report 1)" in words(render_html(later))


# What the CLI writes and what trace says -----------------------------------------------------

def test_the_built_report_says_the_change_against_both(tmp_path, sitrep_cli):
    folder = workspace(tmp_path / "ws", VAGUE_ROUTE)
    built = sitrep_cli("build", "--config", folder / "config.yaml", "--week", "2016-W40", "--format", "html")
    assert built.exit_code == 0, built.output
    [page] = (folder / "output" / "2016-W40").glob("*.html")
    text = words(page.read_text(encoding="utf-8"))
    assert ("Since the last report (No. 2) Route River road: now closed (as of 7 October 2016); was restricted (as of 23 "
            "September 2016) and open (as of September 2016). [ 1 ]") in text
    assert "was open (as of September 2016)." not in text


@pytest.mark.parametrize("store, weeks, traced_id", [(VAGUE_ROUTE, ["2016-W38", "2016-W39", "2016-W40"], "road"),
                                                    (ONE_WEEK, ["2016-W03", "2016-W05"], "road"),
                                                    (ALL_STALE, ["2016-W01", "2016-W13"], "road"),
                                                    (ALL_STALE, ["2016-W01", "2016-W13"], "t-1"),
                                                    (VAGUE_FIGURE, ["2016-W07", "2016-W09", "2016-W10"], "t-0220")])
def test_trace_says_what_each_report_prints(tmp_path, sitrep_cli, store, weeks, traced_id):
    """Each thing `sitrep trace` says a report shows, that report shows: carried forward, given as
    the value or status before in the change that replaced it, or 'no longer reported'."""
    built = {c.number: c for c in contexts(tmp_path, store, *weeks)}
    traced = sitrep_cli("trace", traced_id, "--config", tmp_path / "config.yaml")
    assert traced.exit_code == 0, traced.output
    public = traced.stdout.split("In the public series")[1].split("In the internal series")[0]
    lines = public.strip().splitlines()[1:]
    assert lines
    dates: dict[str, str | None] = {}
    for line in lines:
        entered = re.match(r"\s*(?:Update (\d+) \((\S+)\)|It) enters report No\. (\d+)", line)
        key = f"road#{entered[1]}" if entered[1] else traced_id
        dates[key] = format_fuzzy(parse_fuzzy_date(entered[2])) if entered[2] else None
        shown = re.search(r"Still shown as last reported in No\. ([\d, –]+)\.", line)
        for number in _numbers(shown[1]) if shown else []:
            assert key in _shown(built[number], dates), f"trace: {key} shown in No. {number}, which does not show it"
        if "Superseded" in line:
            superseded = re.search(r"Superseded in No\. (\d+) .* by (\S+), a report as of [^:]*: No\. (\d+) "
                                   r"(gives it as the (?:status|value) before|shows it as since superseded)\.", line)
            assert superseded, line
            report = built[int(superseded[1])]
            if superseded[4].startswith("gives"):
                named = [r.previous_ids for r in report.route_changes] + [f.change.against for f in report.key_figures]
                assert any(key in ids for ids in named), f"trace: No. {superseded[1]} names {key}, it names {named}"
            else:
                assert any(r.superseded_by for r in report.routes) or any(f.superseded for f in report.key_figures)
        stale = re.search(r"No longer reported from No\. (\d+)", line)
        if stale:
            report = built[int(stale[1])]
            assert traced_id in [r.id for r in report.stale_routes] + [i for d in report.dropped_key_figures for i in d.ids]
            assert "No longer reported" in words(render_html(report), "routes" if traced_id == "road" else "key-figures")


def _shown(context, dates: dict[str, str | None]) -> set[str]:
    """What a report shows as holding: its key figures' reports by id, the route's updates by
    their date ('road#2', from the trace's own lines)."""
    ids = {r.id for f in context.key_figures for r in f.reports}
    return ids | {key for r in context.routes if r.current for key, date in dates.items() if r.as_of == date}


def _numbers(text: str) -> list[int]:
    numbers = []
    for part in text.split(", "):
        first, _, last = part.partition("–")
        numbers += range(int(first), int(last or first) + 1)
    return numbers

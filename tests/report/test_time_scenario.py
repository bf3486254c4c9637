"""The time scenario: a small series (tests/report/scenario/) that mirrors what the series got
wrong about time before issue 11, with the exact report text expected for every week.

- a range reported for one week (trapped-w31): a band on the chart, not a dot at its midpoint;
- a month-dated figure (August) and a day-dated one (29 August, "less than 8,000" from one
  weak source): both news in the report holding 31 August, never earlier; shown side by side
  with their qualifiers, the weak one attributed; the week-31 range superseded by the
  strictly later 29 August report;
- an incident dated to August but cited on 16 August: news in that week;
- a route closed in W31, nothing new in W32-W33 (W32 a quiet report), reopened in W34: the
  closure carried forward with "no new report since", the reopening flagged as a change
  against the last known status, and the route "no longer reported" once after four weeks;
- a route updated on 23 September and "as of September" (known 30 September): concurrent,
  so the vaguer later-known update hides nothing and no status change is claimed;
- a key figure with no new report for four weeks: "no longer reported", said once.

Issue 23 (one strict order everywhere, no report of an unfinished week, known when first reported):

- "3,000 (20 September)" then "5,000 (September)" in Hill Camp: concurrent, so no rise is
  claimed (before: "up from 3,000");
- the ferry route "September" (open), "23 September" (restricted), then closed "7 October":
  the change is against both updates that held (before: "was open (as of September)" only);
- the mountain pass restricted on 4 October and closed on 6 October, both news in W40: the box
  and the routes at a glance show only the closure (before: both, as current);
- a movement dated 26-30 September first reported on 5 October: news in W40, and no report lists
  its source before it spoke (before: W39, with a source dated 5 October);
- the camp figure goes stale in W43 as the last key figure left, both routes in W44: "no
  longer reported" is said, with its citations, though nothing else of its section is left;
- `--as-of 9 November 2016`: W45 has not ended, so the series stops at W44.

`report_text` writes, line by line, what a reader learns about time from the context the
templates print (the header, highlights, key figures with their reports and chart marks, routes,
abuses, the sources list); test_the_scenario_pdf checks the printed PDF says the same.
"""

from __future__ import annotations

import datetime as dt
import functools
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from sitrep.report.builder import build_context
from sitrep.report.series import series_of
from sitrep.source.config import load_config
from sitrep.source.store import load_store

SCENARIO = Path(__file__).resolve().parent / "scenario"

EXPECTED = {
    "2016-W31": """\
No. 1 2016-W31 (1–7 August 2016); previous: none; next report on or around 14 August 2016
since the last report: Civilians trapped in Riverside: 5,000–9,000 people (as of week 31 of 2016 (1–7 August 2016)). [1]
since the last report: Route Bridge road is closed (as of 3 August 2016). [1]
key figure: Civilians trapped, Riverside: 5,000–9,000 people (as of week 31 of 2016 (1–7 August 2016))
  report: Relief Agency: 5,000–9,000 people (as of week 31 of 2016 (1–7 August 2016)) [1] NEW
  chart: week 31 of 2016 (1–7 August 2016): band 5000-9000
route: Bridge road: closed (as of 3 August 2016) [1] — NEW
sources: 1. Relief Agency
""",
    "2016-W32": """\
No. 2 2016-W32 (8–14 August 2016); previous: No. 1, 1–7 August 2016; next report on or around 21 August 2016
quiet: no new information; situation as last reported
since the last report: No key figure or route status changed, and no new incident was reported, since the last report.
key figure: Civilians trapped, Riverside: 5,000–9,000 people (as of week 31 of 2016 (1–7 August 2016)); no new report since week 31 of 2016 (1–7 August 2016)
  report: Relief Agency: 5,000–9,000 people (as of week 31 of 2016 (1–7 August 2016)) [1]
  chart: week 31 of 2016 (1–7 August 2016): band 5000-9000
route: Bridge road: closed (as of 3 August 2016) [1] — no new report since 3 August 2016
sources: 1. Relief Agency
""",
    "2016-W33": """\
No. 3 2016-W33 (15–21 August 2016); previous: No. 2, 8–14 August 2016; next report on or around 28 August 2016
since the last report: New reports of abuses: attack on civilians or civilian objects (1). [1]
key figure: Civilians trapped, Riverside: 5,000–9,000 people (as of week 31 of 2016 (1–7 August 2016)); no new report since week 31 of 2016 (1–7 August 2016)
  report: Relief Agency: 5,000–9,000 people (as of week 31 of 2016 (1–7 August 2016)) [2]
  chart: week 31 of 2016 (1–7 August 2016): band 5000-9000
route: Bridge road: closed (as of 3 August 2016) [2] — no new report since 3 August 2016
abuse: Attack on civilians or civilian objects, August 2016: Shelling hit the market. [1]
sources: 1. Daily Paper, 16 August 2016; 2. Relief Agency
""",
    "2016-W34": """\
No. 4 2016-W34 (22–28 August 2016); previous: No. 3, 15–21 August 2016; next report on or around 4 September 2016
since the last report: Route Bridge road: now open (as of 24 August 2016); was closed (as of 3 August 2016). [1]
key figure: Civilians trapped, Riverside: 5,000–9,000 people (as of week 31 of 2016 (1–7 August 2016)); no new report since week 31 of 2016 (1–7 August 2016)
  report: Relief Agency: 5,000–9,000 people (as of week 31 of 2016 (1–7 August 2016)) [1]
  chart: week 31 of 2016 (1–7 August 2016): band 5000-9000
status changed: Bridge road now open (as of 24 August 2016), was closed (as of 3 August 2016) [1] [against bridge#1]
route: Bridge road: open (as of 24 August 2016) [1] — NEW
sources: 1. Relief Agency
""",
    "2016-W35": """\
No. 5 2016-W35 (29 August – 4 September 2016); previous: No. 4, 22–28 August 2016; next report on or around 11 September 2016
since the last report: Civilians trapped in Riverside: about 30,000 people (as of August 2016). [1]
since the last report: Reported by Market rumour — one source, grade F3: Civilians trapped in Riverside: less than 8,000 people (as of 29 August 2016). [2]
overview: Estimates of the people still in Riverside range from less than 8,000 people (unconfirmed, one source, F3) [2] to about 30,000 people [1].
key figure: Civilians trapped, Riverside: less than 8,000 to about 30,000 people (as of August 2016); up from 5,000–9,000 (as of week 31 of 2016 (1–7 August 2016)) [against trapped-w31]
  report: Daily Paper: about 30,000 people (as of August 2016) [1] NEW
  report: Market rumour: less than 8,000 people (as of 29 August 2016) [2] NEW [attributed: Reported by Market rumour — one source, grade F3]
  chart: week 31 of 2016 (1–7 August 2016): band 5000-9000, August 2016: point 30000-30000, 29 August 2016: point 8000-8000
route: Bridge road: open (as of 24 August 2016) [3] — no new report since 24 August 2016
sources: 1. Daily Paper; 2. Market rumour; 3. Relief Agency
""",
    "2016-W36": """\
No. 6 2016-W36 (5–11 September 2016); previous: No. 5, 29 August – 4 September 2016; next report on or around 18 September 2016
since the last report: New reports of abuses: arbitrary detention or abduction (1). [1]
key figure: Civilians trapped, Riverside: less than 8,000 to about 30,000 people (as of August 2016); no new report since August 2016
  report: Daily Paper: about 30,000 people (as of August 2016) [2]
  report: Market rumour: less than 8,000 people (as of 29 August 2016) [3] [attributed: Reported by Market rumour — one source, grade F3]
  chart: week 31 of 2016 (1–7 August 2016): band 5000-9000, August 2016: point 30000-30000, 29 August 2016: point 8000-8000
route: Bridge road: open (as of 24 August 2016) [1] — no new report since 24 August 2016
abuse: Arbitrary detention or abduction, 7 September 2016: Men were held at the crossing. [1]
sources: 1. Relief Agency; 2. Daily Paper; 3. Market rumour
""",
    "2016-W37": """\
No. 7 2016-W37 (12–18 September 2016); previous: No. 6, 5–11 September 2016; next report on or around 25 September 2016
quiet: no new information; situation as last reported
since the last report: No key figure or route status changed, and no new incident was reported, since the last report.
key figure: Civilians trapped, Riverside: less than 8,000 to about 30,000 people (as of August 2016); no new report since August 2016
  report: Daily Paper: about 30,000 people (as of August 2016) [1]
  report: Market rumour: less than 8,000 people (as of 29 August 2016) [2] [attributed: Reported by Market rumour — one source, grade F3]
  chart: week 31 of 2016 (1–7 August 2016): band 5000-9000, August 2016: point 30000-30000, 29 August 2016: point 8000-8000
route: Bridge road: open (as of 24 August 2016) [3] — no new report since 24 August 2016
sources: 1. Daily Paper; 2. Market rumour; 3. Relief Agency
""",
    "2016-W38": """\
No. 8 2016-W38 (19–25 September 2016); previous: No. 7, 12–18 September 2016; next report on or around 2 October 2016
since the last report: People in camps in Hill Camp: 3,000 people (as of 20 September 2016). [1]
since the last report: Route Ferry route is restricted (as of 23 September 2016). [1]
key figure: Civilians trapped, Riverside: less than 8,000 to about 30,000 people (as of August 2016); no new report since August 2016
  report: Daily Paper: about 30,000 people (as of August 2016) [2]
  report: Market rumour: less than 8,000 people (as of 29 August 2016) [3] [attributed: Reported by Market rumour — one source, grade F3]
  chart: week 31 of 2016 (1–7 August 2016): band 5000-9000, August 2016: point 30000-30000, 29 August 2016: point 8000-8000
key figure: People in camps, Hill Camp: 3,000 people (as of 20 September 2016); first reported in this series
  report: Relief Agency: 3,000 people (as of 20 September 2016) [1] NEW
  chart: 20 September 2016: point 3000-3000
route: Ferry route: restricted (as of 23 September 2016) [1] — NEW
route no longer reported: Bridge road: last open (as of 24 August 2016) [1]
sources: 1. Relief Agency; 2. Daily Paper; 3. Market rumour
""",
    "2016-W39": """\
No. 9 2016-W39 (26 September – 2 October 2016); previous: No. 8, 19–25 September 2016; next report on or around 9 October 2016
since the last report: People in camps in Hill Camp: 5,000 people (as of September 2016); reported alongside 3,000 (as of 20 September 2016); neither is more recent. [1]
since the last report: Route Ferry route: open (as of September 2016), reported alongside restricted (as of 23 September 2016); neither is more recent. [1]
key figure: People in camps, Hill Camp: 3,000–5,000 people (as of September 2016); reported alongside 3,000 (as of 20 September 2016); neither is more recent [against camp-0920]
  report: Daily Paper: 5,000 people (as of September 2016) [1] NEW
  report: Relief Agency: 3,000 people (as of 20 September 2016) [2]
  chart: September 2016: point 5000-5000, 20 September 2016: point 3000-3000
no longer reported: Civilians trapped, Riverside: last less than 8,000 to about 30,000 people as of August 2016 (report 5) [1, 3]
route: Ferry route: open (as of September 2016) [1] — NEW; concurrent
route: Ferry route: restricted (as of 23 September 2016) [2] — concurrent
sources: 1. Daily Paper; 2. Relief Agency; 3. Market rumour
""",
    "2016-W40": """\
No. 10 2016-W40 (3–9 October 2016); previous: No. 9, 26 September – 2 October 2016; next report on or around 16 October 2016
since the last report: Route Ferry route: now closed (as of 7 October 2016); was restricted (as of 23 September 2016) and open (as of September 2016). [1]
since the last report: Route Mountain pass is closed (as of 6 October 2016). [2]
key figure: People in camps, Hill Camp: 3,000–5,000 people (as of September 2016); no new report since September 2016
  report: Daily Paper: 5,000 people (as of September 2016) [2]
  report: Relief Agency: 3,000 people (as of 20 September 2016) [1]
  chart: September 2016: point 5000-5000, 20 September 2016: point 3000-3000
status changed: Ferry route now closed (as of 7 October 2016), was restricted (as of 23 September 2016) and open (as of September 2016) [1] [against ferry-route#1, ferry-route#2]
route: Ferry route: closed (as of 7 October 2016) [1] — NEW
route: Mountain pass: closed (as of 6 October 2016) [2] — NEW
route: Mountain pass: restricted (as of 4 October 2016) [2] — NEW; superseded by an update as of 6 October 2016
movement: 26–30 September 2016: Families left on foot at night. [3]
sources: 1. Relief Agency; 2. Daily Paper; 3. Daily Paper, 5 October 2016
""",
    "2016-W41": """\
No. 11 2016-W41 (10–16 October 2016); previous: No. 10, 3–9 October 2016; next report on or around 23 October 2016
quiet: no new information; situation as last reported
since the last report: No key figure or route status changed, and no new incident was reported, since the last report.
key figure: People in camps, Hill Camp: 3,000–5,000 people (as of September 2016); no new report since September 2016
  report: Daily Paper: 5,000 people (as of September 2016) [1]
  report: Relief Agency: 3,000 people (as of 20 September 2016) [2]
  chart: September 2016: point 5000-5000, 20 September 2016: point 3000-3000
route: Ferry route: closed (as of 7 October 2016) [2] — no new report since 7 October 2016
route: Mountain pass: closed (as of 6 October 2016) [1] — no new report since 6 October 2016
sources: 1. Daily Paper; 2. Relief Agency
""",
    "2016-W42": """\
No. 12 2016-W42 (17–23 October 2016); previous: No. 11, 10–16 October 2016; next report on or around 30 October 2016
quiet: no new information; situation as last reported
since the last report: No key figure or route status changed, and no new incident was reported, since the last report.
key figure: People in camps, Hill Camp: 3,000–5,000 people (as of September 2016); no new report since September 2016
  report: Daily Paper: 5,000 people (as of September 2016) [1]
  report: Relief Agency: 3,000 people (as of 20 September 2016) [2]
  chart: September 2016: point 5000-5000, 20 September 2016: point 3000-3000
route: Ferry route: closed (as of 7 October 2016) [2] — no new report since 7 October 2016
route: Mountain pass: closed (as of 6 October 2016) [1] — no new report since 6 October 2016
sources: 1. Daily Paper; 2. Relief Agency
""",
    "2016-W43": """\
No. 13 2016-W43 (24–30 October 2016); previous: No. 12, 17–23 October 2016; next report on or around 6 November 2016
since the last report: New reports of abuses: attack on civilians or civilian objects (1). [1]
no longer reported: People in camps, Hill Camp: last 3,000–5,000 people as of September 2016 (report 9) [1, 2]
route: Ferry route: closed (as of 7 October 2016) [1] — no new report since 7 October 2016
route: Mountain pass: closed (as of 6 October 2016) [2] — no new report since 6 October 2016
abuse: Attack on civilians or civilian objects, 26 October 2016: Shells fell near the clinic. [1]
sources: 1. Relief Agency; 2. Daily Paper
""",
    "2016-W44": """\
No. 14 2016-W44 (31 October – 6 November 2016); previous: No. 13, 24–30 October 2016; next report on or around 13 November 2016
since the last report: New reports of abuses: arbitrary detention or abduction (1). [1]
route no longer reported: Ferry route: last closed (as of 7 October 2016) [1]
route no longer reported: Mountain pass: last closed (as of 6 October 2016) [2]
no route reported since 7 October 2016
abuse: Arbitrary detention or abduction, 2 November 2016: Boatmen were held at the landing. [1]
sources: 1. Relief Agency; 2. Daily Paper
""",
}


def report_text(ctx) -> list[str]:
    """What a reader of the report learns about time, line by line, from the context the templates print."""
    lines = [f"No. {ctx.number} {ctx.week} ({ctx.period}); previous: "
             + (f"No. {ctx.previous_number}, {ctx.previous_period}" + (f" ({ctx.previous_gap})" if ctx.previous_gap else "")
                if ctx.previous_number else "none") + f"; next report on or around {ctx.next_report}"]
    if ctx.quiet:
        lines.append("quiet: no new information; situation as last reported")
    lines += [f"since the last report: {h.text}" for h in ctx.since_last]
    lines += [f"overview: {p.text}" for p in ctx.overview]
    for k in ctx.key_figures:
        change = f"; {k.change.text}" if k.change else ""
        if k.change and k.change.against:
            change += f" [against {', '.join(k.change.against)}]"
        lines.append(f"key figure: {k.label}, {k.place.name}: {' '.join(w for w in (k.qualifier, k.number, k.unit) if w)} "
                     f"(as of {k.as_of}){change}")
        for r in k.reports:
            lines.append(f"  report: {'; '.join(r.sources)}: {r.text} (as of {r.as_of}) {r.citations}{' NEW' if r.is_new else ''}"
                         + (f" [attributed: {r.sourcing.attribution}]" if r.sourcing.weak else ""))
        for r in k.superseded:
            lines.append(f"  superseded: {r.text} (as of {r.as_of}) {r.citations}, by {r.superseded_by}")
        lines.append("  chart: " + ", ".join(f"{p.as_of}: {'band' if p.is_range else 'point'} {p.low:g}-{p.high:g}" for p in k.trend))
    for d in ctx.dropped_key_figures:
        lines.append(f"no longer reported: {d.label}, {d.place.name}: last {d.last_number} {d.unit} as of {d.last_as_of} "
                     f"(report {d.last_report}) {d.citations}")
    for r in ctx.route_changes:  # routes.html: "... is now closed (as of ...); it was <previous>."
        lines.append(f"status changed: {r.name} now {r.status} (as of {r.as_of}), was {r.previous} {r.citations} "
                     f"[against {', '.join(r.previous_ids)}]")
    for r in ctx.routes:
        notes = [n for n in ("NEW" if r.is_new else "", r.since or "", "concurrent" if r.concurrent else "",
                             f"superseded by {r.superseded_by}" if r.superseded_by else "") if n]
        lines.append(f"route: {r.name}: {r.status} (as of {r.as_of}) {r.citations}" + (f" — {'; '.join(notes)}" if notes else ""))
    for r in ctx.stale_routes:
        lines.append(f"route no longer reported: {r.name}: last {r.status} (as of {r.as_of}) {r.citations}")
    if not ctx.routes and ctx.routes_last_reported:
        lines.append(f"no route reported since {ctx.routes_last_reported}")
    for m in ctx.movements:
        lines.append(f"movement: {m.period}: {m.summary} {m.citations}")
    for g in ctx.abuses:
        for i in g.incidents:
            lines.append(f"abuse: {i.type_label}, {i.date}: {i.summary} {i.citations}")
    lines.append("sources: " + "; ".join(f"{s.number}. {s.name}" + (f", {s.date}" if s.date else "") for s in ctx.sources))
    return lines


AS_OF = dt.date(2016, 11, 9)  # W45 (7-13 November) has not ended: the series stops at W44


@functools.cache
def contexts(folder: Path, edition: str = "public") -> dict:
    config = load_config(folder / "config.yaml")
    store = load_store(config.store_dir, today=AS_OF, cache=False)  # writes nothing into the repository
    series = series_of(store, config.series, edition, as_of=AS_OF)
    return {str(week): build_context(store, config, week, edition, as_of=AS_OF) for week in series.reports}


def test_the_series_is_the_weeks_in_which_something_became_known_and_the_quiet_ones_between():
    assert list(contexts(SCENARIO)) == list(EXPECTED)


@pytest.mark.parametrize("week", list(EXPECTED))
def test_each_report_says_what_the_rules_say(week):
    assert "\n".join(report_text(contexts(SCENARIO)[week])) + "\n" == EXPECTED[week]


def test_the_scenario_pdf(tmp_path, sitrep_cli):
    workspace = tmp_path / "scenario"
    shutil.copytree(SCENARIO, workspace)
    built = sitrep_cli("build", "--config", workspace / "config.yaml", "--all", "--format", "pdf")
    assert built.exit_code == 0, built.output

    def text(week: str) -> str:
        reader = PdfReader(workspace / "output" / week / f"sitrep-{week}.pdf")
        return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)

    quiet = text("2016-W32")
    assert "No new information became known this week" in quiet and "no new report since 3 August 2016" in quiet
    reopened = text("2016-W34")
    assert "Status changed: Bridge road is now open (as of 24 August 2016); it was closed (as of 3 August 2016)." in reopened
    both = text("2016-W35")
    assert "less than 8,000 to about 30,000" in both
    assert "Reported by Market rumour — one source, grade F3: Civilians trapped in Riverside: less than 8,000 people" in both
    assert "Since the last report (No. 4)" in both
    assert "superseded" not in text("2016-W31")
    stale = text("2016-W38")
    assert "No longer reported (no new report for 4 weeks): Bridge road, last open as of 24 August 2016" in stale
    # Issue 23.
    concurrent = text("2016-W39")
    assert "▲" not in concurrent and "up from 3,000" not in concurrent
    assert "Families left on foot" not in concurrent and "5 October 2016" not in concurrent
    closed = text("2016-W40")
    assert "was restricted (as of 23 September 2016) and open (as of September 2016)" in closed
    assert closed.count("4 October 2016") == 1  # the routes table's superseded row only: not the box, not the glance
    assert "Families left on foot" in closed and "5 October 2016" in closed
    last_figure = text("2016-W43")
    assert "No longer reported" in last_figure and "people in camps in Hill Camp" in last_figure
    routes = text("2016-W44")
    assert "Ferry route, last closed as of 7 October 2016" in routes
    assert "Mountain pass, last closed as of 6 October 2016" in routes


def test_weeks_and_trace_tell_the_same_story_on_the_command_line(tmp_path, sitrep_cli):
    shutil.copytree(SCENARIO, tmp_path / "scenario")  # the commands keep a store cache beside it
    config = tmp_path / "scenario" / "config.yaml"
    weeks = sitrep_cli("weeks", "--config", config)
    assert weeks.exit_code == 0, weeks.output
    lines = weeks.stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(EXPECTED)
    assert lines[1].endswith("no new information") and lines[6].endswith("no new information")  # W32, W37
    range_of_week_31 = sitrep_cli("trace", "trapped-w31", "--config", config).stdout
    assert ("It enters report No. 1 (2016-W31, 1–7 August 2016) as news: known on 7 August 2016, the last day of its "
            "date, week 31 of 2016 (1–7 August 2016). Still shown as last reported in No. 2–4. Superseded in No. 5 "
            "(2016-W35) by trapped-0829, a report as of 29 August 2016: No. 5 gives it as the value before.") \
        in range_of_week_31
    bridge = sitrep_cli("trace", "bridge", "--config", config).stdout
    assert "In the public series: 2016-W31, 2016-W32, 2016-W33, 2016-W34, 2016-W35, 2016-W36, 2016-W37, 2016-W38" in bridge
    assert ("Update 2 (2016-08-24) enters report No. 4 (2016-W34, 22–28 August 2016) as news: known on 24 August 2016, "
            "its date, 24 August 2016. Still shown as last reported in No. 5–7. No longer reported from No. 8 "
            "(2016-W38): no new report for 4 weeks.") in bridge
    shelling = sitrep_cli("trace", "shelling-aug", "--config", config).stdout
    assert "known on 16 August 2016, a citation reported it on 16 August 2016 (paper)." in shelling


def test_no_report_of_a_week_not_yet_ended(tmp_path, sitrep_cli):
    """On 2 November 2016, W44 (31 October - 6 November) has not ended: the series stops at W43,
    and its news (the detention of 2 November) waits."""
    shutil.copytree(SCENARIO, tmp_path / "scenario")
    config = tmp_path / "scenario" / "config.yaml"
    weeks = sitrep_cli("weeks", "--config", config, "--as-of", "2016-11-02")
    assert weeks.exit_code == 0, weeks.output
    lines = weeks.stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(EXPECTED)
    assert lines[-1].startswith("2016-W44  waiting: 1 incident; its report is made once the week ends on 6 November 2016")
    assert "No. 13" in lines[-2] and not any("No. 14" in line for line in lines)

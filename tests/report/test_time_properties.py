"""Property-based tests: a weekly series tells the truth about time (issues 11 and 23).

Hypothesis builds small stores (2-4 sources graded A-F, two places, one or two routes; figures
of one or two key metrics and of other metrics, incidents, route updates, movements and
narrative that refers to them), dated by day, ISO week, month or span within three months of
2016 — often a key figure's or a route's next report overlaps an earlier one at another
precision (the month or week of a day, a day inside a month, a span from inside one) — with
citations dated before, within or after the entry's date, reports that conflict (ranges and
single values, qualifiers), sometimes restricted entries, sometimes every key figure and route
reported in the first two weeks only (so they all go stale at once), an as-of day (`--as-of`)
that is past the series or cuts it (sometimes inside a week), and series settings that vary
(`quiet_weeks: skip|report`, `stale_after_weeks: 1|2|8`, sometimes `first:`, and sometimes a
`sections:` list that leaves out or reorders sections). Every report of the series is built,
in both editions, and rendered to HTML. The rules carry the numbers of docs/report.md ("When a
fact enters the series"). On every report:

1. **Nothing before it could be known, nor before a source reported it.** An entry is known on
   the earliest day a dated citation reported it (a citation dated to a week counts from its
   last day), even when that is after the entry's own date; without a dated citation, on the
   last day of its date; in a public edition a withheld source's citation counts from the
   later of the last day of its date's week and the last day of the entry's date. It enters
   the first report whose period ends on or after that day (`series.week_of`). Every entry a report prints (rows, key-figure reports and their trend,
   route rows, narrative references, every cited reference) was known by the report's end
   (`period_end`), and no source reported it only after that end: the sources list holds no
   citation dated after it.
2. **News once.** Each dated entry (figure, incident, movement, each route update) is this
   week's news in exactly one report, the one it enters: incidents, movements and non-key
   figures appear in that report only; key-figure reports and route rows are `is_new` there and
   only there.
3. **Stale is said, once.** A key figure or route with no news this week whose latest report
   speaks of a day (its date's end, or the day it became known if that is earlier) more than
   `stale_after_weeks` before the report's end is stale; it is said "no longer reported" in
   the first report in which it is stale and in no other, with its last value's citations
   (where its section is printed), and the HTML says it once (a route: once per line, route,
   status and date, however many concurrent updates read the same), even when nothing else of
   its section is left.
4. **Newer is never hidden by vaguer.** A figure or route report is superseded only by a
   strictly later one (one that starts after it ends); every report that is not is shown, so
   concurrent reports ("June" and "29 June") are shown side by side; no entry of a report's
   news is dropped in silence: it is shown, or explicitly superseded.
5. **Change against the latest known, by the same order.** A key figure's change is measured
   against every report that held before this week's news and that the news supersedes
   (`Change.against`), and its words name the dates of exactly those; news that only overlaps
   what held claims no rise, fall or change, and names what it stands beside. A route update's change is against every update
   that held and that it supersedes (`RouteRow.previous_ids`). Page one (the "Since the last
   report" box, the highlights the report writes itself, the routes at a glance) shows only
   reports that still hold, and names no update that no longer holds.
8. **Citations numbered in reading order.** Walking the report as the built-in templates print
   it (the header's overview, then `sections` in order), citation numbers first appear as 1, 2,
   3, ... with no gap; the sources list is numbered 1..n in that order and holds exactly the
   references cited; each printed fact's numbers point to its own citations (those not dated
   after the report's end). In the rendered HTML, the first appearance of each `#source-N`
   link is in increasing order too.
9-11. **The series is defined, no report of an unfinished week, no hindsight.** A report
   exists for a week only when it ended before the as-of day; the reports are the weeks in which something became known (and the
   quiet ones between with `quiet_weeks: report`), from `first:`; "Next report on or around"
   is a week after the report, whatever comes later.

To tell which fact a printed citation belongs to, the first citation of every entry (and of
every route update) carries a note naming it (`about r1#2`); further citations carry none, so
references can be shared between facts.

test_a_mutation_of_the_order_fails_the_rules replaces the one order relation
(`report.timeline.strictly_before`) with "by end date" and shows which rules catch it on
hand-made stores (CAUGHT_BY): rule 5 always, rule 4 when a report that holds ends after one
that starts later.

Hypothesis runs derandomized and without an example database, so every run sees the same
examples.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import jinja2
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitrep.render.templates import render_html
from sitrep.report.builder import build_context
from sitrep.report.context import ReportContext
from sitrep.report import timeline
from sitrep.report.series import series_of
from sitrep.source import vocabulary as vocab
from sitrep.source.config import load_config
from sitrep.source.dates import IsoWeek, format_day, format_fuzzy, parse_fuzzy_date
from sitrep.source.schema import Figure, Incident, Movement
from sitrep.errors import StoreError
from sitrep.source.store import load_store

PROPERTY = settings(max_examples=250, deadline=None, derandomize=True, database=None, print_blob=False,
                    report_multiple_bugs=False,  # shrink one failure, not each (the tests below pin the known ones)
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large])

YEAR_START = dt.date(2016, 5, 2)  # a Monday: 2016-W18
DAYS = 91  # to 31 July 2016 (2016-W30)
PLACES = ("town", "camp")
PEOPLE_METRICS = ("civilians_trapped", "civilians_killed", "people_displaced", "arrivals", "people_in_camps",
                  "civilians_injured")
OTHER_METRICS = {"meals_per_day": "meals", "distance_to_city_centre": "km"}
INCIDENT_TYPES = ("killing_of_fleeing_civilians", "human_shields", "attack_on_civilians", "movement_restriction",
                  "military_operation", "air_strikes", "change_of_control")
TAG = "about "  # the note of each entry's first citation: 'about <key>'
AS_OF = dt.date(2016, 12, 31)  # the as-of day of a run that the series does not reach


# --- Generating a store ------------------------------------------------------------------------

@dataclass(frozen=True)
class Span:
    text: str
    start: dt.date
    end: dt.date


def _week_span(day: dt.date) -> Span:
    year, week, _ = day.isocalendar()
    start = dt.date.fromisocalendar(year, week, 1)
    return Span(f"{year}-W{week:02d}", start, start + dt.timedelta(days=6))


def _month_span(day: dt.date) -> Span:
    first = day.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return Span(f"{day:%Y-%m}", first, last)


def _day(offset: int) -> dt.date:
    return YEAR_START + dt.timedelta(days=offset)


@st.composite
def fuzzy_dates(draw, last: dt.date, near: list[Span] = (), first: dt.date = YEAR_START) -> Span:
    """A date that starts by `last` (the as-of day: a later one is an error), between `first`
    and `last`; given `near` (the dates of the same key figure or route drawn so far), often
    one of a different precision that overlaps one of them: the month or the week of a day, a
    day within a month or a week, a span from inside one (the concurrent reports the strict
    order must keep side by side)."""
    if near and draw(st.booleans()):
        base = draw(st.sampled_from(list(near)))
        form = draw(st.sampled_from(("month", "week", "day_within", "span_from")))
        if form == "month":
            return _month_span(base.start)
        if form == "week":
            return _week_span(base.start)
        inside = base.start + dt.timedelta(days=draw(st.integers(0, max(0, (min(base.end, last) - base.start).days))))
        if form == "day_within":
            return Span(inside.isoformat(), inside, inside)
        until = inside + dt.timedelta(days=draw(st.integers(1, 20)))
        return Span(f"{inside.isoformat()}/{until.isoformat()}", inside, until)
    day = first + dt.timedelta(days=draw(st.integers(0, max(0, (last - first).days))))
    form = draw(st.sampled_from(("day", "day", "week", "month", "span")))
    if form == "day":
        return Span(day.isoformat(), day, day)
    if form == "week":
        return _week_span(day)
    if form == "month":
        return _month_span(day)
    last = min(day + dt.timedelta(days=draw(st.integers(1, 20))), _day(DAYS - 1))
    if last <= day:
        return Span(day.isoformat(), day, day)
    if draw(st.booleans()):
        return Span(f"{day.isoformat()}/{last.isoformat()}", day, last)
    first_week, last_week = _week_span(day), _week_span(last)
    return Span(f"{first_week.text}/{last_week.text}", first_week.start, last_week.end)


@st.composite
def citation_lists(draw, key: str, date: Span, sources: list[str], as_of: dt.date) -> tuple[list[dict], dt.date]:
    """An entry's citations and the day it became known: the earliest day a dated citation
    reported it (a citation dated to a week counts from its last day), even when that is after
    the entry's own date; without one, the last day of its date. A citation may be dated
    before, within or after the entry's date, never after the as-of day. The first cites a
    public source (the first two sources are) and is tagged with the entry's key."""
    cited = []
    for i in range(draw(st.integers(1, 2))):
        citation = {"source": draw(st.sampled_from(sources[:2] if i == 0 else sources))}
        if i > 0 and draw(st.integers(0, 3)) == 0:  # an outlet relayed the source's words
            citation["via"] = draw(st.sampled_from([s for s in sources if s != citation["source"]]))
        when = draw(st.sampled_from(("none", "none", "earlier_day", "day", "week", "later_day", "later_week")))
        if when != "none":
            if when == "earlier_day":  # reported before the end of the fact's date
                offset = -draw(st.integers(0, max(0, min(40, (date.end - date.start).days + 3))))
                day = date.end + dt.timedelta(days=offset)
            elif when.startswith("later"):  # reported only after the fact's date: known then, not before
                day = date.end + dt.timedelta(days=draw(st.integers(1, 20)))
            else:
                day = date.end + dt.timedelta(days=draw(st.integers(-30, 10)))
            day = min(day, as_of)  # a citation dated after the as-of day is an error
            span = _week_span(day) if when.endswith("week") else Span(day.isoformat(), day, day)
            citation["date"] = span.text
        if draw(st.booleans()):
            citation["credibility"] = draw(st.integers(1, 6))
        if i == 0:
            citation["note"] = TAG + key
        cited.append(citation)
    return cited, _known(date, cited)


def _known(date: Span, cited: list[dict], hidden: frozenset = frozenset()) -> dt.date:
    """The day an entry is known: the earliest day a dated citation reported it (a week: its
    last day); a citation whose source or outlet is in `hidden` (withheld from a public
    edition) counts from the later of the last day of its date's week and the last day of the
    entry's date; without a dated citation, the last day of its date."""
    days = []
    for citation in cited:
        if "date" in citation:
            end = parse_fuzzy_date(citation["date"]).end
            withheld = bool({citation["source"], citation.get("via")} & hidden)
            days.append(max(IsoWeek.containing(end).end, date.end) if withheld else end)
    return min(days, default=date.end)


def _public_known(date: Span, cited: list[dict]) -> dt.date:
    """The day a public edition knows an entry: a citation of the withheld source w1 (as its
    source or as the outlet that relayed it) counts from the later of its week's end and the
    last day of the entry's date (docs/report.md, rule 1)."""
    return _known(date, cited, frozenset({"w1"}))


@st.composite
def amounts(draw) -> dict:
    amount = {}
    if draw(st.booleans()):
        amount["value"] = draw(st.sampled_from((0, 1, 40, 500, 1000, 1200, 5000)))
    else:
        low = draw(st.sampled_from((10, 500, 1000, 3000)))
        amount["low"] = low
        amount["high"] = low + draw(st.sampled_from((0, 100, 2000)))
    qualifier = draw(st.sampled_from(("exact", "exact", "about", "at_least", "less_than", "more_than", "at_most")))
    if qualifier != "exact" or draw(st.booleans()):
        amount["qualifier"] = qualifier
    return amount


class Spec:
    """A generated workspace: config.yaml and one store file."""

    def __init__(self, config: dict, store: dict, as_of: dt.date = AS_OF):
        self.config = config
        self.store = store
        self.as_of = as_of  # the run's as-of day (`--as-of`): a report only for a week ended before it
        self.known: dict[str, dt.date] = {}  # entry id -> the earliest day any part of it is known
        self.public_known: dict[str, dt.date] = {}  # the same in a public edition (a withheld citation from its week's end)

    def write(self, folder: Path) -> Path:
        (folder / "facts").mkdir(parents=True, exist_ok=True)
        (folder / "config.yaml").write_text(yaml.safe_dump(self.config, sort_keys=False, allow_unicode=True),
                                            encoding="utf-8")
        (folder / "facts" / "store.yaml").write_text(
            yaml.safe_dump(self.store, sort_keys=False, allow_unicode=True), encoding="utf-8")
        return folder / "config.yaml"

    def __repr__(self) -> str:  # Hypothesis prints the falsifying example as the YAML to write
        return (f"\n# --as-of {self.as_of}\n# config.yaml\n" + yaml.safe_dump(self.config, sort_keys=False)
                + "# facts/store.yaml\n" + yaml.safe_dump(self.store, sort_keys=False, width=200))


SECTION_CHOICES = (
    None,
    ["routes", "key_figures", "highlights", "abuses", "sources"],
    ["trapped", "other_figures", "movements", "routes", "key_figures", "highlights", "context", "abuses",
     "outlook", "sources"],
)


@st.composite
def specs(draw) -> Spec:
    restricted = draw(st.booleans())

    def sensitivity(entry: dict) -> dict:
        if restricted and draw(st.integers(0, 5)) == 0:
            entry["sensitivity"] = "restricted"
        return entry

    # The as-of day: past the series, or a day that cuts it (sometimes inside a week).
    as_of = draw(st.one_of(st.just(AS_OF), st.integers(14, DAYS + 6).map(_day)))
    last = min(as_of, _day(DAYS - 1))  # nothing may start after it
    # Sometimes every key figure and route is reported in the first two weeks only, and a late
    # incident keeps the series going: they all go stale at once.
    early = draw(st.integers(0, 4)) == 0
    group_last = min(last, _day(13)) if early else last
    n_sources = draw(st.integers(2, 4))
    sources = [{"id": f"s{i}", "name": f"Source {i}", "kind": draw(st.sampled_from(sorted(vocab.SOURCE_KINDS))),
                "reliability": draw(st.sampled_from("ABCDEF"))} for i in range(1, n_sources + 1)]
    if draw(st.booleans()):  # a withheld source, cited by public facts: a public edition shows its public name only
        sources.append({"id": "w1", "name": "Informant", "kind": "witness", "reliability": draw(st.sampled_from("BCF")),
                        "sensitivity": "restricted", **({"public_name": "A resident"} if draw(st.booleans()) else {})})
    source_ids = [s["id"] for s in sources]
    places = [{"id": "town", "name": "Rivertown", "kind": "town", "lat": 33.0, "lon": 44.0},
              {"id": "camp", "name": "Hill Camp", "kind": "camp", "lat": 33.1, "lon": 44.1}]
    key_metrics = draw(st.lists(st.sampled_from(PEOPLE_METRICS[:4]), min_size=1, max_size=2, unique=True))
    spec = Spec(config={}, store={}, as_of=as_of)

    figures = []
    drawn: dict[tuple, list[Span]] = {}  # the dates of each key figure so far
    for i in range(1, draw(st.integers(0, 7)) + 1):
        key = f"f{i}"
        if draw(st.integers(0, 3)):
            metric = draw(st.sampled_from(key_metrics))
        else:
            metric = draw(st.sampled_from(PEOPLE_METRICS + tuple(OTHER_METRICS)))
        place = draw(st.sampled_from(PLACES))
        group = drawn.setdefault((metric, place), [])
        date = draw(fuzzy_dates(group_last if metric in key_metrics else last, group))
        group.append(date)
        cited, known = draw(citation_lists(key, date, source_ids, as_of))
        figure = {"id": key, "metric": metric, "place": place, "as_of": date.text,
                  **draw(amounts()), "unit": OTHER_METRICS.get(metric, "people"), "cited": cited}
        figures.append(sensitivity(figure))
        spec.known[key] = known
        spec.public_known[key] = _public_known(date, cited)

    incidents = []
    for i in range(1, draw(st.integers(1 if early else 0, 3)) + 1):
        key = f"i{i}"
        late = early and i == 1 and last > _day(40)
        date = draw(fuzzy_dates(last, first=_day(40) if late else YEAR_START))
        cited, known = draw(citation_lists(key, date, source_ids, as_of))
        incidents.append(sensitivity({
            "id": key, "type": draw(st.sampled_from(INCIDENT_TYPES)), "date": date.text,
            "place": draw(st.sampled_from(PLACES)), "status": draw(st.sampled_from(sorted(vocab.INCIDENT_STATUSES))),
            "summary": f"Incident {key} was reported.", "cited": cited}))
        spec.known[key] = known
        spec.public_known[key] = _public_known(date, cited)

    routes = []
    for r in range(1, draw(st.integers(1, 2)) + 1):
        key = f"r{r}"
        updates = []
        known_days = []
        public_days = []
        dates: list[Span] = []
        for u in range(1, draw(st.integers(1, 4)) + 1):
            date = draw(fuzzy_dates(group_last, dates))
            dates.append(date)
            cited, known = draw(citation_lists(f"{key}#{u}", date, source_ids, as_of))
            update = {"as_of": date.text, "status": draw(st.sampled_from(sorted(vocab.ROUTE_STATUSES)))}
            if draw(st.booleans()):
                update["summary"] = f"Update {u} of route {key}."
                if draw(st.booleans()):
                    update["hazards"] = [draw(st.sampled_from(sorted(vocab.HAZARDS)))]
            else:  # a row without a summary is told apart from the route's other rows by its hazard
                update["hazards"] = [sorted(vocab.HAZARDS)[u]]
            update["cited"] = cited
            updates.append(update)
            known_days.append(known)
            public_days.append(_public_known(date, cited))
        origin = draw(st.sampled_from(PLACES))
        routes.append(sensitivity({"id": key, "name": f"Road {r}", "origin": origin,
                                   "destination": "camp" if origin == "town" else "town", "updates": updates}))
        spec.known[key] = min(known_days)
        spec.public_known[key] = min(public_days)

    movements = []
    for i in range(1, draw(st.integers(0, 2)) + 1):
        key = f"m{i}"
        date = draw(fuzzy_dates(last))
        cited, known = draw(citation_lists(key, date, source_ids, as_of))
        movement = sensitivity({"id": key, "period": date.text, "origin": "town", "destination": "camp",
                                "summary": f"Movement {key} was reported.", "cited": cited})
        usable = [r["id"] for r in routes if movement.get("sensitivity") == "restricted" or "sensitivity" not in r]
        if usable and draw(st.booleans()):
            movement["route"] = draw(st.sampled_from(usable))
        if draw(st.booleans()):
            movement["count"] = draw(amounts())
        movements.append(movement)
        spec.known[key] = known
        spec.public_known[key] = _public_known(date, cited)

    # Narrative that refers to public entries, in a week by whose end `sitrep check` says they are
    # known to a public edition (which counts a withheld source's citation from its week's end),
    # and only in a week begun by the as-of day.
    public = [e["id"] for e in figures + incidents + routes + movements if "sensitivity" not in e]
    narrative = []
    if public:
        for i in range(1, draw(st.integers(0, 3)) + 1):
            referred = draw(st.lists(st.sampled_from(public), min_size=1, max_size=2, unique=True))
            latest = max(spec.public_known[r] for r in referred)
            week = IsoWeek.containing(latest).shifted(draw(st.integers(0, 3)))
            if week.start > as_of:
                continue
            text = " ".join(f"Analysts cite [[{r}]]." for r in referred)
            narrative.append({"id": f"n{i}", "week": str(week),
                              "section": draw(st.sampled_from(sorted(vocab.NARRATIVE_SECTIONS))), "text": text})

    series = {"quiet_weeks": draw(st.sampled_from(("skip", "report"))),
              "stale_after_weeks": draw(st.sampled_from((1, 2, 8)))}
    if draw(st.integers(0, 3)) == 0:
        series["first"] = str(IsoWeek.containing(YEAR_START).shifted(draw(st.integers(-2, 8))))
    # The built-in sections half the time; else a reorder, or a random choice in a random order.
    sections = draw(st.one_of(st.just(None), st.just(None), st.sampled_from(SECTION_CHOICES),
                              st.permutations(list(vocab.SECTIONS)).flatmap(
                                  lambda order: st.integers(1, len(order)).map(lambda n: order[:n]))))
    spec.config = {"title": "Rivertown report", "crisis": "Rivertown siege", "organisation": {"name": "Desk"},
                   "key_metrics": key_metrics, "series": series}
    if sections is not None:
        spec.config["sections"] = list(sections)
    spec.store = {"sources": sources, "places": places}
    for kind, entries in (("figures", figures), ("incidents", incidents), ("routes", routes),
                          ("movements", movements), ("narrative", narrative)):
        if entries:
            spec.store[kind] = entries
    return spec


# --- Building every report -----------------------------------------------------------------------

class _MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept for the test run: rendering is then some 15 ms a report."""

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


BYTECODE = _MemoryBytecodeCache()


@dataclass
class Fact:
    """One dated entry of an edition (a route update counts as its own), as the rules define it."""

    key: str  # the entry's id, or '<route id>#<n>' for its nth update
    entry: object
    start: dt.date
    end: dt.date
    known: dt.date  # the earliest day a dated citation reported it, or the last day of its date
    group: object  # (metric, place) of a key figure, a route's id, or None
    cited: tuple
    update: object = None  # a route's update
    enters: IsoWeek | None = None  # the report it enters, by the rule (None: a week not yet ended)
    first_cited: dt.date | None = None  # the last day of its earliest dated citation, withheld or not

    def strictly_before(self, other: "Fact") -> bool:
        return self.end < other.start


def withheld(store, edition: str) -> set[str]:
    """The sources a public edition withholds."""
    return {s.id for s in store.sources.values() if edition == "public" and s.sensitivity == "restricted"}


def facts_of(store, key_metrics: list[str], edition: str) -> dict[str, Fact]:
    facts = {}
    hidden = withheld(store, edition)  # a withheld source's dates count from their week's end in a public edition

    def add(key, entry, date, cited, group, update=None):
        dated = [c.date.end for c in cited if c.date is not None]
        # Known when first reported: the earliest citation date, else the last day of its date.
        # A withheld citation counts in a public edition from the later of its week's end and
        # the last day of the entry's date: all a public report may reveal of when it spoke.
        told = [max(IsoWeek.containing(c.date.end).end, date.end) if {c.source, c.via} & hidden else c.date.end
                for c in cited if c.date is not None]
        facts[key] = Fact(key, entry, date.start, date.end, min(told, default=date.end), group, tuple(cited), update,
                          first_cited=min(dated, default=None))

    for kind in ("figures", "incidents", "movements", "routes"):
        for entry in store.kind(kind).values():
            if edition == "public" and entry.sensitivity == "restricted":
                continue
            if isinstance(entry, Figure):
                group = (entry.metric, entry.place) if entry.metric in key_metrics else None
                add(entry.id, entry, entry.as_of, entry.cited, group)
            elif isinstance(entry, Incident):
                add(entry.id, entry, entry.date, entry.cited, None)
            elif isinstance(entry, Movement):
                add(entry.id, entry, entry.period, entry.cited, None)
            else:
                for n, update in enumerate(entry.updates, start=1):
                    add(f"{entry.id}#{n}", entry, update.as_of, update.cited, entry.id, update)
    return facts


@dataclass
class Edition:
    name: str
    series: object
    facts: dict[str, Fact]
    reports: dict[IsoWeek, ReportContext]
    html: dict[IsoWeek, str]
    withheld: set[str]
    as_of: dt.date = AS_OF
    settings: object = None  # config.yaml's series settings
    narrative_weeks: dict = None  # IsoWeek -> the narrative sections written for it in this edition


def build_all(spec: Spec, folder: Path) -> tuple[object, object, list[Edition]]:
    config = load_config(spec.write(folder))
    store = load_store(config.store_dir, cache=False, today=spec.as_of)
    editions = []
    for edition in ("public", "internal"):
        series = series_of(store, config.series, edition, as_of=spec.as_of)
        facts = facts_of(store, list(config.key_metrics), edition)
        reports = {week: build_context(store, config, week, edition, as_of=spec.as_of)
                   for week in series.reports}
        # Rendered from a copy: the checks read the context as the report stage built it.
        html = {week: render_html(copy.deepcopy(ctx), bytecode_cache=BYTECODE) for week, ctx in reports.items()}
        narrative: dict[IsoWeek, set[str]] = {}
        for n in store.narrative.values():
            if edition == "internal" or n.sensitivity == "public":
                narrative.setdefault(IsoWeek.parse(n.week), set()).add(n.section)
        editions.append(Edition(edition, series, facts, reports, html, withheld(store, edition), spec.as_of,
                                config.series, narrative))
    return store, config, editions


# --- Reading a report back ------------------------------------------------------------------------

def tags(ctx: ReportContext, numbers) -> set[str]:
    """The keys named by the tagged references among citation numbers."""
    by_number = {s.number: s for s in ctx.sources}
    return {by_number[n].note[len(TAG):] for n in numbers
            if n in by_number and by_number[n].note and by_number[n].note.startswith(TAG)}


def references(ctx: ReportContext, numbers) -> set[tuple]:
    by_number = {s.number: s for s in ctx.sources}
    return {(by_number[n].source_id, by_number[n].date, by_number[n].note) if n in by_number else ("missing", n)
            for n in numbers}


def cited_references(edition: "Edition", citations) -> set[tuple]:
    """The sources-list lines (source, date, note) that citations make; a withheld one, no more
    than a public name."""
    return {(None, None, None) if c.source in edition.withheld else
            (c.source, None, None) if c.via in edition.withheld else
            (c.source, format_fuzzy(c.date) if c.date else None, c.note) for c in citations}


def visible(citations, week: IsoWeek) -> tuple:
    """The citations a report ending with the week may print: none dated after its end."""
    return tuple(c for c in citations if c.date is None or c.date.end <= week.end)


def route_key(edition: "Edition", row) -> str:
    """Which update a route row shows: the one with its date, status, summary and hazards (the
    generator makes these differ between a route's updates)."""
    keys = [fact.key for fact in edition.facts.values()
            if fact.update is not None and fact.group == row.id
            and format_fuzzy(fact.update.as_of) == row.as_of and fact.update.status == row.status
            and _clean(fact.update.summary) == row.summary
            and [vocab.HAZARDS[h] for h in fact.update.hazards] == row.hazards]
    assert len(keys) == 1, f"route row {row.id} as of {row.as_of} ({row.status}) is update {keys}, not one update"
    return keys[0]


def _clean(text: str | None) -> str | None:
    return " ".join(text.split()) if text else text


def all_route_rows(ctx: ReportContext):
    return [*ctx.routes, *ctx.route_changes, *ctx.stale_routes]


def fact_rows(ctx: ReportContext):
    """(row, kind) of every row that is this week's news only: non-key figures, incidents, movements."""
    rows = [(r, "figure") for r in ctx.trapped_figures + ctx.other_figures]
    rows += [(r, "incident") for g in ctx.abuses for r in g.incidents]
    rows += [(r, "incident") for r in ctx.context_events]
    rows += [(r, "movement") for r in ctx.movements]
    return rows


def printed_citations(ctx: ReportContext) -> list[list[int]]:
    """Every list of citation numbers, in the order the built-in templates print them."""
    printed: list[list[int]] = []

    def prose(paragraphs):
        for paragraph in paragraphs:
            printed.extend(part.citations for part in paragraph.parts)

    for section in ctx.sections:
        if section == "since_last":
            prose(ctx.since_last)
        elif section == "routes_glance":
            printed.extend(r.citations for r in ctx.routes if r.current)  # a superseded update is not at a glance
        elif section == "overview":
            prose(ctx.overview)
        elif section == "highlights":
            prose(ctx.highlights)
        elif section == "key_figures":
            for figure in ctx.key_figures:
                if figure.conflicting:
                    printed.extend(r.citations for r in figure.reports)
                else:
                    printed.append(figure.citations)
                printed.extend(r.citations for r in figure.superseded)
            printed.extend(d.citations for d in ctx.dropped_key_figures)  # 'no longer reported', cited
        elif section == "trapped":
            prose(ctx.trapped_notes)
            printed.extend(f.citations for f in ctx.trapped_key_figures)
            printed.extend(r.citations for r in ctx.trapped_figures)
        elif section == "routes":
            prose(ctx.routes_notes)
            printed.extend(r.citations for r in ctx.route_changes + ctx.routes + ctx.stale_routes)
        elif section == "movements":
            prose(ctx.movements_notes)
            printed.extend(r.citations for r in ctx.movements)
        elif section == "abuses":
            prose(ctx.abuses_notes)
            printed.extend(r.citations for g in ctx.abuses for r in g.incidents)
        elif section == "context":
            prose(ctx.context_notes)
            printed.extend(r.citations for r in ctx.context_events)
        elif section == "other_figures":
            printed.extend(r.citations for r in ctx.other_figures)
        elif section == "outlook":
            prose(ctx.outlook)
    return printed


def first_appearances(numbers) -> list[int]:
    seen: dict[int, None] = {}
    for n in numbers:
        seen.setdefault(n, None)
    return list(seen)


def where(edition: Edition, week: IsoWeek) -> str:
    ctx = edition.reports[week]
    return f"{edition.name} report {ctx.number} ({week}, to {ctx.period_end})"


# --- The rules -------------------------------------------------------------------------------------

def check_rule_1(edition: Edition) -> None:
    """Nothing before it could be known, nor before a source reported it."""
    series, facts = edition.series, edition.facts
    by_key = {a.key: a for a in series.arrivals}
    assert set(by_key) <= set(facts), "the series holds entries that are not the edition's dated entries"
    for key, fact in facts.items():
        arrival = by_key.get(key)
        if arrival is None:  # a series may leave out what is known only after the as-of day
            assert fact.known >= edition.as_of, \
                f"{key} (known {fact.known}) is not in the series of --as-of {edition.as_of}"
            continue
        if fact.first_cited is not None:
            assert arrival.known_on >= fact.first_cited, \
                f"{key}: known on {arrival.known_on}, before its first citation ({fact.first_cited}) reported it"
        assert arrival.known_on == fact.known, f"{key}: known on {arrival.known_on}, expected {fact.known}"
        later = [w for w in series.reports if w.end >= fact.known]
        if not later:  # known in a week not yet ended by the as-of day: in no report yet
            week = max(IsoWeek.containing(fact.known), series.first) if series.first else None
            assert week is None or week.end >= edition.as_of, f"{key} (known {fact.known}) enters no report"
            assert all(arrival not in series.arrived_in(w) for w in series.reports), \
                f"{key} (known {fact.known}, after the last report) is some report's news"
            continue
        fact.enters = later[0]
        assert series.week_of(arrival) == fact.enters, \
            f"{key} (known {fact.known}) enters {series.week_of(arrival)}, expected {fact.enters}"
    dated = _citation_days(edition)
    for week, ctx in edition.reports.items():
        end = ctx.period_end
        assert end == week.end
        here = where(edition, week)

        def known(key: str, what: str) -> None:
            assert key in facts, f"{here}: {what} prints {key}, which is not in this edition"
            assert facts[key].known <= end, \
                f"{here}: {what} prints {key}, known only on {facts[key].known}"
            first = facts[key].first_cited
            assert first is None or first <= end, \
                f"{here}: {what} prints {key}, which no source reported before {first}"

        for row, kind in fact_rows(ctx):
            known(row.id, f"a {kind} row")
        for figure in ctx.key_figures:
            for report in figure.reports + figure.superseded:
                known(report.id, "a key-figure report")
            for point in figure.trend:
                known(point.id, "a key figure's trend")
        for row in all_route_rows(ctx):
            known(route_key(edition, row), "a route row")
        for key in tags(ctx, [s.number for s in ctx.sources]):
            known(key, "a citation (sources list)")
        for source in ctx.sources:  # no source listed as reporting after the report's end
            if source.date:
                days = dated.get((source.source_id, source.date, source.note), [])
                assert days and min(days) <= end, \
                    f"{here}: the sources list holds {source.name}, {source.date}, after the report's end"
        for entry_id in ctx.fact_ids:
            parts = [k for k in facts if k == entry_id or k.startswith(entry_id + "#")]
            assert parts, f"{here}: fact_ids holds {entry_id}, which is not in this edition"
            assert min(facts[k].known for k in parts) <= end, f"{here}: shows {entry_id}, not yet known"


def _citation_days(edition: Edition) -> dict[tuple, list[dt.date]]:
    """(source, printed date, note) of every dated citation -> the last days of those dates."""
    days: dict[tuple, list[dt.date]] = {}
    for fact in edition.facts.values():
        for c in fact.cited:
            if c.date is not None:
                days.setdefault((c.source, format_fuzzy(c.date), c.note), []).append(c.date.end)
    return days


def check_rule_2(edition: Edition) -> None:
    """News once: each entry is news in the report it enters, and only there."""
    facts = edition.facts
    news: dict[str, list[IsoWeek]] = {key: [] for key in facts}
    for week, ctx in edition.reports.items():
        here = where(edition, week)
        for row, kind in fact_rows(ctx):
            fact = facts[row.id]
            assert fact.group is None, f"{here}: key figure {row.id} printed as a row"
            assert row.is_new, f"{here}: {kind} {row.id} printed, but not as new"
            news[row.id].append(week)
        for figure in ctx.key_figures:
            for report in figure.reports + figure.superseded:
                fact = facts[report.id]
                assert report.is_new == (week == fact.enters), \
                    f"{here}: key-figure report {report.id} (enters {fact.enters}) has is_new={report.is_new}"
                if report.is_new:
                    news[report.id].append(week)
                assert week >= fact.enters, f"{here}: key-figure report {report.id} shown before it enters"
            new_here = any(f.group == (figure.metric, figure.place.id) and f.enters == week for f in facts.values())
            assert figure.is_new == new_here, \
                f"{here}: key figure {figure.metric}/{figure.place.id} has is_new={figure.is_new}"
        seen_rows = set()
        for row in all_route_rows(ctx):
            key = route_key(edition, row)
            fact = facts[key]
            assert row.is_new == (week == fact.enters), \
                f"{here}: route row {key} (enters {fact.enters}) has is_new={row.is_new}"
            assert week >= fact.enters, f"{here}: route update {key} shown before it enters"
            if row.is_new and id(row) not in seen_rows:
                news[key].append(week)
            seen_rows.add(id(row))
    for key, weeks in news.items():
        fact = facts[key]
        assert weeks == ([fact.enters] if fact.enters else []), \
            f"{edition.name}: {key} (known {fact.known}, enters {fact.enters}) is news in {[str(w) for w in weeks]}"


def _holding(reports: list[Fact]) -> tuple[list[Fact], list[Fact]]:
    holding = [a for a in reports if not any(a.strictly_before(b) for b in reports)]
    return holding, [a for a in reports if a not in holding]


def _last_spoken(holding: list[Fact]) -> dt.date:
    """The last day the reports that hold speak of, as far as anyone knew when they were
    reported (report/timeline.spoken_of): a month known on its 5th speaks of the 5th, not of
    the 30th; a report known before its date began, of its first day."""
    return max(max(a.start, min(a.end, a.known)) for a in holding)


def _groups(edition: Edition, week: IsoWeek) -> dict[object, list[Fact]]:
    """Every key figure's and route's reports known by the week's end."""
    groups: dict[object, list[Fact]] = {}
    for fact in edition.facts.values():
        if fact.group is not None and fact.enters is not None and fact.enters <= week:
            groups.setdefault(fact.group, []).append(fact)
    return groups


def _is_stale(reports: list[Fact], week: IsoWeek, stale_after_weeks: int) -> bool:
    """No news of it in the week's report, and no report for longer than the config allows."""
    holding, _ = _holding(reports)
    return not any(a.enters == week for a in reports) and \
        week.end - _last_spoken(holding) > dt.timedelta(weeks=stale_after_weeks)


def check_rule_4(edition: Edition, stale_after_weeks: int) -> None:
    """Newer is never hidden by vaguer; nothing of a report's news dropped in silence."""
    facts = edition.facts
    for week, ctx in edition.reports.items():
        here = where(edition, week)
        groups = _groups(edition, week)
        shown_figures = {(f.metric, f.place.id): f for f in ctx.key_figures}
        assert len(shown_figures) == len(ctx.key_figures), f"{here}: a key figure is shown twice"
        rows_by_route: dict[str, list] = {}
        for row in ctx.routes:
            rows_by_route.setdefault(row.id, []).append(row)
        for group, reports in groups.items():
            holding, superseded = _holding(reports)
            news = {a.key for a in reports if a.enters == week}
            # This week's news is shown however old its date: only a state with nothing new is stale.
            # Staleness counts from the last day the holding reports speak of by the time they were
            # known (report/timeline.spoken_of): a report dated to a year known in March, from March.
            stale = _is_stale(reports, week, stale_after_weeks)
            expected_superseded = {a.key for a in superseded} & news
            if isinstance(group, tuple):  # a key figure
                figure = shown_figures.get(group)
                if stale:
                    assert figure is None, f"{here}: key figure {group} shown, though stale"
                    continue
                assert figure is not None, f"{here}: key figure {group} ({sorted(a.key for a in holding)}) not shown"
                shown = [r.id for r in figure.reports]
                assert sorted(shown) == sorted(a.key for a in holding), \
                    f"{here}: key figure {group} shows {shown}; the reports that hold are " \
                    f"{sorted((a.key, str(a.start), str(a.end)) for a in holding)}"
                marked = [r.id for r in figure.superseded]
                assert sorted(marked) == sorted(expected_superseded), \
                    f"{here}: key figure {group} marks {marked} superseded, not {sorted(expected_superseded)}"
                for report in figure.superseded:
                    by = re.search(r"\(([^()]+)\)$", report.superseded_by or "")
                    assert by and by[1] in facts, f"{here}: {report.id} superseded by {report.superseded_by!r}"
                    own, later = facts[report.id], facts[by[1]]
                    assert later.group == group and later.known <= week.end and own.strictly_before(later), \
                        f"{here}: {own.key} ({own.start}–{own.end}) superseded by {later.key} " \
                        f"({later.start}–{later.end}, known {later.known}), which is not a strictly later report"
            else:  # a route
                rows = rows_by_route.get(group, [])
                if stale:
                    assert not rows, f"{here}: route {group} shown, stale since {_last_spoken(holding)}"
                    continue
                current = [route_key(edition, r) for r in rows if not r.superseded_by]
                assert sorted(current) == sorted(a.key for a in holding), \
                    f"{here}: route {group} shows {current}; the updates that hold are " \
                    f"{sorted((a.key, str(a.start), str(a.end)) for a in holding)}"
                marked = [route_key(edition, r) for r in rows if r.superseded_by]
                assert sorted(marked) == sorted(expected_superseded), \
                    f"{here}: route {group} marks {marked} superseded, not {sorted(expected_superseded)}"
                for row in rows:
                    if row.superseded_by:
                        own = facts[route_key(edition, row)]
                        assert any(row.superseded_by == f"an update as of {format_fuzzy(b.update.as_of)}"
                                   and own.strictly_before(b) for b in reports), \
                            f"{here}: {own.key} superseded by {row.superseded_by!r}: no strictly later update"
        for group in shown_figures:
            assert group in groups, f"{here}: key figure {group} shown, but nothing of it is known"
        # No entry of the week's news dropped in silence.
        shown_keys = {row.id for row, _ in fact_rows(ctx)}
        shown_keys |= {r.id for f in ctx.key_figures for r in f.reports + f.superseded}
        shown_keys |= {route_key(edition, row) for row in all_route_rows(ctx)}
        dropped_groups = {(d.metric, d.place.id) for d in ctx.dropped_key_figures}
        for arrival in edition.series.arrived_in(week):
            fact = facts[arrival.key]
            if arrival.key in shown_keys:
                continue
            if isinstance(fact.group, tuple) and fact.group in dropped_groups:
                holding, _ = _holding(groups[fact.group])
                if fact in holding:
                    continue  # said "no longer reported", with its value
            raise AssertionError(f"{here}: {arrival.key} ({fact.start}–{fact.end}, known {fact.known}) "
                                 f"entered this report but is neither shown nor marked superseded")


def check_rule_3(edition: Edition) -> None:
    """Every stale key figure and route is said once, with its last value's citations, even
    when nothing else of its section is left."""
    facts, stale_after_weeks = edition.facts, edition.settings.stale_after_weeks
    previous = None
    for week, ctx in edition.reports.items():
        here = where(edition, week)
        expected: dict[object, list[Fact]] = {}  # group -> the reports that hold
        for group, reports in _groups(edition, week).items():
            if not _is_stale(reports, week, stale_after_weeks):
                continue
            before = _groups(edition, previous).get(group) if previous else None
            if before and _is_stale(before, previous, stale_after_weeks):
                continue  # said already
            expected[group] = _holding(reports)[0]
        said_figures = [(d.metric, d.place.id) for d in ctx.dropped_key_figures]
        said_routes = [route_key(edition, r) for r in ctx.stale_routes]  # one row per line said
        assert len(set(said_figures)) == len(said_figures) and len(set(said_routes)) == len(said_routes), \
            f"{here}: says {said_figures + said_routes} no longer reported: one of them twice"
        said = set(said_figures) | {facts[k].group for k in said_routes}
        assert sorted(said, key=str) == sorted(expected, key=str), \
            f"{here}: says {sorted(said, key=str)} no longer reported, not {sorted(expected, key=str)}"
        for d in ctx.dropped_key_figures if "key_figures" in ctx.sections else []:  # numbered where printed
            citations = d.citations
            assert citations, f"{here}: key figure {d.metric}/{d.place.id} no longer reported, without a citation"
            wanted = set().union(*(cited_references(edition, visible(a.cited, week)) for a in expected[(d.metric, d.place.id)]))
            assert references(ctx, citations) == wanted, \
                f"{here}: no longer reported {d.metric}/{d.place.id} cites {references(ctx, citations)}"
        for row in ctx.stale_routes:
            key = route_key(edition, row)
            assert key in {a.key for a in expected[row.id]}, \
                f"{here}: route {row.id} no longer reported as {key}, which no longer holds"
        # Said where the reader sees it: the section's "no longer reported" line, once each.
        html = edition.html[week]
        dropped = " ".join(" ".join(re.sub(r"<[^>]+>", " ", p).split())
                           for p in re.findall(r'<p class="kf-dropped">(.*?)</p>', html, re.S))
        if "key_figures" in ctx.sections:
            for d in ctx.dropped_key_figures:
                said = f"{d.label.lower()} in {d.place.name}"
                assert dropped.count(said) == 1, f"{here}: the HTML says '{said}' no longer reported " \
                                                 f"{dropped.count(said)} times: {dropped!r}"
        if "routes" in ctx.sections:
            lines = [f"{row.name}, last {row.status_label.lower()} as of {row.as_of}" for row in ctx.stale_routes]
            for said in lines:  # once: two updates that read the same (their hazards differ) are one line
                assert dropped.count(said) == lines.count(said) == 1, \
                    f"{here}: the HTML says '{said}' no longer reported {dropped.count(said)} times: {dropped!r}"
        previous = week


MOVED = ("up", "down", "changed")


def _dates_in(text: str, candidates: set[str]) -> set[str]:
    """Which of the candidate dates a sentence names (the longest first: '29 June 2016' is not
    also 'June 2016')."""
    named = set()
    for date in sorted(candidates, key=len, reverse=True):
        if date in text:
            named.add(date)
            text = text.replace(date, "\0")
    return named


def check_rule_5(edition: Edition) -> None:
    """Change is measured against the latest known, by the strict order; page one shows only
    what is current."""
    facts = edition.facts
    for week, ctx in edition.reports.items():
        here = where(edition, week)
        groups = _groups(edition, week)
        holding = {group: _holding(reports)[0] for group, reports in groups.items()}
        current = {a.key for reports in holding.values() for a in reports}

        def before_of(group) -> list[Fact]:
            """What held just before the week's news."""
            return _holding([a for a in groups.get(group, []) if a.enters < week])[0]

        for figure in ctx.key_figures:
            group = (figure.metric, figure.place.id)
            news = [a for a in groups[group] if a.enters == week]
            before = before_of(group)
            against = sorted(b.key for b in before if any(b.strictly_before(n) for n in news))
            change = figure.change
            if not news or not before or change is None:
                continue
            said = f"{here}: key figure {group}: {change.direction} '{change.text}'"
            if not against:  # this week's news is concurrent with all that held: nothing moved
                assert change.direction not in MOVED, \
                    f"{said}, but its news ({[a.key for a in news]}) only overlaps {[b.key for b in before]}"
                if change.direction == "concurrent":  # shown beside what held and still holds, naming it
                    alongside = sorted(b.key for b in before if b in holding[group])
                    assert sorted(change.against) == alongside, f"{said} names {change.against}, not {alongside}"
                continue
            assert sorted(change.against) == against, f"{said} is measured against {change.against}, not {against}"
            dates = {format_fuzzy(facts[k].entry.as_of) for k in against}
            others = {format_fuzzy(a.entry.as_of) for a in groups[group]} - dates - {figure.as_of}
            named = _dates_in(change.text, dates | others)
            assert named - {format_fuzzy(a.entry.as_of) for a in holding[group]} == dates, \
                f"{said} names {sorted(named)}; it is measured against {against} ({sorted(dates)})"
        for row in ctx.routes:
            key = route_key(edition, row)
            if not row.is_new or row.superseded_by:
                continue
            expected = sorted(b.key for b in before_of(row.id) if b.strictly_before(facts[key]))
            assert sorted(row.previous_ids) == expected, \
                f"{here}: route row {key} ({row.status}, {row.as_of}) changed from {sorted(row.previous_ids)}, not {expected}"
        # Page one: the box (and the highlights the report writes itself) and the glance.
        automatic = [*ctx.since_last, *([] if "highlights" in edition.narrative_weeks.get(week, ()) else ctx.highlights)]
        if not edition.narrative_weeks.get(week):
            for paragraph in automatic:
                for key in tags(ctx, [n for part in paragraph.parts for n in part.citations]):
                    assert facts[key].group is None or key in current, \
                        f"{here}: page one says '{paragraph.text}' of {key}, which no longer holds"
                    if facts[key].update is not None:  # no route's words name a report that no longer holds
                        group = facts[key].group
                        dates = {format_fuzzy(a.update.as_of) for a in groups[group]}
                        allowed = {format_fuzzy(a.update.as_of) for a in holding[group]}
                        allowed |= {format_fuzzy(b.update.as_of) for b in before_of(group)
                                    if facts[key].enters == week and b.strictly_before(facts[key])}
                        assert _dates_in(paragraph.text, dates) <= allowed, \
                            f"{here}: page one says '{paragraph.text}', naming an update that no longer holds"
        glance = re.search(r'<section class="routes-glance".*?</section>', edition.html[week], re.S)
        for row in re.findall(r"<tr data-fact=.*?</tr>", glance[0] if glance else "", re.S):
            for key in tags(ctx, [int(n) for n in re.findall(r'href="#source-(\d+)"', row)]):
                assert key in current, f"{here}: routes at a glance shows {key}, which no longer holds"


def check_rule_9(edition: Edition) -> None:
    """A report only for a week that has ended by the as-of day; the series is what the
    settings say, and no report's header knows what came after it."""
    series, settings, as_of = edition.series, edition.settings, edition.as_of
    for week in series.reports:
        assert week.end < as_of, f"{edition.name}: report of {week} (to {week.end}) with --as-of {as_of}"
    known = {IsoWeek.containing(f.known) for f in edition.facts.values()}
    first = IsoWeek.parse(settings.first) if settings.first else min(known | set(edition.narrative_weeks), default=None)
    news = {max(w, first) for w in known} | {w for w in edition.narrative_weeks if w >= first} if first else set()
    news = {w for w in news if w.end < as_of}
    if settings.quiet_weeks == "report" and news:
        expected = [first]
        while expected[-1] < max(news):
            expected.append(expected[-1].shifted(1))
    else:
        expected = sorted(news)
    assert series.reports == expected, \
        f"{edition.name}: the series of --as-of {as_of} is {[str(w) for w in series.reports]}, " \
        f"not {[str(w) for w in expected]}"
    for week, ctx in edition.reports.items():
        assert ctx.next_report == format_day(week.shifted(1).end), \
            f"{where(edition, week)}: next report on or around {ctx.next_report}, not a week after it"


def check_rule_8(edition: Edition) -> None:
    """Citations numbered in reading order, pointing to the right sources."""
    for week, ctx in edition.reports.items():
        here = where(edition, week)

        printed = [n for numbers in printed_citations(ctx) for n in numbers]
        order = first_appearances(printed)
        assert order == list(range(1, len(order) + 1)), f"{here}: citations first appear as {order}"
        numbers = [s.number for s in ctx.sources]
        assert numbers == list(range(1, len(numbers) + 1)), f"{here}: the sources list is numbered {numbers}"
        assert set(order) == set(numbers), \
            f"{here}: cited {sorted(set(order))}, but the sources list holds {numbers}"
        # Each printed fact's numbers are its own citations (in the sections the report prints).
        sections = set(ctx.sections)
        rows = [(r, "figure") for r in ctx.trapped_figures if "trapped" in sections]
        rows += [(r, "figure") for r in ctx.other_figures if "other_figures" in sections]
        rows += [(r, "incident") for g in ctx.abuses for r in g.incidents if "abuses" in sections]
        rows += [(r, "incident") for r in ctx.context_events if "context" in sections]
        rows += [(r, "movement") for r in ctx.movements if "movements" in sections]
        for row, kind in rows:
            cites = references(ctx, row.citations)
            assert cites == cited_references(edition, visible(edition.facts[row.id].cited, week)), \
                f"{here}: {kind} {row.id} cites {cites}"
        for figure in ctx.key_figures if "key_figures" in sections else []:
            # key_figures.html prints each report's citations when they conflict, and those of
            # the reports superseded this week; trapped.html only the figure's.
            for report in (figure.reports if figure.conflicting else []) + figure.superseded:
                cites = references(ctx, report.citations)
                assert cites == cited_references(edition, visible(edition.facts[report.id].cited, week)), \
                    f"{here}: key-figure report {report.id} cites {cites}"
        figures = [*(ctx.key_figures if "key_figures" in sections else []),
                   *(ctx.trapped_key_figures if "trapped" in sections else [])]
        for figure in figures:
            expected = set().union(*(cited_references(edition, visible(edition.facts[r.id].cited, week)) for r in figure.reports))
            assert references(ctx, figure.citations) == expected, \
                f"{here}: key figure {figure.metric}/{figure.place.id} cites {references(ctx, figure.citations)}"
        for row in all_route_rows(ctx) if "routes" in sections else []:
            key = route_key(edition, row)
            # A stale route's line (route, status, date) is said once for concurrent updates that
            # read the same, citing them all.
            said = [f for f in edition.facts.values() if f.group == row.id and f.update is not None
                    and f.known <= week.end and format_fuzzy(f.update.as_of) == row.as_of
                    and f.update.status == row.status] if row in ctx.stale_routes else [edition.facts[key]]
            expected = set().union(*(cited_references(edition, visible(f.cited, week)) for f in said))
            assert references(ctx, row.citations) == expected, f"{here}: route row {key} cites {references(ctx, row.citations)}"
        # The rendered document.
        html = edition.html[week]
        links = [int(n) for n in re.findall(r'href="#source-(\d+)"', html)]
        linked = first_appearances(links)
        assert linked == list(range(1, len(linked) + 1)), \
            f"{here}: in the HTML, citations first appear as {linked} (sections {ctx.sections})"
        assert set(linked) == set(order), \
            f"{here}: the HTML cites {sorted(set(linked))}, the report {sorted(set(order))}"
        if "sources" in ctx.sections:
            anchors = [int(n) for n in re.findall(r'id="source-(\d+)"', html)]
            assert anchors == list(range(1, len(anchors) + 1)) and set(anchors) == set(linked), \
                f"{here}: the HTML's sources list is numbered {anchors}, its text cites {sorted(set(linked))}"
            # Each table row of the HTML links to its own fact's sources.
            notes = {int(n): re.search(r'<span class="src-note">([^<]*)</span>', item)
                     for n, item in re.findall(r'<li id="source-(\d+)"(.*?)</li>', html, re.S)}
            for fact_id, row in re.findall(r'<tr data-fact="([^"]+)"(.*?)</tr>', html, re.S):
                named = {notes[int(n)][1][len(TAG):] for n in re.findall(r'href="#source-(\d+)"', row)
                         if notes.get(int(n)) and notes[int(n)][1].startswith(TAG)}
                assert all(k == fact_id or k.startswith(fact_id + "#") for k in named), \
                    f"{here}: in the HTML, the row of {fact_id} links to the sources of {sorted(named)}"


def check_every_report(spec: Spec) -> list[Edition]:
    with tempfile.TemporaryDirectory(prefix="sitrep-time-") as tmp:
        _, config, editions = build_all(spec, Path(tmp))
    for edition in editions:
        check_rule_1(edition)
        check_rule_9(edition)
        check_rule_2(edition)
        check_rule_3(edition)
        check_rule_4(edition, config.series.stale_after_weeks)
        check_rule_5(edition)
        check_rule_8(edition)
    return editions


# --- The tests ----------------------------------------------------------------------------------------

@PROPERTY
@given(spec=specs())
def test_every_report_of_every_generated_store_keeps_the_rules(spec):
    check_every_report(spec)


WITHHELD = {"id": "w1", "name": "Informant", "kind": "witness", "reliability": "B", "sensitivity": "restricted",
            "public_name": "A resident"}


def _spec(figures=(), routes=(), incidents=(), movements=(), narrative=(), key_metrics=("civilians_trapped",),
          sections=None, series=None, sources=()) -> Spec:
    config = {"title": "Rivertown report", "crisis": "Rivertown siege", "organisation": {"name": "Desk"},
              "key_metrics": list(key_metrics), "series": series or {}}
    if sections:
        config["sections"] = sections
    store = {"sources": [{"id": "s1", "name": "Agency", "kind": "un_agency", "reliability": "A"},
                         {"id": "s2", "name": "Paper", "kind": "media", "reliability": "C"}, *sources],
             "places": [{"id": "town", "name": "Rivertown", "kind": "town", "lat": 33.0, "lon": 44.0},
                        {"id": "camp", "name": "Hill Camp", "kind": "camp", "lat": 33.1, "lon": 44.1}]}
    for kind, entries in (("figures", figures), ("incidents", incidents), ("routes", routes),
                          ("movements", movements), ("narrative", narrative)):
        if entries:
            store[kind] = list(entries)
    return Spec(config, store)


def _figure(key, as_of, value, source="s1", metric="civilians_trapped", unit="people", also=()):
    return {"id": key, "metric": metric, "place": "town", "as_of": as_of, "value": value, "unit": unit,
            "cited": [{"source": source, "note": TAG + key}, *also]}


def _update(key, as_of, status, source="s1"):
    return {"as_of": as_of, "status": status, "cited": [{"source": source, "note": TAG + key}]}


def test_a_month_and_a_day_in_it_are_both_shown():
    """'June' and '29 June' overlap: neither supersedes the other, and both are shown."""
    spec = _spec(figures=[_figure("may", "2016-05", 900), _figure("june", "2016-06", 1000),
                          _figure("june-29", "2016-06-29", 1200, source="s2")])
    public = check_every_report(spec)[0]
    ctx = public.reports[IsoWeek(2016, 26)]  # 27 June – 3 July: both June reports enter it
    [figure] = ctx.key_figures
    assert sorted(r.id for r in figure.reports) == ["june", "june-29"]
    assert all(r.is_new for r in figure.reports)
    assert figure.conflicting and figure.superseded == []


def test_reordered_sections_number_citations_in_reading_order():
    """`sections:` puts routes first: the route's citations are 1 and up, then the key figures'."""
    spec = _spec(
        figures=[_figure("trapped-1", "2016-06-01", 1000), _figure("trapped-2", "2016-06-02", 1500, source="s2"),
                 _figure("killed-1", "2016-06-02", 40, metric="civilians_killed")],
        routes=[{"id": "r1", "name": "Road", "origin": "town", "destination": "camp",
                 "updates": [_update("r1#1", "2016-06-01", "open", source="s2"),
                             {**_update("r1#2", "2016-06-03", "closed"),
                              "cited": [{"source": "s1", "note": TAG + "r1#2"}, {"source": "s2"}]}]}],
        incidents=[{"id": "i1", "type": "attack_on_civilians", "date": "2016-06-02", "place": "town",
                    "status": "alleged", "summary": "Shelling hit the market.",
                    "cited": [{"source": "s1", "note": TAG + "i1"}]}],
        sections=["routes", "key_figures", "highlights", "abuses", "sources"])
    public = check_every_report(spec)[0]
    ctx = public.reports[IsoWeek(2016, 22)]
    current, superseded = ctx.routes  # the update of 3 June, and the one of 1 June it replaced
    assert (route_key(public, current), route_key(public, superseded)) == ("r1#2", "r1#1")
    assert (current.citations, superseded.citations) == ([1, 2], [3])  # the route comes first
    assert superseded.superseded_by == "an update as of 3 June 2016"


# Found by the property above, shrunk to a few lines each.

def test_a_narrative_reference_to_a_route_cites_an_update_already_known():
    """Rule 1. In week 22 (30 May – 5 June) the route's June update (known on 30 June) starts
    before the week ends, and comes last in the store: [[r1]] must not cite it yet."""
    spec = _spec(routes=[{"id": "r1", "origin": "town", "destination": "camp",
                          "updates": [_update("r1#1", "2016-06-01", "open"),
                                      _update("r1#2", "2016-06", "closed", source="s2")]}],
                 narrative=[{"id": "n1", "week": "2016-W22", "section": "overview", "text": "The road [[r1]]."}])
    check_every_report(spec)


def test_public_narrative_refers_only_to_what_the_public_series_knows():
    """Rule 1. A withheld source's citation date would make the June figure known on 1 June, but
    a public edition dates it without that citation, on 30 June: public narrative of week 22
    citing it is refused, as a report would otherwise print it before the public series knows
    it (and so reveal when the withheld source spoke)."""
    figures = [_figure("f1", "2016-06", 1000, also=[{"source": "w1", "date": "2016-06-01"}])]
    public = {"id": "n1", "week": "2016-W22", "section": "overview", "text": "Trapped: [[f1]]."}
    with pytest.raises(StoreError, match=r"refers to 'f1', which became known only on 30 June 2016"):
        check_every_report(_spec(figures=figures, narrative=[public], sources=[WITHHELD]))
    internal_only = {**public, "sensitivity": "restricted"}  # printed in internal reports, which know the 1 June date
    check_every_report(_spec(figures=figures, narrative=[internal_only], sources=[WITHHELD]))


def test_news_already_stale_when_the_series_begins_is_not_dropped_in_silence():
    """Rule 4. `first:` is week 22; both May figures enter report 1, known before the series
    began and older than stale_after_weeks. They are that report's news, so they are shown (the
    later one, with the earlier marked superseded by it), not said 'no longer reported'."""
    spec = _spec(figures=[_figure("f1", "2016-05-02", 1000), _figure("f2", "2016-05-04", 1200)],
                 series={"first": "2016-W22", "stale_after_weeks": 1})
    check_every_report(spec)


def test_the_trapped_section_numbers_only_what_it_prints():
    """Rule 8. trapped.html prints a key figure's own citations, not those of this week's
    superseded reports (key_figures.html prints them): numbering them in the trapped section
    lists a source cited nowhere when key_figures is left out ..."""
    figures = [_figure("f1", "2016-06-01", 1000), _figure("f2", "2016-06-02", 1200, source="s2"),
               _figure("x1", "2016-06-02", 3, metric="meals_per_day", unit="meals")]
    check_every_report(_spec(figures=figures, sections=["trapped", "sources"]))


def test_the_trapped_section_before_key_figures_keeps_reading_order():
    """Rule 8. ... and numbers them out of reading order when key_figures comes after it."""
    figures = [_figure("f1", "2016-06-01", 1000), _figure("f2", "2016-06-02", 1200, source="s2"),
               _figure("x1", "2016-06-02", 3, metric="meals_per_day", unit="meals")]
    check_every_report(_spec(figures=figures, sections=["trapped", "other_figures", "key_figures", "sources"]))


# --- The mutation: compare by end date -----------------------------------------------------------

def _route(key, *updates):
    return {"id": key, "name": "Ferry", "origin": "town", "destination": "camp",
            "updates": [{**_update(f"{key}#{n}", as_of, status), "hazards": [sorted(vocab.HAZARDS)[n]]}
                        for n, (as_of, status) in enumerate(updates, start=1)]}


ORDER_EXAMPLES = {
    # "3,000 (20 June)" then "5,000 (June)": concurrent, both shown; no rise is claimed.
    "a day, then its month": _spec(figures=[_figure("june-20", "2016-06-20", 3000),
                                            _figure("june", "2016-06", 5000, source="s2")]),
    # Open "September", restricted "23 September" (both held), closed "7 October": was both.
    "a route's month, its day, then a later day": _spec(routes=[_route(
        "ferry", ("2016-09", "open"), ("2016-09-23", "restricted"), ("2016-10-07", "closed"))]),
    # "5,000 (June)" then "6,000 (20 June - 10 July)": they overlap, so June still holds beside it.
    "a month, then a span from inside it": _spec(figures=[_figure("june", "2016-06", 5000),
                                                          _figure("late-june", "2016-06-20/2016-07-10", 6000,
                                                                  source="s2")]),
}
# The rules that catch the mutation on each example (in both editions).
CAUGHT_BY = {
    # The code keeps both reports (it compares each with the one that starts last, which ends
    # first), but measures June against 20 June: "up from 3,000".
    "a day, then its month": {"5": "only overlaps"},
    # September "supersedes" 23 September: the open update is said to change from restricted.
    "a route's month, its day, then a later day": {"5": "changed from"},
    # June "ends before" 10 July: superseded, no longer shown, and the span "down"/"up" from it.
    "a month, then a span from inside it": {"4": "shows", "5": "only overlaps"},
}


def _editions(spec: Spec) -> list[Edition]:
    with tempfile.TemporaryDirectory(prefix="sitrep-order-") as tmp:
        return build_all(spec, Path(tmp))[2]


def _replace_everywhere(monkeypatch, original, replacement) -> list[str]:
    """Replace a function in every loaded module that holds a reference to it."""
    replaced = []
    for name, module in list(sys.modules.items()):
        for attribute, value in list(getattr(module, "__dict__", {}).items()):
            if value is original:
                monkeypatch.setattr(module, attribute, replacement)
                replaced.append(f"{name}.{attribute}")
    return replaced


@pytest.mark.parametrize("example", list(ORDER_EXAMPLES))
def test_a_mutation_of_the_order_fails_the_rules(example, monkeypatch):
    """The one relation every comparison goes through, `report.timeline.strictly_before`,
    replaced by "ends earlier" (the order of end dates, in which a month comes after its days):
    rule 4 (what holds) or rule 5 (what a change is measured against) catches it, as CAUGHT_BY
    says. Unmutated, the same store keeps every rule."""
    spec = ORDER_EXAMPLES[example]
    check_every_report(spec)
    original = timeline.strictly_before
    assert _replace_everywhere(monkeypatch, original, lambda earlier, later: earlier.end < later.end)
    rules = {"1": check_rule_1, "2": check_rule_2, "3": check_rule_3, "8": check_rule_8, "9": check_rule_9,
             "4": lambda edition: check_rule_4(edition, edition.settings.stale_after_weeks), "5": check_rule_5}
    for edition in _editions(spec):
        for rule, check in rules.items():
            if rule in CAUGHT_BY[example]:
                with pytest.raises(AssertionError, match=CAUGHT_BY[example][rule]):
                    check(edition)
            else:
                check(edition)  # the mutation is caught where it is expected, and by nothing else

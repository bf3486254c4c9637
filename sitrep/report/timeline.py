"""When each fact became known, and which reports of a set still hold.

A situation report must be right about *when*. Two rules live here (docs/report.md, "When a fact
enters the series"):

- **Known when first reported.** A dated entry is known on the earliest day a citation reported
  it, even after its own date; without a dated citation, on the last day its date can mean — a
  fact dated to June 2016 on 30 June 2016 (source/dates.known_on). `arrivals` lists every dated entry with that day
  and the reason for it.
- **Newer is never hidden by vaguer.** Of several reports of one figure or one route, a report
  is superseded only by one that is strictly later: one that starts after it ends. "June" and
  "29 June" overlap, so neither supersedes the other and both are shown (`current`).

`strictly_before` is that order, and the only one: supersession, the value a change is measured
against, the box and the glance on page one, staleness and `sitrep trace` all compare reports
with it, never by their end dates (a month ends after its days, yet "February" is not newer
than "20 February"). `most_recent` and `latest_day` say, by that order, which report a "no new
report since …" names and the day staleness is measured from.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from sitrep.source.dates import FuzzyDate, first_report, known_day, why_known
from sitrep.source.entries import Store
from sitrep.source.provenance import cites_withheld, reported_dates
from sitrep.source.schema import AreaUpdate, Citation, Model, RouteUpdate


@dataclass(frozen=True, eq=False)
class Arrival:
    """One dated entry of the store (a route's update counts as its own) and the day it became known."""

    entry: Model  # a Figure, Incident, Movement, Route or Area
    date: FuzzyDate
    cited: tuple[Citation, ...]
    known_on: dt.date
    # How known_on was set, for `sitrep trace`: the words, or what makes them when asked (they
    # format dates, which loads Babel, and only `trace` shows them).
    reason: str | Callable[[], str]
    update: RouteUpdate | AreaUpdate | None = None
    update_index: int | None = None

    @property
    def why(self) -> str:
        return self.reason if isinstance(self.reason, str) else self.reason()

    @property
    def key(self) -> str:
        """The entry's id; a route update is the route's id and the update's position."""
        return self.entry.id if self.update_index is None else f"{self.entry.id}#{self.update_index + 1}"

    @property
    def public(self) -> bool:
        return getattr(self.entry, "sensitivity", "public") == "public"

    def strictly_before(self, other: "Arrival") -> bool:
        """Over before the other report begins: the only case in which the other supersedes it."""
        return strictly_before(self.date, other.date)


def strictly_before(earlier: FuzzyDate, later: FuzzyDate) -> bool:
    """The one order of fuzzy dates: `earlier` is over before `later` begins. Dates that
    overlap ("February" and "20 February") are concurrent: neither is before the other."""
    return earlier.end < later.start


def arrivals(store: Store, public_only: bool = False) -> list[Arrival]:
    """Every dated entry of the store, in the order it became known (then by date and id). With
    `public_only` (a public edition), restricted entries are left out, and so is the date of a
    citation whose source or outlet is withheld: when a public report says a fact became known
    must not tell the reader when a withheld source reported it."""
    found = [a for a in _arrivals(store, public_only) if a.public or not public_only]
    found.sort(key=lambda a: (a.known_on, a.date.start, a.date.end, a.key))
    return found


def _arrivals(store: Store, public_only: bool) -> Iterator[Arrival]:
    def known(date: FuzzyDate, cited) -> tuple[dt.date, Callable[[], str]]:
        first = first_report(reported_dates(cited, store.sources, public_only, date))
        return known_day(date, first), functools.partial(_why, date, first, cited, store, public_only)

    for kind, date_field in (("figures", "as_of"), ("incidents", "date"), ("movements", "period")):
        for entry in store.kind(kind).values():
            date = getattr(entry, date_field)
            yield Arrival(entry, date, tuple(entry.cited), *known(date, entry.cited))
    for entry in (*store.routes.values(), *store.areas.values()):  # each update is a report of its own
        for index, update in enumerate(entry.updates):
            yield Arrival(entry, update.as_of, tuple(update.cited), *known(update.as_of, update.cited),
                          update=update, update_index=index)


def _why(date: FuzzyDate, first: FuzzyDate | None, cited, store: Store, public_only: bool) -> str:
    why = why_known(date, first)
    # which citation set the day (a withheld one is not named in a public series)
    setting = [c for c in cited if c.date is not None and first is not None and c.date.end == first.end
               and not (public_only and cites_withheld(c, store.sources))]
    if setting:
        why += f" ({', '.join(sorted({c.source for c in setting}))})"
    return why


def current(reports: list[Arrival]) -> tuple[list[Arrival], dict[Arrival, Arrival]]:
    """Of several reports of one thing, those that still hold, and for each of the others the
    report that supersedes it: a strictly later one that holds. Reports that overlap in time are
    concurrent, and all of them hold (shown side by side, never one hiding the other)."""
    if not reports:
        return [], {}
    # A report strictly before any other is strictly before the one that starts last, so that
    # one report decides what holds: one pass, however long a figure's history.
    last_to_start = max(reports, key=lambda a: a.date.start)
    holding = sorted((a for a in reports if not a.strictly_before(last_to_start)),
                     key=lambda a: (a.date.start, a.date.end, a.key))
    superseded = {}
    for report in reports:
        later = [b for b in holding if report.strictly_before(b)]
        if later:  # replaced: by the earliest-starting report that holds and is strictly later
            superseded[report] = later[0]
    return holding, superseded


def superseded_by(news: list[Arrival], earlier: list[Arrival]) -> list[Arrival]:
    """The reports of `earlier` that one of `news` is strictly later than (those it replaces),
    most recent first: what a change is measured against."""
    return by_recency(a for a in earlier if any(a.strictly_before(n) for n in news))


def spoken_of(report: Arrival) -> dt.date:
    """The last day a report can be said to speak of by the time it was known: its date's last
    day, or the day it became known if that was earlier (a fact dated "2016" reported on 3 March
    speaks of no later than 3 March), never before its date began."""
    return max(report.date.start, min(report.date.end, report.known_on))


def _recency(report: Arrival):
    return spoken_of(report), report.date.start, report.date.end, report.key


def by_recency(reports: Iterable[Arrival]) -> list[Arrival]:
    """The order in which a sentence names several reports: the one that began last first, and
    of those that began together the most precise ("restricted (as of 23 September) and open
    (as of September)")."""
    return sorted(reports, key=lambda a: (-a.date.start.toordinal(), a.date.end, a.key))


def most_recent(reports: Iterable[Arrival]) -> Arrival:
    """The most recent of several reports: of those that hold (none strictly later), the one
    that speaks of the latest day. What "no new report since …" and a key figure's "as of" name."""
    return max(current(list(reports))[0], key=_recency)


def latest_day(reports: Iterable[Arrival]) -> dt.date:
    """The most recent day the reports speak of: what staleness is measured from."""
    return spoken_of(most_recent(reports))

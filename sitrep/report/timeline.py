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
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Iterator

from sitrep.source.dates import FuzzyDate, known_on
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
    why: str  # how known_on was set, for `sitrep trace`
    update: RouteUpdate | AreaUpdate | None = None
    update_index: int | None = None

    @property
    def key(self) -> str:
        """The entry's id; a route update is the route's id and the update's position."""
        return self.entry.id if self.update_index is None else f"{self.entry.id}#{self.update_index + 1}"

    @property
    def public(self) -> bool:
        return getattr(self.entry, "sensitivity", "public") == "public"

    def strictly_before(self, other: "Arrival") -> bool:
        """Over before the other report begins: the only case in which the other supersedes it."""
        return self.date.end < other.date.start


def arrivals(store: Store, public_only: bool = False) -> list[Arrival]:
    """Every dated entry of the store, in the order it became known (then by date and id). With
    `public_only` (a public edition), restricted entries are left out, and so is the date of a
    citation whose source or outlet is withheld: when a public report says a fact became known
    must not tell the reader when a withheld source reported it."""
    found = [a for a in _arrivals(store, public_only) if a.public or not public_only]
    found.sort(key=lambda a: (a.known_on, a.date.start, a.date.end, a.key))
    return found


def _arrivals(store: Store, public_only: bool) -> Iterator[Arrival]:
    def known(date: FuzzyDate, cited) -> tuple[dt.date, str]:
        day, why = known_on(date, reported_dates(cited, store.sources, public_only, date))
        # which citation set the day, for `sitrep trace` (a withheld one is not named in a public series)
        setting = [c for c in cited if c.date is not None and c.date.end == day
                   and not (public_only and cites_withheld(c, store.sources))]
        if setting and "citation" in why:
            why += f" ({', '.join(sorted({c.source for c in setting}))})"
        return day, why

    for kind, date_field in (("figures", "as_of"), ("incidents", "date"), ("movements", "period")):
        for entry in store.kind(kind).values():
            date = getattr(entry, date_field)
            yield Arrival(entry, date, tuple(entry.cited), *known(date, entry.cited))
    for entry in (*store.routes.values(), *store.areas.values()):  # each update is a report of its own
        for index, update in enumerate(entry.updates):
            yield Arrival(entry, update.as_of, tuple(update.cited), *known(update.as_of, update.cited),
                          update=update, update_index=index)


def current(reports: list[Arrival]) -> tuple[list[Arrival], dict[Arrival, Arrival]]:
    """Of several reports of one thing, those that still hold, and for each of the others the
    report that supersedes it: a strictly later one that holds. Reports that overlap in time are
    concurrent, and all of them hold (shown side by side, never one hiding the other)."""
    if not reports:
        return [], {}
    # A report is superseded when another starts after it ends; the one that starts last
    # supersedes every report that ends before it starts, so one pass finds those that hold.
    latest_start = max(a.date.start for a in reports)
    holding = sorted((a for a in reports if a.date.end >= latest_start),
                     key=lambda a: (a.date.start, a.date.end, a.key))
    starts = [a.date.start for a in holding]
    superseded = {}
    for report in reports:
        if report.date.end < latest_start:
            # the earliest-starting report that holds and starts after this one ends
            superseded[report] = holding[bisect.bisect_right(starts, report.date.end)]
    return holding, superseded


def latest_day(reports: Iterable[Arrival]) -> dt.date:
    """The most recent day the reports speak of: what staleness is measured from."""
    return max(a.date.end for a in reports)

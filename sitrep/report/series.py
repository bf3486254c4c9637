"""The series: which reports an edition issues, their numbers, what each brings that is new,
and the week a command asks for. Computed once per store, edition and series settings, so every
command agrees on it.

The series is defined, not guessed (docs/report.md, "When a fact enters the series"): it starts at
config.yaml's `series: first:` (by default the first week in which anything became known),
has a report every week (`cadence: weekly`), and a week in which nothing new became known is
skipped or gets a short "no new information" report, as `quiet_weeks:` says. An entry enters
the report whose week holds the day it became known (report/timeline.py), or the first report
if it was known before the series began; that report is the only one that presents it as new.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass

from sitrep.errors import PeriodError, Problem, display_path
from sitrep.report.timeline import Arrival, arrivals
from sitrep.source.config import SeriesSettings
from sitrep.source.dates import IsoWeek, format_day, format_span
from sitrep.source.entries import Store


class Series:
    """The reports of one edition's series, in order, and the entries each one brings, as of a
    day: a report is issued for a week only once the week has ended (`week.end < as_of`), and
    what becomes known in a week not yet ended waits for its report (`waiting`)."""

    def __init__(self, store: Store, settings: SeriesSettings, edition: str, as_of: dt.date):
        public_only = edition != "internal"
        self.as_of = as_of
        # A public series counts only public entries, so its numbering never reveals that a
        # restricted-only week exists.
        self.arrivals = arrivals(store, public_only)
        self.known_days = [a.known_on for a in self.arrivals]
        # Imported events (source/bulk.py) are counted by the day they became known, and read
        # a week at a time when a report asks for its news.
        self.bulk = store.bulk
        self.public_only = public_only
        bulk_days = self.bulk.known_days(public_only) if self.bulk is not None else {}
        narrative_weeks = {IsoWeek.parse(n.week) for n in store.narrative.values()
                           if n.sensitivity == "public" or not public_only}
        news = {IsoWeek.containing(day) for day in [*self.known_days, *bulk_days]} | narrative_weeks
        self.first = IsoWeek.parse(settings.first) if settings.first else min(news, default=None)
        self.quiet_weeks = settings.quiet_weeks
        self.stale_after_weeks = settings.stale_after_weeks
        self.by_week: dict[IsoWeek, list[Arrival]] = {}
        for arrival in self.arrivals:
            self.by_week.setdefault(self.week_of(arrival), []).append(arrival)
        # Imported events known before a series config.yaml starts later are not news in any
        # report: a decade of a country's events is not the first report's news (docs/imports.md,
        # "Imported data"); without `first:`, the series starts with the earliest of them.
        self.bulk_counts: dict[IsoWeek, int] = {}
        for day, n in bulk_days.items():
            if day >= self.first.start:
                week = IsoWeek.containing(day)
                self.bulk_counts[week] = self.bulk_counts.get(week, 0) + n
        self._bulk_arrivals: dict[IsoWeek, list[Arrival]] = {}
        self.narrative_weeks = {w for w in narrative_weeks if self.first and w >= self.first}
        news_weeks = {w for w in set(self.by_week) | self.narrative_weeks | set(self.bulk_counts) if self.ended(w)}
        if not news_weeks:
            self.reports: list[IsoWeek] = []
        elif self.quiet_weeks == "report":
            last = max(news_weeks)
            self.reports = [self.first]
            while self.reports[-1] < last:
                self.reports.append(self.reports[-1].shifted(1))
        else:
            self.reports = sorted(news_weeks)
        self.position = {week: i for i, week in enumerate(self.reports)}
        self._first_known: dict[str, dt.date] | None = None

    def ended(self, week: IsoWeek) -> bool:
        """Whether the week is over by the as-of day: only then is a report made of it."""
        return week.end < self.as_of

    @property
    def waiting(self) -> list[Arrival]:
        """What became known in a week not yet ended: in no report yet, in the next one."""
        return [a for week, found in sorted(self.by_week.items()) if not self.ended(week) for a in found]

    def week_of(self, arrival: Arrival) -> IsoWeek:
        """The report an entry enters: the week it became known, or the series' first."""
        return max(IsoWeek.containing(arrival.known_on), self.first)

    def number(self, week: IsoWeek) -> int:
        return self.position[week] + 1

    def previous(self, week: IsoWeek) -> IsoWeek | None:
        i = self.position[week]
        return self.reports[i - 1] if i > 0 else None

    def following(self, week: IsoWeek) -> IsoWeek | None:
        i = self.position[week]
        return self.reports[i + 1] if i + 1 < len(self.reports) else None

    def arrived_in(self, week: IsoWeek) -> list[Arrival]:
        """What became known in the week's report: its news (imported events included)."""
        return self.by_week.get(week, []) + self.imported_in(week)

    def imported_in(self, week: IsoWeek) -> list[Arrival]:
        """The imported events that became known in the week, read from the bulk store once."""
        if week not in self.bulk_counts:
            return []
        if week not in self._bulk_arrivals:
            self._bulk_arrivals[week] = [
                Arrival(incident, incident.date, tuple(incident.cited), incident.date.end,
                        f"the last day of its date, {incident.date.text} (imported from {incident.imported.dataset})")
                for incident in self.bulk.incidents_known(week.start, week.end, self.public_only)]
        return self._bulk_arrivals[week]

    def count_arrived(self, week: IsoWeek) -> dict[str, int]:
        """How many entries of each kind enter the series in the week's report (imported events
        counted, not read). A route or area is one entry however many of its updates the week
        brings (`count_updates` counts those)."""
        counts = {"figures": 0, "incidents": 0, "routes": 0, "areas": 0, "movements": 0}
        for kind, ids in self._arrived_ids(week).items():
            counts[kind] += len(ids)
        counts["incidents"] += self.bulk_counts.get(week, 0)
        return counts

    def count_updates(self, week: IsoWeek) -> dict[str, int]:
        """How many route and area updates the week's report brings: 'routes' -> 2 for one
        route reported open, then closed."""
        counts = {"routes": 0, "areas": 0}
        for arrival in self.by_week.get(week, []):
            kind = _kind(arrival)
            if kind in counts:
                counts[kind] += 1
        return counts

    def _arrived_ids(self, week: IsoWeek) -> dict[str, set[str]]:
        ids: dict[str, set[str]] = {}
        for arrival in self.by_week.get(week, []):
            ids.setdefault(_kind(arrival), set()).add(arrival.entry.id)
        return ids

    def known_by(self, week: IsoWeek) -> list[Arrival]:
        """Everything known by the end of the week's report (its news and all before)."""
        return self.arrivals[:bisect.bisect_right(self.known_days, week.end)]

    def known_from(self, entry_id: str) -> dt.date | None:
        """The day the series first knows anything of a store entry (a route's or an area's
        first update); None for one it never holds (a restricted entry in a public series)."""
        if self._first_known is None:
            self._first_known = {}
            for arrival in self.arrivals:  # in the order they became known: the first is the earliest
                self._first_known.setdefault(arrival.entry.id, arrival.known_on)
        return self._first_known.get(entry_id)

    def known_before(self, week: IsoWeek) -> list[Arrival]:
        """Everything known before the week's report: what its news is compared with."""
        if week == self.first:
            return []
        return self.arrivals[:bisect.bisect_left(self.known_days, week.start)]

    def is_quiet(self, week: IsoWeek) -> bool:
        return week not in self.by_week and week not in self.narrative_weeks and week not in self.bulk_counts


def series_of(store: Store, settings: SeriesSettings, edition: str = "public", as_of: dt.date | None = None) -> Series:
    """The edition's series as of a day (default: the day the store was checked against, else
    today), computed once per loaded store and day (a loaded store never changes)."""
    as_of = as_of or store.as_of or dt.date.today()
    key = (edition != "internal", settings.model_dump_json(), as_of)
    if key not in store.memo:
        store.memo[key] = Series(store, settings, edition, as_of)
    return store.memo[key]


def resolve_week(series: Series, store: Store, week: str | None) -> IsoWeek:
    """The requested week, or the series' latest report."""
    weeks = series.reports
    shown = display_path(store.root)
    wanted = None
    if week is not None:
        try:
            wanted = IsoWeek.parse(week)
        except ValueError as exc:
            raise PeriodError(Problem("--week", 0, str(exc))) from None
        if not series.ended(wanted):
            raise PeriodError(Problem("--week", 0, f"week {wanted} ends on {format_day(wanted.end)}, and a report is "
                                                   f"made once its week has ended (this run is as of {_as_of(series)})",
                                      expected=f"a week that ended before {format_day(series.as_of)}",
                                      hint="--as-of DATE builds as of another day"))
    if not weeks:
        if series.waiting:
            first = series.week_of(series.waiting[0])
            raise PeriodError(Problem(shown, 0, f"the series has no report yet: its first, for week {first}, is made "
                                                f"once the week has ended on {format_day(first.end)} "
                                                f"(this run is as of {_as_of(series)})",
                                      expected="facts of a week that has ended",
                                      hint="sitrep weeks says what is waiting for the next report"))
        raise PeriodError(Problem(shown, 0, "the store holds no dated facts",
                                  expected="figures, incidents, routes, areas or movements with dates"))
    if wanted is None:
        return weeks[-1]
    if wanted not in series.position:
        raise PeriodError(Problem(shown, 0, f"the series has no report for week {wanted} "
                                            f"({format_span(wanted.start, wanted.end)}): nothing became known in it",
                                  expected=f"a week of the series: {_describe_weeks(weeks)}",
                                  hint="sitrep weeks lists the series and what each report brings"))
    return wanted


def _kind(arrival: Arrival) -> str:
    return type(arrival.entry).__name__.lower() + "s"


@dataclass
class WeekSummary:
    week: str
    number: int
    period: str
    counts: dict[str, int]  # kind -> entries that enter the series in this report (a route once)
    updates: dict[str, int]  # 'routes', 'areas' -> their updates that enter it (a route's two updates: 2)


def week_summaries(series: Series) -> list[WeekSummary]:
    """Every report of the series: its number and how many entries of each kind it brings."""
    summaries = []
    for week in series.reports:
        summaries.append(WeekSummary(str(week), series.number(week), format_span(week.start, week.end),
                                     series.count_arrived(week), series.count_updates(week)))
    return summaries


def _as_of(series: Series) -> str:
    """'7 December 2026, today', or '7 December 2026' (--as-of another day)."""
    return format_day(series.as_of) + (", today" if series.as_of == dt.date.today() else "")


def _describe_weeks(weeks: list[IsoWeek]) -> str:
    if len(weeks) <= 6:
        return ", ".join(map(str, weeks))
    return f"{', '.join(map(str, weeks[:3]))}, ... {', '.join(map(str, weeks[-3:]))} ({len(weeks)} weeks)"

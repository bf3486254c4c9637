"""The facts a report shows, as the template contract holds them (part of ReportContext,
context.py; docs/template-context.md documents them from these classes and the comments beside
their fields): each key figure with its reports, its change and its trend; the rows of figures,
incidents, routes and movements; a place by its names; how well each fact is sourced.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sitrep.language import format_integer, gettext


@dataclass
class Sourcing:
    """How well sourced a fact is, shown next to it so the reader can weigh it."""

    sources: int  # independent sources (originators; an outlet relaying one adds none)
    grade: str  # the best Admiralty grade among its citations: 'B2', or 'B' if the information is ungraded
    explanation: str  # 'Usually reliable source; information probably true'
    weak: bool  # a single source of low or unjudged reliability, or doubtful information
    attributed_to: str  # who a weak claim is attributed to ('reported by …'); '' when not weak

    @property
    def attribution(self) -> str:
        """How a weak claim is introduced where its source is named (a key figure, a line of
        "since the last report"): 'Reported by X — one source, grade F3'. A dash, not brackets:
        source names often hold their own ('… (outlet not identified)')."""
        if not self.weak:
            return ""
        return gettext("Reported by %(source)s — one source, grade %(grade)s") % {
            "source": self.attributed_to, "grade": self.grade}

    @property
    def mark(self) -> str:
        """How a weak claim is marked in a table's row, which names no source: the row's
        citation leads to it in the sources list, so each source is named once ('Unconfirmed,
        one source, F3')."""
        if not self.weak:
            return ""
        return gettext("Unconfirmed, one source, %(grade)s") % {"grade": self.grade}

    @property
    def label(self) -> str:
        """'2 sources · best B2', '1 source · F'."""
        if self.sources == 1:
            return gettext("1 source · %(grade)s") % {"grade": self.grade}
        return gettext("%(count)s sources · best %(grade)s") % {"count": format_integer(self.sources), "grade": self.grade}


@dataclass
class PlaceRef:
    id: str
    name: str
    local_names: dict[str, str]  # language code -> name, e.g. {"ar": "الفلوجة"}


@dataclass
class Change:
    """A key figure against its last known value in the series (however long ago that was):
    this week's news against every report that held before it and that it is strictly later
    than (docs/report.md, "When a fact enters the series")."""

    direction: str  # 'up', 'down', 'changed' (a range widened or narrowed both ways), 'unchanged', 'new' (never reported before in this series), 'concurrent' (this week's report overlaps in time what held and replaces none of it: shown beside it, no change claimed) or 'carried' (nothing newer this week: the last known value holds)
    text: str  # 'up from 20,000 (as of 3 June 2016)', 'first reported in this series', 'no new report since 3 June 2016'
    previous: str | None  # the last known number or range, '20,000–25,000'
    against: list[str] = field(default_factory=list)  # ids of the reports the text names: those replaced, or stood beside


@dataclass
class TrendPoint:
    """One report of a key figure, as its source gave it, for the trend chart: a range is drawn
    as a band, a single value as a point, over the days its date covers; nothing in between."""

    id: str
    start: dt.date  # the days the report's date covers
    end: dt.date
    low: float
    high: float
    as_of: str  # 'June 2016'
    text: str = ""  # the number as its source gave it, its qualifier kept (the chart's words): 'less than 8,000'

    @property
    def is_range(self) -> bool:
        return self.low != self.high


@dataclass
class DroppedFigure:
    """A key figure with no new report for config's series.stale_after_weeks: 'no longer
    reported', said in the first report after it went stale."""

    metric: str
    label: str
    place: "PlaceRef"
    last_number: str  # its last known value, with its qualifier
    unit: str
    last_as_of: str
    last_report: int  # the number of the report that brought that value
    citations: list[int] = field(default_factory=list)  # the last value's citations
    ids: list[str] = field(default_factory=list)  # the store ids of the reports of that last value
    weeks_unreported: int = 0  # whole weeks without a new report by this report's end, the real count


@dataclass
class FigureReport:
    """One source's report of a figure."""

    id: str
    text: str  # 'about 30,000–40,000 people'
    as_of: str
    note: str | None
    citations: list[int]
    sources: list[str]  # who reported it, as the sources list names them
    sourcing: Sourcing
    is_new: bool  # entered the series in this report
    superseded_by: str | None = None  # 'a report as of 29 June 2016 (fallujah-trapped-0629)' when a later report replaced it


@dataclass
class KeyFigure:
    metric: str
    label: str
    place: PlaceRef
    number: str  # '30,000–40,000' — the range every report spans
    qualifier: str  # 'about', 'at least', or '' when reports differ in how they qualify
    unit: str
    as_of: str
    low: float
    high: float
    reports: list[FigureReport]
    conflicting: bool  # the reports disagree: print who said what
    citations: list[int]
    sourcing: Sourcing  # over all the reports shown
    change: Change | None  # against the last known value; None in the first report of a series
    trend: list[TrendPoint]  # every report of this figure of the last 52 weeks known by this report's end, oldest first
    is_new: bool  # a report of it entered the series in this report
    superseded: list[FigureReport]  # reports that entered this week, already replaced by a strictly later one

    @property
    def ids(self) -> list[str]:
        return [r.id for r in self.reports]

    @property
    def notes(self) -> list[str]:
        """The analyst's `note:` on the reports shown ('An estimate, not a count'), each once, in
        the reports' order: printed under the figure, or beside its report where sources disagree."""
        return list(dict.fromkeys(r.note for r in self.reports if r.note))


@dataclass
class FigureRow:
    id: str
    label: str
    place: PlaceRef
    text: str
    as_of: str
    note: str | None
    citations: list[int]
    sourcing: Sourcing
    is_new: bool  # entered the series in this report


@dataclass
class IncidentRow:
    id: str
    type: str
    type_label: str
    date: str
    place: PlaceRef
    perpetrator: str | None
    victims: str | None  # sitrep's words and the store's description: a Joined, each part marked as its language needs
    status: str
    status_label: str
    summary: str
    citations: list[int]
    sourcing: Sourcing
    is_new: bool  # entered the series in this report
    record: str | None = None  # an imported incident's id in its dataset: "ACLED event IRQ12345"


@dataclass
class IncidentGroup:
    type: str
    label: str
    description: str
    incidents: list[IncidentRow]


@dataclass
class RouteRow:
    id: str
    name: str
    origin: PlaceRef
    destination: PlaceRef
    via: list[PlaceRef]
    status: str
    status_label: str
    hazards: list[str]
    controlled_by: list[str]
    as_of: str
    summary: str | None
    citations: list[int]
    sourcing: Sourcing
    is_new: bool  # this status update entered the series in this report
    previous_status: str | None  # the most recent of the statuses this week's update replaced; None if none or no news
    previous_status_label: str | None
    previous_as_of: str | None  # the date of that status
    since: str | None  # 'no new report since 3 June 2016' when this week brought no update of the route
    concurrent: bool  # another update of the same route overlaps this one in time: both are shown
    superseded_by: str | None  # 'an update as of 23 September 2016': this week's update, already replaced
    previous_ids: list[str] = field(default_factory=list)  # the updates this week's replaced ('road#2'): all that held before it and that it is strictly later than, most recent first
    previous_statuses: list[str] = field(default_factory=list)  # their statuses, in that order
    previous_status_labels: list[str] = field(default_factory=list)  # their statuses as printed
    previous: str | None = None  # those updates in words: 'restricted (as of 23 September 2016) and open (as of September 2016)'
    alongside_ids: list[str] = field(default_factory=list)  # a new update that replaced none: the updates that held before and stand beside it (concurrent, neither newer)
    alongside: str | None = None  # those in words: 'restricted (as of 23 September 2016)'
    weeks_unreported: int | None = None  # in stale_routes: whole weeks without a new update by this report's end

    @property
    def status_changed(self) -> bool:
        """This week's update replaced an update of another status (any of them, when it replaced
        concurrent ones): 'now closed; was restricted … and open …'."""
        return any(status != self.status for status in self.previous_statuses) and not self.superseded_by

    @property
    def current(self) -> bool:
        """Still holds at the report's end (not this week's update already replaced): what page
        one, the highlights and the map show."""
        return not self.superseded_by


@dataclass
class MovementRow:
    id: str
    period: str
    origin: PlaceRef
    destination: PlaceRef
    route: str | None
    count: str  # 'not reported' when no count was given
    summary: str
    citations: list[int]
    sourcing: Sourcing
    is_new: bool  # entered the series in this report

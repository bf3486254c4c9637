"""The template contract: `ReportContext` and the plain data it holds, which every template
receives as `report`. docs/template-context.md is generated from these classes (their fields,
types and the comments beside them), and a test keeps it current.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class Organisation:
    name: str
    contact: str | None
    url: str | None


@dataclass
class SourceEntry:
    """One numbered line of the sources list.

    In a public edition a line that cites a restricted source is withheld: it names that
    source by its public name and keeps the grades, and nothing else of it or of the citation
    (no id, kind, outlet, date, URL or note), so no template can print what is not there."""

    number: int
    source_id: str | None  # None when withheld
    name: str  # a restricted source's public name in a public edition
    withheld: bool  # a restricted source's identity is withheld on this line: print '(identity withheld)'
    kind: str | None  # None when withheld
    reliability: str  # Admiralty letter
    reliability_label: str
    via: str | None  # the outlet that carried the report; None when it carried a withheld source's words
    date: str | None  # None when withheld
    url: str | None  # None when withheld
    credibility: list[int]  # the Admiralty 1-6 grades the citations of this reference carry
    note: str | None  # None when withheld: it is where an analyst describes an informant

    @property
    def credibility_text(self) -> str:
        """'3', or '2–3' when the facts citing this reference were graded differently."""
        if not self.credibility:
            return ""
        low, high = min(self.credibility), max(self.credibility)
        return str(low) if low == high else f"{low}–{high}"


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
        """How a weak claim is introduced: 'Reported by X (single source, grade F3)'."""
        return f"Reported by {self.attributed_to} (single source, grade {self.grade})" if self.weak else ""

    @property
    def label(self) -> str:
        """'2 sources · best B2', '1 source · F'."""
        if self.sources == 1:
            return f"1 source · {self.grade}"
        return f"{self.sources} sources · best {self.grade}"


@dataclass
class PlaceRef:
    id: str
    name: str
    local_names: dict[str, str]  # language code -> name, e.g. {"ar": "الفلوجة"}


@dataclass
class Change:
    """A key figure against the previous report in the series."""

    direction: str  # 'up', 'down', 'changed' (a range widened or narrowed), 'unchanged' or 'new'
    text: str  # 'up from 20,000 (report 18)', 'unchanged since report 18', 'new in this report'
    previous: str | None  # the previous report's number or range, '20,000–25,000'


@dataclass
class TrendPoint:
    """A key figure in one report of the series, for its trend chart."""

    week: str
    report: int  # the report's number
    low: float
    high: float


@dataclass
class DroppedFigure:
    """A key figure the previous report had and this week's sources no longer report."""

    metric: str
    label: str
    place: "PlaceRef"
    last_number: str  # as the previous report printed it, with its qualifier
    unit: str
    last_as_of: str
    last_report: int


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
    is_new: bool  # not in the previous report


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
    change: Change | None  # against the previous report; None in the first report of a series
    trend: list[TrendPoint]  # this figure in every report so far that had it, oldest first

    @property
    def ids(self) -> list[str]:
        return [r.id for r in self.reports]


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
    is_new: bool  # not in the previous report


@dataclass
class IncidentRow:
    id: str
    type: str
    type_label: str
    date: str
    place: PlaceRef
    perpetrator: str | None
    victims: str | None
    status: str
    status_label: str
    summary: str
    citations: list[int]
    sourcing: Sourcing
    is_new: bool  # not in the previous report


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
    is_new: bool  # this status update was not in the previous report
    previous_status: str | None  # the status the previous report gave; None if it did not show the route
    previous_status_label: str | None

    @property
    def status_changed(self) -> bool:
        return self.previous_status is not None and self.previous_status != self.status


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
    is_new: bool  # not in the previous report


@dataclass
class Highlight:
    text: str
    citations: list[int] = field(default_factory=list)


@dataclass
class ReportContext:
    """Everything a template may show. Built by `build_context`; never computed in templates."""

    title: str
    crisis: str
    organisation: Organisation
    language: str
    edition: str  # 'public' or 'internal'
    paper: str
    disclaimer: str | None
    week: str  # '2016-W26'
    number: int  # the report's number in the series
    period: str  # '27 June – 3 July 2016'
    period_start: dt.date
    period_end: dt.date
    as_of: str
    as_of_date: dt.date
    next_report: str
    previous_week: str | None  # the previous report's week, '2016-W25'; None for the first report
    previous_number: int | None
    previous_period: str | None  # '20–26 June 2016'
    next_week: str | None  # the next report's week when the store already has it (building the archive)
    sections: list[str]
    overview: list[str]  # paragraphs
    highlights: list[Highlight]
    key_figures: list[KeyFigure]
    dropped_key_figures: list[DroppedFigure]  # in the previous report, not reported this week
    trapped_key_figures: list[KeyFigure]  # the key figures of civilians trapped, restated in their section
    trapped_figures: list[FigureRow]
    trapped_notes: list[str]
    routes: list[RouteRow]
    route_changes: list[RouteRow]  # routes whose status changed since the previous report
    routes_notes: list[str]
    movements: list[MovementRow]
    movements_notes: list[str]
    abuses: list[IncidentGroup]
    abuses_notes: list[str]
    context_events: list[IncidentRow]
    context_notes: list[str]
    other_figures: list[FigureRow]
    outlook: list[str]
    places: list[PlaceRef]
    sources: list[SourceEntry]
    fact_ids: list[str]  # every store entry shown, for tracing

    @property
    def document_title(self) -> str:
        return f"{self.title} — Report {self.number}, {self.period}"

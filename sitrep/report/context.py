"""The template contract: `ReportContext` and the plain data it holds, which every template
receives as `report`. docs/template-context.md is generated from these classes (their fields,
types and the comments beside them), and a test keeps it current. The facts a report shows are
facts.py's classes, its map situationmap.py's; store text prints as passage.py makes it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sitrep.language import Language, format_integer, gettext
from sitrep.report.facts import (DroppedFigure, FigureRow, IncidentGroup, IncidentRow, KeyFigure, MovementRow, PlaceRef,
                                 RouteRow)
from sitrep.report.situationmap import SituationMap


@dataclass
class Organisation:
    name: str
    contact: str | None
    url: str | None


@dataclass
class Contact:
    """One person to ask, from config.yaml's `contacts:` ("For further information")."""

    name: str
    role: str | None
    email: str | None
    phone: str | None


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
        return str(low) if low == high else f"{low}–{high}"  # Admiralty codes, like 'B2': Latin digits in every edition


@dataclass
class ProsePart:
    text: str
    citations: list[int] = field(default_factory=list)  # printed right after the text


@dataclass
class Prose:
    """A paragraph or a highlight: text whose numbers each carry their citations. The analyst's
    [[entry-id]] references become parts ('about 30,000–40,000 people' with its citation)."""

    parts: list[ProsePart]
    lang: str | None = None  # the text's language when it is not the edition's (an untranslated paragraph)
    direction: str | None = None  # 'rtl' or 'ltr' when it differs from the edition's
    stale: bool = False  # a translation made before its original last changed

    @property
    def text(self) -> str:
        """The plain text, each citation as '[1, 2]' after its words."""
        return "".join(part.text + (f" [{', '.join(map(str, part.citations))}]" if part.citations else "")
                       for part in self.parts)

    @property
    def citations(self) -> list[int]:
        return sorted({n for part in self.parts for n in part.citations})

    def __str__(self) -> str:
        return self.text


@dataclass
class ReportContext:
    """Everything a template may show. Built by `build_context`; never computed in templates."""

    title: str
    crisis: str
    organisation: Organisation
    contacts: list[Contact]  # "For further information", as config.yaml lists them
    language: str  # the edition's language, as config.yaml writes it: 'en', 'ar', 'fr'
    direction: str  # 'ltr', or 'rtl' for Arabic: <html dir>
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
    previous_gap: str | None  # '40 weeks earlier' when the previous report is more than one week back
    quiet: bool  # nothing new became known this week: the report restates the situation as last reported
    stale_after_weeks: int  # config's series.stale_after_weeks: after this long without a report, "no longer reported"
    next_week: str | None  # always None: a report knows nothing after its own date (kept for templates)
    sections: list[str]
    overview: list[Prose]  # paragraphs
    # "Since the last report", 3-6 lines: the analyst's highlights first, then what moved (key
    # figures, route statuses) and the new incidents by type, each number with its citations
    since_last: list[Prose]
    highlights: list[Prose]  # each one sentence, its numbers with their citations
    key_figures: list[KeyFigure]
    dropped_key_figures: list[DroppedFigure]  # no new report for config's series.stale_after_weeks: said once, then left out
    trapped_key_figures: list[KeyFigure]  # the key figures of civilians trapped, restated in their section
    trapped_figures: list[FigureRow]
    trapped_notes: list[Prose]
    routes: list[RouteRow]
    route_changes: list[RouteRow]  # routes whose status changed this week, against the last known status
    stale_routes: list[RouteRow]  # routes with no new report for series.stale_after_weeks: said once, then left out
    routes_last_reported: str | None  # when no route is current: the date of the last route report, if any
    routes_notes: list[Prose]
    movements: list[MovementRow]
    movements_notes: list[Prose]
    abuses: list[IncidentGroup]
    abuses_notes: list[Prose]
    context_events: list[IncidentRow]
    context_notes: list[Prose]
    other_figures: list[FigureRow]
    outlook: list[Prose]
    places: list[PlaceRef]
    sources: list[SourceEntry]
    fact_ids: list[str]  # every store entry shown, for tracing
    map: SituationMap | None  # None when no place the report mentions has coordinates
    untranslated: list[str]  # the languages of text printed untranslated ('en'), for the footer's note
    stale_translations: bool  # some translation printed was made from an earlier original (marked †)
    editions: list["EditionLink"]  # this report in every language config.yaml lists
    settings: Language  # the edition's language settings (tag, region, digits) its dates and numbers follow

    @property
    def arrow(self) -> str:
        """The arrow from a route's origin to its destination, in the direction text reads."""
        return "←" if self.direction == "rtl" else "→"

    @property
    def document_title(self) -> str:
        return gettext("%(title)s — Report %(number)s, %(period)s") % {
            "title": self.title, "number": format_integer(self.number), "period": self.period}


@dataclass
class EditionLink:
    """The same report in another language."""

    language: str  # 'ar'
    name: str  # the language's name in itself: 'العربية', 'Français'
    file: str  # the report's file name, relative to this one: 'fallujah-sitrep-2016-W26-ar.html'
    current: bool  # the edition this is

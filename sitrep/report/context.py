"""The template contract: `ReportContext` and the plain data it holds, which every template
receives as `report`. docs/template-context.md is generated from these classes (their fields,
types and the comments beside them), and a test keeps it current.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field

from sitrep.language import Language, format_integer, gettext


class Passage(str):
    """Store text as an edition prints it: a string, with what a reader must know about its
    language. In the edition's language it prints as it is. Without a translation it is the
    original, `lang` says its language, and it prints marked as untranslated, in an element
    whose `lang` gives hyphenation, fonts and screen readers the right language. A translation
    made from an earlier version of its original (`stale`) prints marked as possibly out of
    date. In an HTML attribute, print it with `| plain`: its words without the marks."""

    lang: str | None  # the text's language when it is not the edition's ('en' in an Arabic edition)
    direction: str | None  # 'rtl' or 'ltr' when it differs from the edition's
    untranslated: bool  # the original, printed for want of a translation: marked with its language
    stale: bool  # a translation made before its original last changed

    def __new__(cls, text: str, lang: str | None = None, direction: str | None = None, *,
                untranslated: bool = False, stale: bool = False):
        passage = super().__new__(cls, text)
        passage.lang, passage.direction = lang, direction
        passage.untranslated, passage.stale = untranslated, stale
        return passage

    def __reduce__(self):
        return (_passage, (str(self), self.lang, self.direction, self.untranslated, self.stale))

    def __html__(self) -> str:
        """What Jinja prints for {{ passage }}: the escaped text, marked as its language needs."""
        return marked(html.escape(str(self)), self.lang, self.direction, self.untranslated, self.stale)


def marked(inner_html: str, lang: str | None, direction: str | None, untranslated: bool, stale: bool) -> str:
    """HTML of a text (a Passage, a paragraph of Prose) in the element its language needs, and
    followed by the marks of an untranslated text (its language code) or a stale translation (†)."""
    if lang:
        attributes = f" lang='{html.escape(lang)}'" + (f" dir='{direction}'" if direction else "")
        inner_html = f"<span{attributes}>{inner_html}</span>"
    if untranslated and lang:
        title = html.escape(gettext("Not yet translated: shown in its original language"))
        inner_html += f"<sup class='language-mark' title='{title}'>{html.escape(lang.upper())}</sup>"
    if stale:
        title = html.escape(gettext("Translated from an earlier version of the original text"))
        inner_html += f"<sup class='stale-mark' title='{title}'>†</sup>"
    return inner_html


class Joined(str):
    """sitrep's own words and store text joined into one string ('30 killed. Many of the dead
    were women.'): each part prints as it needs, so that an untranslated part alone is marked
    with its language, never the words sitrep wrote in the edition's."""

    parts: tuple[str, ...]

    def __new__(cls, *parts: str):
        joined = super().__new__(cls, "".join(parts))
        joined.parts = parts
        return joined

    def __reduce__(self):
        return (Joined, self.parts)

    def __html__(self) -> str:
        return "".join(part.__html__() if hasattr(part, "__html__") else html.escape(part) for part in self.parts)


def _passage(text, lang, direction, untranslated, stale) -> Passage:
    return Passage(text, lang, direction, untranslated=untranslated, stale=stale)


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
    """A key figure against its last known value in the series (however long ago that was)."""

    # 'up', 'down', 'changed' (a range widened or narrowed), 'unchanged', 'new' (never reported
    # before in this series) or 'carried' (no new report this week: the last known value holds)
    direction: str
    text: str  # 'up from 20,000 (as of 3 June 2016)', 'new in this series', 'no new report since 3 June 2016'
    previous: str | None  # the last known number or range, '20,000–25,000'


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
    previous_status: str | None  # the last known status before this week's news; None if none or no news
    previous_status_label: str | None
    previous_as_of: str | None  # the date of that last known status
    since: str | None  # 'no new report since 3 June 2016' when this week brought no update of the route
    concurrent: bool  # another update of the same route overlaps this one in time: both are shown
    superseded_by: str | None  # 'an update as of 23 September 2016': this week's update, already replaced

    @property
    def status_changed(self) -> bool:
        return self.previous_status is not None and self.previous_status != self.status and not self.superseded_by


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
class MapPoint:
    """A place the report mentions, on the map."""

    id: str
    name: str
    kind: str  # the place's kind: city, town, neighbourhood, camp, checkpoint...
    lat: float
    lon: float


@dataclass
class MapRoute:
    """A route as last reported by the report's end, along its waypoints."""

    id: str
    name: str
    status: str  # open, restricted, unsafe, closed, unknown: how the line is drawn
    status_label: str
    as_of: str
    points: list[tuple[float, float]]  # (lat, lon) of its origin, waypoints and destination


@dataclass
class MapIncidents:
    """The week's incidents of one kind (abuses, or other events) at one place."""

    ids: list[str]
    category: str  # 'abuse' or 'event'
    place: str
    lat: float
    lon: float
    types: list[str]  # their types' labels, for the map's words


@dataclass
class MapArea:
    """An area of control or a front line as last reported by the report's end."""

    id: str
    name: str
    shape: str  # 'area' (an outline) or 'line' (a front line)
    controlled_by: list[str]
    as_of: str
    rings: list[list[tuple[float, float]]]  # (lat, lon) points of each outline or line
    summary: str | None
    citations: list[int]
    sourcing: "Sourcing"
    is_new: bool  # this report of it entered the series in this report


@dataclass
class MapLayer:
    """One outline of the basemap (config.yaml's basemap:)."""

    name: str
    kind: str  # river, road, boundary or built_up
    lines: list[list[tuple[float, float]]]
    areas: list[list[tuple[float, float]]]


@dataclass
class SituationMap:
    """The map of the week: what the report mentions, where, as of its end (README, "The map")."""

    as_of: str
    points: list[MapPoint]
    routes: list[MapRoute]
    incidents: list[MapIncidents]
    areas: list[MapArea]
    layers: list[MapLayer]
    attributions: list[str]  # each basemap outline's credit: 'Euphrates: hand-drawn ... (CC0 1.0)'
    description: str  # the map in words: its alternate text for screen readers


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
    next_week: str | None  # the next report's week when the store already has it (building the archive)
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

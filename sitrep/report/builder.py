"""The report stage's builder: one week of the series turned into a `ReportContext`.

The report's logic lives here and in the modules it calls: what enters the series when and what
a report's news is (report/series.py, report/timeline.py), what still holds at its end and how
it changed (report/state.py; the key figures in report/keyfigures.py, the routes in
report/routes.py), how conflicting reports combine into a range, the analyst's words with their
references (report/prose.py), the citation numbers in reading order and the sources
list (report/citations.py), and what a public edition must leave out. The context
(report/context.py) is plain data; templates only present it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Iterable

from sitrep.errors import StoreError
from sitrep.report.citations import CitationIndex, number_in_reading_order
from sitrep.report.context import Contact, Organisation, Prose, ProsePart, ReportContext
from sitrep.report.facts import FigureRow, IncidentGroup, IncidentRow, MovementRow, PlaceRef, Sourcing
from sitrep.report.passage import Joined
from sitrep.report.situationmap import MapArea
from sitrep.language import N_, Language, format_integer, ngettext, speaking
from sitrep.language import gettext as _
from sitrep.report.geography import situation_map
from sitrep.report.formatting import format_amount
from sitrep.report.keyfigures import dropped_key_figure, key_figure, key_of_figure
from sitrep.report.routes import last_reported, rows_of_route
from sitrep.report.highlights import automatic_highlights, since_last_lines
from sitrep.report.prose import expand, printed_narrative, refused_narrative
from sitrep.report.series import Series, resolve_week, series_of
from sitrep.report.state import State, states
from sitrep.report.timeline import Arrival, current, latest_day
from sitrep.source import vocabulary as vocab
from sitrep.source.areafiles import area_shape
from sitrep.source.config import Config
from sitrep.source.dates import IsoWeek, format_day, format_fuzzy, format_span
from sitrep.report.translation import Translator
from sitrep.source.entries import Store
from sitrep.source.provenance import Grade, grade
from sitrep.source.schema import NARRATIVE_REFERENCE, Amount, Area, Citation, Figure, Incident, Model, Movement, Route

def build_context(store: Store, config: Config, week: IsoWeek | str | None = None,
                  edition: str | None = None, language: str | None = None,
                  as_of: dt.date | None = None) -> ReportContext:
    """One week's report (default: the latest) in `edition` and `language` (default: config.yaml's),
    as of a day (default: the day the store was checked against): only a week that ended
    before it has a report."""
    edition = edition or config.edition
    series = series_of(store, config.series, edition, as_of)
    if isinstance(week, IsoWeek) and week not in series.position:
        week = str(week)  # resolve_week says why there is no report of it
    if not isinstance(week, IsoWeek):
        week = resolve_week(series, store, week)
    with speaking(config.edition_language(language)) as spoken:
        context = _Builder(store, config, week, edition, series, spoken).build()
        return number_in_reading_order(context)



class _Builder:
    def __init__(self, store: Store, config: Config, week: IsoWeek, edition: str, series: Series,
                 language: Language):
        self.store = store
        self.language = language
        self.translator = Translator(language, config.store_language)
        self.config = config
        self.week = week
        self.edition = edition
        self.series = series
        # What entered the series in this report: its news, presented as new here and only here.
        self.news = series.arrived_in(week)
        self.previous = series.previous(week)
        self.citations = CitationIndex(store, edition, self.translator)
        self.places_used: dict[str, PlaceRef] = {}
        self.fact_ids: list[str] = []

    # Selection -----------------------------------------------------------------------------

    def visible(self, entry: Model) -> bool:
        """Restricted entries exist only in the internal edition."""
        return self.edition == "internal" or getattr(entry, "sensitivity", "public") == "public"

    def news_of(self, kind: type) -> list:
        return [a.entry for a in self.news if isinstance(a.entry, kind)]

    def narrative(self, section: str) -> list:
        return [n for n in printed_narrative(self.store, self.week, self.edition) if n.section == section]

    def paragraphs(self, section: str) -> list[Prose]:
        """The analyst's words for a section in the edition's language, each [[id]] printed
        with its citations."""
        paragraphs = []
        for entry in self.narrative(section):
            for value in ([entry.text] if entry.text else []) + list(entry.items):
                choice = self.translator.choose(value)
                for text in (" ".join(p.split()) for p in choice.text.split("\n\n") if p.strip()):
                    prose = expand(text, self.reference)
                    prose.lang, prose.direction, prose.stale = choice.lang, choice.direction, choice.stale
                    paragraphs.append(prose)
        return paragraphs

    def referenced(self, section: str) -> set[str]:
        """The ids the analyst's words for a section refer to as [[id]], in any language."""
        return {match[1] for entry in self.narrative(section)
                for value in ([entry.text] if entry.text else []) + list(entry.items)
                for _where, text in value.variants() for match in NARRATIVE_REFERENCE.finditer(text)}

    def reference(self, entry_id: str) -> ProsePart:
        """What an [[id]] in the narrative prints: a figure as the tables print it (attributed
        when weakly sourced), anything else as its citations."""
        figure = self.store.figures.get(entry_id)
        if figure is not None:
            text = format_amount(figure, figure.unit)
            sourcing = self.sourcing(figure.cited)
            if sourcing.weak:  # marked, as the tables mark it; its citation names the source
                text += " " + _("(unconfirmed, one source, %(grade)s)") % {"grade": sourcing.grade}
            return ProsePart(text, self.cite(figure.id, figure.cited))
        if entry_id in self.store.routes or entry_id in self.store.areas:  # as last reported by this report's end
            known = [a for a in self.series.known_by(self.week) if a.update is not None and a.entry.id == entry_id]
            return ProsePart("", self.cite(entry_id, [c for a in current(known)[0] for c in a.cited]))
        entry = self.store.incidents.get(entry_id) or self.store.movements[entry_id]
        return ProsePart("", self.cite(entry.id, entry.cited))

    # Shared pieces ---------------------------------------------------------------------------

    def place(self, place_id: str) -> PlaceRef:
        if place_id not in self.places_used:
            place = self.store.places[place_id]
            self.places_used[place_id] = PlaceRef(place.id, self.translator.name(place.name, place.names),
                                                  self.translator.other_names(place.name, place.names))
        return self.places_used[place_id]

    def actor(self, actor_id: str | None) -> str | None:
        if actor_id is None:
            return None
        actor = self.store.actors[actor_id]
        return self.translator.name(actor.name, actor.names)

    def reported_by_now(self, cited: Iterable[Citation]) -> list[Citation]:
        """The citations this report can know of: undated ones, and those dated by its end (one
        dated to a week or month counts from its last day, as known_on counts it). A source that
        spoke after the report is never in it: not cited, not graded, not in its sources list."""
        return [c for c in cited if c.date is None or c.date.end <= self.week.end]

    def sourcing(self, cited: Iterable[Citation]) -> Sourcing:
        graded = grade(self.reported_by_now(cited), self.store.sources)
        return Sourcing(
            sources=graded.independent_sources,
            grade=graded.code,
            explanation=explain(graded),
            weak=graded.weak,
            attributed_to=self.citations.source_name(graded.originators[0]) if graded.weak else "",
        )

    def cite(self, entry_id: str, cited: Iterable[Citation]) -> list[int]:
        """The citations' numbers (provisional: number_in_reading_order renumbers them as printed)."""
        if entry_id not in self.fact_ids:
            self.fact_ids.append(entry_id)
        return sorted({self.citations.number(c) for c in self.reported_by_now(cited)})

    # The report ------------------------------------------------------------------------------

    def build(self) -> ReportContext:
        # Whatever checks ran before: a report that printed what its edition withholds is out for good.
        problems = refused_narrative(self.store, self.series, [self.week], self.edition)
        if problems:
            raise StoreError(problems)
        config, week, series = self.config, self.week, self.series
        figures = self.news_of(Figure)
        incidents = self.news_of(Incident)
        movements = self.news_of(Movement)
        overview = self.paragraphs("overview")
        written_highlights = self.paragraphs("highlights")
        key_metrics = list(config.key_metrics)
        key_states = [s for s in states(series, week, key_of_figure(key_metrics))]
        key_states.sort(key=lambda s: key_metrics.index(s.key[0]))  # in the config's order of metrics
        key_figures = [key_figure(self, state) for state in key_states if not state.stale]
        route_states = states(series, week, lambda a: a.entry.id if isinstance(a.entry, Route) else None)
        route_rows = [row for state in route_states if not state.stale for row in rows_of_route(self, state)]
        route_changes = [row for row in route_rows if row.status_changed]
        area_states = states(series, week, lambda a: a.entry.id if isinstance(a.entry, Area) else None)
        areas = [self.map_area(a) for state in area_states if not state.stale for a in state.holding]
        highlights = written_highlights or automatic_highlights(self, key_figures, incidents, route_rows, route_changes)
        since_last = since_last_lines(self, written_highlights, key_figures, route_rows, route_changes, incidents,
                                      self.referenced("highlights"))
        # Figures that are not key figures go in their section's table, or under "other figures".
        non_key = [f for f in figures if f.metric not in key_metrics]
        trapped = self.figure_rows([f for f in non_key if vocab.METRICS[f.metric].section == "trapped"])
        movement_rows = [self.movement_row(m) for m in movements]
        abuse_incidents = [i for i in incidents if vocab.INCIDENT_TYPES[i.type].category == "abuse"]
        abuses = self.incident_groups(abuse_incidents)
        events = [self.incident_row(i) for i in self.by_date(i for i in incidents if vocab.INCIDENT_TYPES[i.type].category == "event")]
        other = self.figure_rows([f for f in non_key if vocab.METRICS[f.metric].section != "trapped"])
        previous = self.previous
        org, text = config.organisation, self.translator.text
        # The page's own words first: what is printed untranslated is gathered as the context is built.
        context = ReportContext(
            title=text(config.title),
            crisis=text(config.crisis),
            organisation=Organisation(text(org.name), self.translator.lines(org.contact), org.url),
            contacts=[Contact(c.name, text(c.role) if c.role else None, c.email, c.phone) for c in config.contacts],
            language=self.language.tag,
            direction=self.language.direction,
            edition=self.edition,
            paper=config.paper,
            disclaimer=self.translator.lines(config.disclaimer),
            week=str(week),
            number=series.number(week),
            period=format_span(week.start, week.end),
            period_start=week.start,
            period_end=week.end,
            as_of=format_day(week.end),
            as_of_date=week.end,
            # From the cadence as of the report's date, never from later facts: a week after it.
            next_report=format_day(week.shifted(1).end),
            previous_week=str(previous) if previous else None,
            previous_number=series.number(previous) if previous else None,
            previous_period=format_span(previous.start, previous.end) if previous else None,
            previous_gap=_gap(previous, week),
            quiet=series.is_quiet(week),
            stale_after_weeks=series.stale_after_weeks,
            next_week=None,  # the report knows nothing after its own date (docs/report.md, "No hindsight")
            sections=list(config.sections or vocab.DEFAULT_SECTIONS),  # config.yaml may choose and order them
            overview=overview,
            since_last=since_last,
            highlights=highlights,
            key_figures=key_figures,
            dropped_key_figures=sorted((replace(dropped_key_figure(self, s), weeks_unreported=_weeks_unreported(week, s))
                                        for s in key_states if s.newly_stale), key=lambda d: d.weeks_unreported),
            trapped_key_figures=[f for f in key_figures if f.metric == "civilians_trapped"],
            trapped_figures=trapped,
            trapped_notes=self.paragraphs("trapped"),
            routes=route_rows,
            route_changes=route_changes,
            # each with its own count: routes that went stale together may have fallen silent apart
            stale_routes=_said_once(sorted((replace(row, weeks_unreported=_weeks_unreported(week, state))
                                            for state in route_states if state.newly_stale
                                            for row in rows_of_route(self, state)),
                                           key=lambda row: row.weeks_unreported)),
            routes_last_reported=last_reported(route_states),
            routes_notes=self.paragraphs("routes"),
            movements=movement_rows,
            movements_notes=self.paragraphs("movements"),
            abuses=abuses,
            abuses_notes=self.paragraphs("abuses"),
            context_events=events,
            context_notes=self.paragraphs("context"),
            other_figures=other,
            outlook=self.paragraphs("outlook"),
            places=sorted(self.places_used.values(), key=lambda p: p.name),
            sources=self.citations.entries(),
            fact_ids=self.fact_ids,
            map=None,  # below, once every place the report mentions is known
            untranslated=[],
            stale_translations=False,
            editions=[],
            settings=self.language,
        )
        context.map = situation_map(format_day(week.end), {pid: self.store.places[pid] for pid in self.places_used},
                                    {pid: ref.name for pid, ref in self.places_used.items()}, route_rows,
                                    [row for group in abuses for row in group.incidents] + events, areas,
                                    config.basemap_layers)
        context.untranslated = sorted(self.translator.untranslated)
        context.stale_translations = self.translator.stale
        return context

    def figure_rows(self, figures: list[Figure]) -> list[FigureRow]:
        rows = []
        for figure in sorted(figures, key=lambda f: (list(vocab.METRICS).index(f.metric), f.place, f.as_of.start)):
            rows.append(FigureRow(figure.id, _(vocab.METRICS[figure.metric].label), self.place(figure.place),
                                  format_amount(figure, figure.unit), format_fuzzy(figure.as_of),
                                  self.translator.text(figure.note),
                                  self.cite(figure.id, figure.cited), self.sourcing(figure.cited),
                                  True))  # other figures are news in the one report they enter
        return rows

    def route_name(self, route: Route) -> str:
        if route.name:
            return self.translator.text(route.name)
        return f"{self.place(route.origin).name} – {self.place(route.destination).name}"

    def map_area(self, arrival: Arrival) -> MapArea:
        """An area of control (or a front line) as this report of it drew it."""
        area, update = arrival.entry, arrival.update
        return MapArea(area.id, self.translator.text(area.name), "line" if area.shape == "front_line" else "area",
                       [self.actor(a) for a in update.controlled_by], format_fuzzy(update.as_of),
                       area_shape(self.store, update), self.translator.text(update.summary),
                       self.cite(area.id, update.cited), self.sourcing(update.cited), arrival in self.news)

    def movement_row(self, movement: Movement) -> MovementRow:
        return MovementRow(
            id=movement.id,
            period=format_fuzzy(movement.period),
            origin=self.place(movement.origin),
            destination=self.place(movement.destination),
            route=self.route_name(self.store.routes[movement.route])
            if movement.route and self.visible(self.store.routes[movement.route]) else None,
            count=format_amount(movement.count, movement.unit) if movement.count else _("not reported"),
            summary=self.translator.text(movement.summary),
            citations=self.cite(movement.id, movement.cited),
            sourcing=self.sourcing(movement.cited),
            is_new=True,  # a movement is news in the one report it enters
        )

    def by_date(self, incidents: Iterable[Incident]) -> list[Incident]:
        return sorted(incidents, key=lambda i: (i.date.start, i.date.end, i.id))

    def incident_groups(self, incidents: list[Incident]) -> list[IncidentGroup]:
        """Abuses grouped by type, in the vocabulary's order, each group by date."""
        groups = []
        for code, kind in vocab.INCIDENT_TYPES.items():
            members = [i for i in incidents if i.type == code]
            if members:
                groups.append(IncidentGroup(code, _(kind.label), _(kind.description),
                                            [self.incident_row(i) for i in self.by_date(members)]))
        return groups

    def incident_row(self, incident: Incident) -> IncidentRow:
        return IncidentRow(
            id=incident.id,
            type=incident.type,
            type_label=_(vocab.INCIDENT_TYPES[incident.type].label),
            date=format_fuzzy(incident.date),
            place=self.place(incident.place),
            perpetrator=self.actor(incident.perpetrator),
            victims=self.victims_text(incident),
            status=incident.status,
            status_label=_(vocab.INCIDENT_STATUSES[incident.status]),
            summary=self.translator.text(incident.summary),
            citations=self.cite(incident.id, incident.cited),
            sourcing=self.sourcing(incident.cited),
            is_new=True,  # an incident is news in the one report it enters
            record=_("ACLED event %(id)s") % {"id": incident.imported.record}
            if incident.imported and incident.imported.dataset == "acled" else None,
        )

    def victims_text(self, incident: Incident) -> str | None:
        victims = incident.victims
        if victims is None:
            return None
        parts = []
        for outcome in ("killed", "injured", "affected"):
            amount: Amount | None = getattr(victims, outcome)
            if amount is not None:
                parts.append(_(VICTIM_OUTCOMES[outcome]) % {"number": format_amount(amount)})
        if (amount := victims.fatalities) is not None:  # deaths of any party (ACLED's, uncoded): said as such
            count = int(amount.value if amount.value is not None else amount.high)
            parts.append(ngettext("%(number)s fatality, civilian status not coded",
                                  "%(number)s fatalities, civilian status not coded", count)
                         % {"number": format_amount(amount)})
        text = _("; ").join(parts)
        description = self.translator.text(victims.description)
        if description and text:
            # '%(victims)s. %(description)s', the description keeping its own language's marks
            before, __, after = _("%(victims)s. %(description)s").partition("%(description)s")
            return Joined(before % {"victims": text}, description, after % {"victims": text})
        return description or text


def explain(graded: Grade) -> str:
    """'Source usually reliable (B); information probably true (2).' in the edition's language."""
    text = _(vocab.RELIABILITY_EXPLAINED[graded.reliability])
    if graded.credibility is not None:
        text = _("%(reliability)s; %(credibility)s.") % {
            "reliability": text, "credibility": _(vocab.CREDIBILITY_EXPLAINED[graded.credibility])}
    else:
        text = _("%(reliability)s.") % {"reliability": text}
    return text


def _said_once(rows: list) -> list:
    """Stale route rows as their line prints them (route, status, date): two concurrent updates
    that differ only in what the line leaves out (hazards, summary) are said once, with the
    citations of both."""
    said: dict[tuple, object] = {}
    for row in rows:
        line = (row.id, row.status, row.as_of)
        if line in said:
            said[line] = replace(said[line], citations=sorted({*said[line].citations, *row.citations}))
        else:
            said[line] = row
    return list(said.values())


def _weeks_unreported(week: IsoWeek, state: State) -> int:
    """How many whole weeks a key figure or route has gone without a new report by the week's
    end: the real count, however long the gap in the series."""
    return (week.end - latest_day(state.holding)).days // 7


def _gap(previous: IsoWeek | None, week: IsoWeek) -> str | None:
    """'40 weeks earlier' when the previous report is not the week before."""
    if previous is None:
        return None
    weeks = (week.start - previous.start).days // 7
    return ngettext("%(count)s week earlier", "%(count)s weeks earlier", weeks) % {"count": format_integer(weeks)} \
        if weeks > 1 else None


VICTIM_OUTCOMES = {"killed": N_("%(number)s killed"), "injured": N_("%(number)s injured"),
                   "affected": N_("%(number)s affected")}

"""The report stage's builder: one week of the store turned into a `ReportContext`.

All the report's logic lives here — which facts belong to the week, which figures are key,
how conflicting reports combine into a range, what gets a citation number and in what order,
what a public edition must leave out. The context (report/context.py) is plain data;
templates only present it. The series of weeks is report/series.py's, the citation numbers
and sources list report/citations.py's.
"""

from __future__ import annotations

import bisect
import datetime as dt
from typing import Iterable

from sitrep.errors import PeriodError, Problem, display_path
from sitrep.report.citations import CitationIndex
from sitrep.report.context import (Change, DroppedFigure, FigureReport, FigureRow, Highlight, IncidentGroup,
                                   IncidentRow, KeyFigure, MovementRow, Organisation, PlaceRef, ReportContext, RouteRow,
                                   Sourcing, TrendPoint)
from sitrep.report.formatting import amount_bounds, format_amount, format_range, unit_word
from sitrep.report.series import available_weeks, resolve_week
from sitrep.source import vocabulary as vocab
from sitrep.source.config import Config
from sitrep.source.dates import FuzzyDate, IsoWeek, format_day, format_fuzzy, format_span
from sitrep.source.provenance import grade
from sitrep.source.schema import Amount, Citation, Figure, Incident, Model, Movement, Route, RouteUpdate
from sitrep.source.store import Store

MAX_AUTOMATIC_HIGHLIGHTS = 5


def build_context(store: Store, config: Config, week: IsoWeek | str | None = None,
                  edition: str | None = None) -> ReportContext:
    edition = edition or config.edition
    if not isinstance(week, IsoWeek):
        week = resolve_week(store, week, edition)
    builder = _Builder(store, config, week, edition)
    return builder.build()


class _Builder:
    def __init__(self, store: Store, config: Config, week: IsoWeek, edition: str):
        self.store = store
        self.config = config
        self.week = week
        self.edition = edition
        self.first, self.last = week.start, week.end
        self.weeks = available_weeks(store, edition)
        self.week_starts = [w.start for w in self.weeks]
        self.position = self.weeks.index(week)
        # The previous report of this edition's series: what "new" and "changed" compare with.
        self.previous = self.weeks[self.position - 1] if self.position > 0 else None
        self.citations = CitationIndex(store, edition)
        self.places_used: dict[str, PlaceRef] = {}
        self.fact_ids: list[str] = []

    # Selection -----------------------------------------------------------------------------

    def visible(self, entry: Model) -> bool:
        """Restricted entries exist only in the internal edition."""
        return self.edition == "internal" or getattr(entry, "sensitivity", "public") == "public"

    def in_week(self, date: FuzzyDate) -> bool:
        return date.overlaps(self.first, self.last)

    def week_figures(self) -> list[Figure]:
        return [f for f in self.store.figures.values() if self.visible(f) and self.in_week(f.as_of)]

    def is_new(self, date: FuzzyDate) -> bool:
        """Not in the previous report: its date does not reach into that report's week."""
        return self.previous is not None and not date.overlaps(self.previous.start, self.previous.end)

    def week_incidents(self) -> list[Incident]:
        return [i for i in self.store.incidents.values() if self.visible(i) and self.in_week(i.date)]

    def narrative(self, section: str) -> list:
        return [n for n in self.store.narrative.values()
                if n.week == str(self.week) and n.section == section and self.visible(n)]

    def paragraphs(self, section: str) -> list[str]:
        paragraphs = []
        for entry in self.narrative(section):
            if entry.text:
                paragraphs += [" ".join(p.split()) for p in entry.text.split("\n\n") if p.strip()]
            paragraphs += entry.items
        return paragraphs

    # Shared pieces ---------------------------------------------------------------------------

    def place(self, place_id: str) -> PlaceRef:
        if place_id not in self.places_used:
            place = self.store.places[place_id]
            self.places_used[place_id] = PlaceRef(place.id, place.name, dict(place.names))
        return self.places_used[place_id]

    def actor(self, actor_id: str | None) -> str | None:
        return self.store.actors[actor_id].name if actor_id else None

    def sourcing(self, cited: Iterable[Citation]) -> Sourcing:
        graded = grade(cited, self.store.sources)
        return Sourcing(
            sources=graded.independent_sources,
            grade=graded.code,
            explanation=graded.explanation,
            weak=graded.weak,
            attributed_to=self.citations.source_name(graded.originators[0]) if graded.weak else "",
        )

    def cite(self, entry_id: str, cited: Iterable[Citation]) -> list[int]:
        if entry_id not in self.fact_ids:
            self.fact_ids.append(entry_id)
        return sorted({self.citations.number(c) for c in cited})

    # Sections, in print order so that citation numbers run 1, 2, 3 down the page -------------

    def build(self) -> ReportContext:
        config, week = self.config, self.week
        figures = self.week_figures()
        incidents = self.week_incidents()
        routes = self.week_routes()
        movements = [m for m in self.store.movements.values() if self.visible(m) and self.in_week(m.period)]
        if not (figures or incidents or routes or movements):
            raise PeriodError(Problem(display_path(self.store.root), 0,
                                      f"week {week} has no facts that this {self.edition} edition may show",
                                      expected="a week with public facts, or --edition internal"))
        overview = self.paragraphs("overview")
        written_highlights = [Highlight(text) for text in self.paragraphs("highlights")]
        key_metrics = list(config.key_metrics)
        previous_key = self.previous_key_reports(key_metrics)
        key_figures = self.key_figures(figures, key_metrics, previous_key)
        route_rows = [self.route_row(route, update) for route, update in routes]
        route_changes = [row for row in route_rows if row.status_changed]
        highlights = written_highlights or self.automatic_highlights(key_figures, incidents, routes, route_changes)
        # Figures that are not key figures go in their section's table, or under "other figures".
        non_key = [f for f in figures if f.metric not in key_metrics]
        trapped = self.figure_rows([f for f in non_key if vocab.METRICS[f.metric].section == "trapped"])
        movement_rows = [self.movement_row(m) for m in movements]
        abuse_incidents = [i for i in incidents if vocab.INCIDENT_TYPES[i.type].category == "abuse"]
        abuses = self.incident_groups(abuse_incidents)
        events = [self.incident_row(i) for i in self.by_date(i for i in incidents if vocab.INCIDENT_TYPES[i.type].category == "event")]
        other = self.figure_rows([f for f in non_key if vocab.METRICS[f.metric].section != "trapped"])
        weeks, position, previous = self.weeks, self.position, self.previous
        org = config.organisation
        return ReportContext(
            title=config.title,
            crisis=config.crisis,
            organisation=Organisation(org.name, org.contact, org.url),
            language=config.language,
            edition=self.edition,
            paper=config.paper,
            disclaimer=config.disclaimer,
            week=str(week),
            number=position + 1,
            period=format_span(week.start, week.end),
            period_start=week.start,
            period_end=week.end,
            as_of=format_day(week.end),
            as_of_date=week.end,
            next_report=format_day(week.end + dt.timedelta(days=7)),
            previous_week=str(previous) if previous else None,
            previous_number=position if previous else None,
            previous_period=format_span(previous.start, previous.end) if previous else None,
            next_week=str(weeks[position + 1]) if position + 1 < len(weeks) else None,
            sections=list(config.sections or vocab.SECTIONS),  # config.yaml may choose and order them
            overview=overview,
            highlights=highlights,
            key_figures=key_figures,
            dropped_key_figures=self.dropped_key_figures(key_figures, previous_key),
            trapped_key_figures=[f for f in key_figures if f.metric == "civilians_trapped"],
            trapped_figures=trapped,
            trapped_notes=self.paragraphs("trapped"),
            routes=route_rows,
            route_changes=route_changes,
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
        )

    def key_figures(self, figures: list[Figure], key_metrics: list[str],
                    previous: dict[tuple[str, str], list[Figure]]) -> list[KeyFigure]:
        """One key figure per metric and place: the latest reports, combined into the range
        they span. Reports that disagree are kept side by side, never averaged."""
        return [self.key_figure(metric, place_id, reports, previous.get((metric, place_id)))
                for (metric, place_id), reports in _key_reports(figures, key_metrics).items()]

    def previous_key_reports(self, key_metrics: list[str]) -> dict[tuple[str, str], list[Figure]]:
        """(metric, place) -> the reports the previous report's key figures were made from."""
        if self.previous is None:
            return {}
        figures = [f for f in self.store.figures.values()
                   if f.metric in key_metrics and self.visible(f) and f.as_of.overlaps(self.previous.start, self.previous.end)]
        return _key_reports(figures, key_metrics)

    def dropped_key_figures(self, shown: list[KeyFigure],
                            previous: dict[tuple[str, str], list[Figure]]) -> list[DroppedFigure]:
        """Key figures of the previous report that no source reports this week: say so, rather
        than let a number silently vanish."""
        current = {(f.metric, f.place.id) for f in shown}
        dropped = []
        for (metric, place_id), reports in previous.items():
            if (metric, place_id) not in current:
                low, high = _span(reports)
                dropped.append(DroppedFigure(metric, vocab.METRICS[metric].label, self.place(place_id),
                                             " ".join(w for w in (_common_qualifier(reports), format_range(low, high)) if w),
                                             unit_word(reports[0].unit, reports[0] if len(reports) == 1 else None),
                                             format_fuzzy(reports[0].as_of), self.position))
        return dropped

    def trend(self, metric: str, place_id: str) -> list[TrendPoint]:
        """The key figure in every report of the series up to this one (oldest first). Each
        figure is placed in the weeks its date overlaps by bisecting the week starts, so the
        cost follows the figure's own reports, not the length of the series."""
        weeks = self.weeks[:self.position + 1]
        starts = self.week_starts[:self.position + 1]
        in_week: dict[int, list[Figure]] = {}
        for figure in self.store.figures.values():
            if figure.metric != metric or figure.place != place_id or not self.visible(figure):
                continue
            first, last = figure.as_of.start, figure.as_of.end
            i = max(bisect.bisect_right(starts, first) - 1, 0)
            while i < len(weeks) and starts[i] <= last:
                if first <= starts[i] + dt.timedelta(days=6):  # overlaps Monday..Sunday of week i
                    in_week.setdefault(i, []).append(figure)
                i += 1
        return [TrendPoint(str(weeks[i]), i + 1, *_span(_latest_reports(in_week[i]))) for i in sorted(in_week)]

    def change(self, low: float, high: float, previous: list[Figure] | None) -> Change | None:
        if self.previous is None:
            return None
        since = f"report {self.position}"
        if not previous:
            return Change("new", "new in this report", None)
        before_low, before_high = _span(previous)
        before = format_range(before_low, before_high)
        if (low, high) == (before_low, before_high):
            return Change("unchanged", f"unchanged since {since}", before)
        if low >= before_low and high >= before_high:
            direction = "up"
        elif low <= before_low and high <= before_high:
            direction = "down"
        else:  # a range that widened or narrowed both ways: neither up nor down
            return Change("changed", f"now {format_range(low, high)}, was {before} ({since})", before)
        return Change(direction, f"{direction} from {before} ({since})", before)

    def key_figure(self, metric: str, place_id: str, reports: list[Figure],
                   previous: list[Figure] | None) -> KeyFigure:
        bounds = [amount_bounds(f) for f in reports]
        low, high = _span(reports)
        qualifier = _common_qualifier(reports)
        units = {f.unit for f in reports}
        unit = units.pop() if len(units) == 1 else reports[0].unit
        report_rows = [FigureReport(f.id, format_amount(f, f.unit), format_fuzzy(f.as_of), f.note, self.cite(f.id, f.cited),
                                    [self.citations.credit(c) for c in f.cited], self.sourcing(f.cited),
                                    self.is_new(f.as_of))
                       for f in reports]
        single = reports[0] if len(reports) == 1 else None
        return KeyFigure(
            metric=metric,
            label=vocab.METRICS[metric].label,
            place=self.place(place_id),
            number=format_range(low, high),
            qualifier=qualifier,
            unit=unit_word(unit, single),
            as_of=format_fuzzy(reports[0].as_of),
            low=low,
            high=high,
            reports=report_rows,
            conflicting=len(set(bounds)) > 1,
            citations=sorted({n for r in report_rows for n in r.citations}),
            sourcing=self.sourcing(c for f in reports for c in f.cited),
            change=self.change(low, high, previous),
            trend=self.trend(metric, place_id),
        )

    def automatic_highlights(self, key_figures: list[KeyFigure], incidents: list[Incident],
                             routes: list[tuple[Route, RouteUpdate]], route_changes: list[RouteRow]) -> list[Highlight]:
        """When the analyst wrote no highlights: the key figures, the deadliest abuses and the
        routes that are closed or unsafe, each with its citations. A weakly sourced one is
        attributed to its source instead of stated as fact."""
        highlights = []
        for figure in key_figures:
            amount = " ".join(w for w in (figure.qualifier, figure.number, figure.unit) if w)
            text = f"{figure.label} in {figure.place.name}: {amount} (as of {figure.as_of})."
            highlights.append(Highlight(attributed(text, figure.sourcing), figure.citations))
        abuses = [i for i in incidents if vocab.INCIDENT_TYPES[i.type].category == "abuse"]
        abuses.sort(key=lambda i: -(amount_bounds(i.victims.killed)[1] if i.victims and i.victims.killed else 0))
        for incident in abuses[:2]:
            label = vocab.INCIDENT_TYPES[incident.type].label
            text = f"{label} ({self.store.places[incident.place].name}): {incident.summary.strip()}"
            highlights.append(Highlight(attributed(text, self.sourcing(incident.cited)),
                                        self.cite(incident.id, incident.cited)))
        for row in route_changes:
            text = f"Route {row.name}: {row.previous_status_label.lower()} in report {self.position}, now {row.status_label.lower()}."
            highlights.append(Highlight(attributed(text, row.sourcing), row.citations))
        changed = {row.id for row in route_changes}
        for route, update in routes:
            if update.status in ("closed", "unsafe") and route.id not in changed:
                text = f"Route {self.route_name(route)} is {vocab.ROUTE_STATUSES[update.status].lower()}."
                highlights.append(Highlight(attributed(text, self.sourcing(update.cited)),
                                            self.cite(route.id, update.cited)))
        return highlights[:MAX_AUTOMATIC_HIGHLIGHTS]

    def figure_rows(self, figures: list[Figure]) -> list[FigureRow]:
        rows = []
        for figure in sorted(figures, key=lambda f: (list(vocab.METRICS).index(f.metric), f.place, f.as_of.start)):
            rows.append(FigureRow(figure.id, vocab.METRICS[figure.metric].label, self.place(figure.place),
                                  format_amount(figure, figure.unit), format_fuzzy(figure.as_of), figure.note,
                                  self.cite(figure.id, figure.cited), self.sourcing(figure.cited),
                                  self.is_new(figure.as_of)))
        return rows

    def week_routes(self) -> list[tuple[Route, RouteUpdate]]:
        """Each visible route with its latest update that falls in the week."""
        result = []
        for route in self.store.routes.values():
            if self.visible(route) and (update := _latest_update(route, self.first, self.last)):
                result.append((route, update))
        return result

    def route_name(self, route: Route) -> str:
        return route.name or f"{self.store.places[route.origin].name} – {self.store.places[route.destination].name}"

    def route_row(self, route: Route, update: RouteUpdate) -> RouteRow:
        before = _latest_update(route, self.previous.start, self.previous.end) if self.previous else None
        return RouteRow(
            id=route.id,
            name=self.route_name(route),
            origin=self.place(route.origin),
            destination=self.place(route.destination),
            via=[self.place(p) for p in route.via],
            status=update.status,
            status_label=vocab.ROUTE_STATUSES[update.status],
            hazards=[vocab.HAZARDS[h] for h in update.hazards],
            controlled_by=[self.store.actors[a].name for a in update.controlled_by],
            as_of=format_fuzzy(update.as_of),
            summary=_clean(update.summary),
            citations=self.cite(route.id, update.cited),
            sourcing=self.sourcing(update.cited),
            is_new=self.is_new(update.as_of),
            previous_status=before.status if before else None,
            previous_status_label=vocab.ROUTE_STATUSES[before.status] if before else None,
        )

    def movement_row(self, movement: Movement) -> MovementRow:
        return MovementRow(
            id=movement.id,
            period=format_fuzzy(movement.period),
            origin=self.place(movement.origin),
            destination=self.place(movement.destination),
            route=self.route_name(self.store.routes[movement.route])
            if movement.route and self.visible(self.store.routes[movement.route]) else None,
            count=format_amount(movement.count, movement.unit) if movement.count else "not reported",
            summary=_clean(movement.summary),
            citations=self.cite(movement.id, movement.cited),
            sourcing=self.sourcing(movement.cited),
            is_new=self.is_new(movement.period),
        )

    def by_date(self, incidents: Iterable[Incident]) -> list[Incident]:
        return sorted(incidents, key=lambda i: (i.date.start, i.date.end, i.id))

    def incident_groups(self, incidents: list[Incident]) -> list[IncidentGroup]:
        """Abuses grouped by type, in the vocabulary's order, each group by date."""
        groups = []
        for code, kind in vocab.INCIDENT_TYPES.items():
            members = [i for i in incidents if i.type == code]
            if members:
                groups.append(IncidentGroup(code, kind.label, kind.description,
                                            [self.incident_row(i) for i in self.by_date(members)]))
        return groups

    def incident_row(self, incident: Incident) -> IncidentRow:
        return IncidentRow(
            id=incident.id,
            type=incident.type,
            type_label=vocab.INCIDENT_TYPES[incident.type].label,
            date=format_fuzzy(incident.date),
            place=self.place(incident.place),
            perpetrator=self.actor(incident.perpetrator),
            victims=_victims_text(incident),
            status=incident.status,
            status_label=vocab.INCIDENT_STATUSES[incident.status],
            summary=_clean(incident.summary),
            citations=self.cite(incident.id, incident.cited),
            sourcing=self.sourcing(incident.cited),
            is_new=self.is_new(incident.date),
        )


def _key_reports(figures: list[Figure], key_metrics: list[str]) -> dict[tuple[str, str], list[Figure]]:
    """(metric, place) -> the latest reports of it, in key-metric order."""
    groups: dict[tuple[str, str], list[Figure]] = {}
    for metric in key_metrics:
        for figure in figures:
            if figure.metric == metric:
                groups.setdefault((metric, figure.place), []).append(figure)
    return {key: _latest_reports(group) for key, group in groups.items()}


def _span(reports: list[Figure]) -> tuple[float, float]:
    """The range several reports of one figure span."""
    bounds = [amount_bounds(f) for f in reports]
    return min(b[0] for b in bounds), max(b[1] for b in bounds)


def _common_qualifier(reports: list[Figure]) -> str:
    """'about' when every report says so; '' when they qualify their numbers differently."""
    qualifiers = {f.qualifier for f in reports}
    return vocab.QUALIFIERS[qualifiers.pop()] if len(qualifiers) == 1 else ""


def _latest_update(route: Route, first: dt.date, last: dt.date) -> RouteUpdate | None:
    """A route's latest status update dated within [first, last]."""
    updates = [u for u in route.updates if u.as_of.overlaps(first, last)]
    return max(updates, key=lambda u: (u.as_of.end, u.as_of.start)) if updates else None


def _latest_reports(figures: list[Figure]) -> list[Figure]:
    """The reports with the most recent as-of date; several of them are a conflict to show."""
    def key(f: Figure):
        return (f.as_of.end, f.as_of.start)
    latest = max(key(f) for f in figures)
    return [f for f in figures if key(f) == latest]


def attributed(text: str, sourcing: Sourcing) -> str:
    """The sentence as the report may state it: a weakly sourced claim is attributed to its
    one source ('Reported by X (single source, grade F): …'), never stated as fact."""
    return f"{sourcing.attribution}: {text}" if sourcing.weak else text


def _victims_text(incident: Incident) -> str | None:
    victims = incident.victims
    if victims is None:
        return None
    parts = []
    for outcome in ("killed", "injured", "affected"):
        amount: Amount | None = getattr(victims, outcome)
        if amount is not None:
            parts.append(f"{format_amount(amount)} {outcome}")
    text = "; ".join(parts)
    if victims.description:
        text = f"{text}. {victims.description}" if text else victims.description
    return text


def _clean(text: str | None) -> str | None:
    return " ".join(text.split()) if text else text

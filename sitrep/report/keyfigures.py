"""Key figures: each (metric, place) as last reported by a report's end, carried forward —
its reports that still hold, its change against the last known value, its trend, and the "no
longer reported" line when it goes stale (docs/report.md, "When a fact enters the series").
Functions of report/builder.py's builder, which holds the store, the week and the citations.

A change is this week's news that still holds against every report it is strictly later than
(report/state.State.against), each named with its qualifier and date; news that only overlaps
in time what held before is shown beside it ('concurrent'), never as a rise or a fall.
"""

from __future__ import annotations

import datetime as dt

from sitrep.language import gettext as _
from sitrep.report.facts import Change, DroppedFigure, FigureReport, KeyFigure, TrendPoint
from sitrep.report.formatting import (amount_bounds, common_qualifier, dated, format_amount, format_list, span_of,
                                     span_text, unit_word)
from sitrep.report.state import State
from sitrep.report.timeline import Arrival
from sitrep.source import vocabulary as vocab
from sitrep.source.dates import format_fuzzy
from sitrep.source.schema import Figure

TREND_WEEKS = 52  # how far back a key figure's trend chart reaches


def figure_report(builder, arrival: Arrival, superseded_by: Arrival | None = None) -> FigureReport:
    f = arrival.entry
    return FigureReport(f.id, format_amount(f, f.unit), format_fuzzy(f.as_of), builder.translator.text(f.note),
                        builder.cite(f.id, f.cited), [builder.citations.credit(c) for c in builder.reported_by_now(f.cited)],
                        builder.sourcing(f.cited),
                        arrival in builder.news,
                        _("a report as of %(date)s (%(id)s)") % {"date": format_fuzzy(superseded_by.date),
                                                                 "id": superseded_by.key}
                        if superseded_by else None)


def key_figure(builder, state: State) -> KeyFigure:
    metric, place_id = state.key
    reports = [a.entry for a in state.holding]
    bounds = [amount_bounds(f) for f in reports]
    low, high = span_of(reports)
    units = {f.unit for f in reports}
    unit = units.pop() if len(units) == 1 else reports[0].unit
    report_rows = [figure_report(builder, a) for a in state.holding]
    superseded = [figure_report(builder, a, by) for a, by in state.superseded.items() if a in state.news]
    single = reports[0] if len(reports) == 1 else None
    return KeyFigure(
        metric=metric,
        label=_(vocab.METRICS[metric].label),
        place=builder.place(place_id),
        number=span_text(reports),
        qualifier=common_qualifier(reports),
        unit=unit_word(unit, single),
        as_of=format_fuzzy(state.latest.date),
        low=low,
        high=high,
        reports=report_rows,
        conflicting=len(set(bounds)) > 1,
        citations=sorted({n for r in report_rows for n in r.citations}),
        sourcing=builder.sourcing(c for f in reports for c in f.cited),
        change=change(builder, state),
        trend=trend(builder, state),
        is_new=bool(state.news),
        superseded=superseded,
    )


def change(builder, state: State) -> Change | None:
    """This week's news against the last known value, however many reports back; None in the
    series' first report."""
    if builder.previous is None and not state.before:
        return None
    if not state.news:
        return Change("carried", _("no new report since %(date)s") % {"date": format_fuzzy(state.latest.date)}, None)
    if not state.before:
        return Change("new", _("first reported in this series"), None)
    now, against = state.news_holding, state.against
    if not now:  # this week's reports were older than what held: they replaced nothing
        return Change("carried", _("no report this week later than %(date)s") % {
            "date": format_fuzzy(state.latest.date)}, None)
    if not against:  # beside what held, neither newer: no change can be claimed
        alongside = state.alongside
        return Change("concurrent", _("reported alongside %(before)s; neither is more recent") % {
            "before": listed(alongside)}, value(alongside), [a.key for a in alongside])
    low, high = span_of([a.entry for a in now])
    before_low, before_high = span_of([a.entry for a in against])
    words = {"before": listed(against), "now": value(now)}
    keys = [a.key for a in against]
    if (low, high) == (before_low, before_high):
        return Change("unchanged", _("unchanged from %(before)s") % words, value(against), keys)
    if low >= before_low and high >= before_high:
        return Change("up", _("up from %(before)s") % words, value(against), keys)
    if low <= before_low and high <= before_high:
        return Change("down", _("down from %(before)s") % words, value(against), keys)
    # a range that widened or narrowed both ways: neither up nor down
    return Change("changed", _("now %(now)s; was %(before)s") % words, value(against), keys)


def value(reports: list[Arrival]) -> str:
    """The number or range several reports span, with the qualifier they share: 'about 20,000–35,000'."""
    entries = [a.entry for a in reports]
    return " ".join(w for w in (common_qualifier(entries), span_text(entries)) if w)


def listed(reports: list[Arrival]) -> str:
    """Each report's value with its own qualifier and date: 'about 3,000 (as of 20 February 2016)
    and 5,000 (as of February 2016)'."""
    return format_list([dated(format_amount(a.entry), format_fuzzy(a.date)) for a in reports])


def trend(builder, state: State) -> list[TrendPoint]:
    """The figure's reports of the last TREND_WEEKS weeks known by this report's end, as
    their sources gave them (a longer history would crowd a chart a few centimetres wide)."""
    since = builder.week.end - dt.timedelta(weeks=TREND_WEEKS)
    points = [TrendPoint(a.entry.id, a.date.start, a.date.end, *amount_bounds(a.entry), format_fuzzy(a.date),
                         format_amount(a.entry))
              for a in (*state.holding, *state.superseded) if a.date.end > since]
    return sorted(points, key=lambda p: (p.start, p.end, p.id))


def dropped_key_figure(builder, state: State) -> DroppedFigure:
    """'No longer reported': the last value, with its qualifier, date and citations."""
    metric, place_id = state.key
    reports = [a.entry for a in state.holding]
    latest = state.latest
    return DroppedFigure(metric, _(vocab.METRICS[metric].label), builder.place(place_id), value(state.holding),
                         unit_word(reports[0].unit, reports[0] if len(reports) == 1 else None),
                         format_fuzzy(latest.date), builder.series.number(builder.series.week_of(latest)),
                         citations=sorted({n for f in reports for n in builder.cite(f.id, f.cited)}),
                         ids=[f.id for f in reports])


def key_of_figure(key_metrics: list[str]):
    """Groups a series' arrivals into key figures: (metric, place) of each key-metric figure."""
    def key_of(arrival: Arrival):
        entry = arrival.entry
        return (entry.metric, entry.place) if isinstance(entry, Figure) and entry.metric in key_metrics else None
    return key_of

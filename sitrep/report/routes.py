"""Routes out: each route as last reported by a report's end — one row per update that still
holds, this week's updates already replaced, the status it changed from — and the date of the
last route report when none is current. Functions of report/builder.py's builder.
"""

from __future__ import annotations

from sitrep.language import gettext as _
from sitrep.report.facts import RouteRow
from sitrep.report.state import State
from sitrep.report.timeline import Arrival
from sitrep.source import vocabulary as vocab
from sitrep.source.dates import format_fuzzy


def rows_of_route(builder, state: State) -> list[RouteRow]:
    """A route as last reported: one row per update that still holds (concurrent updates
    side by side), then this week's updates that a strictly later one already replaced."""
    concurrent = len(state.holding) > 1
    before = max(state.before, key=lambda a: (a.date.end, a.date.start, a.key)) if state.before else None
    # A status changed when this week's update is strictly later than the last known one;
    # an update that overlaps it in time is a concurrent report, shown beside it instead.
    rows = [route_row(builder, a, concurrent, before if before and a in state.news and before.strictly_before(a) else None,
                           state) for a in state.holding]
    rows += [route_row(builder, a, False, None, state, superseded_by=by)
             for a, by in state.superseded.items() if a in state.news]
    return rows


def route_row(builder, arrival: Arrival, concurrent: bool, before: Arrival | None, state: State,
              superseded_by: Arrival | None = None) -> RouteRow:
    route, update = arrival.entry, arrival.update
    return RouteRow(
        id=route.id,
        name=builder.route_name(route),
        origin=builder.place(route.origin),
        destination=builder.place(route.destination),
        via=[builder.place(p) for p in route.via],
        status=update.status,
        status_label=_(vocab.ROUTE_STATUSES[update.status]),
        hazards=[_(vocab.HAZARDS[h]) for h in update.hazards],
        controlled_by=[builder.actor(a) for a in update.controlled_by],
        as_of=format_fuzzy(update.as_of),
        summary=builder.translator.text(update.summary),
        citations=builder.cite(route.id, update.cited),
        sourcing=builder.sourcing(update.cited),
        is_new=arrival in builder.news,
        previous_status=before.update.status if before else None,
        previous_status_label=_(vocab.ROUTE_STATUSES[before.update.status]) if before else None,
        previous_as_of=format_fuzzy(before.date) if before else None,
        since=None if state.news else _("no new report since %(date)s") % {"date": format_fuzzy(state.latest.date)},
        concurrent=concurrent,
        superseded_by=_("an update as of %(date)s") % {"date": format_fuzzy(superseded_by.date)}
        if superseded_by else None,
    )


def last_reported(route_states: list[State]) -> str | None:
    """The date of the latest report of any route, when every route has gone stale."""
    if not route_states:
        return None
    latest = max((state.latest for state in route_states), key=lambda a: (a.date.end, a.date.start))
    return format_fuzzy(latest.date)
